"""Imports run one way: no module of sdkg imports, directly or not, a module that imports
it back (function-level imports count too). The layering itself is the import-linter
contract of pyproject.toml (``lint-imports`` in CI); this checks the whole graph."""

from __future__ import annotations

import grimp


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_import_graph_of_sdkg_has_no_cycle() -> None:
    graph = grimp.build_graph("sdkg")
    assert len(graph.modules) > 80
    # The package's lazy `open_graph` (the Python API, imported on first use so that
    # `sdkg --version` stays fast) is its only import of a module below it.
    graph.remove_import(importer="sdkg", imported="sdkg.api")
    assert cycles(graph) == []


def test_the_check_finds_a_cycle() -> None:
    graph = grimp.build_graph("sdkg")
    graph.add_import(importer="sdkg.errors", imported="sdkg.web.sparql")
    assert any("sdkg.errors" in group for group in cycles(graph))
