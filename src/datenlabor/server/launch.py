"""Starting the app server: configuration layers, banner, QR code, LAN address.

Configuration, lowest priority first: :data:`.app.PRESETS`, then
``datenlabor_config.py`` (or ``--konfiguration DATEI``), then the command line
(:func:`.options.options_from_args`).
"""

from __future__ import annotations

import io
import logging
import re
import socket
from pathlib import Path

from traitlets import Bool, Float, Integer, TraitError
from traitlets.config import Config

from ..errors import ServerOptionError
from .app import DatenlaborVoila, presets
from .options import CONFIG_FILE, SECTION, options


def lan_address() -> str:
    """This machine's address in the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only selects the outgoing interface
            return s.getsockname()[0]
        except OSError:
            return socket.gethostbyname(socket.gethostname())


def workshop_url(ip: str, port: int) -> str:
    """The URL participants type (or scan): the LAN address when serving on all interfaces."""
    host = lan_address() if ip in ("0.0.0.0", "", "::") else ip
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def banner(
    url: str, ip: str, pool_plan: dict[str, int], max_sessions: int, daten: list[str] | None = None
) -> str:
    """The start message: address, pools, session cap, own files and a QR code for the terminal."""
    import segno

    from .owndata import banner_lines

    out = io.StringIO()
    print("Datenlabor-Workshop-Server läuft.", file=out)
    print(f"  Adresse für Teilnehmende: {url}", file=out)
    if ip in ("127.0.0.1", "localhost", "::1"):
        print("  (nur auf diesem Rechner erreichbar; für andere Geräte: --ip 0.0.0.0)", file=out)
    warm = ", ".join(f"{k.split('/')[0]}: {v}" for k, v in pool_plan.items()) or "keine"
    print(f"  Vorgewärmte Kernel je Lab: {warm}", file=out)
    print(f"  Höchstens {max_sessions} gleichzeitige Sitzungen. Beenden mit Strg+C.", file=out)
    for line in banner_lines(daten or []):
        print(f"  {line}", file=out)
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def read_config_file(path: Path | None) -> Config:
    """``datenlabor_config.py`` (or ``path``) as configuration; empty if there is none."""
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    if path is None:
        path = Path.cwd() / CONFIG_FILE
        if not path.is_file():
            return Config()
    path = Path(path).resolve()
    try:
        config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    except ConfigFileNotFound:
        raise ServerOptionError(f"Die Konfigurationsdatei „{path}“ gibt es nicht.") from None
    except Exception as exc:  # noqa: BLE001 - any error in the user's Python file
        raise ServerOptionError(
            f"Die Konfigurationsdatei „{path}“ lässt sich nicht ausführen: "
            f"{type(exc).__name__} in Zeile {getattr(exc, 'lineno', '?')}."
        ) from None
    unknown = set(config.get(SECTION, {})) - set(options())
    if unknown:
        raise ServerOptionError(
            f"{path}: unbekannte Einstellung {', '.join(sorted(unknown))}. "
            "Alle Einstellungen zeigt „datenlabor serve --help“."
        )
    return config


def _german(exc: TraitError, config: Config) -> ServerOptionError:
    """A trait's validation error as a German message naming the option."""
    match = re.search(r"'(\w+)' trait", str(exc))
    name = match.group(1) if match else ""
    trait = options().get(name)
    if trait is None:
        return ServerOptionError(f"Ungültige Einstellung des App-Servers ({name or 'unbekannt'}).")
    value = config.get(SECTION, {}).get(name, "?")
    expected = {Integer: "eine ganze Zahl", Float: "eine Zahl", Bool: "True oder False"}.get(
        type(trait), "ein Text"
    )
    low = trait.metadata.get("min", getattr(trait, "min", None))
    if low is not None:
        expected += f" ab {low:g}".replace(".", ",")
    return ServerOptionError(
        f"Ungültiger Wert für --{name.replace('_', '-')}: {value!r}. Erwartet: {expected}."
    )


def layered_config(options_config: Config | None = None, config_file: Path | None = None) -> Config:
    """Presets, overridden by the config file, overridden by the command line."""
    config = presets()
    config.merge(read_config_file(config_file))
    config.merge(options_config or Config())
    return config


def create_server(options_config: Config | None = None, config_file: Path | None = None):
    """The initialised server (see :func:`layered_config`). Raises ServerOptionError."""
    config = layered_config(options_config, config_file)
    try:
        app = DatenlaborVoila(config=config)
        app.initialize([])
    except TraitError as exc:
        raise _german(exc, config) from None
    return app


def check_address(ip: str, port: int) -> None:
    """Raise ServerOptionError (German) if the server could not listen on ``ip``:``port``."""
    import errno

    try:
        infos = socket.getaddrinfo(
            ip or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (OSError, UnicodeError):
        raise ServerOptionError(
            f"Die Adresse „{ip}“ (--ip) ist auf diesem Rechner unbekannt."
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = f"Port {port} ist schon belegt; bitte mit --port einen anderen wählen."
            elif exc.errno == errno.EACCES:
                message = f"Port {port} ist nur mit Administratorrechten nutzbar; bitte einen ab 1024 wählen."
            else:
                message = (
                    f"Der Server kann nicht unter {ip}:{port} erreichbar sein ({exc.strerror})."
                )
            raise ServerOptionError(message) from None


def serve(
    options_config: Config | None = None, config_file: Path | None = None, quiet: bool = False
) -> None:
    """Start the server in the foreground until Ctrl+C (see :func:`create_server`)."""
    from ..running import patch_kernel_polling

    patch_kernel_polling()  # Voilà executes notebooks with nbclient too (nbclient#312)
    app = create_server(options_config, config_file)
    settings = app.options
    check_address(settings.ip, settings.port)
    if not settings.url:
        settings.url = workshop_url(settings.ip, settings.port)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    if not quiet:
        text = banner(
            settings.url, settings.ip, app.pool_plan, settings.max_sitzungen, settings.daten
        )
        print(text, flush=True)
    app.start()
