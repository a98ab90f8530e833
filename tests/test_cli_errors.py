"""Every ``datenlabor`` command meets a typical bad input with German text, never a traceback.

Exit code 2: the input was wrong and nothing was done; 1: something failed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from datenlabor.cli import main

TRACEBACK = "Traceback (most recent call last)"

# (arguments, exit code, German text on stderr); {tmp} is a fresh folder
CASES = {
    "kein Befehl": ([], 2, "Befehle"),
    "unbekannter Befehl": (["gibt-es-nicht"], 2, "ungültige Wahl"),
    "list mit zu viel": (["list", "--zu-viel"], 2, "unbekannte Angaben: --zu-viel"),
    "params unbekanntes Lab": (["params", "gibt-es-nicht"], 2, "Lab „gibt-es-nicht“ gibt es nicht"),
    "run Wert zu groß": (["run", "mini", "-p", "anzahl", "99"], 2, "außerhalb des erlaubten"),
    "run ohne Parameterdatei": (
        ["run", "mini", "-f", "{tmp}/fehlt.yaml"],
        2,
        "lässt sich nicht öffnen",
    ),
    "run Parameterdatei mit doppeltem Namen": (
        ["run", "mini", "-f", "{tmp}/doppelt.yaml"],
        2,
        "nennt „anzahl“ zweimal (Zeile 2)",
    ),
    "run Parameterdatei mit YAML-Verweisen": (
        ["run", "mini", "-f", "{tmp}/verweise.yaml"],
        2,
        "verwendet einen YAML-Verweis (*…, Zeile 2)",
    ),
    "daten pruefen mit einem Ordner": (
        ["daten", "pruefen", "mini", "{tmp}"],
        2,
        "ist ein Ordner, keine Datei",
    ),
    "run ohne Wert": (["run", "mini", "-p", "anzahl"], 2, "erwartet 2 Werte"),
    "check ohne Ordner": (["check", "--labs", "{tmp}/fehlt"], 2, "gibt es nicht"),
    "sweep kein Bereich": (["sweep", "mini", "-p", "faktor", "a:b:c"], 2, "nicht aus Zahlen"),
    "runs ein Vergleich": (["runs", "-o", "{tmp}", "--vergleichen", "1"], 2, "mindestens zwei"),
    "runs kaputte Historie": (["runs", "-o", "{tmp}/kaputt"], 1, "lässt sich nicht lesen"),
    "lab Port keine Zahl": (["lab", "--port", "abc"], 2, "ungültiger Wert"),
    "run Zeitlimit null": (["run", "mini", "--zeitlimit", "0"], 2, "mindestens 1 Sekunde"),
    "run Zeitlimit negativ": (["run", "mini", "--zeitlimit", "-1"], 2, "„-1“ ist zu klein"),
    "run Zeitlimit keine Zahl": (["run", "mini", "--zeitlimit", "zehn"], 2, "eine ganze Zahl"),
    "sweep Bereich außerhalb": (
        ["sweep", "mini", "-p", "anzahl", "10:20:1", "--probelauf"],
        2,
        "Parameter „anzahl“: 11 Werte (10, 11, 12, …, 20) – jeder liegt außerhalb des erlaubten "
        "Bereichs. Erlaubt: Ganzzahl von 1 bis 5.",
    ),
    "runs unbekanntes Lab": (
        ["runs", "-o", "{tmp}", "gibtsnicht"],
        2,
        "„gibtsnicht“ gibt es nicht",
    ),
    "sweep null Prozesse": (["sweep", "mini", "-j", "0"], 2, "mindestens 1 Prozess"),
    "sweep Stichprobe null": (["sweep", "mini", "--stichprobe", "0"], 2, "mindestens 1 Punkt"),
    "runs Anzahl null": (["runs", "-o", "{tmp}", "-n", "0"], 2, "mindestens 1 Lauf"),
    "runs Vergleich keine Zahl": (["runs", "--vergleichen", "3", "a"], 2, "„a“: bitte eine ganze"),
    "runs derselbe Lauf zweimal": (
        ["runs", "-o", "{tmp}", "--vergleichen", "3", "3"],
        2,
        "zwei verschiedene Lauf-IDs",
    ),
    "runs Vergleich unbekannter Läufe": (
        ["runs", "-o", "{tmp}", "--vergleichen", "3", "7", "9"],
        2,
        "Die Läufe 3, 7 und 9 gibt es in der Laufhistorie",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_german_message_and_exit_code(case, mini_lab, tmp_path, capsys):
    args, code, text = CASES[case]
    broken = tmp_path / "kaputt"
    broken.mkdir()
    (broken / "historie.sqlite").write_bytes(b"keine Datenbank, nur Text " * 100)
    (tmp_path / "doppelt.yaml").write_text("anzahl: 1\nanzahl: 2\n", encoding="utf-8")
    # "billion laughs": nine lines that expand to gigabytes when aliases are followed
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    bomb += [
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefg", "bcdefgh", strict=True)
    ]
    (tmp_path / "verweise.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    try:
        result = main(argv)
    except SystemExit as exc:  # argparse reports usage errors itself
        result = exc.code
    out, err = capsys.readouterr()
    assert result == code, err
    assert text in err + out
    assert TRACEBACK not in err + out
    if code == 2 and args:
        assert "Fehler" in err


def test_export_into_a_missing_folder_is_refused(tmp_path, capsys):
    from datenlabor import history
    from datenlabor.results import RunResult

    history.add_run(RunResult("mini", {"anzahl": 2}), db=tmp_path / history.DB_NAME)
    assert main(["runs", "-o", str(tmp_path), "--export", str(tmp_path / "fehlt" / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "Den Ordner für die Exportdatei" in err and TRACEBACK not in err


def test_sweep_range_outside_is_one_line(mini_lab, tmp_path, capsys):
    argv = ["sweep", "mini", "-p", "anzahl", "10:20:1", "-o", str(tmp_path), "--probelauf"]
    assert main(argv) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_runs_of_a_removed_lab_still_show_and_export_names_the_folder(tmp_path, capsys):
    from datenlabor import history
    from datenlabor.results import RunResult

    history.add_run(RunResult("alt-entfernt", {"anzahl": 2}), db=tmp_path / history.DB_NAME)
    assert main(["runs", "-o", str(tmp_path), "alt-entfernt"]) == 0
    assert "alt-entfernt" in capsys.readouterr().out
    target = tmp_path / "laeufe.csv"
    assert main(["runs", "-o", str(tmp_path), "--export", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("lauf_id,lab,")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert main(["runs", "-o", str(tmp_path), "--export", str(tmp_path)]) == 2
    assert "ist ein Ordner" in capsys.readouterr().err
    if Path("/proc").is_dir():  # a folder nobody may write to, even root
        assert main(["runs", "-o", str(tmp_path), "--export", "/proc/x.csv"]) == 2
        err = capsys.readouterr().err
        assert "In den Ordner „/proc“ kann die Exportdatei nicht geschrieben werden" in err
        assert "gibt es nicht" not in err


def test_file_system_failures_are_german(mini_lab, tmp_path, capsys):
    (tmp_path / "datei").write_text("kein Ordner", encoding="utf-8")
    assert main(["run", "mini", "-q", "-o", str(tmp_path / "datei")]) == 1
    err = capsys.readouterr().err
    assert "Datei oder Ordner nicht nutzbar" in err and "datei" in err
    assert "Errno" not in err and TRACEBACK not in err


def test_list_with_a_missing_labs_folder(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATENLABOR_LABS", str(tmp_path / "fehlt"))
    assert main(["list"]) == 1
    assert "Den Ordner mit den Labs" in capsys.readouterr().err


@pytest.mark.slow  # imports Voilà in a fresh process
def test_serve_with_unknown_focus_lab_exits_2():
    proc = subprocess.run(
        [sys.executable, "-m", "datenlabor.cli", "serve", "--fokus", "gibt-es-nicht"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert TRACEBACK not in proc.stderr + proc.stdout
    assert "gibt-es-nicht" in proc.stderr
    assert proc.returncode == 2, proc.stderr


def test_an_unknown_single_run_is_named_in_the_singular(tmp_path, capsys):
    from datenlabor import history
    from datenlabor.results import RunResult

    history.add_run(RunResult("mini", {"anzahl": 2}), db=tmp_path / history.DB_NAME)
    assert main(["runs", "-o", str(tmp_path), "--vergleichen", "1", "7"]) == 2
    assert "Den Lauf 7 gibt es in der Laufhistorie" in capsys.readouterr().err


def test_dry_run_prints_a_table_not_python_values(mini_lab, tmp_path, capsys):
    argv = ["sweep", "mini", "-p", "anzahl", "1,2", "-p", "faktor", "0,5;1,5", "--probelauf"]
    assert main([*argv, "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "4 Punkte (variierte Parameter: anzahl, faktor)" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Punkt"))
    assert lines[header].split() == ["Punkt", "anzahl", "faktor"]
    assert lines[header + 2].split() == ["1", "1", "0,5"]
    assert "{" not in out and "'" not in out and "1.5" not in out
    assert not any(tmp_path.iterdir()), "a dry run writes nothing"


def test_one_point_is_singular(mini_lab, tmp_path, capsys):
    assert main(["sweep", "mini", "-p", "anzahl", "2", "--probelauf", "-o", str(tmp_path)]) == 0
    assert "1 Punkt (variierte Parameter: keiner)" in capsys.readouterr().out


def test_params_shows_defaults_as_people_write_them(capsys):
    assert main(["params", "daten-erkunden"]) == 0
    out = capsys.readouterr().out
    assert "Vorgabe: „Arbeitslosenquote“" in out and "Vorgabe: leer" in out
    assert "['" not in out and "''" not in out


def test_run_progress_bar_is_german():
    import io

    from tqdm import tqdm

    from datenlabor.running import PROGRESS_BAR

    out = io.StringIO()
    with tqdm(total=3, file=out, **PROGRESS_BAR) as bar:
        bar.update(1)
    text = out.getvalue()
    assert "Lab wird ausgeführt" in text and "Zellen" in text and "vergangen" in text
    assert "Executing" not in text and "cell" not in text and "it/s" not in text


def test_run_shows_no_progress_bar_in_a_pipe(mini_lab, monkeypatch):
    """Tryout #3: piped into a log, the redrawn bar was one 5 kB line."""
    import datenlabor.running
    from datenlabor.errors import DatenlaborError

    seen = {}

    def fake_execute(lab, values, out, *, progress, timeout):
        seen["progress"] = progress
        raise DatenlaborError("gestoppt")

    monkeypatch.setattr(datenlabor.running, "execute", fake_execute)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    main(["run", "mini"])
    assert seen == {"progress": False}
