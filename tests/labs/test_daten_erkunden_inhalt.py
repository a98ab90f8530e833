"""What the lab "Daten erkunden" shows: years as years, weighting caveats, app-friendly text."""

from __future__ import annotations

import json
import re

import pytest

from datenlabor.catalog import get_lab
from tests.notebooks import execute_lab_once

SLUG = "daten-erkunden"


def _cells():
    return json.loads(get_lab(SLUG).notebook.read_text(encoding="utf-8"))["cells"]


def test_code_narrative_is_for_the_notebook_only():
    for cell in _cells():
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and (
            "Die nächste Zelle" in text or "Drei kleine Funktionen" in text
        ):
            assert "nur-notebook" in cell["metadata"].get("tags", []), text[:60]
    assert not any("Strg" in "".join(c["source"]) for c in _cells())


@pytest.mark.slow
def test_years_are_not_shown_with_a_thousands_separator_and_weights_carry_a_caveat(tmp_path):
    lab = get_lab(SLUG)
    out = tmp_path / "ci.ipynb"
    execute_lab_once(lab, out, lab.ci_parameters)  # Arbeitslosenquote 2024
    shown = "\n".join(
        "".join(o.get("data", {}).get("text/html", ""))
        for c in json.loads(out.read_text(encoding="utf-8"))["cells"]
        for o in c.get("outputs", [])
    )
    assert not re.search(r">\s*2\.0[12]\d\s*<", shown)  # "2.020" instead of 2020
    assert ">2020<" in shown or ">2020 <" in shown or "2020</td>" in shown
    # The rate refers to the labour force, not to all inhabitants: the city value is an approximation.
    markdown = "\n".join(
        "".join(o.get("data", {}).get("text/markdown", ""))
        for c in json.loads(out.read_text(encoding="utf-8"))["cells"]
        for o in c.get("outputs", [])
    )
    assert "Vorbehalt" in markdown and "Erwerbspersonen" in markdown
