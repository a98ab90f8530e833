"""A lab's parameters: read from the notebook's parameters cell, constrained by lab.yaml.

This module is the single place that knows a parameter's type, default, help
text and allowed values. The CLI validates with it, the app builds its
controls from it, and ``check`` compares notebook and metadata with it.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ParameterError

TYPE_NAMES = {"int": "Ganzzahl", "float": "Zahl", "str": "Text", "bool": "Ja/Nein", "list": "Liste"}
TRUE_WORDS = {"true", "ja", "1", "wahr", "yes"}
FALSE_WORDS = {"false", "nein", "0", "falsch", "no"}


@dataclass
class Parameter:
    """One parameter with everything needed to explain and check a value."""

    name: str
    type: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: list[Any] | None = None
    # People-readable text per choice (lab.yaml ``choices`` written as a mapping value: label);
    # controls show the label, the notebook receives the value.
    choice_labels: dict[Any, str] = field(default_factory=dict, repr=False)
    # "csv": path to a CSV file of the dataset's schema; "datei": path to a file the notebook
    # reads itself (e.g. geodata); empty means the bundled data; "lesen": read options;
    # "spalten": column mapping ziel=quelle (columns.parse_mapping)
    kind: str | None = None
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def display_label(self) -> str:
        """Short German label for a control; falls back to the help text."""
        return self.label or self.help or self.name

    def allowed(self) -> str:
        """German description of the allowed values, used in every error message."""
        if self.choices is not None:
            shown = [
                f"{_choice(c)} ({self.choice_labels[c]})" if c in self.choice_labels else _choice(c)
                for c in self.choices
            ]
            # „0,1; 1; 10“: a comma list would mix with decimal commas
            values = ("; " if any("," in v for v in shown) else ", ").join(shown)
            if self.type == "list":
                return f"eine Auswahl aus: {values}"
            return f"einer von: {values}"
        if self.kind == "csv":
            return (
                "Pfad zu einer vorhandenen CSV-, Excel- (.xlsx) oder ODS-Datei "
                "(leer = mitgelieferte Beispieldaten)"
            )
        if self.kind == "datei":
            return "Pfad zu einer vorhandenen Datei (leer = mitgelieferte Beispieldaten)"
        if self.kind == "lesen":
            from .csvfiles import READ_OPTIONS

            return (
                "Leseoptionen als name=wert, getrennt durch „;“ (leer = automatisch erkennen): "
                + ", ".join(READ_OPTIONS)
                + " („striche=luecke“ liest „-“ in Zahlenspalten als Lücke statt als 0)"
            )
        if self.kind == "spalten":
            return (
                "Zuordnungen ziel=quelle, getrennt durch „;“ (leer = automatisch zuordnen); "
                "einen Vorschlag für Ihre Datei zeigt „datenlabor daten pruefen“"
            )
        parts = [TYPE_NAMES.get(self.type, self.type)]
        if self.min is not None and self.max is not None:
            parts.append(f"von {_fmt(self.min)} bis {_fmt(self.max)}")
        elif self.min is not None:
            parts.append(f"mindestens {_fmt(self.min)}")
        elif self.max is not None:
            parts.append(f"höchstens {_fmt(self.max)}")
        return " ".join(parts)

    def coerce(self, value: Any) -> Any:
        """Turn a CLI string or YAML value into this parameter's type, or raise."""
        t = self.type
        if t == "bool":
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise self._error(value, "ist kein Ja/Nein-Wert")
        if t == "int":
            if isinstance(value, bool):
                raise self._error(value, "ist keine Ganzzahl")
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            try:
                return int(str(value).strip())
            except ValueError:
                raise self._error(value, "ist keine Ganzzahl") from None
        if t == "float":
            if isinstance(value, bool):
                raise self._error(value, "ist keine Zahl")
            if isinstance(value, int | float):
                result = float(value)
            else:
                try:
                    result = float(str(value).strip().replace(",", "."))
                except ValueError:
                    raise self._error(value, "ist keine Zahl") from None
            if not math.isfinite(result):
                raise self._error(value, "ist keine endliche Zahl")
            return result
        if t == "list":
            if isinstance(value, list | tuple):
                items = list(value)
            else:
                items = [v.strip() for v in str(value).split(",") if v.strip()]
            return items
        if t == "str":
            if isinstance(value, list | dict):
                raise self._error(value, "ist kein Text")
            return str(value)
        return value

    def validate(self, value: Any) -> Any:
        """Coerce and check against range, choices and kind; returns the clean value."""
        value = self.coerce(value)
        if self.choices is not None:
            if self.type == "list":
                wrong = [v for v in value if v not in self.choices]
                if wrong:
                    raise self._error(", ".join(map(str, wrong)), "ist nicht erlaubt")
                if not value:
                    raise self._error("", "ist leer")
            elif value not in self.choices:
                raise self._error(value, "ist nicht erlaubt")
        if self.type in ("int", "float"):
            if (
                self.min is not None
                and value < self.min
                or self.max is not None
                and value > self.max
            ):
                raise self._error(value, "liegt außerhalb des erlaubten Bereichs")
        if self.kind == "lesen" and value:
            from .csvfiles import parse_read_options

            try:
                parse_read_options(str(value))
            except ParameterError as exc:
                raise ParameterError(f"Parameter „{self.name}“: {exc}") from None
        if self.kind == "spalten" and value:
            from .columns import parse_mapping

            try:
                parse_mapping(str(value))
            except ParameterError as exc:
                raise ParameterError(f"Parameter „{self.name}“: {exc}") from None
        if self.kind in ("csv", "datei") and value:
            path = Path(value).expanduser()
            if not path.is_file():
                raise self._error(value, "ist keine vorhandene Datei")
            value = str(path.resolve())
        return value

    def _error(self, value: Any, problem: str) -> ParameterError:
        return ParameterError(
            f"Parameter „{self.name}“: Der Wert „{value}“ {problem}. Erlaubt: {self.allowed()}."
        )


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")


