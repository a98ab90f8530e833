"""Exercises and their solutions from one source: the lab notebook.

An exercise is authored in the lab notebook (the one CI, the app and papermill
run) as three kinds of cells, all tagged ``nur-notebook`` so the app never
shows them:

* a markdown cell tagged ``aufgabe``: the task ("### Aufgabe 1: …"); the n-th
  such cell is exercise ``aufgabe-n``;
* one or more code cells tagged ``loesung`` right after it: the solution, which
  assigns the answer to a variable ``antwort_<n>`` (any name starting with
  ``antwort``);
* optionally a code cell tagged ``pruefung``: ``datenlabor.pruefe("aufgabe-n", antwort_n)``.

:func:`exercise_notebook` derives the exercise notebook: every ``loesung`` cell
becomes „# Ihre Lösung hier …“ plus ``antwort_n = ...`` (Python's Ellipsis, which
:func:`datenlabor.pruefe` reads as "not answered yet"), so the notebook still
runs from top to bottom. The idea follows the INRIA scikit-learn MOOC, where
exercises and solutions derive from cells tagged ``solution``.
"""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

from .catalog import Lab
from .errors import DatenlaborError, LabError
from .paths import write_atomic

TASK_TAG = "aufgabe"
SOLUTION_TAG = "loesung"
CHECK_TAG = "pruefung"
NOTEBOOK_ONLY_TAG = "nur-notebook"
PLACEHOLDER = "# Ihre Lösung hier …"
EXERCISE_SUFFIX = "-aufgaben.ipynb"
"""File name ending of a generated exercise notebook (``<slug>-aufgaben.ipynb``)."""


class ExerciseError(DatenlaborError):
    """Raised when the exercise notebook cannot be written (bad target folder)."""

    exit_code = 2


