"""The Python interpreter the personal servers run with.

User servers run under unprivileged system accounts, so they need an interpreter they
may execute. Normally that is the installation's own (``.venv/bin/python``). When that
interpreter lives in a folder other accounts cannot enter (e.g. pyenv under ``/root``),
:func:`user_python` builds a small environment in the hub's state folder from the
system's interpreter of the same version (``/usr/bin/python3.X``) that loads the
installation's packages through a ``.pth`` file, plus a ``datenlabor`` command for
the terminal. ``jupyter_paths_env`` then points Jupyter at the installation's
kernels, Voilà templates and JupyterLab extensions.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

from ..errors import HubError


def reachable_by_others(path: Path) -> bool:
    """True if an unprivileged account can execute ``path`` (every folder on the way o+x)."""
    real = Path(os.path.realpath(path))
    try:
        if not real.stat().st_mode & stat.S_IXOTH:
            return False
        return all(p.stat().st_mode & stat.S_IXOTH for p in real.parents)
    except OSError:
        return False


def _system_interpreter() -> Path | None:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for folder in ("/usr/bin", "/usr/local/bin", "/opt/python/bin"):
        candidate = Path(folder) / version
        if candidate.exists() and reachable_by_others(candidate):
            return candidate
    return None


def user_python(state: Path) -> Path:
    """An interpreter for the personal servers (see module docstring); may create one.

    Raises :class:`HubError` (German) if neither the installation's interpreter nor a
    system interpreter of the same version is usable by other accounts.
    """
    own = Path(sys.executable)
    if reachable_by_others(own):
        return own
    base = _system_interpreter()
    if base is None:
        raise HubError(
            f"Python liegt in einem Ordner, den die Konten der Mitarbeitenden nicht öffnen dürfen "
            f"({os.path.realpath(own)}), und es gibt kein /usr/bin/python"
            f"{sys.version_info.major}.{sys.version_info.minor}. Bitte Datenlabor mit dem "
            "Python des Systems einrichten (python3 scripts/bootstrap.py install)."
        )
    env_dir = state / "python"
    python = env_dir / "bin" / "python"
    if not python.exists():
        subprocess.run(
            [str(base), "-m", "venv", "--without-pip", str(env_dir)],
            check=True,
            capture_output=True,
        )
    packages = sysconfig.get_paths()["purelib"]
    site_dir = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site_dir / "datenlabor_installation.pth").write_text(
        f"import site; site.addsitedir({packages!r})\n", encoding="utf-8"
    )
    command = env_dir / "bin" / "datenlabor"
    command.write_text(
        f"#!{python}\nimport sys\nfrom datenlabor.cli import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    os.chmod(command, 0o755)
    for path in [env_dir, *env_dir.rglob("*")]:
        if not path.is_symlink():
            mode = path.stat().st_mode
            os.chmod(
                path,
                mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() or mode & stat.S_IXUSR else 0),
            )
    return python


def jupyter_paths_env() -> dict[str, str]:
    """Environment that lets another interpreter find this installation's Jupyter files."""
    prefix = Path(sys.prefix)
    return {
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter"),
        "DATENLABOR_LAB_APP_DIR": str(prefix / "share" / "jupyter" / "lab"),
    }
