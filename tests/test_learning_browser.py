"""Quiz and certificate in a real app: keyboard only, live region, axe, nothing on disk.

A server of its own with only the fixture lab ``lernen`` (tests/fixtures/lernlabs),
its own working folder and temporary folder, so files that appear are easy to see.
With ``DATENLABOR_SCREENSHOTS`` set, screenshots of quiz and certificate at 320×640
and 1280×800 are copied there.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import open_app
from tests.conftest import stop_server
from tests.helpers import fixture_path, free_port, wait_for_http
from tests.test_learning import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "Jörg Müller-Weiß"


@pytest.fixture(scope="module")
def lern_server(tmp_path_factory):
    import tempfile

    root = tmp_path_factory.mktemp("lernserver")
    work = root / "arbeit"
    work.mkdir()
    # short: kernels put IPC sockets here, and socket paths may not exceed 107 bytes
    tmp = Path(tempfile.mkdtemp(prefix="dl-"))
    port = free_port()
    env = {
        **os.environ,
        "DATENLABOR_LABS": str(fixture_path("lernlabs")),
        "DATENLABOR_DATASETS": str(fixture_path("datasets")),
        "TMPDIR": str(tmp),
    }
    log = (root / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datenlabor.cli",
            "serve",
            "--port",
            str(port),
            "--pool",
            "2",
            "--max-sitzungen",
            "6",
            "--weg-sekunden",
            "3",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(base, proc=proc, timeout=120)
        yield base, [work, tmp]
    finally:
        stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def _files(folders: list[Path]) -> set[str]:
    """Files in the server's working folder and temporary folder (kernels' working folders).

    Connection files of kernels that the pool starts meanwhile (``kernel-<id>.json``)
    are the server's own bookkeeping, not something a certificate wrote.
    """
    return {
        str(p)
        for f in folders
        for p in f.rglob("*")
        if p.is_file() and not p.is_socket() and not p.name.startswith("kernel-")
    }


def _shot(page, name: str) -> None:
    extra = os.environ.get("DATENLABOR_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(extra) / name), full_page=False)


def _axe(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return "" if result.violations_count == 0 else result.generate_report()


CLIPPED_CONTROLS = """() => {
  const bad = [];
  for (const c of document.querySelectorAll(".datenlabor-app :is(input, select, textarea, button)")) {
    const r = c.getBoundingClientRect();
    if (!r.width) continue;
    for (let e = c.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX === "visible") continue;
      const p = e.getBoundingClientRect();
      if (r.left < p.left - 0.5 || r.right > p.right + 0.5) { bad.push(c.outerHTML.slice(0, 80)); break; }
    }
  }
  return bad;
}"""


def _tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => !!document.activeElement?.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab")


@pytest.mark.parametrize("width,height", [(1280, 800), (320, 640)])
def test_quiz_by_keyboard_with_live_region(lern_server, browser, width, height):
    base, _ = lern_server
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = ctx.new_page()
    page.set_default_navigation_timeout(180_000)
    page.set_default_timeout(60_000)
    try:
        open_app(page, base + "voila/render/lernen/lernen.ipynb")
        assert page.locator(".dl-quiz").count() == 1
        page.locator(".dl-quiz h2").first.evaluate("e => e.scrollIntoView()")
        # question 1 (single choice): Tab to the first option, arrow to the second, Enter on the button
        _tab_to(page, ".dl-quiz input[type=radio]")
        page.keyboard.press("ArrowDown")
        # the options are one group (tryout #31): a single Tab leaves it for the button,
        # which names its question
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent.trim()") == (
            "Antwort auf Frage 1 prüfen"
        )
        group = page.locator(".dl-quiz [role=radiogroup]").first
        assert group.get_attribute("aria-labelledby")
        assert page.locator(".dl-quiz button", has_text="prüfen").evaluate_all(
            "bs => new Set(bs.map(b => b.textContent.trim())).size === bs.length"
        )
        page.keyboard.press("Enter")
        live = page.locator(".dl-quiz [role=status]").first
        live.wait_for(state="attached")
        page.wait_for_function(
            "() => document.querySelector('.dl-quiz [role=status]')?.innerText.includes('Richtig')"
        )
        assert live.get_attribute("aria-live") == "polite"
        assert "Hälfte" in live.inner_text()  # the explanation is part of the feedback
        # question 3 (number) with a wrong German number: explained, right answer named
        _tab_to(page, ".dl-quiz input[type=checkbox]")
        _tab_to(page, ".dl-quiz input[type=text]")
        page.keyboard.type("4,5")
        page.keyboard.press("Tab")  # leaves the field (value is sent) and lands on the button
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.dl-quiz [role=status]')]"
            ".some(e => e.innerText.includes('Richtig ist: 5'))"
        )
        # no control sticks out of a scrolling box, which would cut off its border or
        # radio circle (tryout #21: text fields without right border at 320 px)
        assert page.evaluate(CLIPPED_CONTROLS) == []
        page.locator(".dl-quiz").evaluate("e => e.scrollIntoView()")
        _shot(page, f"quiz-{width}.png")
        assert not _axe(page), _axe(page)
    finally:
        ctx.close()


@pytest.mark.parametrize("width,height", [(1280, 800), (320, 640)])
def test_certificate_in_app_is_built_in_memory(lern_server, browser, width, height):
    base, folders = lern_server
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = ctx.new_page()
    page.set_default_navigation_timeout(180_000)
    page.set_default_timeout(60_000)
    try:
        open_app(page, base + "voila/render/lernen/lernen.ipynb")
        before = _files(folders)
        name = page.locator(".dl-bestaetigung input[type=text]")
        name.fill(NAME)
        name.press("Tab")
        page.locator(".dl-bestaetigung button").click()
        link = page.locator(".dl-bestaetigung a[href^='data:application/pdf']")
        link.wait_for()
        page.locator(".dl-bestaetigung").evaluate("e => e.scrollIntoView()")
        _shot(page, f"bestaetigung-{width}.png")
        assert not _axe(page), _axe(page)
        href = link.get_attribute("href")
        text = pdf_text(base64.b64decode(href.split(",", 1)[1]))
        assert (
            NAME in text and "Lernen mit Nachweis" in text and "Einen Mittelwert berechnen" in text
        )
        assert (link.get_attribute("download") or "").endswith(".pdf")
        page.wait_for_timeout(500)
        assert _files(folders) == before, sorted(_files(folders) - before)
        # the HTML version on its own is accessible too
        html_href = page.locator(".dl-bestaetigung a[href^='data:text/html']").get_attribute("href")
        html_text = base64.b64decode(html_href.split(",", 1)[1]).decode("utf-8")
        assert NAME in html_text
        page.set_content(html_text)
        _shot(page, f"bestaetigung-html-{width}.png")
        assert not _axe(page), _axe(page)
    finally:
        ctx.close()


def test_server_log_holds_no_name(lern_server):
    # stop_server runs later; the log so far must not contain the typed name
    logs = list(Path(lern_server[1][0]).parent.glob("serve.log"))
    for log in logs:
        assert NAME not in log.read_text(encoding="utf-8", errors="replace")
