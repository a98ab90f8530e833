"""Every lab found under labs/ runs through papermill and records metrics in its declared ranges."""

from __future__ import annotations

import pytest

from datenlabor.catalog import discover
from datenlabor.checking import executed_reprs
from tests.notebooks import execute_lab_once

LABS = discover()


def _assert_in_ranges(lab, metrics):
    missing = sorted(set(lab.metric_ranges) - set(metrics))
    assert not missing, f"{lab.slug}: Kennzahlen nicht aufgezeichnet: {missing}"
    for name, rng in lab.metric_ranges.items():
        assert rng["min"] <= metrics[name] <= rng["max"], (
            f"{lab.slug}: {name} = {metrics[name]} liegt nicht in [{rng['min']}, {rng['max']}]"
        )


def test_labs_are_discovered():
    assert LABS, "keine Labs unter labs/ gefunden"
    assert "daten-erkunden" in {lab.slug for lab in LABS}


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.slug)
def test_lab_runs_with_ci_parameters_and_metrics_in_range(lab, tmp_path):
    before = lab.notebook.read_bytes()
    metrics = execute_lab_once(lab, tmp_path / "ci.ipynb", lab.ci_parameters)
    _assert_in_ranges(lab, metrics)
    assert lab.notebook.read_bytes() == before, "running a lab must not modify labs/"


# Labs whose charts are checked in both versions (wide, phone) for overlapping, cut or too small
# text (plotting.layout_problems); add a lab once its charts pass.
CHARTS_CHECKED = {
    "auffaelligkeiten-finden",
    "buergeranliegen-zuordnen",
    "daten-erkunden",
    "daten-schuetzen",
    "fair-entscheiden",
    "orte-und-wege",
}


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.slug)
def test_lab_runs_with_default_parameters(lab, tmp_path, monkeypatch):
    from datenlabor import plotting

    charts = tmp_path / "diagramme"
    if lab.slug in CHARTS_CHECKED:
        monkeypatch.setenv(plotting.CHECK_FOLDER, str(charts))  # the kernel inherits it
    metrics = execute_lab_once(lab, tmp_path / "default.ipynb")
    assert set(lab.metric_ranges) <= set(metrics)
    shown = executed_reprs(tmp_path / "default.ipynb", lab.notebook.name)
    assert not shown, f"{lab.slug}: Python-Schreibweise in der App: {shown}"
    problems = charts / "probleme.txt"
    assert not problems.exists(), f"{lab.slug}: Diagramme\n{problems.read_text(encoding='utf-8')}"
