"""Imports point down DESIGN.md's table: models ← parsing, index ← matcher ← service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "parsing", "index", "matcher", "service")
ALLOWED = {
    "models": set(),
    "parsing": {"models"},
    "index": {"models"},
    "matcher": {"models", "parsing", "index"},
    "service": {"models", "parsing", "index", "matcher"},
}


def project_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {n.split(".")[0] for n in names if n.split(".")[0] in PACKAGES}
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_down(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        wrong = project_imports(path) - ALLOWED[package] - {package}
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"
