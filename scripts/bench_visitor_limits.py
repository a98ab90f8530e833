"""Benchmark: how fast the app server turns away crafted visitor messages (not a test).

Starts ``datenlabor serve`` with one lab (default daten-erkunden, which has a
SelectMultiple), joins as a protocol-level visitor (``bench_server.AppClient``)
and measures:

* the SelectMultiple update with 12 000 repeated indices (tryout finding 30:
  139.9 s until the kernel answered again, RSS 250 -> 620 MB, before the guard):
  time until the kernel answers ``kernel_info_request`` again, kernel RSS before/after;
* a message one byte above the size limit: time until the server closes the websocket;
* connections to one kernel: how many are accepted, what the next one gets.

Usage::

    .venv/bin/python scripts/bench_visitor_limits.py [--lab daten-erkunden]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_server", ROOT / "scripts" / "bench_server.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


async def measure(base: str, path: str, proc) -> list[tuple[str, str]]:  # noqa: ANN001
    import psutil
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError, websocket_connect

    from datenlabor.server.voila_compat import MAX_VISITOR_MESSAGE_BYTES

    rows = []
    client = bench.AppClient(base, path, timeout=120)
    assert await client.fetch_page() == 200
    await client.connect()
    states = await client.widget_state()
    several = next(c for c, s in states.items() if s.get("_model_name") == "SelectMultipleModel")
    kernel = next(k for k in bench.kernels(proc) if client.kernel_id in " ".join(k.cmdline()))
    rss_before = kernel.memory_info().rss / 2**20
    started = time.monotonic()
    await client.update(several, {"index": list(range(12)) * 1000})
    mid = await client.send("kernel_info_request", {})
    await client.wait_for(lambda m: m.get("parent_header", {}).get("msg_id") == mid, timeout=600)
    took = time.monotonic() - started
    rss_after = psutil.Process(kernel.pid).memory_info().rss / 2**20
    rows.append(
        ("SelectMultiple, 12 000 Indizes: Kernel antwortet wieder nach", f"{took * 1000:.0f} ms")
    )
    rows.append(("  RSS des Kernels vorher / nachher", f"{rss_before:.0f} / {rss_after:.0f} MB"))

    ws_base = "ws" + client.base[len("http") :]

    async def another():
        url = f"{ws_base}api/kernels/{client.kernel_id}/channels?session_id={uuid.uuid4().hex}"
        return await websocket_connect(HTTPRequest(url, **client._request_options()))

    extra, refused = [], ""
    for _ in range(10):
        try:
            extra.append(await another())
        except HTTPClientError as exc:
            refused = str(exc.code)
            break
    rows.append(("Verbindungen zu einem Kernel angenommen", f"{len(extra) + 1} (dann {refused})"))
    big = extra.pop()
    started = time.monotonic()
    try:
        await big.write_message("x" * (MAX_VISITOR_MESSAGE_BYTES + 1))
    except (StreamClosedError, WebSocketClosedError):
        pass
    while await big.read_message() is not None:
        pass
    rows.append(
        (
            f"Nachricht mit {MAX_VISITOR_MESSAGE_BYTES + 1} Bytes: geschlossen nach",
            f"{(time.monotonic() - started) * 1000:.0f} ms",
        )
    )
    for ws in extra:
        ws.close()
    await client.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="daten-erkunden")
    args = parser.parse_args()
    port = bench.free_port()
    base = f"http://127.0.0.1:{port}/"
    log = Path(tempfile.mkdtemp(prefix="bench-limits-")) / "serve.log"
    cmd = [str(bench.VENV_BIN / "datenlabor"), "serve", "--port", str(port), "--pool", "0",
           "--fokus", args.lab, "--pool-fokus", "1"]  # fmt: skip
    proc = bench.start(cmd, dict(os.environ), log)
    try:
        bench.wait_http(base, proc, timeout=300)
        nb = next((ROOT / "labs" / args.lab).glob("*.ipynb")).name
        rows = asyncio.run(measure(base, f"voila/render/{args.lab}/{nb}", proc))
    finally:
        bench.stop(proc)
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"(Server-Log: {log})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
