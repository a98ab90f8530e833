"""Shared fixtures: paths, the fixture lab, a real app server and a real browser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from datenlabor.running import patch_kernel_polling
from tests.helpers import fixture_path, free_port, wait_for_http

patch_kernel_polling()  # every notebook a test executes polls in slices (nbclient#312)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture
def mini_lab(monkeypatch: pytest.MonkeyPatch):
    """The tiny fixture lab with its fixture dataset, isolated from the real labs."""
    from datenlabor.catalog import get_lab

    monkeypatch.setenv("DATENLABOR_LABS", str(fixture_path("labs")))
    monkeypatch.setenv("DATENLABOR_DATASETS", str(fixture_path("datasets")))
    from datenlabor import datasets

    datasets._descriptor.cache_clear()
    yield get_lab("mini")
    datasets._descriptor.cache_clear()


# --- xdist groups: what must run on one worker ---------------------------------------
#
# `python3 scripts/bootstrap.py test` runs pytest -n 2 --dist loadgroup: every test is its own
# work unit unless it carries an xdist_group. Groups keep together what shares something
# costly that lives in ONE process (a module-scoped server, a per-process cache of browser
# visits); they are kept small so the two workers stay balanced. The all-labs app server
# (`served`) is NOT a reason to group: one server serves both workers (see `served`).
# A new test needs nothing extra: it is grouped by the rules in `_xdist_group`; a module may
# still set its own group (pytestmark = pytest.mark.xdist_group("name")).


def _xdist_group(item: pytest.Item) -> str | None:
    names = set(getattr(item, "fixturenames", ()))
    module = item.nodeid.split("::")[0]
    if names & {"served", "app_url"}:
        # test_apps_layout-style tests share one visit per page: keep a page's tests together
        params = getattr(getattr(item, "callspec", None), "params", {})
        page = params.get("name") or params.get("slug")
        return f"app:{page}" if isinstance(page, str) and "visit" in names else None
    if "fixture_server" in names:
        return f"fixture-server:{module}"  # module-scoped: one server per module and worker
    defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for fixturedefs in defs.values():
        for fd in fixturedefs:
            own = str(getattr(fd, "baseid", "")) == module
            if own and getattr(fd, "scope", "function") in ("module", "class", "package"):
                return f"module:{module}"  # its module fixture is built once, not per worker
    return None


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    """Put tests that share a process-local fixture into one xdist group (see above).

    pytest-xdist 3.8 marks a group by appending ``@group`` to the node id, but pytest 9
    keeps node ids elsewhere (``Node._id``), so without the second half below every
    ``xdist_group`` would be ignored and each worker would start its own module servers.
    """
    for item in items:
        if {"served", "app_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if any(m.name == "xdist_group" for m in item.iter_markers()):
            continue  # the module chose its group itself (hub, balancer, dask)
        group = _xdist_group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    result = yield
    if getattr(config.option, "loadgroup", False):
        for item in items:
            names = sorted(
                {
                    str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                    for m in item.iter_markers("xdist_group")
                }
            )
            if names and "@" not in item.nodeid.rsplit("]", 1)[-1]:
                _set_nodeid(item, f"{item.nodeid}@{'_'.join(names)}")
    return result


def _set_nodeid(item: pytest.Item, nodeid: str) -> None:
    try:
        from _pytest.nodeid import NodeId  # pytest >= 9
    except ImportError:
        item._nodeid = nodeid
    else:
        item._id = NodeId.parse(nodeid)


def start_server(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """Start `datenlabor serve` on a free loopback port; returns (process, base URL)."""
    port = free_port()
    fh = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "datenlabor.cli", "serve", "--port", str(port), *args],
        stdout=fh,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(base, timeout=180.0, proc=proc)
    except Exception:
        stop_server(proc)
        raise RuntimeError(
            f"server did not start:\n{log.read_text(errors='replace')[-3000:]}"
        ) from None
    return proc, base


def stop_server(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all xdist workers of this run share (the run's base temporary folder)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


_STARTED: list[subprocess.Popen] = []  # shared servers this worker started (kept referenced)


def shared_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, args: list[str], env: dict | None = None
) -> str:
    """Base URL of ONE `datenlabor serve <args>` for the whole test run, shared by all workers.

    The first worker that asks starts it (under a file lock); the others reuse it. It is
    stopped when the run ends (``pytest_sessionfinish`` of the controlling process).
    Only for servers that tests use as visitors: a test that kills the server, floods it or
    reads its log needs its own server (``start_server``, e.g. ``fixture_server``).
    """
    import fcntl
    import json

    folder = shared_dir(tmp_path_factory) / "shared-servers"
    folder.mkdir(exist_ok=True)
    state = folder / f"{name}.json"
    with (folder / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if state.exists():
            known = json.loads(state.read_text())
            if _alive(known["pid"]):
                return known["base"]
        proc, base = start_server(args, folder / f"{name}.log", env)
        _STARTED.append(proc)
        state.write_text(json.dumps({"pid": proc.pid, "base": base}))
        return base


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controlling process stops the shared servers once every worker is done."""
    import json
    import signal

    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or getattr(factory, "_basetemp", None) is None:
        return
    for state in (factory.getbasetemp() / "shared-servers").glob("*.json"):
        pid = json.loads(state.read_text())["pid"]
        if _alive(pid):
            os.killpg(pid, signal.SIGTERM)
            for _ in range(150):
                if not _alive(pid):
                    break
                time.sleep(0.1)
            else:
                os.killpg(pid, signal.SIGKILL)
        state.unlink()


