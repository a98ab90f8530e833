"""Lab „Ergebnisse vergleichen“: example history export, own export file, app."""

from __future__ import annotations

import pytest

import datenlabor
from datenlabor import history
from datenlabor.catalog import get_lab
from datenlabor.results import RunResult, RunStatus
from tests.notebooks import execute_lab

SLUG = "ergebnisse-vergleichen"
DATASET = "laufhistorie-beispiel"


def test_example_has_the_layout_of_a_real_export(tmp_path):
    df = datenlabor.load(DATASET)
    assert list(df.columns) == history.LONG_COLUMNS
    history.add_run(
        RunResult("mini", {"anzahl": 2}, metrics={"ergebnis": 1.5}), db=tmp_path / history.DB_NAME
    )
    assert list(history.to_long_frame(db=tmp_path / history.DB_NAME).columns) == list(df.columns)


def _german_export(path):
    """A real history export, re-saved the way Excel does it in Germany (;, decimal comma, BOM)."""
    db = path.parent / history.DB_NAME
    for i, (faktor, wert) in enumerate([(1.0, 3.5), (1.5, 5.25), (2.0, 7.0)]):
        history.add_run(
            RunResult(
                "mini",
                {"anzahl": 2, "faktor": faktor},
                metrics={"ergebnis": wert, "zeilen": 2},
                duration_s=2.5 + i,
            ),
            db=db,
        )
    history.add_run(
        RunResult("mini", {"anzahl": 9, "faktor": 1.0}, RunStatus.FAILED, error="kaputt"), db=db
    )
    frame = history.to_long_frame(db=db)
    frame["wert"] = frame["wert"].str.replace(".", ",", regex=False)
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")


@pytest.mark.slow
def test_own_export_runs_through_the_notebook(tmp_path):
    csv = tmp_path / "export.csv"
    _german_export(csv)
    lab = get_lab(SLUG)
    out = tmp_path / "out.ipynb"
    m = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(csv)})
    assert m["anzahl_laeufe"] == 4 and m["anzahl_labs"] == 1
    assert m["anteil_fehlgeschlagen"] == pytest.approx(0.25)
    assert m["anzahl_variiert"] == 2  # anzahl and faktor
    assert m["spannweite_kennzahl"] == pytest.approx(7.0 - 3.5)


@pytest.mark.slow
def test_empty_history_falls_back_to_the_labelled_example(tmp_path, monkeypatch):
    monkeypatch.setenv("DATENLABOR_RUNS", str(tmp_path / "leer"))
    lab = get_lab(SLUG)
    out = tmp_path / "out.ipynb"
    assert execute_lab(lab, out)["anzahl_laeufe"] == 15
    assert "synthetische Beispiel (keine echten Messwerte)" in out.read_text(encoding="utf-8")
    assert not (tmp_path / "leer").exists()  # reading the history never creates it


@pytest.mark.browser
def test_app_compares_another_metric(app_url, page):
    page.goto(app_url(SLUG))
    box = page.locator(".datenlabor-app").first
    box.wait_for()
    assert "dp_differenz" not in box.inner_text()
    # a list of this lab's metrics under their German names (tryout #25: an empty text box)
    field = page.get_by_label("Kennzahl", exact=True)
    names = [n.replace("\xa0", " ") for n in field.locator("option").all_inner_texts()]
    assert "Unterschied der Auswahlquoten" in names and "dp_differenz" not in names
    field.select_option(index=names.index("Unterschied der Auswahlquoten"))
    page.wait_for_function(
        "() => document.querySelector('.datenlabor-app table')?.innerText"
        ".replace(/\\s+/g, ' ').includes('Unterschied der Auswahlquoten')"
    )
    assert "dp_differenz" not in box.inner_text()
    img = box.locator("img")
    if img.count():
        assert "Unterschied der Auswahlquoten" in (img.first.get_attribute("alt") or "")
