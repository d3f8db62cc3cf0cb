"""The import graph of src/breachlens has no cycle (issue 15): modules can be read, and loaded, bottom-up.

What counts as an edge A -> B: every `import` and `from ... import` in A that names B, wherever it is written —
at module level, inside a function (a lazy import still ties the two modules together) and under
`if TYPE_CHECKING:`. Importing `a.b.c` also runs the `__init__` of `a.b`, so an edge to a module is an edge to
the subpackages on its way too.

One kind of edge is left out of the cycle check: a module taking names from a package it lives in
(`from . import Store` in store/sql.py, `from ..version import __version__` is not one: version is a module).
Python runs a package's `__init__` before any of its submodules, so such a read is safe exactly when the package
does not import that submodule while it is itself being initialised; the second test checks that instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import breachlens

PACKAGE = Path(breachlens.__file__).parent
ROOT = "breachlens"


def _module_name(path: Path) -> str:
    """Dotted name of a source file (`breachlens.ingest.run`, `breachlens.store` for store/__init__.py)."""
    parts = [ROOT, *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _statements(tree: ast.Module, module_level: bool) -> Iterator[ast.AST]:
    """Every node, or (module_level) only those run when the module is imported: not in function bodies and
    not under `if TYPE_CHECKING:`."""
    if not module_level:
        yield from ast.walk(tree)
        return
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _imported(name: str, module_level: bool = False) -> set[tuple[str, bool]]:
    """(module, names taken from it) for each package module `name` imports; subpackages on the way included."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[tuple[str, bool]] = set()
    for node in _statements(ast.parse(path.read_text(encoding="utf-8")), module_level):
        if isinstance(node, ast.Import):
            found.update((alias.name, False) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            submodules = {f"{module}.{alias.name}" for alias in node.names} & set(MODULES)  # `from . import x`
            found.update((m, False) for m in submodules)
            found.add((module, len(submodules) < len(node.names)))
    out: set[tuple[str, bool]] = set()
    for target, takes_names in found:
        parts = target.split(".")
        out.update((".".join(parts[:i]), False) for i in range(2, len(parts)) if ".".join(parts[:i]) in MODULES)
        if target in MODULES:
            out.add((target, takes_names))
    return {(t, names) for t, names in out if t != name}


def _enclosing(name: str) -> set[str]:
    """The packages `name` lives in."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def import_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports (reads of its own packages left out, see the module doc)."""
    return {name: {t for t, _ in _imported(name)} - _enclosing(name) for name in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search, colouring)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def _reachable(start: str, graph: dict[str, set[str]]) -> set[str]:
    """Modules reachable from `start`."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_imports_graph_has_no_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_imports_packages_are_initialised_before_their_submodules_read_them() -> None:
    at_import = {name: {t for t, _ in _imported(name, module_level=True)} for name in MODULES}
    early = [
        f"{name} reads {package}, which imports it while initialising"
        for name in MODULES
        for package, takes_names in _imported(name)
        if takes_names and package in _enclosing(name) and name in _reachable(package, at_import)
    ]
    assert early == []


def test_imports_graph_sees_lazy_and_type_only_imports() -> None:
    graph = import_graph()
    assert "breachlens.pipeline" in graph["breachlens.delivery.web.service"]  # module level
    assert "breachlens.ingest.fetch" in graph["breachlens.ingest.acquire"]  # inside _fetch_url
    assert "breachlens.ingest.executors" in graph["breachlens.ingest.sources"]  # under TYPE_CHECKING too
    assert "breachlens.ingest" in graph["breachlens.pipeline"]  # the subpackage on the way to ingest.acquire
    assert "breachlens.store" not in graph["breachlens.store.sql"]  # names read from its own package


def test_imports_fetcher_knows_nothing_of_the_store() -> None:
    reached = _reachable("breachlens.ingest.fetch", import_graph())
    assert not reached & {"breachlens.store", "breachlens.ingest.run", "breachlens.ingest.sources"}


def test_imports_find_cycle_reports_the_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
