"""Rescans compared with the original reading."""

from __future__ import annotations

import pytest
from scoring_support import SPEC, correct_answers, page

from omr.committee.rescan import BubbleChange, compare_readings
from omr.scoring.score import ReadingPage
from omr.vocabulary.errors import ScoringError


def _reading(answers: dict | None = None, serial: int = 7, **fields) -> ReadingPage:
    document = page(answers or correct_answers(SPEC), **fields)
    return ReadingPage.model_validate(document | {"serial": serial})


def test_same_reading_has_no_changes() -> None:
    assert compare_readings(_reading(), _reading()) == []


def test_changed_bubbles_are_listed() -> None:
    original = correct_answers(SPEC)
    rescanned = {question: dict(options) for question, options in original.items()}
    first_option = next(iter(rescanned["3"]))
    rescanned["3"][first_option] = "unclear"
    changes = compare_readings(_reading(original), _reading(rescanned))
    assert changes == [
        BubbleChange(
            question=3, option=first_option, before=original["3"][first_option], after="unclear"
        )
    ]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"candidate": "0002"}, "rescan_mismatch"),
        ({"serial": 8}, "rescan_mismatch"),
        ({"exam": "OTHER"}, "rescan_mismatch"),
        ({"status": "rejected"}, "rescan_unreadable"),
    ],
)
def test_another_or_unreadable_sheet_is_refused(fields: dict, reason: str) -> None:
    with pytest.raises(ScoringError) as caught:
        compare_readings(_reading(), _reading(**fields))
    assert caught.value.reason == reason
