"""The shared CSV reader against a corpus of small files, one per quirk and per failure."""

from __future__ import annotations

import math
from pathlib import Path

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
    # Once failures, now read: the title above and the source line below the table are skipped.
    "fehler-titelzeile.csv": (";", "utf-8", ",", None, (3, 3), {"Stadtteil": (2, "Feldrand")}),
    "fehler-anmerkung-unter-tabelle.csv": (
        ";",
        "utf-8",
        ",",
        None,
        (2, 3),
        {"Belegt": (1, "90")},
    ),
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
}


def test_corpus_is_complete():
    names = {p.name for p in fixture_path("csv").glob("*.csv")}
    assert names == set(READABLE) | set(FAILING) | set(KINDS)


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


def test_whole_numbers_too_big_for_int64_stay_float_instead_of_wrapping(tmp_path):
    path = tmp_path / "gross.csv"
    path.write_text("Datum,Zaehlerstand\n01.01.2023,788\n02.01.2023,99999999999999999999\n")
    df = read_csv(path, convert=True)
    assert df["Zaehlerstand"].dtype == "float64"
    assert df["Zaehlerstand"].tolist() == [788.0, 1e20]


def test_numbers_stored_as_text_convert_but_keys_with_zeros_stay_text():
    df = read_csv(corpus("zahlen-als-text.csv"), convert=True)
    assert df["PLZ"].tolist() == ["01067", "01069", "01099"]
    assert df["Einwohner"].tolist() == [14700, 16214, 2150]
    assert df["Anteil"].tolist() == [12.5, 9.75, 3.0]
    assert df["Geburten"].iloc[0] == 0  # "-" of official statistics: exactly zero


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


def test_size_limit_in_decimal_megabytes_and_raised_by_environment(tmp_path, monkeypatch):
    """38 000 000 bytes are "38 MB" as in a file manager; DATENLABOR_MAX_MB raises the limit."""
    from datenlabor.errors import ParameterError

    assert csvfiles._megabytes(38_000_000) == "38 MB"
    assert csvfiles._megabytes(1_200_004) == "1,2 MB"
    assert csvfiles.MAX_BYTES == 20_000_000
    big = tmp_path / "gross.csv"
    big.write_text("a;b\n" + "1;2\n" * 300_000, encoding="utf-8")  # 1,2 MB
    monkeypatch.setenv("DATENLABOR_MAX_MB", "1")
    with pytest.raises(CsvError) as info:
        read_csv(big)
    assert "zu groß (1,2 MB). Erlaubt sind höchstens 1 MB." in str(info.value)
    assert "export DATENLABOR_MAX_MB=10" in str(info.value)
    monkeypatch.setenv("DATENLABOR_MAX_MB", "1,5")
    assert len(read_csv(big)) == 300_000
    monkeypatch.setenv("DATENLABOR_MAX_MB", "viel")
    with pytest.raises(ParameterError, match="DATENLABOR_MAX_MB muss eine Zahl größer 0"):
        read_csv(big)


def test_too_large_file_and_too_long_line(tmp_path):
    big = tmp_path / "gross.csv"
    big.write_text("a;b\n" + "1;2\n" * 300_000, encoding="utf-8")
    with pytest.raises(CsvError, match=r"zu groß \(1,2 MB\).*höchstens 1 MB\.$"):
        read_csv(big, max_bytes=1_000_000)  # an explicit limit (the app's) names no way out
    with pytest.raises(CsvError, match="zu groß"):
        read_csv(big.read_bytes(), max_bytes=1_000_000)
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
    assert to_numbers(s).isna().tolist() == [False, False, True, False, True, False]
    assert to_numbers(s).iloc[3] == 0  # "-" is exactly zero (Destatis)
    assert to_numbers(s).iloc[5] == 1000.25
    assert to_numbers(pd.Series(["1,234.5", "2"]), decimal=".", thousands=",").tolist() == [
        1234.5,
        2.0,
    ]
    with pytest.raises(CsvError, match="„Menge“ enthält 1 Wert, der keine Zahl ist, z. B. „viele“"):
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


