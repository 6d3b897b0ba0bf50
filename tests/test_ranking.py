"""Ranking: merging rooms, duplicates, conflicts, ties, the pass rule, refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scoring_support import REZ, SPEC, blank_answers, correct_answers, key_doc, page, score

from omr.committee.ranking import rank_results
from omr.vocabulary.errors import ScoringError


def rez_sheet(candidate: str, wrong_singles: int, **kwargs):
    """A residency sheet losing 4 points per single-answer question left blank."""
    answers = correct_answers(REZ)
    for question in range(1, wrong_singles + 1):
        answers[str(question)] = {option: "blank" for option in REZ.options}
    return score(page(answers, profile=REZ, candidate=candidate, **kwargs), key_doc(REZ), REZ)


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    room1 = [rez_sheet("c1", 0), rez_sheet("c3", 5)]
    room2 = [rez_sheet("c2", 5), rez_sheet("c4", 10)]
    ranking = rank_results([room1, room2], REZ)
    assert [(r.rank, r.candidate, str(r.total)) for r in ranking.ranking] == [
        (1, "c1", "950.00"),
        (2, "c2", "930.00"),
        (2, "c3", "930.00"),
        (4, "c4", "910.00"),
    ]


def test_pass_rule_against_the_national_maximum() -> None:
    # best 950 → threshold 570; 50 blank singles cost 200 → 750; an all-blank sheet → 0.
    sheets = [rez_sheet("best", 0), rez_sheet("weak", 50)]
    answers = blank_answers(REZ)
    sheets.append(score(page(answers, profile=REZ, candidate="none"), key_doc(REZ), REZ))
    ranking = rank_results([sheets], REZ)
    assert ranking.national_max == Decimal("950.00")
    assert ranking.threshold == Decimal("570.0000")
    assert [(r.candidate, r.passed) for r in ranking.ranking] == [
        ("best", True),
        ("weak", True),
        ("none", False),
    ]


def test_duplicates_are_kept_once() -> None:
    sheet = rez_sheet("c1", 0)
    ranking = rank_results([[sheet], [sheet], [rez_sheet("c2", 1)]], REZ)
    assert [r.candidate for r in ranking.ranking] == ["c1", "c2"]
    assert [source.sha256 for source in ranking.duplicates] == ["sha-c1"]


def test_conflicts_are_kept_out() -> None:
    same_sheet_two_scores = [[rez_sheet("c1", 0)], [rez_sheet("c1", 3)]]
    two_sheets = [[rez_sheet("c2", 0, sha="x")], [rez_sheet("c2", 0, sha="y")]]
    ranking = rank_results([*same_sheet_two_scores, *two_sheets, [rez_sheet("c3", 0)]], REZ)
    assert [r.candidate for r in ranking.ranking] == ["c3"]
    assert sorted((e.why, e.candidate) for e in ranking.excluded) == [
        ("conflict", "c1"),
        ("conflict", "c1"),
        ("conflict", "c2"),
        ("conflict", "c2"),
    ]


def test_pending_rejected_and_unidentified_are_not_ranked() -> None:
    answers = correct_answers(REZ)
    answers["9"]["B"] = "unclear"
    pending = score(page(answers, profile=REZ, candidate="p"), key_doc(REZ), REZ)
    rejected = score(page({}, profile=REZ, candidate="r", status="rejected"), key_doc(REZ), REZ)
    nobody = rez_sheet(None, 0, sha="anon")
    ranking = rank_results([[pending, rejected, nobody, rez_sheet("ok", 0)]], REZ)
    assert [r.candidate for r in ranking.ranking] == ["ok"]
    assert sorted(e.why for e in ranking.excluded) == ["pending", "rejected", "unidentified"]


@pytest.mark.parametrize(
    ("other", "reason"),
    [
        (lambda: rez_sheet("x", 0, exam="OTHER-EXAM"), "results_exam_mismatch"),
        (lambda: score(page(correct_answers(SPEC)), key_doc(SPEC)), "results_exam_mismatch"),
        (
            lambda: score(page(correct_answers(REZ), profile=REZ), key_doc(REZ, annulled=[3]), REZ),
            "results_key_mismatch",
        ),
    ],
)
def test_results_of_different_exams_or_keys_are_refused(other, reason: str) -> None:
    with pytest.raises(ScoringError) as caught:
        rank_results([[rez_sheet("c1", 0)], [other()]], REZ)
    assert caught.value.reason == reason


def test_results_of_another_profile_than_asked() -> None:
    with pytest.raises(ScoringError) as caught:
        rank_results([[rez_sheet("c1", 0)]], SPEC)
    assert caught.value.reason == "results_exam_mismatch"


def test_csv_and_document() -> None:
    ranking = rank_results([[rez_sheet("c1", 0), rez_sheet("c2", 1)]], REZ)
    lines = ranking.csv().splitlines()
    assert lines[0] == "rank,candidate,total,max,passed,variant,exam,source,provisional"
    assert lines[2] == "2,c2,946.00,950.00,True,A,EXAM-1,scans/c2.png,False"
    document = ranking.as_document()
    assert document["schema"] == "omr.ranking/1"
    assert document["ranking"][0]["total"] == "950.00"


def test_each_domain_is_ranked_against_its_own_maximum() -> None:
    medicine = [rez_sheet("m1", 5, domain="medicina"), rez_sheet("m2", 10, domain="medicina")]
    pharmacy = [rez_sheet("f1", 20, domain="farmacie"), rez_sheet("f2", 0, domain="farmacie")]
    with pytest.raises(ScoringError) as caught:
        rank_results([medicine, pharmacy], REZ)
    assert caught.value.reason == "results_mixed_domains"
    ranking = rank_results([pharmacy, medicine], REZ, "medicina")
    assert ranking.domain == "medicina"
    assert [(r.rank, r.candidate) for r in ranking.ranking] == [(1, "m1"), (2, "m2")]
    assert ranking.national_max == Decimal("930.00")  # medicine's best, not pharmacy's 950
    assert rank_results([medicine], REZ).domain == "medicina"


def test_a_pending_sheet_keeps_the_national_maximum_waiting() -> None:
    # 002 art. 2 (2): a 950 sheet pending in a fourth room must not leave a maximum of 949.
    answers = correct_answers(REZ)
    answers["60"]["E"] = "unclear"
    pending = score(page(answers, profile=REZ, candidate="p", sha="p"), key_doc(REZ), REZ)
    nobody = rez_sheet(None, 0, sha="anon")
    rooms = [rez_sheet("c1", 1), rez_sheet("c2", 2)]
    for waiting, why in ((pending, "pending"), (nobody, "unidentified")):
        ranking = rank_results([rooms, [waiting]], REZ)
        assert ranking.provisional and ranking.national_max is None and ranking.threshold is None
        assert [r.candidate for r in ranking.ranking] == ["c1", "c2"]
        assert all(r.passed is None for r in ranking.ranking)
        assert [e.why for e in ranking.missing] == [why]
        assert ranking.csv().splitlines()[1].endswith(",True")
    complete = rank_results([rooms], REZ)
    assert not complete.provisional and complete.national_max == Decimal("946.00")
