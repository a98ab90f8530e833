"""Lab "Offene Daten nutzen": messy example files, own data, upload plumbing and the app."""

from __future__ import annotations

import datetime
import re

import pytest

import datenlabor
from datenlabor import datasets, upload
from datenlabor.catalog import get_lab
from datenlabor.errors import CsvError
from tests.helpers import fixture_path
from tests.notebooks import execute_lab

SLUG = "offene-daten-nutzen"
DATASET = "offene-daten-beispiele"
EXAMPLES = ["kita-plaetze", "no2-messwerte", "spielplaetze"]

# Own Kita table as a German office saves it: cp1252, semicolon, decimal comma,
# thousands dot, "k.A." for a gap and the header pasted twice.
OWN_CSV = """\
Stadtteil;Träger;Jahr;Plätze;Belegte Plätze;Auslastung in %;Kinder unter 6
Nordstadt;kommunal;2024;1.020;980;96,1;1.450
Südstadt ;frei;2024;85;k.A.;;300
Stadtteil;Träger;Jahr;Plätze;Belegte Plätze;Auslastung in %;Kinder unter 6
Oberdorf;kirchlich;2024;60;58;96,7;95
"""


@pytest.fixture(scope="module")
def lab():
    return get_lab(SLUG)


@pytest.mark.parametrize("name", EXAMPLES)
def test_reading_the_raw_file_gives_the_cleaned_reference(name):
    folder = datasets.package_path(DATASET).parent
    raw = folder / datasets.resource(DATASET, f"{name}-roh")["path"]
    cleaned = datenlabor.load(DATASET, name, path=raw).drop_duplicates().reset_index(drop=True)
    reference = datenlabor.load(DATASET, name)
    if name == "no2-messwerte":
        # Here "-" marks a measurement outage, but the reader follows the official-statistics
        # sign table ("-" is exactly zero); the lesson says to set such cells to gaps by hand.
        column = "NO2 in µg/m³"
        outages = reference[column].isna()
        assert outages.any() and (cleaned.loc[outages, column] == 0).all()
        cleaned.loc[outages, column] = float("nan")
    assert cleaned.equals(reference)


def test_raw_files_really_are_messy():
    folder = datasets.package_path(DATASET).parent
    kita = (folder / "kita-plaetze-roh.csv").read_bytes()
    assert b"Tr\xe4ger" in kita and b"\r\n" in kita  # cp1252, Windows line ends
    assert kita.count(b"Stadtteil;Tr\xe4ger") == 2  # header repeated
    assert b"k.A." in kita and b"n/a" in kita
    no2 = (folder / "no2-messwerte-roh.csv").read_bytes()
    assert no2.startswith(b"\xef\xbb\xbf")
    _, info = upload.read_upload({"name": "no2.csv", "content": no2})
    assert info.date_format == "%d.%m.%Y"


def test_app_choices_are_the_examples(lab):
    assert lab.parameters["beispiel"].choices == EXAMPLES
    assert "kita-plaetze" not in lab.parameters["beispiel"].choice_labels.values()  # no ids shown
    assert lab.parameters["beispiel"].default in EXAMPLES
    assert lab.constraints["daten"]["kind"] == "csv"


def test_upload_size_limit_is_checked_before_parsing():
    content = b"a;b\n" + b"1;2\n" * (600 * 1024)  # 2,3 MB
    with pytest.raises(CsvError, match=r"zu groß .*höchstens 2 MB"):
        upload.check_upload(({"name": "gross.csv", "content": memoryview(content)},), max_mb=2)
    with pytest.raises(CsvError, match="nur eine Datei"):
        upload.check_upload(
            ({"name": "a.csv", "content": b"a"}, {"name": "b.csv", "content": b"b"})
        )
    with pytest.raises(CsvError, match="keine Datei"):
        upload.check_upload(())


