"""Lab "Fair entscheiden?": dataset, own-data path, notebook metrics and app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import datenlabor
from datenlabor.catalog import get_lab
from datenlabor.datasets import validate_package
from datenlabor.errors import CsvError
from tests.notebooks import execute_lab

ROOT = Path(__file__).resolve().parents[2]
SLUG = "fair-entscheiden"
DATASET = "antraege-pruefung"


def test_dataset_validates():
    assert validate_package(DATASET) == []


def test_generator_reproduces_csv(tmp_path):
    script = ROOT / "scripts" / "make_antraege_pruefung.py"
    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True
    )
    committed = ROOT / "datasets" / DATASET / "antraege.csv"
    assert (tmp_path / "antraege.csv").read_bytes() == committed.read_bytes()


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


def write_german_csv(path: Path) -> Path:
    """The bundled data as a municipality's spreadsheet export: ';', decimal comma, cp1252."""
    df = datenlabor.load(DATASET)
    for col in df.columns:
        if df[col].dtype == bool:
            df[col] = df[col].map({True: "ja", False: "nein"})
    df["eingangsdatum"] = df["eingangsdatum"].dt.strftime("%d.%m.%Y")
    df["energiekosten_monat"] = df["energiekosten_monat"].map(
        lambda x: f"{x:.2f}".replace(".", ",")
    )
    df.to_csv(path, sep=";", index=False, encoding="cp1252")
    return path


def test_german_csv_loads_like_bundled_data(tmp_path):
    own = datenlabor.load(DATASET, path=write_german_csv(tmp_path / "antraege.csv"))
    bundled = datenlabor.load(DATASET)
    assert (tmp_path / "antraege.csv").read_bytes().count(b";") > 0
    assert list(own.columns) == list(bundled.columns)
    assert own["energiekosten_monat"].sum() == pytest.approx(bundled["energiekosten_monat"].sum())
    assert (own["bewilligt"] == bundled["bewilligt"]).all()
    assert (own["eingangsdatum"] == bundled["eingangsdatum"]).all()
    assert set(own["stadtteil"]) >= {"Südstadt", "Hafenviertel"}  # umlauts survive cp1252


def test_misnamed_column_names_expected_columns(tmp_path):
    bad = tmp_path / "falsch.csv"
    bad.write_text("antrag_nr;Stadtteil Name;bewilligt\nHF-1;Altstadt;ja\n", encoding="cp1252")
    with pytest.raises(CsvError) as info:
        datenlabor.load(DATASET, path=bad)
    message = str(info.value)
    assert "Erwartete Spalten" in message
    assert "stadtteil" in message and "foerderfaehig_nachpruefung" in message


@pytest.mark.slow
def test_notebook_with_own_data(tmp_path):

    lab = get_lab(SLUG)
    csv = write_german_csv(tmp_path / "eigene_antraege.csv")
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