# ----------------------------------------------------------------------------- issue 18 kinds
# name: {column: (row, converted value)}, and words a warning must contain (empty: no warning)
KINDS = {
    # 1: no silent misreads, per-column number formats with file-wide evidence
    "zahlen-punkt-drei-stellen.csv": (
        {"W": (0, 12.5), "U": (0, 0.125), "Einwohner": (0, 12345)},
        [],
    ),
    "zahlen-mehrdeutig.csv": ({"Wert": (0, 12500)}, ["„Wert“", "mehrdeutig", "dezimal=punkt"]),
    "zahlen-mehrdeutig-komma-datei.csv": ({"wert": (0, 12.5)}, ["„wert“", "dezimal=komma"]),
    "zahlen-tausender-und-koordinaten.csv": (
        {"Verbrauch kWh": (0, 658830), "Fläche m²": (1, 980), "x": (0, 7.05187), "y": (2, 51.0314)},
        [],
    ),
    "zahlen-schmale-leerzeichen.csv": ({"Einwohner": (0, 12500), "Fläche": (0, 1234.5)}, []),
    "zahlen-englisch-punkt-semikolon.csv": ({"Wert": (0, 1234.5), "Anteil": (2, 12.75)}, []),
    # 2: find the table
    "tabelle-ladesaeulen.csv": ({"Breitengrad": (0, 51.4305), "Nennleistung [kW]": (1, 150)}, []),
    "tabelle-genesis.csv": ({"Einwohner 2022": (0, 132405), "Anteil in % 2023": (1, 50.9)}, []),
    "tabelle-zweizeilige-kopfzeile.csv": (
        {"Bevölkerung weiblich": (0, 10850), "Haushalte mit Kindern": (1, 1980)},
        ["mehrdeutig"],
    ),
    "tabelle-fussnoten.csv": ({"Belegt": (2, 38)}, []),
    "tabelle-quelle-komma.csv": ({"count": (1, 14)}, []),
    # 3: signs and decorated numbers
    "zeichen-destatis.csv": (
        {"Betriebe": (1, 0), "Beschäftigte": (0, 1310), "Umsatz 1.000 EUR": (2, 1204)},
        [],
    ),
    "zeichen-klammern-und-schraegstrich.csv": ({"Quote": (0, 12.5), "Anzahl": (2, 3)}, []),
    "dekoriert-prozent-euro.csv": (
        {"Anteil": (0, 92.6), "Betrag": (0, -1000.0), "Gebühr": (2, 0.99)},
        [],
    ),
    "dekoriert-buchhaltung.csv": ({"Betrag": (0, -1000.0), "Saldo": (2, -3.1)}, []),
    "dekoriert-unicode-minus.csv": ({"Temperatur": (2, -17.25), "Abweichung": (0, -0.25)}, []),
    # 4: dates
    "datum-zweistellig.csv": ({"Datum": (0, pd.Timestamp("2024-01-01"))}, []),
    "datum-excel-mitternacht.csv": ({"Datum": (2, pd.Timestamp("2020-04-03"))}, []),
    "datum-mit-sekunden.csv": ({"Zeitpunkt": (1, pd.Timestamp("2020-04-01 14:45:10"))}, []),
    # 5: Unicode
    "utf16-ohne-bom.csv": ({"Träger": (1, "frei")}, ["mehrdeutig"]),
    "utf16-be-ohne-bom.csv": ({"Quote": (0, 1.5), "Stadtteil": (0, "Mühlbach")}, []),
    "nfd-umlaute.csv": ({"Träger": (0, "kommunal"), "Straße": (1, "Mühlweg")}, []),
}


def _same(a, b):
    if isinstance(b, float):
        return math.isclose(a, b)
    return a == b


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_reads_right(name):
    cells, warning_words = KINDS[name]
    df = read_csv(corpus(name), convert=True)
    info = df.attrs["csv_info"]
    for column, (row, value) in cells.items():
        assert _same(df[column].iloc[row], value), (column, df[column].tolist())
    text = " ".join(info["warnings"])
    if warning_words:
        for word in warning_words:
            assert word in text, text
    else:
        assert not info["warnings"], info["warnings"]


def test_ambiguous_column_warns_in_german_and_the_override_works():
    df = read_csv(corpus("zahlen-mehrdeutig.csv"), convert=True)
    (warning,) = df.attrs["csv_info"]["warnings"]
    assert "Spalte „Wert“" in warning and "Leseoption" in warning and "lesen" in warning
    df = read_csv(corpus("zahlen-mehrdeutig.csv"), convert=True, lesen="dezimal=punkt")
    assert df["Wert"].tolist() == [12.5, 8.5, 3.25]
    assert not df.attrs["csv_info"]["warnings"]
    # the explained (not ambiguous) decision is a note, not a warning
    df = read_csv(corpus("zahlen-punkt-drei-stellen.csv"), convert=True)
    assert any("„W“" in n and "ohne Tausenderpunkt" in n for n in df.attrs["csv_info"]["notes"])


