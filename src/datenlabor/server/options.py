"""The options of ``datenlabor serve``: one trait each, with German help, default and unit.

:class:`DatenlaborServer` is the single source: the command line
(:func:`add_arguments` generates it), ``datenlabor serve --help``, the README
table (:func:`options_markdown`) and a config file (``c.DatenlaborServer.pool = 2``
in ``datenlabor_config.py``) all come from these traits. Import-light (traitlets
only), so the CLI can build its parser without loading Voilà.
"""

from __future__ import annotations

import argparse
from typing import Any

from traitlets import Bool, Float, Integer, List, TraitType, Unicode, default
from traitlets.config import Config, Configurable

SECTION = "DatenlaborServer"
CONFIG_FILE = "datenlabor_config.py"


def default_max_sessions(per_kernel_mb: int = 200, share: float = 0.6) -> int:
    """As many sessions as fit into ``share`` of the available memory (at least 4)."""
    try:
        import psutil

        available = psutil.virtual_memory().available / 1024 / 1024
    except Exception:  # noqa: BLE001
        return 20
    return max(4, int(available * share / per_kernel_mb))


def cgroup_memory_limit_mb(root: str = "/sys/fs/cgroup", proc: str = "/proc/self/cgroup") -> float:
    """The memory limit of this process's cgroup in MB (systemd ``MemoryMax``, a container
    or Kubernetes limit); 0 if there is none or it cannot be read. cgroup v2 and v1."""
    from pathlib import Path

    limits = []
    try:
        lines = Path(proc).read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2: memory.max along the path (the tightest counts)
            names, base = ["memory.max"], Path(root)
        elif "memory" in controllers.split(","):
            names, base = ["memory.limit_in_bytes"], Path(root) / "memory"
        else:
            continue
        here = base
        for part in ["", *filter(None, path.split("/"))]:
            here = here / part if part else here
            for name in names:
                try:
                    text = (here / name).read_text().strip()
                except OSError:
                    continue
                if text.isdigit() and int(text) < 2**60:
                    limits.append(int(text) / 2**20)
    return min(limits) if limits else 0.0


