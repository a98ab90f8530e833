"""Lab "Auffälligkeiten finden": dataset with planted faults, own data, detector quality, app."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import datenlabor
from datenlabor import datasets
from datenlabor.catalog import get_lab
from datenlabor.errors import CsvError
from datenlabor.paths import project_root
from tests.notebooks import execute_lab

SLUG = "auffaelligkeiten-finden"
DATASET = "gebaeude-verbrauch"
SCRIPT = project_root() / "scripts" / "make_gebaeude_verbrauch.py"
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


def german_csv(df, encoding: str = "cp1252") -> bytes:
    """As a German office exports it: semicolon, decimal comma, dd.mm.yyyy, ja/nein."""
    df = df.copy()
    df["datum"] = df["datum"].dt.strftime("%d.%m.%Y")
    for col in ("schulferien", "feiertag"):
        df[col] = df[col].map({True: "ja", False: "nein"})
    text = df.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return text.encode(encoding)


def test_dataset_validates():
    assert datasets.validate_package(DATASET) == []
    assert datasets.is_synthetic(DATASET)


def test_generator_reproduces_csv_byte_for_byte(tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True
    )
    committed = project_root() / "datasets" / DATASET / f"{DATASET}.csv"
    assert (tmp_path / f"{DATASET}.csv").read_bytes() == committed.read_bytes()
    assert committed.stat().st_size < 2_000_000


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


def test_german_csv_with_dates_loads_like_the_bundled_data(tmp_path):
    bundled = datenlabor.load(DATASET)
    part = bundled[bundled["gebaeude_id"].isin(["G05", "G08"])].reset_index(drop=True)
    own = tmp_path / "verbrauch.csv"
    own.write_bytes(german_csv(part))
    loaded = datenlabor.load(DATASET, path=own)
    assert loaded["datum"].tolist() == part["datum"].tolist()
    assert loaded["schulferien"].tolist() == part["schulferien"].tolist()
    assert loaded["verbrauch_kwh"].tolist() == pytest.approx(part["verbrauch_kwh"].tolist())
    assert set(loaded["gebaeude"]) == {"Kita Sonnenschein", "Rathaus"}
    assert loaded["stoerung"].dropna().tolist() == part["stoerung"].dropna().tolist()


def test_misnamed_column_gives_german_message(tmp_path):
    bundled = datenlabor.load(DATASET).head(50)
    bad = tmp_path / "falsch.csv"
    bad.write_bytes(german_csv(bundled.rename(columns={"verbrauch_kwh": "Verbrauch (kWh)"})))
    with pytest.raises(CsvError) as info:
        datenlabor.load(DATASET, path=bad)
    message = str(info.value)
    assert "Erwartete Spalten" in message and "aussentemperatur" in message
    assert "Es fehlen: verbrauch_kwh" in message


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

    expect(plot).to_have_attribute("alt", re.compile(r"Tagesverbrauch von Kita Regenbogen"))
    expect(box).to_contain_text("Trefferquote")
    assert_no_code(page)
