"""`datenlabor serve`'s options: generated from the server's traits, German, checked early."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from datenlabor.cli import build_parser, main
from datenlabor.server.options import ALIASES, FLAGS, options, options_from_args, options_markdown
from tests.conftest import fixture_env

ROOT = Path(__file__).resolve().parents[1]


def test_readme_table_is_generated_from_the_traits():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- serve-optionen -->\n(.*?)\n<!-- /serve-optionen -->", readme, re.S)
    assert match, "README: table of serve options between <!-- serve-optionen --> markers missing"
    assert match.group(1) == options_markdown(), (
        "README's serve table is out of date: paste `python -m datenlabor.server.options`"
    )


def test_help_shows_every_option_with_its_default(capsys):
    with pytest.raises(SystemExit) as info:
        main(["serve", "--help"])
    assert info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for flag in [*ALIASES, *FLAGS, "konfiguration"]:
        assert f"--{flag}" in out
    for text in ("Vorgabe: 8866", "Vorgabe: 10.", "Vorgabe: 120.", "Vorgabe: 60.", "60 %"):
        assert text in out
    assert "usage" not in out and "show this help" not in out


def test_command_line_becomes_configuration_not_strings():
    args = build_parser().parse_args(
        ["serve", "--pool", "2", "--fokus", "a", "--fokus", "b", "--weg-sekunden", "1,5"]
        + ["--ohne-vorstart", "--max-sitzungen", "7"]
    )
    config = options_from_args(args)
    assert dict(config.DatenlaborServer) == {
        "pool": 2,
        "fokus": ["a", "b"],
        "weg_sekunden": 1.5,
        "vorstart": False,
        "max_sitzungen": 7,
    }
    # options not given stay out: the trait's default (and a config file) decide
    assert "port" not in config.DatenlaborServer


def test_each_default_exists_once_on_the_trait():
    traits = options()
    assert traits["verbindung_sekunden"].default_value == 120.0
    assert traits["weg_sekunden"].default_value == 60.0
    assert "max_sitzungen" in traits and "vorgabe" in traits["max_sitzungen"].metadata


def test_wrong_type_on_the_command_line_is_a_german_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["serve", "--pool", "viele"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "ungültiger Wert (ganze Zahl): 'viele'" in err and "Traceback" not in err


BAD = {
    "unbekanntes-lab": (["--fokus", "gibt-es-nicht"], "Unbekanntes Lab im Fokus: gibt-es-nicht"),
    "negativ": (["--pool", "-1"], "Ungültiger Wert für --pool: -1. Erwartet: eine ganze Zahl ab 0"),
    "datei-fehlt": (["--konfiguration", "fehlt.py"], "Die Konfigurationsdatei"),
    "tippfehler": (["--konfiguration", "{cfg}"], "unbekannte Einstellung fokuss"),
    "fremde-adresse": (["--ip", "192.0.2.1"], "Der Server kann nicht unter 192.0.2.1:"),
    "port-belegt": (["--port", "{busy}"], "ist schon belegt"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BAD))
def test_bad_serve_input_exits_2_with_a_german_message(case, tmp_path):
    argv, message = BAD[case]
    cfg = tmp_path / "konfig" / "datenlabor_config.py"  # not in the working directory
    cfg.parent.mkdir()
    cfg.write_text('c.DatenlaborServer.fokuss = ["mini"]\n', encoding="utf-8")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    argv = [a.format(cfg=cfg, busy=busy.getsockname()[1]) for a in argv]
    with busy:
        proc = subprocess.run(
            [sys.executable, "-m", "datenlabor.cli", "serve", "--port", "1", *argv],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, **fixture_env()},
            timeout=300,
        )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_config_file_sits_between_presets_and_command_line(tmp_path, monkeypatch):
    from traitlets.config import Config

    from datenlabor.server.launch import layered_config

    (tmp_path / "datenlabor_config.py").write_text(
        "c.DatenlaborServer.pool = 3\n"
        "c.DatenlaborServer.weg_sekunden = 30.0\n"
        "c.MappingKernelManager.cull_idle_timeout = 900\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # the default file is the one in the working directory
    config = layered_config(Config({"DatenlaborServer": {"pool": 5}}))
    assert config.DatenlaborServer.pool == 5  # command line wins
    assert config.DatenlaborServer.weg_sekunden == 30.0  # file beats the trait default
    assert config.MappingKernelManager.cull_idle_timeout == 900  # file beats the preset
    assert config.MappingKernelManager.cull_connected is False  # preset kept
    assert config.VoilaConfiguration.show_tracebacks is False
