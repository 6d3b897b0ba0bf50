"""Scoring: a pure function of (marks, key, profile, annulments, decisions).

:func:`score_question` applies one question type's rule to one question's marks;
:func:`score_sheet` scores a page of an ``omr.reading/1`` document into a
:class:`omr.scoring.results.SheetScore` with its breakdown; :func:`diff_scores` compares two
scorings of the same pages (after a key revision). Nothing here re-reads a scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from omr.scoring.documents import load_json_document
from omr.scoring.keys import AnswerKey, VariantKey
from omr.scoring.profiles import (
    AllOrNothing,
    PerCorrectOption,
    PerOptionAgreement,
    Profile,
    QuestionType,
)
from omr.scoring.results import (
    Bubble,
    KeyRef,
    MasterRef,
    QuestionScore,
    SheetScore,
    Source,
)
from omr.vocabulary.errors import ScoringError
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import MarkState

Decisions = Mapping[tuple[int, str], MarkState]


class ReadingPage(BaseModel):
    """The fields of one ``omr.reading/1`` page that scoring uses."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    source: Source
    template: str | None = None
    exam: str | None = None
    variant: str | None = None
    serial: int | None = None
    candidate: str | None = None
    codes: dict[str, str] = {}  # values printed as squares, e.g. the national form's domain
    status: Literal["ok", "needs_review", "rejected"]
    reasons: list[dict] = []
    answers: dict[int, dict[str, MarkState]] = {}
    warnings: list[dict] = []


class _ReadingFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_: Literal["omr.reading/1"] = Field(alias="schema")
    pages: list[ReadingPage]


_READING_FILE = TypeAdapter(_ReadingFile)


def load_readings(path: Path) -> list[ReadingPage]:
    """The pages of an ``omr.reading/1`` file.

    Raises
    ------
    InputFileError
        ``reading_not_found`` or ``reading_invalid``.
    """
    document = load_json_document(
        path, _READING_FILE, missing=Reason.READING_NOT_FOUND, invalid=Reason.READING_INVALID
    )
    return document.pages


@dataclass(frozen=True)
class Outcome:
    """The points of one question and the rule that gave them (None: undecided)."""

    points: Decimal | None
    max: Decimal
    rule: str


def _apply_rule(
    qtype: QuestionType, filled: set[str], key: frozenset[str], options: int
) -> Outcome:
    top = qtype.max_points(options)
    match qtype.rule:
        case AllOrNothing(points=points):
            if not filled:
                return Outcome(Decimal(0), top, "blank")
            if filled == key:
                return Outcome(points, top, "correct")
            return Outcome(Decimal(0), top, "wrong")
        case PerCorrectOption(per_option=per_option, wrong_mark=wrong_mark):
            right, wrong = len(filled & key), len(filled - key)
            if not filled:
                return Outcome(Decimal(0), top, "blank")
            if not wrong:
                return Outcome(per_option * right, top, f"{right} correct")
            if not right:
                return Outcome(Decimal(0), top, "wrong")
            if wrong_mark == "strict":
                return Outcome(Decimal(0), top, f"{right} correct + {wrong} wrong → 0 (strict)")
            return Outcome(per_option * right, top, f"{right} correct + {wrong} wrong")
        case PerOptionAgreement(per_option=per_option):
            agree = options - len(filled ^ key)
            return Outcome(per_option * agree, top, f"{agree} of {options} options agree")


def score_question(
    profile: Profile,
    question: int,
    marks: Mapping[str, MarkState],
    key: frozenset[str],
    *,
    annulled: bool = False,
) -> Outcome:
    """Score one question's ``marks`` (option → state) against its ``key`` letters.

    In order: an annulled question scores 0 out of 0 (policy ``void``) or full points
    (``award``), whatever its marks; an ``unclear`` bubble leaves the question undecided;
    then the type's zeroing rules (a crossed circle, too many or too few filled) and
    finally its rule.
    """
    qtype = profile.question_type(question)
    top = qtype.max_points(len(profile.options))
    if annulled:
        if profile.annulment == "void":
            return Outcome(Decimal(0), Decimal(0), "annulled (void)")
        return Outcome(top, top, "annulled (award)")
    unclear = [option for option, state in marks.items() if state == MarkState.UNCLEAR]
    if unclear:
        return Outcome(None, top, f"pending: {' '.join(unclear)} unclear")
    if qtype.zeroing.crossed and MarkState.CROSSED in marks.values():
        return Outcome(Decimal(0), top, "crossed → 0")
    filled = {option for option, state in marks.items() if state == MarkState.FILLED}
    more_than, fewer_than = qtype.zeroing.more_than, qtype.zeroing.fewer_than
    if more_than is not None and len(filled) > more_than:
        return Outcome(Decimal(0), top, f"{len(filled)} filled → 0")
    if len(filled) < fewer_than:
        rule = "blank → 0" if not filled else f"{len(filled)} filled → 0 (fewer than {fewer_than})"
        return Outcome(Decimal(0), top, rule)
    return _apply_rule(qtype, filled, key, len(profile.options))


