"""Lab "Auffälligkeiten finden": dataset with planted faults, own data, detector quality, app."""

from __future__ import annotations

import re

import pytest

import datenlabor
from datenlabor import datasets
from datenlabor.catalog import get_lab
from tests.helpers import german_csv
from tests.notebooks import execute_lab

SLUG = "auffaelligkeiten-finden"
DATASET = "gebaeude-verbrauch"
FAULTS = {
    "Dauerlast",
    "Heizung in den Ferien",
    "Wochenendabsenkung aus",
    "Zählerausfall",
    "Zählerspitze",
}


@pytest.fixture(scope="module")
def lab():
    return get_lab(SLUG)


def test_planted_faults_are_recorded_and_documented():
    df = datenlabor.load(DATASET)
    assert df["gebaeude"].nunique() == 12
    assert df["datum"].min().year == 2024 and df["datum"].max().year == 2025
    faults = df["stoerung"].dropna()
    assert set(faults) == FAULTS
    assert 0.01 < len(faults) / len(df) < 0.05
    assert (df.loc[df["stoerung"] == "Zählerausfall", "verbrauch_kwh"] == 0).all()
    description = datasets.describe(DATASET)["description"]
    for fault in FAULTS:
        assert fault in description


def test_app_choices_are_the_buildings(lab):
    df = datenlabor.load(DATASET)
    assert sorted(lab.constraints["gebaeude"]["choices"]) == sorted(df["gebaeude"].unique())
    params = lab.parameters
    assert params["gebaeude"].validate(params["gebaeude"].default) == "Rathaus"
    assert params["schwelle"].validate(params["schwelle"].default) == 4.0


@pytest.mark.slow
def test_own_german_csv_is_used(lab, tmp_path):
    # Four buildings exported from a (fictional) energy management system, UTF-8 with BOM
    bundled = datenlabor.load(DATASET)
    part = bundled[bundled["gebaeude_id"].isin(["G01", "G04", "G08", "G12"])]
    own = tmp_path / "eigene_gebaeude.csv"
    own.write_bytes(german_csv(part, encoding="utf-8-sig"))
    out = tmp_path / "eigene.ipynb"
    metrics = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(own)})
    assert metrics["anzahl_gebaeude"] == 4
    assert 0.6 <= metrics["praezision"] <= 1.0
    assert 0.6 <= metrics["trefferquote"] <= 1.0
    assert metrics["anteil_gemeldet"] < 0.08


@pytest.mark.browser
@pytest.mark.slow
def test_app_answers_to_another_building(app_url, page):
    from playwright.sync_api import expect

    from tests.browser import assert_no_code, open_app

    box = open_app(page, app_url(SLUG))
    plot = box.locator("img").first
    expect(plot).to_have_attribute("alt", re.compile(r"Tagesverbrauch von Rathaus"))

    page.get_by_label("Gebäude", exact=True).select_option("Kita Regenbogen")

    # a new chart is drawn twice (wide and phone layout): generous on a busy machine
    expect(plot).to_have_attribute(
        "alt", re.compile(r"Tagesverbrauch von Kita Regenbogen"), timeout=120_000
    )
    expect(box).to_contain_text("Trefferquote")
    assert_no_code(page)
