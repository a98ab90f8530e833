"""Lab "Fair entscheiden?": dataset, own-data path, notebook metrics and app."""

from __future__ import annotations

from pathlib import Path

import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.helpers import german_csv
from tests.notebooks import execute_lab

ROOT = Path(__file__).resolve().parents[2]
SLUG = "fair-entscheiden"
DATASET = "antraege-pruefung"


def test_planted_bias_is_in_the_data():
    df = datenlabor.load(DATASET)
    rates = df.groupby("erstsprache_deutsch")[["bewilligt", "foerderfaehig_nachpruefung"]].mean()
    # Equally often eligible after the re-review ...
    assert (
        abs(
            rates.loc[True, "foerderfaehig_nachpruefung"]
            - rates.loc[False, "foerderfaehig_nachpruefung"]
        )
        < 0.05
    )
    # ... but historically approved much less often without German as first language.
    assert rates.loc[True, "bewilligt"] - rates.loc[False, "bewilligt"] > 0.2


@pytest.mark.slow
def test_notebook_with_own_data(tmp_path):

    lab = get_lab(SLUG)
    csv = tmp_path / "eigene_antraege.csv"
    csv.write_bytes(german_csv(datenlabor.load(DATASET)))
    out = tmp_path / "out.ipynb"
    m = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(csv)})
    for name, rng in lab.metric_ranges.items():
        assert rng["min"] <= m[name] <= rng["max"], (name, m[name], rng)
    # The story of the lab: dropping the attribute helps a little, mitigation helps more.
    assert m["dp_differenz_ohne_merkmal"] < m["dp_differenz"]
    assert m["dp_differenz_nach_ausgleich"] < m["dp_differenz_ohne_merkmal"]
    assert m["dp_differenz_gruppenschwellen"] < m["dp_differenz_nach_ausgleich"]
    assert m["genauigkeit_gruppenschwellen"] < m["genauigkeit"]


@pytest.mark.browser
@pytest.mark.slow
def test_app_reacts_to_mitigation(app_url, page):
    from playwright.sync_api import expect

    page.goto(app_url(SLUG))
    page.wait_for_selector(".datenlabor-app img", timeout=120_000)
    image = page.locator(".datenlabor-app img").first
    before = image.get_attribute("alt")
    assert "Auswahlquote" in before
    page.get_by_label("Ausgleichsverfahren").select_option("Gruppenschwellen")
    expect(page.locator(".datenlabor-app img").first).not_to_have_attribute(
        "alt", before, timeout=30_000
    )
    after = page.locator(".datenlabor-app img").first.get_attribute("alt")
    assert "Unterschied der Auswahlquoten" in after
