"""The shared CSV reader against a corpus of small files, one per quirk and per failure."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import datenlabor
from datenlabor import csvfiles
from datenlabor.csvfiles import CsvInfo, convert_types, read_csv, read_csv_info, sniff, to_numbers
from datenlabor.errors import CsvError
from tests.helpers import fixture_path


def corpus(name: str):
    return fixture_path("csv", name)


# name: (delimiter, encoding, decimal, thousands, shape, {column: (row, expected text)})
READABLE = {
    "semikolon-dezimalkomma.csv": (";", "utf-8", ",", ".", (3, 4), {"Dichte": (0, "6.363,6")}),
    "utf8-bom.csv": (";", "utf-8-sig", ",", None, (2, 3), {"Stadtteil": (1, "Mühlbach")}),
    "cp1252-umlaute.csv": (";", "cp1252", ",", ".", (3, 3), {"Straße": (2, "Äußere Ringstraße")}),
    "fehlwerte-na-leer.csv": (";", "utf-8", ",", None, (4, 4), {"Plätze": (0, "120")}),
    "leerzeichen-kategorien.csv": (";", "utf-8", ",", None, (4, 2), {"Träger": (0, "kirchlich")}),
    "zahlen-als-text.csv": (";", "utf-8", ",", ".", (3, 5), {"PLZ": (0, "01067")}),
    "kopfzeile-doppelt.csv": (";", "utf-8", ",", None, (4, 3), {"Jahr": (2, "2024")}),
    "anfuehrungszeichen-trenner.csv": (
        ",",
        "utf-8",
        ".",
        None,
        (3, 4),
        {
            "adresse": (0, "Am Markt 3, Ecke Bahnhofstraße"),
            "bemerkung": (1, 'Sagt "Waldspielplatz" dazu'),
        },
    ),
    "tabulator-utf16.csv": ("\t", "utf-16", ",", None, (2, 3), {"Stadtteil": (1, "Rosenau")}),
    "senkrechter-strich.csv": ("|", "utf-8", ".", None, (3, 3), {"stadtteil": (2, "Feldrand")}),
    "datum-deutsch.csv": (";", "utf-8", ",", None, (3, 3), {"Datum": (0, "01.03.2024")}),
    "datum-iso.csv": (",", "utf-8", ".", None, (3, 3), {"datum": (2, "2024-03-03")}),
    "englische-zahlen.csv": (",", "utf-8", ".", ",", (2, 3), {"population": (0, "14,700")}),
    "eine-spalte.csv": (";", "utf-8", ",", None, (3, 1), {"Stadtteil": (2, "Feldrand")}),
    "excel-sep-zeile.csv": (";", "utf-8", ",", None, (2, 2), {"Wert": (1, "2,5")}),
    "leere-zeilen-trenner-am-ende.csv": (";", "utf-8", ",", None, (2, 2), {"Wert": (1, "2,5")}),
    "spaltennamen-doppelt.csv": (";", "utf-8", ",", None, (2, 3), {"Wert (2)": (1, "4")}),
}

# name: words the German message must contain
FAILING = {
    "fehler-leer.csv": ["leer"],
    "fehler-nur-leerzeilen.csv": ["leer"],
    "fehler-png.csv": ["keine CSV-Datei", "PNG-Bild"],
    "fehler-xlsx.csv": ["keine CSV-Datei", "Excel", "CSV UTF-8"],
    "fehler-binaer.csv": ["keine Textdatei", "Binärdaten"],
    "fehler-html.csv": ["Webseite (HTML)", "Download-Link"],
    "fehler-ungleiche-zeilen.csv": ["ungleich lang", "Zeile 3 hat 2", "Zeile 4 hat 5"],
    "fehler-anmerkung-unter-tabelle.csv": ["ungleich lang", "Zeile 5 hat 1", "Anmerkungen"],
    "fehler-titelzeile.csv": ["Kopfzeile", "Titel", "skiprows"],
}


def test_corpus_is_complete():
    names = {p.name for p in fixture_path("csv").glob("*.csv")}
    assert names == set(READABLE) | set(FAILING)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_reads_each_quirk(name):
    sep, encoding, decimal, thousands, shape, cells = READABLE[name]
    df, info = read_csv_info(corpus(name))
    assert (info.delimiter, info.encoding) == (sep, encoding)
    assert (info.decimal, info.thousands) == (decimal, thousands)
    assert df.shape == shape
    assert all(str(dtype) in ("str", "string", "object") for dtype in df.dtypes), df.dtypes
    for column, (row, text) in cells.items():
        assert df[column].iloc[row] == text
    assert info.rows, info.columns == shape


@pytest.mark.parametrize("name", sorted(READABLE))
def test_every_readable_file_also_converts(name):
    df = read_csv(corpus(name), convert=True)
    assert df.attrs["csv_info"]["name"] == name
    assert len(df) == READABLE[name][4][0]


@pytest.mark.parametrize("name", sorted(FAILING))
def test_each_failure_has_a_german_message(name):
    with pytest.raises(CsvError) as info:
        read_csv(corpus(name))
    message = str(info.value)
    for word in FAILING[name]:
        assert word in message, message
    assert "Traceback" not in message and "Error" not in message
    assert name in message or "Zeile" in message


@pytest.mark.parametrize("name", sorted(FAILING))
def test_failures_from_bytes_name_the_upload(name):
    with pytest.raises(CsvError):
        read_csv(corpus(name).read_bytes(), name="hochgeladen.csv")


def test_missing_markers_and_spaces_are_cleaned():
    df, info = read_csv_info(corpus("fehlwerte-na-leer.csv"))
    assert int(df.isna().sum().sum()) == 6  # four markers and two empty cells
    assert info.missing_markers == {"n/a": 1, "N/A": 1, "k.A.": 1, "#NV": 1}
    df, info = read_csv_info(corpus("leerzeichen-kategorien.csv"))
    assert sorted(df["Träger"].unique()) == ["kirchlich", "kommunal"]
    assert info.stripped_cells == 3


def test_repeated_header_rows_are_removed():
    df, info = read_csv_info(corpus("kopfzeile-doppelt.csv"))
    assert info.repeated_headers == 1
    assert "Stadtteil" not in set(df["Stadtteil"])
    assert "Wiederholte Kopfzeilen entfernt: 1" in info.describe()


def test_german_numbers_and_dates_convert():
    df = read_csv(corpus("semikolon-dezimalkomma.csv"), convert=True)
    assert df["Einwohner"].tolist() == [14700, 16214, 2150]
    assert df["Einwohner"].dtype == "int64"
    assert df["Dichte"].tolist() == [6363.6, 2795.5, 178.4]
    df = read_csv(corpus("datum-deutsch.csv"), convert=True)
    assert df["Datum"].dt.day.tolist() == [1, 2, 3]
    assert math.isnan(df["NO2 in µg/m³"].iloc[2])
    info = sniff(corpus("datum-deutsch.csv"))
    assert info.date_format == "%d.%m.%Y" and info.date_columns == ["Datum"]
    assert sniff(corpus("datum-iso.csv")).date_format == "%Y-%m-%d"


def test_numbers_stored_as_text_convert_but_keys_with_zeros_stay_text():
    df = read_csv(corpus("zahlen-als-text.csv"), convert=True)
    assert df["PLZ"].tolist() == ["01067", "01069", "01099"]
    assert df["Einwohner"].tolist() == [14700, 16214, 2150]
    assert df["Anteil"].tolist() == [12.5, 9.75, 3.0]
    assert math.isnan(df["Geburten"].iloc[0])  # "-" of official statistics


def test_english_numbers_with_thousands_comma():
    df = read_csv(corpus("englische-zahlen.csv"), convert=True)
    assert df["population"].tolist() == [14700, 2150]
    assert df["share"].tolist() == [12.5, 3.25]


def test_single_column_is_allowed_with_warning_unless_more_are_required():
    df, info = read_csv_info(corpus("eine-spalte.csv"))
    assert list(df.columns) == ["Stadtteil"]
    assert any("nur eine Spalte" in w for w in info.warnings)
    with pytest.raises(CsvError, match="mindestens 2"):
        read_csv(corpus("eine-spalte.csv"), min_columns=2)


def test_declared_options_win_over_detection():
    df, info = read_csv_info(corpus("cp1252-umlaute.csv"), encoding="latin-1", sep=";")
    assert info.encoding == "latin-1"
    with pytest.raises(CsvError, match="nicht als UTF-8 lesen"):
        read_csv(corpus("cp1252-umlaute.csv"), encoding="utf-8")
    df = read_csv(corpus("semikolon-dezimalkomma.csv"), decimal=",", thousands="", convert=True)
    assert df["Einwohner"].tolist() == [
        "14.700",
        "16.214",
        "2.150",
    ]  # not numbers without thousands
    df, info = read_csv_info(corpus("fehler-titelzeile.csv"), skiprows=1)
    assert df.shape == (3, 3)


def test_too_large_file_and_too_long_line(tmp_path):
    big = tmp_path / "gross.csv"
    big.write_text("a;b\n" + "1;2\n" * 300_000, encoding="utf-8")
    with pytest.raises(CsvError, match=r"zu groß \(1,1 MB\).*höchstens 1 MB"):
        read_csv(big, max_bytes=1024 * 1024)
    with pytest.raises(CsvError, match="zu groß"):
        read_csv(big.read_bytes(), max_bytes=1024 * 1024)
    long_line = tmp_path / "lang.csv"
    long_line.write_text("a;b\n1;" + "x" * (1024 * 1024 + 10) + "\n", encoding="utf-8")
    with pytest.raises(CsvError, match="Zeile 2 .* länger als 1 MB"):
        read_csv(long_line)


def test_missing_file_and_unclosed_quote(tmp_path):
    with pytest.raises(CsvError, match="gibt es nicht"):
        read_csv(tmp_path / "fehlt.csv")
    broken = tmp_path / "offen.csv"
    broken.write_text('a;b\n1;"offen\n2;3\n4;5\n', encoding="utf-8")
    with pytest.raises(CsvError, match="ungleich lang|Anführungszeichen"):
        read_csv(broken)


def test_to_numbers_german_english_and_errors():
    s = pd.Series(["1.234,5", " 12 ", "n/a", "-", None, "1 000,25"])
    assert to_numbers(s).tolist()[:2] == [1234.5, 12.0]
    assert to_numbers(s).isna().tolist() == [False, False, True, True, True, False]
    assert to_numbers(s).iloc[5] == 1000.25
    assert to_numbers(pd.Series(["1,234.5", "2"]), decimal=".", thousands=",").tolist() == [
        1234.5,
        2.0,
    ]
    with pytest.raises(
        CsvError, match="„Menge“ enthält 1 Werte, die keine Zahlen sind, z. B. „viele“"
    ):
        to_numbers(pd.Series(["1", "viele"], name="Menge"))
    assert to_numbers(pd.Series(["1.2.3"]), errors="coerce").isna().all()


def test_info_helpers():
    info = sniff(corpus("cp1252-umlaute.csv"))
    assert isinstance(info, CsvInfo)
    assert info.pandas_options() == {
        "sep": ";",
        "encoding": "cp1252",
        "decimal": ",",
        "thousands": ".",
    }
    assert "Zeichenkodierung: Windows-1252" in info.describe()
    frame = pd.read_csv(corpus("cp1252-umlaute.csv"), **info.pandas_options())
    assert frame["Gebühr in €"].tolist() == [1250.0, 12.5, 99.9]
    converted = convert_types(read_csv(corpus("cp1252-umlaute.csv")))
    assert converted["Gebühr in €"].tolist() == [1250.0, 12.5, 99.9]


def test_public_api_is_reexported():
    assert datenlabor.read_csv is csvfiles.read_csv


# A load() with path= reads through this reader and converts by the file's own separators.
KITA = "offene-daten-beispiele"


def test_load_with_path_uses_the_reader(tmp_path):
    own = tmp_path / "kita.csv"
    text = (
        "Stadtteil;Träger;Jahr;Plätze;Belegte Plätze;Auslastung in %;Kinder unter 6\n"
        "Nordstadt ;kommunal;2024;1.020;980;96,1;1.450\n"
        "Stadtteil;Träger;Jahr;Plätze;Belegte Plätze;Auslastung in %;Kinder unter 6\n"
        "Südstadt;frei;2024;85;k.A.;n/a;300\n"
    )
    own.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    df = datenlabor.load(KITA, "kita-plaetze", path=own)
    assert df["Plätze"].tolist() == [1020, 85]
    assert df["Kinder unter 6"].tolist() == [1450, 300]
    assert df["Stadtteil"].tolist() == ["Nordstadt", "Südstadt"]
    assert df["Belegte Plätze"].isna().tolist() == [False, True]
