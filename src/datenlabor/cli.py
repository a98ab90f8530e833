"""The ``datenlabor`` command: list, params, run, check, serve, lab.

Messages are German; exit code 2 means "your input was wrong, nothing was done".
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .errors import DatenlaborError, ParameterError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_GERMAN = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ungültige Wahl: %(value)r (möglich: %(choices)s)",
    "expected one argument": "erwartet einen Wert",
    "expected %s arguments": "erwartet %s Werte",
    "invalid %(type)s value: %(value)r": "ungültiger Wert (%(type)s): %(value)r",
    "argument %(argument_name)s: %(message)s": "Angabe %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
}


def _german(text: str) -> str:
    return _GERMAN.get(text, text)


argparse._ = _german  # argparse looks its messages up at call time
argparse.ngettext = lambda s, p, n: _german(s if n == 1 else p)  # type: ignore[attr-defined]


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return code


def _parse_pairs(pairs: list[list[str]] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in pairs or []:
        values[name] = value
    return values


def _read_params_file(path: str) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except OSError:
        raise ParameterError(f"Die Parameterdatei „{path}“ lässt sich nicht öffnen.") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"Die Parameterdatei „{path}“ ist kein gültiges YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterError(f"Die Parameterdatei „{path}“ muss Zuordnungen „name: wert“ enthalten.")
    return data


# --- commands --------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from .catalog import discover

    labs = discover()
    for lab in labs:
        print(f"{lab.slug}")
        print(f"  {lab.title} – {lab.summary}")
        print(f"  Dauer: {lab.duration_minutes} Minuten · Zielgruppe: {lab.audience} · Niveau: {lab.level}")
    if not labs:
        print("Keine Labs gefunden.")
    return EXIT_OK


def cmd_params(args: argparse.Namespace) -> int:
    from .catalog import get_lab
    from .parameters import TYPE_NAMES

    lab = get_lab(args.lab)
    print(f"Parameter von „{lab.title}“ ({lab.slug}):\n")
    for p in lab.parameters.values():
        print(f"  {p.name}  ({TYPE_NAMES.get(p.type, p.type)}, Vorgabe: {p.default!r})")
        if p.help:
            print(f"      {p.help}")
        print(f"      Erlaubt: {p.allowed()}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from .catalog import get_lab
    from .running import execute

    lab = get_lab(args.lab)
    values: dict[str, Any] = {}
    if args.file:
        values.update(_read_params_file(args.file))
    values.update(_parse_pairs(args.parameter))
    if args.ci:
        values = {**lab.ci_parameters, **values}
    result = execute(lab, values, args.output, progress=not args.quiet, timeout=args.timeout)
    print(f"Fertig in {result.duration_s:.1f} s. Ergebnisse: {result.folder}")
    for name, value in result.metrics.items():
        rng = lab.metric_ranges.get(name) or {}
        note = ""
        if rng and not (rng.get("min", float("-inf")) <= value <= rng.get("max", float("inf"))):
            note = f"  (außerhalb des erwarteten Bereichs {rng.get('min')}–{rng.get('max')})"
        print(f"  {name}: {value}{note}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .checking import check_all

    problems = check_all(Path(args.labs) if args.labs else None)
    if problems:
        print(f"{len(problems)} Problem(e) gefunden:")
        for p in problems:
            print(f"  - {p}")
        return EXIT_FAILED
    print("Alles in Ordnung: Notebooks, Metadaten und Datensätze passen zusammen.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serving import serve

    serve(port=args.port, ip=args.ip, extra=args.voila_option)
    return EXIT_OK


def cmd_lab(args: argparse.Namespace) -> int:
    import secrets

    from .paths import labs_dir

    token = os.environ.get("DATENLABOR_TOKEN") or secrets.token_urlsafe(24)
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={labs_dir()}",
        f"--ServerApp.ip={args.ip}",
        f"--ServerApp.port={args.port}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # CI and containers run as root
    print("JupyterLab für Mitarbeitende startet. Öffnen Sie:")
    print(f"  http://{args.ip}:{args.port}/lab?token={token}")
    sys.stdout.flush()
    os.execv(sys.executable, argv)
    return EXIT_OK  # pragma: no cover


def _add_server_commands(sub: Any) -> None:
    """serve (public workshop server) and lab (JupyterLab for staff)."""
    p = sub.add_parser("serve", help="den Workshop-App-Server starten (Voilà, alle Labs, Startseite)")
    p.add_argument("--port", type=int, default=8866, help="Port (Vorgabe 8866)")
    p.add_argument("--ip", default="127.0.0.1",
                   help="Adresse (Vorgabe 127.0.0.1; 0.0.0.0 für Teilnehmende im Netz)")
    p.add_argument("--voila-option", action="append", metavar="OPTION",
                   help="zusätzliche Voilà-Option, z. B. --VoilaConfiguration.default_pool_size=2")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("lab", help="JupyterLab für Mitarbeitende starten (mit Token, nur lokal)")
    p.add_argument("--port", type=int, default=8888, help="Port (Vorgabe 8888)")
    p.add_argument("--ip", default="127.0.0.1", help="Adresse (Vorgabe 127.0.0.1)")
    p.set_defaults(func=cmd_lab)


def _add_sweep_commands(sub: Any) -> None:
    """sweep and runs (parameter sweeps and run history)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datenlabor",
        description="Datenlabor – Experimentierräume für Daten und KI in der Kommune.",
    )
    sub = parser.add_subparsers(dest="command", metavar="BEFEHL", title="Befehle")

    p = sub.add_parser("list", help="Labs mit Titel, Kurzbeschreibung, Dauer und Zielgruppe zeigen")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("params", help="Parameter eines Labs mit Typ, Vorgabe, Hilfe und erlaubten Werten")
    p.add_argument("lab", help="Name des Labs (siehe „datenlabor list“)")
    p.set_defaults(func=cmd_params)

    p = sub.add_parser(
        "run",
        help="ein Lab mit Parametern ausführen (papermill) und Ergebnisse unter runs/ speichern",
        description="Prüft alle Werte, bevor ein Kernel startet, und legt Notebook, HTML, "
        "Parameter und Kennzahlen in runs/<lab>/<zeitstempel>/ ab.",
    )
    p.add_argument("lab", help="Name des Labs (siehe „datenlabor list“)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "WERT"),
                   help="einen Parameter setzen (mehrfach möglich)")
    p.add_argument("-f", "--file", metavar="DATEI.yaml", help="Parameter aus einer YAML-Datei lesen")
    p.add_argument("--ci", action="store_true", help="die kleinen, schnellen CI-Parameter des Labs verwenden")
    p.add_argument("-o", "--output", metavar="ORDNER", help="statt runs/ diesen Ordner verwenden")
    p.add_argument("--timeout", type=int, default=600, metavar="SEKUNDEN", help="Höchstdauer je Zelle (Vorgabe 600)")
    p.add_argument("-q", "--quiet", action="store_true", help="keinen Fortschrittsbalken zeigen")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="Notebooks, Metadaten und Datensätze prüfen (für Pflegende)")
    p.add_argument("--labs", metavar="ORDNER", help="anderer Ordner mit Labs (Vorgabe: labs/)")
    p.set_defaults(func=cmd_check)

    _add_server_commands(sub)
    _add_sweep_commands(sub)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except (ParameterError,) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except DatenlaborError as exc:
        from .errors import DatasetError, LabNotFoundError

        code = EXIT_USAGE if isinstance(exc, LabNotFoundError | DatasetError) else EXIT_FAILED
        return _fail(str(exc), code)
    except KeyboardInterrupt:
        print("\nAbgebrochen.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
