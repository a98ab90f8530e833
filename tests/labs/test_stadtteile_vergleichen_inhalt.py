"""What the lab "Stadtteile vergleichen" teaches: double counting, silhouette bands, k-means."""

from __future__ import annotations

import json

import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.notebooks import execute_lab_once

SLUG = "stadtteile-vergleichen"
COLUMNS = [
    "bevoelkerungsdichte",
    "anteil_unter_18",
    "anteil_ab_65",
    "arbeitslosenquote",
    "wohnflaeche_pro_kopf",
    "gruenflaechenanteil",
    "oepnv_anbindung",
    "anteil_einfamilienhaeuser",
]


def _text() -> str:
    nb = json.loads(get_lab(SLUG).notebook.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_indicators_really_are_correlated():
    corr = datenlabor.load("stadtteil-profile")[COLUMNS].corr().abs()
    strongly = [c for c in COLUMNS if (corr[c].drop(c) >= 0.8).any()]
    assert len(strongly) == 6  # why "every indicator counts the same" would be wrong


def test_lesson_names_silhouette_bands_and_kmeans_assumptions():
    text = _text()
    assert "zählt jedes Merkmal gleich viel" not in text
    assert "Kaufman und Rousseeuw" in text
    for band in ("über 0,70", "0,51 bis 0,70", "0,26 bis 0,50", "0,25 und weniger"):
        assert band in text
    assert "runde Gruppen ähnlicher Größe" in text and "Ausreißer" in text
    assert "Strg" not in text  # no keyboard hints in an app used on phones


@pytest.mark.slow
def test_double_counting_is_measured_and_silhouette_carries_uncertainty(tmp_path):
    lab = get_lab(SLUG)
    out = tmp_path / "ci.ipynb"
    m = execute_lab_once(lab, out, lab.ci_parameters)
    assert m["stark_korrelierte_paare"] >= 10
    assert m["anteil_erste_hauptkomponente"] > 0.6
    assert 0 < m["silhouette_unsicherheit"] < 0.06
    # The band named in the output matches the recorded value.
    shown = out.read_text(encoding="utf-8")
    expected = "brauchbare Struktur" if 0.5 < m["silhouette"] <= 0.7 else "schwache Struktur"
    assert expected in shown
