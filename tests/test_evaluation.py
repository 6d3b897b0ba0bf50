"""The corpus judge counts a silent error as a person would meet it: any bubble read with
a definite wrong state, on any page that is not rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluation import Truth, judge

from omr.reading.pipeline import SheetReading
from omr.vocabulary.reasons import Problem, Reason

TRUTH = Truth(
    image=Path("x.jpg"),
    subset="hard",
    read_options={},
    expected={
        "status": "needs_review",
        "bubbles": [["answers", 1, "a", "crossed"], ["answers", 1, "b", "unclear"]],
    },
)


def _reading(a: str, b: str, *reasons: Problem) -> SheetReading:
    reading = SheetReading(source="x.jpg")
    reading.bubbles = [
        {"field": "answers", "question": 1, "option": "a", "state": a},
        {"field": "answers", "question": 1, "option": "b", "state": b},
    ]
    reading.reasons.extend(reasons)
    return reading


FLAGGED = Problem(Reason.BUBBLES_UNCLEAR, count=1, bubbles="1b")


@pytest.mark.parametrize(
    ("a", "b", "silent"),
    [
        ("crossed", "unclear", []),
        ("filled", "unclear", [("answers", 1, "a", "crossed", "filled")]),
        ("unclear", "crossed", [("answers", 1, "b", "unclear", "crossed")]),
        ("unclear", "unclear", []),
    ],
)
def test_a_definite_wrong_bubble_on_a_flagged_page_is_silent(a, b, silent) -> None:
    assert judge(_reading(a, b, FLAGGED), TRUTH).silent == silent


def test_a_rejected_page_has_no_silent_bubbles() -> None:
    rejected = _reading("filled", "blank", Problem(Reason.BLANK_PAGE))
    assert rejected.status == "rejected"
    assert judge(rejected, TRUTH).silent == []


AMBIGUOUS = Truth(
    image=Path("x.jpg"),
    subset="real",
    read_options={},
    expected={
        "status": "needs_review",
        "bubbles": [["answers", 1, "a", "filled"], ["answers", 1, "b", ["filled", "unclear"]]],
    },
)


@pytest.mark.parametrize(
    ("b", "silent", "exact"),
    [
        ("filled", [], True),
        ("unclear", [], True),
        ("blank", [("answers", 1, "b", "filled/unclear", "blank")], False),
    ],
)
def test_a_mark_read_two_ways_accepts_either(b, silent, exact) -> None:
    judgement = judge(_reading("filled", b, FLAGGED), AMBIGUOUS)
    assert judgement.silent == silent and judgement.exact == exact
