"""Parameter sweeps: run a lab for every point of a grid, locally or on a Dask cluster.

A sweep is identified by its lab and grid (``Grid.identity``) and lives in
``runs/<lab>/sweeps/<id>/``: ``sweep.json`` (the grid and the point names),
one result folder per point (layout in ``results``, written atomically by
``running.execute``), ``ergebnisse.csv`` and
``ergebnisse.png``. Running the same sweep again only runs the points that
are missing or were aborted (``retry_failed`` also re-runs failed ones).

Grid syntax (CLI ``-p NAME WERTE``):

* ``1,2,3`` – alternatives separated by commas;
* ``1:5:2`` – a range for numbers, start:stop:step, stop included;
* ``;`` separates alternatives whenever it occurs; it is required for list
  parameters (``A,B;C`` = the two alternatives ``[A, B]`` and ``[C]``) and
  allows decimal commas (``0,5;1,5``).

A YAML grid file maps names to a value, a list of alternatives, or
``{start, stop, step}``; alternatives of a list parameter are lists.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .catalog import Lab
from .errors import DatenlaborError, ParameterError, RunError
from .parameters import Parameter, data_column, unknown_parameter
from .paths import runs_dir
from .results import RunResult, RunStatus, leftovers, mark_failed, read_result

MAX_POINTS = 5000
SUMMARY_CSV = "ergebnisse.csv"
SUMMARY_PNG = "ergebnisse.png"
LOG_NAME = "protokoll.log"
ABORTED_MESSAGE = "Der Punkt wurde abgebrochen (Strg+C)."


# --- the grid ------------------------------------------------------------------


@dataclass
class Grid:
    """Validated alternatives per parameter, optionally a random sample of the points."""

    lab: str
    axes: dict[str, list[Any]]
    sample: int | None = None
    seed: int | None = None

    @property
    def varied(self) -> list[str]:
        return [name for name, values in self.axes.items() if len(values) > 1]

    @property
    def size(self) -> int:
        n = 1
        for values in self.axes.values():
            n *= len(values)
        return n

    @property
    def identity(self) -> str:
        """Short hash of lab, grid and sample: the same sweep gets the same folder."""
        data = {"lab": self.lab, "achsen": self.axes, "stichprobe": self.sample, "seed": self.seed}
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]

    def points(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, values) for each point, in a fixed order; names are stable across runs."""
        names = list(self.axes)
        indices = list(range(self.size))
        if self.sample is not None and self.sample < self.size:
            indices = sorted(random.Random(self.seed).sample(indices, self.sample))
        width = max(3, len(str(self.size - 1)))
        result = []
        for index in indices:
            combo = _combination(index, [self.axes[n] for n in names])
            values = dict(zip(names, combo, strict=True))
            result.append((point_name(index, values, self.varied, width), values))
        return result


def _combination(index: int, axes: list[list[Any]]) -> list[Any]:
    # Like itertools.product: the last axis changes fastest.
    combo = []
    for values in reversed(axes):
        index, i = divmod(index, len(values))
        combo.append(values[i])
    return combo[::-1]


def point_name(index: int, values: dict[str, Any], varied: list[str], width: int = 3) -> str:
    """``p007-anzahl-2-modus-mittel``: index for uniqueness, varied values for reading."""
    parts = [f"p{index:0{width}d}"]
    for name in varied:
        value = values[name]
        text = "+".join(map(str, value)) if isinstance(value, list) else str(value)
        if name in values and isinstance(value, str) and os.sep in text:
            text = Path(text).stem
        parts.append(f"{name}-{text}")
    name = re.sub(r"[^0-9A-Za-zÄÖÜäöüß.+_-]+", "_", "-".join(parts))
    return name[:90].rstrip("-_.")


def _split_alternatives(param: Parameter, text: str) -> list[str]:
    if ";" in text:
        return [part.strip() for part in text.split(";") if part.strip()]
    if param.type == "list":
        return [text.strip()] if text.strip() else []
    return [part.strip() for part in text.split(",") if part.strip()]


