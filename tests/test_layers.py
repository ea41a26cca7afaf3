"""The import graph of app/: no cycles, and every import points down the layers.

Layers, top to bottom: pages and commands (views, cli, create_app) → services (use cases) →
lifecycle (the steps of a case and their pipeline) → access, forms, engine, the audit chain →
models and plain values (config, codes, clock, errors).  A module may import its own layer and
the ones below.  Imports inside functions count (they hid cycles before); imports under
``if TYPE_CHECKING:`` do not run and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

LAYERS = [  # (module prefix, rank): the longest matching prefix decides
    ("app.views", 5), ("app.cli", 5), ("app.cli_audit", 5), ("app.cli_deadlines", 5), ("app.cli_privacy", 5),
    ("app.cli_rules", 5),
    ("app", 5),  # create_app wires everything together
    ("app.services", 4), ("app.programs", 4),
    ("app.lifecycle", 3),
    ("app.access", 2), ("app.forms", 2), ("app.engine", 2), ("app.audit_chain", 2), ("app.transactions", 2),
    ("app.models", 1), ("app.extensions", 1), ("app.config", 1), ("app.codes", 1), ("app.clock", 1),
    ("app.errors", 1), ("app.gc_tuning", 1),
]
LAYER_NAMES = {5: "pages and commands", 4: "services", 3: "lifecycle", 2: "access/forms/engine/audit chain",
               1: "models and values"}


def rank(module: str) -> int:
    best = max((prefix for prefix, _ in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return dict(LAYERS)[best]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every import statement, at any depth, except those under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(app_dir: Path = APP, root: Path = ROOT) -> dict[str, set[str]]:
    files = {module_name(path, root): path for path in app_dir.rglob("*.py")}
    packages = {name for name, path in files.items() if path.name == "__init__.py"}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if name in packages else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                    base = ".".join(anchor + ([base] if base else []))
                # `from package import submodule` imports the submodule; anything else, the module itself
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base for alias in node.names]
            for target in targets:
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{source} ({LAYER_NAMES[rank(source)]}) imports {target} ({LAYER_NAMES[rank(target)]})"
        for source, targets in graph.items() for target in targets
        if rank(target) > rank(source)
    )


def test_the_app_has_no_import_cycles():
    assert cycles(import_graph()) == []


def test_imports_point_down_the_layers():
    assert upward_imports(import_graph()) == []


def test_views_leave_queries_to_the_services():
    """Pages and the API call services; only services (and below) hold the database session."""
    offenders = sorted(
        str(path.relative_to(ROOT)) for path in (APP / "views").rglob("*.py")
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "app.extensions"
        and any(alias.name == "db" for alias in node.names)
    )
    assert offenders == []


def test_the_checks_would_notice(tmp_path):
    """A cycle hidden in a function, an upward import, and TYPE_CHECKING imports left alone."""
    app_dir = tmp_path / "app"
    for folder in ("services", "lifecycle", "models"):
        (app_dir / folder).mkdir(parents=True)
        (app_dir / folder / "__init__.py").write_text("")
    (app_dir / "__init__.py").write_text("")
    (app_dir / "services" / "a.py").write_text("from . import b\n")
    (app_dir / "services" / "b.py").write_text("def late():\n    from app.services import a\n")
    (app_dir / "lifecycle" / "steps.py").write_text("from app.services.a import thing\n")
    (app_dir / "models" / "case.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.lifecycle import steps\n")
    graph = import_graph(app_dir, tmp_path)
    assert cycles(graph) == [["app.services.a", "app.services.b"]]
    assert upward_imports(graph) == ["app.lifecycle.steps (lifecycle) imports app.services.a (services)"]
    assert graph["app.models.case"] == set()
