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


def test_audience_both_is_named_and_params_does_not_point_at_itself(capsys):
    """Tryout #7 („Zielgruppe: beide“ – which two?) and #4 (a help text naming `params` itself)."""
    from datenlabor.catalog import get_lab

    assert get_lab("daten-erkunden").audience_text == "Verwaltung und Bürgerschaft"
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "Zielgruppe: beide" not in out and "Zielgruppe: Verwaltung und Bürgerschaft" in out
    assert main(["params", "daten-erkunden"]) == 0
    assert "Aufbau: datenlabor params" not in capsys.readouterr().out


def test_gallery_technique_filter_is_a_short_list_of_families():
    """Tryout #22: 70 techniques incl. jargon and „logistische“/„Logistische Regression“."""
    from datenlabor.catalog import TECHNIQUE_FAMILIES, discover
    from datenlabor.server.handlers import technique_options

    labs = discover()
    options = technique_options(labs)
    assert 5 <= len(options) <= len(TECHNIQUE_FAMILIES) <= 12
    assert len({o.casefold() for o in options}) == len(options)
    assert not [lab.slug for lab in labs if not lab.technique_families]
    assert "Zuordnen (Klassifikation)" in get_lab_families("fair-entscheiden", labs)
    assert "Zuordnen (Klassifikation)" in get_lab_families("buergeranliegen-zuordnen", labs)
    assert get_lab_families("orte-und-wege", labs) == [
        "Karten und Wege"
    ]  # map classes ≠ classifier


def get_lab_families(slug, labs):
    return next(lab.technique_families for lab in labs if lab.slug == slug)
