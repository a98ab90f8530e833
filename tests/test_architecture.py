"""The package's import structure: no cycles, kernel-side modules stay away from server and CLI.

Reads every module's imports with ``ast``: module level, inside functions,
lazy re-exports and ``if TYPE_CHECKING:`` blocks alike, so neither a lazy
import nor a type-only one can hide a dependency between two modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__import__("datenlabor").__file__).parent
KERNEL_SIDE = ["datasets", "csvfiles", "recording", "plotting", "app", "upload"]
NOT_IN_KERNEL = ("datenlabor.server", "datenlabor.serving", "datenlabor.cli")


def _module_name(path: Path, package: Path) -> str:
    parts = ["datenlabor", *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """Package modules that ``name`` (at ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)  # `from . import x`
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in modules and m != name}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module name -> the package modules it imports."""
    paths = {_module_name(p, package): p for p in package.rglob("*.py")}
    return {name: _imports(path, name, set(paths)) for name, path in paths.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_package_has_no_import_cycle():
    cycle = _cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("module", KERNEL_SIDE)
def test_kernel_side_modules_never_reach_server_or_cli(module):
    graph = import_graph()
    reached, todo = set(), [f"datenlabor.{module}"]
    while todo:
        current = todo.pop()
        for nxt in graph[current] - reached:
            reached.add(nxt)
            todo.append(nxt)
    bad = sorted(m for m in reached if m.startswith(NOT_IN_KERNEL))
    assert not bad, f"datenlabor.{module} imports (directly or indirectly) {bad}"


def test_kernel_side_modules_import_no_heavy_library():
    # A pre-started app kernel imports these; pandas & co. load only when a lab needs them.
    import subprocess
    import sys

    heavy = ["pandas", "numpy", "ipywidgets", "matplotlib", "babel", "papermill", "voila"]
    code = (
        "import sys\n"
        + "".join(f"import datenlabor.{m}\n" for m in KERNEL_SIDE)
        + f"print(','.join(h for h in {heavy!r} if h in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