def _range(param: Parameter, start: Any, stop: Any, step: Any) -> list[Any]:
    """Inclusive numeric range with exact decimal steps (no 0.30000000000000004)."""
    try:
        a, b, s = (Decimal(str(x).strip().replace(",", ".")) for x in (start, stop, step))
    except InvalidOperation:
        raise ParameterError(
            f"Parameter „{param.name}“: Der Bereich „{start}:{stop}:{step}“ besteht nicht aus Zahlen "
            "(Aufbau: Start:Ende:Schritt, z. B. 1:5:1)."
        ) from None
    if s <= 0 or b < a:
        raise ParameterError(
            f"Parameter „{param.name}“: Im Bereich „{start}:{stop}:{step}“ muss der Schritt positiv "
            "und das Ende nicht kleiner als der Anfang sein."
        )
    count = int((b - a) / s) + 1
    if count > MAX_POINTS:
        raise ParameterError(
            f"Parameter „{param.name}“: Der Bereich ergibt mehr als {MAX_POINTS} Werte."
        )
    values = [a + i * s for i in range(count)]
    return [int(v) if param.type == "int" else float(v) for v in values]


def parse_cli_value(param: Parameter, text: str) -> list[Any]:
    """Raw alternatives from one ``-p NAME WERTE`` argument (not yet validated)."""
    text = str(text)
    if param.type in ("int", "float") and text.count(":") == 2 and ";" not in text:
        return _range(param, *text.split(":"))
    parts = _split_alternatives(param, text)
    if param.type == "list":
        return [[item.strip() for item in part.split(",") if item.strip()] for part in parts]
    return parts


def parse_file_value(param: Parameter, value: Any) -> list[Any]:
    """Raw alternatives from one entry of a YAML grid file."""
    if isinstance(value, dict):
        if set(value) != {"start", "stop", "step"}:
            raise ParameterError(
                f"Parameter „{param.name}“: Ein Bereich braucht genau start, stop und step."
            )
        return _range(param, value["start"], value["stop"], value["step"])
    if param.type == "list":
        if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            return value
        raise ParameterError(
            f"Parameter „{param.name}“ ist eine Liste: bitte jede Variante als eigene Liste angeben, "
            "z. B. [[A, B], [C]]."
        )
    return list(value) if isinstance(value, list) else [value]


def _rejected_values(name: str, rejected: list[tuple[Any, str]]) -> list[str]:
    """German lines for the values of one parameter that are not allowed, one per reason.

    Values refused for the same reason share one line (a range of 11 years out of
    bounds: ``2 Werte (6, 7) – jeder liegt außerhalb …``); other reasons keep theirs.
    """
    groups: dict[str, list[tuple[Any, str]]] = {}
    for value, message in rejected:
        marker = f"Der Wert „{value}“ "
        key = message.replace(marker, "\0", 1) if marker in message else message
        groups.setdefault(key, []).append((value, message))
    lines = []
    for key, items in groups.items():
        if len(items) == 1 or "\0" not in key:
            lines += [m for _, m in items]
            continue
        texts = [str(v) for v, _ in items]
        shown = ", ".join(texts) if len(texts) <= 4 else f"{', '.join(texts[:3])}, …, {texts[-1]}"
        lines.append(key.replace("\0", f"{len(items)} Werte ({shown}) – jeder ", 1))
    return lines


