"""App kernels forked from a pre-imported process: fast, sandboxed, independent."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from jupyter_client.manager import AsyncKernelManager

from datenlabor import forkserver
from datenlabor.server.kernelspecs import APP_KERNEL, AppKernelSpecManager
from tests.browser import run_async

pytestmark = pytest.mark.slow  # starts servers and kernels

ROOT = Path(__file__).resolve().parents[1]


def test_preload_list_has_the_base_and_what_the_labs_import(tmp_path):
    nb = tmp_path / "lab" / "lab.ipynb"
    nb.parent.mkdir()
    cells = [
        {"cell_type": "code", "source": "%matplotlib inline\nimport numpy as np\n", "metadata": {}},
        {"cell_type": "code", "source": "from sklearn.cluster import KMeans\nfrom . import x\n"},
        {"cell_type": "code", "source": "def broken(:\n"},
        {"cell_type": "markdown", "source": "import os"},
    ]
    nb.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert forkserver.notebook_imports(nb) == {"numpy", "sklearn.cluster"}
    modules = forkserver.modules_to_preload(tmp_path)
    assert modules[: len(forkserver.BASE_MODULES)] == list(forkserver.BASE_MODULES)
    assert "sklearn.cluster" in modules and "os" not in modules
    # the real labs: everything they import is preloaded
    assert {"sklearn.linear_model", "pandas", "holidays"} <= set(
        forkserver.modules_to_preload(ROOT / "labs")
    )


@pytest.fixture(scope="module")
def fork_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vorstart")
    path = str(folder / "vorstart.sock")
    spec = AppKernelSpecManager().get_kernel_spec(APP_KERNEL)
    env = {**os.environ, **spec.env}
    proc = forkserver.start_server(path, env, ROOT / "tests" / "fixtures" / "labs")
    deadline = time.monotonic() + 120
    while not os.path.exists(path):
        assert proc.poll() is None, "fork server ended"
        assert time.monotonic() < deadline, "fork server not ready after 120 s"
        time.sleep(0.1)
    yield proc, path, folder
    proc.terminate()
    proc.wait(10)


async def _kernel(folder: Path, name: str) -> tuple[AsyncKernelManager, object]:
    km = AsyncKernelManager(
        kernel_name=APP_KERNEL,
        kernel_spec_manager=AppKernelSpecManager(),
        transport="ipc",
        ip=str(folder / name),
    )
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


async def _run(kc, code: str) -> str:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = await kc.execute_interactive(code, timeout=60, output_hook=hook)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


PROBE = """
import json, os, random, resource, sys
print(json.dumps({
    "ppid": os.getppid(), "cwd": os.getcwd(), "pid": os.getpid(),
    "preloaded": "pandas" in sys.modules and "ipywidgets" in sys.modules,
    "as": resource.getrlimit(resource.RLIMIT_AS)[0],
    "random": random.random(),
    "socket_hidden": "DATENLABOR_FORKSERVER" not in os.environ,
}))
"""


def test_kernels_are_forked_sandboxed_and_independent(fork_server, monkeypatch):
    proc, path, folder = fork_server
    monkeypatch.setenv(forkserver.ENV_SOCKET, path)
    monkeypatch.setenv(forkserver.ENV_PID, str(proc.pid))

    async def scenario():
        a, ca = await _kernel(folder, "a")
        b, cb = await _kernel(folder, "b")
        try:
            assert isinstance(a.provisioner, forkserver.ForkProvisioner)
            infos = [json.loads(await _run(c, PROBE)) for c in (ca, cb)]
            # a crash in one kernel leaves the other one working
            pid_a = infos[0]["pid"]
            os.kill(pid_a, 9)
            assert json.loads(await _run(cb, PROBE))["pid"] == infos[1]["pid"]
            title = " ".join(psutil.Process(infos[1]["pid"]).cmdline())
            return infos, title
        finally:
            for km, kc in ((a, ca), (b, cb)):
                kc.stop_channels()
                await km.shutdown_kernel(now=True)

    infos, title = run_async(scenario())
    for info in infos:
        assert info["ppid"] == proc.pid  # forked by the fork server, not started by us
        assert info["preloaded"]  # nothing imported yet by the notebook, already there
        assert "datenlabor-app-" in info["cwd"] and not info["cwd"].startswith(str(ROOT))
        assert 0 < info["as"] <= 4 * 2**30
        assert info["socket_hidden"]
    assert infos[0]["random"] != infos[1]["random"]  # no shared random state
    assert "datenlabor.sandbox" in title and "-f" in title  # ps shows which kernel it is
    for info in infos:
        assert not psutil.pid_exists(info["pid"]) or (
            psutil.Process(info["pid"]).status() == psutil.STATUS_ZOMBIE
        )


def test_without_a_fork_server_the_kernel_starts_as_a_process(tmp_path, monkeypatch):
    dead = subprocess.Popen(["true"])
    dead.wait()
    monkeypatch.setenv(forkserver.ENV_SOCKET, str(tmp_path / "fehlt.sock"))
    monkeypatch.setenv(forkserver.ENV_PID, str(dead.pid))

    async def scenario():
        km, kc = await _kernel(tmp_path, "k")
        try:
            return json.loads(await _run(kc, PROBE))
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    info = run_async(scenario())
    assert info["ppid"] == os.getpid()
    assert "datenlabor-app-" in info["cwd"]


def test_fork_server_ends_with_its_parent(tmp_path):
    """No orphaned fork server (and so no orphaned kernels) after the app server died."""
    path = tmp_path / "vorstart.sock"
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from datenlabor import forkserver\n"
        f"p = forkserver.start_server({str(path)!r}, dict(os.environ), None)\n"
        "print(p.pid, flush=True)\n"
        f"while not Path({str(path)!r}).exists(): time.sleep(0.1)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run(
        [os.sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    pid = int(out.stdout.split()[0])
    deadline = time.monotonic() + 15
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "fork server survived its parent"
        time.sleep(0.2)
    assert not path.exists()
