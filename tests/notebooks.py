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
