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
    return Path(os.environ.get("DATENLABOR_LABS") or project_root() / "labs")


def datasets_dir() -> Path:
    return Path(os.environ.get("DATENLABOR_DATASETS") or project_root() / "datasets")


def runs_dir() -> Path:
    return Path(os.environ.get("DATENLABOR_RUNS") or project_root() / "runs")


def kernels_dir() -> Path:
    return project_root() / "kernels"
