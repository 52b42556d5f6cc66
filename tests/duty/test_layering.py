"""Imports run downward only: reception builds on duty, never the other way, and no module reaches into another's
private helpers. Read from the source, so an import hidden inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every import in ``path``, at any depth; name is None for ``import module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def modules(area: str) -> list[Path]:
    return sorted((PORTAL / area).glob("*.py"))


@pytest.mark.parametrize("path", modules("duty"), ids=lambda p: p.name)
def test_duty_never_imports_reception(path):
    assert [m for m, _ in imports(path) if m == "portal.reception" or m.startswith("portal.reception.")] == []


@pytest.mark.parametrize("path", modules("duty") + modules("reception"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_private_helper_is_imported_from_another_module(path):
    assert [(m, n) for m, n in imports(path) if n and n.startswith("_")] == []
