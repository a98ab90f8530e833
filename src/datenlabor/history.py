"""The run history: one row per lab run in an embedded SQLite database.

Single runs (``datenlabor run``) and every point of a sweep are logged here
by ``running.execute``. The database lives next to the result folders
(``runs/historie.sqlite``, moved with ``DATENLABOR_RUNS`` or ``-o``). Many
processes write at once during a sweep, so the file uses WAL mode, a busy
timeout and one short ``BEGIN IMMEDIATE`` transaction per row.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DatenlaborError, ParameterError
from .paths import project_root, runs_dir

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .running import RunResult

DB_NAME = "historie.sqlite"
BUSY_TIMEOUT_MS = 60_000
STATUS = ("ok", "fehlgeschlagen", "abgebrochen")
LONG_COLUMNS = [
    "lauf_id",
    "lab",
    "status",
    "gestartet",
    "dauer_s",
    "code_version",
    "sweep",
    "punkt",
    "art",
    "name",
    "wert",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lab TEXT NOT NULL,
    parameters TEXT NOT NULL,
    status TEXT NOT NULL,
    metrics TEXT NOT NULL,
    error TEXT,
    duration_s REAL,
    folder TEXT,
    files TEXT,
    code_version TEXT,
    sweep_id TEXT,
    point TEXT,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS runs_lab ON runs (lab, id);
CREATE INDEX IF NOT EXISTS runs_sweep ON runs (sweep_id, point);
"""


class HistoryError(DatenlaborError):
    """Raised when the history database cannot be read or written."""


@dataclass
class Run:
    """One row of the history."""

    id: int
    lab: str
    parameters: dict[str, Any]
    status: str
    metrics: dict[str, Any]
    error: str | None
    duration_s: float | None
    folder: str | None
    files: dict[str, str]
    code_version: str | None
    sweep_id: str | None
    point: str | None
    started_at: str | None
    finished_at: str | None


def default_db() -> Path:
    """``runs/historie.sqlite`` (follows ``DATENLABOR_RUNS``)."""
    return runs_dir() / DB_NAME


def connect(db: Path | str | None = None, *, create: bool = True) -> sqlite3.Connection:
    """An autocommit connection in WAL mode with a generous busy timeout."""
    path = Path(db or default_db())
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
    conn.execute("PRAGMA synchronous = NORMAL")
    if create:
        _retry(lambda: conn.executescript(_SCHEMA))
    return conn


def _retry(action, attempts: int = 20):
    # The busy handler covers most contention; schema changes and switching to WAL
    # can still report "locked" immediately while another process sets up the file.
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return None  # pragma: no cover


