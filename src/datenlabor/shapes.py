"""Which shape an own file has: a daily series or a cross-section (one row per unit).

Some labs accept two shapes of the same kind of data. Energy management, for
example, exports either daily meter readings (one row per building and day) or
an annual report (one row per building with annual values). A dataset declares
the shapes it knows by giving each of its tables (Frictionless resources) a
``form`` property (``zeitreihe`` or ``querschnitt``); a lab's own-data parameter
names the parameter that chooses the shape (``form_parameter`` in lab.yaml,
values ``automatisch``/``zeitreihe``/``querschnitt``).

``detect_form`` decides before any kernel starts, the same way for the CLI,
sweeps, plain papermill and the notebook: a file whose columns fill the daily
table is a series; otherwise one whose columns fill the cross-sectional table is
a cross-section; a file that fits neither gets one German message naming what
each shape needs and what the file lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CsvError, ParameterError

AUTOMATIC = "automatisch"
SERIES = "zeitreihe"
CROSS_SECTION = "querschnitt"
FORMS = (AUTOMATIC, SERIES, CROSS_SECTION)

#: What each shape is, for people (German).
FORM_DE = {
    SERIES: "Zeitreihe (je Zeile ein Gebäude an einem Tag)",
    CROSS_SECTION: "Querschnitt (je Zeile ein Gebäude mit Jahreswerten)",
}

_WHY_DE = {
    SERIES: (
        "Jeder Tag wird mit ähnlichen Tagen desselben Gebäudes verglichen (Tagesart, "
        "Außentemperatur); auffällig ist ein Tag, der nicht zum üblichen Verlauf passt."
    ),
    CROSS_SECTION: (
        "Ohne Verlauf gibt es keine Vergleichstage. Verglichen wird deshalb jedes Gebäude mit "
        "ähnlichen Gebäuden (gleiche Gebäudeart, möglichst je Quadratmeter); auffällig ist ein "
        "Gebäude, das weit vom Üblichen seiner Art abweicht."
    ),
}


@dataclass(frozen=True)
class Shape:
    """The shape a file has: ``form`` (``zeitreihe``/``querschnitt``), the dataset ``table``
    whose schema it fills, and ``text``, a German sentence saying how it was decided."""

    form: str
    table: str
    text: str

    @property
    def why(self) -> str:
        """German: why the method depends on the shape."""
        return _WHY_DE.get(self.form, "")


def forms(dataset_id: str) -> dict[str, str]:
    """``{form: table name}`` for the tables of ``dataset_id`` that declare a ``form``."""
    from .datasets import describe

    return {
        r["form"]: r["name"] for r in describe(dataset_id).get("resources") or [] if r.get("form")
    }


def _fields(dataset_id: str, table: str) -> list[dict[str, Any]]:
    from .datasets import resource

    return resource(dataset_id, table).get("schema", {}).get("fields", [])


def check_form(value: Any) -> str:
    """The clean value of a ``form`` parameter; ``ParameterError`` (German) otherwise."""
    text = str(value or AUTOMATIC).strip().lower()
    if text not in FORMS:
        raise ParameterError(
            f"Parameter „form“: „{value}“ gibt es nicht. Erlaubt: {', '.join(FORMS)}."
        )
    return text


def detect_form(
    dataset_id: str,
    path: str | Path | None = None,
    form: str = AUTOMATIC,
    lesen: str = "",
    spalten: str = "",
    columns: list[str] | None = None,
) -> Shape:
    """Decide which table of ``dataset_id`` the own file ``path`` fills.

    ``form`` is ``automatisch`` (series if the file's columns fill the series
    table, else cross-section if they fill that one), ``zeitreihe`` or
    ``querschnitt``. Without ``path`` the bundled table of the chosen form is
    used (``automatisch``: the series). ``columns`` may give the file's header
    instead of reading it. Column matching is ``columns.resolve`` with the
    user's ``spalten``.

    Raises ``ParameterError`` for an unknown form and ``CsvError`` (German,
    exit 2) when the file fits neither shape: the message says what each shape
    needs, what the file lacks for it, and lists the file's columns.
    """
    from .columns import resolve

    form = check_form(form)
    tables = forms(dataset_id)
    if not tables:  # a dataset with one shape: nothing to decide
        return Shape(SERIES, "", "")
    if form != AUTOMATIC and form not in tables:
        raise ParameterError(
            f"Parameter „form“: Dieser Datensatz kennt nur {', '.join(tables)} (oder {AUTOMATIC})."
        )
    if not path:
        chosen = SERIES if form == AUTOMATIC and SERIES in tables else form
        chosen = chosen if chosen in tables else next(iter(tables))
        return Shape(chosen, tables[chosen], f"Beispieldaten als {FORM_DE[chosen]}.")
    if columns is None:
        from .csvfiles import read_csv

        columns = [str(c).strip() for c in read_csv(Path(path), lesen=lesen or "").columns]
    candidates = list(tables) if form == AUTOMATIC else [form]
    failures: dict[str, CsvError] = {}
    for candidate in candidates:
        try:
            resolve(_fields(dataset_id, tables[candidate]), columns, spalten)
        except CsvError as exc:
            failures[candidate] = exc
            continue
        if form != AUTOMATIC:
            text = f"{FORM_DE[candidate]} – so eingestellt mit dem Parameter „form“."
        elif candidate == SERIES:
            text = f"{FORM_DE[candidate]} – erkannt, weil die Datei eine Datumsspalte hat."
        else:
            text = (
                f"{FORM_DE[candidate]} – erkannt, weil die Datei keine Datumsspalte, aber je "
                "Gebäude einen Jahresverbrauch hat."
            )
        return Shape(candidate, tables[candidate], text)
    if form != AUTOMATIC:
        exc = failures[form]
        raise CsvError(f"Die Datei passt nicht zur Form {FORM_DE[form]}. {exc}") from None
    for exc in failures.values():  # two candidate columns: ask, never guess
        if "Geraten wird nicht" in str(exc):
            raise exc
    lines = [
        "Dieses Lab arbeitet mit zwei Formen von Daten, die Datei passt zu keiner:",
    ]
    for candidate, exc in failures.items():
        names = [f["name"] for f in _fields(dataset_id, tables[candidate])]
        needed = [
            f["name"]
            for f in _fields(dataset_id, tables[candidate])
            if (f.get("constraints") or {}).get("required")
        ]
        first = str(exc).split(". Heißt", 1)[0].split("\n", 1)[0]
        lines.append(
            f"– {FORM_DE[candidate]}: braucht {', '.join(needed)} "
            f"(dazu nach Möglichkeit {', '.join(n for n in names if n not in needed)}). "
            f"{first}."
        )
    lines.append(
        "Heißt eine Spalte in der Datei anders, ordnen Sie sie mit dem Parameter „spalten“ zu, "
        'z. B. -p spalten "gebaeude=Liegenschaft; verbrauch_kwh=Jahresverbrauch"; '
        "„datenlabor daten pruefen“ zeigt, wie die Spalten gefüllt würden."
    )
    lines.append(f"Gefundene Spalten: {', '.join(columns) or '(keine)'}")
    raise CsvError("\n".join(lines))
