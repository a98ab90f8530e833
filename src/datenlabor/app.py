"""App plumbing: controls built from the lab's parameter definition.

The notebook keeps its analysis code; this module only turns the parameters
cell plus lab.yaml constraints into labelled widgets, re-validates every
value in the kernel (the browser cannot be trusted) and shows results or a
German message, never a traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from .catalog import Lab, get_lab
from .errors import DatenlaborError, LabNotFoundError, ParameterError
from .parameters import Parameter

GENERIC_ERROR = (
    "Das hat leider nicht geklappt. Bitte eine andere Einstellung wählen oder die Seite neu laden."
)


_notebook_lab: Lab | None = None
# Parameters whose choices come from the loaded own file (``aus_daten``); see ``aus_daten``.
_data_params: dict[str, Parameter] = {}


def lab(slug: str) -> None:
    """Name the lab this notebook belongs to; call it once, in the import cell.

    Later ``interact`` calls take labels, choices and ranges from this lab's
    ``lab.yaml``. Raises ``LabNotFoundError`` for an unknown slug.
    """
    global _notebook_lab
    _notebook_lab = get_lab(slug)
    _data_params.clear()


def aus_daten(
    frame: Any,
    quelle: str = "eigene Datei",
    beschriftungen: Mapping[Any, str] | None = None,
    **values: Any,
) -> Any:
    """Values of data-driven parameters checked against an own table; controls follow it.

    ``frame`` is the loaded own table (``datenlabor.load(..., path=daten)``); each
    keyword is a parameter declared ``aus_daten: <spalte>`` in lab.yaml with its current
    value. A value that differs from the notebook default and is not in the file raises
    ``ParameterError`` naming the file's values; a default the file lacks is replaced by
    the file's (printed as a German note). From then on ``interact`` offers the file's
    values; ``beschriftungen`` maps a value to the text its control shows (e.g. a metric
    name to its German label). Returns the values in keyword order (one value alone,
    else a tuple).
    """
    from .parameters import fit_to_data

    lab = _current_lab()
    params = {n: lab.parameters[n] for n in values if n in lab.parameters}
    adapted, fitted, notes = fit_to_data(params, frame, values, source=PurePath(quelle).name)
    if beschriftungen:
        from dataclasses import replace

        fitted = {
            n: replace(
                p,
                choice_labels={
                    c: beschriftungen[c] for c in p.choices or () if c in beschriftungen
                },
            )
            for n, p in fitted.items()
        }
    _data_params.update(fitted)
    for note in notes:
        print(note)
    result = tuple(adapted[n] for n in values)
    return result[0] if len(result) == 1 else result


def _parameters(lab: Lab) -> dict[str, Parameter]:
    """The lab's parameters, with choices from the own file where ``aus_daten`` set them."""
    return {**lab.parameters, **_data_params}


def _current_lab() -> Lab:
    if _notebook_lab is None:
        raise LabNotFoundError(
            "Dieses Notebook hat noch kein Lab genannt. Bitte in der Import-Zelle "
            '„app.lab("<slug>")“ aufrufen, z. B. app.lab("daten-erkunden").'
        )
    return _notebook_lab


def choice_text(value: Any) -> str:
    """How a choice reads in a list: German numbers (0,1 / 10 / 12.500), Ja/Nein, text as is."""
    if isinstance(value, bool):
        return "Ja" if value else "Nein"
    if isinstance(value, int | float):
        from .plotting import number

        if float(value).is_integer():
            whole = int(value)
            return number(whole, 0) if abs(whole) >= 10000 else str(whole)
        text = f"{float(value):.6f}".rstrip("0")
        return number(float(value), len(text.split(".")[1]))
    return str(value)


def choice_options(
    choices: Sequence[Any], labels: Mapping[Any, str] | None = None
) -> list[tuple[str, Any]]:
    """``(label, value)`` pairs for a Dropdown/SelectMultiple: people read the label, the kernel gets the value.

    ``labels`` (from lab.yaml ``choices: {value: label}``) replaces the text of a
    value, so internal ids such as ``kita-plaetze`` never reach the page.
    """
    labels = labels or {}
    return [(labels[c] if c in labels else choice_text(c), c) for c in choices]


def make_control(param: Parameter, value: Any):
    """One labelled ipywidget for ``param`` with ``value`` as its start value."""
    import ipywidgets as w

    label = param.display_label
    common = {
        "description": label,
        "style": {"description_width": "initial"},
        "layout": w.Layout(width="100%", max_width="36rem"),
    }
    if param.choices is not None and param.type == "list":
        ctrl = w.SelectMultiple(
            options=choice_options(param.choices, param.choice_labels),
            value=tuple(value),
            rows=min(8, len(param.choices)),
            **common,
        )
    elif param.choices is not None:
        ctrl = w.Dropdown(
            options=choice_options(param.choices, param.choice_labels), value=value, **common
        )
    elif param.type == "bool":
        ctrl = w.Checkbox(value=bool(value), indent=False, **common)
    elif param.type == "int":
        ctrl = w.IntSlider(
            value=int(value),
            min=int(param.min if param.min is not None else 0),
            max=int(param.max if param.max is not None else 100),
            step=int(param.step or 1),
            continuous_update=False,
            **common,
        )
    elif param.type == "float":
        lo = float(param.min if param.min is not None else 0.0)
        hi = float(param.max if param.max is not None else 1.0)
        ctrl = w.FloatSlider(
            value=float(value),
            min=lo,
            max=hi,
            step=float(param.step or (hi - lo) / 100),
            continuous_update=False,
            readout_format=_readout_format(param.step, lo, hi),
            **common,
        )
        ctrl.add_class("datenlabor-zahl")  # datenlabor.js shows the readout with a decimal comma
    else:
        ctrl = w.Text(value=str(value), continuous_update=False, **common)
    ctrl.add_class(f"datenlabor-control-{param.name}")
    return ctrl


