"""The dataset loader: any working directory, bundled or own data, German messages."""

from __future__ import annotations

import pytest

import datenlabor
from datenlabor.catalog import discover
from datenlabor.datasets import package_path, validate_package
from datenlabor.errors import CsvError, DatasetError


def test_load_from_any_working_directory(mini_lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    df = datenlabor.load("mini-daten")
    assert list(df.columns) == ["datum", "name", "wert"]
    assert str(df["datum"].dtype).startswith("datetime64")
    assert df["wert"].sum() == pytest.approx(15.5)


def test_missing_dataset_names_what_exists(mini_lab):
    with pytest.raises(
        DatasetError, match="Datensatz „gibtsnicht“ fehlt.*Vorhandene Datensätze: mini-daten"
    ):
        datenlabor.load("gibtsnicht")


def test_own_german_csv_matches_schema(mini_lab, tmp_path):
    own = tmp_path / "eigene.csv"
    own.write_bytes(
        "datum;name;wert\n01.02.2024;Müllerviertel;1.234,5\n02.02.2024;Süd;2,5\n".encode("cp1252")
    )
    df = datenlabor.load("mini-daten", path=own)
    assert df["wert"].tolist() == [1234.5, 2.5]
    assert df["name"].tolist() == ["Müllerviertel", "Süd"]
    assert df["datum"].dt.day.tolist() == [1, 2]


def test_own_csv_with_wrong_columns_names_expected_and_found(mini_lab, tmp_path):
    own = tmp_path / "falsch.csv"
    own.write_text("Datum;Stadtteil;wert\n01.02.2024;Süd;1\n", encoding="utf-8")
    with pytest.raises(CsvError) as info:
        datenlabor.load("mini-daten", path=own)
    text = str(info.value)
    assert "Erwartete Spalten: datum, name, wert" in text
    assert "Gefundene Spalten: Datum, Stadtteil, wert" in text
    assert "Es fehlen: name." in text  # „Datum“ fills „datum“ (same name but for case)


def test_own_csv_with_bad_numbers(mini_lab, tmp_path):
    own = tmp_path / "zahlen.csv"
    own.write_text("datum,name,wert\n2024-01-01,A,viel\n", encoding="utf-8")
    with pytest.raises(CsvError, match="Spalte „wert“.*Zahl"):
        datenlabor.load("mini-daten", path=own)


def test_fixture_package_validates(mini_lab):
    assert validate_package("mini-daten") == []


def _real_datasets() -> list[str]:
    ids = {d for lab in discover() for d in lab.datasets}
    return sorted(ids)


@pytest.mark.parametrize("dataset_id", _real_datasets())
def test_every_real_dataset_is_a_valid_package(dataset_id):
    assert package_path(dataset_id).is_file()
    assert validate_package(dataset_id) == []
    desc = datenlabor.datasets.describe(dataset_id)
    assert desc["licenses"] and desc["sources"] and desc["title"]


def test_integer_column_with_a_number_too_big_for_int64_is_refused():
    import pandas as pd

    from datenlabor.datasets import apply_schema

    df = pd.DataFrame({"anzahl": ["5", "99999999999999999999"]})
    with pytest.raises(CsvError, match="Spalte „anzahl“.*zu große Zahl: 100000000000000000000"):
        apply_schema(df, [{"name": "anzahl", "type": "integer"}], "gross.csv")
