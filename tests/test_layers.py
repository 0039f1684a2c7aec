"""Imports run one way: collaboratives <- teams <- measures <- pdsa <- reports (design.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["collaboratives", "teams", "measures", "pdsa", "reports"]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


@pytest.mark.parametrize("app", LAYERS)
def test_it_imports_only_lower_layers(app):
    higher = set(LAYERS[LAYERS.index(app) + 1:])
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & higher)
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & higher
    }
    assert offenders == {}


def test_it_keeps_the_pure_rules_free_of_django():
    for name in ("runchart", "spc", "mdc", "privacy"):
        tree = ast.parse((ROOT / "measures" / f"{name}.py").read_text())
        modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        modules |= {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        assert not {module for module in modules if module.split(".")[0] == "django"}, name


def test_it_decides_privacy_in_the_aggregate_layer_only():
    # The small-cell rules are applied in one place (design.md): only measures.aggregates
    # calls them; everything else reads figures that already went through it.
    callers = set()
    for app in [*LAYERS, "bsc_portal"]:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            if "cell_reason(" in text or "group_reasons(" in text:
                callers.add(str(path.relative_to(ROOT)))
    assert callers == {"measures/privacy.py", "measures/aggregates.py"}
