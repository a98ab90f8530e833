"""The story of "Wie Sprachmodelle schreiben"; dataset contract and CI run: tests/labs/test_contract.py, tests/test_labs.py."""

from __future__ import annotations

import nbformat
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.fake_llm import fake_endpoint
from tests.notebooks import execute_lab

SLUG = "sprachmodelle-verstehen"
DATASET = "musterstadt-texte"


def test_every_question_points_to_a_paragraph_that_holds_its_answer():
    texte = datenlabor.load(DATASET)
    fragen = datenlabor.load(DATASET, "fragen")
    assert len(fragen) >= 30
    absatz = {
        (d, a): t for d, a, t in zip(texte["dokument"], texte["absatz"], texte["text"], strict=True)
    }
    for _, f in fragen.iterrows():
        text = absatz[(f["dokument"], f["absatz"])]
        # numeric answers must literally appear in the paragraph
        zahl = f["antwort"].split()[0]
        if zahl[0].isdigit():
            assert zahl in text, (f["frage"], zahl)


def test_app_never_offers_the_language_model():
    lab = get_lab(SLUG)
    nb = nbformat.read(lab.notebook, as_version=4)
    calls = [c.source for c in nb.cells if "app.interact(" in c.source]
    assert calls and all("sprachmodell_fragen" not in c for c in calls)
    llm_cells = [c for c in nb.cells if "llm.ask(" in c.source]
    assert len(llm_cells) == 1
    assert "nur-notebook" in llm_cells[0].metadata.get("tags", [])
    assert lab.parameters["sprachmodell_fragen"].default is False


@pytest.mark.slow
def test_more_context_copies_more_and_invents_less(tmp_path):
    lab = get_lab(SLUG)
    kurz = execute_lab(lab, tmp_path / "a.ipynb", {**lab.ci_parameters, "kontext": 1})
    lang = execute_lab(lab, tmp_path / "b.ipynb", {**lab.ci_parameters, "kontext": 3})
    assert lang["anteil_kopiert"] > kurz["anteil_kopiert"]
    assert lang["anteil_unbelegt"] < kurz["anteil_unbelegt"]


@pytest.mark.slow
def test_language_model_gets_question_and_sources_after_notice(tmp_path, monkeypatch):
    lab = get_lab(SLUG)
    with fake_endpoint() as ep:
        monkeypatch.setenv("DATENLABOR_LLM_URL", ep.url)
        monkeypatch.setenv("DATENLABOR_LLM_MODEL", "testmodell")
        out = tmp_path / "out.ipynb"
        execute_lab(lab, out, {**lab.ci_parameters, "sprachmodell_fragen": True, "treffer": 2})
    (request,) = ep.requests
    assert "Frage: Was kostet die Biotonne?" in request["body"]["messages"][-1]["content"]
    text = out.read_text(encoding="utf-8")
    assert text.index("Datenschutzhinweis") < text.index("Testantwort aus 2 Quellen")


@pytest.mark.slow
def test_language_model_off_by_default_sends_nothing(tmp_path, monkeypatch):
    lab = get_lab(SLUG)
    with fake_endpoint() as ep:
        monkeypatch.setenv("DATENLABOR_LLM_URL", ep.url)
        monkeypatch.setenv("DATENLABOR_LLM_MODEL", "testmodell")
        execute_lab(lab, tmp_path / "out.ipynb", lab.ci_parameters)
    assert ep.requests == []


@pytest.mark.browser
@pytest.mark.slow
def test_app_generates_text_and_finds_sources(app_url, page):
    from tests.browser import open_app

    open_app(page, app_url(SLUG))
    quellen = page.locator(".datenlabor-quellen")
    assert "Abfallgebühren" in quellen.inner_text()
    frage = page.get_by_label("Ihre Frage (höchstens 200 Zeichen)", exact=True)
    frage.fill("Wann öffnet das Freibad 2025?")
    frage.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.datenlabor-quellen')?.innerText.includes('Freibad')",
        timeout=60_000,
    )
    erzeugt = page.locator(".datenlabor-erzeugt").inner_html()
    anfang = page.get_by_label("Anfang des Textes (höchstens 100 Zeichen)", exact=True)
    anfang.fill("Das Stadtfest")
    anfang.press("Enter")
    page.wait_for_function(
        "(old) => { const el = document.querySelector('.datenlabor-erzeugt');"
        " return el && el.innerHTML !== old && el.innerText.includes('Das Stadtfest'); }",
        arg=erzeugt,
        timeout=60_000,
    )
