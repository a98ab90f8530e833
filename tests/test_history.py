"""Run history: rows from runs, listing, comparing, export and many concurrent writers."""

from __future__ import annotations

import multiprocessing as mp
import re
import sqlite3

import pytest

from datenlabor import history
from datenlabor.cli import main
from datenlabor.results import RunResult, RunStatus


def _add(db, lab="mini", **kw):
    base = {
        "parameters": {"anzahl": 2, "modus": "summe"},
        "status": RunStatus.OK,
        "metrics": {"ergebnis": 5.25},
    }
    return history.add_run(RunResult(lab=lab, **{**base, **kw}), db=db)


def test_record_list_and_compare(tmp_path, capsys):
    db = tmp_path / history.DB_NAME
    a = _add(db, duration_s=2.5)
    b = _add(db, parameters={"anzahl": 3, "modus": "summe"}, metrics={"ergebnis": 9.75})
    c = _add(
        db, lab="anderes", status=RunStatus.FAILED, metrics={}, error="Der Kernel ist abgestürzt."
    )
    assert [r.id for r in history.list_runs(db=db)] == [c, b, a]
    assert [r.id for r in history.list_runs("mini", db=db)] == [b, a]
    run = history.get_runs([a], db=db)[0]
    assert run.parameters == {"anzahl": 2, "modus": "summe"} and run.metrics == {"ergebnis": 5.25}
    assert run.code_version and run.started_at and run.duration_s == 2.5
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    assert main(["runs", "-o", str(tmp_path), "--vergleichen", str(a), str(b)]) == 0
    table = capsys.readouterr().out
    lines = {
        line.split()[1] + line.split()[2]: line
        for line in table.splitlines()[2:]
        if line.startswith("≠")
    }
    assert "Parameteranzahl" in lines and "Kennzahlergebnis" in lines
    assert "5,25" in lines["Kennzahlergebnis"] and "9,75" in lines["Kennzahlergebnis"]
    assert "Parametermodus" not in lines  # same value: not marked as different

    assert main(["runs", "-o", str(tmp_path), "mini"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["ID", "Beginn", "Lab", "Status"]
    assert re.match(r"\d+\s+\d\d\.\d\d\.\d{4} \d\d:\d\d\s+mini\s+ok", out.splitlines()[2])
    assert "anderes" not in out and "ergebnis=9,75" in out


def test_compare_needs_known_ids_and_empty_history_is_fine(tmp_path, capsys):
    assert main(["runs", "-o", str(tmp_path)]) == 0
    assert "Noch keine Läufe in der Laufhistorie" in capsys.readouterr().out
    assert not (tmp_path / history.DB_NAME).exists()  # reading never creates the file
    _add(tmp_path / history.DB_NAME)
    assert main(["runs", "-o", str(tmp_path), "--vergleichen", "1", "7"]) == 2
    assert "Lauf 7 gibt es in der Laufhistorie" in capsys.readouterr().err
    assert main(["runs", "-o", str(tmp_path), "--vergleichen", "1"]) == 2
    assert "mindestens zwei verschiedene Lauf-IDs" in capsys.readouterr().err


def test_export_long_format(tmp_path, capsys):
    import pandas as pd

    db = tmp_path / history.DB_NAME
    _add(db, parameters={"stadtteile": ["A", "B"], "jahr": 2024}, sweep_id="abc", point="p000")
    out = tmp_path / "export.csv"
    assert main(["runs", "-o", str(tmp_path), "--export", str(out)]) == 0
    frame = pd.read_csv(out, keep_default_na=False)
    assert list(frame.columns) == history.LONG_COLUMNS
    rows = {(r.art, r.name): r.wert for r in frame.itertuples()}
    assert rows == {
        ("parameter", "stadtteile"): "A, B",
        ("parameter", "jahr"): "2024",
        ("kennzahl", "ergebnis"): "5.25",
    }
    assert set(frame["sweep"]) == {"abc"}


def _writer(args):
    db, worker, n = args
    for i in range(n):
        history.add_run(
            RunResult(lab=f"lab{worker}", parameters={"i": i}, metrics={"wert": i}),
            code="test",
            db=db,
        )
    return worker


def test_many_concurrent_writers_lose_nothing(tmp_path):
    db = tmp_path / history.DB_NAME
    workers, rows = 4, 50  # more writers than the 2 cores of CI: real contention
    with mp.get_context("spawn").Pool(workers) as pool:
        assert sorted(pool.map(_writer, [(db, w, rows) for w in range(workers)])) == list(
            range(workers)
        )
    assert history.count(db) == workers * rows
    runs = history.list_runs(db=db)
    assert len({r.id for r in runs}) == workers * rows
    for w in range(workers):
        mine = [r for r in runs if r.lab == f"lab{w}"]
        assert sorted(r.parameters["i"] for r in mine) == list(range(rows))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_single_run_is_recorded(mini_lab, tmp_path, capsys):
    assert main(["run", "mini", "-q", "-o", str(tmp_path), "-p", "anzahl", "2"]) == 0
    assert main(["run", "mini", "-q", "-o", str(tmp_path), "-p", "absturz", "ja"]) == 1
    ok, failed = sorted(
        history.list_runs("mini", db=tmp_path / history.DB_NAME), key=lambda r: r.id
    )
    assert ok.status == "ok" and ok.metrics == {"ergebnis": 5.25, "zeilen": 2}
    assert ok.parameters["anzahl"] == 2 and str(ok.folder).startswith(str(tmp_path / "mini"))
    assert ok.sweep_id is None
    assert failed.status == "fehlgeschlagen" and "abgestürzt" in failed.error
    assert failed.folder.name.endswith("-fehlgeschlagen")


def test_public_app_kernel_never_reads_the_history(tmp_path, monkeypatch):
    """The staff's runs (paths of own files, metrics) stay out of the public app server."""
    db = tmp_path / history.DB_NAME
    _add(db, parameters={"daten": "/intern/personal.csv"})
    assert len(history.list_runs(db=db)) == 1
    monkeypatch.setattr("sys.argv", ["datenlabor-app-kernel"])
    assert history.list_runs(db=db) == [] and history.to_long_frame(db=db).empty
