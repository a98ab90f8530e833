"""Choices from the loaded own file (lab.yaml ``aus_daten``): one rule for CLI, app and sweeps.

With own data the synthetic Musterstadt lists do not apply: a value the person gave that
the file lacks gets a German message naming the file's values; a default the file lacks is
replaced by the file's. No kernel starts here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from datenlabor import app
from datenlabor.catalog import get_lab
from datenlabor.cli import main
from datenlabor.errors import ParameterError
from datenlabor.parameters import data_choices, fit_to_data
from datenlabor.running import prepare
from datenlabor.sweep import build_grid
from tests.helpers import STATISTIK_DISTRICTS, fixture_path

STATISTIK = str(fixture_path("eigene-daten", "stadtteile-statistik.csv"))
DISTRICTS = STATISTIK_DISTRICTS


def test_choices_are_the_files_values_sorted_without_gaps():
    lab = get_lab("daten-erkunden")
    frame = pd.DataFrame({"jahr": [2020.0, 2019.0, None], "stadtteil": ["B", "A", "B"]})
    assert data_choices(lab.parameters["jahr"], frame) == [2019, 2020]
    assert data_choices(lab.parameters["stadtteile"], frame) == ["A", "B"]
    assert data_choices(lab.parameters["indikator"], frame) is None  # not data-driven


def test_defaults_follow_the_file_and_given_values_must_be_in_it():
    params = get_lab("daten-erkunden").parameters
    frame = pd.DataFrame({"jahr": [2019, 2020, 2021], "stadtteil": ["Nord", "Süd", "Nord"]})
    defaults = {"jahr": params["jahr"].default, "stadtteile": params["stadtteile"].default}
    values, fitted, notes = fit_to_data(params, frame, defaults, source="x.csv", given=set())
    assert values == {"jahr": 2021, "stadtteile": ["Nord", "Süd"]}  # newest year, first values
    assert fitted["stadtteile"].choices == ["Nord", "Süd"] and fitted["jahr"].min is None
    assert len(notes) == 2 and "„x.csv“" in notes[0]
    with pytest.raises(ParameterError) as info:
        fit_to_data(params, frame, {"jahr": 2030, "stadtteile": ["Ost"]}, source="x.csv")
    message = str(info.value)
    assert "Parameter „jahr“: „2030“ gibt es in der Datei „x.csv“ nicht" in message
    assert "Die Datei enthält: 2019, 2020, 2021." in message
    assert "Parameter „stadtteile“: „Ost“ gibt es" in message and "Nord, Süd." in message


def test_cli_names_the_files_values_before_any_kernel(tmp_path, capsys):
    out = tmp_path / "runs"
    args = ["run", "daten-erkunden", "-o", str(out), "-p", "daten", STATISTIK]
    assert main([*args, "-p", "stadtteile", "Altstadt,Neustadt", "-p", "jahr", "2015"]) == 2
    err = capsys.readouterr().err
    assert "„Altstadt“ gibt es in der Datei „stadtteile-statistik.csv“ nicht" in err
    assert f"Die Datei enthält: {', '.join(DISTRICTS)}." in err
    assert "„2015“ gibt es" in err and "2019, 2020, 2021, 2022, 2023, 2024." in err
    assert not out.exists()  # nothing written


def test_prepare_accepts_the_files_values_and_records_fitted_defaults():
    lab = get_lab("daten-erkunden")
    full = prepare(lab, {"daten": STATISTIK, "stadtteile": "Bergheim, Feldkamp"})
    assert full["stadtteile"] == ["Bergheim", "Feldkamp"]
    assert full["jahr"] == 2024  # default 2024 is in the file
    with pytest.raises(ParameterError, match="Die Datei enthält: 2019"):
        prepare(lab, {"daten": STATISTIK, "jahr": 2016})
    # without own data the lab.yaml lists apply as before
    with pytest.raises(ParameterError, match="ist nicht erlaubt"):
        prepare(lab, {"stadtteile": "Bergheim"})


def test_sweep_checks_data_axes_against_the_file():
    lab = get_lab("daten-erkunden")
    grid = build_grid(lab, [("daten", STATISTIK), ("jahr", "2019, 2024")])
    assert grid.axes["jahr"] == [2019, 2024]
    with pytest.raises(ParameterError, match="„2030“ gibt es in der Datei"):
        build_grid(lab, [("daten", STATISTIK), ("jahr", "2019, 2030")])


def test_app_controls_offer_the_files_values():
    app.lab("daten-erkunden")
    frame = pd.DataFrame({"jahr": [2019, 2020], "stadtteil": ["Nord", "Süd"]})
    jahr, stadtteile = app.aus_daten(frame, quelle="/tmp/x.csv", jahr=2024, stadtteile=["Nord"])
    assert (jahr, stadtteile) == (2020, ["Nord"])
    ctrls = app.controls(get_lab("daten-erkunden"), {"jahr": jahr, "stadtteile": stadtteile})
    assert [v for _, v in ctrls["stadtteile"].options] == ["Nord", "Süd"]
    assert [v for _, v in ctrls["jahr"].options] == [2019, 2020]
    with pytest.raises(ParameterError, match="„Ost“ gibt es in der Datei „x.csv“ nicht"):
        app.aus_daten(frame, quelle="/tmp/x.csv", stadtteile=["Ost"])
    app.lab("daten-erkunden")  # a new lab call forgets the file's choices
    ctrls = app.controls(get_lab("daten-erkunden"), {"stadtteile": ["Altstadt"]})
    assert "Altstadt" in [v for _, v in ctrls["stadtteile"].options]


def test_data_choices_can_carry_labels():
    """ergebnisse-vergleichen offers metrics by their German names (tryout #25)."""
    app.lab("ergebnisse-vergleichen")
    frame = pd.DataFrame({"kennzahl": ["genauigkeit", "dp_differenz"]})
    labels = {"dp_differenz": "Unterschied der Auswahlquoten"}
    value = app.aus_daten(frame, quelle="Beispiel", beschriftungen=labels, kennzahl="genauigkeit")
    ctrl = app.controls(get_lab("ergebnisse-vergleichen"), {"kennzahl": value})["kennzahl"]
    assert ("Unterschied der Auswahlquoten", "dp_differenz") in list(ctrl.options)
    app.lab("ergebnisse-vergleichen")


def test_metric_labels_are_read_from_a_labs_source():
    from datenlabor.recording import declared_metric_labels

    labels = declared_metric_labels(get_lab("fair-entscheiden").notebook)
    assert labels["dp_differenz"] == "Unterschied der Auswahlquoten"
