"""The house rules of docs/architecture.md, checked on the source so a change cannot drift from them."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure  # reads source files: no database (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[1]
# The wiring may know every app; nothing else in the core may.
WIRING = {"portal/urls_public.py", "portal/urls_tenant.py", "portal/warmup.py"}
WIRING_DIRS = ("portal/settings/", "portal/demo/")
ACCESS_MODULE = "portal/accounts/access.py"
# Receivers allowed: housekeeping only, never a business rule.
HOUSEKEEPING_RECEIVERS = {"portal/tenancy/receivers.py", "portal/accounts/signals.py"}


def _modules(package: str) -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" not in relative:
            found.append((relative, ast.parse(path.read_text(), filename=relative)))
    return found


def _imported(tree: ast.Module) -> set[str]:
    """Return every module an import statement names, at any depth (function-level ones too)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_core_imports_neither_onboarding_nor_metrics():
    offenders = {
        path: sorted(m for m in _imported(tree) if _top(m) in {"onboarding", "metrics"})
        for path, tree in _modules("portal")
        if path not in WIRING and not path.startswith(WIRING_DIRS)
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_onboarding_never_imports_metrics():
    offenders = {
        path: sorted(m for m in _imported(tree) if _top(m) == "metrics") for path, tree in _modules("onboarding")
    }
    assert {path: found for path, found in offenders.items() if found} == {}


@pytest.mark.parametrize("package", ["portal", "onboarding", "metrics"])
def test_no_private_permission_or_schema_helper_outside_the_access_module(package):
    suspicious = ("_require", "_visible_tenant", "_staff_on", "require_", "current_tenant", "tenants_visible_to")
    found = [
        f"{path}:{node.lineno} {node.name}"
        for path, tree in _modules(package)
        if path != ACCESS_MODULE and path not in WIRING and not path.startswith(WIRING_DIRS)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and (node.name.startswith(suspicious) or node.name in {"_tenant"})
    ]
    assert found == []


@pytest.mark.parametrize("package", ["portal", "onboarding", "metrics"])
def test_business_rules_are_not_signal_receivers(package):
    receivers = {
        path
        for path, tree in _modules(package)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "receiver"
    }
    assert receivers <= HOUSEKEEPING_RECEIVERS


def test_the_checks_see_a_violation():
    # The scanners themselves: an import inside a function and a private helper are found.
    tree = ast.parse("def f():\n    from metrics.kpi import nps\n\ndef _require_admin(actor):\n    pass\n")
    assert "metrics.kpi" in _imported(tree)
    assert any(isinstance(n, ast.FunctionDef) and n.name.startswith("_require") for n in ast.walk(tree))
