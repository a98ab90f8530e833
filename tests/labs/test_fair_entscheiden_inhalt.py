"""Lab "Fair entscheiden?": what the lesson teaches is checked against the data.

Recomputed here independently: accuracy and selection-rate gap on the same split, the time
split the lesson quotes, and that the two fairness goals only conflict when base rates differ.
The legal text is checked for the points an expert reviewer asked for.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.notebooks import execute_lab_once

SLUG = "fair-entscheiden"
NUMBERS = [
    "einkommen_monat",
    "haushaltsgroesse",
    "energiekosten_monat",
    "energiekostenanteil",
    "unterlagen_vollstaendig",
    "antrag_papierform",
]


def _notebook_text() -> str:
    cells = json.loads(get_lab(SLUG).notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells)


def _model():
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer(
        [
            ("zahlen", StandardScaler(), [*NUMBERS, "erstsprache_deutsch"]),
            ("stadtteil", OneHotEncoder(handle_unknown="ignore"), ["stadtteil"]),
        ]
    )
    return make_pipeline(prep, LogisticRegression(max_iter=1000))


def _data():
    df = datenlabor.load("antraege-pruefung")
    df["energiekostenanteil"] = df["energiekosten_monat"] / df["einkommen_monat"]
    return df


def _accuracy_and_gap(learn, test):
    chosen = _model().fit(learn, learn["bewilligt"]).predict_proba(test)[:, 1] >= 0.5
    group = test["erstsprache_deutsch"].to_numpy()
    accuracy = (chosen == test["bewilligt"].to_numpy()).mean()
    return accuracy, chosen[group].mean() - chosen[~group].mean()


def test_legal_text_is_precise():
    text = _notebook_text()
    assert "benachteiligt oder bevorzugt" in text  # Art. 3 Abs. 3 GG, both words
    assert "mittelbare Benachteiligung" in text and "§ 3 Abs. 2 AGG" in text
    assert "Anhang III Nr. 5 Buchst. a" in text and "Art. 6\n  Abs. 3" in text
    assert "(Art. 26)" in text and "(Art. 27)" in text
    assert "2. Februar 2025" in text and "Betreiber" in text
    assert (
        "lassen sich meist nicht gleichzeitig" not in text
    )  # contradicted by the lab's own result


def test_base_rates_are_equal_in_the_data():
    """Why both fairness goals can be met here: both groups are about equally often eligible."""
    df = _data()
    rates = df.groupby("erstsprache_deutsch")["foerderfaehig_nachpruefung"].mean()
    assert abs(rates[True] - rates[False]) < 0.03


def test_time_split_numbers_quoted_in_the_lesson():
    """'Genauigkeit 85 %, Unterschied der Auswahlquoten 30 Prozentpunkte' for the newest 30 %."""
    df = _data().sort_values("eingangsdatum", kind="stable")
    cut = int(len(df) * 0.7)
    accuracy, gap = _accuracy_and_gap(df.iloc[:cut], df.iloc[cut:])
    assert round(100 * accuracy) == 85
    assert round(100 * gap) == 30
    assert "Genauigkeit 85 %, Unterschied der Auswahlquoten 30 Prozentpunkte" in " ".join(
        _notebook_text().split()
    )


@pytest.mark.slow
def test_recorded_metrics_hold_and_match_an_independent_fit(tmp_path):
    from sklearn.model_selection import train_test_split

    lab = get_lab(SLUG)
    m = execute_lab_once(lab, tmp_path / "out.ipynb", lab.ci_parameters)
    for name, rng in lab.metric_ranges.items():
        assert rng["min"] <= m[name] <= rng["max"], (name, m[name], rng)
    df = _data()
    learn, test = train_test_split(df, test_size=0.3, random_state=2026, stratify=df["bewilligt"])
    accuracy, gap = _accuracy_and_gap(learn, test)
    assert m["genauigkeit"] == pytest.approx(accuracy)
    assert m["dp_differenz"] == pytest.approx(abs(gap))
    # The ± is about the binomial standard error of ~1,800 test cases.
    assert m["genauigkeit_unsicherheit"] == pytest.approx(
        np.sqrt(accuracy * (1 - accuracy) / len(test)), rel=0.3
    )
    # The conflict needs different base rates: ideal decisions have no gap with equal ones.
    assert m["dp_ideal_gleiche_basisraten"] < 0.03
    assert m["dp_ideal_verschiedene_basisraten"] > 0.10
