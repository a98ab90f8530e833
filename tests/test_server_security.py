"""The public app server at protocol level: what a visitor (or a script) can and cannot do.

All tests talk to a real `datenlabor serve` with the fixture lab on a loopback
port (fixture ``fixture_server``: pool of 2, at most 4 sessions, abandoned
sessions reclaimed after a few seconds).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from tests.browser import run_async

pytestmark = pytest.mark.slow  # starts servers and kernels

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_server", ROOT / "scripts" / "bench_server.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def get(url: str, timeout: float = 60) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


def kernels(server) -> list[psutil.Process]:
    out = []
    for child in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            if "datenlabor.sandbox" in " ".join(child.cmdline()):
                out.append(child)
        except psutil.Error:
            continue
    return out


def kernel_process(server, kernel_id: str) -> psutil.Process:
    for proc in kernels(server):
        if kernel_id in " ".join(proc.cmdline()):
            return proc
    raise LookupError(kernel_id)


async def joined(server, wait_s: float = 60.0) -> bench.AppClient:
    """A participant who joins the app; like a person, retries while all places are taken (503/429)."""
    deadline = time.monotonic() + wait_s
    while True:
        client = bench.AppClient(server.base, server.app, timeout=60)
        status = await client.fetch_page()
        if status not in (429, 503) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    assert status == 200
    await client.connect()
    await client.widget_state()
    return client


async def change(client: bench.AppClient, label: str, state: dict) -> str:
    comm_id, _ = client.find(label)
    mid = await client.update(comm_id, state)
    msgs = await client.outputs_until_idle(mid, timeout=30)
    return "".join(
        m["content"].get("text", "") for m in msgs if m["header"]["msg_type"] == "stream"
    )


# --- headers, paths, page content ---------------------------------------------------


def test_security_headers_on_pages_apps_and_errors(fixture_server):
    for url in (fixture_server.base, fixture_server.url, fixture_server.base + "gibt-es-nicht"):
        status, headers, _ = get(url)
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "http" not in csp, f"CSP names an external host: {csp}"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_app_page_shows_no_code_and_a_german_loading_state(fixture_server):
    status, _, html = get(fixture_server.url)
    assert status == 200
    for marker in (
        "import datenlabor",
        "app.interact(",
        "def zeige",
        "os._exit",
        "jp-InputArea-editor",
        "Traceback",
    ):
        assert marker not in html, f"app page leaks {marker!r}"
    assert 'role="status"' in html and "Die App wird gestartet" in html
    assert '<html lang="de"' in html
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "fontawesome" not in html.lower()
    # the tab shows the lab's title and the municipality, not the notebook's file name
    assert "<title>Mini-Lab – Datenlabor Stadt Musterstadt</title>" in html


def request(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("DELETE", "", 405, "nicht senden, ändern oder löschen"),
        ("PUT", "datenlabor/impressum", 405, "nicht senden, ändern oder löschen"),
        ("POST", "datenlabor/health", 405, "nicht senden, ändern oder löschen"),
        ("DELETE", "voila/render/mini/mini.ipynb", 403, "nicht senden, ändern oder löschen"),
        ("PUT", "voila/render/mini/mini.ipynb", 403, "nicht senden, ändern oder löschen"),
        ("GET", "datenlabor/static/gibt-es-nicht.css", 404, "Diese Seite gibt es nicht."),
        ("POST", "gibt-es-nicht", 404, "Diese Seite gibt es nicht."),
        ("GET", "voila/static/gibt-es-nicht.js", 403, "nicht öffentlich"),
    ],
)
def test_error_pages_are_german_for_every_method(fixture_server, method, path, status, words):
    got, html = request(fixture_server.base + path, method)
    assert got == status
    assert words in html and '<html lang="de"' in html
    assert "Not Found" not in html and "Method Not Allowed" not in html and "Forbidden" not in html


def test_json_errors_are_german_and_no_answer_names_the_server_software(fixture_server):
    """Jupyter's API answers keep their JSON keys (the front end reads them), in German."""
    import json

    for method in ("GET", "POST"):
        status, body = request(fixture_server.base + "voila/api/shutdown/abc", method)
        assert status in (403, 405)
        answer = json.loads(body)
        assert answer["message"] in (
            "Diese Seite oder Datei ist nicht öffentlich.",
            "Diese Seite lässt sich nur aufrufen, nicht senden, ändern oder löschen.",
        )
        assert "_xsrf" not in body and "Not Allowed" not in body
    with urllib.request.urlopen(fixture_server.base, timeout=60) as resp:
        assert resp.headers.get("Server") is None