def test_skipped_lines_are_reported():
    info = sniff(corpus("tabelle-fussnoten.csv"))
    assert info.skipped == [
        "Zeilen 1–2 (Titel und Stand) und Zeilen 8–9 (Fußnoten und Quellenangaben) übersprungen"
    ]
    assert info.skipped[0] in info.describe()
    info = sniff(corpus("tabelle-genesis.csv"))
    assert info.header_rows == 2 and info.encoding == "cp1252"
    assert "Zeilen 1–4 (Titel)" in info.skipped[0] and "10–12 (Fußnoten" in info.skipped[0]


def test_header_row_and_skiprows_can_be_declared():
    df = read_csv(corpus("tabelle-ladesaeulen.csv"), lesen="kopfzeile=4")
    assert list(df.columns)[:2] == ["Betreiber", "Ort"]
    df = read_csv(corpus("tabelle-ladesaeulen.csv"), lesen="zeilen_ueberspringen=3")
    assert len(df) == 2
    with pytest.raises(CsvError, match="keine Tabelle"):
        read_csv(corpus("tabelle-ladesaeulen.csv"), lesen="kopfzeile=40")


def test_signs_units_and_flags_are_recorded():
    df = read_csv(corpus("zeichen-destatis.csv"), convert=True)
    notes = " ".join(df.attrs["csv_info"]["notes"])
    assert "„-“ (1×) als 0 gelesen" in notes and "vorläufige Zahl" in notes
    assert "geheim" in notes and "nicht sicher genug" in notes
    assert df["Beschäftigte"].isna().tolist() == [False, True, True, False, False]
    upload_info = sniff(corpus("dekoriert-prozent-euro.csv"))
    convert_types(read_csv(corpus("dekoriert-prozent-euro.csv")), upload_info)
    assert upload_info.units == {"Anteil": "%", "Betrag": "€", "Gebühr": "€"}
    assert "Spalte „Anteil“: Einheit „%“ aus den Zellen entfernt." in upload_info.describe()


def test_wrong_number_is_quoted_as_written():
    with pytest.raises(CsvError, match="„12\u202f500 Stück“"):
        to_numbers(pd.Series(["1", "12\u202f500 Stück"], name="Menge"))


def test_invalid_dates_get_a_german_message(tmp_path):
    bad = tmp_path / "datum.csv"
    bad.write_text("Datum;Wert\n01.02.2024;1\n31.02.2024;2\n", encoding="utf-8")
    with pytest.raises(CsvError) as info:
        read_csv(bad, convert=True)
    message = str(info.value)
    assert "„31.02.2024“" in message and "TT.MM.JJJJ" in message
    assert "You might" not in message and "doesn't match" not in message


def test_nfd_headers_match_nfc_names():
    df, info = read_csv_info(corpus("nfd-umlaute.csv"))
    assert "Träger" in df.columns and info.normalized
    assert "Umlaute in zerlegter Schreibweise (macOS) vereinheitlicht (NFC)" in info.describe()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("kopfzeile=4; dezimal=komma", {"header_row": 4, "decimal": ","}),
        ("tausender=keins;kodierung=cp1252", {"thousands": "", "encoding": "cp1252"}),
        ("blatt=Daten 2024; zeilen_ueberspringen=0", {"sheet": "Daten 2024", "skiprows": 0}),
        ("trennzeichen=tab", {"sep": "\t"}),
        ("striche=luecke", {"dashes": "luecke"}),
        ("striche=Lücke; dezimal=komma", {"dashes": "luecke", "decimal": ","}),
        ("striche=null", {"dashes": "null"}),
    ],
)
def test_read_options_parse(text, expected):
    assert csvfiles.parse_read_options(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("kopf=4", ["„kopf=4“ ist keine Leseoption", "kopfzeile"]),
        ("kopfzeile=null", ["ganze Zahl ab 1"]),
        ("dezimal=strich", ["kennt „strich“ nicht", "komma, punkt"]),
        ("kodierung=klingonisch", ["unbekannt"]),
        ("dezimal=komma; tausender=komma", ["verschieden"]),
        ("striche=weg", ["kennt „weg“ nicht", "null, luecke"]),
    ],
)
def test_read_options_errors_are_german(text, words):
    from datenlabor.errors import ParameterError

    with pytest.raises(ParameterError) as info:
        csvfiles.parse_read_options(text)
    for word in words:
        assert word in str(info.value)


