"""``datenlabor hub``: the platform on one machine for a pilot (hub, proxy, user servers).

Validates the tenant file, prepares the state folder, system accounts and each tenant's
labs, writes ``jupyterhub_config.py`` (:mod:`.config`) and runs ``jupyterhub`` as a child
process with its log in ``<zustand>/hub.log`` (English, for administrators). Ctrl+C or
SIGTERM stops the hub, which stops the proxy, the culler and every user server
(``cleanup_servers``, ``cleanup_proxy``).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import HubError
from .tenants import Platform, Tenant

DEFAULT_STATE = Path("/var/lib/datenlabor-hub")
START_TIMEOUT = 180.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for the hub's internal API and the proxy's API)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_tenant_file() -> Path:
    """The shipped example with two municipalities (deploy/jupyterhub/mandanten.yaml)."""
    from ..paths import project_root

    return project_root() / "deploy" / "jupyterhub" / "mandanten.yaml"


def prepare(platform: Platform, state: Path) -> None:
    """State folder, each tenant's labs and the system accounts of all listed people."""
    from ..paths import labs_dir
    from .python import user_python
    from .system import assemble_tenant_labs, ensure_system_user

    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    (state / "geheim").mkdir(mode=0o700, exist_ok=True)
    os.chmod(state / "geheim", 0o700)
    user_python(state)
    for tenant in platform.tenants.values():
        assemble_tenant_labs(platform, tenant, state, labs_dir())
    everyone = Tenant(key="_alle", name="Verwaltung", group="", branding=None, labs=None)
    assemble_tenant_labs(platform, everyone, state, labs_dir(), public=True)
    for name in platform.admins:
        ensure_system_user(platform, name, None)
    for tenant in platform.tenants.values():
        for name in tenant.users:
            ensure_system_user(platform, name, tenant)


def check_port(ip: str, port: int) -> None:
    """Raise :class:`HubError` (German) if nothing can listen on ``ip``:``port``."""
    import errno

    try:
        infos = socket.getaddrinfo(
            ip or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (OSError, UnicodeError):
        raise HubError(f"Die Adresse „{ip}“ (--ip) ist auf diesem Rechner unbekannt.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise HubError(
                    f"Port {port} ist schon belegt; bitte mit --port einen anderen wählen."
                ) from None
            raise HubError(f"Die Plattform kann nicht unter {ip}:{port} erreichbar sein.") from None


def wait_until_up(
    url: str, proc: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT
) -> None:
    """Wait for the hub's API through the proxy; German error if the hub ends or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HubError(
                f"Der Hub hat sich gleich wieder beendet. Einzelheiten im Protokoll {log}."
            )
        try:
            with urllib.request.urlopen(url + "hub/api/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise HubError(
        f"Der Hub ist nach {timeout:.0f} s nicht erreichbar. Einzelheiten im Protokoll {log}."
    )


def _die_with_parent() -> None:
    """In the hub's process: receive SIGTERM if ``datenlabor hub`` itself is killed (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def stop(proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """SIGTERM to the hub (it stops proxy, culler and user servers), SIGKILL after ``timeout``."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_hub(
    tenant_file: Path | None = None,
    ip: str = "127.0.0.1",
    port: int = 8000,
    state: Path | None = None,
    extra: Path | None = None,
) -> int:
    """Run the platform in the foreground until Ctrl+C or SIGTERM; returns the exit code.

    Raises :class:`HubError` (German) when the set-up is incomplete (not root, proxy
    missing, port taken) or the hub does not come up; :class:`TenantFileError` for an
    invalid tenant file.
    """
    from .config import proxy_command, write_config
    from .tenants import load_tenants

    platform = load_tenants(tenant_file or default_tenant_file())
    if os.geteuid() != 0:
        raise HubError(
            "„datenlabor hub“ startet für jede Person einen Server unter ihrem eigenen "
            "Systemkonto und muss deshalb als root laufen (z. B. sudo .venv/bin/datenlabor hub)."
        )
    if not Path(proxy_command()).exists():
        raise HubError(
            "Der Proxy configurable-http-proxy fehlt. Bitte einmal "
            "„python3 scripts/bootstrap.py install --hub“ ausführen (braucht Node.js und npm)."
        )
    if extra is not None and not Path(extra).is_file():
        raise HubError(f"Die Zusatzdatei „{extra}“ gibt es nicht.")
    check_port(ip, port)
    state = (state or DEFAULT_STATE).resolve()
    prepare(platform, state)
    config = write_config(
        state / "geheim" / "jupyterhub_config.py",
        extra=Path(extra).resolve() if extra else None,
        tenant_file=str(platform.path),
        state_dir=str(state),
        ip=ip,
        port=port,
        hub_port=free_port(),
        proxy_api_port=free_port(),
    )
    password = os.environ.get("DATENLABOR_HUB_PASSWORT") or secrets.token_urlsafe(9)
    env = {**os.environ, "DATENLABOR_HUB_PASSWORT": password}
    log = state / "hub.log"
    started = time.monotonic()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=state / "geheim",
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    host = f"[{ip}]" if ":" in ip else ("127.0.0.1" if ip in ("0.0.0.0", "") else ip)
    url = f"http://{host}:{port}/"
    try:
        wait_until_up(url, proc, log)
        people = ", ".join(platform.all_users()) or "keine (siehe Mandanten-Datei)"
        print("Datenlabor-Plattform läuft.", flush=True)
        print(f"  Adresse: {url}", flush=True)
        print(f"  Start nach {time.monotonic() - started:.1f} s; Protokoll: {log}", flush=True)
        print(f"  Mandanten: {', '.join(t.name for t in platform.tenants.values())}", flush=True)
        print(f"  Anmeldung (Pilot) für: {people}", flush=True)
        if "DATENLABOR_HUB_PASSWORT" not in os.environ:
            print(f"  Gemeinsames Pilot-Passwort: {password}", flush=True)
        print("  Beenden mit Strg+C.", flush=True)
        while proc.poll() is None:
            time.sleep(0.5)
        if not stopping:
            raise HubError(f"Der Hub hat sich unerwartet beendet. Einzelheiten im Protokoll {log}.")
    except KeyboardInterrupt:
        print("Plattform wird beendet (Hub, Proxy und alle Server) …", flush=True)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        stop(proc)
    print("Plattform beendet.", flush=True)
    return 0
