"""`app.lab` + `app.interact`: controls from keyword arguments, validated in the kernel."""

from __future__ import annotations

import pytest

from datenlabor import app
from datenlabor.errors import LabNotFoundError, ParameterError


@pytest.fixture
def named_mini(mini_lab, monkeypatch):
    monkeypatch.setattr(app, "_notebook_lab", None)
    app.lab("mini")
    return mini_lab


def test_interact_builds_one_control_per_keyword_in_order(named_mini):
    seen = []
    box = app.interact(lambda anzahl, modus: seen.append((anzahl, modus)), anzahl=2, modus="summe")
    assert list(box.controls) == ["anzahl", "modus"]
    assert box.controls["anzahl"].description == "Anzahl Zeilen"
    options = box.controls["modus"].options  # (German label, value) pairs or plain values
    assert tuple(o[1] if isinstance(o, tuple) else o for o in options) == ("summe", "mittel")
    assert seen == [(2, "summe")]
    box.controls["modus"].value = "mittel"
    assert seen[-1] == (2, "mittel")


def test_interact_rejects_a_value_outside_the_rules_and_resets_the_control(named_mini):
    seen = []
    box = app.interact(lambda anzahl: seen.append(anzahl), anzahl=2)
    box.controls["anzahl"].max = 99  # a crafted message could send any number
    box.controls["anzahl"].value = 50
    assert seen == [2] and box.controls["anzahl"].value == 2
    status = next(c for c in box.children if "datenlabor-status" in c._dom_classes)
    assert 'role="alert"' in status.value and "5" in status.value


def test_interact_names_unknown_parameters_in_german(named_mini):
    with pytest.raises(ParameterError, match="keine Parameter namens farbe"):
        app.interact(lambda farbe: None, farbe="rot")


def test_interact_without_lab_asks_for_app_lab(monkeypatch):
    monkeypatch.setattr(app, "_notebook_lab", None)
    with pytest.raises(LabNotFoundError, match=r'app\.lab\("<slug>"\)'):
        app.interact(lambda anzahl: None, anzahl=2)


def test_lab_with_unknown_slug_lists_the_known_labs():
    with pytest.raises(LabNotFoundError, match="Vorhandene Labs: .*daten-erkunden"):
        app.lab("gibt-es-nicht")


def test_choices_with_labels_show_the_label_and_pass_the_value(tmp_path):
    from datenlabor.parameters import Parameter, read_parameters

    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(
        '{"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": [],'
        ' "source": ["beispiel: str = \\"kita-plaetze\\"  # Welche Beispieldatei"]}],'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        encoding="utf-8",
    )
    labels = {"kita-plaetze": "Kita-Plätze je Stadtteil", "spielplaetze": "Spielplätze"}
    param = read_parameters(notebook, {"beispiel": {"label": "Beispiel", "choices": labels}})[
        "beispiel"
    ]
    assert param.choices == ["kita-plaetze", "spielplaetze"]
    assert param.validate("spielplaetze") == "spielplaetze"
    assert "kita-plaetze (Kita-Plätze je Stadtteil)" in param.allowed()
    control = app.make_control(param, "kita-plaetze")
    assert control.options == (
        ("Kita-Plätze je Stadtteil", "kita-plaetze"),
        ("Spielplätze", "spielplaetze"),
    )
    assert control.value == "kita-plaetze" and control.label == "Kita-Plätze je Stadtteil"
    plain = Parameter("modus", "str", "a", "Modus", choices=["a", True, 0.5])
    assert app.choice_options(plain.choices) == [("a", "a"), ("Ja", True), ("0,5", 0.5)]


def test_offene_daten_nutzen_shows_no_internal_ids():
    from datenlabor.catalog import get_lab

    param = get_lab("offene-daten-nutzen").parameters["beispiel"]
    texts = [text for text, _ in app.choice_options(param.choices, param.choice_labels)]
    assert "kita-plaetze" in param.choices and "kita-plaetze" not in texts


def test_a_refused_value_is_explained_with_labels_not_internal_names(named_mini):
    from datenlabor.parameters import Parameter

    stadtteile = Parameter(
        "stadtteile",
        "list",
        ["Altstadt"],
        "Stadtteile im Vergleich",
        choices=["Altstadt", "Feldrand"],
        label="Stadtteile",
    )
    empty = app.rejected_message(stadtteile, [])
    assert empty.startswith("„Stadtteile“: Bitte mindestens einen Eintrag auswählen.")
    assert "stadtteile" not in empty and "leer" not in empty
    beispiel = Parameter(
        "beispiel", "str", "a", "Beispiel", choices=["kita-plaetze"], label="Beispiel"
    )
    beispiel.choice_labels = {"kita-plaetze": "Kita-Plätze"}
    assert app.rejected_message(beispiel, "x") == (
        "„Beispiel“: Diese Auswahl ist nicht möglich. Möglich sind: Kita-Plätze."
    )
    # in the app: the German label of the lab.yaml, and the control keeps its value
    box = app.interact(lambda anzahl: None, anzahl=2)
    box.controls["anzahl"].max = 99
    box.controls["anzahl"].value = 50
    status = next(c for c in box.children if "datenlabor-status" in c._dom_classes)
    assert "„Anzahl Zeilen“" in status.value and "Parameter" not in status.value
