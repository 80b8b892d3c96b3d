"""The layout holds: apps depend on each other one way only, and no module circle hides inside an app.

The graphs are read from the source (every import, also those inside functions), not from what Python
happened to load, so that an import tucked into a function to dodge a circular import still counts.
Run with `-s` to see the app graph.
"""

import ast
import graphlib
from pathlib import Path

import pytest
from django.apps import apps

import fupin

ROOT = Path(fupin.__file__).parent
APPS = sorted(config.label for config in apps.get_app_configs() if config.name.startswith("fupin."))


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
    return name.removesuffix(".__init__")


def source_modules(app: str) -> dict[str, Path]:
    """Every module of the app except its tests and migrations."""
    return {
        module_name(path): path
        for path in sorted((ROOT / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(ROOT / app).parts)
    }


def imported_names(path: Path) -> set[str]:
    """Dotted names a module imports anywhere in its body; `from a import b` gives both `a` and `a.b`."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def app_graph() -> dict[str, set[str]]:
    graph = {}
    for app in APPS:
        used = set()
        for path in source_modules(app).values():
            for name in imported_names(path):
                parts = name.split(".")
                if parts[0] == "fupin" and len(parts) > 1 and parts[1] in APPS and parts[1] != app:
                    used.add(parts[1])
        graph[app] = used
    return graph


def module_graph(app: str) -> dict[str, set[str]]:
    modules = source_modules(app)
    return {name: (imported_names(path) & modules.keys()) - {name} for name, path in modules.items()}


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return error.args[1]
    return []


def test_the_app_graph_has_no_cycle():
    graph = app_graph()
    print("\nApp dependencies (from the source, imports inside functions included):")
    for app, used in graph.items():
        print(f"  {app} -> {', '.join(sorted(used)) or '(nothing)'}")
    cycle = cycle_in(graph)
    assert not cycle, "apps import each other in a circle: " + " -> ".join(cycle)
    assert {"core", "projects", "funds"} <= set(graph)
    assert graph["core"] == set(), "core is the foundation: it imports no other app"
    assert "projects" in graph["funds"], "funds stands on projects, never the reverse"


@pytest.mark.parametrize("app", APPS)
def test_no_module_cycle_inside_an_app(app):
    cycle = cycle_in(module_graph(app))
    assert not cycle, f"modules of {app} import each other in a circle: " + " -> ".join(cycle)


def test_the_reader_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    # The checks above are only as good as this reader: a hidden import must count.
    package = tmp_path / "fupin" / "demoapp"
    package.mkdir(parents=True)
    module = package / "views.py"
    module.write_text(
        "from . import services\n\n\ndef page():\n    from fupin.funds.models import Allocation\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path / "fupin")
    names = imported_names(module)
    assert {"fupin.demoapp.services", "fupin.funds.models", "fupin.funds.models.Allocation"} <= names


def test_a_cycle_is_named():
    assert cycle_in({"a": {"b"}, "b": {"a"}, "c": {"a"}}) in (["a", "b", "a"], ["b", "a", "b"])
    assert cycle_in({"a": {"b"}, "b": set()}) == []
