"""`datenlabor serve --daten LAB=DATEI`: an internal workshop server on an operator-chosen file.

Public visitors can never give own data to an analysis lab. The operator of an internal
workshop can: the pair is checked before the server starts (German message, exit 2),
and the app's controls then offer the file's districts and indicators, not Musterstadt's.
One server start (no pre-warmed kernels) and one visit per lab; screenshots at 1280×800
and 320×640 of the same visit go to $DATENLABOR_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from datenlabor.cli import main
from datenlabor.errors import ServerOptionError
from datenlabor.server.owndata import check_entries, inject, parse_entries
from tests.helpers import STATISTIK_DISTRICTS, fixture_path

STATISTIK = fixture_path("eigene-daten", "stadtteile-statistik.csv")
DISTRICTS = STATISTIK_DISTRICTS
INDICATORS = [
    "Anteil unter 18 Jahren in %",
    "Anteil 65 Jahre und älter in %",
    "Arbeitslose in %",
    "SGB-II-Quote in %",
]


def test_bad_pairs_are_refused_in_german_before_the_server_starts(capsys, tmp_path):
    with pytest.raises(ServerOptionError, match="bitte als LAB=DATEI angeben"):
        parse_entries(["stadtteile-vergleichen"])
    cases = [
        (f"stadtteile-vergleichen={tmp_path / 'fehlt.csv'}", "fehlt.csv“ gibt es nicht"),
        (
            f"stadtteile-vergleichen={fixture_path('eigene-daten', 'gebaeude-energie.csv')}",
            "braucht eine Zeile je Bezirk",
        ),
        (f"orte-und-wege={STATISTIK}", "nur für Labs mit einer eigenen Tabelle"),
    ]
    for pair, message in cases:
        with pytest.raises(ServerOptionError, match=message):
            check_entries(parse_entries([pair]))
    # the command: exit 2 and one German line, before any server or kernel starts
    assert main(["serve", "--port", "1", "--daten", "gibtsnicht=x.csv"]) == 2
    err = capsys.readouterr().err
    assert "--daten gibtsnicht=x.csv: Lab „gibtsnicht“ gibt es nicht" in err
    assert "Traceback" not in err


def test_the_injected_cell_sets_the_file_and_is_hidden_in_the_app(tmp_path):
    import json
    import shutil

    notebook = tmp_path / "lab.ipynb"
    source = Path(__file__).parents[1] / "labs" / "stadtteile-vergleichen"
    shutil.copy(source / "stadtteile-vergleichen.ipynb", notebook)
    inject(notebook, {"daten": str(STATISTIK)})
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    where = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    injected = cells[where + 1]
    assert injected["metadata"]["tags"] == ["injected-parameters", "nur-notebook"]
    assert f"daten = {str(STATISTIK)!r}" in injected["source"]


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory):
    """One `datenlabor serve` with the statistics file for both district labs, no pools."""
    from tests.conftest import start_server, stop_server

    log = tmp_path_factory.mktemp("serve-daten") / "serve.log"
    args = ["--pool", "0", "--max-sitzungen", "4"]
    for slug in ("daten-erkunden", "stadtteile-vergleichen"):
        args += ["--daten", f"{slug}={STATISTIK}"]
    proc, base = start_server(args, log)
    yield base
    stop_server(proc)


def _options(page, label: str) -> list[str]:
    texts = page.get_by_label(label, exact=True).locator("option").all_inner_texts()
    return [t.replace("\xa0", " ") for t in texts]  # ipywidgets writes blanks as nbsp


def _screens(page, name: str) -> None:
    folder = os.environ.get("DATENLABOR_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator(".datenlabor-app").first.scroll_into_view_if_needed()
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=False)
        page.screenshot(path=str(Path(folder) / f"{name}-{width}-ganz.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("served")  # after/before the all-labs server, never beside it
def test_apps_offer_the_files_districts_and_indicators(own_server, browser):
    from playwright.sync_api import expect

    from datenlabor.catalog import get_lab
    from datenlabor.server.handlers import app_path
    from tests.browser import assert_no_code, open_app
    from tests.test_apps_layout import axe_report

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(180_000)
    try:
        box = open_app(page, own_server + app_path(get_lab("daten-erkunden")))
        assert _options(page, "Indikator") == [*INDICATORS, "Einwohner insgesamt"]
        assert _options(page, "Stadtteile") == DISTRICTS
        expect(box.locator(".zusammenfassung")).to_contain_text("Anteil unter 18 Jahren in %")
        expect(box.locator("img").first).to_have_attribute(
            "alt", re.compile(re.escape("Anteil unter 18 Jahren in % 2024 in 8 Stadtteilen"))
        )
        text = page.inner_text("body")
        for jargon in ("Parameterzelle", "Parameter daten", "Parameter „daten“", "pandas"):
            assert jargon not in text, jargon
        assert_no_code(page)
        assert not axe_report(page), axe_report(page)
        _screens(page, "eigene-daten-erkunden")

        box = open_app(page, own_server + app_path(get_lab("stadtteile-vergleichen")))
        assert _options(page, "Merkmale") == ["Einwohner insgesamt", *INDICATORS]
        expect(box).to_contain_text("Kreuzberg-Ost")
        # the groups in words name the file's indicators (Musterstadt's appear only in the text)
        expect(box).to_contain_text("bei „SGB-II-Quote in %“")
        assert_no_code(page)
        assert not axe_report(page), axe_report(page)
        _screens(page, "eigene-stadtteile-vergleichen")
    finally:
        context.close()
