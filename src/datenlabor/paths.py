"""Where the project's folders are, independent of the working directory."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout that holds labs/ and datasets/ (override: DATENLABOR_ROOT)."""
    env = os.environ.get("DATENLABOR_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def labs_dir() -> Path:
    return Path(os.environ.get("DATENLABOR_LABS") or project_root() / "labs").resolve()


def datasets_dir() -> Path:
    return Path(os.environ.get("DATENLABOR_DATASETS") or project_root() / "datasets").resolve()


def runs_dir() -> Path:
    return Path(os.environ.get("DATENLABOR_RUNS") or project_root() / "runs").resolve()


def kernels_dir() -> Path:
    return project_root() / "kernels"


def export_absolute() -> None:
    """Make path overrides absolute so a kernel with another working directory sees the same."""
    for var in ("DATENLABOR_ROOT", "DATENLABOR_LABS", "DATENLABOR_DATASETS", "DATENLABOR_RUNS"):
        if os.environ.get(var):
            os.environ[var] = str(Path(os.environ[var]).resolve())


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (``str`` as UTF-8) to ``path`` through a temporary file in its folder.

    Readers see the old file or the whole new one, never a part; on any error the
    temporary file is removed and the exception propagates (``OSError`` for file-system
    failures). Returns ``path``.
    """
    import tempfile

    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