def _readout_format(step: float | None, lo: float, hi: float) -> str:
    """As many decimals as the step needs (0.05 -> 2, 0.1 -> 1), at most 3."""
    step = float(step or (hi - lo) / 100)
    text = f"{step:.3f}".rstrip("0").rstrip(".")
    return f".{len(text.split('.')[1]) if '.' in text else 0}f"


def controls(lab: Lab, values: Mapping[str, Any]) -> dict[str, Any]:
    """Widgets for the named parameters of ``lab``, started at ``values``.

    Raises ``ParameterError`` for a name that is not a parameter of the lab.
    """
    params = _parameters(lab)
    unknown = [n for n in values if n not in params]
    if unknown:
        raise ParameterError(
            f"Lab „{lab.slug}“ hat keine Parameter namens {', '.join(unknown)} "
            "(siehe Parameterzelle)."
        )
    return {n: make_control(params[n], value) for n, value in values.items()}


def _log_exception() -> None:
    # The real stderr goes to the server log; the notebook's stderr would reach the browser.
    traceback.print_exc(file=sys.__stderr__)


def interact(func: Callable[..., Any], /, *, title: str | None = None, **values: Any):
    """Controls for the given parameters plus an output area showing ``func(**values)``.

    Pass each control by name with its current value, e.g.
    ``app.interact(zeige_vergleich, indikator=indikator, jahr=jahr)``; the lab
    comes from ``app.lab(...)`` in the import cell. Every change is validated
    against the lab's constraints before ``func`` runs; an invalid value (e.g.
    from a crafted websocket message) is rejected and the control is set back.
    Returns the ipywidgets box (``.controls`` maps names to widgets).
    """
    import ipywidgets as w
    from IPython.display import HTML, display

    lab = _current_lab()
    params = _parameters(lab)
    ctrls = controls(lab, values)
    current = dict(values)
    out = w.Output(layout=w.Layout(width="100%"))
    status = w.HTML(value="", layout=w.Layout(min_height="1.5em"))
    status.add_class("datenlabor-status")

    def render() -> None:
        status.value = '<span role="status">Wird berechnet …</span>'
        with out:
            out.clear_output(wait=True)
            try:
                func(**current)
            except DatenlaborError as exc:
                display(HTML(f'<p role="alert" class="datenlabor-fehler">{_esc(str(exc))}</p>'))
            except Exception:  # noqa: BLE001 - never show a traceback in the app
                _log_exception()
                display(HTML(f'<p role="alert" class="datenlabor-fehler">{GENERIC_ERROR}</p>'))
        status.value = '<span role="status" class="visually-hidden">Ergebnis aktualisiert.</span>'

    def on_change(change: dict[str, Any], name: str) -> None:
        value = change["new"]
        if isinstance(value, tuple):
            value = list(value)
        if value == current[name]:
            return  # e.g. the control being set back after a rejected value
        try:
            current[name] = params[name].validate(value)
        except (ParameterError, TypeError, ValueError):
            status.value = (
                f'<span role="alert">{_esc(rejected_message(params[name], value))}</span>'
            )
            ctrl = ctrls[name]
            old = current[name]
            ctrl.value = tuple(old) if isinstance(old, list) else old
            return
        render()

    for name, ctrl in ctrls.items():
        ctrl.observe(lambda change, name=name: on_change(change, name), names="value")

    children = []
    if title:
        children.append(w.HTML(f"<h3>{_esc(title)}</h3>"))
    box = w.VBox([*children, *ctrls.values(), status, out], layout=w.Layout(width="100%"))
    box.add_class("datenlabor-app")
    box.controls = ctrls  # for tests and for labs that read the current values
    box.output = out
    render()
    return box


def rejected_message(param: Parameter, value: Any) -> str:
    """What a visitor reads when the app refuses ``value`` for ``param`` (German).

    Names the control by its German label and choices by their labels, never the
    parameter's internal name or ids (those are for the command line).
    """
    label = param.display_label
    if param.type == "list" and not value:
        return (
            f"„{label}“: Bitte mindestens einen Eintrag auswählen. Die vorige Auswahl gilt weiter."
        )
    if param.choices is not None:
        names = ", ".join(param.choice_labels.get(c, choice_text(c)) for c in param.choices)
        return f"„{label}“: Diese Auswahl ist nicht möglich. Möglich sind: {names}."
    if param.type in ("int", "float") and param.min is not None and param.max is not None:
        return (
            f"„{label}“: Bitte einen Wert von {choice_text(param.min)} bis "
            f"{choice_text(param.max)} wählen. Der vorige Wert gilt weiter."
        )
    return f"„{label}“: Dieser Wert ist nicht möglich. Der vorige Wert gilt weiter."


def _esc(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")


def quiz():
    """The lab's knowledge questions (``quiz:`` in lab.yaml) as widgets; see :mod:`datenlabor.quiz`."""
    from .quiz import quiz_widget

    return quiz_widget(_current_lab())


def bestaetigung(quiz_box=None):
    """The certificate form of :mod:`datenlabor.certificate` (with the quiz result, if given)."""
    from .certificate import certificate_widget

    return certificate_widget(_current_lab(), getattr(quiz_box, "state", None))


def abschluss():
    """End of an app: knowledge questions, then the certificate of participation.

    Shows both (``display``) and returns nothing, so the cell has no raw echo.
    """
    from IPython.display import display

    lab = _current_lab()
    from .quiz import questions

    box = quiz() if questions(lab) else None
    if box is not None:
        display(box)
    display(bestaetigung(box))
