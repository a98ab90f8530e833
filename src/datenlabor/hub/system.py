"""Linux side of the platform: one system user per hub user, one group per tenant.

The hub runs as root (``LocalProcessSpawner``); every single-user server runs as the
system user ``<prefix><name>`` whose home (mode 0700) is the person's workspace, so one
user's kernel cannot read another's files: the kernel, not only the web layer, is
refused. Each tenant has a Linux group; the tenant's assembled labs
(:func:`assemble_tenant_labs`) are readable by that group only.
Uses ``useradd``/``usermod``/``userdel``/``groupadd`` from Debian's ``passwd`` package.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ..errors import HubError
from .tenants import Platform, Tenant

# Root-owned folder the tenants' labs are assembled in (inside the hub's state folder).
TENANT_LABS = "mandanten"


def unix_group(platform: Platform, tenant: Tenant) -> str:
    """The Linux group of ``tenant``: prefix + ``m-`` + a short key (at most 32 characters)."""
    name = f"{platform.user_prefix}m-{tenant.key}"
    if len(name) > 32:
        digest = hashlib.sha1(tenant.key.encode()).hexdigest()[:6]
        name = f"{name[:25]}-{digest}"
    return name


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise HubError(f"{what} ist fehlgeschlagen ({cmd[0]}: Rückgabewert {result.returncode}).")


def _need_root() -> None:
    if os.geteuid() != 0:
        raise HubError(
            "Die Plattform legt für jede Person ein eigenes Systemkonto an und muss deshalb "
            "als root laufen (z. B. mit sudo oder als systemd-Dienst)."
        )


def ensure_group(name: str) -> int:
    """Create the Linux group ``name`` if missing; returns its gid."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _need_root()
        _run(["groupadd", "--system", name], f"Anlegen der Gruppe „{name}“")
        return grp.getgrnam(name).gr_gid


def ensure_system_user(
    platform: Platform, hub_name: str, tenant: Tenant | None
) -> pwd.struct_passwd:
    """Create (if missing) the system user of ``hub_name`` with a private home; returns it.

    Home: ``<arbeitsbereiche>/<system user>``, mode 0700, owned by the user. Adds the
    user to the tenant's Linux group. Refuses accounts with uid 0 or an existing
    account whose home lies outside the workspaces folder (never take over a real account).
    """
    name = platform.system_user(hub_name)
    home = platform.workspaces / name
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _need_root()
        platform.workspaces.mkdir(parents=True, exist_ok=True)
        os.chmod(platform.workspaces, 0o755)
        _run(
            [
                "useradd",
                "--create-home",
                "--home-dir",
                str(home),
                "--shell",
                "/bin/bash",
                "--user-group",
                "--comment",
                f"Datenlabor {hub_name}",
                name,
            ],
            f"Anlegen des Systemkontos „{name}“",
        )
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0 or Path(entry.pw_dir).resolve().parent != platform.workspaces:
        raise HubError(
            f"Das Systemkonto „{name}“ gibt es schon außerhalb der Arbeitsbereiche "
            f"({entry.pw_dir}); es wird nicht übernommen. Bitte ein anderes "
            "„systembenutzer_praefix“ wählen."
        )
    home_path = Path(entry.pw_dir)
    home_path.mkdir(mode=0o700, exist_ok=True)
    os.chown(home_path, entry.pw_uid, entry.pw_gid)
    os.chmod(home_path, 0o700)
    if tenant is not None:
        group = unix_group(platform, tenant)
        ensure_group(group)
        if name not in grp.getgrnam(group).gr_mem:
            _run(
                ["usermod", "--append", "--groups", group, name],
                f"Aufnahme von „{name}“ in „{group}“",
            )
    return entry


