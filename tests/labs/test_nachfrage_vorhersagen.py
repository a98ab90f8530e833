"""Tests for the lab "Nachfrage vorhersagen" and its dataset "buergerbuero-besuche"."""

from __future__ import annotations

import pandas as pd
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.helpers import german_csv
from tests.notebooks import execute_lab

SLUG = "nachfrage-vorhersagen"
DATASET = "buergerbuero-besuche"


def test_planted_calendar_effects():
    df = datenlabor.load(DATASET)
    assert df["datum"].is_monotonic_increasing and df["datum"].diff().dt.days.iloc[1:].eq(1).all()
    sundays = df[df["datum"].dt.day_of_week == 6]
    assert not sundays["geoeffnet"].any() and (sundays["besuche"] == 0).all()
    # Christmas Day and Easter Monday 2025 (21 April) are closed.
    closed = df.set_index("datum")["geoeffnet"]
    assert not closed[pd.Timestamp("2024-12-25")] and not closed[pd.Timestamp("2025-04-21")]
    open_days = df[df["geoeffnet"]]
    by_day = open_days.groupby(open_days["datum"].dt.day_of_week)["besuche"].mean()
    assert by_day[3] > by_day[1] > by_day[4]  # Thursday long, Friday short


@pytest.mark.slow
def test_notebook_runs_on_own_german_csv(tmp_path):
    lab = get_lab(SLUG)
    # Own export: only the last two years, in German conventions.
    df = datenlabor.load(DATASET)
    df = df[df["datum"] >= "2024-11-01"]
    csv = tmp_path / "eigene_besuche.csv"
    csv.write_bytes(german_csv(df, encoding="utf-8-sig"))
    out = tmp_path / "out.ipynb"
    metrics = execute_lab(
        lab, out, {**lab.ci_parameters, "daten": str(csv), "modell": "Gradient Boosting"}
    )
    assert metrics["anzahl_tage"] == len(df)
    assert metrics["mae_modell"] < metrics["mae_baseline"]
    assert 0.1 <= metrics["verbesserung_gegenueber_baseline"] <= 0.8


@pytest.mark.browser
@pytest.mark.slow
def test_app_changes_forecast_horizon(app_url, page):
    page.goto(app_url(SLUG))
    app = page.locator(".datenlabor-app").first
    app.wait_for(timeout=60_000)
    bild = app.locator("img").first
    bild.wait_for(timeout=30_000)
    vorher = bild.get_attribute("alt")
    assert "Vorhersage für 28 Tage" in vorher
    page.get_by_label("Modell", exact=True).select_option("Gradient Boosting")
    page.wait_for_function(
        "() => document.querySelector('.datenlabor-app img')?.alt.includes('Gradient Boosting')",
        timeout=30_000,
    )
    assert app.locator("img").first.get_attribute("alt") != vorher
