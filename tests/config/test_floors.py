"""The floors of ARCHITECTURE.md: an app never imports an app on a higher floor (nor one beside it that
is not listed as allowed), so each part can be understood, tested and changed from the bottom up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# app -> floor. Apps on the same floor do not import each other.
FLOORS = {
    "core": 0,
    "accounts": 0,
    "municipalities": 1,
    "notifications": 2,
    "bundles": 2,
    "tourism": 3,
    "kiosk": 3,
    "subscriptions": 4,
    "delivery": 5,
    "settlement": 6,
    "demo": 7,
}
# Same-floor imports that are part of the design.
ALLOWED_SIDEWAYS = {("accounts", "core"), ("bundles", "notifications")}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & FLOORS.keys()


@pytest.mark.parametrize("app", sorted(FLOORS))
def test_no_app_imports_a_higher_floor(app):
    wrong = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for other in _imported_apps(path) - {app}:
            if FLOORS[other] > FLOORS[app] or (FLOORS[other] == FLOORS[app] and (app, other) not in ALLOWED_SIDEWAYS):
                wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert not wrong, "\n".join(wrong)
