"""Running a lab notebook in tests exactly as CI does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datenlabor.catalog import Lab
from datenlabor.recording import read_metrics
from datenlabor.running import kernel_options


def execute_lab(lab: Lab, out: Path, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute ``lab`` with papermill into ``out`` and return the metrics it recorded."""
    import papermill as pm

    pm.execute_notebook(
        str(lab.notebook),
        str(out),
        parameters=parameters or {},
        kernel_name="datenlabor",
        progress_bar=False,
        cwd=str(Path(out).parent),
        execution_timeout=300,
        **kernel_options(),
    )
    return read_metrics(out)


# Set by tests/conftest.py to a folder all xdist workers of the run share; None: no sharing.
SHARED_RUNS: Path | None = None


def execute_lab_once(
    lab: Lab, out: Path, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Like :func:`execute_lab`, but each distinct run executes only once per test run.

    Runs are equal when lab, parameters (missing ones count as their defaults) and the
    ``DATENLABOR_*`` environment are equal; the first test executes the notebook (under a
    file lock shared by the xdist workers), every test gets its own copy of the executed
    notebook at ``out`` and of the files the run wrote next to it. Use it for runs that
    several tests read (above all ``lab.ci_parameters``); use :func:`execute_lab` when the
    test needs the execution itself (a fake server that must be called, a history that
    must grow). Also fails if running the lab modified its notebook in labs/.
    """
    import fcntl
    import hashlib
    import json
    import os
    import shutil

    parameters = dict(parameters or {})
    if SHARED_RUNS is None:
        return execute_lab(lab, out, parameters)
    defaults = {name: p.default for name, p in lab.parameters.items()}
    env = {k: v for k, v in os.environ.items() if k.startswith("DATENLABOR_")}
    key = json.dumps(
        [str(lab.notebook), {**defaults, **parameters}, env], sort_keys=True, default=str
    )
    folder = SHARED_RUNS / f"{lab.slug}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    SHARED_RUNS.mkdir(parents=True, exist_ok=True)
    done = folder / ".fertig"
    with open(f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            before = lab.notebook.read_bytes()
            execute_lab(lab, folder / "lauf.ipynb", parameters)
            assert lab.notebook.read_bytes() == before, "running a lab must not modify labs/"
            done.touch()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.name == ".fertig":
            continue
        target = out if path.name == "lauf.ipynb" else out.parent / path.name
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
        else:
            shutil.copy2(path, target)
    return read_metrics(out)
