"""`datenlabor neu`: a new lab skeleton that passes `datenlabor check` at once."""

from __future__ import annotations

import json
import shutil

import pytest

from datenlabor.cli import main
from datenlabor.paths import project_root

SCRIPTS = project_root() / "scripts"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project tree (labs/, datasets/, scripts/ with _synth.py, tests/labs/)."""
    for folder in ("labs", "datasets", "scripts", "tests/labs"):
        (tmp_path / folder).mkdir(parents=True)
    shutil.copy(SCRIPTS / "_synth.py", tmp_path / "scripts" / "_synth.py")
    monkeypatch.setenv("DATENLABOR_ROOT", str(tmp_path))
    from datenlabor import datasets

    datasets._descriptor.cache_clear()
    yield tmp_path
    datasets._descriptor.cache_clear()


def test_new_lab_is_complete_and_passes_check(project, capsys):
    assert main(["neu", "parkplaetze-zaehlen"]) == 0
    out = capsys.readouterr().out
    assert "Neues Lab „parkplaetze-zaehlen“ angelegt" in out
    expected = [
        "labs/parkplaetze-zaehlen/parkplaetze-zaehlen.ipynb",
        "labs/parkplaetze-zaehlen/lab.yaml",
        "datasets/parkplaetze-zaehlen/datapackage.json",
        "datasets/parkplaetze-zaehlen/parkplaetze-zaehlen.csv",
        "scripts/make_parkplaetze_zaehlen.py",
        "tests/labs/test_parkplaetze_zaehlen.py",
    ]
    for rel in expected:
        assert (project / rel).is_file(), rel
        assert rel in out
    assert main(["check"]) == 0, capsys.readouterr().out
    nb = json.loads((project / expected[0]).read_text(encoding="utf-8"))
    headings = [
        line.strip()
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for line in c["source"]
        if line.startswith("## ")
    ]
    assert headings == [
        "## Worum geht es?",
        "## Daten",
        "## Ausprobieren",
        "## Ergebnis ansehen",
        "## Aufgaben",
        "## Grenzen und Fragen",
        "## Weiter geht's",
    ]


def test_new_lab_teaches_with_exercises_quiz_and_certificate(project, capsys, tmp_path):
    """Issue 15: exercises with solutions, self-checks, quiz, AI-literacy topics, closing boxes."""
    from datenlabor import exercises, quiz
    from datenlabor.catalog import get_lab
    from datenlabor.certificate import AI_TOPICS

    assert main(["neu", "parkplaetze-zaehlen"]) == 0
    lab = get_lab("parkplaetze-zaehlen")
    nb = json.loads(lab.notebook.read_text(encoding="utf-8"))
    found = [e for e in exercises.exercises_of(nb) if e["id"]]
    assert [e["id"] for e in found] == ["aufgabe-1", "aufgabe-2"]
    assert set(lab.meta["aufgaben"]) == {"aufgabe-1", "aufgabe-2"}
    assert all(lab.meta["aufgaben"][e]["hinweis"] for e in lab.meta["aufgaben"])
    assert len(quiz.questions(lab)) == 3
    assert lab.meta["ki_kompetenz"] and set(lab.meta["ki_kompetenz"]) <= set(AI_TOPICS)
    for cell in nb["cells"]:  # exercise, solution and check cells never reach the app
        tags = set(cell["metadata"].get("tags", []))
        if tags & {"aufgabe", "loesung", "pruefung"}:
            assert "nur-notebook" in tags
    assert "".join(nb["cells"][-1]["source"]).startswith("app.abschluss()")
    capsys.readouterr()
    assert main(["aufgaben", "parkplaetze-zaehlen", "--ziel", str(tmp_path)]) == 0
    path = tmp_path / "parkplaetze-zaehlen-aufgaben.ipynb"
    assert exercises.check_exercise_notebook(path) == []
    text = path.read_text(encoding="utf-8")
    assert exercises.PLACEHOLDER in text and "idxmax" not in text


def test_title_option_and_generator_is_seeded(project, capsys, tmp_path_factory):
    import subprocess
    import sys

    assert main(["neu", "lab2", "--titel", "Parkplätze zählen"]) == 0
    assert 'title: "Parkplätze zählen"' in (project / "labs/lab2/lab.yaml").read_text()
    again = tmp_path_factory.mktemp("again")
    subprocess.run(
        [sys.executable, str(project / "scripts/make_lab2.py"), "--out", str(again)], check=True
    )
    assert (again / "lab2.csv").read_bytes() == (project / "datasets/lab2/lab2.csv").read_bytes()


@pytest.mark.parametrize("slug", ["Parkplätze", "mein lab", "x-", "a--b", "x" * 41, "1lab", ""])
def test_bad_slug_exit_2_german_nothing_written(project, capsys, slug):
    assert main(["neu", slug]) == 2
    err = capsys.readouterr().err
    assert "ist kein gültiger Name für ein Lab" in err
    assert not any((project / "labs").iterdir())
    assert not any((project / "datasets").iterdir())


def test_existing_lab_exit_2_and_untouched(project, capsys):
    assert main(["neu", "parkplaetze"]) == 0
    notebook = project / "labs/parkplaetze/parkplaetze.ipynb"
    notebook.write_text("mein Stand", encoding="utf-8")
    capsys.readouterr()
    assert main(["neu", "parkplaetze"]) == 2
    err = capsys.readouterr().err
    assert "lässt sich nicht anlegen, weil es schon gibt: labs/parkplaetze" in err
    assert notebook.read_text(encoding="utf-8") == "mein Stand"


def test_taken_dataset_name_is_refused_before_writing(project, capsys):
    (project / "datasets" / "parkplaetze").mkdir()
    assert main(["neu", "parkplaetze"]) == 2
    assert "datasets/parkplaetze" in capsys.readouterr().err
    assert not (project / "labs" / "parkplaetze").exists()


@pytest.mark.slow
def test_new_lab_notebook_runs_and_metrics_in_range(project, tmp_path):
    from datenlabor.catalog import get_lab
    from tests.notebooks import execute_lab

    assert main(["neu", "vorlage-test"]) == 0
    lab = get_lab("vorlage-test")
    out = tmp_path / "out.ipynb"
    metrics = execute_lab(lab, out, lab.ci_parameters)
    for name, rng in lab.metric_ranges.items():
        assert rng["min"] <= metrics[name] <= rng["max"], (name, metrics[name])
    # Both solutions are judged right by their self-checks (same kernel run, no extra cost)
    nb = json.loads(out.read_text(encoding="utf-8"))
    checks = [c for c in nb["cells"] if "pruefung" in c["metadata"].get("tags", [])]
    assert len(checks) == 2
    for cell in checks:
        html = "".join(str(o.get("data", {}).get("text/html", "")) for o in cell["outputs"])
        assert "datenlabor-pruefung-richtig" in html, html


def test_new_lab_has_the_own_data_parameters_of_every_lab(project, tmp_path, capsys):
    """`daten`, `lesen` and `spalten` as in all own-data labs: mapping checked before a kernel."""
    from datenlabor.catalog import get_lab

    assert main(["neu", "parkplaetze"]) == 0
    lab = get_lab("parkplaetze")
    kinds = {name: p.kind for name, p in lab.parameters.items()}
    assert kinds["daten"] == "csv" and kinds["lesen"] == "lesen" and kinds["spalten"] == "spalten"
    own = tmp_path / "bezirke.csv"
    own.write_text("Bezirk;Jahr;Anzahl\nMitte;2024;12\nNord;2024;7\n", encoding="utf-8")
    capsys.readouterr()
    assert (
        main(["run", "parkplaetze", "-p", "daten", str(own), "-p", "spalten", "farbe=Bezirk"]) == 2
    )
    assert "Die Zielspalte „farbe“ gibt es in diesem Lab nicht" in capsys.readouterr().err
    assert not (project / "runs").exists()
    assert main(["daten", "pruefen", "parkplaetze", str(own), "--spalten", "stadtteil=Bezirk"]) == 0
    assert '-p spalten "stadtteil=Bezirk; jahr=Jahr; anzahl=Anzahl"' in capsys.readouterr().out
