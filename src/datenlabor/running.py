"""Run a lab through papermill with validation first and an atomic result folder.

The folder layout and the result record belong to ``results``: a folder under
runs/<lab>/ without the ``.tmp`` or ``-fehlgeschlagen`` suffix is always complete.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from . import errors
from .catalog import Lab
from .errors import DatasetError, ParameterError, RunError
from .parameters import data_column, fit_to_data
from .paths import export_absolute, runs_dir
from .results import RunResult, RunStatus, failed_folder, finish, mark_failed, temporary_folder

KERNEL_NAME = "datenlabor"
POLL_SLICE_S = 1.0
# Unix socket paths are limited to 107 bytes; the ipc names add ~55 to the runtime folder.
_IPC_PATH_ROOM = 50


def ipc_kernels() -> bool:
    """Whether kernels can talk over Unix sockets instead of TCP ports.

    With TCP, jupyter_client picks free ports, releases them and lets the
    kernel bind them a moment later; under load (parallel runs, a server
    answering many connections) another process can take one in between and
    the kernel dies with "Address already in use". Unix sockets named after
    the kernel's id cannot collide, and other local users cannot connect.
    Needs a Unix system and a runtime folder short enough for socket names.
    """
    from jupyter_core.paths import jupyter_runtime_dir

    return os.name == "posix" and len(jupyter_runtime_dir()) <= _IPC_PATH_ROOM


def kernel_options() -> dict[str, Any]:
    """papermill keyword arguments that start the kernel on Unix sockets if possible."""
    from traitlets.config import Config

    if not ipc_kernels():
        return {}
    return {"config": Config({"KernelManager": {"transport": "ipc"}})}


def patch_kernel_polling() -> None:
    """Poll kernel channels in short slices instead of waiting without a limit.

    Under load, nbclient can wait forever for a reply that has already arrived
    when a cell displays widgets (jupyter/nbclient#312): an unbounded zmq poll
    misses the wake-up. Re-polling every second picks the message up; explicit
    timeouts keep their meaning. Applied once, in this process only.
    """
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel

    original = AsyncZMQSocketChannel.get_msg
    if getattr(original, "_datenlabor_sliced", False):
        return

    async def get_msg(self, timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = POLL_SLICE_S
            if deadline is not None:
                step = max(0.0, min(POLL_SLICE_S, deadline - time.monotonic()))
            try:
                return await original(self, timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    get_msg._datenlabor_sliced = True  # type: ignore[attr-defined]
    AsyncZMQSocketChannel.get_msg = get_msg  # type: ignore[method-assign]


def prepare(lab: Lab, values: dict[str, Any]) -> dict[str, Any]:
    """Validate everything that can be checked without a kernel; raises with German text.

    With own data (a ``kind: csv`` value), parameters declared ``aus_daten`` in lab.yaml
    are checked against the values in the file (``parameters.fit_to_data``): a given value
    the file lacks raises ``ParameterError`` naming the file's values; defaults the file
    lacks are replaced by the file's. Returns the full parameter set (defaults overlaid
    with the given values).
    """
    # With own data, choices declared ``aus_daten`` in lab.yaml are the file's values,
    # checked below against the loaded file instead of the synthetic lists.
    own = any(
        p.kind == "csv" and values.get(n) and not p.extra.get("any_csv")
        for n, p in lab.parameters.items()
    )
    held = {
        n: v
        for n, v in values.items()
        if own and n in lab.parameters and data_column(lab.parameters[n])
    }
    clean = lab.validate({n: v for n, v in values.items() if n not in held})
    fitted: dict[str, Any] = {}
    from .datasets import load, package_path

    for dataset_id in lab.datasets:
        package_path(dataset_id)  # missing dataset -> DatasetError
    for name, value in clean.items():
        param = lab.parameters[name]
        if param.kind == "csv" and value and param.extra.get("any_csv"):
            # any table is welcome (quality profile): it only has to be readable
            from .csvfiles import read_csv

            try:
                table = read_csv(
                    value, lesen=own_data_options(lab, clean, name)["lesen"], convert=True
                )
            except DatasetError as exc:
                raise ParameterError(f"Parameter „{name}“: {exc}") from None
            for note in dict.fromkeys((table.attrs.get("csv_info") or {}).get("notes") or []):
                print(f"Hinweis zu „{Path(value).name}“: {note}")
            if table.empty:
                raise ParameterError(
                    f"Parameter „{name}“: Die Datei „{Path(value).name}“ enthält keine "
                    "Datenzeilen (nur eine Kopfzeile oder nichts)."
                )
        elif param.kind == "csv" and value:
            dataset_id = param.extra.get("dataset") or (lab.datasets[0] if lab.datasets else None)
            if dataset_id:
                try:
                    options = own_data_options(lab, clean, name)
                    frame = load(dataset_id, **options, path=value)
                except DatasetError as exc:
                    raise ParameterError(f"Parameter „{name}“: {exc}") from None
                shape = param.extra.get("form_parameter")
                if shape in lab.parameters:  # say which shape the lab will treat it as
                    from .shapes import detect_form

                    form = clean.get(shape, lab.parameters[shape].default)
                    found = detect_form(
                        dataset_id, value, form, options["lesen"], options["spalten"]
                    )
                    print(f"Form der Daten: {found.text}")
                wanted = {
                    n: held[n] if n in held else p.default
                    for n, p in lab.parameters.items()
                    if data_column(p)
                }
                adapted, data_params, _ = fit_to_data(
                    lab.parameters, frame, wanted, source=Path(value).name, given=set(held)
                )
                fitted = {n: v for n, v in adapted.items() if n in data_params}
    for n, v in held.items():  # the file lacks the column: the lab.yaml choices apply
        if n not in fitted:
            fitted[n] = lab.parameters[n].validate(v)
    full = {name: p.default for name, p in lab.parameters.items()}
    full.update(clean)
    full.update(fitted)
    return full


def own_data_options(lab: Lab, values: dict[str, Any], name: str) -> dict[str, Any]:
    """``table``, ``lesen`` and ``spalten`` with which the lab reads own data of parameter ``name``.

    lab.yaml declares the table (``table``) or the parameter that chooses it
    (``table_parameter``), or the shape of the file decides (``form_parameter``, see
    ``shapes.detect_form``; may raise its German ``CsvError``); the read options come from the lab's ``kind: lesen``
    parameter, the column mapping from its ``kind: spalten`` parameter. Values
    not given fall back to the notebook's defaults.
    """
    params = lab.parameters
    extra = params[name].extra
    table = extra.get("table")
    chooser = extra.get("table_parameter")
    if chooser in params:
        table = values.get(chooser, params[chooser].default) or table
    lesen = next(
        (str(values.get(p.name, p.default) or "") for p in params.values() if p.kind == "lesen"),
        "",
    )
    spalten = next(
        (str(values.get(p.name, p.default) or "") for p in params.values() if p.kind == "spalten"),
        "",
    )
    shape = extra.get("form_parameter")
    if shape in params:  # two shapes of the same data (shapes.detect_form): the file decides
        from .shapes import detect_form

        dataset_id = extra.get("dataset") or lab.datasets[0]
        table = (
            detect_form(
                dataset_id,
                values.get(name) or None,
                values.get(shape, params[shape].default),
                lesen=lesen,
                spalten=spalten,
            ).table
            or table
        )
    return {"table": table, "lesen": lesen, "spalten": spalten}


def ensure_kernel() -> None:
    """Fail early with instructions if the lab kernel is not installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise RunError(
            f"Der Kernel „{KERNEL_NAME}“ ist nicht installiert. Bitte einmal "
            "`python3 scripts/bootstrap.py install` ausführen."
        ) from None


