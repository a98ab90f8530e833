"""Notebook and metadata hygiene that maintainers run before committing a lab."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from .catalog import AUDIENCES, LEVELS, REQUIRED_FIELDS, Lab, discover
from .errors import DatenlaborError
from .parameters import PARAM_LINE, papermill_view
from .running import KERNEL_NAME


def check_notebook(path: Path) -> list[str]:
    """Problems of the notebook file alone: outputs, parameters cell, kernelspec."""
    problems = []
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{path}: nicht lesbar ({exc})."]
    cells = nb.get("cells", [])
    dirty = [
        i + 1
        for i, c in enumerate(cells)
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    if dirty:
        problems.append(
            f"{path.name}: Zellen {', '.join(map(str, dirty))} enthalten Ausgaben (ohne Ausgaben speichern)."
        )
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != KERNEL_NAME:
        problems.append(f"{path.name}: Kernel ist „{kernel}“, erwartet „{KERNEL_NAME}“.")
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        problems.append(f"{path.name}: Keine Zelle mit dem Tag „parameters“.")
        return problems
    if len(tagged) > 1:
        problems.append(f"{path.name}: Mehr als eine Zelle mit dem Tag „parameters“.")
    source = tagged[0].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.count("=") > 1:
            problems.append(
                f"{path.name}: Parameterzelle Zeile {number}: Der Hilfetext darf kein „=“ enthalten "
                "(papermill kann die Zeile sonst nicht lesen)."
            )
        elif not PARAM_LINE.match(stripped):
            problems.append(
                f"{path.name}: Parameterzelle Zeile {number} „{stripped}“ hat nicht die Form "
                "„name: typ = vorgabe  # Hilfetext“."
            )
    return problems


APP_HIDDEN_TAGS = {"nur-notebook", "parameters"}
"""Cells with these tags are not shown in the app (see the Voilà template)."""

RAW_WORDS = re.compile(r"(?<![\w-])(True|False|NaN|nan|NaT|dtype|<NA>|None)(?![\w-])")
"""Programming words that must not appear on an app page (pandas and Python reprs)."""

# Calls whose output is formatted for people (or is no table at all).
_FORMATTING_OBJECTS = {"plotting", "app", "datenlabor", "upload", "display", "print"}


def raw_words(text: str) -> list[str]:
    """Programming words in ``text`` that people should not read (True/False/NaN/nan/dtype/<NA>)."""
    return sorted(set(RAW_WORDS.findall(text)))


def _unformatted_output(source: str) -> str | None:
    """The cell's last expression if Jupyter would show it with its raw repr, else None.

    A bare pandas expression (``df.head()``, ``tabelle``, ``s.value_counts()``,
    ``df.dtypes``, ``df.style.format(...)`` without ``na_rep``) is rendered by
    pandas itself: Python's ``True``/``False``, ``NaN``/``nan`` for gaps and
    ``dtype`` lines. Calls of a plain function (``tabelle(df)``, a lab's own
    formatting helper) and of datenlabor's helpers are trusted.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    if source.rstrip().endswith(";"):
        return None
    expr = tree.body[-1].value
    if isinstance(expr, ast.Constant):
        return None
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Name):
            return None
        root = func
        while isinstance(root, ast.Attribute | ast.Call | ast.Subscript):
            root = root.func if isinstance(root, ast.Call) else root.value
        if isinstance(root, ast.Name) and root.id in _FORMATTING_OBJECTS:
            return None
        if isinstance(func, ast.Attribute) and func.attr in {"fit", "record", "interact"}:
            return None
        if any(k.arg == "na_rep" for k in expr.keywords) and "style" in ast.unparse(func):
            return None
    text = ast.unparse(expr)
    return text if len(text) <= 60 else text[:57] + "…"


def check_app_outputs(path: Path) -> list[str]:
    """Cells shown in the app whose output would carry True/False/NaN/nan/dtype text.

    Cells tagged ``nur-notebook`` (shown only in JupyterLab) are skipped.
    """
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    problems = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        if APP_HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        shown = _unformatted_output(source)
        if shown:
            problems.append(
                f"{path.name}: Zelle {number} zeigt „{shown}“ in der App ungeformt (True/False, "
                "NaN, dtype); für Menschen formatieren oder die Zelle mit „nur-notebook“ markieren."
            )
    return problems


APP_LAB_CALL = re.compile(r"""\bapp\.lab\(\s*["']([^"']*)["']\s*\)""")


def check_app_calls(lab: Lab) -> list[str]:
    """The notebook names its lab once with ``app.lab("<slug>")`` before any ``app.interact``."""
    nb = json.loads(lab.notebook.read_text(encoding="utf-8"))
    code = "\n".join(
        "".join(c.get("source", "")) for c in nb.get("cells", []) if c.get("cell_type") == "code"
    )
    named = APP_LAB_CALL.findall(code)
    if "app.interact(" in code and not named:
        return [f'{lab.notebook.name}: app.interact braucht vorher app.lab("{lab.slug}").']
    if len(named) > 1:
        return [
            f"{lab.notebook.name}: app.lab(...) steht {len(named)}-mal im Notebook, bitte nur einmal."
        ]
    if named and named[0] != lab.slug:
        return [
            f'{lab.notebook.name}: app.lab("{named[0]}") passt nicht zum Ordner, '
            f'erwartet app.lab("{lab.slug}").'
        ]
    return []


