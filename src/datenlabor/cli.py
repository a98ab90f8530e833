"""The ``datenlabor`` command: list, params, run, check, neu, serve, lab, sweep, runs, aufgaben, kursplan, bestaetigung, daten.

Messages are German; exit code 2 means "your input was wrong, nothing was done".
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EXIT_FAILED, EXIT_USAGE, DatenlaborError, ParameterError
from .results import RunStatus

if TYPE_CHECKING:  # pragma: no cover
    from .history import StoredRun

EXIT_OK = 0

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


_OS_ERRORS = {
    errno.ENOENT: "gibt es nicht",
    errno.EACCES: "darf nicht gelesen oder geschrieben werden (keine Berechtigung)",
    errno.EPERM: "darf nicht gelesen oder geschrieben werden (keine Berechtigung)",
    errno.EEXIST: "existiert schon",
    errno.EISDIR: "ist ein Ordner, keine Datei",
    errno.ENOTDIR: "geht nicht: ein Teil des Pfads ist eine Datei, kein Ordner",
    errno.ENOSPC: "kann nicht geschrieben werden: der Datenträger ist voll",
    errno.EROFS: "kann nicht geschrieben werden: der Datenträger ist schreibgeschützt",
}


def _os_error_text(exc: OSError) -> str:
    """A German sentence for a file system failure (the library text is English)."""
    what = _OS_ERRORS.get(exc.errno or 0, "ist nicht nutzbar")
    if exc.errno and exc.errno not in _OS_ERRORS:
        what += f" (Systemfehler {exc.errno})"
    where = f"„{exc.filename}“" if exc.filename else "Eine Datei oder ein Ordner"
    return f"Datei oder Ordner nicht nutzbar: {where} {what}."


def _whole_number(minimum: int | None = None, one: str = "", other: str = "") -> Any:
    """An argparse type: a whole number, optionally at least ``minimum`` (German messages).

    ``one``/``other`` name the unit in the message (``mindestens 1 Sekunde``).
    """

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"ungültiger Wert „{text}“: bitte eine ganze Zahl angeben"
            ) from None
        if minimum is not None and value < minimum:
            from .formatting import count

            least = count(minimum, one, other) if one else str(minimum)
            raise argparse.ArgumentTypeError(f"„{text}“ ist zu klein, mindestens {least}")
        return value

    parse.__name__ = "ganze Zahl"
    return parse


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return code


def _parse_pairs(pairs: list[list[str]] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in pairs or []:
        values[name] = value[1:] if value.startswith(" -") else value  # see _protect_values
    return values


def _protect_values(argv: list[str]) -> list[str]:
    """Let ``-p NAME -1,5`` through argparse, which takes ``-1,5`` for an option otherwise.

    A value after ``-p NAME`` that starts with ``-`` gets a leading space (argparse
    then sees a value); ``_parse_pairs`` removes it again.
    """
    out = list(argv)
    i = 0
    while i < len(out) - 2:
        if out[i] in ("-p", "--parameter") and out[i + 2].startswith("-") and len(out[i + 2]) > 1:
            out[i + 2] = " " + out[i + 2]
            i += 3
        else:
            i += 1
    return out


def _read_params_file(path: str) -> dict[str, Any]:
    """Name-value pairs of a YAML parameter file in any common encoding (UTF-8/16, Windows-1252)."""
    import yaml

    from .csvfiles import _decode
    from .errors import CsvError

    try:
        with open(path, "rb") as fh:
            raw = fh.read(1024 * 1024 + 1)
    except OSError:
        raise ParameterError(f"Die Parameterdatei „{path}“ lässt sich nicht öffnen.") from None
    if len(raw) > 1024 * 1024:
        raise ParameterError(f"Die Parameterdatei „{path}“ ist größer als 1 MB.")
    try:
        text = _decode(raw, None, path)[0] if raw.strip() else ""
    except CsvError:
        raise ParameterError(
            f"Die Parameterdatei „{path}“ ist keine Textdatei. Bitte als Text (UTF-8) speichern."
        ) from None

    class _UniqueKeyLoader(yaml.SafeLoader):
        """SafeLoader that refuses a key given twice (PyYAML silently keeps the last)."""

        def compose_node(self, parent, index):
            # Aliases (*name) can blow a few lines up to gigabytes ("billion laughs").
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise ParameterError(
                    f"Die Parameterdatei „{path}“ verwendet einen YAML-Verweis (*…, Zeile "
                    f"{mark.line + 1}). Bitte jeden Wert ausschreiben."
                )
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            seen: set = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise ParameterError(
                        f"Die Parameterdatei „{path}“ nennt „{key}“ zweimal "
                        f"(Zeile {key_node.start_mark.line + 1}). Jeder Name darf nur einmal vorkommen."
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader) or {}  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (Zeile {mark.line + 1}, Spalte {mark.column + 1})" if mark else ""
        raise ParameterError(
            f"Die Parameterdatei „{path}“ ist kein gültiges YAML{where}. "
            "Erwartet werden Zeilen „name: wert“."
        ) from None
    if not isinstance(data, dict):
        raise ParameterError(
            f"Die Parameterdatei „{path}“ muss Zuordnungen „name: wert“ enthalten."
        )
    return data


# --- commands --------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from .catalog import discover

    labs = discover()
    for lab in labs:
        print(f"{lab.slug}")
        print(f"  {lab.title} – {lab.summary}")
        print(
            f"  Dauer: {lab.duration_minutes} Minuten · Zielgruppe: {lab.audience_text} · Niveau: {lab.level}"
        )
    if not labs:
        print("Keine Labs gefunden.")
    return EXIT_OK


def cmd_params(args: argparse.Namespace) -> int:
    from .catalog import get_lab
    from .parameters import NUMBER_COLUMNS, TYPE_NAMES, data_column

    lab = get_lab(args.lab)
    print(f"Parameter von „{lab.title}“ ({lab.slug}):\n")
    for p in lab.parameters.values():
        print(
            f"  {p.name}  ({TYPE_NAMES.get(p.type, p.type)}, Vorgabe: {_default_text(p.default)})"
        )
        if p.help:
            # The notebook's hint points here; printed by `params` itself it would point at itself.
            print(f"      {p.help.replace(' (Aufbau: datenlabor params)', '')}")
        print(f"      Erlaubt: {p.allowed()}")
        source = data_column(p)
        if source:  # lab.yaml aus_daten: with an own file its values are the choices
            what = (
                "ihre Zahlenspalten"
                if source == NUMBER_COLUMNS
                else f"die Werte ihrer Spalte „{source}“"
            )
            print(f"      Mit eigener Datei: {what} (datenlabor daten pruefen zeigt sie).")
    return EXIT_OK


def _default_text(value: Any) -> str:
    """A parameter's default as people write it: „Text“, lists with commas, German numbers."""
    from .formatting import cell

    if isinstance(value, str):
        return f"„{value}“" if value else "leer"
    if isinstance(value, list | tuple):
        return ", ".join(_default_text(v) for v in value) if value else "keine Auswahl"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # years and counts stay as typed on the command line
    return cell(value, max_digits=6)


