"""One German formatter for metrics, plots, upload tables and the CLI."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from datenlabor import formatting, plotting


def test_metric_groups_integers_and_shows_three_decimals():
    assert formatting.metric(1234567) == "1.234.567"
    assert formatting.metric(0.5) == "0,5" and formatting.metric(47.3) == "47,3"
    assert formatting.metric(0.87654) == "0,877" and formatting.metric(float("nan")) == "–"
    assert formatting.metric(True) == "ja" and formatting.metric("A") == "A"


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


def _shown(styler) -> list[str]:
    """The visible texts of a rendered table, in reading order."""
    import re

    html = re.sub(r"<style.*?</style>", " ", styler.to_html(), flags=re.S)
    return [
        t for t in re.sub(r"<[^>]+>", "\n", html).split("\n") if t.strip() not in ("", "&nbsp;")
    ]


def test_table_formats_cells_for_people():
    import datenlabor

    df = pd.DataFrame(
        {
            "jahr": [2023, None],
            "anzahl_kinder": [1234, np.nan],  # whole numbers with a gap: no decimals
            "quote": [0.5, 1234.56],
            "barrierefrei": [True, None],
            "PLZ": [24939, 24103],
            "Stichtag": pd.to_datetime(["2024-12-31", None]),
        }
    )
    shown = _shown(datenlabor.table(df))
    assert shown[:6] == ["Jahr", "Anzahl kinder", "Quote", "Barrierefrei", "PLZ", "Stichtag"]
    assert shown[6:] == ["2023", "1.234", "0,5", "Ja", "24939", "31.12.2024"] + [
        "–", "–", "1.234,6", "–", "24103", "–",
    ]  # fmt: skip
    text = " ".join(shown)
    for word in ("True", "False", "NaN", "nan", "NaT", "None", "dtype", "<NA>"):
        assert word not in text


def test_table_index_labels_digits_and_formats():
    import datenlabor

    s = pd.Series([False, True], index=pd.Index([2015, 2016], name="jahr"), name="betroffen")
    assert _shown(datenlabor.table(s)) == ["Jahr", "Betroffen", "2015", "Nein", "2016", "Ja"]
    counts = pd.DataFrame({"A": [1, 2]}, index=pd.Index(["x", "y"], name="stadtteil"))
    assert "<thead>" in datenlabor.table(counts).to_html()
    assert datenlabor.table(counts).to_html().count("</tr>") == 3  # one header row, two rows
    counts.columns.name = "Leistungsart"  # a named column axis keeps the index and its label
    assert _shown(datenlabor.table(counts))[:3] == ["Leistungsart", "A", "Stadtteil"]
    plain_rows = pd.DataFrame({"wert": [0.126]})  # row numbers are noise, hidden
    assert _shown(datenlabor.table(plain_rows, digits=2)) == ["Wert", "0,13"]
    named = pd.DataFrame({"anteil": [0.5, pd.NA]}, index=["A", "B"])
    assert _shown(
        datenlabor.table(named, labels={"anteil": "Anteil bewilligt"}, formats=lambda x: f"{x:.0%}")
    ) == ["Anteil bewilligt", "A", "50%", "B", "–"]
    assert _shown(datenlabor.table(named, index=False, digits={"anteil": 2})) == [
        "Anteil",
        "0,50",
        "–",
    ]
    twice = pd.DataFrame([[1, 2.5]], columns=["a", "a"])  # duplicate labels still work
    assert _shown(datenlabor.table(twice, caption="Zwei Spalten")) == [
        "Zwei Spalten",
        "A",
        "A",
        "1",
        "2,5",
    ]
    with pytest.raises(TypeError):
        datenlabor.table([1, 2])


def test_table_aligns_words_left_and_numbers_right():
    import datenlabor

    df = pd.DataFrame({"Stadtteil": ["A", None], "Anzahl": [1, 2], "Anteil": ["27 %", "3 %"]})
    html = datenlabor.table(df).to_html()
    assert "td.col0" in html and "td.col1" not in html and "td.col2" not in html


def test_count_uses_the_right_number_of_the_noun():
    from datenlabor.formatting import count

    assert count(1, "Wert", "Werte") == "1 Wert"
    assert count(0, "Wert", "Werte") == "0 Werte"
    assert count(2, "Lauf", "Läufe") == "2 Läufe"
    assert count(12345, "Zeile", "Zeilen") == "12.345 Zeilen"


def test_metric_values_in_a_run_summary_read_alike():
    """Run summary: ``mittelwert: 5,76`` next to ``median: 4,95``; accuracy 1.0 is ``1,00``."""
    from datenlabor.formatting import metric_value

    assert [metric_value(v) for v in (5.758, 4.95, 1.0, 0.8734, 125032, 12345.67)] == [
        "5,76",
        "4,95",
        "1,00",
        "0,873",
        "125.032",
        "12.345,7",
    ]


def test_readable_headers_restore_umlauts_and_nouns_after_je():
    """Tryout: „Wohnflaeche je einwohner“ as a column header in apps."""
    from datenlabor.formatting import readable

    assert readable("wohnflaeche_je_einwohner") == "Wohnfläche je Einwohner"
    assert readable("kita_plaetze_je_100_kinder") == "Kita plätze je 100 Kinder"
    assert readable("strasse") == "Straße"
    # whole words only: words that merely contain „ue“/„ae“ stay as they are
    assert readable("quelle") == "Quelle" and readable("aktuell") == "Aktuell"
    assert readable("Schon Lesbar") == "Schon Lesbar"