class DatenlaborServer(Configurable):
    """Settings of the workshop app server (config section ``DatenlaborServer``)."""

    port = Integer(8866, config=True, help="Port des Servers.").tag(metavar="PORT")
    ip = Unicode(
        "127.0.0.1",
        config=True,
        help="Adresse des Servers; 0.0.0.0 für Teilnehmende im Netz.",
    ).tag(metavar="ADRESSE")
    url = Unicode(
        "",
        config=True,
        help="Adresse für Teilnehmende (Text und QR-Code).",
    ).tag(metavar="URL", vorgabe="aus --ip und --port, bei 0.0.0.0 die Netzwerkadresse")
    fokus = List(
        Unicode(),
        config=True,
        help="Lab im Mittelpunkt des Workshops: bekommt mehr vorgewärmte Kernel (mehrfach möglich).",
    ).tag(metavar="LAB", vorgabe="keins")
    daten = List(
        Unicode(),
        config=True,
        help="Eigene Datei für ein Lab als LAB=DATEI (mehrfach möglich), vor dem Start geprüft; "
        "das Lab zeigt allen Besuchenden die Auswertung dieser Datei – nur für interne "
        "Workshops. Besuchende selbst können Labs keine eigenen Daten geben.",
    ).tag(metavar="LAB=DATEI", vorgabe="keine")
    pool_fokus = Integer(
        10, min=0, config=True, help="Vorgewärmte Kernel je Fokus-Lab (je etwa 70–110 MB)."
    ).tag(metavar="N")
    pool = Integer(
        1,
        min=0,
        config=True,
        help="Vorgewärmte Kernel je anderem Lab (0 schaltet das Vorwärmen ab).",
    ).tag(metavar="N")
    max_sitzungen = Integer(
        min=1,
        config=True,
        help="Höchstens so viele Besucher-Kernel gleichzeitig (Vorrat nicht mitgezählt); "
        "darüber erscheint „Gerade sind alle Plätze belegt“.",
    ).tag(metavar="N", vorgabe="was in 60 % des freien Speichers passt, je Kernel 200 MB")
    max_speicher_mb = Float(
        min=0.0,
        config=True,
        help="Höchstens so viel Speicher (PSS des ganzen Prozessbaums, MB); jeder neue Besuch "
        "wird vorab mit dem gemessenen Bedarf eines Kernels angerechnet; was darüber ginge, "
        "bekommt nur Platz, wenn eine nie verbundene Seite weicht (0: keine Grenze).",
    ).tag(
        metavar="MB",
        vorgabe="75 % des Arbeitsspeichers oder der Speichergrenze der cgroup "
        "(systemd MemoryMax, Container), was kleiner ist",
    )
    verbindung_sekunden = Float(
        120.0,
        min=0.0,
        config=True,
        help="Kernel, zu dem der Browser keine Verbindung aufbaut, nach so vielen Sekunden beenden.",
    ).tag(metavar="S")
    weg_sekunden = Float(
        60.0,
        min=0.0,
        config=True,
        help="Kernel nach dem Schließen der Seite nach so vielen Sekunden beenden.",
    ).tag(metavar="S")
    pruefabstand_sekunden = Float(
        5.0,
        min=0.0,
        config=True,
        help="Sekunden zwischen zwei Prüfungen auf verlassene Sitzungen (0: nie prüfen).",
    ).tag(metavar="S")
    knapp_prozent = Float(
        75.0,
        min=0.0,
        max=100.0,
        config=True,
        help="Ab so viel Prozent belegter Plätze gelten die Grenzen je Adresse (darunter keine).",
    ).tag(metavar="PROZENT")
    je_adresse_wartend = Integer(
        3,
        min=1,
        config=True,
        help="Wenn Plätze knapp sind: höchstens so viele geöffnete Seiten je Adresse, deren App "
        "sich noch nicht verbunden hat (die älteste macht der neuesten Platz).",
    ).tag(metavar="N")
    je_adresse_verbunden = Integer(
        30,
        min=1,
        config=True,
        help="Wenn Plätze knapp sind: höchstens so viele verbundene Apps je Adresse "
        "(ein Workshop hinter einem Router zählt als eine Adresse).",
    ).tag(metavar="N")
    seiten_je_minute = Float(
        20.0,
        min=0.1,
        config=True,
        help="Wenn Plätze knapp sind: so viele App-Seiten je Minute und Adresse; "
        "darüber „Zu viele Anfragen“ (429) mit der Wartezeit.",
    ).tag(metavar="N")
    seiten_vorrat = Float(
        40.0,
        min=1.0,
        config=True,
        help="So viele App-Seiten darf eine Adresse auf einmal abrufen, bevor die Grenze "
        "je Minute greift.",
    ).tag(metavar="N")
    schutz_sekunden = Float(
        15.0,
        min=0.0,
        config=True,
        help="So viele Sekunden nach Auslieferung der Seite hat eine App Zeit, sich zu "
        "verbinden, bevor sie bei knappen Plätzen einem neuen Besuch weichen muss.",
    ).tag(metavar="S")
    vertrauenswuerdige_proxys = List(
        Unicode(),
        config=True,
        help="Adressen oder Netze (CIDR) von Lastverteilern, deren X-Forwarded-For gilt "
        "(mehrfach möglich). Adressen der Besuchenden werden nur im Speicher gehalten, "
        "nie protokolliert.",
    ).tag(metavar="ADRESSE", vorgabe="keine")
    metrik_port = Integer(
        0,
        min=0,
        config=True,
        help="Prometheus-Metriken unter /metrics auf diesem Port, nur an 127.0.0.1 (0: aus).",
    ).tag(metavar="PORT")
    metrik_token = Unicode(
        "",
        config=True,
        help="Metriken auch unter /datenlabor/metrics des Servers, nur mit "
        "„Authorization: Bearer TOKEN“ (leer: dort nicht erreichbar).",
    ).tag(metavar="TOKEN", vorgabe="leer")
    ruhe_sekunden = Float(
        5.0,
        min=0.0,
        config=True,
        help="Vorrat erst nachfüllen, wenn so viele Sekunden niemand Neues kam (oder er knapp wird).",
    ).tag(metavar="S")
    start_sekunden = Float(
        120.0,
        min=1.0,
        config=True,
        help="So lange darf ein startender Vorrats-Kernel höchstens einen Startplatz belegen.",
    ).tag(metavar="S")
    vorstart = Bool(
        True,
        config=True,
        help="App-Kernel vom Vorstart-Prozess abzweigen, der die Bibliotheken der Labs schon "
        "geladen hat (schnell, geteilter Speicher).",
    )
    ausfuehrlich = Bool(False, config=True, help="Mehr Protokoll (nie Eingaben der Teilnehmenden).")

    FLAGS = {
        "ohne-vorstart": (
            {"DatenlaborServer": {"vorstart": False}},
            "Jeden Kernel als eigenen Prozess starten statt ihn vom Vorstart-Prozess abzuzweigen "
            "(langsamer, mehr Speicher; zur Fehlersuche).",
        ),
        "ausfuehrlich": (
            {"DatenlaborServer": {"ausfuehrlich": True}},
            "Mehr Protokoll (nie Eingaben der Teilnehmenden).",
        ),
    }

    @default("max_speicher_mb")
    def _default_max_speicher_mb(self) -> float:
        try:
            import psutil

            total = psutil.virtual_memory().total / 2**20
        except Exception:  # noqa: BLE001
            return 0.0
        limit = cgroup_memory_limit_mb()
        return round(min(total, limit or total) * 0.75)

    @default("max_sitzungen")
    def _default_max_sitzungen(self) -> int:
        return default_max_sessions()