def cmd_run(args: argparse.Namespace) -> int:
    from .catalog import get_lab
    from .running import execute

    lab = get_lab(args.lab)
    values: dict[str, Any] = {}
    if args.file:
        values.update(_read_params_file(args.file))
    values.update(_parse_pairs(args.parameter))
    if args.ci:
        from .parameters import data_column

        own = any(p.kind == "csv" and values.get(n) for n, p in lab.parameters.items())
        # with an own file, choices taken from the data (aus_daten) come from that file,
        # not from the Musterstadt values of ci_parameters
        ci = {
            n: v
            for n, v in lab.ci_parameters.items()
            if not (own and n in lab.parameters and data_column(lab.parameters[n]))
        }
        values = {**ci, **values}
    # the bar redraws itself with \r: in a log file or pipe it would be one endless line
    progress = not args.quiet and sys.stderr.isatty()
    result = execute(lab, values, args.output, progress=progress, timeout=args.timeout)
    from .formatting import decimal, metric_value

    def german(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        return metric_value(value)

    print(f"Fertig in {decimal(result.duration_s, 1)} s. Ergebnisse: {result.folder}")
    from .formatting import number
    from .recording import read_metric_digits, read_metric_labels

    try:  # the executed notebook, read once for the labels and decimals of its metrics
        import nbformat

        executed = nbformat.read(str(Path(result.folder) / f"{lab.slug}.ipynb"), as_version=4)
        labels, digits = read_metric_labels(executed), read_metric_digits(executed)
    except (OSError, ValueError):
        labels, digits = {}, {}
    own = [n for n, p in lab.parameters.items() if p.kind == "csv" and values.get(n)]
    # ranges in lab.yaml hold for the lab's own example data; a lab that profiles any CSV
    # (any_csv) has no expectation for a foreign file, and metrics of the built-in lesson
    # example (nur_beispiel) are the same whatever file is given
    any_csv = bool(own) and all(lab.parameters[n].extra.get("any_csv") for n in own)
    lesson = {n for n, r in lab.metric_ranges.items() if (r or {}).get("nur_beispiel")}
    outside = 0

    def show(name: str, value: Any) -> None:
        nonlocal outside
        rng = lab.metric_ranges.get(name) or {}
        note = ""
        checked = not (own and (any_csv or name in lesson))
        if (
            rng
            and checked
            and not (rng.get("min", float("-inf")) <= value <= rng.get("max", float("inf")))
        ):
            note = (
                f"  (außerhalb des erwarteten Bereichs {german(rng.get('min'))}–"
                f"{german(rng.get('max'))})"
            )
            outside += 1
        label = labels.get(name)
        # decimals the notebook chose for this metric (a mean count: 255, not 254,63)
        shown = number(value, digits[name]) if name in digits else german(value)
        text = f"{label}: {shown}  [{name}]" if label else f"{name}: {shown}"
        print(f"  {text}{note}")

    mine = {n: v for n, v in result.metrics.items() if not (own and n in lesson)}
    if own and len(mine) < len(result.metrics):
        print("Ihre Datei:")
    for name, value in mine.items():
        show(name, value)
    if own and len(mine) < len(result.metrics):
        print("Aus dem Lehrbeispiel des Labs (gleich für jede Datei):")
        for name, value in result.metrics.items():
            if name not in mine:
                show(name, value)
    if outside and own:
        print(
            f"\nACHTUNG: {'1 Kennzahl liegt' if outside == 1 else f'{outside} Kennzahlen liegen'} "
            "außerhalb der Bereiche, die für die "
            "Beispieldaten gelten. Bei eigenen Daten kann das stimmen – oder die Datei wurde "
            "anders gelesen als gemeint (Zahlenformat, Kopfzeile, „-“ als 0 statt als Lücke). "
            "Bitte die Hinweise zum Lesen oben prüfen; die Parameter „lesen“ und „spalten“ "
            "legen es fest "
            "(Vorschlag: datenlabor daten pruefen)."
        )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .checking import check_all

    if args.labs and not Path(args.labs).is_dir():
        raise ParameterError(f"Den Ordner „{args.labs}“ gibt es nicht.")
    problems = check_all(Path(args.labs) if args.labs else None)
    if problems:
        from .formatting import count

        print(f"{count(len(problems), 'Problem', 'Probleme')} gefunden:")
        for p in problems:
            print(f"  - {p}")
        return EXIT_FAILED
    print("Alles in Ordnung: Notebooks, Metadaten und Datensätze passen zusammen.")
    return EXIT_OK


def cmd_neu(args: argparse.Namespace) -> int:
    from .scaffold import create_lab, relative_path

    files = create_lab(args.slug, args.titel)
    print(f"Neues Lab „{args.slug}“ angelegt:")
    for path in files:
        print(f"  {relative_path(path)}")
    print(
        "Nächste Schritte: Notebook und lab.yaml anpassen – auch die Aufgaben, die Wissensfragen "
        "(quiz) und die KI-Kompetenzen (ki_kompetenz) sind Vorlagen –, dann „datenlabor check“ "
        "(siehe labs/README.md)."
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .server.launch import serve
    from .server.options import options_from_args

    serve(options_from_args(args), Path(args.konfiguration) if args.konfiguration else None)
    return EXIT_OK


def cmd_lab(args: argparse.Namespace) -> int:
    import secrets

    from .hub.singleuser import LAB_SETTINGS
    from .paths import labs_dir
    from .running import ipc_kernels

    token = os.environ.get("DATENLABOR_TOKEN") or secrets.token_urlsafe(24)
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={labs_dir()}",
        f"--ServerApp.ip={args.ip}",
        f"--ServerApp.port={args.port}",
        "--ServerApp.open_browser=False",
        # the platform's JupyterLab defaults: German, no news or update checks (no request
        # leaves the machine), Markdown opens rendered
        f"--LabApp.app_settings_dir={LAB_SETTINGS}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if ipc_kernels():
        argv.append("--KernelManager.transport=ipc")  # no free-port race, no TCP port
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # CI and containers run as root
    if args.ip not in ("127.0.0.1", "localhost", "::1"):
        print(
            "Achtung: JupyterLab führt beliebigen Code aus. Nur im geschützten Netz der "
            "Verwaltung freigeben, nie für Teilnehmende – dafür gibt es „datenlabor serve“.",
            file=sys.stderr,
        )
    print("JupyterLab für Mitarbeitende startet. Öffnen Sie:")
    print(f"  http://{args.ip}:{args.port}/lab?token={token}")
    sys.stdout.flush()
    # The token goes through the environment, not the command line: on a shared
    # terminal server every local user can read command lines (ps).
    os.execve(sys.executable, argv, {**os.environ, "JUPYTER_TOKEN": token})
    return EXIT_OK  # pragma: no cover


def cmd_aufgaben(args: argparse.Namespace) -> int:
    from .catalog import get_lab
    from .exercises import write_exercises

    path = write_exercises(get_lab(args.lab), Path(args.ziel) if args.ziel else None)
    print(path)
    return EXIT_OK


def cmd_kursplan(args: argparse.Namespace) -> int:
    from . import courseplan
    from .server.branding import load_branding

    items = courseplan.entries()
    issuer = load_branding().organisation
    for target in (args.html, args.pdf):  # check both before writing either
        if target and not Path(target).resolve().parent.is_dir():
            raise ParameterError(f"Den Ordner für „{target}“ gibt es nicht.")
    print(courseplan.plan_text(items))
    if args.html:
        html_text = courseplan.plan_html(items, issuer).encode("utf-8")
        print(f"HTML: {courseplan.write_atomic(Path(args.html), html_text)}")
    if args.pdf:
        print(f"PDF: {courseplan.write_atomic(Path(args.pdf), courseplan.plan_pdf(items, issuer))}")
    return EXIT_OK


def cmd_bestaetigung(args: argparse.Namespace) -> int:
    from .catalog import get_lab
    from .certificate import read_names, write_certificates

    lab = get_lab(args.lab)
    target = Path(args.ziel) if args.ziel else Path.cwd()
    if not target.is_dir():
        raise ParameterError(f"Den Ordner „{target}“ gibt es nicht.")
    paths = write_certificates(lab, read_names(Path(args.namen)), target)
    from .formatting import count

    done = count(len(paths), "Teilnahmebestätigung", "Teilnahmebestätigungen")
    print(f"{done} geschrieben nach {target}:")
    for path in paths:
        print(f"  {path.name}")
    return EXIT_OK


def _add_learning_commands(sub: Any) -> None:
    """aufgaben, kursplan and bestaetigung (learning with evidence; logic in their modules)."""
    p = sub.add_parser(
        "aufgaben",
        help="das Aufgaben-Notebook eines Labs schreiben (Lösungen durch Platzhalter ersetzt)",
    )
    p.add_argument("lab", help="Name des Labs (siehe „datenlabor list“)")
    p.add_argument("--ziel", metavar="ORDNER", help="Zielordner (Vorgabe: aktueller Ordner)")
    p.set_defaults(func=cmd_aufgaben)

    p = sub.add_parser(
        "kursplan",
        help="Kursplan aller Labs zeigen (Dauer, Lernziele, Workshop-Vorschläge), als HTML/PDF",
    )
    p.add_argument("--html", metavar="DATEI", help="den Kursplan auch als HTML-Seite schreiben")
    p.add_argument("--pdf", metavar="DATEI", help="den Kursplan auch als PDF schreiben")
    p.set_defaults(func=cmd_kursplan)

    p = sub.add_parser(
        "bestaetigung",
        help="Teilnahmebestätigungen (PDF) für eine Liste von Namen schreiben",
    )
    p.add_argument("lab", help="Name des Labs (siehe „datenlabor list“)")
    p.add_argument(
        "--namen",
        required=True,
        metavar="NAMEN.csv",
        help="CSV- oder Excel-Datei mit einer Spalte „name“ (Kodierung wird erkannt)",
    )
    p.add_argument("--ziel", metavar="ORDNER", help="Zielordner (Vorgabe: aktueller Ordner)")
    p.set_defaults(func=cmd_bestaetigung)


def _add_server_commands(sub: Any) -> None:
    """serve (public workshop server) and lab (JupyterLab for staff)."""
    from .server.options import add_arguments

    p = sub.add_parser(
        "serve",
        help="den Workshop-App-Server starten (Voilà, alle Labs, Startseite)",
        description="Startet den Workshop-App-Server: alle Labs als Apps und eine Startseite. "
        "Jede Option lässt sich auch in datenlabor_config.py setzen "
        "(c.DatenlaborServer.<name> mit _ statt -).",
    )
    add_arguments(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("lab", help="JupyterLab für Mitarbeitende starten (mit Token, nur lokal)")
    p.add_argument("--port", type=_whole_number(1), default=8888, help="Port (Vorgabe 8888)")
    p.add_argument("--ip", default="127.0.0.1", help="Adresse (Vorgabe 127.0.0.1)")
    p.set_defaults(func=cmd_lab)


def cmd_hub(args: argparse.Namespace) -> int:
    from .hub.launch import run_hub

    return run_hub(
        Path(args.mandanten) if args.mandanten else None,
        ip=args.ip,
        port=args.port,
        state=Path(args.zustand) if args.zustand else None,
        extra=Path(args.zusatz) if args.zusatz else None,
    )


def cmd_hub_remove(args: argparse.Namespace) -> int:
    from .hub.launch import default_tenant_file
    from .hub.system import remove_workspace
    from .hub.tenants import load_tenants

    if not args.export and not args.ohne_export:
        return _fail(
            "Bitte zuerst sichern: --export DATEI.zip angeben (oder bewusst --ohne-export).",
            EXIT_USAGE,
        )
    platform = load_tenants(Path(args.mandanten) if args.mandanten else default_tenant_file())
    written = remove_workspace(platform, args.name, Path(args.export) if args.export else None)
    if written:
        print(f"Arbeitsbereich von „{args.name}“ gesichert in {written}.")
    print(
        f"Systemkonto und Arbeitsbereich von „{args.name}“ entfernt. Das Hub-Konto bitte in "
        "der Hub-Verwaltung (Admin) löschen bzw. im Verzeichnisdienst sperren."
    )
    return EXIT_OK


def _add_hub_commands(sub: Any) -> None:
    p = sub.add_parser(
        "hub",
        help="die Plattform für viele Mitarbeitende starten (JupyterHub, Pilot auf einem Rechner)",
        description="Startet JupyterHub mit Proxy: je Person ein eigener JupyterLab-Server unter "
        "einem eigenen Systemkonto, Mandanten aus der Mandanten-Datei. Braucht root.",
    )
    p.add_argument("--ip", default="127.0.0.1", help="Adresse (Vorgabe 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="Port (Vorgabe 8000)")
    p.add_argument(
        "--mandanten",
        metavar="DATEI.yaml",
        help="Mandanten-Datei (Vorgabe: deploy/jupyterhub/mandanten.yaml)",
    )
    p.add_argument(
        "--zustand",
        metavar="ORDNER",
        help="Ordner für Datenbank, Protokoll und Labs je Mandant (Vorgabe /var/lib/datenlabor-hub)",
    )
    p.add_argument(
        "--zusatz",
        metavar="DATEI.py",
        help="zusätzliche JupyterHub-Konfiguration (zuletzt geladen)",
    )
    p.set_defaults(func=cmd_hub)

    p = sub.add_parser(
        "hub-entfernen",
        help="Arbeitsbereich und Systemkonto einer ausgeschiedenen Person entfernen (nach Export)",
    )
    p.add_argument("name", help="Hub-Benutzername der Person")
    p.add_argument(
        "--export", metavar="DATEI.zip", help="den Arbeitsbereich vorher hierhin sichern"
    )
    p.add_argument(
        "--ohne-export", action="store_true", help="ohne Sicherung entfernen (nicht empfohlen)"
    )
    p.add_argument("--mandanten", metavar="DATEI.yaml", help="Mandanten-Datei wie bei „hub“")
    p.set_defaults(func=cmd_hub_remove)


def cmd_sweep(args: argparse.Namespace) -> int:
    from .catalog import get_lab
    from .results import RunStatus
    from .sweep import SUMMARY_CSV, SUMMARY_PNG, build_grid, run_sweep, sweep_folder

    lab = get_lab(args.lab)
    file_values = _read_params_file(args.file) if args.file else {}
    if args.seed is not None and args.sample is None:
        raise ParameterError("--startwert wirkt nur zusammen mit --stichprobe.")
    if args.jobs is not None and args.jobs < 1:
        raise ParameterError("--prozesse muss mindestens 1 sein.")
    grid = build_grid(
        lab,
        [tuple(p) for p in args.parameter or []],
        file_values,
        sample=args.sample,
        seed=args.seed if args.seed is not None else 0,
    )
    points = grid.points()
    folder = sweep_folder(lab, grid, Path(args.output) if args.output else None)
    from .formatting import count

    varied = ", ".join(grid.varied) or "keiner"
    print(
        f"Sweep {grid.identity} über „{lab.title}“: {count(len(points), 'Punkt', 'Punkte')} "
        f"(variierte Parameter: {varied})."
    )
    print(f"Ordner: {folder}")
    if args.dry_run:
        print()
        print(points_table(points))
        print("\nProbelauf: nichts ausgeführt, nichts geschrieben.")
        return EXIT_OK
    engine = f"Dask-Cluster {args.cluster}" if args.cluster else f"{args.jobs or 'alle'} Prozesse"
    print(f"Ausführung: {engine}.")
    sys.stdout.flush()
    result = run_sweep(
        lab,
        grid,
        Path(args.output) if args.output else None,
        jobs=args.jobs,
        cluster=args.cluster,
        retry_failed=args.retry_failed,
        timeout=args.timeout,
        html=args.html,
        progress=not args.quiet,
    )
    ok, failed = result.count(RunStatus.OK), result.count(RunStatus.FAILED)
    aborted, open_ = result.count(RunStatus.ABORTED), result.count(RunStatus.OPEN)
    if result.skipped:
        print(
            "1 Punkt lag schon vor und wurde nicht neu gerechnet."
            if result.skipped == 1
            else f"{result.skipped} Punkte lagen schon vor und wurden nicht neu gerechnet."
        )
    print(f"Ergebnis: {ok} fertig, {failed} fehlgeschlagen, {aborted} abgebrochen, {open_} offen.")
    for state in result.states:
        if state.status in (RunStatus.FAILED, RunStatus.ABORTED):
            print(f"  {state.point}: {state.error}")
    print(f"Übersicht: {result.folder / SUMMARY_CSV}")
    if (result.folder / SUMMARY_PNG).is_file():
        print(f"Abbildung: {result.folder / SUMMARY_PNG}")
    if result.aborted:
        print("Abgebrochen. Derselbe Aufruf setzt den Sweep fort.", file=sys.stderr)
        return 130
    if failed:
        print("Mit --fehlgeschlagene-wiederholen werden die fehlgeschlagenen Punkte neu gerechnet.")
    return EXIT_OK if not failed and not open_ else EXIT_FAILED


def cmd_runs(args: argparse.Namespace) -> int:
    from . import history

    db = Path(args.output) / history.DB_NAME if args.output else history.default_db()
    if args.compare:
        ids = list(dict.fromkeys(args.compare))  # the same run twice compares nothing
        if len(ids) < 2:
            raise ParameterError(
                "Zum Vergleichen bitte mindestens zwei verschiedene Lauf-IDs angeben, "
                "z. B. „datenlabor runs --vergleichen 3 7“."
            )
        args.compare = ids
        print(compare_runs(history.get_runs(args.compare, db=db)))
        return EXIT_OK
    if args.export:
        target = Path(args.export).expanduser()
        folder = target.resolve().parent
        if not folder.is_dir():
            raise ParameterError(f"Den Ordner für die Exportdatei „{args.export}“ gibt es nicht.")
        if target.is_dir():
            raise ParameterError(
                f"„{args.export}“ ist ein Ordner. Bitte einen Dateinamen angeben, z. B. "
                f"„{target / 'laeufe.csv'}“."
            )
        not_writable = ParameterError(
            f"In den Ordner „{folder}“ kann die Exportdatei nicht geschrieben werden. "
            "Bitte einen Ort angeben, an dem Sie Dateien anlegen dürfen, z. B. "
            "„--export laeufe.csv“ im aktuellen Ordner."
        )
        if not os.access(folder, os.W_OK):
            raise not_writable
        _runs_known(args.lab, db)
        frame = history.to_long_frame(args.lab, db=db)
        try:  # atomically: a temporary file in the same folder, then renamed
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=folder)
        except OSError:
            raise not_writable from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                frame.to_csv(fh, index=False)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # like a file written directly, not mkstemp's 0600
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        from .formatting import count

        print(
            f"{count(frame['lauf_id'].nunique(), 'Lauf', 'Läufe')} nach {args.export} geschrieben."
        )
        return EXIT_OK
    runs = history.list_runs(args.lab, limit=None if args.all else args.limit, db=db)
    if not runs and args.lab:
        _runs_known(args.lab, db)
    if not runs:
        which = f" für „{args.lab}“" if args.lab else ""
        print(f"Noch keine Läufe{which} in der Laufhistorie ({db}).")
        return EXIT_OK
    print(runs_table(runs))
    total = len(history.list_runs(args.lab, db=db)) if not args.all else len(runs)
    if total > len(runs):
        print(f"… {len(runs)} von {total} Läufen (neueste zuerst); --alle zeigt alle.")
    return EXIT_OK


def _runs_known(slug: str | None, db: Path) -> None:
    """German error (rc 2) for a lab that neither exists nor has runs in the history."""
    from . import history
    from .catalog import get_lab

    if not slug or history.list_runs(slug, limit=1, db=db):
        return  # runs of a lab removed since still count
    get_lab(slug)  # raises the German "gibt es nicht" with the known labs


# --- run history as text tables ----------------------------------------------------


def _cell(value: Any) -> str:
    from .formatting import cell

    return cell(value, max_digits=6)


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain text table with aligned columns (no extra dependency)."""
    rows = [list(map(str, r)) for r in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
        for i, h in enumerate(header)
    ]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _started(run: StoredRun) -> str:
    from datetime import datetime

    from .formatting import date

    try:
        return date(datetime.fromisoformat(run.started_at or ""))
    except ValueError:
        return run.started_at or "–"


def points_table(points: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """The table for ``sweep --probelauf``: one line per point, one column per parameter."""
    from .formatting import cell

    names = list(dict.fromkeys(n for _, values in points for n in values))
    rows = []
    for i, (_, values) in enumerate(points, start=1):
        rows.append([str(i), *(cell(values.get(n), max_digits=6) for n in names)])
    return text_table(["Punkt", *names], rows)


def runs_table(runs: Sequence[StoredRun]) -> str:
    """The table for ``datenlabor runs``: one line per run."""
    header = ["ID", "Beginn", "Lab", "Status", "Dauer", "Sweep/Punkt", "Kennzahlen"]
    rows = []
    for r in runs:
        metrics = ", ".join(f"{k}={_cell(v)}" for k, v in r.metrics.items())
        if r.status != RunStatus.OK and r.error:
            metrics = r.error if len(r.error) < 70 else r.error[:67] + "…"
        rows.append(
            [
                str(r.id),
                _started(r),
                r.lab,
                str(r.status),
                "–" if r.duration_s is None else f"{_cell(float(r.duration_s))} s",
                f"{r.sweep_id}/{r.point}" if r.sweep_id else "–",
                metrics or "–",
            ]
        )
    return text_table(header, rows)


def compare_runs(runs: Sequence[StoredRun]) -> str:
    """Parameters and metrics of several runs side by side; ``≠`` marks rows that differ."""
    header = ["", "", *(f"Lauf {r.id}" for r in runs)]
    rows: list[list[str]] = []

    def add(label: str, values: list[Any]) -> None:
        cells = [_cell(v) for v in values]
        rows.append(["≠" if len(set(cells)) > 1 else "", label, *cells])

    add("Lab", [r.lab for r in runs])
    add("Status", [str(r.status) for r in runs])
    add("Beginn", [_started(r) for r in runs])
    add("Dauer (s)", [r.duration_s for r in runs])
    add("Code-Version", [r.code_version for r in runs])
    for name in dict.fromkeys(n for r in runs for n in r.parameters):
        add(f"Parameter {name}", [r.parameters.get(name) for r in runs])
    for name in dict.fromkeys(n for r in runs for n in r.metrics):
        add(f"Kennzahl {name}", [r.metrics.get(name) for r in runs])
    if any(r.error for r in runs):
        add("Fehler", [r.error for r in runs])
    return text_table(header, rows)


def _add_lab_and_values(p: argparse.ArgumentParser, values: str, help_text: str) -> None:
    """The lab argument and repeatable ``-p NAME WERT`` options of run and sweep."""
    p.add_argument("lab", help="Name des Labs (siehe „datenlabor list“)")
    p.add_argument(
        "-p", "--parameter", nargs=2, action="append", metavar=("NAME", values), help=help_text
    )


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """Output folder, cell timeout and quiet mode: the same for run and sweep."""
    p.add_argument(
        "-o",
        "--ordner",
        dest="output",
        metavar="ORDNER",
        help="statt runs/ diesen Ordner verwenden",
    )
    p.add_argument(
        "--zeitlimit",
        dest="timeout",
        type=_whole_number(1, "Sekunde", "Sekunden"),
        default=600,
        metavar="SEKUNDEN",
        help="Höchstdauer je Zelle (Vorgabe 600)",
    )
    p.add_argument(
        "-q", "--still", dest="quiet", action="store_true", help="keinen Fortschrittsbalken zeigen"
    )


def _add_sweep_commands(sub: Any) -> None:
    """sweep and runs (parameter sweeps and run history)."""
    p = sub.add_parser(
        "sweep",
        help="ein Lab für viele Parameterkombinationen ausführen (parallel, fortsetzbar)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Führt das Lab für jeden Punkt eines Rasters aus (jeder Punkt ein vollständiger
papermill-Lauf mit eigenem Ordner). Alle Werte werden vorher geprüft: ist einer
ungültig, läuft nichts und es wird nichts geschrieben.

Werte angeben (-p NAME WERTE, mehrfach):
  -p anzahl 1,2,3          Varianten durch Komma getrennt
  -p faktor 0.5:2:0.5      Bereich Start:Ende:Schritt, das Ende gehört dazu
  -p faktor "0,5;1,5"      Semikolon trennt ebenfalls (erlaubt Dezimalkomma)
  -p stadtteile "A,B;C"    Listen-Parameter: Varianten durch Semikolon,
                           Einträge einer Variante durch Komma -> [A, B] und [C]
  -p modus summe           ein einzelner Wert bleibt fest
Rasterdatei (-f raster.yaml): je Parameter ein Wert, eine Liste von Varianten
oder {start: 1, stop: 5, step: 1}; bei Listen-Parametern ist jede Variante eine
Liste, z. B. stadtteile: [[A, B], [C]]. Angaben mit -p gehen vor.

Ergebnisse: runs/<lab>/sweeps/<id>/ mit einem Ordner je Punkt, ergebnisse.csv
und ergebnisse.png (jede Kennzahl über dem variierten Parameter). Die <id>
hängt nur von Lab und Raster ab: derselbe Aufruf setzt einen abgebrochenen
Sweep fort und rechnet nur fehlende Punkte. Jeder Punkt steht auch in der
Laufhistorie (datenlabor runs). Die HTML-Fassung je Punkt wird der
Geschwindigkeit wegen übersprungen (--html erzeugt sie).

Ausführung: lokal in einem Prozess-Pool (Vorgabe: so viele Prozesse wie
Prozessorkerne, je Kernel ein Rechen-Thread) oder mit --cluster auf einem
vorhandenen Dask-Cluster, dessen Worker das Projekt installiert haben und
dieselben Ordner sehen.""",
    )
    _add_lab_and_values(
        p, "WERTE", "Varianten eines Parameters (Aufbau siehe oben; mehrfach möglich)"
    )
    p.add_argument(
        "-f",
        "--datei",
        dest="file",
        metavar="RASTER.yaml",
        help="Raster aus einer YAML-Datei lesen",
    )
    p.add_argument(
        "--stichprobe",
        dest="sample",
        type=_whole_number(),
        metavar="N",
        help="nur eine Zufallsstichprobe von N Punkten des Rasters rechnen",
    )
    p.add_argument(
        "--startwert",
        dest="seed",
        type=_whole_number(),
        metavar="S",
        help="Startwert der Zufallsstichprobe (Vorgabe 0)",
    )
    p.add_argument(
        "-j",
        "--prozesse",
        dest="jobs",
        type=_whole_number(1, "Prozess", "Prozesse"),
        metavar="N",
        help="so viele Punkte gleichzeitig (Vorgabe: Anzahl der Prozessorkerne)",
    )
    p.add_argument(
        "--cluster", metavar="tcp://HOST:PORT", help="auf diesem Dask-Cluster statt lokal rechnen"
    )
    p.add_argument(
        "--fehlgeschlagene-wiederholen",
        dest="retry_failed",
        action="store_true",
        help="auch früher fehlgeschlagene Punkte neu rechnen",
    )
    p.add_argument(
        "--html", action="store_true", help="je Punkt auch die HTML-Fassung erzeugen (langsamer)"
    )
    p.add_argument(
        "--probelauf",
        dest="dry_run",
        action="store_true",
        help="nur die Punkte zeigen, nichts ausführen",
    )
    _add_run_options(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "runs",
        help="die Laufhistorie zeigen, Läufe vergleichen oder exportieren",
        description="Zeigt die Läufe aus runs/historie.sqlite (neueste zuerst), vergleicht "
        "Parameter und Kennzahlen mehrerer Läufe nebeneinander (≠ markiert Unterschiede) "
        "oder exportiert die Historie als CSV (eine Zeile je Lauf und Parameter oder Kennzahl).",
    )
    p.add_argument("lab", nargs="?", help="nur Läufe dieses Labs")
    p.add_argument(
        "--vergleichen",
        dest="compare",
        nargs="+",
        type=_whole_number(1),
        metavar="ID",
        help="diese Läufe nebeneinander zeigen (mindestens zwei IDs, siehe „datenlabor runs“)",
    )
    p.add_argument(
        "-n",
        "--anzahl",
        dest="limit",
        type=_whole_number(1, "Lauf", "Läufe"),
        default=20,
        metavar="N",
        help="höchstens N Läufe (Vorgabe 20)",
    )
    p.add_argument("--alle", dest="all", action="store_true", help="alle Läufe zeigen")
    p.add_argument("--export", metavar="DATEI.csv", help="die Historie als CSV-Datei schreiben")
    p.add_argument(
        "-o",
        "--ordner",
        dest="output",
        metavar="ORDNER",
        help="die Historie in diesem Ordner statt runs/ lesen",
    )
    p.set_defaults(func=cmd_runs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datenlabor",
        description="Datenlabor – Experimentierräume für Daten und KI in der Kommune.",
    )
    sub = parser.add_subparsers(dest="command", metavar="BEFEHL", title="Befehle")

    p = sub.add_parser("list", help="Labs mit Titel, Kurzbeschreibung, Dauer und Zielgruppe zeigen")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "params", help="Parameter eines Labs mit Typ, Vorgabe, Hilfe und erlaubten Werten"
    )
    p.add_argument("lab", help="Name des Labs (siehe „datenlabor list“)")
    p.set_defaults(func=cmd_params)

    p = sub.add_parser(
        "run",
        help="ein Lab mit Parametern ausführen (papermill) und Ergebnisse unter runs/ speichern",
        description="Prüft alle Werte, bevor ein Kernel startet, und legt Notebook, HTML, "
        "Parameter und Kennzahlen in runs/<lab>/<zeitstempel>/ ab.",
    )
    _add_lab_and_values(p, "WERT", "einen Parameter setzen (mehrfach möglich)")
    p.add_argument(
        "-f",
        "--datei",
        dest="file",
        metavar="DATEI.yaml",
        help="Parameter aus einer YAML-Datei lesen",
    )
    p.add_argument(
        "--ci", action="store_true", help="die kleinen, schnellen CI-Parameter des Labs verwenden"
    )
    _add_run_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="Notebooks, Metadaten und Datensätze prüfen (für Pflegende)")
    p.add_argument("--labs", metavar="ORDNER", help="anderer Ordner mit Labs (Vorgabe: labs/)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "neu",
        help="ein neues Lab aus der Vorlage anlegen (Notebook, lab.yaml, Datensatz, Generator, Test)",
    )
    p.add_argument("slug", help="Name des Labs: Kleinbuchstaben, Ziffern, Bindestriche")
    p.add_argument("--titel", help="Titel des Labs (Vorgabe: aus dem Namen gebildet)")
    p.set_defaults(func=cmd_neu)

    _add_server_commands(sub)
    _add_hub_commands(sub)
    _add_sweep_commands(sub)
    _add_learning_commands(sub)
    _add_data_commands(sub)

    return parser


