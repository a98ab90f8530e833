"""Notebook and metadata hygiene that maintainers run before committing a lab."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

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


# Calls that return a list, dict, set, tuple, array or bytes: print() shows their Python repr
# (``['a', 'b']``, ``{'a': 1.5}``, ``b'…'``) instead of text written for people.
_CONTAINER_BUILTINS = {"list", "dict", "set", "frozenset", "tuple", "sorted", "zip", "enumerate"}
_CONTAINER_METHODS = {
    "split",
    "splitlines",
    "findall",
    "tolist",
    "to_list",
    "to_dict",
    "unique",
    "keys",
    "values",
    "items",
    "read_bytes",
}
_CONTAINER_NODES = (
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _bindings(body: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """Values assigned to plain names in ``body``, not looking into nested functions."""
    found: dict[str, list[ast.expr]] = {}
    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
                elif (
                    isinstance(target, ast.Tuple)
                    and isinstance(node.value, ast.Tuple)
                    and len(target.elts) == len(node.value.elts)
                    and all(isinstance(t, ast.Name) for t in target.elts)
                ):  # a, b = [], []
                    for name, value in zip(target.elts, node.value.elts, strict=True):
                        found.setdefault(name.id, []).append(value)
                else:  # tuple unpacking and attributes: value unknown
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            found.setdefault(name.id, []).append(ast.Constant(None))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and isinstance(
            node.target, ast.Name
        ):
            found.setdefault(node.target.id, []).append(node.value or ast.Constant(None))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.attr in {"append", "extend", "insert"}
        ):  # what goes into a list: "name[]" holds its elements (unknown unless appended)
            added = node.args[-1] if node.func.attr == "append" and node.args else None
            found.setdefault(node.func.value.id + "[]", []).append(added or ast.Constant(None))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.setdefault(node.name, []).append(ast.Constant(None))
        elif isinstance(node, ast.For | ast.With | ast.comprehension):
            targets = [node.target] if hasattr(node, "target") else []
            targets += [i.optional_vars for i in getattr(node, "items", []) if i.optional_vars]
            for target in targets:  # loop variables: value unknown
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        found.setdefault(name.id, []).append(ast.Constant(None))
        todo.extend(ast.iter_child_nodes(node))
    return found


def _local_bindings(func: ast.FunctionDef) -> dict[str, list[ast.expr]]:
    """Names bound inside ``func``; its parameters are unknown values that shadow the module."""
    found = _bindings(func.body)
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            found.setdefault(arg.arg, []).append(ast.Constant(None))
    return found


class _Containers:
    """Which names and function calls of one notebook hold a list, dict, set, tuple or bytes.

    Deliberately narrow: a name counts only when every assignment to it is such a value, a
    function only when every ``return`` gives one; an element (``x[0]``) is never assumed to
    be one. Rather miss a repr than flag a sentence.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.functions = {
            f.name: f
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef)  # lab helpers; methods have no plain name
        }
        self.module = _bindings(tree.body)
        self._returns: dict[str, bool] = {}

    def returns_container(self, name: str) -> bool:
        if name not in self._returns:
            self._returns[name] = False  # recursion guard
            func = self.functions[name]
            local = _local_bindings(func)
            values = self._return_values(func)
            self._returns[name] = bool(values) and all(
                v is not None and self.holds(v, local) for v in values
            )
        return self._returns[name]

    @staticmethod
    def _owner(func: ast.FunctionDef, node: ast.AST) -> ast.AST:
        """The innermost function of ``func`` (or ``func`` itself) that contains ``node``."""
        for inner in ast.walk(func):
            if (
                inner is not func
                and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                and any(n is node for n in ast.walk(inner))
            ):
                return inner
        return func

    def elements(self, expr: ast.expr, local: dict[str, list[ast.expr]] | None = None) -> bool:
        """True if every element of the list ``expr`` certainly is a container (list of lists)."""
        if isinstance(expr, ast.List | ast.Tuple | ast.Set):
            return all(self.holds(e, local) for e in expr.elts)
        if isinstance(expr, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            if self.holds(expr.elt, local):
                return True
            loops = [g for g in expr.generators if isinstance(g.target, ast.Name)]
            return isinstance(expr.elt, ast.Name) and any(
                g.target.id == expr.elt.id and self.elements(g.iter, local) for g in loops
            )
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            name = expr.func.id
            if name not in self.functions:
                return False
            key = name + "[]"
            if key not in self._returns:
                self._returns[key] = False  # recursion guard
                func = self.functions[name]
                values = self._return_values(func)
                inner = _local_bindings(func)
                self._returns[key] = bool(values) and all(
                    v is not None and self.elements(v, inner) for v in values
                )
            return self._returns[key]
        if isinstance(expr, ast.Name):
            scopes = [local, self.module] if local is not None else [self.module]
            for scope in scopes:
                if expr.id in scope:
                    inner = local if scope is local else None
                    return all(self.elements(v, inner) for v in scope[expr.id]) and all(
                        self.holds(v, inner) for v in scope.get(expr.id + "[]", [])
                    )
            return False
        return False

    def _return_values(self, func: ast.FunctionDef) -> list[ast.expr | None]:
        return [
            n.value
            for n in ast.walk(func)
            if isinstance(n, ast.Return) and self._owner(func, n) is func
        ]

    def holds(self, expr: ast.expr, local: dict[str, list[ast.expr]] | None = None) -> bool:
        """True if ``expr`` certainly evaluates to a container whose repr print() would show."""
        if isinstance(expr, _CONTAINER_NODES):
            return True
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, bytes)
        if isinstance(expr, ast.Subscript):
            if isinstance(expr.slice, ast.Slice):
                return self.holds(expr.value, local)  # a slice of a list is a list
            return self.elements(expr.value, local)  # one element: a list of lists
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute):
                return func.attr in _CONTAINER_METHODS
            if isinstance(func, ast.Name):
                if func.id in _CONTAINER_BUILTINS:
                    return True
                return func.id in self.functions and self.returns_container(func.id)
            return False
        if isinstance(expr, ast.Name):
            scopes = [local, self.module] if local is not None else [self.module]
            for scope in scopes:
                if expr.id in scope:
                    values = scope[expr.id]
                    return all(self.holds(v, local if scope is local else None) for v in values)
            return False
        return False


