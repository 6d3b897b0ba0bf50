"""Rulings on items, not positions: an annulment or a key change reaches every variant.

Question X sits at different positions in each variant (002 art. 16 (4), art. 17: an
annulment applies to every candidate). Per-variant keys say which question of each
variant is the same item with an item map; without one a ruling names every position.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_support import SPEC, blank_answers, page

from omr.committee.contestations import ItemDecision, item_of, revise_key
from omr.scoring.keys import KeyVersion, build_key
from omr.scoring.score import ReadingPage, score_sheet
from omr.vocabulary.errors import ScoringError

VERSION = KeyVersion(
    number=2,
    stage="revised",
    author="Comisia centrală",
    time=datetime(2026, 3, 11, 10, tzinfo=UTC),
    reason="contestații",
    supersedes=1,
)
SINGLE, DOUBLE = range(1, 21), range(21, 51)  # art. 29 (3): question types by position


def _answer(item: int) -> str:
    """A distinct key per item, so a permutation is visible in the answers."""
    return "abc"[item % 3] if item in SINGLE else ("ab", "bc", "ac")[item % 3]


def permuted_document(order: dict[str, dict[int, int]], *, mapped: bool = True) -> dict:
    """Per-variant keys: variant v's question q is item ``order[v][q]``."""
    document = {
        "schema": "omr.key/1",
        "profile": SPEC.id,
        "variants": {
            variant: {str(q): _answer(item) for q, item in questions.items()}
            for variant, questions in order.items()
        },
    }
    if mapped:
        document["items"] = {
            variant: {str(q): item for q, item in questions.items()}
            for variant, questions in order.items()
        }
    return document


def swapped(a: int, b: int) -> dict[int, int]:
    """Questions ``a`` and ``b`` exchanged, every other question in place."""
    order = {q: q for q in range(1, SPEC.question_count + 1)}
    order[a], order[b] = b, a
    return order


def all_correct(document: dict, variant: str) -> ReadingPage:
    """A sheet of ``variant`` with every key answer filled."""
    answers = blank_answers(SPEC)
    for question, text in document["variants"][variant].items():
        for option in text:
            answers[question][option] = "filled"
    return ReadingPage.model_validate(page(answers, variant=variant, candidate=variant))


def _totals(document: dict, key) -> set[tuple]:  # noqa: ANN001
    scores = [score_sheet(all_correct(document, v), key, SPEC) for v in document["variants"]]
    return {(score.total, score.max) for score in scores}


def test_annulling_an_item_reaches_every_variant() -> None:
    document = permuted_document({"A": swapped(5, 12), "B": swapped(1, 1)})
    key = build_key(document, SPEC)
    assert item_of(key, "A", 5) == "12" and item_of(key, "B", 12) == "12"
    _, revised = revise_key(document, SPEC, [ItemDecision("12", "annulled", "enunț")], VERSION)
    assert revised.variants["A"].annulled == {5} and revised.variants["B"].annulled == {12}
    maximum = SPEC.maximum - SPEC.max_points(5)
    assert _totals(document, revised) == {(maximum, maximum)}


def test_a_changed_item_changes_every_variant() -> None:
    document = permuted_document({"A": swapped(5, 12), "B": swapped(1, 1)})
    _, revised = revise_key(
        document, SPEC, [ItemDecision("12", "changed", "b este corect", answer="b")], VERSION
    )
    assert revised.variants["A"].answers[5] == {"b"} == revised.variants["B"].answers[12]


def test_without_an_item_map_a_ruling_names_every_position() -> None:
    document = permuted_document({"A": swapped(5, 12), "B": swapped(1, 1)}, mapped=False)
    with pytest.raises(ScoringError) as caught:
        revise_key(document, SPEC, [ItemDecision("A5", "annulled", "enunț")], VERSION)
    assert caught.value.reason == "ruling_misses_variants"
    assert "B" in caught.value.problem.message_ro
    _, revised = revise_key(document, SPEC, [ItemDecision("A5+B12", "annulled", "…")], VERSION)
    maximum = SPEC.maximum - SPEC.max_points(5)
    assert _totals(document, revised) == {(maximum, maximum)}


def test_an_item_list_of_annulments_names_items() -> None:
    document = permuted_document({"A": swapped(5, 12), "B": swapped(1, 1)}) | {"annulled": [12]}
    key = build_key(document, SPEC)
    assert key.variants["A"].annulled == {5} and key.variants["B"].annulled == {12}
    with pytest.raises(ScoringError) as caught:
        build_key({**document, "annulled": [77]}, SPEC)
    assert caught.value.reason == "key_annulled_unknown"


def test_a_bad_item_map_is_refused() -> None:
    document = permuted_document({"A": swapped(5, 12), "B": swapped(1, 1)})
    document["items"]["B"]["3"] = 4  # item 4 twice in variant B, item 3 nowhere
    with pytest.raises(ScoringError) as caught:
        build_key(document, SPEC)
    assert caught.value.reason == "key_permutation_invalid"


def test_old_per_variant_keys_still_read_positions() -> None:
    document = permuted_document({"A": swapped(5, 12)}, mapped=False) | {"annulled": [5]}
    key = build_key(document, SPEC)
    assert key.variants["A"].annulled == {5} and item_of(key, "A", 5) == "A5"


def _orders(draw: st.DrawFn) -> dict[str, dict[int, int]]:
    """Two to four variants, each a permutation of the items within each question type."""
    variants = "ABCD"[: draw(st.integers(2, 4))]
    order = {}
    for variant in variants:
        single = draw(st.permutations(list(SINGLE)))
        double = draw(st.permutations(list(DOUBLE)))
        order[variant] = dict(zip(list(SINGLE) + list(DOUBLE), single + double, strict=True))
    return order


@settings(max_examples=25, deadline=None)
@given(order=st.composite(_orders)(), annulled=st.sets(st.integers(1, 50), max_size=6))
def test_every_all_correct_sheet_gets_the_same_maximum(order, annulled) -> None:
    document = permuted_document(order)
    decisions = [ItemDecision(str(item), "annulled", "enunț") for item in sorted(annulled)]
    _, revised = revise_key(document, SPEC, decisions, VERSION)
    maximum = SPEC.maximum - sum(SPEC.max_points(item) for item in annulled)
    assert _totals(document, revised) == {(maximum, maximum)}