def _choice(value: Any) -> str:
    """A choice as people write it: ``0,1`` and ``10`` for numbers, ja/nein, text as is."""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return _fmt(value)
    return str(value)


def _normalise_type(annotation: str | None, default: Any) -> str:
    name = (annotation or "").strip().lower()
    if name.startswith("list"):
        return "list"
    if name in TYPE_NAMES:
        return name
    return type(default).__name__ if type(default).__name__ in TYPE_NAMES else "str"


# The documented form of a parameter line: ``name: type = default  # Hilfetext``.
PARAM_LINE = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>int|float|str|bool|list(\[[^\]]*\])?)\s*=\s*"
    r"(?P<value>.+?)\s*#\s*(?P<help>\S.*)$"
)


def parameters_cell(notebook: Path) -> str | None:
    """Source of the cell tagged ``parameters`` (None if there is none)."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return None


def parse_notebook_parameters(notebook: Path) -> list[Parameter]:
    """Parameters of the notebook's parameters cell in the documented one-line form.

    Kept free of papermill imports so an app kernel stays small (papermill
    costs ~35 MB and 1.5 s per kernel); ``datenlabor check`` verifies that
    papermill's own ``inspect_notebook`` reads the same names, types and help.
    """
    params = []
    for line in (parameters_cell(notebook) or "").splitlines():
        match = PARAM_LINE.match(line.strip())
        if not match:
            continue
        raw = match["value"]
        try:
            default = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            default = raw
        params.append(
            Parameter(
                name=match["name"],
                type=_normalise_type(match["type"], default),
                default=default,
                help=match["help"].strip(),
            )
        )
    return params


def papermill_view(notebook: Path) -> dict[str, tuple[str, str]]:
    """What papermill infers: name -> (type, help); used by ``check`` to compare."""
    from papermill.inspection import inspect_notebook

    return {
        name: (_normalise_type(info.get("inferred_type_name"), None), info.get("help") or "")
        for name, info in inspect_notebook(str(notebook)).items()
    }


def read_parameters(notebook: Path, constraints: dict[str, dict[str, Any]]) -> dict[str, Parameter]:
    """Merge the notebook's parameters with the constraints declared in lab.yaml."""
    params = {}
    for p in parse_notebook_parameters(notebook):
        c = constraints.get(p.name) or {}
        p.min = c.get("min")
        p.max = c.get("max")
        p.step = c.get("step")
        p.choices = list(c["choices"]) if "choices" in c else None
        if isinstance(c.get("choices"), dict):  # {value: label, …}
            p.choice_labels = {k: str(v) for k, v in c["choices"].items()}
        p.kind = c.get("kind")
        p.label = c.get("label")
        p.extra = {
            k: v
            for k, v in c.items()
            if k not in {"min", "max", "step", "choices", "kind", "label"}
        }
        params[p.name] = p
    return params


def unknown_parameter(name: str, params: dict[str, Parameter], lab_name: str) -> str:
    """The German message for a parameter name the lab does not have."""
    known = ", ".join(params) or "keine"
    return f"Parameter „{name}“ gibt es im Lab „{lab_name}“ nicht. Bekannte Parameter: {known}."


