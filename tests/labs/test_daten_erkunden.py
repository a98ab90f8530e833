"""Lab "Daten erkunden": its dataset, own data in German CSV style, and the app in a browser."""

from __future__ import annotations

import re

import nbformat
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.notebooks import execute_lab

SLUG = "daten-erkunden"
DATASET = "stadtteile-musterstadt"

# A small municipality's own table, the way Excel saves it in Germany:
# semicolon, decimal comma, cp1252, one empty cell, other district names.
OWN_CSV = """\
jahr;stadtteil;einwohner;geburten;anteil_unter_18;anteil_ab_65;arbeitslosenquote;anteil_sgb2_haushalte;wohnflaeche_je_einwohner;kita_plaetze_je_100_kinder;gruenflaeche_je_einwohner;hinweis
2023;Nordstadt;4100;38;17,2;20,1;5,5;7,9;41,2;88,0;12,5;
2023;Südstadt;3550;30;16,0;22,4;4,1;5,0;45,0;92,5;20,0;
2023;Oberdorf;1200;9;19,5;24,0;2,8;;58,0;75,0;95,0;SGB-II-Anteil geheim gehalten
2023;Mühlenweg;2500;27;18,1;18,5;7,0;10,2;37,5;80,0;9,0;
2024;Nordstadt;4150;41;17,0;20,5;5,2;7,6;41,5;90,0;12,4;
2024;Südstadt;3600;29;15,8;22,9;3,9;4,8;45,3;94,0;19,8;
2024;Oberdorf;1210;11;19,2;24,6;2,5;1,9;58,4;76,0;94,0;
2024;Mühlenweg;2540;26;18,0;18,8;6,5;9,8;37,9;82,0;8,9;
"""


@pytest.fixture(scope="module")
def lab():
    return get_lab(SLUG)


def test_dataset_contains_the_planted_stumbling_blocks():
    df = datenlabor.load(DATASET)
    names_by_year = df.groupby("jahr")["stadtteil"].nunique()
    assert names_by_year[2019] == 13 and names_by_year[2020] == 12  # Altstadt merged in 2020
    assert "St. Georg" in set(df.loc[df["jahr"] == 2015, "stadtteil"])
    assert df[["gruenflaeche_je_einwohner", "anteil_sgb2_haushalte"]].isna().sum().sum() == 2


def test_app_choices_match_the_cleaned_districts(lab):
    df = datenlabor.load(DATASET)
    districts_2024 = sorted(df.loc[df["jahr"] == 2024, "stadtteil"])
    assert sorted(lab.constraints["stadtteile"]["choices"]) == districts_2024
    params = lab.parameters
    for name in ("indikator", "stadtteile"):
        params[name].validate(params[name].default)  # defaults are allowed choices
    notebook = nbformat.read(lab.notebook, as_version=4)
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for label in lab.constraints["indikator"]["choices"]:
        assert f'"{label}": (' in source, f"Indikator {label!r} fehlt in INDIKATOREN"


@pytest.mark.slow
def test_own_german_csv_is_used(lab, tmp_path):
    own = tmp_path / "eigene_stadtteile.csv"
    own.write_bytes(OWN_CSV.encode("cp1252"))
    out = tmp_path / "eigene.ipynb"
    metrics = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(own)})
    assert metrics["anzahl_stadtteile"] == 4
    assert metrics["einwohner_gesamt"] == 4150 + 3600 + 1210 + 2540
    # Arbeitslosenquote 2024: 5,2 / 3,9 / 2,5 / 6,5
    assert metrics["spannweite"] == pytest.approx(4.0)
    assert metrics["median"] == pytest.approx(4.55)
    assert metrics["mittelwert"] == pytest.approx(4.525, abs=0.005)  # recorded to 2 decimals


@pytest.mark.browser
@pytest.mark.slow
def test_app_answers_to_a_new_indicator(app_url, page):
    from playwright.sync_api import expect

    from tests.browser import open_app

    box = open_app(page, app_url(SLUG))
    first_plot = box.locator("img").first
    expect(first_plot).to_have_attribute("alt", re.compile(r"Arbeitslosenquote 2024"))
    summary = box.locator(".zusammenfassung")
    expect(summary).to_contain_text("Arbeitslosenquote")

    page.get_by_label("Indikator", exact=True).select_option("Grünfläche je Einwohner")

    expect(first_plot).to_have_attribute("alt", re.compile(r"Grünfläche je Einwohner 2024"))
    expect(summary).to_contain_text("m²")
    # Citizens see outputs only: no code editors, no source, no traceback.
    assert page.locator(".jp-InputArea-editor").count() == 0
    text = page.inner_text("body")
    for marker in ("Traceback", "import datenlabor", "app.interact("):
        assert marker not in text