def build_grid(
    lab: Lab,
    cli: Iterable[tuple[str, str]] = (),
    file_values: dict[str, Any] | None = None,
    *,
    sample: int | None = None,
    seed: int | None = None,
) -> Grid:
    """Parse and validate the whole grid; one German message lists every problem."""
    from .running import prepare

    params = lab.parameters
    raw: dict[str, list[Any]] = {}
    problems: list[str] = []
    sources = [(n, v, parse_file_value) for n, v in (file_values or {}).items()]
    sources += [(n, v, parse_cli_value) for n, v in cli]
    for name, value, parse in sources:
        if name not in params:
            problems.append(unknown_parameter(name, params, lab.slug))
            continue
        try:
            raw[name] = parse(params[name], value)
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        if not raw[name]:
            problems.append(f"Parameter „{name}“: Es ist kein Wert angegeben.")
    # With own data, choices from the file (lab.yaml ``aus_daten``) are checked below by
    # ``prepare`` against the file; here only their type.
    own = any(
        params[n].kind == "csv" and not params[n].extra.get("any_csv") and any(vals)
        for n, vals in raw.items()
    )
    axes: dict[str, list[Any]] = {}
    for name, values in raw.items():
        clean: list[Any] = []
        check = params[name].coerce if own and data_column(params[name]) else params[name].validate
        rejected: list[tuple[Any, str]] = []
        for value in values:
            try:
                v = check(value)
            except ParameterError as exc:
                rejected.append((value, str(exc)))
                continue
            if v not in clean:
                clean.append(v)
        if rejected:
            problems += _rejected_values(name, rejected)
        axes[name] = clean
    if sample is not None and sample < 1:
        problems.append("Die Stichprobe (--stichprobe) muss mindestens 1 Punkt umfassen.")
    if not problems:
        size = Grid(lab.slug, axes).size
        if size > MAX_POINTS and (sample is None or sample > MAX_POINTS):
            problems.append(
                f"Das Raster hat {size} Punkte, höchstens {MAX_POINTS} sind erlaubt. "
                "Bitte weniger Werte angeben oder mit --stichprobe eine Stichprobe ziehen."
            )
    if problems:
        raise ParameterError("\n".join(problems))
    # Checks that need more than the value itself (own CSV files against the schema),
    # once per distinct value.
    for name, values in axes.items():
        if params[name].kind == "csv":
            choosers = {params[name].extra.get(k) for k in ("table_parameter", "form_parameter")}
            others = [
                (n, v)
                for n, v in axes.items()
                if n in choosers or params[n].kind in ("lesen", "spalten")
            ]
            data_axes = [n for n in axes if data_column(params[n])]
            for value in values:
                for combo in itertools.product(*[v for _, v in others]):
                    base = {name: value, **dict(zip([n for n, _ in others], combo, strict=True))}
                    prepare(lab, base)
                    for n in data_axes:  # each value against this file (or the lab.yaml list)
                        for v in axes[n]:
                            prepare(lab, {**base, n: v})
    return Grid(lab.slug, axes, sample, seed if sample is not None else None)


# --- state of a sweep folder -----------------------------------------------------


def sweep_folder(lab: Lab, grid: Grid, out_root: Path | None = None) -> Path:
    """``<out_root>/<lab>/sweeps/<grid identity>``; ``out_root`` defaults to runs/."""
    return Path(out_root or runs_dir()) / lab.slug / "sweeps" / grid.identity


def read_point(folder: Path, lab: Lab, grid: Grid, name: str, values: dict[str, Any]) -> RunResult:
    """What the sweep folder says about one point (``point`` = name, ``parameters`` = values)."""
    state = read_result(folder, name, lab.slug, values)
    state.sweep_id, state.point = grid.identity, name
    return state


# --- running one point (in a worker process or on a Dask worker) ------------------


_ENV_VARS = ("DATENLABOR_ROOT", "DATENLABOR_LABS", "DATENLABOR_DATASETS")