def _fetch_git(url: str, ref: str, target: Path) -> None:
    cmd = ["git", "clone", "--quiet", "--depth", "1"]
    if ref:
        cmd += ["--branch", ref]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    result = subprocess.run([*cmd, url, str(target)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise HubError(
            f"Die Labs aus „{url}“ ließen sich nicht holen (git clone, Rückgabewert "
            f"{result.returncode}). Adresse, Zweig und Zugriffsrechte prüfen."
        )


def assemble_tenant_labs(
    platform: Platform, tenant: Tenant, state: Path, labs_root: Path, public: bool = False
) -> Path:
    """Copy the tenant's selection of labs and its own labs into ``state/mandanten/<key>/labs``.

    Own labs (folder or git repository) are added after the selection; a lab of the same
    name replaces the installation's. Owner root, group the tenant's Linux group, mode
    0750/0640: the originals stay read-only for the staff, other tenants cannot read
    them (``public``: 0755/0644, for the installation's labs that admins see). Returns the folder. Raises :class:`HubError` if a git repository cannot be fetched.
    """
    from ..catalog import discover

    target = state / TENANT_LABS / tenant.key / "labs"
    fresh = Path(tempfile.mkdtemp(prefix=".neu-", dir=state))
    try:
        for lab in discover(labs_root):
            if tenant.labs is None or lab.slug in tenant.labs:
                shutil.copytree(lab.folder, fresh / lab.slug, ignore=_ignore)
        for i, source in enumerate(tenant.own_labs):
            folder = source.folder
            if source.git:
                folder = fresh.parent / f".git-{tenant.key}-{i}"
                shutil.rmtree(folder, ignore_errors=True)
                _fetch_git(source.git, source.ref, folder)
            assert folder is not None
            root = folder / "labs" if (folder / "labs").is_dir() else folder
            for lab in discover(root):
                shutil.rmtree(fresh / lab.slug, ignore_errors=True)
                shutil.copytree(lab.folder, fresh / lab.slug, ignore=_ignore)
            if source.git:
                shutil.rmtree(folder, ignore_errors=True)
        gid = -1
        if os.geteuid() == 0:
            gid = 0 if public else ensure_group(unix_group(platform, tenant))
        dir_mode, file_mode = (0o755, 0o644) if public else (0o750, 0o640)
        for path in [fresh, *fresh.rglob("*")]:
            os.chmod(path, dir_mode if path.is_dir() else file_mode)
            if gid >= 0:
                os.chown(path, 0, gid)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(target.parent, 0o755)
        old = target.with_name(".alt")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        fresh.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return target


def _ignore(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n in {"__pycache__", ".ipynb_checkpoints", ".git"}]


def export_workspace(home: Path, target: Path) -> Path:
    """Write the whole workspace ``home`` into the ZIP file ``target`` (atomically)."""
    target = target.expanduser().resolve()
    if target.exists():
        raise HubError(f"Die Exportdatei „{target}“ gibt es schon; sie wird nicht überschrieben.")
    if not target.parent.is_dir():
        raise HubError(f"Den Ordner für den Export „{target.parent}“ gibt es nicht.")
    handle, temp = tempfile.mkstemp(suffix=".zip.tmp", dir=target.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(home.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.write(path, path.relative_to(home))
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def remove_workspace(platform: Platform, hub_name: str, export: Path | None) -> Path | None:
    """Remove a departing person's system account and workspace, after exporting it.

    ``export`` is the ZIP file to write first (None only when the caller confirmed that
    no export is wanted). Refuses while the person still has running processes (their
    server must be stopped first). Returns the export path. Raises :class:`HubError`.
    """
    _need_root()
    name = platform.system_user(hub_name)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise HubError(f"Für „{hub_name}“ gibt es kein Systemkonto „{name}“.") from None
    home = Path(entry.pw_dir)
    if entry.pw_uid == 0 or home.resolve().parent != platform.workspaces:
        raise HubError(f"„{name}“ ist kein Konto der Plattform; es wird nicht entfernt.")
    import psutil

    running = [
        p.pid
        for p in psutil.process_iter(["uids"])
        if p.info["uids"] and p.info["uids"].real == entry.pw_uid
    ]
    if running:
        raise HubError(
            f"„{hub_name}“ hat noch laufende Programme (Server oder Kernel). Bitte zuerst den "
            "Server in der Hub-Verwaltung beenden, dann erneut versuchen."
        )
    written = export_workspace(home, export) if export is not None else None
    _run(["userdel", "--remove", name], f"Entfernen des Systemkontos „{name}“")
    shutil.rmtree(home, ignore_errors=True)
    return written