def test_upload_profile_of_the_kita_file():
    raw = (datasets.package_path(DATASET).parent / "kita-plaetze-roh.csv").read_bytes()
    df, info = upload.read_upload(({"name": "../../etc/kita.csv", "content": memoryview(raw)},))
    assert info.name == "kita.csv"  # no path from the browser reaches a message
    profile = upload.quality_profile(df).set_index("Spalte")
    assert profile.loc["Plätze", "Typ"] == "Ganzzahl"
    assert profile.loc["Belegte Plätze", "Fehlend"] == 3
    assert profile.loc["Plätze", "Ausreißer"] >= 1  # the planted typo
    summary = upload.quality_summary(df, info)
    assert summary["Wiederholte Kopfzeilen entfernt"] == 1
    html = upload.report_html(df, info, "Profil")
    assert "<caption>Qualitätsprofil" in html and "Windows-1252" in html


def test_upload_result_is_a_profile_or_a_german_message():
    good = fixture_path("csv", "semikolon-dezimalkomma.csv").read_bytes()
    html = upload.upload_result_html({"name": "gut.csv", "content": memoryview(good)})
    assert "Qualitätsprofil" in html and "Altstadt" in html
    for name in ("fehler-html.csv", "fehler-png.csv", "fehler-leer.csv"):
        bad = fixture_path("csv", name).read_bytes()
        html = upload.upload_result_html({"name": name, "content": bad})
        assert 'class="datenlabor-fehler"' in html and "Traceback" not in html


def test_upload_app_forgets_the_file(monkeypatch):
    seen = []
    monkeypatch.setattr(upload, "upload_result_html", lambda files, *a: seen.append(1) or "")
    box = upload.upload_app(max_mb=2)
    assert "2 MB" in box.uploader.description and box.uploader.accept == ".csv,text/csv,.xlsx,.ods"
    content = b"a;b\n1;2\n"
    box.uploader.value = (
        {
            "name": "gut.csv",
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime(2026, 11, 25),
        },
    )
    assert seen == [1]
    assert box.uploader.value == ()  # content dropped after the check


@pytest.mark.slow
def test_own_german_csv_is_used(lab, tmp_path):
    own = tmp_path / "eigene_kitas.csv"
    own.write_bytes(OWN_CSV.encode("cp1252"))
    out = tmp_path / "eigene.ipynb"
    metrics = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(own)})
    assert metrics["zeilen_bereinigt"] == 3  # header row dropped, numbers read
    assert metrics["doppelte_zeilen"] == 0
    # The teaching part always uses the bundled Kita file and must still match its reference.
    assert metrics["abweichungen_read_csv"] == 0


def _upload(page, path):
    # ipywidgets' FileUpload opens a detached <input type=file> when its labelled button is
    # clicked; Playwright's file chooser fills exactly that input.
    button = page.get_by_role("button", name=re.compile("Datei hochladen"))
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(path))


@pytest.mark.browser
@pytest.mark.slow
def test_app_switches_example_and_profiles_uploads(app_url, page, tmp_path):
    from playwright.sync_api import expect

    from tests.browser import open_app

    box = open_app(page, app_url(SLUG))
    plot = box.locator("img").first
    expect(plot).to_have_attribute("alt", re.compile(r"Kita-Plätze"))
    page.get_by_label("Beispieldatei", exact=True).select_option("Stickstoffdioxid-Messwerte")
    expect(plot).to_have_attribute("alt", re.compile(r"Stickstoffdioxid"))

    area = page.locator(".datenlabor-upload")
    expect(area).to_contain_text("höchstens 2 MB")
    good = tmp_path / "kitas.csv"
    good.write_bytes(OWN_CSV.encode("cp1252"))
    _upload(page, good)
    expect(area.locator(".datenlabor-profil")).to_contain_text("Qualitätsprofil")
    expect(area).to_contain_text("Windows-1252")

    _upload(page, fixture_path("csv", "fehler-html.csv"))
    # (the browser's own size note, .dl-upload-note, is a second, empty alert)
    expect(area.locator(".datenlabor-fehler:not(.dl-upload-note)")).to_contain_text(
        "Webseite (HTML)"
    )
    text = page.inner_text("body")
    for marker in ("Traceback", "Error", "import datenlabor"):
        assert marker not in text
