"""The reason registry: every code used is declared, every declared code is used, and the
docs' table is the registry's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from omr.vocabulary.reasons import Problem, Reason, Severity, markdown_table

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "omr").rglob("*.py"), *(ROOT / "station").rglob("*.py")])
REGISTRY_MODULE = ROOT / "omr" / "vocabulary" / "reasons.py"
DOCS = ROOT / "docs" / "reading-format.md"
TABLE_START, TABLE_END = "<!-- reasons:start -->", "<!-- reasons:end -->"
# Keywords and calls through which a reason used to be spelt as a string.
REASON_KEYWORDS = {"reason", "code"}


def reason_uses(source: str, filename: str = "<source>") -> tuple[set[str], list[str]]:
    """The ``Reason`` member names a source uses, and the places it spells a reason code
    as a string instead (``reason="x"``, ``code="x"``, ``Reason("x")``)."""
    tree = ast.parse(source, filename)
    names: set[str] = set()
    spelt: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Reason"
        ):
            names.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg in REASON_KEYWORDS:
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                spelt.append(f"{filename}:{node.value.lineno}: {node.arg}={node.value.value!r}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"Reason", "Problem"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            spelt.append(f"{filename}:{node.lineno}: {node.func.id}({node.args[0].value!r})")
    return names, spelt


def undeclared(names: set[str]) -> set[str]:
    """Names used as ``Reason.X`` that the registry lacks (methods and helpers aside)."""
    return {name for name in names if name not in Reason.__members__ and not hasattr(Reason, name)}


def _project_uses() -> tuple[set[str], list[str]]:
    names: set[str] = set()
    spelt: list[str] = []
    for path in SOURCES:
        if path == REGISTRY_MODULE:
            continue
        used, strings = reason_uses(path.read_text(), str(path.relative_to(ROOT)))
        names |= used
        spelt += strings
    return names, spelt


def test_every_code_used_is_declared() -> None:
    names, _ = _project_uses()
    assert not undeclared(names)


def test_every_declared_code_is_used() -> None:
    names, _ = _project_uses()
    assert not set(Reason.__members__) - names


def test_no_code_is_spelt_as_a_string_where_it_arises() -> None:
    _, spelt = _project_uses()
    assert not spelt


def test_the_check_catches_an_undeclared_code_and_a_spelt_one() -> None:
    names, spelt = reason_uses(
        "raise ScanError(Reason.NOT_IN_THE_REGISTRY)\n"
        "problem = Problem(Reason.MARKERS_NOT_FOUND, found=1, expected=4)\n"
        "raise StationError('x', reason='made_up')\n"
    )
    assert undeclared(names) == {"NOT_IN_THE_REGISTRY"}
    assert len(spelt) == 1 and "made_up" in spelt[0]


@pytest.mark.parametrize("reason", list(Reason), ids=str)
def test_each_code_has_both_messages(reason: Reason) -> None:
    assert reason.value.islower() and " " not in reason.value
    assert isinstance(reason.severity, Severity)
    assert reason.message_ro.strip() and reason.message_en.strip()
    details = {name: 7 for name in reason.placeholders("en") | reason.placeholders("ro")}
    problem = Problem(reason, **details)
    # Strict formatting (not the lenient one old records get): a malformed message or a
    # format spec that its detail cannot take fails here.
    assert problem.message == reason.message_en.format(**details)
    assert problem.message_ro == reason.message_ro.format(**details)


def test_a_problem_refuses_missing_details() -> None:
    with pytest.raises(ValueError, match="found"):
        Problem(Reason.MARKERS_NOT_FOUND, expected=4)


def test_an_old_record_without_details_still_renders() -> None:
    problem = Problem.from_dict({"code": "markers_not_found", "message": "old text"})
    assert problem.code is Reason.MARKERS_NOT_FOUND
    assert "…" in problem.message_ro


def test_the_docs_table_is_the_registry() -> None:
    text = DOCS.read_text()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    assert text[start:end].strip() == markdown_table().strip(), (
        "docs/reading-format.md is out of date: run python tools/write_reason_table.py"
    )
