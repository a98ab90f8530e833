"""Start app kernels by forking one process that has already imported the labs' libraries.

Why: a fresh kernel spends about 2 s of CPU and 150 MB of private memory on
importing ipykernel, pandas, matplotlib and scikit-learn. On a two-core
workshop laptop, 30 participants joining at once would wait a minute for
imports alone. A forked child of a process that has done the imports is a
ready interpreter after a few milliseconds, and the imported code and data
stay pages shared by all kernels (copy on write).

Two halves:

* the **fork server** (``python -m datenlabor.forkserver --socket PATH``)
  imports what the lab notebooks import, then answers requests on a Unix
  socket by forking. The child clears its environment to the one requested,
  applies the sandbox (:mod:`datenlabor.sandbox`: limits, throw-away folder)
  and becomes an ipykernel;
* :class:`ForkProvisioner`, a jupyter_client kernel provisioner (entry point
  ``datenlabor-fork``, used by the kernelspec ``datenlabor-app``), asks the fork
  server for a kernel instead of starting a process. Without a fork server
  (``DATENLABOR_FORKSERVER`` unset or not answering) it starts the kernel the
  usual way, so the kernelspec works everywhere.

The socket lives in a private folder (0700) of the app server; only the same
user can ask for a kernel, and the request carries no code, only the kernel's
command line and environment.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import atexit
import gc
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

ENV_SOCKET = "DATENLABOR_FORKSERVER"
ENV_PID = "DATENLABOR_FORKSERVER_PID"
# Imported by every app kernel, whatever the notebook imports.
BASE_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.comm",
    "IPython.display",
    "ipywidgets",
    "matplotlib_inline.backend_inline",
    "matplotlib.pyplot",
    "pandas",
    "numpy",
    "datenlabor",
    "datenlabor.app",
    "datenlabor.datasets",
    "datenlabor.plotting",
    "datenlabor.recording",
    "datenlabor.sandbox",
    "datenlabor.widgetguard",
    "setproctitle",
)


# --- which modules to preload ----------------------------------------------------


def notebook_imports(notebook: Path) -> set[str]:
    """Absolute module names a notebook's code cells import (``import a.b``, ``from a.b import c``)."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    found: set[str] = set()
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        # IPython magics and shell lines are not Python
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
    return found


def modules_to_preload(labs: Path | None) -> list[str]:
    """The base modules plus everything the lab notebooks in ``labs`` import."""
    wanted = dict.fromkeys(BASE_MODULES)
    if labs is not None and labs.is_dir():
        for notebook in sorted(labs.glob("*/*.ipynb")):
            wanted.update(dict.fromkeys(sorted(notebook_imports(notebook))))
    return list(wanted)


def preload(modules: list[str]) -> tuple[list[str], list[str]]:
    """Import ``modules`` and warm what they load lazily; returns (loaded, failed)."""
    loaded, failed = [], []
    for name in modules:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 - a missing optional module must not stop the server
            failed.append(name)
    _warm_up()
    return loaded, failed


def _warm_up() -> None:
    """First plot and first CSV read load fonts and lazy submodules: do it once, shared."""
    import io

    try:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, 1], [0, 1], label="ä")
        ax.set_title("Wärme")
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    except Exception:  # noqa: BLE001
        pass
    try:
        import pandas as pd

        pd.read_csv(io.StringIO("a;b\n1,5;x\n"), sep=";", decimal=",").describe()
    except Exception:  # noqa: BLE001
        pass


# --- the fork server ----------------------------------------------------------------


def _read_request(conn: socket.socket) -> dict[str, Any]:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > 4 * 1024 * 1024:
            raise ValueError("request too large")
    request = json.loads(data)
    if not isinstance(request.get("argv"), list) or not isinstance(request.get("env"), dict):
        raise ValueError("argv and env required")
    return request


def _reseed() -> None:
    """Children must not share the parent's random state."""
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _set_title(argv: list[str]) -> None:
    """``ps`` shows the kernel's own command line (with its connection file), not the server's."""
    try:
        import setproctitle

        setproctitle.setproctitle(" ".join(["datenlabor-app-kernel", *map(str, argv[1:])]))
    except Exception:  # noqa: BLE001 - cosmetic
        pass


def _become_kernel(argv: list[str]) -> None:
    """Run the kernel command line in this (forked) interpreter, or exec it if unknown."""
    module = argv[argv.index("-m") + 1] if "-m" in argv[:3] else ""
    rest = argv[argv.index("-m") + 2 :] if module else []
    # ipykernel ends itself when its parent (this fork server) goes away; the default
    # for this setting was read from the environment at import time, so pass it explicitly.
    rest = [*rest, f"--IPKernelApp.parent_handle={os.getppid()}"]
    if module == "datenlabor.sandbox":
        from . import sandbox

        sandbox.main(rest)
    elif module == "ipykernel_launcher":
        sys.argv = ["ipykernel_launcher", *rest]
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance()
    else:
        os.execvpe(argv[0], argv, os.environ)