def validate_values(
    params: dict[str, Parameter], values: dict[str, Any], lab_name: str
) -> dict[str, Any]:
    """Check every given value; all problems are reported together in one German message.

    Returns the cleaned values; raises ``ParameterError`` naming every unknown
    parameter and every value that does not fit.
    """
    clean: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in values.items():
        if name not in params:
            problems.append(unknown_parameter(name, params, lab_name))
            continue
        try:
            clean[name] = params[name].validate(value)
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError("\n".join(problems))
    return clean


# --- choices taken from the municipality's own file ------------------------------------

MAX_LISTED_VALUES = 30
"""At most this many values of a file are named in a message (then „… N Werte insgesamt“)."""


def data_column(param: Parameter) -> str | None:
    """The dataset column whose values the choices of ``param`` are with own data.

    Declared in lab.yaml as ``aus_daten: <spalte>`` (e.g. ``stadtteile: {…, aus_daten:
    stadtteil}``); None for parameters whose choices do not come from the data.
    """
    column = param.extra.get("aus_daten")
    return str(column) if column else None


def data_choices(param: Parameter, frame: Any) -> list[Any] | None:
    """Sorted distinct values of ``param``'s data column in ``frame`` (a loaded own table).

    Values are plain Python scalars (``int`` for whole numbers such as years, else
    ``str``/``float``); gaps are left out. None if the parameter is not data-driven or
    the column is missing from ``frame``.
    """
    column = data_column(param)
    if column is None or column not in getattr(frame, "columns", ()):
        return None
    values = []
    for v in frame[column].dropna().unique():
        v = v.item() if hasattr(v, "item") else v
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        values.append(v)
    return sorted(values, key=lambda v: (isinstance(v, str), v))


def _listed(values: list[Any]) -> str:
    shown = ", ".join(str(v) for v in values[:MAX_LISTED_VALUES])
    if len(values) > MAX_LISTED_VALUES:
        shown += f", … ({len(values)} Werte insgesamt)"
    return shown


def fit_to_data(
    params: dict[str, Parameter],
    frame: Any,
    values: dict[str, Any],
    *,
    source: str,
    given: set[str] | None = None,
) -> tuple[dict[str, Any], dict[str, Parameter], list[str]]:
    """Check and adapt data-driven parameter values (lab.yaml ``aus_daten``) to an own file.

    With own data the lab.yaml choice lists (synthetic Musterstadt values) do not apply:
    the choices are the values found in ``frame`` (see ``data_choices``). A value the
    person gave (``name in given``) that is not in the file raises ``ParameterError``
    naming the values the file has; a value they did not give (the notebook default) is
    replaced by the file's: the newest/largest for a single number, the first for a text,
    the defaults still in the file (else the first few values) for a list. ``given=None``
    (inside a kernel, where only the value is known) treats a value equal to the
    notebook default as not given. ``source`` is the file name used in messages.

    Returns ``(values, data_params, notes)``: the adapted values, copies of the
    data-driven parameters whose ``choices`` are the file's values (min/max cleared, so
    controls become lists), and German notes on every adapted default.
    """
    from dataclasses import replace

    out = dict(values)
    fitted: dict[str, Parameter] = {}
    notes: list[str] = []
    problems: list[str] = []
    for name, param in params.items():
        choices = data_choices(param, frame)
        if not choices:
            continue
        fitted[name] = replace(param, choices=choices, choice_labels={}, min=None, max=None)
        if name not in values:
            continue
        value = param.coerce(values[name])
        explicit = name in given if given is not None else value != param.default
        items = list(value) if param.type == "list" else [value]
        wrong = [v for v in items if v not in choices]
        if not wrong and items:
            out[name] = value
            continue
        if explicit:
            if wrong:
                quoted = ", ".join(f"„{v}“" for v in wrong)
                problem = f"{quoted} gibt es in der Datei „{source}“ nicht"
            else:
                problem = "Bitte mindestens einen Wert wählen"
            problems.append(
                f"Parameter „{name}“: {problem}. Die Datei enthält: {_listed(choices)}."
            )
            continue
        if param.type == "list":
            kept = [v for v in items if v in choices]
            new: Any = kept or choices[: max(1, min(len(items), 3))]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers = [c for c in choices if isinstance(c, int | float)]
            new = max(numbers) if numbers else choices[-1]
        else:
            new = choices[0]
        out[name] = new
        shown = ", ".join(map(str, new)) if isinstance(new, list) else str(new)
        notes.append(
            f"{param.display_label}: Die Voreinstellung gibt es in „{source}“ nicht, "
            f"verwendet wird {shown}."
        )
    if problems:
        raise ParameterError("\n".join(problems))
    return out, fitted, notes