def run_point(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one point; never raises for a failing notebook, returns its outcome instead.

    ``status`` is a ``RunStatus`` value; ``unrecorded`` marks a point whose run
    never started, so the sweep writes its failed folder and history row itself.
    """
    for var in _ENV_VARS:
        if task.get(var):
            os.environ[var] = task[var]
    from . import datasets
    from .catalog import get_lab
    from .running import execute

    datasets._descriptor.cache_clear()  # a long-lived worker may serve other data folders
    result = {"name": task["name"], "pid": os.getpid()}
    try:
        lab = get_lab(task["lab"])
        run = execute(
            lab,
            task["values"],
            task["out_root"],
            progress=False,
            timeout=task["timeout"],
            html=task["html"],
            target=Path(task["folder"]) / task["name"],
            sweep_id=task["sweep_id"],
            point=task["name"],
        )
        result.update(status=RunStatus.OK.value, metrics=run.metrics, duration_s=run.duration_s)
    except RunError as exc:
        result.update(status=RunStatus.FAILED.value, error=str(exc))
    except DatenlaborError as exc:
        result.update(status=RunStatus.FAILED.value, error=str(exc), unrecorded=True)
    return result


def _worker_init(log: str | None = None) -> None:
    # Ctrl-C is handled by the parent, which stops the workers and their kernels itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log:
        # Kernel warnings and papermill chatter go to the sweep's log, not over the progress bar.
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)


# --- engines -----------------------------------------------------------------------


class _Abort(Exception):
    """Internal: the sweep was interrupted; in-flight points are marked aborted."""


def _kill_tree(pids: Iterable[int]) -> None:
    """Stop processes and everything they started (papermill kernels run in own sessions)."""
    import psutil

    procs = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            procs.extend(p.children(recursive=True))
            procs.append(p)
        except psutil.NoSuchProcess:
            continue
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def _unrecorded_failure(task: dict[str, Any], message: str) -> dict[str, Any]:
    return {
        "name": task["name"],
        "status": RunStatus.FAILED.value,
        "unrecorded": True,
        "error": message,
    }


def _drain(
    executor: Any, tasks: list[dict[str, Any]], on_done: Callable[[dict[str, Any]], None]
) -> list[dict[str, Any]]:
    """Run ``tasks`` on a ``concurrent.futures`` executor, reporting each outcome as it ends.

    The same loop serves the local process pool and a Dask cluster
    (``Client.get_executor()``). Returns the tasks that never started because
    the local pool broke; a point that had started when its worker died is failed.
    """
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    futures = {executor.submit(run_point, t): t for t in tasks}
    retry: list[dict[str, Any]] = []
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        for fut in done:
            task = futures[fut]
            try:
                outcome = fut.result()
            except BrokenProcessPool:
                if not leftovers(Path(task["folder"]), task["name"]):
                    retry.append(task)
                    continue
                outcome = _unrecorded_failure(
                    task,
                    "Der Arbeitsprozess ist abgestürzt (zum Beispiel weil der Speicher nicht reichte).",
                )
            except Exception as exc:  # noqa: BLE001 - e.g. Dask's KilledWorker: record, go on
                outcome = _unrecorded_failure(
                    task, f"Der Punkt ist fehlgeschlagen: {type(exc).__name__}: {exc}"
                )
            on_done(outcome)
    return retry


def _run_local(
    tasks: list[dict[str, Any]],
    jobs: int,
    on_done: Callable[[dict[str, Any]], None],
    log: str | None = None,
) -> None:
    """A spawn process pool; a pool broken by a dying worker is replaced for the rest."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    queue = list(tasks)
    while queue:
        pool = ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(queue))),
            mp_context=mp.get_context("spawn"),
            initializer=_worker_init,
            initargs=(log,),
        )
        try:
            queue = _drain(pool, queue, on_done)
            pool.shutdown(wait=True)
        except KeyboardInterrupt:
            workers = list(getattr(pool, "_processes", {}) or {})
            pool.shutdown(wait=False, cancel_futures=True)
            _kill_tree(workers)
            raise _Abort from None


def _run_dask(
    tasks: list[dict[str, Any]], address: str, on_done: Callable[[dict[str, Any]], None]
) -> None:
    """The points as tasks on an existing Dask cluster, through its executor."""
    from distributed import Client

    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise RunError(f"Der Dask-Cluster unter {address} ist nicht erreichbar: {exc}") from None
    executor = client.get_executor(pure=False, retries=0)
    try:
        _drain(executor, tasks, on_done)
    except KeyboardInterrupt:
        executor.shutdown(wait=False)
        raise _Abort from None
    finally:
        client.close()


# --- the sweep -----------------------------------------------------------------------


@dataclass
class SweepResult:
    """A sweep after this call: every point's state in grid order, and what this call did."""

    folder: Path
    identity: str
    states: list[RunResult]
    ran: int
    skipped: int
    aborted: bool = False

    def count(self, status: RunStatus) -> int:
        return sum(1 for s in self.states if s.status == status)


