"""Schema constraints (minimum, maximum, enum) of a lab's dataset are enforced on own data.

Checked when the file is read (``datasets.load``), so before any kernel in the CLI and
at the top of the notebook under plain papermill. No kernel starts here.
"""

from __future__ import annotations

import pytest

import datenlabor
from datenlabor.cli import main
from datenlabor.errors import CsvError
from tests.helpers import fixture_path, german_csv

COUNTER = fixture_path("eigene-daten", "radzaehlung.csv")


def test_a_negative_count_names_column_rule_and_rows(tmp_path, capsys):
    lines = COUNTER.read_text(encoding="utf-8").splitlines()
    lines[3] = "03.01.2023,-5"  # the third data row
    lines[10] = "10.01.2023,-1"
    bad = tmp_path / "zaehler.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "runs"
    code = main(["run", "nachfrage-vorhersagen", "-o", str(out), "-p", "daten", str(bad), "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Die Datei „zaehler.csv“ hält Regeln des Datensatzes nicht ein" in err
    assert (
        "Spalte „besuche“ (in der Datei „Zaehlerstand“): Werte müssen mindestens 0 sein; "
        "2 Zeile(n) verstoßen dagegen, z. B. Datenzeile 3: -5; Datenzeile 10: -1." in err
    )
    assert "Traceback" not in err and not out.exists()


def test_shares_above_100_percent_and_years_out_of_range(tmp_path):
    table = datenlabor.load("stadtteile-musterstadt").head(10).copy()
    table.loc[2, "arbeitslosenquote"] = 130.5
    table.loc[4, "jahr"] = 1890
    own = tmp_path / "eigene.csv"
    own.write_bytes(german_csv(table))
    with pytest.raises(CsvError) as info:
        datenlabor.load("stadtteile-musterstadt", path=own)
    message = str(info.value)
    assert "Spalte „jahr“: Werte müssen mindestens 1990 sein; 1 Zeile(n)" in message
    assert "Datenzeile 5: 1890" in message
    assert "Spalte „arbeitslosenquote“: Werte müssen höchstens 100 sein" in message
    assert "Datenzeile 3: 130,5" in message


def test_closed_lists_hold_but_own_categories_are_welcome(tmp_path):
    runs = datenlabor.load("laufhistorie-beispiel", "laeufe").head(5).copy()
    runs.loc[1, "status"] = "kaputt"
    own = tmp_path / "laeufe.csv"
    own.write_bytes(german_csv(runs))
    with pytest.raises(CsvError, match="Werte müssen einer von ok, fehlgeschlagen, abgebrochen"):
        datenlabor.load("laufhistorie-beispiel", "laeufe", path=own)
    # the report portal's categories are the city's own (openEnum in datapackage.json)
    export = fixture_path("eigene-daten", "maengelmelder-export.csv")
    assert datenlabor.load("maengelmelder", path=export)["kategorie"].nunique() == 6


def test_daten_pruefen_reports_the_broken_rule(tmp_path, capsys):
    lines = COUNTER.read_text(encoding="utf-8").splitlines()
    lines[3] = "03.01.2023,-5"
    bad = tmp_path / "zaehler.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["daten", "pruefen", "nachfrage-vorhersagen", str(bad)]) != 0
    out = capsys.readouterr()
    assert "Werte müssen mindestens 0 sein" in out.out + out.err
