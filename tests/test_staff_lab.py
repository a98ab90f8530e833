"""`datenlabor lab`: JupyterLab for staff, on localhost, only with the token, with Voilà preview."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import psutil
import pytest

from tests.browser import run_async
from tests.helpers import free_port, wait_for_http


@pytest.mark.slow
def test_lab_requires_token_and_serves_labs_with_preview(tmp_path):
    port = free_port()
    token = "geheim-" + os.urandom(6).hex()
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "datenlabor.cli", "lab", "--port", str(port)],
        env={**os.environ, "DATENLABOR_TOKEN": token, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/api/status?token={token}", timeout=90, proc=proc)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{base}/api/contents/")
        assert info.value.code == 403
        with urllib.request.urlopen(f"{base}/api/contents/?token={token}") as resp:
            names = {item["name"] for item in json.load(resp)["content"]}
        assert "daten-erkunden" in names
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}") as resp:
            assert "datenlabor" in json.load(resp)["kernelspecs"]
        with urllib.request.urlopen(f"{base}/lab/api/extensions?token={token}") as resp:
            assert any(
                "jupyterlab-preview" in ext["name"] and ext["enabled"] for ext in json.load(resp)
            )
        # other local users read command lines (ps), never the token
        assert not any(token in part for part in psutil.Process(proc.pid).cmdline())
        # German JupyterLab, no news from jupyter.org (no request to another host)
        url = f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin?token={token}"
        with urllib.request.urlopen(url) as resp:
            assert json.load(resp)["schema"]["properties"]["locale"]["default"] == "de_DE"
        url = f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}"
        with urllib.request.urlopen(url) as resp:
            assert json.load(resp)["schema"]["properties"]["fetchNews"]["default"] == "false"
        with urllib.request.urlopen(f"{base}/lab/api/translations/de_DE?token={token}") as resp:
            assert json.load(resp)["data"], "Sprachpaket de_DE fehlt"
        _kernel_starts_without_tcp_port(base, token, proc.pid)
        out = (tmp_path / "lab.log").read_text(errors="replace")
        assert f"http://127.0.0.1:{port}/lab?token={token}" in out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def _kernel_starts_without_tcp_port(base: str, token: str, server_pid: int) -> None:
    """A staff kernel answers, talking over Unix sockets: no port race, no port for others."""
    from tornado.websocket import websocket_connect

    request = urllib.request.Request(
        f"{base}/api/kernels?token={token}",
        data=json.dumps({"name": "datenlabor"}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as resp:
        kernel_id = json.load(resp)["id"]

    async def kernel_info() -> dict:
        url = f"{base.replace('http', 'ws')}/api/kernels/{kernel_id}/channels?token={token}"
        ws = await asyncio.wait_for(websocket_connect(url), 30)
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "kernel_info_request", "session": "t"}
        header |= {"username": "t", "version": "5.3", "date": ""}
        request = {"header": header, "parent_header": {}, "metadata": {}, "content": {}}
        await ws.write_message(json.dumps({**request, "channel": "shell"}))
        while True:
            reply = json.loads(await asyncio.wait_for(ws.read_message(), 60))
            if reply["parent_header"].get("msg_id") == msg_id and reply["channel"] == "shell":
                ws.close()
                return reply["content"]

    assert run_async(kernel_info())["status"] == "ok"
    (kernel,) = [
        p
        for p in psutil.Process(server_pid).children(recursive=True)
        if "ipykernel" in " ".join(p.cmdline())
    ]
    # shell, iopub, stdin, control and heartbeat; only the debugger keeps a TCP port,
    # which it binds itself (no race)
    channels = {c.laddr for c in kernel.net_connections(kind="unix") if "-ipc-" in c.laddr}
    assert len(channels) == 5
    assert len(kernel.net_connections(kind="tcp")) <= 1
