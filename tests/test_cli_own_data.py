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
    assert "Hinweis beim Lesen: Spalte „anteil_sgb2_haushalte“: „-“ (3×) als 0 gelesen" in out
    import datenlabor

    datenlabor.load("stadtteile-musterstadt", path=path)
    assert "„-“ (3×) als 0 gelesen (genau null)" in capsys.readouterr().out
