"""`datenlabor list`, `params` and the German help texts."""

from __future__ import annotations

import pytest

from datenlabor.cli import build_parser, main


def test_list_shows_title_summary_duration_audience(mini_lab, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "mini\n  Mini-Lab – Kleines Lab für die Tests." in out
    assert "Dauer: 5 Minuten · Zielgruppe: Verwaltung" in out


def test_params_shows_type_default_help_and_allowed(mini_lab, capsys):
    assert main(["params", "mini"]) == 0
    out = capsys.readouterr().out
    assert "anzahl  (Ganzzahl, Vorgabe: 3)" in out
    assert "Wie viele Zeilen gezählt werden" in out
    assert "Erlaubt: Ganzzahl von 1 bis 5" in out
    assert "Erlaubt: einer von: summe, mittel" in out


@pytest.mark.parametrize(
    "command",
    ["list", "params", "run", "check", "sweep", "runs", "serve", "lab", "hub", "hub-entfernen"],
)
def test_every_command_has_german_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Aufruf: datenlabor " + command)
    assert "diese Hilfe zeigen und beenden" in out


def test_usage_errors_are_german(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run"])
    assert info.value.code == 2
    assert "Fehler: diese Angaben fehlen: lab" in capsys.readouterr().err
