"""Tests for the lab "Bürgeranliegen zuordnen" and its dataset "maengelmelder"."""

from __future__ import annotations

import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.helpers import german_csv
from tests.notebooks import execute_lab

SLUG = "buergeranliegen-zuordnen"
DATASET = "maengelmelder"


def test_dataset_has_a_rare_category_and_noise():
    df = datenlabor.load(DATASET)
    shares = df["kategorie"].value_counts(normalize=True)
    assert len(shares) == 7
    assert shares.min() < 0.05  # one rare department
    assert shares.max() < 0.35
    assert df["text"].str.len().max() < 200


@pytest.mark.slow
def test_notebook_runs_on_own_german_csv(tmp_path):
    lab = get_lab(SLUG)
    # A smaller own export (every second report) in German conventions.
    df = datenlabor.load(DATASET).iloc[::2]
    csv = tmp_path / "eigene_meldungen.csv"
    csv.write_bytes(german_csv(df))
    out = tmp_path / "out.ipynb"
    metrics = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(csv)})
    assert metrics["anzahl_meldungen"] == len(df)
    assert 0.8 <= metrics["genauigkeit"] <= 0.99
    assert 0.7 <= metrics["makro_f1"] <= 0.99


@pytest.mark.slow
def test_weak_model_without_balancing_misses_the_rare_category(tmp_path):
    """The metric ranges must catch a model that ignores the rare department."""
    lab = get_lab(SLUG)
    out = tmp_path / "out.ipynb"
    metrics = execute_lab(
        lab,
        out,
        {
            **lab.ci_parameters,
            "staerke_c": 0.1,
            "ausgleich": False,
            "merkmale": "Wörter",
        },
    )
    ranges = lab.metric_ranges
    assert metrics["recall_seltenste_kategorie"] < ranges["recall_seltenste_kategorie"]["min"]
    assert metrics["makro_f1"] < ranges["makro_f1"]["min"]


@pytest.mark.browser
@pytest.mark.slow
def test_app_assigns_a_typed_report(app_url, page):
    page.goto(app_url(SLUG))
    app = page.locator(".datenlabor-app").first
    app.wait_for(timeout=60_000)
    vorschlag = app.locator(".datenlabor-vorschlag")
    vorschlag.wait_for(timeout=30_000)
    assert "Beleuchtung" in vorschlag.inner_text()
    eingabe = page.get_by_label("Ihre Meldung (höchstens 500 Zeichen)", exact=True)
    eingabe.fill("Riesiges Schlagloch auf der Fahrbahn in der Hauptstrase")
    eingabe.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.datenlabor-app .datenlabor-vorschlag')"
        "?.innerText.includes('Straßen und Verkehr')",
        timeout=30_000,
    )
    alt = app.locator("img").first.get_attribute("alt")
    assert "laut Modell: Straßen und Verkehr" in alt  # the suggestion comes first
