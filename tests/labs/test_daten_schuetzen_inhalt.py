"""Lab "Daten schützen": what the lesson teaches is checked against the data.

Every number the lesson states is recomputed here independently of the notebook's code:
the achieved k over ALL published quasi-identifiers, the effect of leaving the district
next to a shortened postcode, the share of correct linkage hits and the Laplace noise scale.
"""

from __future__ import annotations

import importlib.util
import json
import re

import numpy as np
import pandas as pd
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from datenlabor.paths import project_root
from tests.notebooks import execute_lab_once

SLUG = "daten-schuetzen"
DATASET = "leistungsbezug-musterstadt"
PUBLISHED_QUASI = [
    "alter",
    "geschlecht",
    "plz",
    "stadtteil",
]  # all published columns but the benefit


def _generator():
    path = project_root() / "scripts" / "make_leistungsbezug_musterstadt.py"
    spec = importlib.util.spec_from_file_location("make_leistungsbezug_musterstadt", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook_text() -> str:
    cells = json.loads(get_lab(SLUG).notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells)


def _generalise(
    df: pd.DataFrame, age_band: int, plz_digits: int, hide_gender: bool, hide_district: bool
):
    out = df.copy()
    if age_band > 1:
        low = df["alter"].astype(int) // age_band * age_band
        out["alter"] = low.astype(str) + "–" + (low + age_band - 1).astype(str)
    else:
        out["alter"] = df["alter"].astype(str)
    out["plz"] = df["plz"].str[:plz_digits] + "*" * (5 - plz_digits)
    if hide_gender:
        out["geschlecht"] = "*"
    if hide_district:
        out["stadtteil"] = "*"
    return out


def test_district_undoes_a_shortened_postcode():
    """Shortened postcode + district identifies the full postcode: the district is a quasi-identifier."""
    records = datenlabor.load(DATASET, table="leistungsbezug")
    assert records.groupby("plz")["stadtteil"].nunique().max() == 1
    assert records.groupby("stadtteil")["plz"].nunique().eq(1).sum() == 5  # "fünf der zehn"
    shortened = records.assign(kurz=records["plz"].str[:4])
    recovered = shortened.groupby(["kurz", "stadtteil"])["plz"].transform("nunique") == 1
    assert 0.4 < recovered.mean() < 0.5  # "knapp der Hälfte der Datensätze"


def test_old_table_was_not_5_anonymous():
    """The former "k = 5" table (age in 5-year bands, 4-digit postcode, district kept) had groups of 1."""
    records = datenlabor.load(DATASET, table="leistungsbezug")
    table = _generalise(records, 5, 4, False, False)
    size = table.groupby(["alter", "plz", "geschlecht"])["fall_nr"].transform("size")
    table = table[size >= 5]  # the old suppression counted only three columns
    size_all = table.groupby(PUBLISHED_QUASI)["fall_nr"].transform("size")
    assert size_all.min() == 1
    assert 0.10 < (size_all < 5).mean() < 0.20  # the lesson says about 15 %


def test_linkage_hits_are_right_only_about_half_the_time():
    """The numbers in the lesson (223 hits, 116 right) come from the generator's ground truth."""
    gen = _generator()
    records, public = gen.generate(np.random.default_rng(gen.SEED), keep_ids=True)
    records, public = pd.DataFrame(records), pd.DataFrame(public)
    public["alter"] = gen.REFERENCE_YEAR - public["geburtsjahr"]
    keys = ["alter", "plz", "geschlecht"]
    unique_r = records[records.groupby(keys)["alter"].transform("size") == 1]
    unique_p = public[public.groupby(keys)["alter"].transform("size") == 1]
    hits = unique_p.merge(unique_r, on=keys, suffixes=("_liste", "_akte"))
    right = int((hits["person_liste"] == hits["person_akte"]).sum())
    assert (len(hits), right) == (223, 116)
    text = _notebook_text()
    assert "223 Zuordnungen" in text and "116 die richtige Person" in text


def test_lesson_states_laplace_scale_and_sensitivity_correctly():
    text = _notebook_text()
    assert "Streuung 1 ÷ ε" not in text  # 1/ε is the scale, not the spread
    assert "√2 ÷ ε" in text and "Sensitivität" in text and "Komposition" in text
    assert "zwischen 0,1 und 2" not in text  # no consensus on ε; the lab says so
    assert "§ 75 SGB X" in text
    noise = np.random.default_rng(1).laplace(0.0, 1.0, 200_000)
    assert np.abs(noise).mean() == pytest.approx(1.0, rel=0.02)
    assert noise.std() == pytest.approx(np.sqrt(2), rel=0.02)


@pytest.mark.slow
def test_published_table_is_k_anonymous_over_all_published_columns(tmp_path):
    """Rebuild the published table from the generalisation the notebook shows and measure k independently."""
    lab = get_lab(SLUG)
    out = tmp_path / "out.ipynb"
    m = execute_lab_once(lab, out, lab.ci_parameters)
    k = lab.ci_parameters["k"]
    assert m["erreichtes_k"] == k  # the claimed k is exactly reached, not only "at least"
    assert m["anteil_reidentifiziert_nachher"] == 0
    assert m["k_stadtteil_uebersehen"] == 1
    assert 0.10 < m["anteil_unter_k_stadtteil_uebersehen"] < 0.20
    assert m["dp_standardabweichung"] == pytest.approx(
        np.sqrt(2) / lab.ci_parameters["epsilon"], rel=0.03
    )

    shown = out.read_text(encoding="utf-8")
    match = re.search(
        r"Alter (genau|in (\d+)-Jahres-Gruppen), Postleitzahl (alle 5 Stellen|nur die ersten (\d) Stellen), "
        r"Geschlecht (genau|ausgeblendet), Stadtteil (genau|ausgeblendet)",
        shown,
    )
    assert match, "the chosen generalisation is shown in words"
    band = int(match.group(2) or 1)
    digits = int(match.group(4) or 5)
    records = datenlabor.load(DATASET, table="leistungsbezug")
    table = _generalise(
        records, band, digits, match.group(5) == "ausgeblendet", match.group(6) == "ausgeblendet"
    ).drop(columns="fall_nr")
    size = table.groupby(PUBLISHED_QUASI)["leistungsart"].transform("size")
    published = table[size >= k]
    assert published.groupby(PUBLISHED_QUASI).size().min() == m["erreichtes_k"]
    assert (size < k).mean() == pytest.approx(m["anteil_unterdrueckt"])
