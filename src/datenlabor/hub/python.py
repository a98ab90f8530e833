"""The Python interpreter the personal servers run with.

User servers run under unprivileged system accounts, so they need an interpreter they
may execute. Normally that is the installation's own (``.venv/bin/python``). When that
interpreter lives in a folder other accounts cannot enter (e.g. pyenv under ``/root``),
:func:`user_python` copies that same interpreter with its standard library into a
machine-wide cache (the system's ``/usr/bin/python3.X`` is no substitute: another patch
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


CACHE = Path("/var/cache/datenlabor-hub")


def user_python(state: Path | None = None) -> Path:
    """An interpreter for the personal servers (see module docstring); may create one.

    The copy (the interpreter, ``libpython`` and the standard library of this Python,
    about 100 MB) is made once per Python build under ``/var/cache/datenlabor-hub``
    (``$DATENLABOR_HUB_CACHE``) and shared by every hub on the machine; it loads the
    installation's packages through ``datenlabor_installation.pth`` and needs
    ``LD_LIBRARY_PATH`` from :func:`python_env`. ``state`` is unused (kept for callers).
    """
    import hashlib
    import tempfile

    own = Path(sys.executable)
    if reachable_by_others(own):
        return own
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    packages = sysconfig.get_paths()["purelib"]
    ident = f"{base} {sys.version} {packages}"
    cache = Path(os.environ.get("DATENLABOR_HUB_CACHE") or CACHE)
    target = cache / f"python-{hashlib.sha256(ident.encode()).hexdigest()[:12]}"
    python = target / "bin" / "python"
    if python.exists():
        return python
    cache.mkdir(parents=True, exist_ok=True)
    os.chmod(cache, 0o755)
    fresh = Path(tempfile.mkdtemp(prefix=".neu-", dir=cache))
    try:
        (fresh / "bin").mkdir()
        (fresh / "lib").mkdir()
        shutil.copy2(base / "bin" / version, fresh / "bin" / version)
        for library in (base / "lib").glob("libpython*.so*"):
            shutil.copy2(library, fresh / "lib" / library.name)
        shutil.copytree(base / "lib" / version, fresh / "lib" / version, ignore=_skip)
        (fresh / "bin" / "python").symlink_to(version)
        site_dir = fresh / "lib" / version / "site-packages"
        site_dir.mkdir()
        (site_dir / "datenlabor_installation.pth").write_text(
            f"import site; site.addsitedir({packages!r})\n", encoding="utf-8"
        )
        (fresh / "bin" / "datenlabor").write_text(
            f"#!{python}\nimport sys\nfrom datenlabor.cli import main\nsys.exit(main())\n",
            encoding="utf-8",
        )
        os.chmod(fresh / "bin" / "datenlabor", 0o755)
        for path in [fresh, *fresh.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                extra = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() or mode & stat.S_IXUSR else 0)
                os.chmod(path, mode | extra)
        try:
            fresh.rename(target)
        except OSError:  # another hub made it meanwhile
            pass
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
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
