"""Two `datenlabor serve` replicas behind HAProxy (deploy/haproxy/haproxy.cfg), TLS on loopback.

One shared cluster for all tests of this module (one xdist group): two
fixture-lab servers with small pools, HAProxy with a self-signed certificate made
at test time. The widget test leaves both replicas running; the browser test then
stops the replica that holds its kernel.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.browser import run_async
from tests.conftest import FIXTURE_SERVER_ARGS, fixture_env, start_server, stop_server
from tests.helpers import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("balancer"),
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy (Debian-Paket) fehlt"),
]

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_server", ROOT / "scripts" / "bench_server.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
APP = "voila/render/mini/mini.ipynb"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("balancer")
    args = [*FIXTURE_SERVER_ARGS, "--vertrauenswuerdige-proxys", "127.0.0.1"]
    replicas = {}
    try:
        for name in ("app1", "app2"):
            replicas[name] = start_server(args, tmp / f"{name}.log", fixture_env())
        key, cert, pem = tmp / "key.pem", tmp / "cert.pem", tmp / "datenlabor.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )
        pem.write_bytes(cert.read_bytes() + key.read_bytes())
        port = free_port()
        env = {
            **os.environ,
            "DATENLABOR_TLS_PEM": str(pem),
            "DATENLABOR_BIND": f"127.0.0.1:{port}",
            "DATENLABOR_HTTP_BIND": f"127.0.0.1:{free_port()}",
            **{
                f"DATENLABOR_{name.upper()}": base.split("//")[1].rstrip("/")
                for name, (_, base) in replicas.items()
            },
        }
        log = (tmp / "haproxy.log").open("wb")
        haproxy = subprocess.Popen(
            ["haproxy", "-db", "-f", str(ROOT / "deploy" / "haproxy" / "haproxy.cfg")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"https://127.0.0.1:{port}/"
        yield SimpleNamespace(base=base, replicas=replicas, haproxy=haproxy, tmp=tmp)
    finally:
        if "haproxy" in locals() and haproxy.poll() is None:
            os.killpg(haproxy.pid, signal.SIGTERM)
            haproxy.wait(10)
        for proc, _ in replicas.values():
            stop_server(proc)


async def visit(base: str, cookies: dict | None = None, wait_s: float = 90.0):
    """Page through the balancer (retrying while it has no healthy server), widget change."""
    deadline = time.monotonic() + wait_s
    while True:
        client = bench.AppClient(base, APP, timeout=60, cookies=cookies)
        try:
            status = await client.fetch_page()
        except OSError:
            status = 0
        if status == 200 or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    assert status == 200, status
    await client.connect()
    await client.widget_state()
    comm_id, _ = client.find("Rechenart")
    mid = await client.update(comm_id, {"index": 1})
    msgs = await client.outputs_until_idle(mid, timeout=60)
    text = "".join(m["content"].get("text", "") for m in msgs)
    return client, text


def test_widget_change_through_the_balancer_and_cookie_affinity(cluster):
    async def scenario():
        client, text = await visit(cluster.base)
        assert "mittel" in text
        held_by = client.cookies.get("DATENLABOR_SERVER")
        assert held_by in ("app1", "app2"), client.cookies
        await client.close()
        # with the cookie, the next visit lands on the same replica
        again, text = await visit(cluster.base, cookies=client.cookies)
        assert "mittel" in text and again.cookies.get("DATENLABOR_SERVER", held_by) == held_by
        await again.close()

    run_async(scenario())


def wait_healthy(cluster, timeout: float = 180.0) -> None:
    """Both replicas ready (pools filled) and the balancer answering its health route."""
    import ssl
    import urllib.error
    import urllib.request

    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    urls = [base + "datenlabor/health" for _, base in cluster.replicas.values()]
    urls.append(cluster.base + "datenlabor/health")
    deadline = time.monotonic() + timeout
    for url in urls:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30, context=unverified) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            assert time.monotonic() < deadline, f"{url} not healthy after {timeout:.0f} s"
            time.sleep(1.0)


@pytest.mark.browser
def test_browser_shows_connection_lost_when_the_replica_dies_and_reload_recovers(cluster, browser):
    """The visitor's replica stops: the German banner appears (wide and 320 px), the
    controls are locked, and „Seite neu laden“ brings the app back from the other one."""
    from tests.browser import APP_SELECTOR, open_app

    wait_healthy(cluster)
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="de-DE", ignore_https_errors=True
    )
    try:
        wide = ctx.new_page()
        wide.set_default_timeout(60_000)
        wide.set_default_navigation_timeout(180_000)
        url = cluster.base + APP
        box = open_app(wide, url)
        held_by = next(c["value"] for c in ctx.cookies() if c["name"] == "DATENLABOR_SERVER")
        assert held_by in cluster.replicas
        # a widget change through the balancer, in the browser
        box.locator("select").first.select_option(index=1)
        wide.wait_for_function(
            "(sel) => document.querySelector(sel).innerText.includes('mittel')",
            arg=APP_SELECTOR,
            timeout=60_000,
        )
        # a phone-sized page of the same visitor (same cookie: same replica)
        narrow = ctx.new_page()
        narrow.set_default_timeout(60_000)
        narrow.set_default_navigation_timeout(180_000)
        narrow.set_viewport_size({"width": 320, "height": 640})
        open_app(narrow, url)

        stop_server(cluster.replicas[held_by][0])

        for pg, name in ((wide, "1280x800"), (narrow, "320x640")):
            banner = pg.locator("#dl-connection")
            banner.wait_for(state="visible", timeout=90_000)
            assert banner.get_attribute("role") == "alert"
            text = banner.inner_text()
            assert "Verbindung" in text and "neu laden" in text.lower(), text
            assert pg.evaluate("() => document.body.classList.contains('dl-offline')")
            assert pg.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1")
            pg.screenshot(path=str(cluster.tmp / f"verbindung-verloren-{name}.png"))
        # the visitor follows the banner: reload lands on the other replica and works
        with narrow.expect_navigation(timeout=180_000):
            narrow.locator("#dl-connection button").first.click()  # „Seite neu laden“
        narrow.wait_for_selector(APP_SELECTOR, timeout=180_000)
        narrow.wait_for_function(
            "() => !document.querySelector('.datenlabor-status')?.innerText"
            ".includes('Wird berechnet')",
            timeout=180_000,
        )
        now = next(c["value"] for c in ctx.cookies() if c["name"] == "DATENLABOR_SERVER")
        assert now != held_by and now in cluster.replicas
        assert not narrow.locator("#dl-connection").is_visible()
        narrow.screenshot(path=str(cluster.tmp / "nach-neu-laden-320x640.png"))
    finally:
        ctx.close()