def _normalised_answers(page: ReadingPage, profile: Profile) -> dict[int, dict[str, MarkState]]:
    """The page's marks with the profile's option spelling; every bubble present."""
    answers: dict[int, dict[str, MarkState]] = {}
    for question, marks in page.answers.items():
        if not profile.has_question(question):
            raise ScoringError(
                Reason.READING_QUESTION_UNKNOWN,
                file=page.source.path or "—",
                question=question,
                profile=profile.id,
            )
        labelled = {profile.option_label(option): state for option, state in marks.items()}
        if None in labelled:
            raise ScoringError(
                Reason.READING_OPTION_UNKNOWN,
                file=page.source.path or "—",
                question=question,
                found=" ".join(sorted(marks)),
                options=" ".join(profile.options),
            )
        answers[question] = {
            option: labelled.get(option, MarkState.BLANK) for option in profile.options
        }
    missing = [q for q in range(1, profile.question_count + 1) if q not in answers]
    if missing:
        raise ScoringError(
            Reason.READING_INCOMPLETE,
            file=page.source.path or "—",
            count=len(missing),
            first=missing[0],
        )
    return answers


def _apply_decisions(
    answers: dict[int, dict[str, MarkState]], decisions: Decisions, profile: Profile
) -> dict[int, list[str]]:
    """Overwrite bubbles with a person's decisions; return the decided options per question."""
    decided: dict[int, list[str]] = {}
    for (question, option), state in sorted(decisions.items()):
        label = profile.option_label(option)
        if question not in answers or label is None:
            raise ScoringError(Reason.DECISION_UNKNOWN_BUBBLE, bubble=f"{question}{option}")
        if state == MarkState.UNCLEAR:
            raise ScoringError(
                Reason.DECISION_INVALID,
                problem=f"the decision on bubble {question}{option} must be blank, filled or "
                "crossed",
                problem_ro=f"bula {question}{option} poate fi decisă doar goală, marcată sau "
                "anulată cu X",
            )
        answers[question][label] = state
        decided.setdefault(question, []).append(label)
    return decided


def _sheet_fields(page: ReadingPage, profile: Profile) -> dict:
    return {
        "profile": profile.id,
        "exam": page.exam,
        "template": page.template,
        "source": page.source,
        "candidate": page.candidate,
        "domain": page.codes.get("domain"),
        "serial": page.serial,
        "reading_status": page.status,
        "reasons": page.reasons,
        "warnings": page.warnings,
    }


def _master_ref(vkey: VariantKey, question: int) -> MasterRef | None:
    if vkey.origins is None:
        return None
    origin = vkey.origins[question]
    return MasterRef(question=origin.question, options=origin.options)


def _question_points(profile: Profile, points: Decimal) -> Decimal:
    """A question's points: rounded (rounding ``on: question``), else exact, with the
    profile's places when that loses nothing (``0.2`` shown ``0.20``, ``0.125`` kept)."""
    rounded = profile.rounding.apply(points)
    return rounded if profile.rounding.on == "question" or rounded == points else points


def score_sheet(
    page: ReadingPage, key: AnswerKey, profile: Profile, decisions: Decisions | None = None
) -> SheetScore:
    """Score one page; ``decisions`` maps (question, option) to a person's decided state.

    A ``rejected`` page is reported as such and not scored. A page with an ``unclear``
    bubble left is ``pending``: its ``total`` is None and ``pending`` lists the bubbles.

    Raises
    ------
    ScoringError
        ``template_mismatch``, ``variant_without_key``, ``variant_missing``,
        ``reading_question_unknown``, ``reading_option_unknown``, ``reading_incomplete``,
        ``decision_unknown_bubble``, ``decision_invalid``.
    """
    if page.template is not None and page.template not in profile.templates:
        raise ScoringError(
            Reason.TEMPLATE_MISMATCH,
            file=page.source.path or "—",
            template=page.template,
            profile=profile.id,
            templates=", ".join(profile.templates),
        )
    key_ref = KeyRef(
        digest=key.digest,
        number=key.version.number if key.version else None,
        stage=key.version.stage if key.version else None,
    )
    rounding = profile.rounding.apply
    if page.status == "rejected":
        return SheetScore(
            **_sheet_fields(page, profile),
            variant=page.variant,
            status="rejected",
            total=None,
            provisional_total=None,
            max=rounding(profile.maximum),
            correct=0,
            counted=0,
            passed=None,
            key=key_ref,
        )
    variant, vkey = key.for_variant(page.variant)
    answers = _normalised_answers(page, profile)
    decided = _apply_decisions(answers, decisions or {}, profile)
    lines: list[QuestionScore] = []
    for question, marks in sorted(answers.items()):
        outcome = score_question(
            profile,
            question,
            marks,
            vkey.answers.get(question, frozenset()),
            annulled=question in vkey.annulled,
        )
        lines.append(
            QuestionScore(
                question=question,
                type=profile.question_type(question).name,
                marks=marks,
                key="".join(o for o in profile.options if o in vkey.answers.get(question, ())),
                points=None
                if outcome.points is None
                else _question_points(profile, outcome.points),
                max=_question_points(profile, outcome.max),
                rule=outcome.rule,
                decided=decided.get(question, []),
                master=_master_ref(vkey, question),
            )
        )
    return _summarise(page, profile, variant, key_ref, lines, answers)