def test_oversized_addresses_and_headers_get_a_german_answer(fixture_server):
    status, html = request(fixture_server.base + "?technik=" + "a" * 100_000)
    assert status == 414 and "Die Adresse dieser Anfrage ist zu lang" in html
    status, html = request(fixture_server.base, headers={"Cookie": "x=" + "b" * 100_000})
    assert status == 431 and "Anfrage zu groß" in html
    status, _ = request(fixture_server.base + "?technik=" + "a" * 4_000)  # long, but fine
    assert status == 200


BLOCKED = [
    "voila/tree",
    "voila/tree/mini",
    "voila/api/contents",
    "voila/api/contents/mini/mini.ipynb",
    "api/contents/mini/mini.ipynb",
    "api/kernels",
    "api/sessions",
    "api/kernelspecs",
    "voila/files/mini/mini.ipynb",
    "voila/files/mini/lab.yaml",
    "files/mini/mini.ipynb",
    "mini/mini.ipynb",
    "mini/lab.yaml",
    "voila/render/mini/lab.yaml",
    "voila/render/mini%2Fmini.ipynb",
    "voila/render/mini/../mini/mini.ipynb",
    "voila/render/../../../../etc/passwd",
    "voila/render/%2e%2e/%2e%2e/etc/passwd",
    "voila/files/../../../../etc/passwd",
    "voila/static/../../../../../../etc/passwd",
    "voila/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "voila/templates/datenlabor/index.html.j2",
    "voila/templates/datenlabor/conf.json",
    "voila/templates/datenlabor/static/../index.html.j2",
    "voila/templates/datenlabor/static/%2e%2e/index.html.j2",
    "voila/templates/lab/static/../../../../../../../etc/passwd",
    "voila/labextensions/../../../../../../etc/passwd",
    "datenlabor/static/../server/app.py",
    "datenlabor/static/%2e%2e/server/app.py",
    "datenlabor/static/..%2Fserver%2Fapp.py",
    "datasets/mini-daten/daten.csv",
    "voila/files/daten.csv",
    "mini-daten/daten.csv",
    "voila/render/mini/mini.ipynb?download=1&format=script",
    "voila/nbconvert/script/mini/mini.ipynb",
    "nbconvert/script/mini/mini.ipynb",
    "lab",
    "tree",
    "file:///etc/passwd",
    "datenlabor/metrics",  # metrics: only on a loopback port or with a token (none here)
    "metrics",
]


@pytest.mark.parametrize("path", BLOCKED)
def test_no_files_sources_or_data_through_the_app_server(fixture_server, path):
    status, _, body = get(fixture_server.base + path)
    if path.startswith("voila/render/mini/mini.ipynb?"):
        # the app itself may render, but never its source
        assert "import datenlabor" not in body and "app.interact(" not in body
        return
    assert status in (403, 404), f"{path}: HTTP {status}"
    for leak in (
        "root:x:",
        "app.interact",
        "import datenlabor",
        "ci_parameters",
        "wert\n",
        "def serve",
    ):
        assert leak not in body, f"{path} leaks {leak!r}"


# --- the kernel websocket -------------------------------------------------------------


