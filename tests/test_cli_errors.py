"""Every ``datenlabor`` command meets a typical bad input with German text, never a traceback.

Exit code 2: the input was wrong and nothing was done; 1: something failed.
"""

from __future__ import annotations

import subprocess
import sys

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
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_german_message_and_exit_code(case, mini_lab, tmp_path, capsys):
    args, code, text = CASES[case]
    broken = tmp_path / "kaputt"
    broken.mkdir()
    (broken / "historie.sqlite").write_bytes(b"keine Datenbank, nur Text " * 100)
    (tmp_path / "doppelt.yaml").write_text("anzahl: 1\nanzahl: 2\n", encoding="utf-8")
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
