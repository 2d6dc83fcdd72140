"""The package's import graph has no cycles (docs/architecture.md: data flows one way).

Every ``import`` and ``from ... import`` of an ``autograder`` module is an edge, at
module level and inside functions alike: a lazy import that closes a circle still
ties two modules together, so it counts. Cycles are found as the strongly connected
components of the graph (Tarjan's algorithm) with more than one module.
"""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "autograder"


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, pathlib.Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported_names(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Every dotted name ``node`` may import: the module itself and, for ``from X import a``, ``X.a``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    return [source] + [f"{source}.{alias.name}" for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """``{module: the package's modules it imports}``, self-imports left out."""
    modules = package_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imported.update(name for name in imported_names(module, path.name == "__init__.py", node) if name in modules)
        graph[module] = imported - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowlink[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_circle_and_only_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_relative_imports_resolve_to_package_modules():
    source = "from . import errors\nfrom ..outcomes import Outcome\nimport autograder.spec\n"
    names = [name for node in ast.parse(source).body for name in imported_names("autograder.harness.remote", False, node)]
    assert "autograder.harness.errors" in names  # `from . import errors` inside autograder/harness/
    assert "autograder.outcomes" in names
    assert "autograder.spec" in names


def test_graph_sees_the_package():
    graph = import_graph()
    assert "autograder.cli" in graph and "autograder.errors" in graph
    assert graph["autograder.cli"], "the CLI imports the package's modules"


def test_autograder_has_no_import_cycles():
    circles = cycles(import_graph())
    assert circles == [], "import cycles in autograder/: " + "; ".join(" <-> ".join(circle) for circle in circles)