@pytest.fixture(scope="session", autouse=True)
def _share_lab_runs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """``tests.notebooks.execute_lab_once`` keeps its runs where every worker finds them."""
    from tests import notebooks

    notebooks.SHARED_RUNS = shared_dir(tmp_path_factory) / "lab-runs"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Base URL of a real `datenlabor serve` with all labs (127.0.0.1, free port).

    ONE server for the whole run, shared by both xdist workers (``shared_server``); use it
    (or ``app_url``) for every test that visits the real labs' apps, never start another
    all-labs server. Visit it like a person would; do not kill, flood or restart it.
    """
    return shared_server(tmp_path_factory, "served", [])


@pytest.fixture(scope="session")
def app_url(served: str) -> Callable[[str], str]:
    """``app_url(slug)``: URL of a lab's Voilà app on the test server."""
    from datenlabor.catalog import get_lab
    from datenlabor.server.handlers import app_path

    return lambda slug: served + app_path(get_lab(slug))


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium fehlt (/usr/bin/chromium); die Browser-Tests sind Pflicht in CI.")
        pytest.skip("Chromium fehlt: `python3 scripts/bootstrap.py test` installiert es.")
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default: too short for an app that recomputes on 2 busy cores
    expect.set_options(timeout=60_000)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own context (no shared cookies between tests)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="de-DE")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    # A Voilà page is delivered once its notebook has run; on 2 busy cores that can take a while.
    pg.set_default_navigation_timeout(180_000)
    yield pg
    context.close()


# --- app server fixtures (tests/test_server_*.py) --------------------------------

FIXTURE_SERVER_ARGS = [
    "--pool",
    "2",
    "--max-sitzungen",
    "4",
    "--verbindung-sekunden",
    "15",
    "--weg-sekunden",
    "3",
    "--pruefabstand-sekunden",
    "1",
]


def fixture_env() -> dict[str, str]:
    """Environment that points a server (and its kernels) at the fixture lab and dataset."""
    return {
        "DATENLABOR_LABS": str(fixture_path("labs")),
        "DATENLABOR_DATASETS": str(fixture_path("datasets")),
    }


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory: pytest.TempPathFactory):
    """`datenlabor serve` with only the fixture lab: pool of 2, at most 4 sessions, short timeouts.

    Yields an object with ``base`` (URL), ``proc`` (the server process), ``log``
    (its log file) and ``app`` (URL path of the mini lab's app).
    """
    from types import SimpleNamespace

    log = tmp_path_factory.mktemp("fixture-serve") / "serve.log"
    proc, base = start_server(FIXTURE_SERVER_ARGS, log, fixture_env())
    yield SimpleNamespace(
        base=base,
        proc=proc,
        log=log,
        app="voila/render/mini/mini.ipynb",
        url=base + "voila/render/mini/mini.ipynb",
    )
    stop_server(proc)
