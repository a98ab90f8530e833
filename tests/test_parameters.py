"""Parameter reading and validation: every error names the parameter and what is allowed."""

from __future__ import annotations

import pytest

from datenlabor.errors import ParameterError
from datenlabor.parameters import Parameter


def test_parameters_come_from_the_notebook_with_lab_constraints(mini_lab):
    params = mini_lab.parameters
    assert list(params) == ["anzahl", "faktor", "modus", "daten", "absturz"]
    assert params["anzahl"].type == "int" and params["anzahl"].default == 3
    assert params["anzahl"].help == "Wie viele Zeilen gezählt werden"
    assert (params["anzahl"].min, params["anzahl"].max) == (1, 5)
    assert params["modus"].choices == ["summe", "mittel"]
    assert params["daten"].kind == "csv"


def test_valid_values_are_converted(mini_lab):
    clean = mini_lab.validate(
        {"anzahl": "4", "faktor": "2,5", "modus": "mittel", "absturz": "nein"}
    )
    assert clean == {"anzahl": 4, "faktor": 2.5, "modus": "mittel", "absturz": False}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "anzahl",
            "9",
            "Parameter „anzahl“: Der Wert „9“ liegt außerhalb des erlaubten Bereichs. Erlaubt: Ganzzahl von 1 bis 5.",
        ),
        (
            "anzahl",
            "drei",
            "Parameter „anzahl“: Der Wert „drei“ ist keine Ganzzahl. Erlaubt: Ganzzahl von 1 bis 5.",
        ),
        (
            "faktor",
            "viel",
            "Parameter „faktor“: Der Wert „viel“ ist keine Zahl. Erlaubt: Zahl von 0,5 bis 10.",
        ),
        (
            "faktor",
            "nan",
            "Parameter „faktor“: Der Wert „nan“ ist keine endliche Zahl. Erlaubt: Zahl von 0,5 bis 10.",
        ),
        (
            "modus",
            "median",
            "Parameter „modus“: Der Wert „median“ ist nicht erlaubt. Erlaubt: einer von: summe, mittel.",
        ),
        (
            "absturz",
            "vielleicht",
            "Parameter „absturz“: Der Wert „vielleicht“ ist kein Ja/Nein-Wert. Erlaubt: Ja/Nein.",
        ),
        (
            "daten",
            "/gibt/es/nicht.csv",
            "Parameter „daten“: Der Wert „/gibt/es/nicht.csv“ ist keine vorhandene Datei.",
        ),
        (
            "farbe",
            "rot",
            "Parameter „farbe“ gibt es im Lab „mini“ nicht. Bekannte Parameter: anzahl, faktor, modus, daten, absturz.",
        ),
    ],
)
def test_each_error_has_its_message(mini_lab, name, value, expected):
    with pytest.raises(ParameterError) as info:
        mini_lab.validate({name: value})
    assert str(info.value).startswith(expected)


def test_all_problems_are_reported_together(mini_lab):
    with pytest.raises(ParameterError) as info:
        mini_lab.validate({"anzahl": "0", "modus": "x"})
    assert "„anzahl“" in str(info.value) and "„modus“" in str(info.value)


def test_list_parameter_with_choices():
    p = Parameter("stadtteile", "list", ["A"], "Stadtteile", choices=["A", "B", "C"])
    assert p.validate("A, C") == ["A", "C"]
    assert p.validate(["B"]) == ["B"]
    with pytest.raises(
        ParameterError, match="„D“ ist nicht erlaubt. Erlaubt: eine Auswahl aus: A, B, C"
    ):
        p.validate("A,D")
    with pytest.raises(ParameterError, match="ist leer"):
        p.validate("")


def test_bool_is_not_an_int():
    with pytest.raises(ParameterError):
        Parameter("n", "int", 1, "n").validate(True)


def test_allowed_numbers_are_written_the_german_way():
    """Tryout #4: „einer von: 0.1, 1.0, 10.0“ read like Python next to „0,25“."""
    p = Parameter("staerke_c", "float", 1.0, "C", choices=[0.1, 1.0, 10.0, 100.0])
    assert p.allowed() == "einer von: 0,1; 1; 10; 100"
    assert Parameter("k", "int", 5, "k", choices=[3, 5, 8]).allowed() == "einer von: 3, 5, 8"
    assert "besuche" not in Parameter("spalten", "str", "", "s", kind="spalten").allowed()
