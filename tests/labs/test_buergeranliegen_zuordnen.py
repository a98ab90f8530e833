"""Tests for the lab "Bürgeranliegen zuordnen" and its dataset "maengelmelder"."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from datenlabor.datasets import package_path, validate_package
from datenlabor.errors import CsvError
from datenlabor.paths import project_root
from tests.notebooks import execute_lab

SLUG = "buergeranliegen-zuordnen"
DATASET = "maengelmelder"


def test_dataset_validates():
    assert validate_package(DATASET) == []


def test_generator_reproduces_committed_csv(tmp_path):
    script = project_root() / "scripts" / "make_maengelmelder.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)
    committed = package_path(DATASET).parent / "maengelmelder.csv"
    assert (tmp_path / "maengelmelder.csv").read_bytes() == committed.read_bytes()


def test_dataset_has_a_rare_category_and_noise():
    df = datenlabor.load(DATASET)
    shares = df["kategorie"].value_counts(normalize=True)
    assert len(shares) == 7
    assert shares.min() < 0.05  # one rare department
    assert shares.max() < 0.35
    assert df["text"].str.len().max() < 200


def _german_csv(path, df):
    """Write like a municipal export: semicolons, dd.mm.yyyy, Windows-1252."""
    out = df.copy()
    out["datum"] = pd.to_datetime(out["datum"]).dt.strftime("%d.%m.%Y")
    path.write_bytes(out.to_csv(sep=";", index=False).encode("cp1252"))
    return path


def test_own_csv_german_conventions(tmp_path):
    df = datenlabor.load(DATASET).head(50)
    own = datenlabor.load(DATASET, path=_german_csv(tmp_path / "meldungen.csv", df))
    assert list(own.columns) == ["datum", "stadtteil", "text", "kategorie"]
    assert own["datum"].iloc[0] == df["datum"].iloc[0]
    assert own["text"].tolist() == df["text"].tolist()


def test_misnamed_column_gives_german_message(tmp_path):
    bad = tmp_path / "falsch.csv"
    bad.write_bytes(
        "datum;stadtteil;meldungstext;kategorie\n01.02.2025;Altstadt;Laterne aus;Beleuchtung\n".encode(
            "cp1252"
        )
    )
    with pytest.raises(CsvError) as info:
        datenlabor.load(DATASET, path=bad)
    message = str(info.value)
    assert "Erwartete Spalten: datum, stadtteil, text, kategorie" in message
    assert "text" in message.split("Es fehlen:")[1]


@pytest.mark.slow
def test_notebook_runs_on_own_german_csv(tmp_path):
    lab = get_lab(SLUG)
    # A smaller own export (every second report) in German conventions.
    df = datenlabor.load(DATASET).iloc[::2]
    csv = _german_csv(tmp_path / "eigene_meldungen.csv", df)
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
    app = page.locator(".datenlabor-app")
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
    assert "Straßen und Verkehr" in alt