def _tags(cell: dict[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags") or [])


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def answer_names(source: str) -> list[str]:
    """Top-level names assigned in ``source`` that start with ``antwort`` (in order)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Name) and t.id.startswith("antwort") and t.id not in names:
                names.append(t.id)
    return names


def placeholder_source(solution: str) -> str:
    """What a learner sees instead of ``solution``: the prompt and empty answer variables."""
    lines = [PLACEHOLDER]
    for name in answer_names(solution):
        lines.append(f"{name} = ...  # hier Ihre Antwort statt ... eintragen")
    return "\n".join(lines) + "\n"


def exercises_of(nb: dict[str, Any]) -> list[dict[str, Any]]:
    """The exercises of a notebook: ``[{"id", "task", "solutions": [cell indices]}]``.

    Solution cells before the first task are collected under ``id`` ``None``.
    """
    found: list[dict[str, Any]] = []
    orphan: dict[str, Any] = {"id": None, "task": None, "solutions": []}
    current = orphan
    for index, cell in enumerate(nb.get("cells", [])):
        tags = _tags(cell)
        if TASK_TAG in tags:
            current = {"id": f"aufgabe-{len(found) + 1}", "task": index, "solutions": []}
            found.append(current)
        elif SOLUTION_TAG in tags:
            current["solutions"].append(index)
    return ([orphan] if orphan["solutions"] else []) + found


def exercise_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of the notebook ``nb`` (nbformat JSON as dict) with every solution replaced.

    Outputs and execution counts are removed; the ``loesung`` tag stays on the
    placeholder cells so :func:`check_exercise_notebook` can find them.
    """
    out = copy.deepcopy(nb)
    for cell in out.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        if SOLUTION_TAG in _tags(cell):
            cell["source"] = placeholder_source(_source(cell))
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LabError(
            f"Das Notebook „{path}“ lässt sich nicht lesen ({type(exc).__name__})."
        ) from None


def write_exercises(lab: Lab, target: Path | None = None) -> Path:
    """Write ``<slug>-aufgaben.ipynb`` for ``lab`` into ``target`` (default: current folder).

    The file is written atomically (temporary file, then renamed). Raises
    :class:`ExerciseError` if ``target`` is no folder or the lab has no exercises,
    and never writes into the lab's own folder (the lab notebook stays untouched).
    """
    folder = Path(target) if target is not None else Path.cwd()
    if not folder.is_dir():
        raise ExerciseError(f"Den Ordner „{folder}“ gibt es nicht.")
    if folder.resolve() == lab.folder.resolve():
        raise ExerciseError(
            "Das Aufgaben-Notebook gehört nicht in den Ordner des Labs "
            "(dort liegt nur das Notebook mit Lösungen). Bitte einen anderen Ordner wählen."
        )
    nb = _read(lab.notebook)
    if not [e for e in exercises_of(nb) if e["id"]]:
        raise ExerciseError(f"Das Lab „{lab.slug}“ hat noch keine Aufgaben.")
    text = json.dumps(exercise_notebook(nb), ensure_ascii=False, indent=1) + "\n"
    path = folder / f"{lab.slug}{EXERCISE_SUFFIX}"
    return write_atomic(path, text)


def check_exercises(nb: dict[str, Any], name: str, declared: dict[str, Any] | None) -> list[str]:
    """Problems of the exercises in a lab notebook (German, one sentence each).

    An exercise without a solution, a solution without an exercise text, an
    exercise or solution cell shown in the app, a solution without an
    ``antwort…`` variable when the lab declares a self-check, and self-checks in
    lab.yaml for exercises the notebook does not have.
    """
    problems = []
    cells = nb.get("cells", [])
    for ex in exercises_of(nb):
        if ex["id"] is None:
            numbers = ", ".join(str(i + 1) for i in ex["solutions"])
            problems.append(f"{name}: Lösung ohne Aufgabentext (Zelle {numbers}).")
            continue
        if not ex["solutions"]:
            problems.append(f"{name}: {ex['id']} (Zelle {ex['task'] + 1}) hat keine Lösung.")
        if declared is not None and ex["id"] in declared:
            if not any(answer_names(_source(cells[i])) for i in ex["solutions"]):
                problems.append(
                    f"{name}: Die Lösung von {ex['id']} weist keiner Variablen „antwort…“ "
                    "einen Wert zu (die Selbstkontrolle braucht sie)."
                )
    for index, cell in enumerate(cells):
        tags = _tags(cell)
        if tags & {TASK_TAG, SOLUTION_TAG, CHECK_TAG} and NOTEBOOK_ONLY_TAG not in tags:
            problems.append(
                f"{name}: Zelle {index + 1} (Aufgabe/Lösung/Prüfung) braucht auch das Tag "
                "„nur-notebook“, sonst erscheint sie in der App."
            )
        if TASK_TAG in tags and cell.get("cell_type") != "markdown":
            problems.append(
                f"{name}: Zelle {index + 1}: Aufgabentext muss eine Markdown-Zelle sein."
            )
        if SOLUTION_TAG in tags and cell.get("cell_type") != "code":
            problems.append(f"{name}: Zelle {index + 1}: Lösung muss eine Code-Zelle sein.")
    ids = {ex["id"] for ex in exercises_of(nb) if ex["id"]}
    for key in declared or {}:
        if key not in ids:
            problems.append(
                f"lab.yaml: Selbstkontrolle „{key}“, aber das Notebook hat keine solche Aufgabe "
                f"(vorhanden: {', '.join(sorted(ids)) or 'keine'})."
            )
    return problems


def check_exercise_notebook(path: Path) -> list[str]:
    """Problems of a generated exercise notebook: solution cells that still hold code."""
    nb = _read(path)
    problems = []
    for index, cell in enumerate(nb.get("cells", [])):
        if SOLUTION_TAG not in _tags(cell):
            continue
        src = _source(cell)
        if src != placeholder_source(src):
            problems.append(
                f"{path.name}: Zelle {index + 1} enthält noch Lösungscode "
                "(„datenlabor aufgaben“ erzeugt das Aufgaben-Notebook neu)."
            )
    return problems
