"""Exercises of the real labs: generated notebooks, and every self-check run in its notebook.

The slow tests execute a lab notebook with its CI parameters (papermill) after
adding, behind each self-check cell, one cell with a wrong answer: the solution
must be judged „richtig“, the wrong answer must get a hint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datenlabor import exercises
from datenlabor.catalog import discover, get_lab
from tests.helpers import fixture_path

LABS = [lab.slug for lab in discover()]


def _outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        data = out.get("data") or {}
        parts.append(str(data.get("text/plain", "")) + str(data.get("text/html", "")))
        parts.append(str(out.get("text", "")))
    return "".join(parts)


@pytest.mark.parametrize("slug", LABS)
def test_every_lab_has_exercises_selfchecks_and_quiz(slug, tmp_path):
    lab = get_lab(slug)
    nb = json.loads(lab.notebook.read_text(encoding="utf-8"))
    found = [e for e in exercises.exercises_of(nb) if e["id"]]
    assert 2 <= len(found) <= 4, slug
    assert set(lab.meta.get("aufgaben") or {}) == {e["id"] for e in found}
    assert 3 <= len(lab.meta.get("quiz") or []) <= 5
    assert lab.meta.get("ki_kompetenz")
    path = exercises.write_exercises(lab, tmp_path)
    generated = json.loads(path.read_text(encoding="utf-8"))
    for cell in generated["cells"]:
        if "loesung" in cell["metadata"].get("tags", []):
            assert "".join(cell["source"]).startswith(exercises.PLACEHOLDER)
    assert exercises.check_exercise_notebook(path) == []


WRONG_SOURCE = """\
def _falsch(wert):
    if isinstance(wert, bool):
        return not wert
    if hasattr(wert, "item"):
        wert = wert.item()
    if isinstance(wert, int | float):
        return wert * 3 + 17
    return "sicher-nicht-richtig"


"""


def _with_wrong_answers(nb: dict) -> dict:
    cells = []
    for cell in nb["cells"]:
        cells.append(cell)
        if "pruefung" in cell["metadata"].get("tags", []):
            src = "".join(cell["source"])
            key = src.split('"')[1]
            var = src.split(",")[1].strip(" )\n")
            cells.append(
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": f"falsch-{len(cells)}",
                    "metadata": {"tags": ["falsche-antwort"]},
                    "outputs": [],
                    "source": WRONG_SOURCE + f'datenlabor.pruefe("{key}", _falsch({var}))',
                }
            )
    return {**nb, "cells": cells}


def _run(lab_path: Path, nb: dict, tmp_path: Path, params: dict) -> dict:
    import papermill

    src = tmp_path / "eingabe.ipynb"
    src.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "ausgabe.ipynb"
    papermill.execute_notebook(
        str(src),
        str(out),
        parameters=params,
        kernel_name="datenlabor",
        cwd=str(Path(__file__).resolve().parents[1]),
        progress_bar=False,
    )
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("slug", LABS)
def test_selfchecks_accept_solution_and_reject_wrong_answer(slug, tmp_path):
    lab = get_lab(slug)
    nb = json.loads(lab.notebook.read_text(encoding="utf-8"))
    done = _run(lab.notebook, _with_wrong_answers(nb), tmp_path, lab.ci_parameters)
    checks = [c for c in done["cells"] if "pruefung" in c["metadata"].get("tags", [])]
    wrong = [c for c in done["cells"] if "falsche-antwort" in c["metadata"].get("tags", [])]
    assert checks and len(checks) == len(wrong)
    for cell in checks:
        assert "Richtig" in _outputs_text(cell), _outputs_text(cell)
    for cell in wrong:
        text = _outputs_text(cell)
        assert "Hinweis" in text and "Richtig" not in text, text


@pytest.mark.slow
def test_exercise_notebook_runs_and_waits_for_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("DATENLABOR_LABS", str(fixture_path("lernlabs")))
    lab = get_lab("lernen")
    path = exercises.write_exercises(lab, tmp_path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    done = _run(path, nb, tmp_path, {"faktor": 7})  # a non-default parameter
    checks = [c for c in done["cells"] if "pruefung" in c["metadata"].get("tags", [])]
    assert len(checks) == 2
    for cell in checks:
        text = _outputs_text(cell)
        assert "Noch keine Antwort" in text and "Richtig" not in text
        assert "42" not in text  # the solution (mean of 7, 14, 21, 70 = 28; max 70) is not shown
        assert "70" not in text and "28" not in text