class _Progress:
    """tqdm bar with points done / failed / remaining and the estimated time left (German)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.done = self.failed = 0
        self.total = total
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                unit="Punkt",
                file=sys.stderr,
                dynamic_ncols=True,
                bar_format="{desc} |{bar}| {n_fmt}/{total_fmt} "
                "[{elapsed} vergangen, noch etwa {remaining}]",
            )
            self._postfix()

    def _postfix(self) -> None:
        if self.bar is not None:
            rest = self.total - self.done - self.failed
            self.bar.set_description_str(
                f"Sweep: {self.done} fertig, {self.failed} fehlgeschlagen, {rest} offen",
                refresh=False,
            )

    def update(self, ok: bool) -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        if self.bar is not None:
            self._postfix()
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_sweep(
    lab: Lab,
    grid: Grid,
    out_root: Path | None = None,
    *,
    jobs: int | None = None,
    cluster: str | None = None,
    retry_failed: bool = False,
    timeout: int | None = 600,
    html: bool = False,
    progress: bool = True,
) -> SweepResult:
    """Run every open point (and failed ones with ``retry_failed``), then write the summary."""
    from . import history
    from .paths import export_absolute
    from .running import ensure_kernel

    ensure_kernel()
    export_absolute()
    root = Path(out_root or runs_dir()).resolve()
    folder = sweep_folder(lab, grid, root)
    folder.mkdir(parents=True, exist_ok=True)
    points = grid.points()
    _write_manifest(folder, lab, grid, points)
    states = {name: read_point(folder, lab, grid, name, values) for name, values in points}
    rerun = {RunStatus.OPEN, RunStatus.ABORTED} | ({RunStatus.FAILED} if retry_failed else set())
    todo = [states[name] for name, _ in points if states[name].status in rerun]
    for state in todo:
        if state.folder is not None:  # an old failed attempt; the history keeps its error
            shutil.rmtree(state.folder, ignore_errors=True)
        for leftover in leftovers(folder, state.point):
            shutil.rmtree(leftover, ignore_errors=True)
    env = {var: os.environ.get(var, "") for var in _ENV_VARS}
    tasks = [
        {
            **env,
            "lab": lab.slug,
            "name": s.point,
            "values": s.parameters,
            "folder": str(folder),
            "out_root": str(root),
            "timeout": timeout,
            "html": html,
            "sweep_id": grid.identity,
        }
        for s in todo
    ]
    bar = _Progress(len(tasks), progress)
    finished: set[str] = set()

    def fail(name: str, status: RunStatus, message: str) -> None:
        # A point its worker could not record (it died, refused the values or was stopped).
        state = read_point(folder, lab, grid, name, states[name].parameters)
        state.status, state.error, state.metrics = status, message, {}
        mark_failed(folder, name, state)
        history.add_run(state, db=root / history.DB_NAME)

    def on_done(outcome: dict[str, Any]) -> None:
        name = outcome["name"]
        finished.add(name)
        if outcome.get("unrecorded"):
            fail(name, RunStatus.FAILED, outcome["error"])
        states[name] = read_point(folder, lab, grid, name, states[name].parameters)
        bar.update(outcome["status"] == RunStatus.OK)

    aborted = False
    try:
        if not tasks:
            pass
        elif cluster:
            _run_dask(tasks, cluster, on_done)
        else:
            _run_local(tasks, jobs or default_jobs(), on_done, str(folder / LOG_NAME))
    except _Abort:
        aborted = True
        for task in tasks:
            name = task["name"]
            if name in finished:
                continue
            states[name] = read_point(folder, lab, grid, name, states[name].parameters)
            if states[name].status == RunStatus.OPEN and leftovers(folder, name):
                fail(name, RunStatus.ABORTED, ABORTED_MESSAGE)
                states[name] = read_point(folder, lab, grid, name, states[name].parameters)
    finally:
        bar.close()
    ordered = [states[name] for name, _ in points]
    write_summary(folder, lab, grid, ordered)
    return SweepResult(
        folder,
        grid.identity,
        ordered,
        ran=len(finished),
        skipped=len(points) - len(tasks),
        aborted=aborted,
    )


def _write_manifest(
    folder: Path, lab: Lab, grid: Grid, points: list[tuple[str, dict[str, Any]]]
) -> None:
    path = folder / "sweep.json"
    if path.is_file():
        return
    data = {
        "lab": lab.slug,
        "id": grid.identity,
        "erstellt": datetime.now().astimezone().isoformat(timespec="seconds"),
        "achsen": grid.axes,
        "stichprobe": grid.sample,
        "seed": grid.seed,
        "punkte": [{"name": n, "parameter": v} for n, v in points],
    }
    tmp = folder / f".sweep.json.tmp-{os.getpid()}"
    tmp.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    os.replace(tmp, path)


# --- results -------------------------------------------------------------------------


def summary_rows(grid: Grid, states: list[RunResult]) -> tuple[list[str], list[list[Any]]]:
    """Header and one row per point for ``ergebnisse.csv``."""
    metric_names: dict[str, None] = {}
    for s in states:
        metric_names.update(dict.fromkeys(s.metrics))
    header = ["Punkt", "Status", *grid.axes, *metric_names, "Dauer_s", "Fehler"]
    rows = []
    for s in states:
        params = [
            ", ".join(map(str, v)) if isinstance(v, list) else v for v in s.parameters.values()
        ]
        rows.append(
            [
                s.point,
                str(s.status),
                *params,
                *(s.metrics.get(m, "") for m in metric_names),
                "" if s.duration_s is None else s.duration_s,
                s.error or "",
            ]
        )
    return header, rows


def write_summary(folder: Path, lab: Lab, grid: Grid, states: list[RunResult]) -> None:
    """``ergebnisse.csv`` (one row per point) and ``ergebnisse.png``, both written atomically."""
    import csv

    header, rows = summary_rows(grid, states)
    tmp = folder / f".{SUMMARY_CSV}.tmp-{os.getpid()}"
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(tmp, folder / SUMMARY_CSV)
    fig = plot_summary(lab, grid, states, _metric_labels(states))
    if fig is not None:
        tmp = folder / f".tmp-{os.getpid()}-{SUMMARY_PNG}"
        fig.savefig(tmp, format="png", bbox_inches="tight", dpi=100)
        os.replace(tmp, folder / SUMMARY_PNG)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _metric_labels(states: list[RunResult]) -> dict[str, str]:
    """The German labels of the metrics, read from the first finished point's notebook."""
    from .recording import read_metric_labels

    for s in states:
        name = s.files.get("notebook")
        if s.status == RunStatus.OK and s.folder is not None and name:
            try:
                return read_metric_labels(Path(s.folder) / name)
            except (OSError, ValueError):
                continue
    return {}