@lru_cache(maxsize=1)
def code_version() -> str:
    """The git commit of the checkout (``-dirty`` with local changes), else the package version."""
    from . import __version__

    root = project_root()
    if (root / ".git").exists():
        try:
            out = subprocess.run(
                ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=12"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
            if out.stdout.strip():
                return f"git {out.stdout.strip()}"
        except (OSError, subprocess.SubprocessError):
            pass
    return f"datenlabor {__version__}"


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def record(
    *,
    lab: str,
    parameters: dict[str, Any],
    status: str,
    metrics: dict[str, Any] | None = None,
    error: str | None = None,
    duration_s: float | None = None,
    folder: str | Path | None = None,
    files: dict[str, str] | None = None,
    sweep_id: str | None = None,
    point: str | None = None,
    started_at: datetime | str | None = None,
    finished_at: datetime | str | None = None,
    code: str | None = None,
    db: Path | str | None = None,
) -> int:
    """Append one run; returns its id. One short transaction, safe with many writers."""
    if status not in STATUS:
        raise ValueError(f"unknown status {status!r}")
    now = datetime.now().astimezone()
    row = (
        lab,
        _json(parameters),
        status,
        _json(metrics or {}),
        error,
        None if duration_s is None else round(float(duration_s), 3),
        None if folder is None else str(folder),
        _json(files or {}),
        code or code_version(),
        sweep_id,
        point,
        _iso(started_at or now),
        _iso(finished_at or now),
    )
    conn = connect(db)
    try:

        def insert() -> int:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    "INSERT INTO runs (lab, parameters, status, metrics, error, duration_s, folder,"
                    " files, code_version, sweep_id, point, started_at, finished_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return int(cur.lastrowid)

        return _retry(insert)
    finally:
        conn.close()


def record_result(
    result: RunResult,
    *,
    started: datetime | None = None,
    db: Path | str | None = None,
    sweep_id: str | None = None,
    point: str | None = None,
) -> int:
    """Log a ``running.RunResult`` (finished or failed)."""
    return record(
        lab=result.lab,
        parameters=result.parameters,
        status=result.status,
        metrics=result.metrics,
        error=result.error,
        duration_s=result.duration_s,
        folder=result.folder,
        files=result.files,
        sweep_id=sweep_id,
        point=point,
        started_at=started,
        db=db,
    )


def _iso(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat(timespec="seconds")


def _row(r: sqlite3.Row | tuple) -> Run:
    (
        id_,
        lab,
        params,
        status,
        metrics,
        error,
        duration,
        folder,
        files,
        code,
        sweep,
        point,
        started,
        finished,
    ) = r
    return Run(
        id_,
        lab,
        json.loads(params),
        status,
        json.loads(metrics),
        error,
        duration,
        folder,
        json.loads(files or "{}"),
        code,
        sweep,
        point,
        started,
        finished,
    )


_COLUMNS = (
    "id, lab, parameters, status, metrics, error, duration_s, folder, files, code_version,"
    " sweep_id, point, started_at, finished_at"
)


def list_runs(
    lab: str | None = None,
    *,
    limit: int | None = None,
    sweep_id: str | None = None,
    db: Path | str | None = None,
) -> list[Run]:
    """Runs, newest first; an absent database simply has no runs."""
    path = Path(db or default_db())
    if not path.is_file():
        return []
    where, args = [], []
    if lab:
        where.append("lab = ?")
        args.append(lab)
    if sweep_id:
        where.append("sweep_id = ?")
        args.append(sweep_id)
    sql = f"SELECT {_COLUMNS} FROM runs"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    conn = connect(path, create=False)
    try:
        return [_row(r) for r in conn.execute(sql, args).fetchall()]
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"Die Laufhistorie {path} lässt sich nicht lesen: {exc}") from None
    finally:
        conn.close()


def count(db: Path | str | None = None) -> int:
    path = Path(db or default_db())
    if not path.is_file():
        return 0
    conn = connect(path, create=False)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    finally:
        conn.close()


def get_runs(ids: Sequence[int], db: Path | str | None = None) -> list[Run]:
    """The runs with these ids in the given order; a German message names missing ids."""
    path = Path(db or default_db())
    found: dict[int, Run] = {}
    if path.is_file() and ids:
        conn = connect(path, create=False)
        try:
            marks = ",".join("?" * len(ids))
            for r in conn.execute(f"SELECT {_COLUMNS} FROM runs WHERE id IN ({marks})", list(ids)):
                run = _row(r)
                found[run.id] = run
        finally:
            conn.close()
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ParameterError(
            f"Lauf {', '.join(missing)} gibt es in der Laufhistorie ({path}) nicht. "
            "„datenlabor runs“ zeigt die vorhandenen Läufe."
        )
    return [found[i] for i in ids]


# --- presentation ------------------------------------------------------------


def _cell(value: Any) -> str:
    from .recording import format_value

    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return f"{value:.6g}".replace(".", ",")
    return format_value(value)


def format_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain text table with aligned columns (no extra dependency)."""
    rows = [list(map(str, r)) for r in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
        for i, h in enumerate(header)
    ]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def describe_runs(runs: Sequence[Run]) -> str:
    """The table for ``datenlabor runs``: one line per run."""
    header = ["ID", "Beginn", "Lab", "Status", "Dauer", "Sweep/Punkt", "Kennzahlen"]
    rows = []
    for r in runs:
        metrics = ", ".join(f"{k}={_cell(v)}" for k, v in r.metrics.items())
        if r.status != "ok" and r.error:
            metrics = r.error if len(r.error) < 70 else r.error[:67] + "…"
        rows.append(
            [
                str(r.id),
                (r.started_at or "")[:19].replace("T", " "),
                r.lab,
                r.status,
                "–" if r.duration_s is None else f"{_cell(float(r.duration_s))} s",
                f"{r.sweep_id}/{r.point}" if r.sweep_id else "–",
                metrics or "–",
            ]
        )
    return format_table(header, rows)


def compare(runs: Sequence[Run]) -> str:
    """Parameters and metrics of several runs side by side; ``≠`` marks rows that differ."""
    header = ["", "", *(f"Lauf {r.id}" for r in runs)]
    rows: list[list[str]] = []

    def add(label: str, values: list[Any]) -> None:
        cells = [_cell(v) for v in values]
        rows.append(["≠" if len(set(cells)) > 1 else "", label, *cells])

    add("Lab", [r.lab for r in runs])
    add("Status", [r.status for r in runs])
    add("Beginn", [(r.started_at or "")[:19].replace("T", " ") for r in runs])
    add("Dauer (s)", [r.duration_s for r in runs])
    add("Code-Version", [r.code_version for r in runs])
    for name in _union(r.parameters for r in runs):
        add(f"Parameter {name}", [r.parameters.get(name) for r in runs])
    for name in _union(r.metrics for r in runs):
        add(f"Kennzahl {name}", [r.metrics.get(name) for r in runs])
    if any(r.error for r in runs):
        add("Fehler", [r.error for r in runs])
    return format_table(header, rows)


def _union(dicts: Iterable[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for d in dicts:
        names.update(dict.fromkeys(d))
    return list(names)


def to_long_frame(lab: str | None = None, db: Path | str | None = None) -> pd.DataFrame:
    """The history in long form (one row per run and parameter or metric).

    This is the layout of ``datenlabor runs --export`` and of the example
    dataset ``laufhistorie-beispiel``; it has the same columns for every lab.
    """
    import pandas as pd

    rows = []
    for r in reversed(list_runs(lab, db=db)):
        base = [
            r.id,
            r.lab,
            r.status,
            r.started_at,
            r.duration_s,
            r.code_version,
            r.sweep_id or "",
            r.point or "",
        ]
        for kind, values in (("parameter", r.parameters), ("kennzahl", r.metrics)):
            for name, value in values.items():
                text = ", ".join(map(str, value)) if isinstance(value, list) else value
                rows.append([*base, kind, name, "" if text is None else str(text)])
    return pd.DataFrame(rows, columns=LONG_COLUMNS)