# ----------------------------------------------------------------------------- shared real files
def own(name):
    return fixture_path("eigene-daten", name)


def test_shared_files_are_copied_byte_identical():
    here = Path(__file__).resolve()
    candidates = [here.parents[n] / "shared" / "eigene-daten" for n in (2, 3)]
    shared = next((c for c in candidates if c.is_dir()), candidates[0])
    if not shared.is_dir():  # pragma: no cover - the copy in the repository is the reference
        pytest.skip("shared folder not on this machine")
    for path in shared.glob("*.csv"):
        assert own(path.name).read_bytes() == path.read_bytes()


def test_building_energy_thousands_and_coordinates():
    df = read_csv(own("gebaeude-energie.csv"), convert=True)
    assert df["Wärmeverbrauch"].iloc[0] == 658830
    assert df["x"].iloc[0] == pytest.approx(7.05187) and df["y"].iloc[0] == pytest.approx(51.02415)
    assert df["x"].between(6, 8).all() and df["y"].between(50, 52).all()
    assert not df.attrs["csv_info"]["warnings"]


def test_district_statistics_signs():
    df = read_csv(own("stadtteile-statistik.csv"), convert=True)
    assert df.attrs["csv_info"]["encoding"] == "cp1252"
    assert df["Einwohner insgesamt"].iloc[0] == 21892
    assert df["Arbeitslose in %"].isna().sum() == 1  # "." unknown
    assert (df["SGB-II-Quote in %"] == 0).sum() == 3  # "-" exactly zero
    notes = df.attrs["csv_info"]["notes"]
    assert any("„-“ (3×) als 0 gelesen" in n and "striche=luecke" in n for n in notes)


def test_district_statistics_dashes_as_gaps_on_request():
    """`lesen="striche=luecke"`: the file's README says "-" is missing, not zero."""
    df = read_csv(own("stadtteile-statistik.csv"), convert=True, lesen="striche=luecke")
    assert df["SGB-II-Quote in %"].isna().sum() == 3
    assert (df["SGB-II-Quote in %"] == 0).sum() == 0
    assert df["Arbeitslose in %"].isna().sum() == 1  # "." stays a gap
    notes = df.attrs["csv_info"]["notes"]
    assert any("„-“ (3×) als Lücke gelesen (wie angegeben: striche=luecke)" in n for n in notes)
    assert not any("als 0 gelesen" in n for n in notes)


def test_portal_export_with_trailing_tabs_and_counter():
    df = read_csv(own("maengelmelder-export.csv"), convert=True)
    assert list(df.columns)[:3] == ["id", "date_created", "text_raw"]
    assert df["category_parent"].nunique() == 6
    df = read_csv(own("radzaehlung.csv"), convert=True)
    assert str(df["Datum"].dtype).startswith("datetime64") and len(df) == 730


def test_times_thousand_file_is_read_right(tmp_path):
    """The silent ×1000 of issue 18: decimals with exactly three places."""
    district = datenlabor.load("stadtteile-musterstadt")
    path = tmp_path / "stadtteile-punkt.csv"
    district.to_csv(path, sep=";", float_format="%.3f", index=False)
    df = read_csv(path, convert=True)
    assert df["arbeitslosenquote"].mean() == pytest.approx(district["arbeitslosenquote"].mean())
    assert df["einwohner"].tolist() == district["einwohner"].tolist()


