"""Metrics recorded in a notebook are shown to the learner and readable after the run."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from datenlabor.errors import MetricError
from datenlabor.recording import MIME_TYPE, read_metric_digits, read_metrics, record


def _run(source: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    NotebookClient(nb, kernel_name="datenlabor", timeout=60).execute()
    return nb


@pytest.mark.slow
def test_record_shows_value_and_is_read_back():
    nb = _run(
        "import numpy as np\nimport datenlabor\n"
        "datenlabor.record('genauigkeit', np.float64(0.91), label='Genauigkeit')\n"
        "datenlabor.record('anzahl', 1234)\ndatenlabor.record('genauigkeit', 0.93)"
    )
    outputs = nb.cells[0].outputs
    assert "Genauigkeit: 0,91" in outputs[0]["data"]["text/plain"]
    assert "<strong>Genauigkeit:</strong>" in outputs[0]["data"]["text/html"]
    assert read_metrics(nb) == {"genauigkeit": 0.93, "anzahl": 1234}


def test_read_metrics_ignores_other_outputs():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "hallo"}),
        nbformat.v4.new_output("display_data", data={MIME_TYPE: {"name": "f1", "value": 0.5}}),
    ]
    nb.cells = [cell]
    assert read_metrics(nb) == {"f1": 0.5}


def test_non_numeric_metric_is_refused():
    from datenlabor.recording import _plain

    with pytest.raises(MetricError, match="Zahlen, Texte oder Ja/Nein"):
        _plain([1, 2])
    with pytest.raises(MetricError, match="endliche Zahl"):
        _plain(float("nan"))
    assert _plain(np.int64(3)) == 3


def test_record_shows_fixed_decimals_but_stores_the_exact_value(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    record("mae", 254.632, label="Mittlerer Fehler (Zählungen pro Tag)", digits=0)
    record("anteil", 0.5, digits=2)
    assert shown[0]["text/plain"] == "Mittlerer Fehler (Zählungen pro Tag): 255"
    assert shown[0][MIME_TYPE]["value"] == 254.632
    assert shown[0][MIME_TYPE]["digits"] == 0  # the CLI's run summary shows it the same way
    assert "0,50" in shown[1]["text/html"]


def test_read_metric_digits():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={MIME_TYPE: {"name": "mae", "value": 254.6, "digits": 0}}
        ),
        nbformat.v4.new_output("display_data", data={MIME_TYPE: {"name": "f1", "value": 0.5}}),
    ]
    nb.cells = [cell]
    assert read_metric_digits(nb) == {"mae": 0}
