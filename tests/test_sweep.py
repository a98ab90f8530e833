"""`datenlabor sweep`: grid syntax, validation first, parallel runs, resume, Ctrl-C, Dask."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datenlabor import history
from datenlabor.cli import main
from datenlabor.errors import ParameterError
from datenlabor.parameters import Parameter
from datenlabor.sweep import build_grid, parse_cli_value, parse_file_value
from tests.helpers import free_port


def _entries(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*")) if root.exists() else []


def _summary(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "ergebnisse.csv").open(encoding="utf-8") as fh:
        return {row["Punkt"]: row for row in csv.DictReader(fh)}


def _sweep_dir(out: Path) -> Path:
    (folder,) = (out / "mini" / "sweeps").iterdir()
    return folder


# --- grid syntax -------------------------------------------------------------------


def test_cli_values_ranges_and_separators():
    n = Parameter("n", "int", 1, "")
    x = Parameter("x", "float", 1.0, "")
    items = Parameter("items", "list", [], "")
    assert parse_cli_value(n, "1,2, 3") == ["1", "2", "3"]
    assert parse_cli_value(n, "1:5:2") == [1, 3, 5]
    assert parse_cli_value(x, "0.1:0.3:0.1") == [0.1, 0.2, 0.3]  # exact steps, stop included
    assert parse_cli_value(x, "0,5;1,5") == ["0,5", "1,5"]  # `;` allows decimal commas
    assert parse_cli_value(items, "A,B;C") == [["A", "B"], ["C"]]
    assert parse_cli_value(items, "A,B") == [["A", "B"]]
    assert parse_file_value(x, {"start": 1, "stop": 2, "step": 0.5}) == [1.0, 1.5, 2.0]
    assert parse_file_value(items, [["A"], ["B", "C"]]) == [["A"], ["B", "C"]]
    with pytest.raises(ParameterError, match="jede Variante als eigene Liste"):
        parse_file_value(items, ["A", "B"])
    with pytest.raises(ParameterError, match="Schritt positiv"):
        parse_cli_value(n, "5:1:1")


def test_grid_points_identity_and_sample(mini_lab):
    grid = build_grid(mini_lab, [("anzahl", "1:3:1"), ("modus", "summe,mittel"), ("faktor", "2")])
    points = grid.points()
    assert grid.varied == ["anzahl", "modus"] and grid.size == 6
    assert points[0] == (
        "p000-anzahl-1-modus-summe",
        {"anzahl": 1, "modus": "summe", "faktor": 2.0},
    )
    assert points[-1][0] == "p005-anzahl-3-modus-mittel"
    same = build_grid(
        mini_lab, [("anzahl", "1,2,3"), ("modus", "summe;mittel"), ("faktor", "2,0;")]
    )
    assert same.identity == grid.identity  # same grid, same folder: resumable
    s1 = build_grid(mini_lab, [("anzahl", "1:5:1"), ("modus", "summe,mittel")], sample=4, seed=7)
    s2 = build_grid(mini_lab, [("anzahl", "1:5:1"), ("modus", "summe,mittel")], sample=4, seed=7)
    assert s1.points() == s2.points() and len(s1.points()) == 4
    assert (
        s1.identity
        != build_grid(
            mini_lab, [("anzahl", "1:5:1"), ("modus", "summe,mittel")], sample=4, seed=8
        ).identity
    )


@pytest.mark.parametrize(
    ("args", "messages"),
    [
        (
            ["-p", "anzahl", "1:7:1"],
            [
                "„6“ liegt außerhalb des erlaubten Bereichs",
                "„7“ liegt außerhalb des erlaubten Bereichs",
            ],
        ),
        (
            ["-p", "modus", "summe,median", "-p", "farbe", "rot"],
            [
                "„median“ ist nicht erlaubt. Erlaubt: einer von: summe, mittel",
                "Parameter „farbe“ gibt es im Lab „mini“ nicht",
            ],
        ),
        (["-p", "faktor", "a:b:c"], ["besteht nicht aus Zahlen"]),
        (["-p", "daten", "/nirgends.csv"], ["„/nirgends.csv“ ist keine vorhandene Datei"]),
        (["-p", "anzahl", "1,2", "--stichprobe", "0"], ["mindestens 1 Punkt"]),
        (
            ["-p", "anzahl", "2", "--startwert", "3"],
            ["--startwert wirkt nur zusammen mit --stichprobe"],
        ),
    ],
)
def test_invalid_grid_exits_2_and_writes_nothing(mini_lab, tmp_path, capsys, args, messages):
    out = tmp_path / "runs"
    assert main(["sweep", "mini", "-q", "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ")
    for message in messages:
        assert message in err
    assert _entries(out) == []


def test_invalid_grid_file(mini_lab, tmp_path, capsys):
    raster = tmp_path / "raster.yaml"
    raster.write_text("anzahl: {start: 1, stop: 3}\nmodus: [summe, mittel]\n", encoding="utf-8")
    assert main(["sweep", "mini", "-o", str(tmp_path / "runs"), "-f", str(raster)]) == 2
    assert "Ein Bereich braucht genau start, stop und step" in capsys.readouterr().err
    assert _entries(tmp_path / "runs") == []


def test_own_csv_is_checked_before_anything_runs(mini_lab, tmp_path, capsys):
    bad = tmp_path / "falsch.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    assert main(["sweep", "mini", "-o", str(tmp_path / "runs"), "-p", "daten", f";{bad}"]) == 2
    assert "Erwartete Spalten: datum, name, wert" in capsys.readouterr().err
    assert _entries(tmp_path / "runs") == []


# --- real sweeps --------------------------------------------------------------------


@pytest.mark.slow
def test_sweep_results_history_crash_and_resume(mini_lab, tmp_path, capsys):
    out = tmp_path / "runs"
    raster = tmp_path / "raster.yaml"
    raster.write_text("modus: mittel\nfaktor: [1, 2]\n", encoding="utf-8")
    args = [
        "sweep",
        "mini",
        "-q",
        "-o",
        str(out),
        "-j",
        "2",
        "-f",
        str(raster),
        "-p",
        "absturz",
        "nein,ja",
    ]
    # A killed kernel fails its point; the other points complete.
    assert main(args) == 1
    text = capsys.readouterr().out
    assert "Ergebnis: 2 fertig, 2 fehlgeschlagen, 0 abgebrochen, 0 offen." in text
    folder = _sweep_dir(out)
    rows = _summary(folder)
    assert {n: r["Status"] for n, r in rows.items()} == {
        "p000-faktor-1.0-absturz-False": "ok",
        "p001-faktor-1.0-absturz-True": "fehlgeschlagen",
        "p002-faktor-2.0-absturz-False": "ok",
        "p003-faktor-2.0-absturz-True": "fehlgeschlagen",
    }
    assert float(rows["p002-faktor-2.0-absturz-False"]["ergebnis"]) == pytest.approx(2 * 6.5 / 3)
    assert "Kernel ist abgestürzt" in rows["p001-faktor-1.0-absturz-True"]["Fehler"]
    assert (folder / "ergebnisse.png").read_bytes().startswith(b"\x89PNG")
    assert (folder / "p000-faktor-1.0-absturz-False" / "kennzahlen.json").is_file()
    assert not (folder / "p000-faktor-1.0-absturz-False" / "mini.html").exists()  # HTML skipped
    assert json.loads((folder / "sweep.json").read_text())["achsen"]["absturz"] == [False, True]
    runs = history.list_runs("mini", db=out / history.DB_NAME)
    assert sorted((r.point, r.status) for r in runs) == sorted(
        (n, r["Status"]) for n, r in rows.items()
    )
    assert {r.sweep_id for r in runs} == {folder.name}

    # Same call again: nothing to do. A lost point is run again, failed ones only on request.
    assert main(args) == 1
    assert "4 Punkte lagen schon vor" in capsys.readouterr().out
    import shutil

    shutil.rmtree(folder / "p002-faktor-2.0-absturz-False")
    assert main(args) == 1
    assert "3 Punkte lagen schon vor" in capsys.readouterr().out
    assert main([*args, "--fehlgeschlagene-wiederholen"]) == 1
    assert "2 Punkte lagen schon vor" in capsys.readouterr().out
    per_point: dict[str, int] = {}
    for r in history.list_runs("mini", db=out / history.DB_NAME):
        per_point[r.point] = per_point.get(r.point, 0) + 1
    assert per_point == {
        "p000-faktor-1.0-absturz-False": 1,
        "p001-faktor-1.0-absturz-True": 2,
        "p002-faktor-2.0-absturz-False": 2,
        "p003-faktor-2.0-absturz-True": 2,
    }
    assert _summary(folder)["p002-faktor-2.0-absturz-False"]["Status"] == "ok"
    assert not list(folder.glob(".*tmp*"))


def _kernels_under(folder: Path) -> list:
    import psutil

    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if str(folder) in (proc.cwd() or "") and "ipykernel" in " ".join(
                proc.info["cmdline"] or []
            ):
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_same_call_resumes(mini_lab, tmp_path):
    out = tmp_path / "runs"
    cmd = [
        sys.executable,
        "-m",
        "datenlabor.cli",
        "sweep",
        "mini",
        "-q",
        "-o",
        str(out),
        "-j",
        "2",
        "-p",
        "anzahl",
        "1:3:1",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list((out / "mini").glob("sweeps/*/.p*.tmp-*")):
            time.sleep(0.1)
        time.sleep(0.3)  # the point is now mid-run
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Derselbe Aufruf setzt den Sweep fort" in err
    folder = _sweep_dir(out)
    time.sleep(0.5)
    assert _kernels_under(folder) == []
    assert not list(folder.glob(".*tmp*"))
    statuses = {r["Status"] for r in _summary(folder).values()}
    assert "abgebrochen" in statuses and statuses <= {"ok", "abgebrochen", "offen"}
    aborted = [r for r in history.list_runs(db=out / history.DB_NAME) if r.status == "abgebrochen"]
    assert aborted and all(r.sweep_id == folder.name for r in aborted)
    # Aborted points are not failures: a plain re-run completes them.
    assert main(cmd[3:]) == 0
    assert {r["Status"] for r in _summary(folder).values()} == {"ok"}


@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and two single-threaded workers on free loopback ports."""
    bin_dir = Path(sys.executable).parent
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = []
    common = {
        "stdout": subprocess.DEVNULL,
        "start_new_session": True,
        "env": {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"},
    }
    try:
        procs.append(
            subprocess.Popen(
                [
                    str(bin_dir / "dask"),
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-dashboard",
                ],
                stderr=(tmp_path / "scheduler.log").open("wb"),
                **common,
            )
        )
        for i in (1, 2):
            procs.append(
                subprocess.Popen(
                    [
                        str(bin_dir / "dask"),
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                        "--death-timeout",
                        "60",
                    ],
                    stderr=(tmp_path / f"worker{i}.log").open("wb"),
                    **common,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.slow
@pytest.mark.xdist_group("dask")
def test_sweep_on_a_dask_cluster(mini_lab, tmp_path, capsys, dask_cluster):
    out = tmp_path / "runs"
    args = [
        "sweep",
        "mini",
        "-q",
        "-o",
        str(out),
        "--cluster",
        dask_cluster,
        "-p",
        "anzahl",
        "1,3",
        "-p",
        "absturz",
        "nein,ja",
        "--zeitlimit",
        "60",
    ]
    assert main(args) == 1
    assert "Ergebnis: 2 fertig, 2 fehlgeschlagen" in capsys.readouterr().out
    folder = _sweep_dir(out)
    rows = _summary(folder)
    assert float(rows["p000-anzahl-1-absturz-False"]["ergebnis"]) == pytest.approx(1.5 * 1.5)
    assert float(rows["p002-anzahl-3-absturz-False"]["ergebnis"]) == pytest.approx(1.5 * 6.5)
    runs = history.list_runs("mini", db=out / history.DB_NAME)
    assert len(runs) == 4 and {r.status for r in runs} == {"ok", "fehlgeschlagen"}
    # The workers ran the points: the kernels' working folders were created by other processes.
    assert len({r.folder for r in runs}) == 4


def test_list_parameter_alternatives_are_validated_as_lists():
    # The fixture lab has no list parameter; a real lab's ``stadtteile`` has one.
    from datenlabor.catalog import get_lab

    lab = get_lab("daten-erkunden")
    grid = build_grid(lab, [("stadtteile", "Altstadt,Feldrand;Altstadt , Feldrand;Feldrand")])
    assert grid.axes["stadtteile"] == [["Altstadt", "Feldrand"], ["Feldrand"]]  # deduplicated
    assert [name for name, _ in grid.points()] == [
        "p000-stadtteile-Altstadt+Feldrand",
        "p001-stadtteile-Feldrand",
    ]
    with pytest.raises(ParameterError, match="Nirgendwo"):
        build_grid(lab, [("stadtteile", "Altstadt;Nirgendwo")])


def test_summary_chart_speaks_german(mini_lab):
    """Panels titled with the metric's German label, x axis with the parameter's label."""
    from datenlabor.results import RunResult
    from datenlabor.sweep import plot_summary

    grid = build_grid(mini_lab, [("faktor", "0,5;1,5"), ("modus", "summe,mittel")], {})
    states = [
        RunResult("mini", values, metrics={"ergebnis": 1.5 * i, "zeilen": 2})
        for i, (_, values) in enumerate(grid.points())
    ]
    fig = plot_summary(mini_lab, grid, states, {"ergebnis": "Ergebnis der Rechnung"})
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["Ergebnis der Rechnung", "Zeilen"]
    assert fig.axes[-1].get_xlabel() == "Faktor"
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert ticks and all("." not in t for t in ticks), ticks
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Rechenart = mittel", "Rechenart = summe"]