def _timestamp() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H-%M-%S-%f")[:-3]


def render_html(notebook_path: Path, html_path: Path) -> None:
    """Static HTML of the executed notebook, for reading without Jupyter."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook_path), as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")


# papermill's tqdm bar, in German (its own says "Executing … cell/s"); papermill
# accepts a dict of tqdm keywords instead of True.
PROGRESS_BAR = {
    "desc": "Lab wird ausgeführt",
    "unit": "Zelle",
    "bar_format": "{desc}: {percentage:3.0f} % |{bar}| {n_fmt}/{total_fmt} Zellen "
    "[{elapsed} vergangen, noch etwa {remaining}]",
}


def execute(
    lab: Lab,
    values: dict[str, Any],
    out_root: Path | None = None,
    *,
    progress: bool = True,
    timeout: int | None = 600,
    html: bool = True,
    folder_name: str | None = None,
    target: Path | None = None,
    history: bool = True,
    sweep_id: str | None = None,
    point: str | None = None,
) -> RunResult:
    """Validate, execute with papermill and store the results atomically.

    Only the given ``values`` are injected; the notebook's own defaults stay in
    effect for the rest, exactly as with plain papermill.

    ``target`` names the result folder directly (sweeps use
    ``runs/<lab>/sweeps/<id>/<point>``); otherwise it is
    ``<out_root>/<lab>/<folder_name or timestamp>``. Every finished or failed
    run is logged in the run history ``<out_root>/historie.sqlite`` unless
    ``history`` is false; ``sweep_id`` and ``point`` name a sweep point.

    Raises ``ParameterError``/``DatasetError`` before any kernel starts, and
    ``RunError`` (after writing ``<name>-fehlgeschlagen/``) when the notebook fails.
    """
    full = prepare(lab, values)
    ensure_kernel()
    export_absolute()
    clean = {k: full[k] for k in values}
    patch_kernel_polling()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .recording import read_metrics

    base = Path(out_root or runs_dir())
    parent = base / lab.slug
    name = folder_name or _timestamp()
    if target is not None:
        parent, name = Path(target).parent, Path(target).name
    final = parent / name
    started = datetime.now().astimezone()
    tmp = temporary_folder(parent, name)
    if final.exists():
        raise RunError(f"Der Ergebnisordner {final} existiert schon.")
    tmp.mkdir(parents=True)
    nb_out = tmp / f"{lab.slug}.ipynb"
    start = time.monotonic()
    result = RunResult(lab.slug, full, sweep_id=sweep_id, point=point)
    try:
        pm.execute_notebook(
            str(lab.notebook),
            str(nb_out),
            parameters=clean,
            kernel_name=KERNEL_NAME,
            progress_bar=PROGRESS_BAR if progress else False,
            cwd=str(tmp),
            execution_timeout=timeout,
            report_mode=False,
            **kernel_options(),
        )
        result.metrics = read_metrics(nb_out)
        result.files = {"notebook": nb_out.name}
        if html:
            render_html(nb_out, tmp / f"{lab.slug}.html")
            result.files["html"] = f"{lab.slug}.html"
        result.duration_s = time.monotonic() - start
        finish(tmp, final, result)
    except BaseException as exc:
        aborted = isinstance(exc, KeyboardInterrupt)
        result.status = RunStatus.ABORTED if aborted else RunStatus.FAILED
        result.error = describe_failure(exc, PapermillExecutionError)
        result.duration_s = time.monotonic() - start
        result.metrics, result.folder = {}, failed_folder(parent, name)
        try:
            mark_failed(parent, name, result, tmp)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
        if history:
            _log_history(base, result, started)
        if aborted:
            raise
        raise RunError(result.error) from exc
    if history:
        _log_history(base, result, started)
    return result


def _log_history(base: Path, result: RunResult, started: datetime) -> None:
    """Add the run to the history; a broken history never fails a finished run."""
    try:
        from . import history

        history.add_run(result, started=started, db=base / history.DB_NAME)
    except Exception as exc:  # noqa: BLE001 - the result folder is the primary record
        import sys

        print(f"Warnung: Lauf nicht in die Historie geschrieben: {exc}", file=sys.stderr)


_OUR_ERRORS = {
    name
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.DatenlaborError)
}


def describe_failure(exc: BaseException, execution_error: type) -> str:
    """German one-paragraph explanation of why a run failed."""
    if isinstance(exc, KeyboardInterrupt):
        return "Der Lauf wurde abgebrochen (Strg+C)."
    if isinstance(exc, execution_error):
        ename = getattr(exc, "ename", "Fehler")
        evalue = getattr(exc, "evalue", "")
        if ename in _OUR_ERRORS:
            return f"Das Notebook hat abgebrochen: {evalue}"
        return f"Eine Zelle des Notebooks ist fehlgeschlagen ({ename}: {evalue})."
    name = type(exc).__name__
    if name == "DeadKernelError":
        return "Der Kernel ist abgestürzt (zum Beispiel weil der Speicher nicht reichte)."
    if name in {"CellTimeoutError", "TimeoutError"}:
        return "Eine Zelle hat zu lange gebraucht und wurde abgebrochen."
    return f"Der Lauf ist fehlgeschlagen: {name}: {exc}"
