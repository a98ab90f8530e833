"""Two `datenlabor serve` replicas behind HAProxy (deploy/haproxy/haproxy.cfg), TLS on loopback.

One shared cluster for all tests of this module: two fixture-lab servers with
small pools, HAProxy with a self-signed certificate made at test time.
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


def test_widget_change_through_the_balancer_and_failover(cluster):
    async def scenario():
        client, text = await visit(cluster.base)
        assert "mittel" in text
        held_by = client.cookies.get("DATENLABOR_SERVER")
        assert held_by in ("app1", "app2"), client.cookies
        # the replica that holds the kernel goes away: the visitor's connection ends
        stop_server(cluster.replicas[held_by][0])
        with pytest.raises((ConnectionError, asyncio.TimeoutError, OSError)):
            for _ in range(100):
                await client.recv(30)
        await client.close()
        # a reload (same cookies) lands on the other replica and works
        again, text = await visit(cluster.base, cookies=client.cookies)
        assert "mittel" in text
        assert again.cookies.get("DATENLABOR_SERVER") not in (None, held_by)
        await again.close()

    run_async(scenario())