def options() -> dict[str, TraitType]:
    """The server's options (name -> trait), in the order they are defined above."""
    return {
        name: value
        for name, value in vars(DatenlaborServer).items()
        if isinstance(value, TraitType) and value.metadata.get("config")
    }


# `datenlabor serve --NAME WERT` for every option that is not yes/no (those are FLAGS).
ALIASES = {
    name.replace("_", "-"): name for name, trait in options().items() if not isinstance(trait, Bool)
}
FLAGS = DatenlaborServer.FLAGS


def _number(convert: type, name: str):
    def parse(text: str) -> Any:
        return convert(text.replace(",", ".") if convert is float else text)

    parse.__name__ = name  # argparse names the type in its (German) error message
    return parse


def _default_text(trait: TraitType) -> str:
    if "vorgabe" in trait.metadata:
        return trait.metadata["vorgabe"]
    value = trait.default_value
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


CONFIG_HELP = (
    f"Einstellungen aus dieser Python-Datei lesen (c.{SECTION}.pool = 2; auch Voilà- "
    f"und Jupyter-Einstellungen). Vorgabe: {CONFIG_FILE} im aktuellen Ordner, falls vorhanden."
)


def option_rows() -> list[tuple[str, str]]:
    """(option, German explanation with default) for every option of ``datenlabor serve``."""
    traits = options()
    rows = []
    for flag, name in ALIASES.items():
        trait = traits[name]
        metavar = trait.metadata.get("metavar", "WERT")
        rows.append((f"--{flag} {metavar}", f"{trait.help} Vorgabe: {_default_text(trait)}."))
    rows += [(f"--{flag}", help_text) for flag, (_, help_text) in FLAGS.items()]
    rows.append(("--konfiguration DATEI", CONFIG_HELP))
    return rows


def options_markdown() -> str:
    """The README table of ``datenlabor serve``'s options (kept true by a test)."""
    lines = ["| Option | Bedeutung |", "|---|---|"]
    lines += [f"| `{option}` | {text} |" for option, text in option_rows()]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one argument per server option (traits, flags) and ``--konfiguration``."""
    traits = options()
    for flag, name in ALIASES.items():
        trait = traits[name]
        kwargs: dict[str, Any] = {
            "dest": f"{SECTION}.{name}",
            "default": argparse.SUPPRESS,
            "metavar": trait.metadata.get("metavar", "WERT"),
            "help": f"{trait.help} Vorgabe: {_default_text(trait)}.".replace("%", "%%"),
        }
        if isinstance(trait, List):
            kwargs["action"] = "append"
        elif isinstance(trait, Integer):
            kwargs["type"] = _number(int, "ganze Zahl")
        elif isinstance(trait, Float):
            kwargs["type"] = _number(float, "Zahl")
        parser.add_argument(f"--{flag}", **kwargs)
    for flag, (_, help_text) in FLAGS.items():
        parser.add_argument(
            f"--{flag}", dest=f"flag.{flag}", action="store_true", help=help_text.replace("%", "%%")
        )
    parser.add_argument("--konfiguration", metavar="DATEI", help=CONFIG_HELP.replace("%", "%%"))


def options_from_args(args: argparse.Namespace) -> Config:
    """The options given on the command line as traitlets configuration."""
    config = Config()
    for key, value in vars(args).items():
        if key.startswith(f"{SECTION}."):
            config[SECTION][key.split(".", 1)[1]] = value
        elif key.startswith("flag.") and value:
            config.merge(Config(FLAGS[key.split(".", 1)[1]][0]))
    return config


if __name__ == "__main__":  # python -m datenlabor.server.options: the README table
    print(options_markdown())
