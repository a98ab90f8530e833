"""`datenlabor run`: validation before any kernel, atomic result folders, German messages."""

from __future__ import annotations

import json

import pytest

from datenlabor.cli import main


def _entries(root):
    return sorted(p.name for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-p", "anzahl", "7"],
            "Parameter „anzahl“: Der Wert „7“ liegt außerhalb des erlaubten Bereichs",
        ),
        (["-p", "anzahl", "viele"], "„viele“ ist keine Ganzzahl"),
        (["-p", "modus", "median"], "Erlaubt: einer von: summe, mittel"),
        (["-p", "farbe", "rot"], "Parameter „farbe“ gibt es im Lab „mini“ nicht"),
        (
            ["-p", "daten", "/nirgends.csv"],
            "Parameter „daten“: Der Wert „/nirgends.csv“ ist keine vorhandene Datei",
        ),
    ],
)
def test_bad_parameters_exit_2_and_write_nothing(mini_lab, tmp_path, capsys, args, message):
    out = tmp_path / "runs"
    assert main(["run", "mini", "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ") and message in err
    assert _entries(out) == []


def test_unknown_lab_and_missing_dataset(mini_lab, tmp_path, capsys, monkeypatch):
    out = tmp_path / "runs"
    assert main(["run", "gibtsnicht", "-o", str(out)]) == 2
    assert "Lab „gibtsnicht“ gibt es nicht. Vorhandene Labs: mini" in capsys.readouterr().err
    monkeypatch.setenv("DATENLABOR_DATASETS", str(tmp_path / "leer"))
    (tmp_path / "leer").mkdir()
    from datenlabor import datasets

    datasets._descriptor.cache_clear()
    assert main(["run", "mini", "-o", str(out)]) == 2
    assert "Datensatz „mini-daten“ fehlt" in capsys.readouterr().err
    assert _entries(out) == []


def test_own_csv_with_wrong_columns_is_refused_before_the_kernel(mini_lab, tmp_path, capsys):
    bad = tmp_path / "falsch.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    out = tmp_path / "runs"
    assert main(["run", "mini", "-o", str(out), "-p", "daten", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Parameter „daten“" in err and "Erwartete Spalten: datum, name, wert" in err
    assert _entries(out) == []


def test_params_file_and_yaml_errors(mini_lab, tmp_path, capsys):
    broken = tmp_path / "p.yaml"
    broken.write_text("anzahl: [1,\n", encoding="utf-8")
    assert main(["run", "mini", "-o", str(tmp_path / "runs"), "-f", str(broken)]) == 2
    assert "kein gültiges YAML" in capsys.readouterr().err


@pytest.mark.slow
def test_run_writes_a_complete_result_folder(mini_lab, tmp_path, capsys):
    params = tmp_path / "p.yaml"
    params.write_text("anzahl: 4\nmodus: mittel\n", encoding="utf-8")
    out = tmp_path / "runs"
    assert main(["run", "mini", "-q", "-o", str(out), "-f", str(params), "-p", "faktor", "2"]) == 0
    (folder,) = (out / "mini").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "kennzahlen.json",
        "lauf.json",
        "mini.html",
        "mini.ipynb",
        "parameter.json",
    ]
    assert json.loads((folder / "kennzahlen.json").read_text()) == {"ergebnis": 5.25, "zeilen": 4}
    stored = json.loads((folder / "parameter.json").read_text())
    assert stored["anzahl"] == 4 and stored["modus"] == "mittel" and stored["faktor"] == 2.0
    assert "Ergebnis" in (folder / "mini.html").read_text()
    assert "Ergebnis: 5,25  [ergebnis]" in capsys.readouterr().out  # German label, then name
    # the lab's notebook itself is untouched by running it
    assert '"outputs": []' in mini_lab.notebook.read_text()


@pytest.mark.slow  # executes the notebook in a kernel
def test_runs_talk_to_the_kernel_over_unix_sockets(mini_lab, tmp_path, monkeypatch):
    """TCP ports are picked, released and bound later: parallel runs could collide."""
    from jupyter_client.connect import ConnectionFileMixin

    transports = []
    original = ConnectionFileMixin.write_connection_file

    def spy(self, **kwargs):
        transports.append(self.transport)
        return original(self, **kwargs)

    monkeypatch.setattr(ConnectionFileMixin, "write_connection_file", spy)
    assert main(["run", "mini", "-q", "-o", str(tmp_path)]) == 0
    assert transports == ["ipc"]


@pytest.mark.slow
def test_kernel_crash_leaves_no_complete_looking_result(mini_lab, tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["run", "mini", "-q", "-o", str(out), "-p", "absturz", "ja"]) == 1
    assert "Der Kernel ist abgestürzt" in capsys.readouterr().err
    (folder,) = (out / "mini").iterdir()
    assert folder.name.endswith("-fehlgeschlagen")
    assert not (folder / "kennzahlen.json").exists()
    assert "abgestürzt" in json.loads((folder / "fehler.json").read_text())["fehler"]


@pytest.mark.slow
def test_plain_papermill_runs_a_lab_from_any_directory(mini_lab, tmp_path, monkeypatch):
    import papermill as pm

    from datenlabor.recording import read_metrics
    from datenlabor.running import kernel_options

    monkeypatch.chdir(tmp_path)
    # Plain papermill; only the kernel's transport is set (no port race under test load).
    pm.execute_notebook(
        str(mini_lab.notebook),
        "out.ipynb",
        parameters={"anzahl": 2},
        progress_bar=False,
        **kernel_options(),
    )
    assert read_metrics(tmp_path / "out.ipynb")["zeilen"] == 2


def test_run_summary_separates_own_file_from_the_lesson_example(tmp_path, capsys, monkeypatch):
    """A quality profile of a foreign file is not held to the example's ranges; metrics of the
    built-in lesson example are shown apart, labelled, and never as a finding about the file."""
    from types import SimpleNamespace

    import nbformat

    import datenlabor.running
    from datenlabor.recording import MIME_TYPE

    metrics = {"fehlende_werte_vorher": 6, "ausreisser": 0, "zeilen_bereinigt": 400}
    label = "Fehlende Werte, die pandas von selbst erkennt"
    # the executed notebook the summary reads the German labels from
    cell = nbformat.v4.new_code_cell("")
    payload = {"name": "fehlende_werte_vorher", "value": 6, "label": label}
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIME_TYPE: payload})]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "offene-daten-nutzen.ipynb")
    fake = SimpleNamespace(duration_s=1.5, folder=tmp_path, metrics=metrics)
    monkeypatch.setattr(datenlabor.running, "execute", lambda *a, **k: fake)
    own = tmp_path / "eigen.csv"
    own.write_text("a;b\n1;2\n", encoding="utf-8")
    assert main(["run", "offene-daten-nutzen", "-q", "-p", "daten", str(own)]) == 0
    out = capsys.readouterr().out
    mine, lesson = out.split("Aus dem Lehrbeispiel des Labs (gleich für jede Datei):")
    assert "Ihre Datei:" in mine and "zeilen_bereinigt: 400" in mine
    assert "Fehlende Werte, die pandas von selbst erkennt: 6  [fehlende_werte_vorher]" in lesson
    assert "außerhalb" not in out and "ACHTUNG" not in out
