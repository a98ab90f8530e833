"""`datenlabor lab`: JupyterLab for staff, on localhost, only with the token, with Voilà preview."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.conftest import free_port, wait_for_http


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
        out = (tmp_path / "lab.log").read_text(errors="replace")
        assert f"http://127.0.0.1:{port}/lab?token={token}" in out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
