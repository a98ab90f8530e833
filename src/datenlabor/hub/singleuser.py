"""Start of a person's JupyterLab on the platform: prepare the workspace, then the server.

Runs as the person's system user (command of :class:`.spawner.DatenlaborSpawner`):
copies new labs of the tenant (``$DATENLABOR_MANDANT_LABS``) into the home folder,
writes the start page ``Willkommen.md`` and replaces itself with
``jupyterhub-singleuser`` (German JupyterLab via :data:`LAB_SETTINGS`, the
``datenlabor`` kernel and Voilà's preview come with the installation).
"""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

# JupyterLab defaults for everyone on the platform: German, Markdown opens rendered,
# no news or update checks (no request leaves the machine).
LAB_SETTINGS = Path(str(files("datenlabor") / "hub" / "lab"))


def singleuser_args() -> list[str]:
    """Arguments for ``jupyterhub-singleuser`` that every platform server gets."""
    from ..running import ipc_kernels

    app_dir = os.environ.get("DATENLABOR_LAB_APP_DIR")
    return [
        *(["--KernelManager.transport=ipc"] if ipc_kernels() else []),
        *([f"--LabApp.app_dir={app_dir}"] if app_dir else []),
        f"--LabApp.app_settings_dir={LAB_SETTINGS}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.open_browser=False",
    ]


def main(argv: list[str] | None = None) -> int:
    from .workspace import init_workspace, welcome_text, write_welcome

    argv = list(sys.argv[1:] if argv is None else argv)
    os.umask(0o077)
    home = Path.home()
    originals = Path(os.environ.get("DATENLABOR_MANDANT_LABS", "/nonexistent"))
    init_workspace(home, originals)
    write_welcome(
        home,
        welcome_text(
            home,
            os.environ.get("DATENLABOR_MANDANT_NAME", ""),
            os.environ.get("DATENLABOR_PLATTFORM", "Datenlabor"),
            os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
        ),
    )
    os.chdir(home)
    cmd = [sys.executable, "-m", "jupyterhub.singleuser", *singleuser_args(), *argv]
    os.execv(sys.executable, cmd)
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