def _child(request: dict[str, Any], *sockets: socket.socket) -> None:
    """The forked side: never returns into the server loop."""
    code = 1
    try:
        for s in sockets:
            s.close()
        os.setsid()
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        _set_title(request["argv"])  # before the environment changes (setproctitle needs it)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        os.chdir(request.get("cwd") or "/")
        _reseed()
        _become_kernel([str(a) for a in request["argv"]])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - whatever happens, the child must end here
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()  # e.g. the sandbox removes its scratch folder
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001
                    pass
            os._exit(code)


def serve(path: str, labs: Path | None, log=sys.stderr) -> None:  # noqa: ANN001
    """Preload, then fork one kernel per request until the parent process ends."""
    started = time.monotonic()
    loaded, failed = preload(modules_to_preload(labs))
    gc.collect()
    gc.freeze()  # keep the collector from writing to (and so copying) the shared pages
    if threading.active_count() > 1:
        print("Vorstart: Warnung – Threads vor dem Forken aktiv.", file=log, flush=True)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the OS reaps ended kernels
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = f"{path}.{os.getpid()}"
    listener.bind(tmp)
    os.chmod(tmp, 0o600)
    listener.listen(64)
    os.replace(tmp, path)  # appears only when ready
    print(
        f"Vorstart bereit: {len(loaded)} Module in {time.monotonic() - started:.1f} s geladen"
        + (f" (nicht verfügbar: {', '.join(failed)})" if failed else ""),
        file=log,
        flush=True,
    )
    listener.settimeout(1.0)
    try:
        while os.getppid() == parent:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    conn.settimeout(10)
                    request = _read_request(conn)
                except (OSError, ValueError) as exc:
                    _reply(conn, {"error": f"{type(exc).__name__}: {exc}"})
                    continue
                pid = os.fork()
                if pid == 0:
                    _child(request, listener, conn)
                _reply(conn, {"pid": pid})
    finally:
        listener.close()
        try:
            os.unlink(path)
        except OSError:
            pass


def _reply(conn: socket.socket, answer: dict[str, Any]) -> None:
    try:
        conn.sendall(json.dumps(answer).encode() + b"\n")
    except OSError:
        pass


def start_server(path: str, env: dict[str, str], labs: Path | None) -> subprocess.Popen:
    """Start the fork server as a child of the app server (it ends when the app server ends)."""
    cmd = [sys.executable, "-m", "datenlabor.forkserver", "--socket", path]
    if labs is not None:
        cmd += ["--labs", str(labs)]
    return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL)


# --- the client side: a kernel provisioner -------------------------------------------


class ForkedProcess:
    """Enough of ``subprocess.Popen`` for LocalProvisioner, for a kernel that is not our child.

    A pidfd refers to exactly this process, even after its PID was reused.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._signalled: int | None = None
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self._fd = None

    def poll(self) -> int | None:
        if self.returncode is None:
            if self._fd is not None:
                ended = bool(select.select([self._fd], [], [], 0)[0])
            else:
                try:
                    os.kill(self.pid, 0)
                    ended = False
                except ProcessLookupError:
                    ended = True
            if ended:
                # The exit status belongs to the fork server; report a signal we sent, if any.
                self.returncode = -self._signalled if self._signalled else 0
                if self._fd is not None:
                    os.close(self._fd)
                    self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout or 0)
            time.sleep(0.05)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is not None:
            return
        if signum in (signal.SIGTERM, signal.SIGKILL):
            self._signalled = signum
        if self._fd is not None:
            signal.pidfd_send_signal(self._fd, signum)
        else:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def request_fork(
    path: str, argv: list[str], env: dict[str, str], cwd: str, wait: float = 120.0
) -> int:
    """Ask the fork server for a kernel; waits while it is still importing (at most ``wait`` s)."""
    deadline = time.monotonic() + wait
    server_pid = int(os.environ.get(ENV_PID) or 0)
    while not os.path.exists(path):
        if time.monotonic() > deadline or (server_pid and not _alive(server_pid)):
            raise TimeoutError(f"{path} not ready")
        await asyncio.sleep(0.1)
    reader, writer = await asyncio.open_unix_connection(path)
    try:
        writer.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout=30)
    finally:
        writer.close()
    answer = json.loads(line or b"{}")
    if "pid" not in answer:
        raise OSError(answer.get("error", "no answer from fork server"))
    return int(answer["pid"])


class ForkProvisioner(LocalProvisioner):
    """Kernel provisioner ``datenlabor-fork``: a forked kernel if a fork server runs, else a process."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):  # noqa: ANN201
        path = os.environ.get(ENV_SOCKET, "")
        if not path:
            return await super().launch_kernel(cmd, **kwargs)
        env = {**(kwargs.get("env") or os.environ)}
        env.pop(ENV_SOCKET, None)  # kernels cannot ask for more kernels
        env.pop(ENV_PID, None)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = await request_fork(path, list(cmd), env, cwd)
        except (OSError, TimeoutError, ValueError) as exc:
            self.log.warning("Vorstart nicht erreichbar (%s); Kernel startet als Prozess.", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = pid
        self.pgid = pid  # the child called setsid()
        self.cwd = cwd
        return self.connection_info


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m datenlabor.forkserver")
    parser.add_argument("--socket", required=True, help="Pfad des Unix-Sockets")
    parser.add_argument("--labs", default=None, help="Lab-Ordner, dessen Importe vorgeladen werden")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(args.socket, Path(args.labs) if args.labs else None)


if __name__ == "__main__":
    main()
