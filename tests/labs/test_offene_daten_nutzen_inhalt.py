"""What the lab "Offene Daten nutzen" teaches: licences, statistics signs, plausibility."""

from __future__ import annotations

import json

import pytest

from datenlabor.catalog import get_lab
from tests.notebooks import execute_lab

SLUG = "offene-daten-nutzen"


def _text() -> str:
    nb = json.loads(get_lab(SLUG).notebook.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_licences_are_complete_and_precise():
    text = _text()
    assert "dl-de/zero-2.0" in text  # common on German portals, no attribution needed
    # CC BY 4.0, section 3(a): keep copyright, licence and disclaimer notices; title not required.
    for duty in ("Urheberrechtsvermerk", "Hinweis auf die Lizenz", "Haftungsausschluss"):
        assert duty in text
    assert "Titel** verlangt Version 4.0 nicht mehr" in text
    assert "Stand 29.11.2026" in text  # legal statements are dated


def test_dash_means_zero_in_official_statistics():
    text = _text()
    assert "„–“ bedeutet **genau null**" in text or "bedeutet „–“ **genau null**" in text
    assert "Messausfall" in text  # ... but the NO2 file documents "-" as a measurement gap


def test_no_weather_reading_of_an_impossible_daily_mean():
    assert "Inversionswetter" not in _text()


@pytest.mark.slow
def test_signs_in_number_columns_are_counted(tmp_path):
    lab = get_lab(SLUG)
    metrics = execute_lab(
        lab, tmp_path / "no2.ipynb", {**lab.ci_parameters, "beispiel": "no2-messwerte"}
    )
    assert metrics["zeichen_in_zahlenspalten"] == 4  # four "-" for measurement gaps
    assert metrics["doppelte_zeilen"] == 5
