"""The spawner of the platform: JupyterHub's ``LocalProcessSpawner``, one system user each.

Differences to the stock spawner (everything else is JupyterHub's own code):

- the system user is ``<prefix><hub name>`` (created with a private home on first start,
  see :func:`.system.ensure_system_user`), never a name the person chose themselves;
- the tenant comes from the person's hub groups; its labs, branding and limits go into
  the server's environment;
- the default server runs :mod:`.singleuser` (workspace, then JupyterLab); a named server
  ``app-<slug>`` runs only the app (:mod:`.appserver`); while it runs, a role with the
  scope ``access:servers!server=<user>/app-<slug>`` is granted to the tenant's group.
"""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode

from .appserver import APP_PREFIX


class DatenlaborSpawner(LocalProcessSpawner):
    """``LocalProcessSpawner`` with tenant workspaces and shared apps (see module docstring)."""

    tenant_file = Unicode(config=True, help="Die Mandanten-Datei (YAML), aus der der Hub stammt.")
    state_dir = Unicode(
        config=True, help="Zustandsordner des Hubs; darin die zusammengestellten Labs je Mandant."
    )

    python = Unicode(
        sys.executable,
        config=True,
        help="Python der persönlichen Server (für die Systemkonten ausführbar, siehe hub/python.py).",
    )

    _platform = None

    @property
    def platform(self):
        if DatenlaborSpawner._platform is None:
            from .tenants import load_tenants

            DatenlaborSpawner._platform = load_tenants(self.tenant_file)
        return DatenlaborSpawner._platform

    def tenant(self):
        """The person's tenant (from their hub groups) or None."""
        return self.platform.tenant_for_groups({g.name for g in self.user.groups})

    @property
    def system_name(self) -> str:
        return self.platform.system_user(self.user.name)

    def make_preexec_fn(self, name):
        return set_user_setuid(self.system_name)

    def user_env(self, env):
        entry = pwd.getpwnam(self.system_name)
        env["USER"] = entry.pw_name
        env["HOME"] = entry.pw_dir
        env["SHELL"] = entry.pw_shell or "/bin/bash"
        return env

    @property
    def _access_role(self) -> str:
        """Name of the role that lets the tenant's group open this app server."""
        return f"datenlabor-app-{self.user.name}-{self.name}"

    def _grant_tenant_access(self, tenant) -> None:
        """Role ``access:servers!server=<user>/<app>`` for the tenant's group (JupyterHub RBAC).

        A role rather than a share: in JupyterHub 5.5 a group share opens the hub's
        authorisation page but is dropped from the visitor's OAuth token.
        """
        from jupyterhub import orm, roles

        db = self.user.db
        group = orm.Group.find(db, name=tenant.group)
        if group is None:
            group = orm.Group(name=tenant.group)
            db.add(group)
            db.commit()
        role = roles.create_role(
            db,
            {
                "name": self._access_role,
                "description": f"Kolleginnen und Kollegen von {tenant.name} öffnen die App.",
                "scopes": [f"access:servers!server={self.user.name}/{self.name}"],
            },
        )
        roles.grant_role(db, group, role)

    async def stop(self, now=False):
        await super().stop(now=now)
        if self.name.startswith(APP_PREFIX):
            from jupyterhub import orm, roles

            if orm.Role.find(self.user.db, self._access_role) is not None:
                roles.delete_role(self.user.db, self._access_role)

    async def start(self):
        from .python import python_env
        from .system import TENANT_LABS, ensure_system_user

        platform = self.platform
        tenant = self.tenant()
        is_admin = bool(getattr(self.user, "admin", False))
        if tenant is None and not is_admin:
            raise RuntimeError(
                f"„{self.user.name}“ gehört zu keinem Mandanten; bitte die Verwaltung bitten, "
                "die Person einer Mandanten-Gruppe zuzuordnen."
            )
        entry = ensure_system_user(platform, self.user.name, tenant)
        state = Path(self.state_dir)
        labs = state / TENANT_LABS / (tenant.key if tenant else "_alle") / "labs"
        resources = tenant.resources if tenant else platform.resources
        if resources.memory:
            self.mem_limit = resources.memory
        if resources.cpu:
            self.cpu_limit = resources.cpu
        self.environment.update(
            {
                "DATENLABOR_LABS": f"{entry.pw_dir}/labs",
                "DATENLABOR_RUNS": f"{entry.pw_dir}/runs",
                "DATENLABOR_MANDANT": tenant.key if tenant else "",
                "DATENLABOR_MANDANT_NAME": tenant.name if tenant else "Verwaltung",
                "DATENLABOR_MANDANT_LABS": str(labs),
                "DATENLABOR_PLATTFORM": platform.title,
                "PYTHONNOUSERSITE": "1",
                "PATH": f"{Path(self.python).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            }
        )
        self.environment.update(python_env(self.python))
        if tenant and tenant.branding:
            self.environment["DATENLABOR_BRANDING"] = str(tenant.branding)
        if self.name.startswith(APP_PREFIX):
            slug = self.name[len(APP_PREFIX) :]
            if tenant is None:
                raise RuntimeError("Apps teilen kann nur, wer zu einem Mandanten gehört.")
            if not (Path(entry.pw_dir) / "labs" / slug / "lab.yaml").is_file():
                raise RuntimeError(f"Im Arbeitsbereich gibt es kein Lab „{slug}“ zum Teilen.")
            self.cmd = [self.python, "-m", "datenlabor.hub.appserver", slug]
            self.args = []
            self.default_url = ""
            self._grant_tenant_access(tenant)
        else:
            self.cmd = [self.python, "-m", "datenlabor.hub.singleuser"]
        return await super().start()
