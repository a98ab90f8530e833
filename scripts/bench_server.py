"""Benchmark: stock Voilà vs. ``datenlabor serve`` on the same lab (not a test).

Measures, for each server:

* time to interactive for one participant in headless Chromium (navigation
  start -> first control visible, plus change -> new output; both measured in
  the page, see IN_PAGE_CLOCK), median of N runs, also with the driver's clock;
* 30 protocol-level clients joining the same app within 10 s: each fetches the
  page, opens the kernel websocket, asks for the widget state
  (comm_info_request + request_state as @jupyter-widgets does), changes one
  control with a comm_msg update and waits for the output; reported: time from
  the client's start until that first answer (median, p95, max);
* memory per idle session (RSS, USS, PSS of the kernels), datenlabor only;
* ``--lastverteiler``: 30 joining through HAProxy (deploy/haproxy/haproxy.cfg, two
  replicas) vs. one server directly vs. stock Voilà: time until the controls' state
  has arrived (what the browser needs to draw them) and until the first answer;
* ``--flut N``: N GETs without websocket from one address, then a visitor from 127.0.0.2.

Usage::

    .venv/bin/python scripts/bench_server.py --lab daten-erkunden
    .venv/bin/python scripts/bench_server.py --lab mini --labs tests/fixtures/labs \\
        --datasets tests/fixtures/datasets --clients 10 --browser-runs 3

The protocol client (``AppClient``) is also used by tests/test_server_*.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


# --- protocol-level client -----------------------------------------------------


def _msg(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "bench",
            "session": session,
            "date": "",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


class AppClient:
    """A participant without a browser: page, kernel websocket, widget comms."""

    def __init__(
        self,
        base: str,
        path: str,
        timeout: float = 60.0,
        source_ip: str | None = None,
        cookies: dict[str, str] | None = None,
    ) -> None:
        self.base = base.rstrip("/") + "/"
        self.source_ip = source_ip  # e.g. 127.0.0.2: a visitor from another loopback address
        # like a browser: cookies of earlier answers go with the next request (balancer affinity)
        self.cookies: dict[str, str] = dict(cookies or {})
        self.path = path.lstrip("/")
        self.timeout = timeout
        self.session = uuid.uuid4().hex
        self.kernel_id = ""
        self.status = 0
        self.html = ""
        self.ws = None
        self.states: dict[str, dict] = {}
        self.messages: list[dict] = []

    async def fetch_page(self) -> int:
        from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

        client = AsyncHTTPClient(max_clients=300)
        request = HTTPRequest(self.base + self.path, **self._request_options())
        request.request_timeout = self.timeout
        resp = None
        try:
            resp = await client.fetch(request)
            self.status, body = resp.code, resp.body
        except HTTPClientError as exc:
            self.status = exc.code
            resp = exc.response
            body = exc.response.body if exc.response is not None else b""
        for header in resp.headers.get_list("Set-Cookie") if resp is not None else []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        self.html = body.decode("utf-8", "replace")
        found = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', self.html)
        self.kernel_id = found.group(1) if found else ""
        return self.status

    async def connect(self) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        ws_base = "ws" + self.base[len("http") :]
        url = f"{ws_base}api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        request = HTTPRequest(url, **self._request_options())
        self.ws = await asyncio.wait_for(websocket_connect(request), self.timeout)

    def _request_options(self) -> dict[str, Any]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        # a test's balancer uses a self-signed certificate made at test time (loopback only)
        insecure = self.base.startswith("https://127.0.0.1")
        return {
            "network_interface": self.source_ip,
            "headers": headers,
            "validate_cert": not insecure,
        }

    async def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg = _msg(msg_type, content, self.session, channel)
        await self.ws.write_message(json.dumps(msg))
        return msg["header"]["msg_id"]

    async def recv(self, timeout: float) -> dict | None:
        raw = await asyncio.wait_for(self.ws.read_message(), timeout)
        if raw is None:
            raise ConnectionError("websocket closed")
        msg = json.loads(raw)
        self.messages.append(msg)
        return msg

    async def wait_for(self, predicate, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        for msg in self.messages:
            if predicate(msg):
                return msg
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching message")
            msg = await self.recv(left)
            if predicate(msg):
                return msg

    async def widget_state(self) -> dict[str, dict]:
        """comm_info_request, then request_state for every widget comm (like @jupyter-widgets)."""
        mid = await self.send("comm_info_request", {"target_name": "jupyter.widget"})
        reply = await self.wait_for(
            lambda m: (
                m.get("parent_header", {}).get("msg_id") == mid
                and m["header"]["msg_type"] == "comm_info_reply"
            )
        )
        comms = list(reply["content"].get("comms", {}))
        pending = {}
        for comm_id in comms:
            rid = await self.send(
                "comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}}
            )
            pending[rid] = comm_id
        while pending:
            msg = await self.wait_for(
                lambda m: (
                    m["header"]["msg_type"] == "comm_msg"
                    and m.get("parent_header", {}).get("msg_id") in pending
                    and m["content"].get("data", {}).get("method") == "update"
                )
            )
            self.messages.remove(msg)
            comm_id = pending.pop(msg["parent_header"]["msg_id"])
            self.states[comm_id] = msg["content"]["data"]["state"]
        return self.states

    def find(self, description: str) -> tuple[str, dict]:
        for comm_id, state in self.states.items():
            if state.get("description") == description:
                return comm_id, state
        raise KeyError(description)

    async def update(self, comm_id: str, state: dict) -> str:
        return await self.send(
            "comm_msg",
            {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}},
        )

    async def output_for(self, msg_id: str, timeout: float | None = None) -> dict:
        """The first output (stream, display_data, ...) the kernel produced for ``msg_id``."""
        kinds = {"stream", "display_data", "execute_result", "update_display_data", "error"}
        return await self.wait_for(
            lambda m: (
                m.get("parent_header", {}).get("msg_id") == msg_id
                and m["header"]["msg_type"] in kinds
            ),
            timeout,
        )

    async def outputs_until_idle(self, msg_id: str, timeout: float | None = None) -> list[dict]:
        await self.wait_for(
            lambda m: (
                m.get("parent_header", {}).get("msg_id") == msg_id
                and m["header"]["msg_type"] == "status"
                and m["content"].get("execution_state") == "idle"
            ),
            timeout,
        )
        return [m for m in self.messages if m.get("parent_header", {}).get("msg_id") == msg_id]

    async def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None


def first_control(states: dict[str, dict]) -> tuple[str, dict, dict]:
    """A control to change and a valid new value for it (slider, dropdown, checkbox)."""
    for comm_id, s in states.items():
        name = s.get("_model_name", "")
        if name in ("IntSliderModel", "FloatSliderModel") and s.get("description"):
            value = (
                s["value"] + s.get("step", 1)
                if s["value"] + s.get("step", 1) <= s["max"]
                else s["min"]
            )
            return comm_id, s, {"value": value}
    for comm_id, s in states.items():
        if (
            s.get("_model_name") == "DropdownModel"
            and s.get("description")
            and len(s.get("_options_labels", [])) > 1
        ):
            return (
                comm_id,
                s,
                {
                    "index": (s.get("index") or 0) + 1
                    if (s.get("index") or 0) + 1 < len(s["_options_labels"])
                    else 0
                },
            )
    for comm_id, s in states.items():
        if s.get("_model_name") == "CheckboxModel" and s.get("description"):
            return comm_id, s, {"value": not s["value"]}
    raise LookupError("no control found")


async def join(
    base: str, path: str, start_delay: float, timeout: float = 120.0, source_ip: str | None = None
) -> dict[str, Any]:
    """One participant: page, websocket, widget state, one change, first answer."""
    await asyncio.sleep(start_delay)
    t0 = time.monotonic()
    client = AppClient(base, path, timeout=timeout, source_ip=source_ip)
    result: dict[str, Any] = {"ok": False}
    try:
        status = await client.fetch_page()
        result["status"] = status
        result["page_s"] = time.monotonic() - t0
        if status != 200 or not client.kernel_id:
            return result
        await client.connect()
        await client.widget_state()
        # everything the browser needs to draw the controls has arrived
        result["controls_s"] = time.monotonic() - t0
        comm_id, _, change = first_control(client.states)
        mid = await client.update(comm_id, change)
        await client.output_for(mid, timeout)
        result.update(ok=True, answer_s=time.monotonic() - t0)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports failures, it does not stop
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        await client.close()
    return result


async def crowd(
    base: str, path: str, clients: int, window: float, timeout: float = 120.0
) -> list[dict]:
    delays = [window * i / max(1, clients - 1) for i in range(clients)]
    return await asyncio.gather(*(join(base, path, d, timeout) for d in delays))


# --- servers ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def kernels(proc: subprocess.Popen) -> list:
    """Kernel processes below a server: started ones (ipykernel, sandbox) and forked ones."""
    import psutil

    out = []
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            cmd = " ".join(child.cmdline())
            forked = "datenlabor.forkserver" in cmd and child.ppid() != proc.pid
            if forked or "ipykernel" in cmd or "datenlabor.sandbox" in cmd:
                out.append(child)
        except psutil.Error:
            continue
    return out


def kernel_memory(proc: subprocess.Popen) -> list[dict[str, float]]:
    import psutil

    out = []
    for child in kernels(proc):
        try:
            m = child.memory_full_info()
            out.append({"rss": m.rss / 2**20, "uss": m.uss / 2**20, "pss": m.pss / 2**20})
        except psutil.Error:
            continue
    return out


def fork_server_pss(proc: subprocess.Popen) -> float:
    import psutil

    for child in psutil.Process(proc.pid).children():
        try:
            if "datenlabor.forkserver" in " ".join(child.cmdline()):
                return child.memory_full_info().pss / 2**20
        except psutil.Error:
            continue
    return 0.0


def wait_pool(proc: subprocess.Popen, expected: int, timeout: float = 300) -> None:
    """Wait until exactly ``expected`` kernels exist and are idle: the pool is full again.

    Sessions of earlier browser runs must be gone (the server runs with a short
    ``--weg-sekunden``), otherwise they would be counted as pool kernels.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = kernels(proc)
        if len(kids) == expected:
            busy = sum(c.cpu_percent(interval=None) for c in kids)
            time.sleep(1.0)
            busy = sum(c.cpu_percent(interval=None) for c in kids)
            if busy < 5:
                return
        time.sleep(1.0)


