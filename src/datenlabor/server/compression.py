"""Static assets (Voilà's bundle, widget extensions, our CSS) compressed once, strongly.

tornado compresses every response on the fly with gzip level 6. For the ~95
files of an app page that is 1.31 MB on the wire; compressed once with Brotli
quality 11 it is 1.13 MB, as gzip by Zopfli 1.25 MB (gzip level 9: 1.31 MB). That
costs about 0.2 s (Brotli) and 0.3 s (Zopfli) of CPU per file, too slow for a request, so the first request of a file is
answered as before and a background thread (lowest CPU priority) compresses it
for every later visitor. The results are kept in memory and in a cache folder
(``$XDG_CACHE_HOME/datenlabor/komprimiert``, named by the content hash), so a
restarted server has them at once.

Browsers announce Brotli (``br``) only on secure origins: HTTPS and
``localhost``/``127.0.0.1``. Over plain HTTP in a local network they get the
Zopfli gzip.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..paths import write_atomic

ENCODINGS = ("br", "gzip")
"""Preferred first."""
SUFFIXES = (".js", ".mjs", ".css", ".json", ".map", ".txt", ".html", ".svg", ".woff", ".ttf")
"""Files worth compressing (PNG, WOFF2 and the like are compressed already)."""
SUFFIX = {"br": "br", "gzip": "zopfli.gz"}
"""File name ending in the cache folder, by encoding."""
MIN_BYTES = 1024
"""Smaller files gain less than the header costs."""
BROTLI_QUALITY = 11
ZOPFLI_ITERATIONS = 1
"""More iterations cost far more CPU for a few hundred bytes (measured on Voilà's bundle)."""


def cache_dir() -> Path:
    """Where compressed assets are kept between server starts (override: DATENLABOR_KOMPRIMIERT)."""
    env = os.environ.get("DATENLABOR_KOMPRIMIERT")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "datenlabor" / "komprimiert"


def accepted_encoding(header: str) -> str | None:
    """The best of :data:`ENCODINGS` an ``Accept-Encoding`` header allows (``q=0`` refuses)."""
    allowed = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip()
        if q.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        allowed.add(name.strip().lower())
    return next((e for e in ENCODINGS if e in allowed), None)


def compress(data: bytes, encoding: str) -> bytes:
    """``data`` compressed as ``encoding`` ("br": Brotli 11, "gzip": Zopfli, no time stamp)."""
    if encoding == "br":
        import brotli

        return brotli.compress(data, quality=BROTLI_QUALITY)
    if encoding == "gzip":  # Zopfli: gzip that any browser reads, about 5 % smaller than level 9
        import zopfli.gzip

        return zopfli.gzip.compress(data, numiterations=ZOPFLI_ITERATIONS)
    raise ValueError(f"unknown encoding {encoding!r}")


def _lowest_priority() -> None:
    """Thread initializer: this thread (Linux: a thread is a task) runs at nice 19."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class CompressedAssets:
    """Compressed copies of static files by (content hash, encoding), made in the background.

    :meth:`get` never blocks on compression: it returns ``None`` and queues the
    file, so that request is served as before (tornado's gzip). Memory is
    bounded by ``max_bytes`` (further files are only served from the folder).
    """

    def __init__(self, folder: Path | None = None, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.folder = cache_dir() if folder is None else folder
        self.max_bytes = max_bytes
        self.memory: dict[tuple[str, str], bytes] = {}
        self.used = 0
        self.pending: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        self.pool: ThreadPoolExecutor | None = None

    def _file(self, version: str, encoding: str) -> Path:
        return self.folder / f"{version[:64]}.{SUFFIX[encoding]}"

    def _keep(self, key: tuple[str, str], body: bytes) -> None:
        with self.lock:
            if key not in self.memory and self.used + len(body) <= self.max_bytes:
                self.memory[key] = body
                self.used += len(body)

    def get(self, absolute: str, version: str, encoding: str) -> bytes | None:
        """The compressed file, or ``None`` (then it is queued for compression)."""
        key = (version, encoding)
        body = self.memory.get(key)
        if body is not None:
            return body
        try:
            body = self._file(version, encoding).read_bytes()
        except OSError:
            body = None
        if body:
            self._keep(key, body)
            return body
        with self.lock:
            if key in self.pending:
                return None
            self.pending.add(key)
            if self.pool is None:
                self.pool = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="komprimieren", initializer=_lowest_priority
                )
        self.pool.submit(self._compress, absolute, key)
        return None

    def _compress(self, absolute: str, key: tuple[str, str]) -> None:
        try:
            body = compress(Path(absolute).read_bytes(), key[1])
            with contextlib.suppress(OSError):  # no cache folder: memory only
                self.folder.mkdir(parents=True, exist_ok=True)
                write_atomic(self._file(*key), body)
            self._keep(key, body)
        except Exception:  # noqa: BLE001 - the file is then served as before
            pass
        finally:
            with self.lock:
                self.pending.discard(key)


ASSETS = CompressedAssets()
"""The server's one store (shared by all static file handlers)."""


class PrecompressedStatic:
    """Mixin for tornado ``StaticFileHandler`` classes: serve :data:`ASSETS` copies when ready.

    Only whole-file requests of :data:`SUFFIXES` files of at least :data:`MIN_BYTES`;
    range requests and files still being compressed are served as before. The
    ETag names the encoding, so a cache never mixes the variants.
    """

    _dl_body: bytes | None = None
    _dl_encoding: str | None = None

    def _dl_lookup(self) -> None:
        self._dl_body = self._dl_encoding = None
        absolute = getattr(self, "absolute_path", None)
        if not absolute or "Range" in self.request.headers or not absolute.endswith(SUFFIXES):
            return
        encoding = accepted_encoding(self.request.headers.get("Accept-Encoding", ""))
        if encoding is None:
            return
        try:
            if os.path.getsize(absolute) < MIN_BYTES:
                return
        except OSError:
            return
        version = self._get_cached_version(absolute)
        if version:
            body = ASSETS.get(absolute, version, encoding)
            if body is not None:
                self._dl_body, self._dl_encoding = body, encoding

    def compute_etag(self) -> str | None:
        self._dl_lookup()  # first call of set_headers(), after the path was checked
        version = self._get_cached_version(self.absolute_path)
        if not version:
            return None
        return f'"{version[:32]}{"-" + self._dl_encoding if self._dl_encoding else ""}"'

    def set_extra_headers(self, path: str) -> None:
        super().set_extra_headers(path)
        if self._dl_body is not None:
            self.set_header("Content-Encoding", self._dl_encoding)
            self.clear_header("Accept-Ranges")

    def get_content_size(self) -> int:
        if self._dl_body is not None:
            return len(self._dl_body)
        return super().get_content_size()

    @classmethod
    def get_content_version(cls, abspath: str) -> str:
        # tornado's (SHA-512 of the file), without the class-level get_content shadowed below
        return hashlib.sha512(Path(abspath).read_bytes()).hexdigest()

    def get_content(self, abspath: str, start: int | None = None, end: int | None = None):  # noqa: ANN201
        # an instance method (tornado's is a class method): the body depends on the request
        if self._dl_body is not None:
            return self._dl_body
        return super().get_content(abspath, start, end)


def precompressed(cls: type) -> type:
    """``cls`` (a ``StaticFileHandler`` subclass) with :class:`PrecompressedStatic` mixed in."""
    return type(cls.__name__, (PrecompressedStatic, cls), {"__module__": __name__})
