"""The app server in a real browser: offline (no foreign hosts), accessible (axe-core,
320 px, keyboard only), German messages."""

from __future__ import annotations

import signal

import psutil
import pytest

from tests.browser import (
    APP_SELECTOR,
    assert_no_code,
    foreign,
    open_app,
    record_hosts,
    wait_for_change,
)
from tests.test_apps_layout import shots, visit  # noqa: F401 - shared visits, see there

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def axe_violations(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def narrow(browser):
    ctx = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="de-DE", is_mobile=True
    )
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    return ctx, pg


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_gallery_offline_accessible_filterable(fixture_server, page):
    requests = record_hosts(page)
    page.goto(fixture_server.base)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator(".dl-card").count() == 1
    assert page.locator(".dl-join svg[role=img]").count() == 1  # QR code, inline
    report = axe_violations(page)
    assert not report, report
    # filter without JavaScript: a plain GET form with labelled controls
    page.get_by_label("Niveau").select_option("Vertiefung")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_load_state()
    assert "niveau=Vertiefung" in page.url
    assert page.locator(".dl-card").count() == 0
    assert "Kein Lab passt" in page.inner_text("main")
    page.get_by_label("Niveau").select_option("Einstieg")
    page.get_by_label("Zielgruppe").select_option("Verwaltung")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_load_state()
    assert page.locator(".dl-card").count() == 1
    assert not foreign(requests, fixture_server.base), foreign(requests, fixture_server.base)


def test_gallery_works_at_320px(fixture_server, browser):
    ctx, pg = narrow(browser)
    try:
        pg.goto(fixture_server.base)
        assert no_horizontal_scroll(pg)
        report = axe_violations(pg)
        assert not report, report
    finally:
        ctx.close()


def test_kursplan_page_linked_german_accessible_at_both_widths(fixture_server, page, browser):
    """Issue 15: the Kursplan page of the gallery (no kernel involved, so it is cheap)."""
    import urllib.request

    page.goto(fixture_server.base)
    page.get_by_role("link", name="Kursplan mit Lernzielen, Dauer und Workshop-Vorschlägen").click()
    page.wait_for_load_state()
    assert page.url.endswith("/datenlabor/kursplan")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == "Kursplan"
    main = page.inner_text("main")
    assert "Mini-Lab" in main and "Halbtags-Workshop" in main and "Lernziele" in main
    assert page.locator("a[href$='voila/render/mini/mini.ipynb']").count() == 1
    report = axe_violations(page)
    assert not report, report
    ctx, pg = narrow(browser)
    try:
        pg.goto(fixture_server.base + "datenlabor/kursplan")
        assert no_horizontal_scroll(pg)
        report = axe_violations(pg)
        assert not report, report
    finally:
        ctx.close()
    with urllib.request.urlopen(fixture_server.base + "datenlabor/kursplan.pdf") as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.read(5) == b"%PDF-"


def test_fixture_app_offline_accessible_and_keyboard_only(fixture_server, browser):
    ctx, pg = narrow(browser)
    try:
        requests = record_hosts(pg)
        open_app(pg, fixture_server.url)
        assert_no_code(pg)
        assert no_horizontal_scroll(pg)
        report = axe_violations(pg)
        assert not report, report
        # keyboard only: Tab until the slider handle has the focus, then ArrowRight
        before = pg.inner_html(
            APP_SELECTOR + " .jp-OutputArea, " + APP_SELECTOR + " .widget-output"
        )
        for _ in range(40):
            pg.keyboard.press("Tab")
            if pg.evaluate("() => !!document.activeElement.closest('.datenlabor-control-anzahl')"):
                break
        else:
            pytest.fail("Tab never reaches the control „Anzahl Zeilen“")
        pg.keyboard.press("ArrowRight")
        wait_for_change(pg, APP_SELECTOR + " .widget-output", before)
        assert not foreign(requests, fixture_server.base), foreign(requests, fixture_server.base)
    finally:
        ctx.close()


def test_german_message_when_the_connection_is_lost(fixture_server, page):
    open_app(page, fixture_server.url)
    kernel_id = page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    for child in psutil.Process(fixture_server.proc.pid).children(recursive=True):
        if kernel_id in " ".join(child.cmdline()):
            child.send_signal(signal.SIGKILL)
    banner = page.locator("#dl-connection")
    banner.wait_for(state="visible", timeout=60_000)
    assert banner.get_attribute("role") == "alert"
    assert "neu" in banner.inner_text()


def _labs():
    from datenlabor.catalog import discover

    return [lab.slug for lab in discover() if lab.notebook.is_file()]


@pytest.mark.parametrize("slug", _labs())
def test_every_lab_app_offline_and_accessible(slug, served, visit):  # noqa: F811
    # the visit at 1280 px that tests/test_apps_layout.py makes anyway (one per page and width)
    v = visit(slug, 1280)
    assert not v["code"], v["code"]
    assert not v["axe"], v["axe"]
    assert v["requests"], "no request recorded"
    assert not foreign(v["requests"], served), foreign(v["requests"], served)