# Timestamps taken in the page (performance.now(), i.e. since navigation start), so the
# figure is what the participant sees and not the test driver's polling delay.
IN_PAGE_CLOCK = """
(() => {
  const CONTROLS = '.datenlabor-app select, .datenlabor-app [role=slider],'
    + ' .datenlabor-app input[type=checkbox]';
  const t = (window.__dlTimes = {});
  const busy = (app) =>
    (app.querySelector('.datenlabor-status')?.innerText || '').includes('Wird berechnet');
  const check = () => {
    const app = document.querySelector('.datenlabor-app');
    if (!app) return;
    if (t.visible === undefined) {
      const control = document.querySelector(CONTROLS);
      if (control && control.getBoundingClientRect().height > 0 && !busy(app)) {
        t.visible = performance.now();
      }
    }
    if (t.change !== undefined && t.answer === undefined
        && app.innerHTML !== t.before && !busy(app)) {
      t.answer = performance.now();
    }
  };
  // DOM changes are caught at once; layout changes (an ancestor becoming visible) per frame.
  new MutationObserver(check).observe(document, { subtree: true, childList: true,
                                                  attributes: true, characterData: true });
  const frame = () => { check(); if (t.answer === undefined) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const mark = () => {
    const app = document.querySelector('.datenlabor-app');
    if (app && t.visible !== undefined && t.change === undefined) {
      t.before = app.innerHTML;
      t.change = performance.now();
    }
  };
  for (const type of ['keydown', 'mousedown', 'input', 'change']) {
    document.addEventListener(type, mark, true);
  }
})();
"""


