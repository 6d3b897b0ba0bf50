"""Residency rules (RULES §2): complement simplu and complement multiplu on five options."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

import pytest
from scoring_support import REZ, correct_answers, key_doc, page, score

from omr.scoring.score import score_question

# Filled options ("-": none; the others blank) → points for the complement simplu key A
# (4 points for A alone), then the complement multiplu keys AB, ACE, ABCD (1 point per
# option marked and correct or unmarked and wrong; fewer than 2 or more than 4 marks → 0).
TABLE = [
    ("-", "0", "0", "0", "0"),
    ("A", "4", "0", "0", "0"),
    ("B", "0", "0", "0", "0"),
    ("C", "0", "0", "0", "0"),
    ("D", "0", "0", "0", "0"),
    ("E", "0", "0", "0", "0"),
    ("AB", "0", "5", "2", "3"),
    ("AC", "0", "3", "4", "3"),
    ("AD", "0", "3", "2", "3"),
    ("AE", "0", "3", "4", "1"),
    ("BC", "0", "3", "2", "3"),
    ("BD", "0", "3", "0", "3"),
    ("BE", "0", "3", "2", "1"),
    ("CD", "0", "1", "2", "3"),
    ("CE", "0", "1", "4", "1"),
    ("DE", "0", "1", "2", "1"),
    ("ABC", "0", "4", "3", "4"),
    ("ABD", "0", "4", "1", "4"),
    ("ABE", "0", "4", "3", "2"),
    ("ACD", "0", "2", "3", "4"),
    ("ACE", "0", "2", "5", "2"),
    ("ADE", "0", "2", "3", "2"),
    ("BCD", "0", "2", "1", "4"),
    ("BCE", "0", "2", "3", "2"),
    ("BDE", "0", "2", "1", "2"),
    ("CDE", "0", "0", "3", "2"),
    ("ABCD", "0", "3", "2", "5"),
    ("ABCE", "0", "3", "4", "3"),
    ("ABDE", "0", "3", "2", "3"),
    ("ACDE", "0", "1", "4", "3"),
    ("BCDE", "0", "1", "2", "3"),
    ("ABCDE", "0", "0", "0", "0"),
]
KEYS = [(1, "A"), (51, "AB"), (120, "ACE"), (200, "ABCD")]
CASES = [
    (filled, question, key, points)
    for filled, *row in TABLE
    for (question, key), points in zip(KEYS, row, strict=True)
]


def marks(filled: str, **others: str) -> dict[str, str]:
    states = {option: "filled" if option in filled else "blank" for option in REZ.options}
    return {**states, **others}


def test_table_covers_every_filled_blank_combination() -> None:
    every = {"".join(c) or "-" for n in range(6) for c in combinations("ABCDE", n)}
    assert sorted(row[0] for row in TABLE) == sorted(every)
    assert len(TABLE) == 32


@pytest.mark.parametrize(("filled", "question", "key", "points"), CASES)
def test_residency_rules(filled: str, question: int, key: str, points: str) -> None:
    outcome = score_question(REZ, question, marks(filled.strip("-")), frozenset(key))
    assert outcome.points == Decimal(points)
    assert outcome.max == (Decimal(4) if question <= 50 else Decimal(5))


@pytest.mark.parametrize(
    ("question", "key", "filled", "others", "points", "rule"),
    [
        (1, "A", "A", {"C": "crossed"}, "0", "crossed → 0"),
        (60, "AB", "AB", {"E": "crossed"}, "0", "crossed → 0"),
        (60, "AB", "AB", {"D": "unclear"}, None, "pending: D unclear"),
        (1, "A", "A", {"B": "unclear"}, None, "pending: B unclear"),
        (60, "AB", "A", {}, "0", "1 filled → 0 (fewer than 2)"),
        (60, "AB", "", {}, "0", "blank → 0"),
        (60, "AB", "ABCDE", {}, "0", "5 filled → 0"),
        (60, "ABC", "ABD", {}, "3", "3 of 5 options agree"),
        (2, "C", "CD", {}, "0", "2 filled → 0"),
    ],
)
def test_crossed_unclear_and_named_rules(
    question: int, key: str, filled: str, others: dict, points: str | None, rule: str
) -> None:
    outcome = score_question(REZ, question, marks(filled, **others), frozenset(key))
    assert outcome.points == (None if points is None else Decimal(points))
    assert outcome.rule == rule


def test_full_sheet_scores_950_on_both_residency_templates() -> None:
    for template in REZ.templates:
        result = score(
            page(correct_answers(REZ), profile=REZ, template=template), key_doc(REZ), REZ
        )
        assert (result.total, result.max) == (Decimal("950.00"), Decimal("950.00"))
        assert result.passed is None  # the pass rule needs the national maximum


def test_annulled_multiple_answer_question_drops_five_points() -> None:
    result = score(page(correct_answers(REZ), profile=REZ), key_doc(REZ, annulled=[77]), REZ)
    assert (result.total, result.max) == (Decimal("945.00"), Decimal("945.00"))
