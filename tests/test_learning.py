"""Learning with evidence: exercises, self-checks, quiz, certificate and Kursplan (fast tests)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from datenlabor import courseplan, exercises, selfcheck
from datenlabor.catalog import discover, get_lab
from datenlabor.certificate import (
    AI_TOPICS,
    CertificateError,
    certificate_html,
    certificate_pdf,
    make_certificate,
    read_names,
)
from datenlabor.cli import main
from datenlabor.quiz import QuizState, questions
from tests.helpers import fixture_path

LERNLABS = fixture_path("lernlabs")


@pytest.fixture
def lernen(monkeypatch):
    monkeypatch.setenv("DATENLABOR_LABS", str(LERNLABS))
    return get_lab("lernen")


def _nb(lab) -> dict:
    return json.loads(lab.notebook.read_text(encoding="utf-8"))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap anywhere


# --- exercises -----------------------------------------------------------------------


def test_exercise_notebook_strips_every_solution(lernen, tmp_path):
    path = exercises.write_exercises(lernen, tmp_path)
    assert path.name == "lernen-aufgaben.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    solutions = [c for c in nb["cells"] if "loesung" in c["metadata"].get("tags", [])]
    assert len(solutions) == 2
    for cell in solutions:
        src = "".join(cell["source"])
        assert src.startswith(exercises.PLACEHOLDER)
        assert "sum(" not in src and "max(" not in src
    assert "antwort_1 = ..." in "".join(solutions[0]["source"])
    assert exercises.check_exercise_notebook(path) == []
    # the lab notebook itself is untouched
    assert "sum(werte)" in lernen.notebook.read_text(encoding="utf-8")


def test_exercise_command_writes_and_refuses_bad_target(lernen, tmp_path, capsys):
    assert main(["aufgaben", "lernen", "--ziel", str(tmp_path)]) == 0
    assert str(tmp_path / "lernen-aufgaben.ipynb") in capsys.readouterr().out
    assert main(["aufgaben", "lernen", "--ziel", str(tmp_path / "fehlt")]) == 2
    assert "gibt es nicht" in capsys.readouterr().err
    assert main(["aufgaben", "gibt-es-nicht"]) == 2


def test_check_reports_exercise_problems(lernen, tmp_path):
    nb = _nb(lernen)
    # exercise without solution: drop the first solution cell
    no_solution = json.loads(json.dumps(nb))
    no_solution["cells"] = [
        c for c in no_solution["cells"] if "antwort_1 = sum" not in "".join(c["source"])
    ]
    problems = exercises.check_exercises(no_solution, "x.ipynb", lernen.meta["aufgaben"])
    assert any("aufgabe-1" in p and "keine Lösung" in p for p in problems), problems
    # solution without exercise text: drop the first task cell
    no_task = json.loads(json.dumps(nb))
    first_task = next(
        i for i, c in enumerate(no_task["cells"]) if "aufgabe" in c["metadata"].get("tags", [])
    )
    del no_task["cells"][first_task]
    problems = exercises.check_exercises(no_task, "x.ipynb", None)
    assert any("Lösung ohne Aufgabentext" in p for p in problems), problems
    # an exercise notebook that still holds solution code
    leaked = tmp_path / "lernen-aufgaben.ipynb"
    leaked.write_text(json.dumps(nb), encoding="utf-8")
    assert any("Lösungscode" in p for p in exercises.check_exercise_notebook(leaked))
    # a cell without „nur-notebook“ would show in the app
    shown = json.loads(json.dumps(nb))
    for c in shown["cells"]:
        c["metadata"]["tags"] = [t for t in c["metadata"].get("tags", []) if t != "nur-notebook"]
    assert any("nur-notebook" in p for p in exercises.check_exercises(shown, "x", None))
    assert exercises.check_exercises(nb, "x.ipynb", lernen.meta["aufgaben"]) == []


# --- self-checks ---------------------------------------------------------------------


@pytest.mark.parametrize("faktor", [2, 7])
def test_selfcheck_accepts_right_and_rejects_wrong_with_hint(lernen, faktor):
    ns = {"werte": [faktor * x for x in (1, 2, 3, 10)]}
    mean = sum(ns["werte"]) / 4
    assert selfcheck.check("aufgabe-1", mean, ns, lernen).ok
    assert selfcheck.check("aufgabe-1", f"{mean:.2f}".replace(".", ","), ns, lernen).ok
    close = selfcheck.check("aufgabe-1", mean + 0.05, ns, lernen)
    assert close.status == selfcheck.CLOSE and "Hinweis" in close.message
    wrong = selfcheck.check("aufgabe-1", mean * 3, ns, lernen)
    assert wrong.status == selfcheck.WRONG and "Summe der Werte" in wrong.message
    assert str(mean) not in wrong.message
    assert selfcheck.check("aufgabe-2", max(ns["werte"]), ns, lernen).ok
    assert not selfcheck.check("aufgabe-2", min(ns["werte"]), ns, lernen).ok


def test_selfcheck_never_evaluates_before_an_attempt(lernen):
    empty = selfcheck.check("aufgabe-1", ..., {}, lernen)  # no variables needed, nothing shown
    assert empty.status == selfcheck.EMPTY and "Noch keine Antwort" in empty.message
    with pytest.raises(selfcheck.SelfCheckError, match="keine Selbstkontrolle"):
        selfcheck.check("aufgabe-9", 1, {}, lernen)


def test_pruefe_uses_the_callers_variables(lernen):
    werte = [1, 2, 3, 6]  # noqa: F841 - read by pruefe from this frame
    assert selfcheck.pruefe("aufgabe-1", 3.0, lab=lernen).ok
    assert selfcheck.pruefe("aufgabe-1", 4.0, lab=lernen).status == selfcheck.WRONG


def test_every_lab_selfcheck_has_an_exercise():
    for lab in discover():
        declared = lab.meta.get("aufgaben") or {}
        nb = json.loads(lab.notebook.read_text(encoding="utf-8"))
        ids = {e["id"] for e in exercises.exercises_of(nb) if e["id"]}
        assert set(declared) <= ids, lab.slug


# --- quiz ----------------------------------------------------------------------------


def test_quiz_questions_grade_and_explain(lernen):
    qs = questions(lernen)
    assert [q.kind for q in qs] == ["einfach", "mehrfach", "zahl"]
    assert qs[0].grade(1) and not qs[0].grade(0)
    assert qs[1].grade([2, 0]) and not qs[1].grade([0])
    assert qs[2].grade("5,0") and not qs[2].grade("4")
    state = QuizState(total=3, results={0: True, 1: False, 2: True})
    assert state.summary() == "2 von 3 Fragen richtig beantwortet"


def test_quiz_widget_feedback_without_browser(lernen):
    from datenlabor.quiz import quiz_widget

    box = quiz_widget(lernen)
    radio = next(c for c in box.children if type(c).__name__ == "RadioButtons")
    buttons = [c for c in box.children if type(c).__name__ == "Button"]
    lives = [c for c in box.children if "dl-quiz-live" in c._dom_classes]
    buttons[0].click()
    assert "Bitte zuerst" in lives[0].value
    radio.value = 0
    buttons[0].click()
    assert "Nicht ganz" in lives[0].value and 'role="status"' in lives[0].value
    radio.value = 1
    buttons[0].click()
    assert lives[0].value.count("Richtig.") == 1
    assert box.state.results == {0: True}


# --- certificate ---------------------------------------------------------------------


def test_certificate_pdf_has_name_with_umlauts_title_and_goals(lernen):
    cert = make_certificate(
        lernen, "  Jörg Müller-Weiß ", quiz="2 von 3 Fragen", on=dt.date(2026, 11, 29)
    )
    text = pdf_text(certificate_pdf(cert))
    assert "Jörg Müller-Weiß" in text
    assert "„Lernen mit Nachweis“" in text
    for goal in lernen.meta["learning_goals"]:
        assert goal in text
    assert "Stadt Musterstadt" in text and "29.11.2026" in text
    assert AI_TOPICS["menschliche-aufsicht"] in text
    assert "2 von 3 Fragen" in text
    page = certificate_html(cert)
    assert '<html lang="de">' in page and "Jörg Müller-Weiß" in page


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81, "Eva\x00"])
def test_certificate_refuses_unusable_names(lernen, bad):
    with pytest.raises(CertificateError):
        make_certificate(lernen, bad)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_bestaetigung_command_one_pdf_per_name(lernen, tmp_path, encoding, capsys):
    names = tmp_path / "namen.csv"
    names.write_bytes("name;abteilung\nJörg Müller;Amt 10\nÄnne Groß;Amt 20\n".encode(encoding))
    assert read_names(names) == ["Jörg Müller", "Änne Groß"]
    out = tmp_path / "pdf"
    out.mkdir()
    assert main(["bestaetigung", "lernen", "--namen", str(names), "--ziel", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "Teilnahmebestaetigung_lernen_Aenne_Gross.pdf",
        "Teilnahmebestaetigung_lernen_Joerg_Mueller.pdf",
    ]
    assert "Änne Groß" in pdf_text((out / files[0]).read_bytes())


def test_bestaetigung_command_bad_input(lernen, tmp_path, capsys):
    wrong = tmp_path / "falsch.csv"
    wrong.write_text("vorname;nachname\nA;B\n", encoding="utf-8")
    assert main(["bestaetigung", "lernen", "--namen", str(wrong), "--ziel", str(tmp_path)]) == 2
    assert "Spalte „name“" in capsys.readouterr().err
    assert main(["bestaetigung", "lernen", "--namen", str(tmp_path / "fehlt.csv")]) == 2
    assert not list(tmp_path.glob("*.pdf"))


# --- Kursplan ------------------------------------------------------------------------


def test_kursplan_lists_every_lab(tmp_path, capsys):
    html_file, pdf_file = tmp_path / "plan.html", tmp_path / "plan.pdf"
    assert main(["kursplan", "--html", str(html_file), "--pdf", str(pdf_file)]) == 0
    out = capsys.readouterr().out
    page = html_file.read_text(encoding="utf-8")
    text = pdf_text(pdf_file.read_bytes())
    for lab in discover():
        assert lab.title in out and lab.title in page, lab.slug
        assert lab.title.split()[0] in text
    assert "Halbtags-Workshop" in out and "Ganztags-Workshop" in page
    assert main(["kursplan", "--pdf", str(tmp_path / "fehlt" / "plan.pdf")]) == 2


def test_workshop_sequences_fit_their_time():
    items = courseplan.entries()
    half = courseplan.sequence(items, courseplan.HALF_DAY_MINUTES)
    full = courseplan.sequence(items, courseplan.FULL_DAY_MINUTES)
    assert half and sum(e.duration_minutes for e in half) <= courseplan.HALF_DAY_MINUTES
    assert len(full) >= len(half)
    assert sum(e.duration_minutes for e in full) <= courseplan.FULL_DAY_MINUTES


def _structure(data: bytes) -> tuple[Any, list[str], list[tuple[int, int]]]:
    """Catalog, structure types in reading order, and (BDC, EMC) counts per page of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    tree = root["/StructTreeRoot"].get_object()
    document = tree["/K"][0].get_object()
    types = [str(k.get_object()["/S"]) for k in document["/K"]]
    marks = []
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        marks.append((content.count(" BDC"), content.count("EMC")))
    return root, types, marks


def test_certificate_and_course_plan_pdfs_are_tagged(lernen):
    """Language, title shown by the viewer, bookmarks and a structure tree (what fpdf2 allows)."""
    cert = make_certificate(lernen, "Jörg Müller-Weiß", quiz="3 von 3 richtig")
    root, types, marks = _structure(certificate_pdf(cert))
    assert root["/Lang"] == "de-DE" and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert types[0] == "/H1" and "/H2" in types and set(types) <= {"/H1", "/H2", "/P"}
    assert marks == [(len(types), len(types))]  # every text is tagged, one page
    from datenlabor.paths import project_root

    labs = discover(project_root() / "labs")  # the real labs: a plan of several pages
    root, types, marks = _structure(courseplan.plan_pdf(courseplan.entries(labs), "Musterstadt"))
    assert len(marks) > 1 and all(bdc == emc > 0 for bdc, emc in marks)
    assert sum(bdc for bdc, _ in marks) == len(types)  # no paragraph crosses a page
    assert types.count("/H2") == len(labs) + 2  # every lab and both workshop formats