# ----------------------------------------------------------------------------- spreadsheets
def _as_spreadsheet(df, path):
    engine = "odf" if path.suffix == ".ods" else "openpyxl"
    df.to_excel(path, index=False, engine=engine, sheet_name="Daten")
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
@pytest.mark.parametrize(
    "name",
    [
        "gebaeude-energie.csv",
        "stadtteile-statistik.csv",
        "radzaehlung.csv",
        "maengelmelder-export.csv",
    ],
)
def test_spreadsheets_give_the_same_table(tmp_path, name, suffix):
    """A sheet typed by a person (numbers as numbers, signs as text) reads like the CSV."""
    expected = read_csv(own(name), convert=True)
    sheet = expected.copy()
    for col in sheet.columns:  # dates and numbers as Excel stores them, gaps as empty cells
        if str(sheet[col].dtype).startswith("datetime"):
            sheet[col] = sheet[col].dt.to_pydatetime()
    path = _as_spreadsheet(sheet, tmp_path / f"{Path(name).stem}{suffix}")
    got = read_csv(path, convert=True)
    assert got.attrs["csv_info"]["encoding"] == suffix[1:]
    assert list(got.columns) == list(expected.columns)
    for col in expected.columns:
        a, b = got[col], expected[col]
        if b.dtype.kind in "if":
            assert a.dtype.kind in "if", col
            assert ((a - b).abs().fillna(0) < 1e-9).all(), col
        elif str(b.dtype).startswith("datetime"):
            assert (a == b).all(), col
        else:
            assert a.fillna("").tolist() == b.fillna("").tolist(), col