def _summarise(
    page: ReadingPage,
    profile: Profile,
    variant: str,
    key_ref: KeyRef,
    lines: list[QuestionScore],
    answers: dict[int, dict[str, MarkState]],
) -> SheetScore:
    rounding = profile.rounding.apply
    held = {line.question for line in lines if line.points is None}  # not annulled ones
    pending = [
        Bubble(question=question, option=option)
        for question, marks in sorted(answers.items())
        for option, state in marks.items()
        if state == MarkState.UNCLEAR and question in held
    ]
    decided_points = sum((line.points for line in lines if line.points is not None), Decimal(0))
    maximum = sum((line.max for line in lines), Decimal(0))
    correct = sum(1 for line in lines if line.max > 0 and line.points == line.max)
    counted = sum(1 for line in lines if line.max > 0)
    final = not pending
    return SheetScore(
        **_sheet_fields(page, profile),
        variant=variant,
        status="final" if final else "pending",
        total=rounding(decided_points) if final else None,
        provisional_total=rounding(decided_points),
        max=rounding(maximum),
        correct=correct,
        counted=counted,
        passed=profile.passes(decided_points, correct, counted) if final else None,
        pending=pending,
        key=key_ref,
        questions=lines,
    )


def score_readings(
    pages: Sequence[ReadingPage], key: AnswerKey, profile: Profile
) -> list[SheetScore]:
    """Score every page of a readings file with ``key``."""
    return [score_sheet(page, key, profile) for page in pages]


class QuestionChange(BaseModel):
    """A question whose points or rule differ between two scorings."""

    model_config = ConfigDict(frozen=True)

    question: int
    old_key: str
    new_key: str
    old_points: Decimal | None
    new_points: Decimal | None
    old_rule: str
    new_rule: str


class ScoreChange(BaseModel):
    """One sheet scored twice: old and new status, total, maximum and changed questions."""

    model_config = ConfigDict(frozen=True)

    source: Source
    candidate: str | None
    variant: str | None
    old_status: str
    new_status: str
    old_total: Decimal | None
    new_total: Decimal | None
    old_max: Decimal
    new_max: Decimal
    questions: list[QuestionChange]

    @property
    def changed(self) -> bool:
        """Whether anything of this sheet's score differs."""
        return bool(self.questions) or (self.old_status, self.old_total, self.old_max) != (
            self.new_status,
            self.new_total,
            self.new_max,
        )


def diff_scores(old: Sequence[SheetScore], new: Sequence[SheetScore]) -> list[ScoreChange]:
    """Per sheet (matched by source), the old and new score and the questions that changed.

    Raises
    ------
    ScoringError
        ``diff_sheets_differ`` when the two scorings are not of the same pages.
    """
    old_by_source = {score.source.identity: score for score in old}
    if set(old_by_source) != {score.source.identity for score in new}:
        raise ScoringError(Reason.DIFF_SHEETS_DIFFER)
    changes = []
    for after in new:
        before = old_by_source[after.source.identity]
        old_lines = {line.question: line for line in before.questions}
        pairs = [(old_lines.get(line.question), line) for line in after.questions]
        questions = [
            QuestionChange(
                question=line.question,
                old_key=was.key,
                new_key=line.key,
                old_points=was.points,
                new_points=line.points,
                old_rule=was.rule,
                new_rule=line.rule,
            )
            for was, line in pairs
            if was is not None and was != line
        ]
        changes.append(
            ScoreChange(
                source=after.source,
                candidate=after.candidate,
                variant=after.variant,
                old_status=before.status,
                new_status=after.status,
                old_total=before.total,
                new_total=after.total,
                old_max=before.max,
                new_max=after.max,
                questions=questions,
            )
        )
    return changes
