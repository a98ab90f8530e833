"""Self-checks for exercises: ``datenlabor.pruefe("aufgabe-2", antwort)``.

Expected answers are declared next to the lab, in ``lab.yaml``::

    aufgaben:
      aufgabe-1:
        titel: Median der Stadtteile
        erwartet: float(vergleich[indikator].median())   # Python-Ausdruck über Notebook-Variablen
        toleranz: 0.01            # Zahl: so weit darf die Antwort abweichen (absolut)
        knapp: 0.5                # Zahl: bis hierhin heißt es „knapp daneben“ (Vorgabe 10-mal toleranz)
        hinweis: Welche Tabelle enthält nur das gewählte Jahr?
        erklaerung: Der Median ist der mittlere Wert …   # nach einer richtigen Antwort

``erwartet`` is evaluated in the notebook's own namespace at the time of the
check, so it stays right when parameters or data change. Numbers are compared
with the tolerance; texts without regard to case and surrounding spaces; lists
and sets as sets; ``True``/``False`` exactly. The expected value is never printed.
"""

from __future__ import annotations

import builtins
import html
import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .catalog import Lab
from .errors import DatenlaborError, LabError
from .quiz import parse_number as _number

RIGHT = "richtig"
CLOSE = "knapp"
WRONG = "falsch"
EMPTY = "offen"


class SelfCheckError(DatenlaborError):
    """Raised when a self-check is unknown or its ``erwartet`` expression fails in lab.yaml."""


@dataclass
class Feedback:
    """The outcome of one self-check: ``status`` is richtig, knapp, falsch or offen."""

    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == RIGHT

    def _repr_html_(self) -> str:
        icon = {RIGHT: "✔", CLOSE: "≈", WRONG: "✘", EMPTY: "…"}[self.status]
        return (
            f'<p role="status" class="datenlabor-pruefung datenlabor-pruefung-{self.status}">'
            f"{icon} {html.escape(self.message)}</p>"
        )

    def __repr__(self) -> str:
        return self.message


def _declared(lab: Lab) -> dict[str, Any]:
    checks = lab.meta.get("aufgaben") or {}
    if not isinstance(checks, Mapping):
        raise LabError(f"lab.yaml von „{lab.slug}“: „aufgaben“ muss eine Zuordnung sein.")
    return dict(checks)


def expected_value(spec: Mapping[str, Any], namespace: Mapping[str, Any], key: str) -> Any:
    """Evaluate ``spec["erwartet"]`` in ``namespace`` (the notebook's variables)."""
    expr = spec.get("erwartet")
    if not isinstance(expr, str) or not expr.strip():
        if expr is None:
            raise SelfCheckError(f"Selbstkontrolle „{key}“: Angabe „erwartet“ fehlt in lab.yaml.")
        return expr  # a constant (number, text, list) written directly in lab.yaml
    try:
        return eval(expr, {"__builtins__": builtins}, dict(namespace))  # noqa: S307 - lab.yaml is maintainer code
    except Exception as exc:  # noqa: BLE001
        raise SelfCheckError(
            f"Selbstkontrolle „{key}“ lässt sich gerade nicht auswerten ({type(exc).__name__}). "
            "Bitte das Notebook von oben bis hier ausführen."
        ) from None


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value


def compare(answer: Any, expected: Any, spec: Mapping[str, Any]) -> Feedback:
    """Compare ``answer`` with ``expected`` under ``spec`` (toleranz, knapp, hinweis, erklaerung)."""
    hint = str(spec.get("hinweis") or "Lesen Sie die Aufgabe noch einmal genau.")
    explain = str(spec.get("erklaerung") or "")
    right = Feedback(RIGHT, ("Richtig! " + explain).strip())
    if answer is None or answer is Ellipsis:
        return Feedback(EMPTY, f"Noch keine Antwort eingetragen. Hinweis: {hint}")
    if isinstance(expected, bool) or isinstance(answer, bool):
        if isinstance(answer, bool) and bool(answer) == bool(expected):
            return right
        return Feedback(WRONG, f"Leider nicht. Hinweis: {hint}")
    exp_num = _number(expected)
    if exp_num is not None and not isinstance(expected, str):
        got = _number(answer)
        if got is None or math.isnan(got):
            return Feedback(WRONG, f"Erwartet wird eine Zahl. Hinweis: {hint}")
        tol = float(spec.get("toleranz", 0) or 0)
        if "toleranz_relativ" in spec:
            tol = max(tol, abs(exp_num) * float(spec["toleranz_relativ"]))
        close = float(spec.get("knapp", tol * 10 if tol else abs(exp_num) * 0.05))
        diff = abs(got - exp_num)
        if diff <= tol + 1e-12:
            return right
        if diff <= close:
            return Feedback(
                CLOSE, f"Knapp daneben – prüfen Sie Rundung und Bezugsgröße. Hinweis: {hint}"
            )
        return Feedback(WRONG, f"Leider nicht. Hinweis: {hint}")
    if isinstance(expected, list | tuple | set | frozenset):
        if not isinstance(answer, list | tuple | set | frozenset):
            answer = [answer]
        want, got_set = {_norm(v) for v in expected}, {_norm(v) for v in answer}
        if want == got_set:
            return right
        if got_set and got_set < want:
            return Feedback(CLOSE, f"Knapp daneben – es fehlt noch etwas. Hinweis: {hint}")
        if want < got_set:
            return Feedback(CLOSE, f"Knapp daneben – eins ist zu viel. Hinweis: {hint}")
        return Feedback(WRONG, f"Leider nicht. Hinweis: {hint}")
    if _norm(str(answer)) == _norm(str(expected)):
        return right
    return Feedback(WRONG, f"Leider nicht. Hinweis: {hint}")


def check(key: str, answer: Any, namespace: Mapping[str, Any], lab: Lab | None = None) -> Feedback:
    """The feedback for ``answer`` to exercise ``key`` of ``lab`` (default: the notebook's lab).

    Raises :class:`SelfCheckError` for an exercise without self-check in lab.yaml.
    """
    if lab is None:
        from .app import _current_lab

        lab = _current_lab()
    declared = _declared(lab)
    if key not in declared:
        known = ", ".join(declared) or "keine"
        raise SelfCheckError(
            f"Zu „{key}“ gibt es in „{lab.slug}“ keine Selbstkontrolle (vorhanden: {known})."
        )
    spec = declared[key] or {}
    if answer is None or answer is Ellipsis:
        return compare(
            answer, None, spec
        )  # never evaluate (or show) the solution before an attempt
    return compare(answer, expected_value(spec, namespace, key), spec)


def pruefe(aufgabe: str, antwort: Any, *, lab: Lab | None = None) -> Feedback:
    """Check ``antwort`` for exercise ``aufgabe`` (e.g. ``"aufgabe-2"``) and show German feedback.

    The expected value comes from lab.yaml (``aufgaben:``) and is computed from
    the calling notebook's variables. Returns a :class:`Feedback` (shown as one
    line: richtig, knapp daneben with a hint, or falsch with a hint); the
    solution itself is never shown. Errors are shown as a German sentence.
    """
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    namespace = dict(caller.f_globals) if caller is not None else {}
    if caller is not None:
        namespace.update(caller.f_locals)
    try:
        return check(aufgabe, antwort, namespace, lab)
    except DatenlaborError as exc:
        return Feedback(EMPTY, str(exc))