def cmd_data_check(args: argparse.Namespace) -> int:
    from .owndata import check_file

    lesen, spalten, form = args.lesen, args.spalten, args.form or ""
    for name, value in _parse_pairs(args.parameter).items():
        # the same "-p lesen …"/"-p spalten …"/"-p form …" as in the run command it prints
        if name == "lesen":
            lesen = value
        elif name == "spalten":
            spalten = value
        elif name == "form":
            form = value
        else:
            raise ParameterError(
                f"„daten pruefen“ nimmt mit -p nur „lesen“, „spalten“ und „form“, nicht „{name}“."
            )
    ok, text = check_file(args.lab, args.datei, lesen, spalten, args.tabelle, form)
    print(text, file=sys.stdout if ok else sys.stderr)
    return EXIT_OK if ok else EXIT_USAGE


def _add_data_commands(sub: Any) -> None:
    p = sub.add_parser(
        "daten",
        help="eigene Daten prüfen, aus einem Portal holen oder als Datenpaket beschreiben",
    )
    data = p.add_subparsers(dest="daten_befehl", metavar="BEFEHL", title="Befehle")
    p.set_defaults(func=lambda _args: (p.print_help(), EXIT_USAGE)[1])
    q = data.add_parser(
        "pruefen",
        help="zeigen, wie eine Datei die Spalten eines Labs füllt, und den passenden Aufruf nennen",
    )
    q.add_argument("lab", help="Name des Labs (siehe „datenlabor list“)")
    q.add_argument("datei", help="CSV-, Excel- oder ODS-Datei")
    q.add_argument("--lesen", default="", help="Leseoptionen wie beim Parameter „lesen“")
    q.add_argument("--spalten", default="", help="Zuordnung ziel=quelle; … wie bei „spalten“")
    q.add_argument("--tabelle", default=None, help="Tabelle des Labs (z. B. bei „beispiel“)")
    q.add_argument(
        "--form",
        default=None,
        help="Form der Daten bei Labs mit zwei Formen: automatisch, zeitreihe oder querschnitt",
    )
    q.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "WERT"),
        help="wie bei „run“: -p lesen …, -p spalten … oder -p form … (wie --lesen/--spalten/--form)",
    )
    q.set_defaults(func=cmd_data_check)
    _add_portal_commands(data)


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from .portal import fetch

    result = fetch(
        args.url,
        Path(args.ziel) if args.ziel else None,
        resource=args.ressource,
        licence=args.lizenz,
        replace=args.ersetzen,
        max_mb=args.hoechstgroesse,
        timeout=args.zeitlimit,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    print("\n".join(result.lines))
    return EXIT_OK


def cmd_data_describe(args: argparse.Namespace) -> int:
    from .portal import describe_local

    result = describe_local(
        Path(args.datei),
        Path(args.ziel) if args.ziel else None,
        title=args.titel,
        licence=args.lizenz,
        publisher=args.herausgeber,
        source=args.quelle,
        lesen=args.lesen,
        replace=args.ersetzen,
    )
    print("\n".join(result.lines))
    return EXIT_OK


def _add_portal_commands(data: Any) -> None:
    """daten holen (CKAN portal or CSV link) and daten beschreiben (local file); logic in portal.py."""
    from .datapackage import licence_names
    from .portal import DEFAULT_MAX_MB, DEFAULT_TIMEOUT

    lizenz_hilfe = f"Lizenz, z. B. dl-de/by-2-0 (möglich: {licence_names()})"
    q = data.add_parser(
        "holen",
        help="einen Datensatz aus einem Open-Data-Portal (CKAN) oder eine CSV-Datei holen",
        description="Holt einen Datensatz aus einem CKAN-Portal (GovData und die meisten "
        "kommunalen Portale) oder eine CSV-Datei von einer Internetadresse und legt ihn als "
        "Frictionless-Datenpaket in datasets/<id>/ ab: Titel, Beschreibung, Quelle, "
        "Herausgeber, Lizenz mit Namensnennung, die Datei unverändert und ein Schema, wie der "
        "Datenlabor-Leser die Datei versteht. Der Ordner entsteht erst, wenn alles geklappt "
        "hat; bei einem Fehler bleibt nichts zurück (Rückgabewert 2).",
    )
    q.add_argument(
        "url",
        help="Adresse des Datensatzes (https://portal/dataset/NAME), eines "
        "package_show-Aufrufs oder einer CSV-Datei",
    )
    q.add_argument("--ziel", metavar="ORDNER", help="Zielordner (Vorgabe: datasets/<id>)")
    q.add_argument(
        "--ressource",
        metavar="NR",
        help="welche CSV-Datei des Datensatzes (Nummer, Name oder ID), wenn es mehrere gibt",
    )
    q.add_argument(
        "--lizenz", metavar="LIZENZ", help=lizenz_hilfe + "; nötig bei einer CSV-Adresse"
    )
    q.add_argument("--ersetzen", action="store_true", help="einen vorhandenen Ordner ersetzen")
    q.add_argument(
        "--hoechstgroesse",
        type=float,
        default=DEFAULT_MAX_MB,
        metavar="MB",
        help=f"größte erlaubte Datei in MB (Vorgabe {DEFAULT_MAX_MB})",
    )
    q.add_argument(
        "--zeitlimit",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SEKUNDEN",
        help=f"so lange auf den Server warten (Vorgabe {DEFAULT_TIMEOUT:g})",
    )
    q.add_argument(
        "-q", "--still", dest="quiet", action="store_true", help="keinen Fortschrittsbalken zeigen"
    )
    q.set_defaults(func=cmd_data_fetch)

    q = data.add_parser(
        "beschreiben",
        help="eine eigene CSV-Datei als Datenpaket beschreiben (datapackage.json)",
        description="Schreibt eine Frictionless-Beschreibung (datapackage.json) für eine "
        "eigene CSV-Datei: Titel, Platzhalter für die Beschreibung, Lizenz, Herausgeber, "
        "Quelle und das Schema, wie der Datenlabor-Leser die Datei versteht (Trennzeichen, "
        "Dezimalkomma, Datumsformat). Ohne --ziel neben die Datei, mit --ziel als neuer "
        "Ordner mit einer unveränderten Kopie der Datei.",
    )
    q.add_argument("datei", help="CSV-Datei")
    q.add_argument(
        "--ziel", metavar="ORDNER", help="neuen Paketordner anlegen (z. B. datasets/meine-daten)"
    )
    q.add_argument("--titel", help="Titel des Datensatzes (Vorgabe: Dateiname)")
    q.add_argument("--lizenz", metavar="LIZENZ", help=lizenz_hilfe)
    q.add_argument("--herausgeber", metavar="NAME", help="wer die Daten bereitstellt")
    q.add_argument("--quelle", metavar="URL", help="Internetadresse der Daten, falls vorhanden")
    q.add_argument("--lesen", default="", help="Leseoptionen wie beim Parameter „lesen“")
    q.add_argument("--ersetzen", action="store_true", help="eine vorhandene Beschreibung ersetzen")
    q.set_defaults(func=cmd_data_describe)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_protect_values(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except DatenlaborError as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        print("\nAbgebrochen.", file=sys.stderr)
        return 130
    except OSError as exc:
        return _fail(_os_error_text(exc), EXIT_FAILED)
    except Exception as exc:  # noqa: BLE001 - a bug must still not greet the user with a traceback
        return _fail(
            f"Unerwarteter interner Fehler ({type(exc).__name__}: {exc}). Bitte mit dem "
            "Aufruf als Fehler melden.",
            EXIT_FAILED,
        )


if __name__ == "__main__":
    sys.exit(main())
