"""JupyterHub configuration of the platform, built from the tenant file.

:func:`configure` sets JupyterHub's own traits (groups, roles, spawner, services,
templates) from a validated :class:`.tenants.Platform`; :func:`write_config` writes the
small ``jupyterhub_config.py`` that ``jupyterhub -f`` loads and that calls it. Nothing
here replaces JupyterHub's user system: tenants are hub groups, administrators a group
with the ``admin`` role, shared apps a role for the tenant group, idle servers are culled by the
``jupyterhub-idle-culler`` service.
"""

from __future__ import annotations

import shutil
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from .tenants import Platform

CULLER = "leerlauf"


def templates_dir() -> Path:
    """German login page and tenant branding for the hub's pages."""
    return Path(str(files("datenlabor") / "hub" / "templates"))


def proxy_command() -> str:
    """``configurable-http-proxy`` as installed by ``scripts/bootstrap.py`` (or on PATH)."""
    local = Path(sys.prefix) / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    return shutil.which("configurable-http-proxy") or str(local)


def culler_command(platform: Platform) -> list[str]:
    """The idle culler: stops servers idle for ``leerlauf_minuten`` and older than the maximum."""
    timeout = round(platform.idle_minutes * 60)
    every = max(1, min(300, timeout // 3))
    cmd = [
        sys.executable,
        "-m",
        "jupyterhub_idle_culler",
        f"--timeout={timeout}",
        f"--cull-every={every}",
    ]
    if platform.max_age_hours:
        cmd.append(f"--max-age={round(platform.max_age_hours * 3600)}")
    return cmd


def _branding_vars(platform: Platform, state: Path) -> dict[str, Any]:
    """Template variables; callables get the current user (None on the login page)."""
    from ..server.branding import load_branding, logo_html

    default = load_branding(Path(str(files("datenlabor") / "branding.yaml")))
    brandings = {
        key: load_branding(t.branding) if t.branding else default
        for key, t in platform.tenants.items()
    }

    def tenant_of(user):
        if user is None:
            return None
        return platform.tenant_for_groups({g.name for g in user.groups})

    def pick(user):
        tenant = tenant_of(user)
        return brandings[tenant.key] if tenant else default

    def labs(user):
        from ..catalog import discover
        from .system import TENANT_LABS

        tenant = tenant_of(user)
        if tenant is None:
            return []
        folder = state / TENANT_LABS / tenant.key / "labs"
        return [(lab.slug, lab.title) for lab in discover(folder)] if folder.is_dir() else []

    return {
        "dl_titel": platform.title,
        "dl_labs": labs,
        "dl_css": lambda user: "; ".join(f"--dl-{k}: {v}" for k, v in pick(user).colors.items()),
        "dl_logo": lambda user: logo_html(pick(user)),
        "dl_mandant": lambda user: tenant_of(user).key if tenant_of(user) else "",
        "dl_mandant_name": lambda user: f"{tenant_of(user).name}" if tenant_of(user) else "",
    }


def configure(
    c: Any,
    tenant_file: str,
    state_dir: str,
    ip: str = "127.0.0.1",
    port: int = 8000,
    hub_port: int = 8081,
    proxy_api_port: int = 8001,
    password: str = "",
) -> Platform:
    """Set JupyterHub's configuration ``c`` for the tenants in ``tenant_file``.

    ``state_dir`` holds the database, cookie secret (in ``geheim/``, mode 0700) and the
    assembled labs of each tenant. ``password`` is the pilot password of the dummy
    authenticator (production replaces the authenticator, see deploy/jupyterhub/).
    Returns the platform. Raises :class:`TenantFileError` for an invalid tenant file.
    """
    from .python import user_python
    from .spawner import DatenlaborSpawner
    from .tenants import load_tenants

    platform = load_tenants(tenant_file)
    state = Path(state_dir)
    secret = state / "geheim"

    c.JupyterHub.ip = ip
    c.JupyterHub.port = port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = hub_port
    c.JupyterHub.db_url = f"sqlite:///{secret / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(secret / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(secret / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True
    c.JupyterHub.shutdown_on_logout = False
    c.ConfigurableHTTPProxy.command = [proxy_command()]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(secret / "proxy.pid")
    c.ConfigurableHTTPProxy.should_start = True

    # Pilot login: one password for the listed people; production: LDAP or OIDC.
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = password
    c.Authenticator.allowed_users = set(platform.all_users())
    c.Authenticator.admin_users = set(platform.admins)

    groups = {platform.admin_group: {"users": list(platform.admins)}}
    for tenant in platform.tenants.values():
        groups[tenant.group] = {"users": list(tenant.users)}
    c.JupyterHub.load_groups = groups
    c.JupyterHub.load_roles = [
        # Names the admin group before the admin role does: JupyterHub 5 creates a missing group
        # in a role but then crashes for the role "admin" (first start with LDAP/OIDC groups).
        {
            "name": "datenlabor-verwaltung",
            "description": "Mitglieder der Admin-Gruppe (legt die Gruppe beim ersten Start an).",
            "scopes": ["self"],
            "groups": [platform.admin_group],
        },
        {"name": "admin", "groups": [platform.admin_group]},
        # No "shares": people cannot share their JupyterLab; apps get a role from the spawner.
        {"name": "user", "scopes": ["self"]},
        {
            "name": "leerlauf-dienst",
            "description": "Beendet ungenutzte Server (jupyterhub-idle-culler).",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": [CULLER],
        },
    ]
    c.JupyterHub.services = [{"name": CULLER, "command": culler_command(platform)}]
    c.JupyterHub.allow_named_servers = True
    c.JupyterHub.named_server_limit_per_user = 10

    c.JupyterHub.spawner_class = DatenlaborSpawner
    c.DatenlaborSpawner.tenant_file = str(platform.path)
    c.DatenlaborSpawner.state_dir = str(state)
    c.DatenlaborSpawner.python = str(user_python(state))
    c.Spawner.default_url = "/lab/tree/Willkommen.md"
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180
    c.LocalProcessSpawner.env_keep = [
        "PATH",
        "VIRTUAL_ENV",
        "LANG",
        "LC_ALL",
        "DATENLABOR_ROOT",
        "DATENLABOR_DATASETS",
    ]
    if platform.resources.memory:
        c.Spawner.mem_limit = platform.resources.memory
    if platform.resources.cpu:
        c.Spawner.cpu_limit = platform.resources.cpu

    c.JupyterHub.template_paths = [str(templates_dir())]
    c.JupyterHub.template_vars = _branding_vars(platform, state)
    return platform


CONFIG_TEMPLATE = """\
# Erzeugt von „datenlabor hub“ – nicht von Hand ändern (wird bei jedem Start neu geschrieben).
# Eigene Ergänzungen gehören in eine Zusatzdatei (datenlabor hub --zusatz DATEI.py).
import os

from datenlabor.hub.config import configure

c = get_config()  # noqa: F821
configure(
    c,
    tenant_file={tenant_file!r},
    state_dir={state_dir!r},
    ip={ip!r},
    port={port!r},
    hub_port={hub_port!r},
    proxy_api_port={proxy_api_port!r},
    password=os.environ.get("DATENLABOR_HUB_PASSWORT", ""),
)
"""


def write_config(target: Path, extra: Path | None = None, **values: Any) -> Path:
    """Write ``jupyterhub_config.py`` calling :func:`configure` with ``values``; returns it.

    ``extra`` is a JupyterHub config file loaded afterwards (it may change anything).
    """
    text = CONFIG_TEMPLATE.format(**values)
    if extra is not None:
        text += f"load_subconfig({str(extra)!r})  # noqa: F821\n"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
