"""The run history: one row per lab run in an embedded SQLite database.

Single runs (``datenlabor run``) and every point of a sweep are logged here
by ``running.execute`` as ``results.RunResult`` records. This module only
stores and reads; the CLI turns rows into tables. The database lives next to the result folders
(``runs/historie.sqlite``, moved with ``DATENLABOR_RUNS`` or ``-o``). Many
processes write at once during a sweep, so the file uses WAL mode, a busy
timeout and one short ``BEGIN IMMEDIATE`` transaction per row.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import HistoryError, ParameterError
from .paths import project_root, runs_dir
from .results import RunResult, RunStatus

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DB_NAME = "historie.sqlite"
BUSY_TIMEOUT_MS = 60_000
STORED_STATUS = (RunStatus.OK, RunStatus.FAILED, RunStatus.ABORTED)
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


@dataclass
class StoredRun(RunResult):
    """A ``RunResult`` as stored: with its id, code version and start and end times."""

    id: int = 0
    code_version: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


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


def add_run(
    result: RunResult,
    *,
    started: datetime | str | None = None,
    finished: datetime | str | None = None,
    code: str | None = None,
    db: Path | str | None = None,
) -> int:
    """Append one finished, failed or aborted run; returns its id.

    ``started``/``finished`` default to now, ``code`` to ``code_version()``.
    One short transaction, safe with many writers. Raises ``ValueError`` for
    a run that is still open (a programming error, not a user's).
    """
    status = RunStatus(result.status)
    if status not in STORED_STATUS:
        raise ValueError(f"a run with status {status.value!r} is not stored")
    now = datetime.now().astimezone()
    row = (
        result.lab,
        _json(result.parameters),
        status.value,
        _json(result.metrics or {}),
        result.error,
        None if result.duration_s is None else round(float(result.duration_s), 3),
        None if result.folder is None else str(result.folder),
        _json(result.files or {}),
        code or code_version(),
        result.sweep_id,
        result.point,
        _iso(started or now),
        _iso(finished or now),
    )
    try:
        conn = connect(db)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise HistoryError(
            f"Die Laufhistorie {Path(db or default_db())} lässt sich nicht schreiben: {exc}"
        ) from None
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


def _iso(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat(timespec="seconds")


def _row(r: sqlite3.Row | tuple) -> StoredRun:
    (id_, lab, params, status, metrics, error, duration, folder, files, code, sweep, point) = r[:12]
    return StoredRun(
        lab=lab,
        parameters=json.loads(params),
        status=RunStatus(status),
        metrics=json.loads(metrics),
        error=error,
        duration_s=duration,
        folder=None if folder is None else Path(folder),
        files=json.loads(files or "{}"),
        sweep_id=sweep,
        point=point,
        id=id_,
        code_version=code,
        started_at=r[12],
        finished_at=r[13],
    )


_COLUMNS = (
    "id, lab, parameters, status, metrics, error, duration_s, folder, files, code_version,"
    " sweep_id, point, started_at, finished_at"
)


def _query(db: Path | str | None, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
    """Rows of a read-only query; no rows without a database, ``HistoryError`` if unreadable.

    In a kernel of the public app server there are never rows: the history holds
    the staff's parameters (paths of own files) and metrics of this machine.
    """
    from .llm import in_public_app

    if in_public_app():
        return []
    path = Path(db or default_db())
    if not path.is_file():
        return []
    try:
        conn = connect(path, create=False)
        try:
            return conn.execute(sql, list(args)).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"Die Laufhistorie {path} lässt sich nicht lesen: {exc}") from None


def list_runs(
    lab: str | None = None,
    *,
    limit: int | None = None,
    sweep_id: str | None = None,
    db: Path | str | None = None,
) -> list[StoredRun]:
    """Runs, newest first; an absent database simply has no runs."""
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
    return [_row(r) for r in _query(db, sql, args)]


def count(db: Path | str | None = None) -> int:
    """Number of stored runs; 0 without a database."""
    rows = _query(db, "SELECT COUNT(*) FROM runs")
    return int(rows[0][0]) if rows else 0


def get_runs(ids: Sequence[int], db: Path | str | None = None) -> list[StoredRun]:
    """The runs with these ids in the given order; a German message names missing ids."""
    found: dict[int, StoredRun] = {}
    if ids:
        marks = ",".join("?" * len(ids))
        for r in _query(db, f"SELECT {_COLUMNS} FROM runs WHERE id IN ({marks})", ids):
            run = _row(r)
            found[run.id] = run
    missing = [str(i) for i in dict.fromkeys(ids) if i not in found]
    if missing:
        which = (
            f"Den Lauf {missing[0]} gibt"
            if len(missing) == 1
            else f"Die Läufe {', '.join(missing[:-1])} und {missing[-1]} gibt"
        )
        raise ParameterError(
            f"{which} es in der Laufhistorie ({Path(db or default_db())}) nicht. "
            "„datenlabor runs“ zeigt die vorhandenen Läufe mit ihrer ID."
        )
    return [found[i] for i in ids]


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
            str(r.status),
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
