"""Static assets compressed once (server/compression.py), in-process: no server start."""

from __future__ import annotations

import functools
import gzip
import shutil
import tempfile
import time
from pathlib import Path

import brotli
import pytest
import tornado.testing
import tornado.web

from datenlabor.server import compression
from datenlabor.server.handlers import AssetLog, SecurityHeaders

SCRIPT = ("/* Voilà-Bündel */\n" + "function f(x) { return x * 2; }\n" * 400).encode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
def test_accepted_encoding(header, expected):
    assert compression.accepted_encoding(header) == expected


def wait_for(fn, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while (value := fn()) is None:
        assert time.monotonic() < deadline, "compression did not finish"
        time.sleep(0.05)
    return value


def test_store_compresses_in_the_background_and_keeps_a_copy_on_disk(tmp_path):
    source = tmp_path / "a.js"
    source.write_bytes(SCRIPT)
    store = compression.CompressedAssets(tmp_path / "cache")
    assert store.get(str(source), "abc123", "br") is None  # queued, never blocks
    body = wait_for(lambda: store.get(str(source), "abc123", "br"))
    assert brotli.decompress(body) == SCRIPT
    assert len(body) < len(gzip.compress(SCRIPT, 9))
    # a restarted server reads it from the folder at once
    again = compression.CompressedAssets(tmp_path / "cache")
    assert again.get(str(source), "abc123", "br") == body


class PrecompressedHandlerTest(tornado.testing.AsyncHTTPTestCase):
    def run(self, result=None):
        # Playwright's sync API keeps an event loop running in this worker's main thread once a
        # browser test ran here; tornado's test loop therefore gets a thread of its own.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as ex:
            return ex.submit(super().run, result).result()

    def get_app(self):
        self.folder = Path(tempfile.mkdtemp())
        root = self.folder / "static"
        root.mkdir()
        (root / "app.js").write_bytes(SCRIPT)
        (root / "klein.js").write_bytes(b"var a = 1;")
        self.store = compression.CompressedAssets(root.parent / "cache")
        self.old, compression.ASSETS = compression.ASSETS, self.store
        app = tornado.web.Application(
            [
                (
                    r"/voila/static/(.*)",
                    compression.precompressed(tornado.web.StaticFileHandler),
                    {"path": str(root)},
                )
            ]
        )
        app.transforms.append(functools.partial(SecurityHeaders, assets=AssetLog()))
        app.transforms.append(tornado.web.GZipContentEncoding)
        return app

    def tearDown(self):
        compression.ASSETS = self.old
        super().tearDown()
        shutil.rmtree(self.folder, ignore_errors=True)

    def fetch_js(self, name: str = "app.js", **headers):
        return self.fetch(f"/voila/static/{name}", decompress_response=False, headers=headers)

    def test_brotli_once_compressed_then_served_with_its_own_etag(self):
        first = self.fetch_js(**{"Accept-Encoding": "gzip, deflate, br"})
        assert first.code == 200 and first.headers["Content-Encoding"] == "gzip"  # on the fly
        # script assets carry nosniff only
        assert first.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in first.headers
        wait_for(lambda: self.store.memory.get(next(iter(self.store.memory), None)))
        second = self.fetch_js(**{"Accept-Encoding": "gzip, deflate, br"})
        assert second.headers["Content-Encoding"] == "br"
        assert brotli.decompress(second.body) == SCRIPT
        assert int(second.headers["Content-Length"]) == len(second.body)
        assert "Accept-Encoding" in second.headers["Vary"]
        assert second.headers["Etag"] != first.headers["Etag"] and "-br" in second.headers["Etag"]
        again = self.fetch_js(**{"Accept-Encoding": "br", "If-None-Match": second.headers["Etag"]})
        assert again.code == 304
        # a range request and a client without compression get the file itself
        ranged = self.fetch_js(**{"Accept-Encoding": "br", "Range": "bytes=0-9"})
        assert ranged.code == 206 and ranged.body == SCRIPT[:10]
        # without Brotli (plain HTTP in a local network): the Zopfli gzip, once it is made
        self.fetch_js(**{"Accept-Encoding": "gzip, deflate"})
        wait_for(lambda: next((k for k in self.store.memory if k[1] == "gzip"), None))
        zipped = self.fetch_js(**{"Accept-Encoding": "gzip, deflate"})
        assert zipped.headers["Content-Encoding"] == "gzip" and "-gzip" in zipped.headers["Etag"]
        assert gzip.decompress(zipped.body) == SCRIPT
        plain = self.fetch_js(**{"Accept-Encoding": "identity"})
        assert plain.body == SCRIPT and "Content-Encoding" not in plain.headers

    def test_small_files_are_left_alone(self):
        small = self.fetch_js("klein.js", **{"Accept-Encoding": "br"})
        assert small.body == b"var a = 1;" and not self.store.pending and not self.store.memory