def browser_tti(url: str, runs: int, gallery: str | None = None) -> tuple[list[float], list[float]]:
    """Navigation start -> first control visible and answering a change, in Chromium.

    Returns (in-page times, wall-clock times of the test driver). The in-page
    time is: control visible (measured in the page, since navigation start)
    plus the time from the change event to the new output. The wall-clock
    time adds Playwright's reaction and polling delays. Each run uses a fresh
    browser profile. With ``gallery`` the participant first opens the start
    page (which prefetches the app's assets) and the clock starts when they
    follow the link to the app.
    """
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    in_page, wall = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            ctx = browser.new_context(viewport={"width": 1200, "height": 900})
            page = ctx.new_page()
            page.set_default_timeout(120_000)
            if gallery:
                page.goto(gallery)
                page.wait_for_load_state("networkidle")
            page.add_init_script(IN_PAGE_CLOCK)
            try:
                in_page_s, wall_s = _one_browser_run(page, url)
            except Exception as exc:  # noqa: BLE001 - one failed run does not end the series
                print(f"   browser run failed: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
                in_page_s = wall_s = float("inf")
            in_page.append(in_page_s)
            wall.append(wall_s)
            ctx.close()
        browser.close()
    return in_page, wall


def _one_browser_run(page: Any, url: str) -> tuple[float, float]:
    """Open ``url``, change the app's first control; (in-page, wall-clock) seconds."""
    t0 = time.monotonic()
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => window.__dlTimes && window.__dlTimes.visible")
    select = page.locator(".datenlabor-app select")
    slider = page.locator(".datenlabor-app [role=slider]")
    checkbox = page.locator(".datenlabor-app input[type=checkbox]")
    if select.count():
        control = select.first
        options = control.locator("option").all_inner_texts()
        current = control.evaluate("e => e.options[e.selectedIndex]?.text")
        control.select_option(label=[o for o in options if o != current][0])
    elif slider.count():
        handle = slider.first
        handle.focus()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    else:
        checkbox.first.click()
    page.wait_for_function("() => window.__dlTimes.answer")
    wall = time.monotonic() - t0
    t = page.evaluate("() => window.__dlTimes")
    return (t["visible"] + t["answer"] - t["change"]) / 1000, wall


def _browser_runs(
    url: str, runs: int, gallery: str | None = None
) -> tuple[list[float], list[float]]:
    """browser_tti, but a failing browser is reported and the crowd still runs."""
    try:
        return browser_tti(url, runs, gallery)
    except Exception as exc:  # noqa: BLE001
        print(f"   browser run failed: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
        return [float("inf")], [float("inf")]


# --- phone profile ---------------------------------------------------------------

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "cpu_slowdown": 4,
    "down_bps": 9_000_000,
    "up_bps": 1_500_000,
    "latency_ms": 40,
}
"""A mid-range phone on mobile data, applied through the Chrome DevTools Protocol."""

# In the page: the first control that is rendered and can be seen. A candidate (in the
# DOM, non-zero box, not hidden) is scrolled into view with the page's own scrolling
# (scrollIntoView: the document, or a nested scroll box as in stock Voilà); it counts once
# it is then inside the viewport and not covered (e.g. by a loading screen).
PHONE_CLOCK = """
(() => {
  const CONTROLS = '.jupyter-widgets select, .jupyter-widgets [role=slider],'
    + ' .jupyter-widgets input[type=checkbox], .jupyter-widgets input[type=text]';
  const t = (window.__dlPhone = {});
  const check = () => {
    if (t.visible !== undefined) return;
    for (const c of document.querySelectorAll(CONTROLS)) {
      let r = c.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      if (c.checkVisibility && !c.checkVisibility({visibilityProperty: true})) continue;
      t.firstTop = t.firstTop ?? r.top + window.scrollY;
      c.scrollIntoView({block: 'center'});
      r = c.getBoundingClientRect();
      const x = r.left + Math.min(r.width / 2, 10), y = r.top + r.height / 2;
      if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && (hit === c || c.contains(hit) || hit.contains(c) || hit.closest('.jupyter-widgets') === c.closest('.jupyter-widgets'))) {
        t.visible = performance.now();
        t.scrollY = window.scrollY;
        return;
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
  const frame = () => { check(); if (t.visible === undefined) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();
"""


def phone_runs(url: str, runs: int) -> list[dict[str, float]]:
    """Cold page views under :data:`PHONE`: seconds to the first visible control, bytes.

    Fresh browser profile (new context) per run; bytes are the encoded (on the
    wire) lengths of all HTTP responses until the control is visible and, in
    ``bytes_total``, until the network is idle (websocket frames not counted).
    """
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            ctx = browser.new_context(
                viewport=PHONE["viewport"], is_mobile=True, has_touch=True, locale="de-DE"
            )
            page = ctx.new_page()
            page.set_default_timeout(180_000)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": PHONE["latency_ms"],
                    "downloadThroughput": PHONE["down_bps"] / 8,
                    "uploadThroughput": PHONE["up_bps"] / 8,
                },
            )
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": PHONE["cpu_slowdown"]})
            received = {"bytes": 0, "requests": 0, "js": 0}
            types: dict[str, str] = {}

            def on_response(ev: dict, types: dict = types) -> None:
                types[ev["requestId"]] = ev.get("type", "")

            def on_finished(ev: dict, received: dict = received, types: dict = types) -> None:
                received["bytes"] += ev.get("encodedDataLength", 0)
                received["requests"] += 1
                if types.get(ev["requestId"]) == "Script":
                    received["js"] += ev.get("encodedDataLength", 0)

            cdp.on("Network.responseReceived", on_response)
            cdp.on("Network.loadingFinished", on_finished)
            page.add_init_script(PHONE_CLOCK)
            try:
                page.goto(url, wait_until="commit")
                page.wait_for_function("() => window.__dlPhone && window.__dlPhone.visible")
                at_visible = dict(received)
                t = page.evaluate("() => window.__dlPhone")
                page.wait_for_load_state("networkidle")
                out.append(
                    {
                        "visible_s": t["visible"] / 1000,
                        "document_scroll": t.get("scrollY", 0) > 0,
                        "bytes_visible": at_visible["bytes"],
                        "bytes_total": received["bytes"],
                        "js_total": received["js"],
                        "requests": received["requests"],
                    }
                )
            except Exception as exc:  # noqa: BLE001 - one failed run does not end the series
                print(f"   phone run failed: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
            ctx.close()
        browser.close()
    return out


def phone_main(args: argparse.Namespace, lab: Any, servers: list[tuple]) -> int:
    """Only the phone profile, for each server: a table for the README."""
    rows = {}
    logdir = Path("/tmp") / f"bench-phone-{os.getpid()}"
    logdir.mkdir(exist_ok=True)
    env = {**os.environ}
    for name, cmd, base, path, expected_pool in servers:
        print(f"\n== {name}: {' '.join(cmd)}", flush=True)
        proc = start(cmd, env, logdir / (name.split()[0] + ".log"))
        try:
            wait_http(base, proc)
            if expected_pool:
                wait_pool(proc, expected_pool)
            runs = phone_runs(base + path, args.browser_runs)
            for r in runs:
                print(
                    f"   {r['visible_s']:.2f} s bis sichtbar (Dokument gescrollt: {r['document_scroll']}), "
                    f"{r['bytes_total'] / 1e6:.2f} MB in {r['requests']} Anfragen "
                    f"(JavaScript {r['js_total'] / 1e6:.2f} MB)",
                    flush=True,
                )
            rows[name] = runs
        finally:
            stop(proc)
    p = PHONE
    print(
        f"\nLab: {lab.slug}; Handy-Profil: CPU {p['cpu_slowdown']}× langsamer, "
        f"{p['down_bps'] / 1e6:g} Mbit/s down, {p['up_bps'] / 1e6:g} Mbit/s up, "
        f"{p['latency_ms']} ms, {p['viewport']['width']}×{p['viewport']['height']}, "
        f"leeres Profil je Lauf; Median aus {args.browser_runs} Läufen"
    )
    print(f"Command: .venv/bin/python scripts/bench_server.py {' '.join(sys.argv[1:])}\n")
    names = [n for n in rows if rows[n]]
    print("| Messgröße | " + " | ".join(names) + (" | Faktor |" if len(names) == 2 else " |"))
    print("|" + "---|" * (len(names) + 1 + (len(names) == 2)))

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[name])

    for label, key, unit in [
        ("Zeit bis zum ersten sichtbaren Bedienelement", "visible_s", "s"),
        ("Übertragen bis dahin", "bytes_visible", "MB"),
        ("Übertragen insgesamt (kalte Seite)", "bytes_total", "MB"),
        ("davon JavaScript", "js_total", "MB"),
        ("Anfragen", "requests", ""),
    ]:
        values = [med(n, key) for n in names]
        shown = [
            f"{v:.2f} s" if unit == "s" else f"{v / 1e6:.2f} MB" if unit == "MB" else f"{v:.0f}"
            for v in values
        ]
        factor = f" | {values[0] / values[1]:.1f}×" if len(values) == 2 and values[1] else ""
        print(f"| {label} | " + " | ".join(shown) + factor + " |")
    return 0


