"""What the lab "Auffälligkeiten finden" teaches: MAD, honest threshold, episodes, uncertainty."""

from __future__ import annotations

import json

import numpy as np
import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.notebooks import execute_lab, execute_lab_once

SLUG = "auffaelligkeiten-finden"


def _text() -> str:
    nb = json.loads(get_lab(SLUG).notebook.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_mad_is_the_median_of_absolute_deviations():
    text = _text()
    assert (
        "Median der\nabsoluten Abweichungen" in text or "Median der absoluten Abweichungen" in text
    )
    assert (
        "mittlere\nabsolute Abweichung" not in text and "mittlere absolute Abweichung" not in text
    )


def test_isolation_forest_is_not_said_to_find_the_spikes():
    text = _text()
    assert "ebenfalls" not in text.split("Zum Vergleich: Isolation Forest")[1]
    assert "2 der 6 Tage" in text


@pytest.fixture(scope="module")
def ci_metrics(tmp_path_factory):
    lab = get_lab(SLUG)
    return execute_lab_once(lab, tmp_path_factory.mktemp("ci") / "ci.ipynb", lab.ci_parameters)


@pytest.mark.slow
def test_report_year_is_scored_per_day_and_per_episode_with_uncertainty(ci_metrics):
    m = ci_metrics
    assert m["episoden_pruefjahr"] == 8
    assert m["trefferquote_episoden_pruefjahr"] >= m["trefferquote_pruefjahr"]
    for name in ("praezision", "trefferquote", "f1"):
        assert 0 < m[f"{name}_pruefjahr_unsicherheit"] < 0.3


@pytest.mark.slow
def test_threshold_is_chosen_on_the_earlier_year_only(ci_metrics, tmp_path):
    # Scramble the fault labels of the report year: the chosen threshold must not move,
    # only the scores reported for that year may.
    df = datenlabor.load("gebaeude-verbrauch")
    later = df["datum"].dt.year == 2025
    labels = df.loc[later, "stoerung"].to_numpy().copy()
    np.random.default_rng(1).shuffle(labels)
    df.loc[later, "stoerung"] = labels
    df["datum"] = df["datum"].dt.strftime("%Y-%m-%d")
    own = tmp_path / "verwuerfelt.csv"
    df.to_csv(own, index=False)
    lab = get_lab(SLUG)
    scrambled = execute_lab(lab, tmp_path / "out.ipynb", {**lab.ci_parameters, "daten": str(own)})
    assert scrambled["schwelle_gewaehlt"] == ci_metrics["schwelle_gewaehlt"]
    assert scrambled["f1_lernjahr"] == ci_metrics["f1_lernjahr"]
    assert scrambled["f1_pruefjahr"] < ci_metrics["f1_pruefjahr"] - 0.3