def plot_summary(
    lab: Lab, grid: Grid, states: list[RunResult], labels: dict[str, str] | None = None
):
    """Each numeric metric against the first varied parameter, one line per other combination.

    One panel per metric, titled with its German label from ``labels`` (what the
    notebook passed to ``record``; else the name made readable); the x axis is
    labelled with the parameter's label from lab.yaml, numbers in German format.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from .formatting import cell, readable
    from .plotting import PALETTE, use_style

    ok = [s for s in states if s.status == RunStatus.OK]
    metrics = [
        m
        for m in dict.fromkeys(k for s in ok for k in s.metrics)
        if all(_is_number(s.metrics.get(m)) for s in ok if m in s.metrics)
    ]
    if not ok or not metrics:
        return None
    use_style()
    varied = grid.varied or list(grid.axes)[:1]
    x_name = next(
        (n for n in varied if lab.parameters[n].type in ("int", "float")),
        varied[0] if varied else None,
    )
    others = [n for n in varied if n != x_name]

    def label(value: Any) -> str:
        return cell(value, max_digits=6)

    x_values = grid.axes.get(x_name, [None]) if x_name else [None]
    numeric_x = x_name is not None and all(_is_number(v) for v in x_values)
    positions = {label(v): i for i, v in enumerate(x_values)}
    fig = Figure(figsize=(7.5, 2.4 * len(metrics) + 0.8), layout="constrained")
    axes = fig.subplots(len(metrics), 1, squeeze=False)[:, 0]
    groups: dict[str, list[RunResult]] = {}
    for s in ok:
        key = ", ".join(
            f"{lab.parameters[n].display_label if n in lab.parameters else n} = "
            f"{label(s.parameters[n])}"
            for n in others
        )
        groups.setdefault(key, []).append(s)
    for ax, metric in zip(axes, metrics, strict=True):
        for i, (key, members) in enumerate(sorted(groups.items())):
            pts = [
                (
                    s.parameters.get(x_name)
                    if numeric_x
                    else positions.get(label(s.parameters.get(x_name)), 0),
                    s.metrics[metric],
                )
                for s in members
                if metric in s.metrics
            ]
            pts.sort(key=lambda p: p[0])
            ax.plot(
                [p[0] for p in pts],
                [p[1] for p in pts],
                marker="o",
                color=PALETTE[i % len(PALETTE)],
                label=key or None,
            )
        ax.set_title((labels or {}).get(metric) or readable(metric), loc="left", fontsize=11)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: cell(float(v), max_digits=4)))
        if numeric_x:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: cell(float(v), max_digits=4)))
        else:
            ax.set_xticks(list(positions.values()), list(positions))
        if len(groups) > 1 and ax is axes[0]:
            ax.legend(fontsize=9, frameon=False)
    x_label = lab.parameters[x_name].display_label if x_name in lab.parameters else x_name
    axes[-1].set_xlabel(x_label or "Punkt")
    fig.suptitle(f"Sweep {grid.identity}: Kennzahlen von „{lab.title}“")
    return fig
