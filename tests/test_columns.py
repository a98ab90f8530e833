"""Column mapping (`spalten`): parsing, automatic matching, errors before any kernel starts."""

from __future__ import annotations

import pytest

import datenlabor
from datenlabor.cli import main
from datenlabor.columns import normalise, parse_mapping, resolve
from datenlabor.datasets import resource
from datenlabor.errors import CsvError, ParameterError
from tests.helpers import fixture_path

OWN = fixture_path("eigene-daten")


def _fields(dataset: str) -> list[dict]:
    return resource(dataset)["schema"]["fields"]


def _entries(root):
    return sorted(p.name for p in root.rglob("*")) if root.exists() else []


def test_names_are_compared_without_case_space_and_umlaut_spelling():
    assert normalise(" Zählerstand ") == normalise("ZAEHLERSTAND") == "zaehlerstand"
    assert normalise("Anteil unter 18 Jahren in %") == "anteil_unter_18_jahren_in_prozent"
    assert normalise("Straße") == normalise("strasse")


def test_mapping_syntax():
    assert parse_mapping(" text=text_raw; kategorie = category_parent ;") == {
        "text": "text_raw",
        "kategorie": "category_parent",
    }
    assert parse_mapping("") == {}
    with pytest.raises(ParameterError, match="„datum“ ist keine Zuordnung"):
        parse_mapping("datum")
    with pytest.raises(ParameterError, match="zweimal"):
        parse_mapping("datum=a; datum=b")


def test_portal_export_is_matched_without_mapping_and_extra_columns_are_dropped():
    df = datenlabor.load("maengelmelder", path=OWN / "maengelmelder-export.csv")
    assert list(df.columns) == ["datum", "stadtteil", "text", "kategorie"]
    assert df["kategorie"].nunique() == 6
    assert set(df["stadtteil"]) == {"alle"}  # documented default: one group
    how = {c.name: (c.how, c.source) for c in df.attrs["spalten"].columns}
    assert how["text"] == ("erkannt", "text_raw")
    assert "responsible" in df.attrs["spalten"].ignored


def test_counter_gets_the_opened_default_from_counts():
    df = datenlabor.load("buergerbuero-besuche", path=OWN / "radzaehlung.csv")
    assert list(df.columns) == ["datum", "besuche", "geoeffnet"]
    assert (df["geoeffnet"] == (df["besuche"] > 0)).all()
    assert not df["geoeffnet"].all()  # outage days with 0


def test_explicit_mapping_wins_over_synonyms():
    fields = _fields("maengelmelder")
    header = ["date_created", "text_raw", "notiz", "category_parent"]
    res = resolve(fields, header, "text=notiz")
    assert {c.name: c.source for c in res.columns}["text"] == "notiz"
    assert "text_raw" in res.ignored


def test_ambiguous_match_is_never_guessed():
    fields = _fields("maengelmelder")
    with pytest.raises(CsvError) as info:
        resolve(fields, ["Tag", "date", "text", "kategorie"])
    text = str(info.value)
    assert "mehrere Spalten" in text and "Geraten wird nicht" in text
    assert '-p spalten "datum=Tag"' in text and '-p spalten "datum=date"' in text
    resolve(fields, ["Tag", "date", "text", "kategorie"], "datum=date")  # resolved