def check_learning(lab: Lab) -> list[str]:
    """Exercises, self-checks and quiz of a lab, plus any exercise notebook left in its folder."""
    from .exercises import EXERCISE_SUFFIX, check_exercise_notebook, check_exercises
    from .quiz import check_quiz

    nb = json.loads(lab.notebook.read_text(encoding="utf-8"))
    declared = lab.meta.get("aufgaben")
    problems = check_exercises(
        nb, lab.notebook.name, declared if isinstance(declared, dict) else None
    )
    problems += check_quiz(lab)
    for extra in sorted(lab.folder.glob(f"*{EXERCISE_SUFFIX}")):
        problems += check_exercise_notebook(extra)
    return problems


def check_lab(lab: Lab) -> list[str]:
    """All problems of one lab; an empty list means the lab is fine."""
    prefix = f"[{lab.slug}] "
    if not lab.notebook.is_file():
        return [prefix + f"Notebook {lab.notebook.name} fehlt."]
    problems = check_notebook(lab.notebook) + check_app_calls(lab) + check_learning(lab)
    problems += check_app_outputs(lab.notebook)
    meta = lab.meta
    for key in REQUIRED_FIELDS:
        if meta.get(key) in (None, "", [], {}):
            problems.append(f"lab.yaml: Angabe „{key}“ fehlt oder ist leer.")
    if meta.get("audience") and meta["audience"] not in AUDIENCES:
        problems.append(
            f"lab.yaml: audience „{meta['audience']}“ ist keiner von {', '.join(AUDIENCES)}."
        )
    if meta.get("level") and meta["level"] not in LEVELS:
        problems.append(f"lab.yaml: level „{meta['level']}“ ist keiner von {', '.join(LEVELS)}.")
    if not isinstance(meta.get("duration_minutes", 0), int) or meta.get("duration_minutes", 0) <= 0:
        problems.append("lab.yaml: duration_minutes muss eine positive Ganzzahl sein.")
    if any("„parameters“" in p for p in problems):
        return [prefix + p for p in problems]
    try:
        params = lab.parameters
    except Exception as exc:  # noqa: BLE001 - report, do not crash the check
        return [prefix + p for p in problems] + [prefix + f"Parameter nicht lesbar: {exc}"]
    ours = {name: (p.type, p.help) for name, p in params.items()}
    theirs = papermill_view(lab.notebook)
    for name in sorted(set(ours) | set(theirs)):
        if name not in theirs:
            problems.append(
                f"Parameter „{name}“: papermill erkennt ihn nicht (siehe --help-notebook)."
            )
        elif name not in ours:
            problems.append(
                f"Parameter „{name}“: nicht in der Form „name: typ = vorgabe  # Hilfetext“."
            )
        elif ours[name] != theirs[name]:
            problems.append(
                f"Parameter „{name}“: papermill liest {theirs[name]}, Datenlabor {ours[name]}."
            )
    for name in lab.constraints:
        if name not in params:
            problems.append(
                f"lab.yaml: Regel für „{name}“, aber die Parameterzelle hat keinen solchen Parameter."
            )
    for name, p in params.items():
        if not p.help:
            problems.append(f"Parameter „{name}“ hat keinen Hilfetext.")
        if name not in lab.constraints or not lab.constraints[name].get("label"):
            problems.append(
                f"lab.yaml: Parameter „{name}“ braucht ein „label“ (Beschriftung im App-Modus)."
            )
        try:
            p.validate(p.default)
        except DatenlaborError as exc:
            problems.append(f"Vorgabewert passt nicht zu den Regeln: {exc}")
    for name, value in lab.ci_parameters.items():
        if name not in params:
            problems.append(f"lab.yaml: ci_parameters nennt unbekannten Parameter „{name}“.")
            continue
        try:
            params[name].validate(value)
        except DatenlaborError as exc:
            problems.append(f"ci_parameters: {exc}")
    for name, rng in lab.metric_ranges.items():
        lo, hi = (rng or {}).get("min"), (rng or {}).get("max")
        if not isinstance(lo, int | float) or not isinstance(hi, int | float) or lo > hi:
            problems.append(f"lab.yaml: Kennzahl „{name}“ braucht Zahlen min ≤ max.")
    from .datasets import validate_package

    for dataset_id in lab.datasets:
        try:
            problems.extend(validate_package(dataset_id))
        except DatenlaborError as exc:
            problems.append(str(exc))
    return [prefix + p for p in problems]


def check_all(root: Path | None = None) -> list[str]:
    """Problems of every lab under ``root`` (default: labs/)."""
    problems: list[str] = []
    labs = discover(root)
    if not labs:
        problems.append("Keine Labs gefunden.")
    for lab in labs:
        problems.extend(check_lab(lab))
    return problems