def test_spreadsheet_with_title_rows_text_numbers_and_named_sheet(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Hinweise"
    book.active.append(["Diese Mappe enthält Kita-Daten"])
    data = book.create_sheet("Kita 2024")
    data.append(["Kita-Plätze je Stadtteil"])
    data.append(["Stand: 31.12.2024"])
    data.append(["Stadtteil", "Plätze", "Quote", "Stichtag"])
    import datetime as dt

    data.append(["Altstadt", 1020, "96,1 %", dt.datetime(2024, 12, 31)])
    data.append(["Neustadt", "-", "(88,0 %)", dt.datetime(2024, 12, 31)])
    path = tmp_path / "kita.xlsx"
    book.save(path)
    df = read_csv(path, convert=True, lesen="blatt=Kita 2024")
    assert df["Plätze"].tolist() == [1020, 0]
    assert df["Quote"].tolist() == [96.1, 88.0]
    assert df["Stichtag"].iloc[0] == pd.Timestamp("2024-12-31")
    info = df.attrs["csv_info"]
    assert info["sheet"] == "Kita 2024" and "Zeilen 1–2 (Titel und Stand)" in info["skipped"][0]
    with pytest.raises(
        CsvError, match="kein Tabellenblatt „Daten“. Vorhanden: Hinweise, Kita 2024"
    ):
        read_csv(path, lesen="blatt=Daten")
    with pytest.raises(CsvError, match="blatt"):
        read_csv(corpus("utf8-bom.csv"), lesen="blatt=Daten")


def test_a_table_with_very_many_columns_is_refused_truthfully(tmp_path):
    """120.000 columns: one true German sentence at once, not a wrong count from a sample."""
    path = tmp_path / "breit.csv"
    row = ";".join("1" for _ in range(120_000))
    path.write_text(";".join(f"s{i}" for i in range(120_000)) + f"\n{row}\n{row}\n")
    with pytest.raises(CsvError, match="hat eine Zeile 120.000 Felder; .* höchstens 5.000 Spalten"):
        read_csv(path)


def test_numbers_stored_as_text_in_a_sheet_read_the_german_way(tmp_path):
    """Statistics offices export sheets whose cells hold "21.892" as text (Excel: "Zahl als
    Text gespeichert"); that is 21892 inhabitants, never 21,892. A number cell 21.892 stays
    21.892, and a text column with nothing else to go by is read German, with a warning."""
    expected = read_csv(own("stadtteile-statistik.csv"), convert=True)
    as_text = read_csv(own("stadtteile-statistik.csv"))  # every cell as written in the file
    got = read_csv(_as_spreadsheet(as_text, tmp_path / "text.xlsx"), convert=True)
    assert got["Einwohner insgesamt"].tolist() == expected["Einwohner insgesamt"].tolist()
    assert got["SGB-II-Quote in %"].sum() == pytest.approx(expected["SGB-II-Quote in %"].sum())
    alone = pd.DataFrame({"Ort": ["A", "B"], "Einwohner": ["21.892", "5.998"]})
    got = read_csv(_as_spreadsheet(alone, tmp_path / "allein.xlsx"), convert=True)
    assert got["Einwohner"].tolist() == [21892, 5998]
    assert "„Einwohner“: Zellen mit Text wie „21.892“" in got.attrs["csv_info"]["warnings"][0]
    numbers = pd.DataFrame({"Ort": ["A", "B"], "Wert": [21.892, 5.5]})
    got = read_csv(_as_spreadsheet(numbers, tmp_path / "zahlen.xlsx"), convert=True)
    assert got["Wert"].tolist() == [21.892, 5.5] and not got.attrs["csv_info"]["warnings"]


# ----------------------------------------------------------------------------- whole corpus
ALL_FILES = sorted(
    [p for p in fixture_path("csv").glob("*.csv")]
    + [p for p in fixture_path("eigene-daten").glob("*.csv")]
)
ENGLISH = ("Error", "error", "Traceback", "You might", "expected", "invalid", "could not", "line ")


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_no_traceback_and_no_english_on_any_corpus_file(path):
    """Every file either reads (text and typed) or fails with a German CsvError."""
    for convert in (False, True):
        try:
            df = read_csv(path, convert=convert)
        except CsvError as exc:
            message = str(exc)
            assert not any(word in message for word in ENGLISH), message
            continue
        info = df.attrs["csv_info"]
        for line in info["warnings"] + info["notes"] + info["skipped"]:
            assert not any(word in line for word in ENGLISH), line
    upload_html = __import__("datenlabor.upload", fromlist=["x"]).upload_result_html(
        {"name": path.name, "content": path.read_bytes()}
    )
    assert (
        "Traceback" not in upload_html and "Die Datei ließ sich nicht auswerten" not in upload_html
    )


def test_fast_path_for_large_files_matches_the_careful_path(tmp_path):
    rows = ["Lfd. Nr.;Stadtteil;Datum;Einwohner;Anteil;Betrag;Bemerkung"]
    for i in range(30_000):
        rows.append(
            f"{i + 1};Mühlbach;{1 + i % 28:02d}.{1 + i % 12:02d}.2024;{1 + i % 90}.{i % 1000:03d};"
            f"{i % 100},{i % 10};-{i % 7}.{i % 1000:03d},5{i % 10};{'geprüft' if i % 3 else ''}"
        )
    rows[500] = rows[500].replace(";geprüft", ";k.A.")
    path = tmp_path / "gross.csv"
    path.write_text(
        "Titel der Tabelle\n" + "\n".join(rows) + "\n\nQuelle: Stadt\n", encoding="utf-8"
    )
    assert path.stat().st_size > csvfiles._FAST_BYTES
    fast = read_csv(path, convert=True)
    careful = convert_types(*read_csv_info(path))
    pd.testing.assert_frame_equal(fast, careful, check_dtype=False, check_exact=False)
    assert fast["Einwohner"].iloc[0] == 1000 and fast["Betrag"].iloc[1] == -1001.51


def test_dashes_as_gaps_also_on_the_fast_path_for_large_files():
    rows = ["Ort;Wert"] + [f"O{i};{'-' if i % 100 == 0 else f'{i % 50},5'}" for i in range(120_000)]
    data = ("\n".join(rows) + "\n").encode()  # 1,4 MB: pandas' C parser reads it
    zero = read_csv(data, "g.csv", convert=True)
    gap = read_csv(data, "g.csv", convert=True, lesen="striche=luecke")
    assert (zero["Wert"] == 0).sum() == 1200 and zero["Wert"].isna().sum() == 0
    assert gap["Wert"].isna().sum() == 1200 and (gap["Wert"] == 0).sum() == 0
    assert "„-“ (1.200×) als 0 gelesen" in " ".join(zero.attrs["csv_info"]["notes"])


def test_upload_messages_tell_visitors_what_they_can_do_not_read_options():
    """Tryout #45: the app suggested „kopfzeile“/„zeilen_ueberspringen“, which it has no control for."""
    from datenlabor.upload import VISITOR_HINT, for_visitors, upload_result_html

    ragged = b"Name;Betrag\nA;1\nB;2;3;4\nC;5;6\n"
    message = upload_result_html({"name": "schief.csv", "content": ragged})
    assert "Leseoption" not in message and "zeilen_ueberspringen" not in message
    cli = "Zeile 3 hat 4 Felder. Die Leseoptionen „kopfzeile“ und „zeilen_ueberspringen“ helfen."
    assert for_visitors(cli) == f"Zeile 3 hat 4 Felder. {VISITOR_HINT}"
    assert for_visitors("Alles gut.") == "Alles gut."
