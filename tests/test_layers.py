"""The import graph of cscbench's modules: no import circle among the analyses, and no
layer importing one above it (datasets -> analyses -> figures -> report / CLI).

Every import counts, those inside functions as well as at the top of a module: an import
made lazily to dodge a circle is still a circle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cscbench.analyses import _WHERE

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "cscbench"


def module_name(path: Path) -> str:
    """``src/cscbench/analyses/engine.py`` -> ``cscbench.analyses.engine``."""
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, tree: ast.Module) -> set[str]:
    """The cscbench modules a module's code imports, wherever the import stands. A name taken
    from ``cscbench.analyses`` is the module that defines it (the package finds it there on
    first use, see its ``_WHERE``)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                if whole in MODULES:
                    found.add(whole)
                elif node.module == "cscbench.analyses" and alias.name in _WHERE:
                    found.add(f"cscbench.analyses.{_WHERE[alias.name]}")
                elif node.module in MODULES:
                    found.add(node.module)
    return found - {name}


GRAPH = {name: imported(name, ast.parse(path.read_text())) for name, path in MODULES.items()}


def cycle(graph: dict[str, set[str]], within: str) -> list[str] | None:
    """One import circle among the modules under ``within``, as a path, or None.

    Example:
        >>> cycle({"p.a": {"p.b"}, "p.b": {"p.a"}, "p.c": set()}, "p")
        ['p.a', 'p.b', 'p.a']
        >>> cycle({"p.a": {"p.b"}, "p.b": set()}, "p") is None
        True
    """
    nodes = {n: {m for m in e if m.startswith(within + ".")} for n, e in graph.items()}
    nodes = {n: e for n, e in nodes.items() if n.startswith(within + ".")}
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(nodes.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = "done"
        return None

    for start in sorted(nodes):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_graph_is_read():
    # The engine gathers the modules it was split into; performance uses the benchmark.
    assert {"cscbench.analyses.authority", "cscbench.analyses.table"} <= GRAPH[
        "cscbench.analyses.engine"
    ]
    assert "cscbench.analyses.authority" in GRAPH["cscbench.analyses.performance"]
    assert "cscbench.analyses.held" in GRAPH["cscbench.analyses.local_words"]  # a lazy import


def test_no_import_circle_among_the_analyses():
    assert cycle(GRAPH, "cscbench.analyses") is None


def test_no_analyses_module_imports_the_engine_facade():
    # engine.py only re-exports: a module it gathers from must not import it back.
    users = sorted(n for n, e in GRAPH.items() if "cscbench.analyses.engine" in e)
    assert [n for n in users if n.startswith("cscbench.analyses.")] == []


@pytest.mark.parametrize(
    ("layer", "above"),
    [
        ("cscbench.datasets", ("cscbench.analyses", "cscbench.figures", "cscbench.report")),
        ("cscbench.analyses", ("cscbench.figures", "cscbench.report", "cscbench.cli")),
    ],
)
def test_no_upward_import(layer, above):
    upward = sorted(
        f"{n} -> {m}"
        for n, e in GRAPH.items()
        if n.startswith(layer + ".")
        for m in e
        if m.startswith(above)
    )
    assert upward == []