REPR_ALLOWED: dict[str, set[str]] = {
    # The lesson's subject: the first bytes of a raw CSV file, exactly as they are stored.
    "offene-daten-nutzen.ipynb": {"print(kita_datei.read_bytes()[:160])"},
}
"""Known reprs not yet fixed: notebook file name -> calls exactly as ``repr_outputs`` returns
them. Each entry is either what a lesson is about (raw bytes) or a debt to be formatted for people."""


def _shown_values(call: ast.Call) -> list[ast.expr]:
    """What ``print(...)``/``display(...)`` writes as text: arguments and f-string fields."""
    shown = []
    for arg in call.args:
        if isinstance(arg, ast.JoinedStr):
            shown += [v.value for v in arg.values if isinstance(v, ast.FormattedValue)]
        else:
            shown.append(arg)
    return shown


def repr_outputs(source: str, containers: _Containers) -> list[str]:
    """``print``/``display`` calls in ``source`` that would show a Python list/dict/tuple repr.

    Returns the calls as written (shortened). A value counts when it certainly is a list,
    dict, set, tuple, generator or bytes: a literal or comprehension, ``sorted(...)``,
    ``list(...)``, ``.split()``, ``.unique()``, ``.tolist()``, ``.items()`` …, a name every
    assignment of which is one, or a call of a notebook function every ``return`` of which
    gives one (see ``_Containers``). ``", ".join(...)`` and formatting helpers are text.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"print", "display"}
        ):
            continue
        owners = [
            f
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and any(n is node for n in ast.walk(f))
        ]
        local = _local_bindings(owners[-1]) if owners else None  # innermost function
        if any(containers.holds(value, local) for value in _shown_values(node)):
            text = ast.unparse(node)
            found.append(text if len(text) <= 60 else text[:57] + "…")
    return found


def check_app_outputs(path: Path) -> list[str]:
    """Cells shown in the app whose output would carry True/False/NaN/nan/dtype text
    or a printed Python list/dict/tuple (``['a', 'b']``, ``{'a': 1.5}``; see ``repr_outputs``).

    Cells tagged ``nur-notebook`` (shown only in JupyterLab) are skipped; calls listed in
    ``REPR_ALLOWED`` for this notebook are not reported.
    """
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    problems = []
    code = [
        (number, cell)
        for number, cell in enumerate(nb.get("cells", []), start=1)
        if cell.get("cell_type") == "code"
    ]
    sources = {number: _source(cell) for number, cell in code}
    containers = _Containers(_parse_all(sources.values()))
    allowed = REPR_ALLOWED.get(path.name, set())
    for number, cell in code:
        if APP_HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        shown = _unformatted_output(sources[number])
        if shown:
            problems.append(
                f"{path.name}: Zelle {number} zeigt „{shown}“ in der App ungeformt (True/False, "
                "NaN, dtype); für Menschen formatieren oder die Zelle mit „nur-notebook“ markieren."
            )
        for lost in _tables_not_shown(sources[number]):
            problems.append(
                f"{path.name}: Zelle {number}: „{lost}“ steht nicht am Ende der Zelle und wird "
                "deshalb nicht angezeigt; display(...) darum schreiben."
            )
        for call in repr_outputs(sources[number], containers):
            if call in allowed:
                continue
            problems.append(
                f"{path.name}: Zelle {number} zeigt mit „{call}“ Python-Schreibweise in der "
                "App (Liste, Dictionary oder Bytes: ['…'], {'…': …}, b'…'); als Satz oder mit "
                "datenlabor.table für Menschen formatieren oder die Zelle mit „nur-notebook“ "
                "markieren."
            )
    return problems


def _tables_not_shown(source: str) -> list[str]:
    """``datenlabor.table(...)`` statements before a cell's last line: Jupyter shows nothing."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return []
    return [
        ast.unparse(stmt.value.func) + "(…)"
        for stmt in body[:-1]
        if isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and ast.unparse(stmt.value.func) in {"datenlabor.table", "table"}
    ]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _parse_all(sources: Any) -> ast.Module:
    """All code cells as one module; cells Python cannot parse (magics) are left out."""
    body: list[ast.stmt] = []
    for source in sources:
        try:
            body += ast.parse(source).body
        except SyntaxError:
            continue
    return ast.Module(body=body, type_ignores=[])


