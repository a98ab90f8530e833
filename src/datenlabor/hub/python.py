"""The Python interpreter the personal servers run with.

User servers run under unprivileged system accounts, so they need an interpreter they
may execute. Normally that is the installation's own (``.venv/bin/python``). When that
interpreter lives in a folder other accounts cannot enter (e.g. pyenv under ``/root``),
:func:`user_python` copies that same interpreter with its standard library into the
hub's state folder (the system's ``/usr/bin/python3.X`` is no substitute: another patch
level, e.g. Debian's 3.11.2 mis-compiles the regular expressions of soupsieve); the copy
loads the installation's packages through a ``.pth`` file, plus a ``datenlabor`` command
for the terminal. ``jupyter_paths_env`` then points Jupyter at the installation's
kernels, Voilà templates and JupyterLab extensions.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import sysconfig
from pathlib import Path


def reachable_by_others(path: Path) -> bool:
    """True if an unprivileged account can execute ``path`` (every folder on the way o+x)."""
    real = Path(os.path.realpath(path))
    try:
        if not real.stat().st_mode & stat.S_IXOTH:
            return False
        return all(p.stat().st_mode & stat.S_IXOTH for p in real.parents)
    except OSError:
        return False


SKIPPED = {"site-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3"}


def _skip(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n in SKIPPED or n.startswith("config-")]


def user_python(state: Path) -> Path:
    """An interpreter for the personal servers (see module docstring); may create one.

    The copy (``state/python``: the interpreter, ``libpython`` and the standard library of
    this Python, about 100 MB, made once per version) loads the installation's packages
    through ``datenlabor_installation.pth``; it needs ``LD_LIBRARY_PATH`` from
    :func:`python_env`.
    """
    own = Path(sys.executable)
    if reachable_by_others(own):
        return own
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    target = state / "python"
    marker = target / ".quelle"
    ident = f"{base} {sys.version}"
    fresh = not marker.is_file() or marker.read_text(encoding="utf-8") != ident
    if fresh:
        shutil.rmtree(target, ignore_errors=True)
        (target / "bin").mkdir(parents=True)
        (target / "lib").mkdir()
        shutil.copy2(base / "bin" / version, target / "bin" / version)
        for library in (base / "lib").glob("libpython*.so*"):
            shutil.copy2(library, target / "lib" / library.name)
        shutil.copytree(base / "lib" / version, target / "lib" / version, ignore=_skip)
        (target / "bin" / "python").symlink_to(version)
    site_dir = target / "lib" / version / "site-packages"
    site_dir.mkdir(exist_ok=True)
    packages = sysconfig.get_paths()["purelib"]
    (site_dir / "datenlabor_installation.pth").write_text(
        f"import site; site.addsitedir({packages!r})\n", encoding="utf-8"
    )
    python = target / "bin" / "python"
    command = target / "bin" / "datenlabor"
    command.write_text(
        f"#!{python}\nimport sys\nfrom datenlabor.cli import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    os.chmod(command, 0o755)
    os.chmod(site_dir / "datenlabor_installation.pth", 0o644)
    if fresh:
        for path in [target, *target.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                extra = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() or mode & stat.S_IXUSR else 0)
                os.chmod(path, mode | extra)
        marker.write_text(ident, encoding="utf-8")
        os.chmod(marker, 0o644)
    return python


def python_env(python: Path) -> dict[str, str]:
    """Environment for servers started with ``python`` (empty for the installation's own)."""
    if Path(python) == Path(sys.executable):
        return {}
    return {**jupyter_paths_env(), "LD_LIBRARY_PATH": str(Path(python).parent.parent / "lib")}


def jupyter_paths_env() -> dict[str, str]:
    """Environment that lets another interpreter find this installation's Jupyter files."""
    prefix = Path(sys.prefix)
    return {
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter"),
        "DATENLABOR_LAB_APP_DIR": str(prefix / "share" / "jupyter" / "lab"),
    }
