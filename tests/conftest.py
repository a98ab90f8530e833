"""Shared fixtures: paths, the fixture lab, a real app server and a real browser."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """All tests on the all-labs server share one xdist worker, so only one such server runs.

    Each server preheats a kernel per lab; two of them at once on 2 cores starve each other.
    """
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if {"served", "app_url"} & names:
            item.add_marker(pytest.mark.xdist_group("served"))
            item.add_marker(pytest.mark.browser)
        elif "fixture_server" in names:
            item.add_marker(pytest.mark.xdist_group("fixture-server"))


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


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real `datenlabor serve` with all labs, on a free loopback port."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    proc, base = start_server([], log)
    yield base
    stop_server(proc)


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
    from playwright.sync_api import sync_playwright

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