# --- flood: anonymous page requests from one address, then a visitor from another ------


def tree_pss(proc: subprocess.Popen) -> float:
    """PSS of the server and all its descendants in MB (shared pages counted once)."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(proc.pid)
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for member in family:
        try:
            total += member.memory_full_info().pss
        except psutil.Error:
            continue
    return total / 2**20


def flood(
    url: str, proc: subprocess.Popen, count: int, parallel: int, cap_mb: float
) -> dict[str, Any]:
    """``count`` GETs (no websocket), ``parallel`` at a time, from 127.0.0.1.

    Self-stopping: if the server tree's PSS passes ``cap_mb``, the flood is
    abandoned (remaining requests are not sent) and ``aborted`` is set.
    """
    import threading
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    stop_flag = threading.Event()
    peak = [0.0]

    def hit(_: int) -> int | str:
        if stop_flag.is_set():
            return "nicht gesendet"
        try:
            with urllib.request.urlopen(url, timeout=120) as resp:
                resp.read()
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError as exc:
            return type(exc).__name__

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as ex:
        futures = [ex.submit(hit, i) for i in range(count)]
        while not all(f.done() for f in futures):
            pss = tree_pss(proc)
            peak[0] = max(peak[0], pss)
            if pss > cap_mb:
                stop_flag.set()
            time.sleep(0.5)
        statuses = [f.result() for f in futures]
    counts: dict[str, int] = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return {
        "seconds": time.monotonic() - t0,
        "statuses": counts,
        "peak_pss": max(peak[0], tree_pss(proc)),
        "aborted": stop_flag.is_set(),
    }


def flood_main(args: argparse.Namespace, servers: list[tuple]) -> int:
    """The flood scenario for each server; prints a Markdown table."""
    logdir = Path("/tmp") / f"bench-flood-{os.getpid()}"
    logdir.mkdir(exist_ok=True)
    env = {**os.environ}
    rows = {}
    for name, cmd, base, path, expected_pool in servers:
        print(f"\n== {name}: {' '.join(cmd)}", flush=True)
        proc = start(cmd, env, logdir / (name.split()[0] + ".log"))
        try:
            wait_http(base, proc)
            if expected_pool:
                wait_pool(proc, expected_pool)
            before = tree_pss(proc)
            row = flood(base + path, proc, args.flut, 32, args.speicher_mb)
            row["before_pss"] = before
            print(f"   flood: {row}", flush=True)
            visitor = asyncio.run(join(base, path, 0.0, 120.0, source_ip="127.0.0.2"))
            row["visitor"] = visitor
            row["after_pss"] = tree_pss(proc)
            print(f"   visitor from 127.0.0.2: {visitor}", flush=True)
            rows[name] = row
        finally:
            stop(proc)
    print(f"\n{os.cpu_count()} CPU cores")
    print(f"Command: .venv/bin/python scripts/bench_server.py {' '.join(sys.argv[1:])}\n")
    names = list(rows)
    print("| Messgröße | " + " | ".join(names) + " |")
    print("|" + "---|" * (len(names) + 1))

    def cells(fn) -> str:  # noqa: ANN001
        return " | ".join(fn(rows[n]) for n in names)

    def answer(r: dict) -> str:
        v = r["visitor"]
        if v.get("ok"):
            return f"{v['answer_s']:.2f} s (Seite {v['page_s']:.2f} s)"
        return f"keine App (HTTP {v.get('status', '–')}, {v.get('error', '')[:40]})"

    def duration(r: dict) -> str:
        return f"{r['seconds']:.0f} s"

    def answers(r: dict) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))

    def aborted(r: dict) -> str:
        return "ja" if r["aborted"] else "nein"

    def pss(r: dict) -> str:
        return f"{r['before_pss']:.0f} / {r['peak_pss']:.0f} / {r['after_pss']:.0f} MB"

    print(f"| {args.flut} GETs ohne Websocket (32 parallel): Dauer | {cells(duration)} |")
    print(f"| – Antworten (HTTP-Status: Anzahl) | {cells(answers)} |")
    print(f"| – Flut abgebrochen, weil PSS > {args.speicher_mb:.0f} MB | {cells(aborted)} |")
    print(f"| PSS des Prozessbaums: vorher / Spitze / danach | {cells(pss)} |")
    print(f"| Besuch von 127.0.0.2 danach: erste Antwort | {cells(answer)} |")
    return 0


def make_certificate(folder: Path) -> Path:
    """A throw-away self-signed certificate for 127.0.0.1 (HAProxy wants key and cert in one PEM)."""
    key, cert, pem = folder / "key.pem", folder / "cert.pem", folder / "datenlabor.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    return pem


def wait_health(url: str, timeout: float = 300) -> None:
    """Until ``url`` (a /datenlabor/health route, also https with a self-signed cert) says 200."""
    import ssl
    import urllib.request

    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10, context=unverified) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1.0)
    raise TimeoutError(url)


def serve_cmd(port: int, lab_slug: str, pool: int, args: argparse.Namespace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "datenlabor.cli",
        "serve",
        "--port",
        str(port),
        "--fokus",
        lab_slug,
        "--pool-fokus",
        str(pool),
        "--pool",
        "0",
        "--weg-sekunden",
        "5",
        "--max-sitzungen",
        str(max(60, args.clients * 2)),
        "--vertrauenswuerdige-proxys",
        "127.0.0.1",
    ]


def balancer_main(args: argparse.Namespace, lab: Any, path: str, stock: tuple | None) -> int:
    """30 joining: stock Voilà, one ``datenlabor serve`` directly, two behind HAProxy.

    The balancer uses deploy/haproxy/haproxy.cfg unchanged (TLS with a throw-away
    certificate, cookie affinity, health checks). Each replica preheats half the
    visitors plus four; the single server preheats all of them plus two.
    """
    import shutil

    if shutil.which("haproxy") is None:
        print("haproxy fehlt (Debian-Paket haproxy)", file=sys.stderr)
        return 2
    logdir = Path("/tmp") / f"bench-balancer-{os.getpid()}"
    logdir.mkdir(exist_ok=True)
    env = {**os.environ}
    rows: dict[str, dict[str, Any]] = {}

    def measure(name: str, base: str, page: str = path) -> None:
        results = asyncio.run(crowd(base, page, args.clients, args.window))
        rows[name] = {
            "page": summarize([r for r in results if "page_s" in r], "page_s"),
            "controls": summarize(results, "controls_s"),
            "answer": summarize(results, "answer_s"),
        }
        print(f"   {args.clients} joining within {args.window:.0f} s: {rows[name]}", flush=True)

    if stock is not None:
        name, cmd, base, stock_path, _ = stock
        print(f"\n== {name}: {' '.join(cmd)}", flush=True)
        proc = start(cmd, env, logdir / "voila.log")
        try:
            wait_http(base, proc)
            measure(name, base, stock_path)
        finally:
            stop(proc)

    single_pool = args.clients + 2
    port = free_port()
    cmd = serve_cmd(port, lab.slug, single_pool, args)
    print(f"\n== ein Server direkt: {' '.join(cmd)}", flush=True)
    proc = start(cmd, env, logdir / "single.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc)
        wait_health(f"http://127.0.0.1:{port}/datenlabor/health")
        wait_pool(proc, single_pool)
        measure("datenlabor serve, ein Server direkt", f"http://127.0.0.1:{port}/")
    finally:
        stop(proc)

    replica_pool = -(-args.clients // 2) + 4
    procs: list[subprocess.Popen] = []
    haproxy = None
    try:
        addresses = []
        for i in (1, 2):
            port = free_port()
            cmd = serve_cmd(port, lab.slug, replica_pool, args)
            print(f"\n== Replikat {i}: {' '.join(cmd)}", flush=True)
            procs.append(start(cmd, env, logdir / f"app{i}.log"))
            addresses.append(f"127.0.0.1:{port}")
        for proc, address in zip(procs, addresses, strict=True):
            wait_http(f"http://{address}/", proc)
            wait_health(f"http://{address}/datenlabor/health")
            wait_pool(proc, replica_pool)
        port = free_port()
        haproxy_env = {
            **env,
            "DATENLABOR_TLS_PEM": str(make_certificate(logdir)),
            "DATENLABOR_BIND": f"127.0.0.1:{port}",
            "DATENLABOR_HTTP_BIND": f"127.0.0.1:{free_port()}",
            "DATENLABOR_APP1": addresses[0],
            "DATENLABOR_APP2": addresses[1],
        }
        cfg = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
        print(f"\n== HAProxy ({cfg.relative_to(ROOT)}) vor beiden Replikaten", flush=True)
        haproxy = start(["haproxy", "-db", "-f", str(cfg)], haproxy_env, logdir / "haproxy.log")
        base = f"https://127.0.0.1:{port}/"
        wait_health(base + "datenlabor/health")
        measure("2 × datenlabor serve hinter HAProxy (TLS)", base)
        for proc, address in zip(procs, addresses, strict=True):
            print(f"   {address}: {len(kernels(proc))} Kernel danach", flush=True)
    finally:
        if haproxy is not None:
            stop(haproxy)
        for proc in procs:
            stop(proc)

    print(f"\nLab: {lab.slug}, {os.cpu_count()} CPU cores, load average {os.getloadavg()}")
    print(f"Command: .venv/bin/python scripts/bench_server.py {' '.join(sys.argv[1:])}\n")
    names = list(rows)
    print("| " + f"{args.clients} Personen in {args.window:.0f} s | " + " | ".join(names) + " |")
    print("|" + "---|" * (len(names) + 1))

    def cell(r: dict, stat: str) -> str:
        v = r.get(stat)
        return "–" if v is None or v == float("inf") else f"{v:.2f} s".replace(".", ",")

    for key, label in (
        ("page", "Seite ausgeliefert"),
        ("controls", "Bedienelemente geladen"),
        ("answer", "erste Antwort"),
    ):
        for stat, name in (("median", "p50"), ("p95", "p95")):
            print(
                f"| {label}, {name} | " + " | ".join(cell(rows[n][key], stat) for n in names) + " |"
            )
    print(
        "| fehlgeschlagen | " + " | ".join(str(rows[n]["answer"]["failed"]) for n in names) + " |"
    )
    return 0


def summarize(results: list[dict], key: str = "answer_s") -> dict[str, Any]:
    ok = sorted(r[key] for r in results if r.get("ok"))
    fails = [r for r in results if not r.get("ok")]
    if not ok:
        return {
            "ok": 0,
            "failed": len(fails),
            "errors": [f.get("error") or f.get("status") for f in fails][:3],
        }
    p95 = (
        ok[min(len(ok) - 1, int(round(0.95 * len(ok) + 0.499)) - 1)]
        if len(fails) == 0
        else float("inf")
    )
    return {
        "ok": len(ok),
        "failed": len(fails),
        "median": statistics.median(ok),
        "p95": p95,
        "max": ok[-1] if not fails else float("inf"),
        "errors": [f.get("error") or f.get("status") for f in fails][:3],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="daten-erkunden")
    parser.add_argument("--labs", default=None, help="labs folder (default: labs/)")
    parser.add_argument("--datasets", default=None, help="datasets folder (default: datasets/)")
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument(
        "--window", type=float, default=10.0, help="seconds over which the clients join"
    )
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument(
        "--pool", type=int, default=None, help="pool size of the lab (default: clients + 2)"
    )
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument(
        "--telefon",
        action="store_true",
        help="only the phone profile (CPU 4× slower, 9/1.5 Mbit/s, 40 ms, 360×740)",
    )
    parser.add_argument(
        "--flut",
        type=int,
        default=0,
        help="flood scenario: this many GETs without websocket from 127.0.0.1, then a visitor "
        "from 127.0.0.2 (e.g. 200)",
    )
    parser.add_argument(
        "--speicher-mb",
        type=float,
        default=3000.0,
        help="flood: stop sending when the server tree's PSS passes this many MB",
    )
    parser.add_argument(
        "--lastverteiler",
        action="store_true",
        help="30 joining: stock Voilà, one datenlabor serve directly, two behind HAProxy "
        "(deploy/haproxy/haproxy.cfg, TLS with a throw-away certificate)",
    )
    parser.add_argument(
        "--server-speicher-mb",
        type=float,
        default=None,
        help="datenlabor serve --max-speicher-mb (memory cap of the server tree)",
    )
    args = parser.parse_args(argv)

    env = {**os.environ}
    if args.labs:
        env["DATENLABOR_LABS"] = str(Path(args.labs).resolve())
    if args.datasets:
        env["DATENLABOR_DATASETS"] = str(Path(args.datasets).resolve())
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    from datenlabor.catalog import get_lab
    from datenlabor.paths import labs_dir
    from datenlabor.server.handlers import app_path

    lab = get_lab(args.lab)
    pool = args.pool if args.pool is not None else args.clients + 2
    logdir = Path("/tmp") / f"bench-server-{os.getpid()}"
    logdir.mkdir(exist_ok=True)
    rows: dict[str, dict[str, Any]] = {}

    servers = []
    if not args.skip_stock:
        port = free_port()
        servers.append(
            (
                "Voilà (Standard)",
                [
                    str(VENV_BIN / "voila"),
                    str(lab.notebook),
                    f"--port={port}",
                    "--no-browser",
                    "--Voila.ip=127.0.0.1",
                ],
                f"http://127.0.0.1:{port}/",
                "",
                0,
            )
        )
    port = free_port()
    servers.append(
        (
            "datenlabor serve",
            [
                sys.executable,
                "-m",
                "datenlabor.cli",
                "serve",
                "--port",
                str(port),
                "--fokus",
                lab.slug,
                "--pool-fokus",
                str(pool),
                "--pool",
                "0",
                "--weg-sekunden",
                "5",
                "--max-sitzungen",
                str(max(60, args.clients * 2)),
                *(
                    ["--max-speicher-mb", str(args.server_speicher_mb)]
                    if args.server_speicher_mb
                    else []
                ),
            ],
            f"http://127.0.0.1:{port}/",
            app_path(lab),
            pool,
        )
    )

    if args.lastverteiler:
        return balancer_main(args, lab, app_path(lab), None if args.skip_stock else servers[0])
    if args.telefon:
        return phone_main(args, lab, servers)
    if args.flut:
        return flood_main(args, servers)
    for name, cmd, base, path, expected_pool in servers:
        print(f"\n== {name}: {' '.join(cmd)}", flush=True)
        proc = start(cmd, env, logdir / (name.split()[0] + ".log"))
        try:
            wait_http(base, proc)
            row: dict[str, Any] = {}
            if expected_pool:
                wait_pool(proc, expected_pool)
                mem = kernel_memory(proc)
                row["mem"] = (
                    {k: statistics.median(m[k] for m in mem) for k in ("rss", "uss", "pss")}
                    if mem
                    else {}
                )
                if mem:
                    # What the machine really spends: all kernels plus the fork server, shared
                    # pages counted once (sum of PSS), divided by the number of kernels.
                    row["mem"]["share"] = (
                        sum(m["pss"] for m in mem) + fork_server_pss(proc)
                    ) / len(mem)
                print(
                    f"   {len(mem)} idle kernels, median per kernel: "
                    + ", ".join(f"{k.upper()} {v:.0f} MB" for k, v in row["mem"].items()),
                    flush=True,
                )
            row["tti"], row["tti_wall"] = _browser_runs(base + path, args.browser_runs)
            print(
                f"   browser, direct link, cold cache: {[round(t, 2) for t in row['tti']]} s"
                f" (driver wall clock {[round(t, 2) for t in row['tti_wall']]} s)",
                flush=True,
            )
            if expected_pool:
                row["tti_gallery"], _ = _browser_runs(base + path, args.browser_runs, base)
                print(
                    f"   browser, via gallery: {[round(t, 2) for t in row['tti_gallery']]} s",
                    flush=True,
                )
            if expected_pool:
                wait_pool(proc, expected_pool)
            results = asyncio.run(crowd(base, path, args.clients, args.window))
            row["crowd"] = summarize(results)
            print(
                f"   {args.clients} joining within {args.window:.0f} s: {row['crowd']}", flush=True
            )
            rows[name] = row
        finally:
            stop(proc)

    print(f"\nLab: {lab.slug} ({labs_dir()}), {os.cpu_count()} CPU cores")
    print(f"Command: .venv/bin/python scripts/bench_server.py {' '.join(argv or sys.argv[1:])}\n")
    names = list(rows)
    header = "| Messgröße | " + " | ".join(names) + (" | Faktor |" if len(names) == 2 else " |")
    print(header)
    print("|" + "---|" * (len(names) + 1 + (len(names) == 2)))

    def fmt(v: float) -> str:
        return "–" if v is None or v == float("inf") else f"{v:.2f} s"

    def line(label: str, values: list[float | None]) -> None:
        ratio = ""
        if len(values) == 2 and values[0] and values[1] and values[1] not in (0, float("inf")):
            ratio = f" | {values[0] / values[1]:.1f}×" if values[0] != float("inf") else " | –"
        elif len(values) == 2:
            ratio = " | –"
        print(
            f"| {label} | " + " | ".join(fmt(v) for v in values) + ratio + (" |" if ratio else " |")
        )

    line(
        "1 Person, Browser, Direktlink (leerer Cache): bis bedienbar, Median",
        [statistics.median(rows[n]["tti"]) for n in names],
    )
    line(
        "– dieselben Läufe, Uhr des Testtreibers (mit Playwright-Verzögerung)",
        [statistics.median(rows[n]["tti_wall"]) for n in names],
    )
    if "tti_gallery" in rows.get("datenlabor serve", {}):
        stock = "– | " if len(names) == 2 else ""
        print(
            f"| 1 Person, Browser, über die Startseite: bis bedienbar, Median | {stock}"
            f"{statistics.median(rows['datenlabor serve']['tti_gallery']):.2f} s |"
            + (" |" if len(names) == 2 else "")
        )
    line(
        f"{args.clients} Personen in {args.window:.0f} s: erste Antwort, Median",
        [rows[n]["crowd"].get("median") for n in names],
    )
    line(
        f"{args.clients} Personen in {args.window:.0f} s: erste Antwort, p95",
        [rows[n]["crowd"].get("p95") for n in names],
    )
    print(
        "| fehlgeschlagen | "
        + " | ".join(str(rows[n]["crowd"].get("failed")) for n in names)
        + (" | |" if len(names) == 2 else " |")
    )
    mem = rows.get("datenlabor serve", {}).get("mem")
    if mem:
        print(
            f"\nSpeicher je wartender Sitzung (datenlabor, Median): RSS {mem['rss']:.0f} MB, "
            f"USS {mem['uss']:.0f} MB, PSS {mem['pss']:.0f} MB; "
            f"Summe PSS aller Kernel und des Vorstart-Prozesses je Kernel: {mem['share']:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
