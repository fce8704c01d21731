"""The shape of the code, checked from its source: commands at the edge, no import circles, and a
safety layer that stands alone.

Imports are read with ``ast`` (nothing is imported), lazy ones inside functions included: an
import circle through a function-level import is still a circle a reader has to untangle.
Imports under ``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("medtune", "safety")
COMMAND_LINE = {"medtune.cli", "medtune.__main__", "safety.__main__"}  # the edges; nothing imports them


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str) -> list[tuple[str, bool]]:
    """(module imported, at module top level?) for every import in ``name`` that runs."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(ast.Module(body=[sub], type_ignores=[]), top)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, top) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    found.append((sub if sub in MODULES else base, top))  # `from pkg import module`
            inner_top = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner_top)

    visit(tree, True)
    return found


def internal_graph() -> dict[str, set[str]]:
    """medtune and safety modules -> the ones of them they import.

    Left out: the root package ``medtune`` as a target (every import of a submodule loads it first
    anyway, so it closes no circle that means anything; its own lazy imports of the API stay in),
    and safety's lazy imports of medtune: safety stands alone and only asks "is medtune installed?"
    to read a config by medtune's rule (``safety/config.py``), while medtune depends on safety.
    """
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        targets = {m for m, _ in imports_of(name) if m in MODULES and m != name and m != "medtune"}
        if name.split(".")[0] == "safety":
            targets = {m for m in targets if m.split(".")[0] != "medtune"}
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found


def test_no_import_circle_among_medtune_and_safety_modules():
    assert cycles(internal_graph()) == []


def test_the_cycle_finder_finds_a_circle_through_a_lazy_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_library_module_imports_the_command_line():
    offenders = {
        name: sorted(m for m, _ in imports_of(name) if m in COMMAND_LINE)
        for name in MODULES
        if name not in COMMAND_LINE
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_command_lines_read_argparse():
    readers = {name for name in MODULES if any(m == "argparse" for m, _ in imports_of(name))}
    assert readers <= COMMAND_LINE, readers - COMMAND_LINE


def test_the_safety_layer_imports_medtune_only_lazily():
    """`import safety` must work, and stay light, where medtune is not installed."""
    top_level = {
        name: sorted({m for m, top in imports_of(name) if top and m.split(".")[0] == "medtune"})
        for name in MODULES
        if name.split(".")[0] == "safety"
    }
    assert {k: v for k, v in top_level.items() if v} == {}


def test_the_module_map_in_docs_names_every_module():
    """docs/architecture.md is the map a newcomer reads first; a module missing from it is a
    module nobody can find. A package may be listed as a whole (``medtune/data/``)."""
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for path in MODULES.values():
        rel = path.relative_to(REPO).as_posix()
        folders = [f"{p.relative_to(REPO).as_posix()}/" for p in path.parents if REPO in p.parents and p.parent != REPO]
        if f"`{rel}`" not in doc and f"{rel}`" not in doc and not any(f"`{f}`" in doc for f in folders):
            missing.append(rel)
    assert missing == []