def test_websocket_execute_request_is_refused(fixture_server):
    async def scenario():
        client = await joined(fixture_server)
        marker = f"/tmp/datenlabor-pwned-{os.getpid()}"
        mid = await client.send(
            "execute_request",
            {
                "code": f"open({marker!r}, 'w').write('x'); print('GEHEIM-4711')",
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        with pytest.raises(TimeoutError):
            await client.wait_for(
                lambda m: m.get("parent_header", {}).get("msg_id") == mid, timeout=3
            )
        assert not Path(marker).exists()
        # the connection still works for what an app needs
        text = await change(client, "Rechenart", {"index": 1})
        assert "mittel" in text
        await client.close()
        return marker

    run_async(scenario())
    assert "GEHEIM-4711" not in fixture_server.log.read_text(errors="replace")


def test_websocket_shutdown_request_is_refused(fixture_server):
    async def scenario():
        client = await joined(fixture_server)
        await client.send("shutdown_request", {"restart": False})
        await asyncio.sleep(3)
        # the kernel and its widgets are still there: the app still answers
        text = await change(client, "Rechenart", {"index": 1})
        assert "mittel" in text
        await client.close()

    run_async(scenario())
    assert "restarted" not in fixture_server.log.read_text(errors="replace")


def test_crafted_widget_values_are_rejected_in_the_kernel(fixture_server):
    async def scenario():
        client = await joined(fixture_server)
        slider_id, slider = client.find("Anzahl Zeilen")
        assert (slider["min"], slider["max"]) == (1, 5)
        honest = await change(client, "Anzahl Zeilen", {"value": 5})
        # out of range: ipywidgets clamps, app.interact re-validates; never 999 rows
        crafted = await change(client, "Anzahl Zeilen", {"value": 999})
        assert crafted in ("", honest), crafted
        neg = await change(client, "Anzahl Zeilen", {"value": -3})
        # a value that is not a number at all
        await change(client, "Anzahl Zeilen", {"value": "1; import os"})
        # dropdown: index outside the choices and a foreign value
        await change(client, "Rechenart", {"index": 17})
        await change(client, "Rechenart", {"value": "rm -rf"})
        client.states.clear()
        await client.widget_state()
        _, slider = client.find("Anzahl Zeilen")
        _, dropdown = client.find("Rechenart")
        assert 1 <= slider["value"] <= 5
        assert dropdown["index"] in (0, 1)
        assert "Traceback" not in neg
        await client.close()

    run_async(scenario())


def test_odd_widget_messages_never_reach_the_visitor_as_tracebacks(fixture_server):
    """Kernel side (datenlabor.widgetguard): odd updates are dropped without an answer."""

    async def scenario():
        client = await joined(fixture_server)
        dropdown, _ = client.find("Rechenart")
        slider, _ = client.find("Anzahl Zeilen")
        sent = [
            await client.update(dropdown, {"index": -1}),
            await client.update(dropdown, {"index": "x"}),
            await client.update(dropdown, {"index": [0] * 5000}),
            await client.update(slider, {"value": "2020; import os"}),
            await client.send(
                "comm_msg", {"comm_id": "gibt-es-nicht", "data": {"method": "update"}}
            ),
            await client.send("comm_msg", {"comm_id": dropdown, "data": {"method": "nix"}}),
        ]
        for mid in sent:
            await client.outputs_until_idle(mid, timeout=30)
        text = await change(client, "Rechenart", {"index": 1})  # still works
        answers = [m for m in client.messages if m.get("parent_header", {}).get("msg_id") in sent]
        await client.close()
        return text, answers

    text, answers = run_async(scenario())
    assert "mittel" in text
    others = [m for m in answers if m["header"]["msg_type"] != "status"]
    # no error, no stream ("No such comm"); only the slider's echo and its real value again
    assert {m["header"]["msg_type"] for m in others} <= {"comm_msg"}, others
    assert [m["content"]["data"]["method"] for m in others] in (
        ["echo_update", "update"],
        [],
    ), others
    assert others == [] or others[-1]["content"]["data"]["state"]["value"] in range(1, 6)
    log = fixture_server.log.read_text(errors="replace")
    assert "Widget-Nachricht an Dropdown verworfen" in log
    assert "import os" not in log


def test_websocket_limits_for_visitors(fixture_server):
    """Server side (VisitorKernelWebsocket): connections per kernel, message size, bad frames."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError, websocket_connect

    from datenlabor.server.voila_compat import (
        MAX_CONNECTIONS_PER_KERNEL,
        MAX_VISITOR_MESSAGE_BYTES,
    )

    async def scenario():
        client = await joined(fixture_server)
        ws_base = "ws" + client.base[len("http") :]

        async def another():
            url = f"{ws_base}api/kernels/{client.kernel_id}/channels?session_id={uuid.uuid4().hex}"
            request = HTTPRequest(url, **client._request_options())
            return await asyncio.wait_for(websocket_connect(request), 60)

        extra = [await another() for _ in range(MAX_CONNECTIONS_PER_KERNEL - 1)]
        with pytest.raises(HTTPClientError) as refused:
            await another()
        results = {"refused": refused.value.code}
        extra.pop().close()
        deadline = time.monotonic() + 30  # the server notices the close: a place is free again
        while True:
            try:
                extra.append(await another())
                break
            except HTTPClientError:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.2)
        # one message above the limit: closed from the frame header (1009), nothing forwarded
        big = extra.pop()
        started = time.monotonic()
        try:
            await big.write_message("x" * (MAX_VISITOR_MESSAGE_BYTES + 1))
        except (StreamClosedError, WebSocketClosedError):
            pass  # the server stopped reading after the frame header
        while await asyncio.wait_for(big.read_message(), 30) is not None:
            pass  # iopub messages of the kernel until the server closes
        results["big_seconds"] = time.monotonic() - started  # closed (1009; tornado then aborts)
        # a frame that is no kernel message: closed (1007), one log line
        bad = extra.pop()
        await bad.write_message("kein JSON {")
        while await asyncio.wait_for(bad.read_message(), 30) is not None:
            pass
        results["bad"] = bad.close_code
        text = await change(client, "Rechenart", {"index": 1})  # the page's own connection
        await client.close()
        return results, text

    results, text = run_async(scenario())
    assert results["refused"] == 429
    assert results["bad"] == 1007
    assert "mittel" in text
    log = fixture_server.log.read_text(errors="replace")
    assert "Unlesbare Nachricht an Kernel" in log
    assert "Uncaught exception GET /api/kernels" not in log  # tornado: traceback for the frame
    assert "JSONDecodeError" not in log.replace("(JSONDecodeError)", "")
    assert "websocket_ping_timeout" not in log and "is not trusted" not in log


def test_a_killed_kernel_does_not_disturb_another_participant(fixture_server):
    async def scenario():
        a = await joined(fixture_server)
        b = await joined(fixture_server)
        assert a.kernel_id != b.kernel_id
        kernel_process(fixture_server, a.kernel_id).send_signal(signal.SIGKILL)
        await asyncio.sleep(1.0)
        text = await change(b, "Rechenart", {"index": 1})
        assert "mittel" in text
        text = await change(b, "Anzahl Zeilen", {"value": 1})
        assert text.strip()
        await a.close()
        await b.close()

    run_async(scenario())


def test_app_kernels_run_in_the_sandbox(fixture_server):
    async def scenario():
        client = await joined(fixture_server)
        proc = kernel_process(fixture_server, client.kernel_id)
        cmd = " ".join(proc.cmdline()).split()  # forked kernels have one-string titles
        connection = json.loads(Path(cmd[cmd.index("-f") + 1]).read_text())
        limits = {
            "as": proc.rlimit(psutil.RLIMIT_AS),
            "cpu": proc.rlimit(psutil.RLIMIT_CPU),
            "fsize": proc.rlimit(psutil.RLIMIT_FSIZE),
            "nproc": proc.rlimit(psutil.RLIMIT_NPROC),
        }
        cwd = proc.cwd()
        parent = " ".join(proc.parent().cmdline())
        await client.close()
        return connection, limits, cwd, parent

    connection, limits, cwd, parent = run_async(scenario())
    assert "datenlabor.forkserver" in parent  # forked from the pre-imported process
    assert connection["transport"] == "ipc"
    assert 0 < limits["as"][0] <= 4 * 2**30
    assert 0 < limits["cpu"][0] <= 3600
    assert 0 < limits["fsize"][0] <= 64 * 2**20
    assert 0 < limits["nproc"][0] <= 1024
    assert "datenlabor-app-" in cwd and not cwd.startswith(str(ROOT))


# --- capacity: cap, culling, burst --------------------------------------------------------


def _wait_for_kernels(server, at_most: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        n = len(kernels(server))
        if n <= at_most or time.monotonic() > deadline:
            return n
        time.sleep(0.5)


def test_burst_of_anonymous_requests_stays_under_the_cap_and_is_reclaimed(fixture_server):
    pool, cap = 2, 4  # FIXTURE_SERVER_ARGS
    url = fixture_server.url
    # Start from a quiet server: pages fetched by earlier tests hold a place until reclaimed.
    _wait_for_kernels(fixture_server, pool, timeout=60)

    def hit(_):
        return get(url, timeout=120)[0]

    peak = 0
    peak_rss = 0.0
    with ThreadPoolExecutor(max_workers=50) as ex:
        futures = [ex.submit(hit, i) for i in range(200)]
        while not all(f.done() for f in futures):
            procs = kernels(fixture_server)
            peak = max(peak, len(procs))
            rss = 0.0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak_rss = max(peak_rss, rss)
            time.sleep(0.2)
        statuses = [f.result() for f in futures]
    served = statuses.count(200)
    full = statuses.count(503) + statuses.count(429)  # all taken, or this client's limit
    assert served + full == 200, sorted(set(statuses))
    assert 1 <= served <= cap + 10  # the cap counts live sessions; reclaimed ones free a place
    assert full >= 150
    # kernels: sessions up to the cap plus the refilling pool (+1 starting)
    assert peak <= cap + pool + 1, peak
    assert peak_rss / 2**20 <= (cap + pool + 1) * 300, f"{peak_rss / 2**20:.0f} MB"
    # the friendly German page while full
    status, headers, body = _full_page(fixture_server)
    if status == 503:
        assert "Gerade sind alle Plätze belegt – bitte in einer Minute erneut versuchen" in body
        assert headers.get("Retry-After") == "60"
    else:  # this client's limit while places are short
        assert status == 429, status
        assert "Bitte versuchen Sie es in" in body and int(headers["Retry-After"]) >= 1
    # nobody connected: everything is reclaimed after the connect timeout (15 s) ...
    left = _wait_for_kernels(fixture_server, pool, timeout=40)
    assert left <= pool, f"{left} kernels still alive"

    # ... and a normal visitor is served afterwards
    async def visitor():
        client = await joined(fixture_server)
        text = await change(client, "Rechenart", {"index": 1})
        await client.close()
        return text

    assert "mittel" in run_async(visitor())


def _full_page(server):
    """Fill all places with never-connecting sessions, then ask once more."""
    with ThreadPoolExecutor(max_workers=8) as ex:
        list(ex.map(lambda _: get(server.url, timeout=120), range(6)))
    return get(server.url)


def test_left_sessions_are_reclaimed(fixture_server):
    async def scenario():
        client = await joined(fixture_server)
        kid = client.kernel_id
        await client.close()
        return kid

    kid = run_async(scenario())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            kernel_process(fixture_server, kid)
        except LookupError:
            return
        time.sleep(0.5)
    pytest.fail("kernel of a visitor who left is still running")
