"""What a run leaves behind: its status, its result record and its folder layout.

A run (``datenlabor run`` or one sweep point) writes into a hidden temporary
folder ``.<name>.tmp-<pid>`` next to its target and renames it only when
everything is written:

* ``<name>/`` – finished: the executed notebook, ``parameter.json``,
  ``kennzahlen.json``, ``lauf.json`` and, if asked for, the HTML version;
* ``<name>-fehlgeschlagen/`` – failed or aborted: whatever was written plus
  ``fehler.json`` with the German explanation.

This module is the only place that knows these names; ``running`` writes
them, ``sweep`` reads them back and ``history`` stores the same record.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

PARAMETERS_FILE = "parameter.json"
METRICS_FILE = "kennzahlen.json"
RUN_FILE = "lauf.json"
ERROR_FILE = "fehler.json"
FAILED_SUFFIX = "-fehlgeschlagen"


class RunStatus(str, Enum):
    """State of a run or sweep point; the value is the German word that is stored and shown."""

    OK = "ok"
    FAILED = "fehlgeschlagen"
    ABORTED = "abgebrochen"
    OPEN = "offen"  # a sweep point that has not run yet; never stored in the history

    def __str__(self) -> str:
        return self.value


@dataclass
class RunResult:
    """One run: what it was given, what it measured and where its files are.

    ``parameters`` are the values the run used (for a sweep point: the point's
    values), ``metrics`` the recorded key figures (empty unless ``OK``),
    ``duration_s`` seconds of execution, ``error`` the German explanation of a
    failure, ``files`` the role -> file name map of a finished folder, and
    ``sweep_id``/``point`` name the sweep point the run belongs to.
    """

    lab: str
    parameters: dict[str, Any]
    status: RunStatus = RunStatus.OK
    metrics: dict[str, Any] = field(default_factory=dict)
    duration_s: float | None = None
    error: str | None = None
    folder: Path | None = None
    files: dict[str, str] = field(default_factory=dict)
    sweep_id: str | None = None
    point: str | None = None


def write_json(path: Path, data: Any) -> None:
    """Readable UTF-8 JSON (non-ASCII kept, unknown types as text)."""
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def temporary_folder(parent: Path, name: str) -> Path:
    """The hidden folder this process writes ``parent/name`` into before renaming it."""
    return parent / f".{name}.tmp-{os.getpid()}"


def leftovers(parent: Path, name: str) -> list[Path]:
    """Temporary folders of ``name`` from any process (a run in progress or a crashed one)."""
    return sorted(parent.glob(f".{name}.tmp-*"))


def failed_folder(parent: Path, name: str) -> Path:
    """Where a failed or aborted run of ``parent/name`` ends up."""
    return parent / f"{name}{FAILED_SUFFIX}"


def finish(tmp: Path, final: Path, result: RunResult) -> None:
    """Write the record files of a finished run into ``tmp`` and rename it to ``final``."""
    result.files = {**result.files, "parameter": PARAMETERS_FILE, "kennzahlen": METRICS_FILE}
    write_json(tmp / PARAMETERS_FILE, result.parameters)
    write_json(tmp / METRICS_FILE, result.metrics)
    write_json(
        tmp / RUN_FILE,
        {
            "lab": result.lab,
            "status": str(result.status),
            "dauer_s": None if result.duration_s is None else round(result.duration_s, 3),
            "dateien": result.files,
        },
    )
    os.replace(tmp, final)
    result.folder = final


def mark_failed(parent: Path, name: str, result: RunResult, tmp: Path | None = None) -> Path:
    """Turn ``tmp`` (default: any leftover of ``name``, or nothing) into ``<name>-fehlgeschlagen``.

    Writes ``fehler.json`` from ``result.status`` and ``result.error``; further
    leftovers of ``name`` are removed. Returns the failed folder.
    """
    target = failed_folder(parent, name)
    rest = [tmp] if tmp is not None and tmp.exists() else leftovers(parent, name)
    if not target.exists():
        if rest:
            os.replace(rest.pop(0), target)
        else:
            target.mkdir(parents=True)
    for extra in rest:
        shutil.rmtree(extra, ignore_errors=True)
    write_json(
        target / ERROR_FILE,
        {"lab": result.lab, "status": str(result.status), "fehler": result.error},
    )
    result.folder = target
    return target


def read_result(parent: Path, name: str, lab: str, parameters: dict[str, Any]) -> RunResult:
    """What ``parent`` holds about run ``name``: finished, failed, aborted or still open."""
    done = parent / name
    failed = failed_folder(parent, name)
    result = RunResult(lab, parameters, RunStatus.OPEN)
    if (done / METRICS_FILE).is_file():
        result.status, result.folder = RunStatus.OK, done
        result.metrics = json.loads((done / METRICS_FILE).read_text(encoding="utf-8"))
        info = json.loads((done / RUN_FILE).read_text(encoding="utf-8"))
        result.duration_s = info.get("dauer_s")
        result.files = info.get("dateien") or {}
    elif failed.is_dir():
        result.folder = failed
        try:
            info = json.loads((failed / ERROR_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        result.error = info.get("fehler") or "Unbekannter Fehler."
        aborted = info.get("status") == RunStatus.ABORTED
        result.status = RunStatus.ABORTED if aborted else RunStatus.FAILED
    return result