@pytest.mark.parametrize(
    ("spalten", "message"),
    [
        ("farbe=text_raw", "Die Zielspalte „farbe“ gibt es in diesem Lab nicht"),
        (
            "text=beschreibung",
            "Die Quellspalte „beschreibung“ (für „text“) gibt es in der Datei nicht",
        ),
        ("datum", "„datum“ ist keine Zuordnung"),
    ],
)
def test_mapping_errors_stop_the_run_before_the_kernel(spalten, message, tmp_path, capsys):
    out = tmp_path / "runs"
    csv = str(OWN / "maengelmelder-export.csv")
    args = ["run", "buergeranliegen-zuordnen", "-o", str(out), "-p", "daten", csv]
    assert main([*args, "-p", "spalten", spalten]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if "=" in spalten:
        assert "Erwartete Spalten: datum, stadtteil, text, kategorie" in err
        assert "Gefundene Spalten: id, date_created, text_raw" in err
    assert _entries(out) == []


def test_ambiguous_file_stops_the_run(tmp_path, capsys):
    csv = tmp_path / "zwei_daten.csv"
    csv.write_text(
        "Tag;date;text;kategorie\n01.02.2024;01.02.2024;Loch;Strasse\n", encoding="utf-8"
    )
    out = tmp_path / "runs"
    code = main(["run", "buergeranliegen-zuordnen", "-o", str(out), "-p", "daten", str(csv)])
    assert code == 2
    assert "Geraten wird nicht" in capsys.readouterr().err
    assert _entries(out) == []


def test_data_check_names_how_columns_are_filled_and_the_call(capsys):
    csv = str(OWN / "radzaehlung.csv")
    assert main(["daten", "pruefen", "nachfrage-vorhersagen", csv]) == 0
    out = capsys.readouterr().out
    assert "besuche    ← „Zaehlerstand“  (automatisch erkannt)" in out
    assert "geoeffnet  ← geöffnet an jedem Tag mit einer Zählung über 0  (Standard)" in out
    assert "Werte: 0 bis 4445" in out
    assert f'datenlabor run nachfrage-vorhersagen -p daten {csv} -p spalten "datum=Datum; ' in out


def test_data_check_never_shows_values_of_unused_columns(capsys):
    csv = str(OWN / "maengelmelder-export.csv")
    assert main(["daten", "pruefen", "buergeranliegen-zuordnen", csv]) == 0
    out = capsys.readouterr().out
    assert (
        "Nicht verwendet (Inhalte werden nicht angezeigt): id, category_child, responsible" in out
    )
    assert "beteiligung.example" not in out and "Musterstadt, Germany" not in out
    assert 'spalten "datum=date_created; text=text_raw; kategorie=category_parent"' in out


def test_data_check_finds_the_cross_section_and_names_its_columns(capsys):
    """One row per building: the check says which shape and why the method changes."""
    csv = str(OWN / "gebaeude-energie.csv")
    assert main(["daten", "pruefen", "auffaelligkeiten-finden", csv]) == 0
    out = capsys.readouterr().out
    assert "Form der Daten: Querschnitt (je Zeile ein Gebäude mit Jahreswerten)" in out
    assert "Verglichen wird deshalb jedes Gebäude mit ähnlichen Gebäuden" in out
    assert "gebaeude          ← „Wirtschaftseinheit“  (automatisch erkannt)" in out
    assert "verbrauch_kwh     ← „Wärmeverbrauch“  (automatisch erkannt)" in out
    assert "Werte: 53.929 bis 879.758" in out  # thousands dots read as thousands
    assert "flaeche_m2        ← –  (fehlt, bleibt leer)" in out and "Energiekennwert" in out
    # coordinates, district and source are named, never shown
    assert "Nicht verwendet (Inhalte werden nicht angezeigt): Wärmeverbrauch Witterung, x, y" in out
    assert "7.05187" not in out and "Immobilienamt" not in out
    assert f"datenlabor run auffaelligkeiten-finden -p daten {csv} -p spalten " in out


def test_a_file_of_neither_shape_is_refused_before_the_kernel(tmp_path, capsys):
    """A bicycle counter (date and count, no building) is neither a series of buildings nor
    a table of buildings: exit 2, both shapes explained, nothing written."""
    out = tmp_path / "runs"
    csv = str(OWN / "radzaehlung.csv")
    assert main(["run", "auffaelligkeiten-finden", "-o", str(out), "-p", "daten", csv]) == 2
    err = capsys.readouterr().err
    assert "Dieses Lab arbeitet mit zwei Formen von Daten, die Datei passt zu keiner" in err
    assert "– Zeitreihe (je Zeile ein Gebäude an einem Tag): braucht datum, gebaeude_id" in err
    assert "– Querschnitt (je Zeile ein Gebäude mit Jahreswerten): braucht gebaeude, " in err
    assert "Gefundene Spalten: Datum, Zaehlerstand" in err and "Traceback" not in err
    assert _entries(out) == []


def test_a_forced_shape_the_file_lacks_is_refused(tmp_path, capsys):
    out = tmp_path / "runs"
    csv = str(OWN / "gebaeude-energie.csv")
    args = ["run", "auffaelligkeiten-finden", "-o", str(out), "-p", "daten", csv]
    assert main([*args, "-p", "form", "zeitreihe"]) == 2
    err = capsys.readouterr().err
    assert "passt nicht zur Form Zeitreihe" in err and "Es fehlen: datum" in err
    assert main([*args, "-p", "form", "monatlich"]) == 2
    assert "„monatlich“" in capsys.readouterr().err
    assert _entries(out) == []


def test_district_statistics_fill_the_exploration_lab_with_empty_optional_columns():
    df = datenlabor.load("stadtteile-musterstadt", path=OWN / "stadtteile-statistik.csv")
    assert df["stadtteil"].nunique() == 8 and df["geburten"].isna().all()
    assert df["SGB-II-Quote in %"].min() == 0  # „-“ is exactly zero
    assert df["Arbeitslose in %"].isna().sum() == 1  # „.“ is a gap
    how = {c.name: c.how for c in df.attrs["spalten"].columns}
    assert how["einwohner"] == "erkannt" and how["hinweis"] == "leer"
    # the indicators are the file's number columns under their own names, then Einwohner
    assert list(df.attrs["indikatoren"]) == [
        "Anteil unter 18 Jahren in %",
        "Anteil 65 Jahre und älter in %",
        "Arbeitslose in %",
        "SGB-II-Quote in %",
        "Einwohner insgesamt",
    ]
    assert df.attrs["indikatoren"]["Einwohner insgesamt"] == "einwohner"


def test_data_check_for_the_quality_lab_takes_any_csv_and_flags_personal_columns(capsys):
    csv = str(OWN / "maengelmelder-export.csv")
    assert main(["daten", "pruefen", "offene-daten-nutzen", csv]) == 0
    out = capsys.readouterr().out
    assert "profiliert jede CSV-Datei" in out and "responsible (Name (Spaltenname))" in out
    assert "DSGVO" in out and f"datenlabor run offene-daten-nutzen -p daten {csv}" in out
