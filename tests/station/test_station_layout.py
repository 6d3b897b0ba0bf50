"""The pages and the API are two edges over the services: neither imports the other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STATION = Path(__file__).resolve().parents[2] / "station"


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((STATION / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.append((path.name, node.module))
            elif isinstance(node, ast.Import):
                found += [(path.name, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize(("edge", "other"), [("web", "station.api"), ("api", "station.web")])
def test_edges_do_not_import_each_other(edge: str, other: str) -> None:
    crossing = [
        (name, module)
        for name, module in _imports(edge)
        if module == other or module.startswith(f"{other}.")
    ]
    assert crossing == []
