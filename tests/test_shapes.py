"""Shape of an own file (shapes.detect_form): daily series or one row per building.

Fast checks without a kernel; the end-to-end run on the shared building file is in
tests/labs/test_eigene_daten.py.
"""

from __future__ import annotations

import pytest

import datenlabor
from datenlabor.cli import main
from datenlabor.errors import CsvError, ParameterError
from datenlabor.shapes import detect_form, forms
from tests.helpers import fixture_path

DATASET = "gebaeude-verbrauch"
OWN = fixture_path("eigene-daten")


def _csv(tmp_path, text: str, name: str = "bericht.csv"):
    path = tmp_path / name
    path.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    return path


def test_the_dataset_declares_both_shapes_and_the_default_stays_the_series():
    assert forms(DATASET) == {"zeitreihe": DATASET, "querschnitt": "gebaeude-jahreswerte"}
    assert detect_form(DATASET).table == DATASET
    assert detect_form(DATASET, form="querschnitt").table == "gebaeude-jahreswerte"
    annual = datenlabor.load(DATASET, "gebaeude-jahreswerte")
    assert len(annual) == annual["gebaeude"].nunique() == 12
    # the annual heat is the 2024 sum of the daily table (same synthetic buildings)
    daily = datenlabor.load(DATASET)
    summed = daily[daily["datum"].dt.year == 2024].groupby("gebaeude")["verbrauch_kwh"].sum()
    rathaus = annual.set_index("gebaeude").loc["Rathaus", "verbrauch_kwh"]
    assert abs(rathaus - summed["Rathaus"]) < 1


def test_the_shared_building_file_is_a_cross_section():
    shape = detect_form(DATASET, OWN / "gebaeude-energie.csv")
    assert shape.form == "querschnitt" and "keine Datumsspalte" in shape.text
    df = datenlabor.load(DATASET, shape.table, path=OWN / "gebaeude-energie.csv")
    assert len(df) == 60 and df["verbrauch_kwh"].min() == 53929  # „53.929“: thousands dot
    assert int((df["strom_kwh"] == 0).sum()) == 8
    assert df["flaeche_m2"].isna().all()  # the file has no floor area: stays empty
    # coordinates, district and source never reach the lab
    assert list(df.columns) == [
        "gebaeude_id",
        "gebaeude",
        "gebaeudeart",
        "waermeversorgung",
        "baujahr",
        "flaeche_m2",
        "verbrauch_kwh",
        "strom_kwh",
    ]


def test_an_energy_report_with_other_column_names_is_matched_by_synonyms(tmp_path):
    path = _csv(
        tmp_path,
        "Liegenschaft;Gebäudetyp;BGF (m²);Energieverbrauch (kWh);Strom;Ansprechpartner\n"
        "Grundschule Nord;Schule;2.100;242.634;25.479;Erika Mustermann\n"
        "Kita Süd;Kita;700;105.508;11.993;Max Mustermann\n",
    )
    shape = detect_form(DATASET, path)
    assert shape.form == "querschnitt"
    df = datenlabor.load(DATASET, shape.table, path=path)
    assert df["flaeche_m2"].tolist() == [2100, 700]
    assert df["verbrauch_kwh"].tolist() == [242634, 105508]
    assert df["gebaeude_id"].tolist() == ["1", "2"]  # default: running number
    assert "Mustermann" not in df.to_string()


def test_unusual_names_need_the_mapping_and_then_fit(tmp_path, capsys):
    path = _csv(
        tmp_path,
        "Objekt;Heizwärme 2024;Fläche NGF\nRathaus;633.927;3.600\nBürgerhaus;177.347;1.300\n",
    )
    with pytest.raises(CsvError, match="passt zu keiner"):
        detect_form(DATASET, path)
    spalten = "verbrauch_kwh=Heizwärme 2024; flaeche_m2=Fläche NGF"
    shape = detect_form(DATASET, path, spalten=spalten)
    assert shape.form == "querschnitt"
    df = datenlabor.load(DATASET, shape.table, path=path, spalten=spalten)
    assert (df["verbrauch_kwh"] / df["flaeche_m2"]).round(1).tolist() == [176.1, 136.4]
    # the same mapping in the check prints the call to use
    assert (
        main(["daten", "pruefen", "auffaelligkeiten-finden", str(path), "--spalten", spalten]) == 0
    )
    out = capsys.readouterr().out
    assert "flaeche_m2        ← „Fläche NGF“  (zugeordnet mit „spalten“)" in out
    assert '"gebaeude=Objekt; flaeche_m2=Fläche NGF; verbrauch_kwh=Heizwärme 2024"' in out


def test_two_candidates_are_never_guessed(tmp_path):
    path = _csv(tmp_path, "Gebäude;Verbrauch;Energieverbrauch\nRathaus;1;2\n")
    with pytest.raises(CsvError, match="Geraten wird nicht"):
        detect_form(DATASET, path)


def test_a_daily_file_stays_a_series_and_unknown_forms_are_refused(tmp_path):
    daily = datenlabor.load(DATASET)
    path = tmp_path / "tage.csv"
    daily.head(30).to_csv(path, index=False)
    assert detect_form(DATASET, path).form == "zeitreihe"
    with pytest.raises(ParameterError, match="Erlaubt: automatisch, zeitreihe, querschnitt"):
        detect_form(DATASET, path, form="jahr")
