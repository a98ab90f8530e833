"""Lab "Daten schützen": datasets, own-data path, notebook metrics and app."""

from __future__ import annotations

from pathlib import Path

import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.helpers import german_csv
from tests.notebooks import execute_lab

ROOT = Path(__file__).resolve().parents[2]
SLUG = "daten-schuetzen"
DATASET = "leistungsbezug-musterstadt"


def test_tables_can_be_linked():
    """The planted overlap: many records are unique on (age, postcode, gender) and found in the public list."""
    records = datenlabor.load(DATASET, table="leistungsbezug")
    public = datenlabor.load(DATASET, table="ehrenamtsliste")
    public["alter"] = 2025 - public["geburtsjahr"]
    keys = ["alter", "plz", "geschlecht"]
    unique_records = records[records.groupby(keys)["fall_nr"].transform("size") == 1]
    unique_public = public[public.groupby(keys)["name"].transform("size") == 1]
    assert len(unique_records) / len(records) > 0.2
    assert len(unique_public.merge(unique_records, on=keys)) > 100
    assert records["plz"].str.fullmatch(r"\d{5}").all()


@pytest.mark.slow
def test_notebook_with_own_data(tmp_path):

    lab = get_lab(SLUG)
    csv = tmp_path / "eigene_leistungen.csv"
    csv.write_bytes(german_csv(datenlabor.load(DATASET, table="leistungsbezug")))
    out = tmp_path / "out.ipynb"
    m = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(csv)})
    for name, rng in lab.metric_ranges.items():
        assert rng["min"] <= m[name] <= rng["max"], (name, m[name], rng)
    assert m["erreichtes_k"] >= lab.ci_parameters["k"]
    assert m["anteil_reidentifiziert_nachher"] < m["anteil_reidentifiziert_vorher"]
    # Laplace noise with scale 1/epsilon has a mean absolute error of about 1/epsilon.
    assert m["dp_mittlerer_fehler"] == pytest.approx(1 / lab.ci_parameters["epsilon"], rel=0.25)


@pytest.mark.browser
@pytest.mark.slow
def test_app_reacts_to_k(app_url, page):
    from playwright.sync_api import expect

    page.goto(app_url(SLUG))
    page.wait_for_selector(".datenlabor-app img", timeout=120_000)
    image = page.locator(".datenlabor-app").first.locator("img").first
    before = image.get_attribute("alt")
    assert "k = 5" in before
    # The slider moved by keyboard, as a visitor without a mouse does: End = largest k.
    handle = page.locator(".datenlabor-control-k [role=slider]").first
    handle.focus()
    handle.press("End")
    expect(image).not_to_have_attribute("alt", before, timeout=30_000)
    assert "k = 5" not in image.get_attribute("alt")
