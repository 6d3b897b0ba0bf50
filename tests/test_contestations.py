"""Contestations grouped across variants and decided into the next key version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scoring_support import SPEC, answer_text, correct_answers, page

from omr.committee.contestations import (
    Contestation,
    ItemDecision,
    group_contestations,
    item_of,
    revise_key,
)
from omr.scoring.keys import KeyVersion, build_key
from omr.scoring.score import ReadingPage, score_sheet
from omr.vocabulary.errors import InputFileError, ScoringError

VERSION = KeyVersion(
    number=2,
    stage="final",
    author="Comisia centrală",
    time=datetime(2026, 3, 11, 10, tzinfo=UTC),
    reason="contestații",
    supersedes=1,
)


def master_document() -> dict:
    """Variant A is the master; B swaps questions 1 and 2 and the letters a and b."""
    master = {str(q): answer_text(SPEC, q) for q in range(1, SPEC.question_count + 1)}
    swapped = {str(q): q for q in range(1, SPEC.question_count + 1)} | {"1": 2, "2": 1}
    return {
        "schema": "omr.key/1",
        "profile": SPEC.id,
        "master": master,
        "variants": {
            "A": {},
            "B": {"questions": swapped, "options": {"a": "b", "b": "a", "c": "c"}},
        },
    }


def test_the_same_question_in_two_variants_is_one_item() -> None:
    key = build_key(master_document(), SPEC)
    assert item_of(key, "A", 1) == "1" and item_of(key, "B", 2) == "1"
    groups = group_contestations(
        key,
        [
            Contestation("0001", "A", 1, "b is right"),
            Contestation("0002", "B", 2, "a is right"),
            Contestation("0003", "A", 30, "flawed"),
        ],
    )
    assert {item: [c.candidate for c in group] for item, group in groups.items()} == {
        "1": ["0001", "0002"],
        "30": ["0003"],
    }


def test_per_variant_keys_name_items_by_variant() -> None:
    key = build_key(
        {
            "schema": "omr.key/1",
            "profile": SPEC.id,
            "variants": {"A": {str(q): answer_text(SPEC, q) for q in range(1, 51)}},
        },
        SPEC,
    )
    assert item_of(key, "A", 17) == "A17"


def test_unknown_question_or_variant_is_refused() -> None:
    key = build_key(master_document(), SPEC)
    with pytest.raises(ScoringError) as caught:
        item_of(key, "A", 51)
    assert caught.value.reason == "contestation_unknown_question"
    with pytest.raises(ScoringError) as caught:
        item_of(key, "D", 1)
    assert caught.value.reason == "variant_without_key"


def test_decisions_change_one_answer_and_annul_one_question() -> None:
    document = master_document()
    original = master_document()
    revised, key = revise_key(
        document,
        SPEC,
        [
            ItemDecision("1", "changed", "the key was wrong", answer="c"),
            ItemDecision("30", "annulled", "two answers are defensible"),
            ItemDecision("5", "rejected", "the key stands"),
        ],
        VERSION,
    )
    assert document == original  # never modified in place
    assert revised["master"]["1"] == "c" and revised["annulled"] == [30]
    assert key.version == VERSION
    # Variant B's question 2 is master question 1: its correct answer is now c.
    assert key.variants["B"].answers[2] == frozenset({"c"})
    assert 30 in key.variants["A"].annulled and 30 in key.variants["B"].annulled
    # A sheet that matched the old key loses question 1 (now wrong, 0.2) and question 30
    # (voided for everyone, 0.2 — the maximum drops with it).
    sheet = ReadingPage.model_validate(page(correct_answers(SPEC)))
    before = score_sheet(sheet, build_key(original, SPEC), SPEC)
    after = score_sheet(sheet, key, SPEC)
    assert before.total == 10
    assert after.total == before.total - SPEC.max_points(1) - SPEC.max_points(30)
    assert after.max == before.max - SPEC.max_points(30)


@pytest.mark.parametrize(
    ("decisions", "error", "reason"),
    [
        ([ItemDecision("1", "changed", "…", answer="ab")], ScoringError, "key_letter_count"),
        ([ItemDecision("1", "changed", "…")], ScoringError, "decision_invalid"),
        ([ItemDecision("77", "annulled", "…")], ScoringError, "decision_invalid"),
        (
            [ItemDecision(str(q), "annulled", "…") for q in range(1, 51)],
            ScoringError,
            "key_all_annulled",
        ),
        ([ItemDecision("1", "changed", "…", answer="x")], ScoringError, "key_letter_unknown"),
    ],
)
def test_bad_decisions_are_refused_whole(decisions, error, reason) -> None:
    document = master_document()
    with pytest.raises((error, InputFileError)) as caught:
        revise_key(document, SPEC, decisions, VERSION)
    assert caught.value.reason == reason
    assert document == master_document()
