"""The story of "Verständlich schreiben"; dataset contract and CI run: tests/labs/test_contract.py, tests/test_labs.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.notebooks import execute_lab, execute_lab_once

SLUG = "verstaendlich-schreiben"
DATASET = "texte-verstaendlichkeit"


def test_every_example_choice_exists_and_every_topic_has_both_versions():
    df = datenlabor.load(DATASET)
    names = set(df["titel"] + " (" + df["fassung"] + ")")
    assert set(get_lab(SLUG).parameters["beispiel"].choices) == names
    for _, group in df.groupby("thema"):
        assert {"Amtsdeutsch", "Einfache Sprache"} <= set(group["fassung"])


def test_wordfreq_works_offline_from_the_package():
    """The word list ships inside wordfreq; looking a word up opens no network connection."""
    code = (
        "import socket\n"
        "def kein_netz(*a, **k): raise SystemExit('network used')\n"
        "socket.socket.connect = kein_netz\n"
        "socket.create_connection = kein_netz\n"
        "from wordfreq import zipf_frequency\n"
        "assert zipf_frequency('zahlen', 'de', wordlist='small') > 4.5\n"
        "assert zipf_frequency('Säumniszuschläge', 'de', wordlist='small') == 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_plain_versions_score_easier_than_official_letters(tmp_path):
    lab = get_lab(SLUG)
    metrics = execute_lab_once(lab, tmp_path / "out.ipynb", lab.ci_parameters)
    for name, rng in lab.metric_ranges.items():
        assert rng["min"] <= metrics[name] <= rng["max"], (name, metrics[name])
    assert metrics["wstf_einfach"] < metrics["wstf_amtsdeutsch"]


@pytest.mark.slow
def test_own_texts_are_scored_and_html_is_escaped(tmp_path):
    """Own CSV (semicolons, Windows-1252) with a text that contains HTML."""
    own = pd.DataFrame(
        {
            "titel": ["Brief A", "Brief B"],
            "thema": ["Test", "Test"],
            "fassung": ["Amtsdeutsch", "Einfache Sprache"],
            "text": [
                "Die Einlegung eines Widerspruchs entbindet nicht von der Verpflichtung zur "
                "fristgerechten Zahlung, welche hiermit nochmals ausdrücklich angemahnt wird.",
                "Bitte zahlen Sie pünktlich. <script>alert(1)</script> Das ist wichtig.",
            ],
        }
    )
    csv = tmp_path / "texte.csv"
    csv.write_bytes(own.to_csv(sep=";", index=False).encode("cp1252"))
    lab = get_lab(SLUG)
    out = tmp_path / "out.ipynb"
    metrics = execute_lab(
        lab, out, {**lab.ci_parameters, "daten": str(csv), "text": "Ein <i>Test</i>. Gut."}
    )
    assert metrics["anzahl_texte"] == 2
    assert metrics["wstf_amtsdeutsch"] > metrics["wstf_einfach"]
    nb = json.loads(out.read_text(encoding="utf-8"))
    shown = [
        o.get("data", {}).get("text/html", "") for c in nb["cells"] for o in c.get("outputs", [])
    ]
    text = "".join("".join(h) if isinstance(h, list) else h for h in shown)
    assert "<script>alert(1)</script>" not in text
    assert "(1)&lt;/" in text  # tags are shown as text (words inside may be marked)
    assert "<i>Test</i>" not in text


@pytest.mark.browser
@pytest.mark.slow
def test_app_scores_a_pasted_text_and_escapes_html(app_url, page):
    from tests.browser import open_app, wait_for_change

    open_app(page, app_url(SLUG))
    bewertung = page.locator(".datenlabor-bewertung")
    assert "Bescheid Hundesteuer (Amtsdeutsch)" in bewertung.inner_text()
    before = page.inner_html(".datenlabor-app .widget-output")
    feld = page.get_by_label("Ihr Text (höchstens 3000 Zeichen)", exact=True)
    feld.fill("Wir zahlen. <b>fett</b> Das Geld kommt bald.")
    feld.press("Enter")
    after = wait_for_change(page, ".datenlabor-app .widget-output", before, timeout_ms=60_000)
    assert "Ihr Text" in page.locator(".datenlabor-bewertung").inner_text()
    assert "&lt;b&gt;fett&lt;/b&gt;" in after
    assert page.locator(".dl-markiert b").count() == 0
