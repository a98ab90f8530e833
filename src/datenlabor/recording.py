"""Record a lab's key results so that runs, tests and sweeps can read them back.

A metric is shown to the learner as a short line and stored in the cell's
output under its own MIME type; the executed notebook is the only record,
no side files, no scrapbook.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from .errors import MetricError

MIME_TYPE = "application/vnd.datenlabor.metric+json"


def _plain(value: Any) -> Any:
    # numpy scalars and the like -> JSON-native values
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise MetricError("Eine Kennzahl muss eine endliche Zahl sein.")
    if not isinstance(value, int | float | str | bool):
        raise MetricError(
            f"Kennzahlen müssen Zahlen, Texte oder Ja/Nein sein, nicht {type(value).__name__}."
        )
    return value


def record(name: str, value: Any, label: str | None = None, digits: int | None = None) -> None:
    """Show ``value`` as "label: value" and store it as metric ``name``.

    ``value`` is a finite number, a text or a truth value (numpy scalars are
    converted). ``digits`` fixes the decimals of the shown number (``0`` for a
    mean count: ``254,632`` reads ``255``); the stored value is never rounded.
    Without it a number shows at most three decimals. Returns nothing, so a
    notebook cell shows no raw ``Out[]`` echo. Raises ``MetricError`` for other values.
    """
    from IPython.display import display

    from .formatting import metric, number

    clean = _plain(value)
    numeric = isinstance(clean, int | float) and not isinstance(clean, bool)
    shown = number(clean, digits) if digits is not None and numeric else metric(clean)
    text = f"{label or name}: {shown}"
    bundle = {
        MIME_TYPE: {
            "name": name,
            "value": clean,
            **({"label": label} if label else {}),
            **({"digits": int(digits)} if digits is not None and numeric else {}),
        },
        "text/plain": text,
        "text/html": f'<p class="datenlabor-kennzahl"><strong>{html.escape(label or name)}:</strong> '
        f"{html.escape(shown)}</p>",
    }
    display(bundle, raw=True)


def _payloads(notebook: Any) -> Any:
    """Each metric payload (dict) in an executed notebook (path or nbformat node), in order."""
    if not hasattr(notebook, "cells"):
        import nbformat

        notebook = nbformat.read(str(notebook), as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            payload = (output.get("data") or {}).get(MIME_TYPE)
            if isinstance(payload, str):
                payload = json.loads(payload)
            if payload:
                yield payload


def read_metrics(notebook: Any) -> dict[str, Any]:
    """All metrics recorded in an executed notebook (path or nbformat node); last one wins."""
    return {payload["name"]: payload["value"] for payload in _payloads(notebook)}


def read_metric_labels(notebook: Any) -> dict[str, str]:
    """The German labels given to :func:`record` in an executed notebook (name -> label).

    Metrics recorded without a label are missing from the result.
    """
    return {p["name"]: str(p["label"]) for p in _payloads(notebook) if p.get("label")}


def declared_metric_labels(notebook: Any) -> dict[str, str]:
    """The labels written in the source of ``record`` calls of a notebook (name -> label).

    For notebooks that have not run (a lab's own ``.ipynb``): only calls whose name and
    ``label`` are plain strings count, e.g. ``datenlabor.record("genauigkeit", g,
    label="Genauigkeit")``; labels built at run time (f-strings) are left out. A cell
    that is not valid Python is skipped.
    """
    import ast

    if not hasattr(notebook, "cells"):
        import nbformat

        notebook = nbformat.read(str(notebook), as_version=4)
    labels: dict[str, str] = {}
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(cell.get("source", ""))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            name = node.args[0]
            label = next((k.value for k in node.keywords if k.arg == "label"), None)
            if (
                called == "record"
                and isinstance(name, ast.Constant)
                and isinstance(name.value, str)
                and isinstance(label, ast.Constant)
                and isinstance(label.value, str)
            ):
                labels[name.value] = label.value
    return labels


def read_metric_digits(notebook: Any) -> dict[str, int]:
    """The decimals given to :func:`record` (``digits``) in an executed notebook (name -> digits).

    Metrics recorded without ``digits`` are missing from the result.
    """
    return {p["name"]: p["digits"] for p in _payloads(notebook) if isinstance(p.get("digits"), int)}