REPR_TEXT = re.compile(
    r"""(?<![\w„“])(?:[\[{(]\s*(['"])[^'"\n]{0,80}\1\s*[,:\]})]|b'[^'\n]{0,80}')"""
)
"""Python's way of printing a list, dict, tuple or bytes: ``['a', …``, ``{'a': 1``, ``b'…'``."""

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def executed_reprs(path: Path, name: str | None = None) -> list[str]:
    """Cells of an executed notebook whose app-visible output prints a Python repr.

    The counterpart of ``repr_outputs`` for what a run really showed (stream text, plain
    text and HTML text; widget views are not text). Cells whose calls are all listed in
    ``REPR_ALLOWED`` for ``name`` (the lab's notebook file name; default ``path.name``) are
    not reported. Returns ``"Zelle N: <text>"`` entries; raises ``OSError``/``ValueError``
    for an unreadable notebook.
    """
    import html as html_module

    nb = json.loads(path.read_text(encoding="utf-8"))
    allowed = REPR_ALLOWED.get(name or path.name, set())
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    containers = _Containers(_parse_all(_source(c) for c in code))
    found = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        if APP_HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if _WIDGET_VIEW in data:
                continue
            text = output.get("text") or data.get("text/html") or data.get("text/plain") or ""
            text = "".join(text) if isinstance(text, list) else text
            if "text/html" in data:
                text = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", text)
                text = html_module.unescape(re.sub(r"<[^>]+>", " ", text))
            hit = REPR_TEXT.search(text)
            if not hit:
                continue
            calls = repr_outputs(_source(cell), containers)
            if allowed and calls and set(calls) <= allowed:
                continue
            line = text[max(0, hit.start() - 20) : hit.end() + 20].strip()
            found.append(f"Zelle {number}: {line}")
    return found


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
