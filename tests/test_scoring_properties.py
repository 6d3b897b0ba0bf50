"""Hypothesis properties of scoring, annulment, recomputation and merging."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_support import EMC, REZ, SPEC, key_doc, page, score

from omr.committee.ranking import rank_results
from omr.scoring.keys import build_key
from omr.scoring.profiles import Profile
from omr.scoring.score import ReadingPage, diff_scores, score_sheet

STATES = st.sampled_from(["blank", "filled", "filled", "crossed"])
PROFILES = st.sampled_from([SPEC, REZ, EMC])


@st.composite
def sheets(draw, profile: Profile) -> dict:
    """Random decided marks for every question of ``profile``."""
    return {
        str(q): {option: draw(STATES) for option in profile.options}
        for q in range(1, profile.question_count + 1)
    }


@st.composite
def keys(draw, profile: Profile) -> dict:
    """A random valid key for ``profile``."""
    document = key_doc(profile)
    for question in document["variants"]["A"]:
        low, high = profile.question_type(int(question)).key_letters
        size = draw(st.integers(low, high))
        letters = draw(st.permutations(profile.options))[:size]
        document["variants"]["A"][question] = "".join(letters)
    return document


@st.composite
def cases(draw) -> tuple[Profile, dict, dict]:
    profile = draw(PROFILES)
    return profile, draw(sheets(profile)), draw(keys(profile))


@settings(max_examples=40, deadline=None)
@given(cases())
def test_score_is_between_zero_and_maximum(case) -> None:
    profile, answers, key = case
    result = score(page(answers, profile=profile), key, profile)
    assert Decimal(0) <= result.total <= result.max == profile.maximum
    for line in result.questions:
        assert Decimal(0) <= line.points <= line.max


@settings(max_examples=40, deadline=None)
@given(cases(), st.data())
def test_void_annulment_never_raises_a_score(case, data) -> None:
    profile, answers, key = case
    annulled = data.draw(
        st.lists(
            st.integers(1, profile.question_count), unique=True, max_size=profile.question_count
        )
    )
    before = score(page(answers, profile=profile), key, profile)
    after = score(page(answers, profile=profile), {**key, "annulled": annulled}, profile)
    assert after.total <= before.total
    assert after.max == before.max - sum(
        (line.max for line in before.questions if line.question in annulled), Decimal(0)
    )


@settings(max_examples=25, deadline=None)
@given(cases())
def test_recomputing_with_an_unchanged_key_changes_nothing(case) -> None:
    profile, answers, key = case
    reading = ReadingPage.model_validate(page(answers, profile=profile))
    old = [score_sheet(reading, build_key(key, profile), profile)]
    new = [score_sheet(reading, build_key(key, profile), profile)]
    assert new == old
    assert not any(change.changed for change in diff_scores(old, new))


@st.composite
def rooms(draw) -> list[list]:
    """Results of a few rooms, with duplicates and candidates met twice."""
    key = key_doc(SPEC)
    pool = []
    for index in range(draw(st.integers(1, 6))):
        candidate = f"c{draw(st.integers(0, 4))}"
        answers = draw(sheets(SPEC))
        pool.append(score(page(answers, candidate=candidate, sha=f"s{index}"), key))
    picks = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=10))
    cut = draw(st.integers(0, len(picks)))
    return [picks[:cut], picks[cut:]]


@settings(max_examples=30, deadline=None)
@given(rooms(), st.randoms(use_true_random=False))
def test_merging_is_order_independent(files, random) -> None:
    shuffled = [list(entries) for entries in files]
    for entries in shuffled:
        random.shuffle(entries)
    random.shuffle(shuffled)
    assert rank_results(shuffled, SPEC) == rank_results(files, SPEC)
