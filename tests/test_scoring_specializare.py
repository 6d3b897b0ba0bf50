"""Art. 29 of the nurses' specialization exam, every combination of marks, and whole sheets."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest
from scoring_support import SPEC, blank_answers, correct_answers, key_doc, marks_of, page, score

from omr.scoring.profiles import Profile
from omr.scoring.score import diff_scores, score_question
from omr.vocabulary.errors import ScoringError

# Marks on a, b, c: "." blank, "F" filled, "X" crossed. Points for the keys a, b, c of a
# single-answer question (art. 29 (3) a): 0.2 for the key circle alone; 2 or 3 filled,
# or an X, give 0.
SINGLE = [
    ("...", "0", "0", "0"),
    ("..F", "0", "0", "0.2"),
    ("..X", "0", "0", "0"),
    (".F.", "0", "0.2", "0"),
    (".FF", "0", "0", "0"),
    (".FX", "0", "0", "0"),
    (".X.", "0", "0", "0"),
    (".XF", "0", "0", "0"),
    (".XX", "0", "0", "0"),
    ("F..", "0.2", "0", "0"),
    ("F.F", "0", "0", "0"),
    ("F.X", "0", "0", "0"),
    ("FF.", "0", "0", "0"),
    ("FFF", "0", "0", "0"),
    ("FFX", "0", "0", "0"),
    ("FX.", "0", "0", "0"),
    ("FXF", "0", "0", "0"),
    ("FXX", "0", "0", "0"),
    ("X..", "0", "0", "0"),
    ("X.F", "0", "0", "0"),
    ("X.X", "0", "0", "0"),
    ("XF.", "0", "0", "0"),
    ("XFF", "0", "0", "0"),
    ("XFX", "0", "0", "0"),
    ("XX.", "0", "0", "0"),
    ("XXF", "0", "0", "0"),
    ("XXX", "0", "0", "0"),
]

# Points for the keys ab, ac, bc of a two-answer question (art. 29 (3) b): first with the
# literal reading (0.1 per correct circle, a wrong one costs nothing), then strict (a
# wrong circle zeroes). All 3 filled, or an X, give 0 in both.
DOUBLE = [
    ("...", "0", "0", "0", "0", "0", "0"),
    ("..F", "0", "0.1", "0.1", "0", "0.1", "0.1"),
    ("..X", "0", "0", "0", "0", "0", "0"),
    (".F.", "0.1", "0", "0.1", "0.1", "0", "0.1"),
    (".FF", "0.1", "0.1", "0.2", "0", "0", "0.2"),
    (".FX", "0", "0", "0", "0", "0", "0"),
    (".X.", "0", "0", "0", "0", "0", "0"),
    (".XF", "0", "0", "0", "0", "0", "0"),
    (".XX", "0", "0", "0", "0", "0", "0"),
    ("F..", "0.1", "0.1", "0", "0.1", "0.1", "0"),
    ("F.F", "0.1", "0.2", "0.1", "0", "0.2", "0"),
    ("F.X", "0", "0", "0", "0", "0", "0"),
    ("FF.", "0.2", "0.1", "0.1", "0.2", "0", "0"),
    ("FFF", "0", "0", "0", "0", "0", "0"),
    ("FFX", "0", "0", "0", "0", "0", "0"),
    ("FX.", "0", "0", "0", "0", "0", "0"),
    ("FXF", "0", "0", "0", "0", "0", "0"),
    ("FXX", "0", "0", "0", "0", "0", "0"),
    ("X..", "0", "0", "0", "0", "0", "0"),
    ("X.F", "0", "0", "0", "0", "0", "0"),
    ("X.X", "0", "0", "0", "0", "0", "0"),
    ("XF.", "0", "0", "0", "0", "0", "0"),
    ("XFF", "0", "0", "0", "0", "0", "0"),
    ("XFX", "0", "0", "0", "0", "0", "0"),
    ("XX.", "0", "0", "0", "0", "0", "0"),
    ("XXF", "0", "0", "0", "0", "0", "0"),
    ("XXX", "0", "0", "0", "0", "0", "0"),
]

SINGLE_CASES = [
    (marks, key, points) for marks, *row in SINGLE for key, points in zip("abc", row, strict=True)
]
DOUBLE_CASES = [
    (marks, key, reading, points)
    for marks, *row in DOUBLE
    for (reading, key), points in zip(
        product(("literal", "strict"), ("ab", "ac", "bc")), row, strict=True
    )
]


def strict_profile() -> Profile:
    """The specialization profile with the two-answer rule set to strict."""
    document = SPEC.model_dump(by_alias=True)
    document["question_types"][1]["rule"]["wrong_mark"] = "strict"
    return Profile.model_validate(document)


def test_tables_cover_every_combination() -> None:
    every = {"".join(combo) for combo in product(".FX", repeat=3)}
    assert [row[0] for row in SINGLE] == sorted(every)
    assert [row[0] for row in DOUBLE] == sorted(every)


@pytest.mark.parametrize(("marks", "key", "points"), SINGLE_CASES)
def test_single_answer(marks: str, key: str, points: str) -> None:
    outcome = score_question(SPEC, 5, marks_of(marks, SPEC.options), frozenset(key))
    assert outcome.points == Decimal(points)
    assert outcome.max == Decimal("0.2")


@pytest.mark.parametrize(("marks", "key", "reading", "points"), DOUBLE_CASES)
def test_two_answers(marks: str, key: str, reading: str, points: str) -> None:
    profile = SPEC if reading == "literal" else strict_profile()
    outcome = score_question(profile, 30, marks_of(marks, SPEC.options), frozenset(key))
    assert outcome.points == Decimal(points)
    assert outcome.max == Decimal("0.2")


@pytest.mark.parametrize(
    ("question", "marks", "key", "rule"),
    [
        (1, "F..", "a", "correct"),
        (1, ".F.", "a", "wrong"),
        (1, "...", "a", "blank"),
        (1, "FF.", "a", "2 filled → 0"),
        (1, "FFF", "a", "3 filled → 0"),
        (1, "X..", "a", "crossed → 0"),
        (21, "FFF", "ab", "3 filled → 0"),
        (21, "FF.", "ac", "1 correct + 1 wrong"),
        (21, "F.F", "ac", "2 correct"),
        (21, "F.X", "ac", "crossed → 0"),
        (21, "?F.", "ac", "pending: a unclear"),
    ],
)
def test_the_rule_that_applied_is_named(question: int, marks: str, key: str, rule: str) -> None:
    outcome = score_question(SPEC, question, marks_of(marks, SPEC.options), frozenset(key))
    assert outcome.rule == rule


def test_strict_reading_names_its_rule() -> None:
    outcome = score_question(
        strict_profile(), 21, marks_of("FF.", ["a", "b", "c"]), frozenset("ac")
    )
    assert (outcome.points, outcome.rule) == (Decimal(0), "1 correct + 1 wrong → 0 (strict)")


def test_all_correct_sheet_scores_ten_and_passes() -> None:
    result = score(page(correct_answers(SPEC)), key_doc(SPEC))
    assert (result.status, result.total, result.max) == (
        "final",
        Decimal("10.00"),
        Decimal("10.00"),
    )
    assert str(result.total) == "10.00"
    assert result.passed is True
    assert result.correct == result.counted == 50


def test_pass_mark_is_six() -> None:
    answers = correct_answers(SPEC)
    for question in range(1, 21):  # lose 20 x 0.2 = 4.00 → 6.00
        answers[str(question)] = marks_of("...", SPEC.options)
    assert score(page(answers), key_doc(SPEC)).passed is True
    answers["21"] = marks_of("...", SPEC.options)  # 5.80
    result = score(page(answers), key_doc(SPEC))
    assert (result.total, result.passed) == (Decimal("5.80"), False)


def test_unclear_bubble_makes_the_sheet_pending() -> None:
    answers = correct_answers(SPEC)
    answers["7"]["c"] = "unclear"
    result = score(page(answers, status="needs_review"), key_doc(SPEC))
    assert result.status == "pending"
    assert result.total is None
    assert result.provisional_total == Decimal("9.80")
    assert [(b.question, b.option) for b in result.pending] == [(7, "c")]
    assert result.passed is None
    assert result.questions[6].points is None


def test_a_decision_settles_an_unclear_bubble() -> None:
    answers = correct_answers(SPEC)
    answers["7"]["c"] = "unclear"
    result = score(page(answers), key_doc(SPEC), decisions={(7, "C"): "blank"})
    assert (result.status, result.total) == ("final", Decimal("10.00"))
    assert result.questions[6].decided == ["c"]
    crossed = score(page(answers), key_doc(SPEC), decisions={(7, "c"): "crossed"})
    assert (crossed.total, crossed.questions[6].rule) == (Decimal("9.80"), "crossed → 0")


@pytest.mark.parametrize(
    ("decisions", "reason"),
    [
        ({(51, "a"): "filled"}, "decision_unknown_bubble"),
        ({(7, "c"): "unclear"}, "decision_invalid"),
    ],
)
def test_bad_decisions_are_refused(decisions: dict, reason: str) -> None:
    with pytest.raises(ScoringError) as caught:
        score(page(correct_answers(SPEC)), key_doc(SPEC), decisions=decisions)
    assert caught.value.reason == reason


def test_identity_doubt_alone_does_not_block_scoring() -> None:
    result = score(
        page(correct_answers(SPEC), candidate=None, status="needs_review"), key_doc(SPEC)
    )
    assert (result.status, result.total) == ("final", Decimal("10.00"))


def test_rejected_page_is_reported_not_scored() -> None:
    result = score(page({}, status="rejected"), key_doc(SPEC))
    assert (result.status, result.total, result.questions) == ("rejected", None, [])


def test_void_annulment_removes_points_and_maximum() -> None:
    result = score(page(correct_answers(SPEC)), key_doc(SPEC, annulled=[17, 30]))
    assert (result.total, result.max, result.counted) == (Decimal("9.60"), Decimal("9.60"), 48)
    assert result.questions[16].rule == "annulled (void)"


def test_award_annulment_gives_everyone_the_points() -> None:
    award = SPEC.model_copy(update={"annulment": "award"})
    result = score(page(blank_answers(SPEC)), key_doc(SPEC, annulled=[17]), award)
    assert (result.total, result.max, result.correct) == (Decimal("0.20"), Decimal("10.00"), 1)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"template": "rezidentiat"}, "template_mismatch"),
        ({"variant": "B"}, "variant_without_key"),
        ({"variant": None}, None),
    ],
)
def test_reading_and_key_must_match(change: dict, reason: str | None) -> None:
    document = {**page(correct_answers(SPEC)), **change}
    if reason is None:  # a sheet without variant takes the key's only variant
        assert score(document, key_doc(SPEC)).variant == "A"
        return
    with pytest.raises(ScoringError) as caught:
        score(document, key_doc(SPEC))
    assert caught.value.reason == reason


def test_diff_refuses_scorings_of_other_sheets() -> None:
    before = [score(page(correct_answers(SPEC), candidate="0001"), key_doc(SPEC))]
    after = [score(page(correct_answers(SPEC), candidate="0002"), key_doc(SPEC))]
    with pytest.raises(ScoringError) as caught:
        diff_scores(before, after)
    assert caught.value.reason == "diff_sheets_differ"
    assert caught.value.message == "the two scorings are not of the same sheets"


def test_sheet_without_variant_and_key_with_two_is_refused() -> None:
    with pytest.raises(ScoringError) as caught:
        score(page(correct_answers(SPEC), variant=None), key_doc(SPEC, ("A", "B")))
    assert caught.value.reason == "variant_missing"


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda answers: answers.pop("50"), "reading_incomplete"),
        (lambda answers: answers.update({"51": answers["1"]}), "reading_question_unknown"),
        (lambda answers: answers["3"].update({"d": "blank"}), "reading_option_unknown"),
    ],
)
def test_malformed_readings_are_refused(edit, reason: str) -> None:
    answers = correct_answers(SPEC)
    edit(answers)
    with pytest.raises(ScoringError) as caught:
        score(page(answers), key_doc(SPEC))
    assert caught.value.reason == reason


def test_uppercase_option_labels_in_reading_are_accepted() -> None:
    answers = {
        q: {o.upper(): s for o, s in marks.items()} for q, marks in correct_answers(SPEC).items()
    }
    assert score(page(answers), key_doc(SPEC)).total == Decimal("10.00")
