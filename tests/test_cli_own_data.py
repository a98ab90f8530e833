"""Own data on the command line: the table the lab reads, read options, values and files.

Everything here is checked before a kernel starts, so no notebook runs.
"""

from __future__ import annotations

import shutil

import pytest

from datenlabor.catalog import get_lab
from datenlabor.cli import main
from datenlabor.errors import ParameterError
from datenlabor.paths import datasets_dir
from datenlabor.running import own_data_options, prepare
from tests.helpers import fixture_path


def test_own_data_is_checked_against_the_chosen_table(tmp_path):
    """`-p beispiel no2-messwerte -p daten KOPIE.csv` fits the NO2 table, not the first one."""
    lab = get_lab("offene-daten-nutzen")
    copy = tmp_path / "kopie.csv"
    shutil.copy(datasets_dir() / "offene-daten-beispiele" / "no2-messwerte.csv", copy)
    values = {"beispiel": "no2-messwerte", "daten": str(copy)}
    assert own_data_options(lab, values, "daten")["table"] == "no2-messwerte"
    full = prepare(lab, values)
    assert full["beispiel"] == "no2-messwerte"
    prepare(lab, {"daten": str(copy)})  # the quality lab profiles any table (any_csv)


def test_quality_lab_takes_any_csv_but_not_an_empty_one(tmp_path):
    lab = get_lab("offene-daten-nutzen")
    prepare(lab, {"daten": str(fixture_path("eigene-daten", "gebaeude-energie.csv"))})
    empty = tmp_path / "leer.csv"
    empty.write_text("a;b\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="keine Datenzeilen"):
        prepare(lab, {"daten": str(empty)})


def test_read_options_are_validated_before_the_kernel(tmp_path, capsys):
    lab = get_lab("daten-erkunden")
    assert lab.parameters["lesen"].kind == "lesen"
    code = main(["run", "daten-erkunden", "-p", "lesen", "kopf=4"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Parameter „lesen“" in err and "„kopf=4“ ist keine Leseoption" in err
    assert "Traceback" not in err


def test_read_options_reach_the_own_data_check(tmp_path):
    """A district file with a title line and three-decimal points reads with `lesen`."""
    import datenlabor

    lab = get_lab("daten-erkunden")
    district = datenlabor.load("stadtteile-musterstadt")
    path = tmp_path / "stadtteile.csv"
    text = district.to_csv(sep=";", float_format="%.3f", index=False)
    path.write_text("Stadtteilstatistik Musterstadt\n\n" + text, encoding="utf-8")
    prepare(lab, {"daten": str(path)})  # title detected, decimals from the file's evidence
    prepare(lab, {"daten": str(path), "lesen": "kopfzeile=3; dezimal=punkt"})


def test_values_starting_with_a_minus_are_values(capsys):
    code = main(["run", "fair-entscheiden", "-p", "schwelle", "-1,5"])
    assert code == 2
    err = capsys.readouterr().err
    assert "erwartet 2 Werte" not in err
    assert "Parameter „schwelle“" in err and "außerhalb des erlaubten Bereichs" in err


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"])
def test_parameter_files_in_common_encodings(tmp_path, capsys, encoding):
    path = tmp_path / "parameter.yaml"
    path.write_bytes("# Größe des Prüfteils\nschwelle: 0,9\n".encode(encoding))
    code = main(["run", "fair-entscheiden", "-f", str(path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "Parameter „schwelle“" in err and "0,9" in err or "0.9" in err
    assert "Traceback" not in err and "codec" not in err


def test_broken_parameter_files_get_german_messages(tmp_path, capsys):
    binary = tmp_path / "bild.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert main(["run", "fair-entscheiden", "-f", str(binary)]) == 2
    assert "keine Textdatei" in capsys.readouterr().err
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("schwelle: [1,\n", encoding="utf-8")
    assert main(["run", "fair-entscheiden", "-f", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "kein gültiges YAML (Zeile 2" in err and "expected" not in err


STATISTIK = "stadtteile-statistik.csv"  # "-" means missing here (README of the files)


def test_dash_read_as_zero_is_said_in_daten_pruefen_and_before_the_kernel(capsys):
    """`daten pruefen` and `run` (before the kernel) name "-" read as 0 and the way out."""
    path = str(fixture_path("eigene-daten", STATISTIK))
    assert main(["daten", "pruefen", "daten-erkunden", path]) == 0
    out = capsys.readouterr().out
    assert "„SGB-II-Quote in %“: „-“ (3×) als 0 gelesen (genau null)" in out
    assert '-p lesen "striche=luecke"' in out
    assert "„.“ (1×) als Lücke gelesen" in out
    # both ways to start the lab are printed, the second one with the dash option
    plain, variant = out.split("starten Sie stattdessen so:")
    assert "datenlabor run daten-erkunden -p daten" in plain.split("So starten Sie")[1]
    assert "striche=luecke" not in plain.split("So starten Sie")[1]
    assert variant.strip().startswith("datenlabor run daten-erkunden -p daten")
    assert '-p lesen "striche=luecke"' in variant
    prepare(get_lab("daten-erkunden"), {"daten": path})  # what `run` does before the kernel
    out = capsys.readouterr().out
    assert "Hinweis zu „stadtteile-statistik.csv“: Spalte „SGB-II-Quote in %“: „-“ (3×)" in out
    assert out.count("als 0 gelesen") == 1


def test_striche_luecke_reads_dashes_as_gaps(capsys):
    """The tester's numbers: 2024 mean 11,4 -> 13,0 and range 18,8 -> 13,8 with the option."""
    from datenlabor.datasets import load

    path = fixture_path("eigene-daten", STATISTIK)
    zero = load("stadtteile-musterstadt", path=path)
    gap = load("stadtteile-musterstadt", path=path, lesen="striche=luecke")
    out = capsys.readouterr().out
    assert "„-“ (3×) als Lücke gelesen (wie angegeben: striche=luecke)" in out
    sgb2 = "SGB-II-Quote in %"  # indicators keep the file's names
    a = zero[zero.jahr == 2024][sgb2]
    b = gap[gap.jahr == 2024][sgb2]
    assert round(a.mean(), 1) == 11.4 and round(b.mean(), 1) == 13.0
    assert round(b.max() - b.min(), 1) == 13.8
    assert gap[sgb2].isna().sum() == 3
    assert zero[sgb2].isna().sum() == 0
    assert main(["daten", "pruefen", "daten-erkunden", str(path), "--lesen", "striche=luecke"]) == 0
    out = capsys.readouterr().out
    assert "3 Lücken" in out and '-p lesen "striche=luecke"' in out
    assert "stattdessen" not in out  # nothing read as 0 any more: one command
    # the same "-p lesen" as in the printed run command is understood by daten pruefen
    assert (
        main(["daten", "pruefen", "daten-erkunden", str(path), "-p", "lesen", "striche=luecke"])
        == 0
    )
    assert "3 Lücken" in capsys.readouterr().out
    assert main(["daten", "pruefen", "daten-erkunden", str(path), "-p", "jahr", "2020"]) == 2
    assert "nur „lesen“, „spalten“ und „form“" in capsys.readouterr().err


def test_value_ranges_and_counts_read_like_german_text(capsys):
    """Both ends grouped alike, years plain, one value named in the singular."""
    path = str(fixture_path("eigene-daten", STATISTIK))
    assert main(["daten", "pruefen", "daten-erkunden", path]) == 0
    out = capsys.readouterr().out
    assert "Werte: 5.998 bis 24.050" in out and "Werte: 2019 bis 2024" in out
    assert "8 verschiedene Werte: Altstadt-Nord (6 Zeilen)" in out
    assert "1 Lücke" in out and "Lücke(n)" not in out


def test_identifiers_are_not_grouped_in_the_upload_profile():
    import pandas as pd

    from datenlabor.formatting import cell, plain_column, value_range
    from datenlabor.upload import quality_profile, table_html

    df = pd.DataFrame({"id": [900000, 900001], "Einwohner": [24050, 5998]})
    profile = quality_profile(df)
    assert list(profile["Beispiel"]) == ["900000", "24.050"]
    assert "<td>900001</td>" in table_html(df, "Vorschau") and "<td>5.998</td>" in table_html(
        df, "Vorschau"
    )
    assert plain_column("melde_id") and plain_column("Kundennummer") and not plain_column("Anzahl")
    assert cell(900000.0, plain=True) == "900000"
    assert value_range(5998, 24050) == "5.998 bis 24.050" and value_range(12, 22) == "12 bis 22"
    assert value_range(0, 19.6) == "0 bis 19,6"


def test_upload_report_names_the_dash_note_without_the_command_line():
    from datenlabor.upload import upload_result_html

    path = fixture_path("eigene-daten", STATISTIK)
    page = upload_result_html({"name": STATISTIK, "content": path.read_bytes()})
    assert "„-“ (3×) als 0 gelesen (genau null)" in page
    # the app has no read options: the visitor is told what to change in the file (tryout #45)
    assert "„-“ durch leere Zellen ersetzen" in page and "-p lesen" not in page
    assert "striche=luecke" not in page


@pytest.mark.slow  # the one kernel run of this file
def test_run_with_striche_luecke_notebook_names_the_gaps(tmp_path, capsys):
    """The executed notebook prints the reader's note; the mean counts "-" as missing."""
    import json

    from datenlabor.running import execute

    path = str(fixture_path("eigene-daten", STATISTIK))
    values = {
        "daten": path,
        "indikator": "SGB-II-Quote in %",  # the file's own column name
        "jahr": 2024,
        "lesen": "striche=luecke",
    }
    result = execute(
        get_lab("daten-erkunden"), values, tmp_path, progress=False, html=False, history=False
    )
    assert "„-“ (3×) als Lücke gelesen" in capsys.readouterr().out  # before the kernel
    assert round(result.metrics["mittelwert"], 1) == 13.0
    assert round(result.metrics["spannweite"], 1) == 13.8
    notebook = next(result.folder.glob("*.ipynb")).read_text(encoding="utf-8")
    outputs = json.dumps(json.loads(notebook)["cells"], ensure_ascii=False)
    assert (
        "„SGB-II-Quote in %“: „-“ (3×) als Lücke gelesen (wie angegeben: striche=luecke)" in outputs
    )


def test_header_only_file_gets_a_german_message_not_an_internal_error(tmp_path, capsys):
    """A CSV with a header and no rows: `daten pruefen` and `run` say so (was an IndexError)."""
    path = tmp_path / "nurkopf.csv"
    path.write_text("Datum;Zaehlerstand\n", encoding="utf-8")
    assert main(["daten", "pruefen", "nachfrage-vorhersagen", str(path)]) == 2
    assert "keine Datenzeilen" in capsys.readouterr().err
    with pytest.raises(ParameterError, match="keine Datenzeilen"):
        prepare(get_lab("nachfrage-vorhersagen"), {"daten": str(path)})


def test_signs_of_official_statistics_are_reported(capsys):
    """„-“ read as 0 is said in `daten pruefen` and when a lab loads the file (not silently)."""
    path = fixture_path("eigene-daten", "stadtteile-statistik.csv")
    assert main(["daten", "pruefen", "daten-erkunden", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  Spalte „SGB-II-Quote in %“: „-“ (3×) als 0 gelesen" in out  # the file's name
    import datenlabor

    datenlabor.load("stadtteile-musterstadt", path=path)
    assert "„-“ (3×) als 0 gelesen (genau null)" in capsys.readouterr().out


def test_quality_lab_names_the_reader_notes_too(capsys):
    """The lab that profiles any table: `daten pruefen` and `run` (before the kernel) say it."""
    path = str(fixture_path("eigene-daten", STATISTIK))
    assert main(["daten", "pruefen", "offene-daten-nutzen", path]) == 0
    assert "„SGB-II-Quote in %“: „-“ (3×) als 0 gelesen" in capsys.readouterr().out
    prepare(get_lab("offene-daten-nutzen"), {"daten": path})
    assert "„SGB-II-Quote in %“: „-“ (3×) als 0 gelesen" in capsys.readouterr().out


def test_daten_pruefen_checks_own_places_for_the_map_lab(capsys, tmp_path):
    """orte-und-wege takes own places with -p orte: `daten pruefen` reads the coordinates,
    names the reference system and the facility types, and prints that command."""
    path = str(fixture_path("eigene-daten", "gebaeude-energie.csv"))
    assert main(["daten", "pruefen", "orte-und-wege", path]) == 0
    out = capsys.readouterr().out
    assert "Koordinatensystem: WGS84" in out
    assert "15 Kitas" in out and "37 andere Orte nicht berücksichtigt" in out
    assert f"datenlabor run orte-und-wege -p orte {path}" in out
    counter = str(fixture_path("eigene-daten", "radzaehlung.csv"))
    assert main(["daten", "pruefen", "orte-und-wege", counter]) == 2
    captured = capsys.readouterr()
    assert "keine Koordinatenspalten" in captured.out + captured.err
    # own areas (GeoJSON): count, the column naming them, the reference system
    import geopandas as gpd
    from shapely.geometry import box

    areas = tmp_path / "gebiete.geojson"
    gpd.GeoDataFrame(
        {"name": ["Nord", "Süd"]},
        geometry=[box(7.0, 51.0, 7.05, 51.03), box(7.05, 51.0, 7.1, 51.03)],
        crs=4326,
    ).to_file(areas, driver="GeoJSON")
    assert main(["daten", "pruefen", "orte-und-wege", str(areas)]) == 0
    out = capsys.readouterr().out
    assert "Gelesen: 2 Gebiete, Namen aus „name“." in out and "EPSG:4326" in out
    assert f"datenlabor run orte-und-wege -p gebiete {areas}" in out
