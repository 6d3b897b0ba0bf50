"""The specialization catalogue: practical mean, final average, a pass in each test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scoring_support import SPEC

from omr.committee.catalogue import (
    build_catalogue,
    catalogue_csv,
    catalogue_row,
    parse_grade,
    practical_grade,
)
from omr.vocabulary.errors import ScoringError

D = Decimal


def test_the_practical_grade_is_the_members_mean_to_two_decimals() -> None:
    assert practical_grade([D(9), D("8.5")], SPEC) == D("8.75")  # art. 28 (4)
    assert practical_grade([D(9), D(8), D(8)], SPEC) == D("8.33")
    assert practical_grade([], SPEC) is None


@pytest.mark.parametrize(
    ("practical", "written", "final", "passed"),
    [
        ("8.75", "9.40", "9.08", True),  # art. 38 (1): (8.75 + 9.40) / 2 = 9.075
        ("5.50", "7.60", "6.55", False),  # art. 17 (2): 6.00 needed in each test
        ("9.00", "5.99", "7.50", False),
        ("6.00", "6.00", "6.00", True),
    ],
)
def test_the_final_average_and_the_pass(practical, written, final, passed) -> None:
    row = catalogue_row("0001", "Ana", D(practical), D(written), SPEC)
    assert (row.final, row.passed) == (D(final), passed)


def test_a_missing_test_leaves_the_result_open_and_last() -> None:
    rows = build_catalogue(
        [("0001", "Ana"), ("0002", "Dan"), ("0003", "Ion")],
        {"0001": [D(7)], "0002": [D(10)]},
        {"0001": D("9.00"), "0003": D("8.00")},
        SPEC,
    )
    assert [(r.candidate, r.final, r.passed) for r in rows] == [
        ("0001", D("8.00"), True),
        ("0002", None, None),
        ("0003", None, None),
    ]
    assert catalogue_csv(rows).splitlines()[2] == "0002,Dan,10.00,,,"


@pytest.mark.parametrize("text", ["0.5", "10.5", "nouă", "NaN", ""])
def test_a_grade_outside_one_to_ten_is_refused(text: str) -> None:
    with pytest.raises(ScoringError) as caught:
        parse_grade(text)
    assert caught.value.reason == "grade_invalid"
    assert parse_grade("8,50") == D("8.50")


@given(st.lists(st.integers(100, 1000), min_size=1, max_size=7), st.integers(100, 1000))
def test_the_final_average_lies_between_the_two_grades(cents, written_cents) -> None:
    practical = practical_grade([D(c) / 100 for c in cents], SPEC)
    written = D(written_cents) / 100
    row = catalogue_row("0001", "Ana", practical, written, SPEC)
    assert min(practical, written) <= row.final <= max(practical, written)
    assert row.passed == (practical >= 6 and written >= 6)
