"""One German formatter for metrics, plots, upload tables and the CLI."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from datenlabor import formatting, plotting


def test_metric_groups_integers_and_shows_three_decimals():
    assert formatting.metric(1234567) == "1.234.567"
    assert formatting.metric(0.5) == "0,500"
    assert formatting.metric(True) == "True" and formatting.metric("A") == "A"


def test_number_has_fixed_decimals_and_plotting_uses_it():
    assert plotting.number is formatting.number
    assert formatting.number(1234.5) == "1.234,5"
    assert formatting.number(-3.25, 2) == "-3,25"
    assert formatting.number(12.6, 0) == "13"


def test_cells_of_tables():
    cell = formatting.cell
    assert [cell(None), cell(float("nan")), cell(pd.NaT), cell(pd.NA)] == ["–"] * 4
    assert cell(True) == "ja" and cell(np.bool_(False)) == "nein"
    assert cell(2024) == "2024" and cell(np.int64(12345)) == "12.345"  # DIN 5008
    assert cell(1.5) == "1,5" and cell(np.float64(2.0)) == "2" and cell(0.125, 6) == "0,125"
    assert cell(pd.Timestamp("2024-12-31")) == "31.12.2024"
    assert cell(pd.Timestamp("2024-12-31 13:05")) == "31.12.2024 13:05"
    assert cell(dt.date(2025, 1, 2)) == "02.01.2025"
    assert cell(["A", "B"]) == "A, B" and cell("Text") == "Text"
