"""Rescans: a new scan of the same physical sheet, compared bubble by bubble with the first.

A rescan never replaces the original reading; the committee sees both, the bubbles whose
state differs and (with :func:`omr.scoring.score.score_sheet`) the score before and after.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from omr.scoring.score import ReadingPage
from omr.vocabulary.errors import ScoringError
from omr.vocabulary.reasons import Problem, Reason
from omr.vocabulary.states import MarkState, PageStatus


class BubbleChange(BaseModel):
    """One bubble read differently by the rescan."""

    model_config = ConfigDict(frozen=True)

    question: int
    option: str
    before: str
    after: str


# The identity a rescan must share with the original, and its Romanian name.
_IDENTITY = {
    "template": "modelul foii",
    "exam": "examenul",
    "serial": "seria",
    "candidate": "candidatul",
    "variant": "varianta",
}


def _check_same_sheet(original: ReadingPage, rescan: ReadingPage) -> None:
    if rescan.status == PageStatus.REJECTED:
        problems = [Problem.from_dict(reason) for reason in rescan.reasons]
        raise ScoringError(
            Reason.RESCAN_UNREADABLE,
            codes=", ".join(problem.code for problem in problems),
            why_ro="; ".join(problem.message_ro for problem in problems) or "—",
        )
    for field, field_ro in _IDENTITY.items():
        before, after = getattr(original, field), getattr(rescan, field)
        if before is not None and after is not None and before != after:
            raise ScoringError(
                Reason.RESCAN_MISMATCH, field=field, field_ro=field_ro, found=after, expected=before
            )


def compare_readings(original: ReadingPage, rescan: ReadingPage) -> list[BubbleChange]:
    """The bubbles whose state differs between a sheet's reading and its rescan.

    Raises
    ------
    ScoringError
        ``rescan_unreadable`` when the rescan was rejected; ``rescan_mismatch`` when it
        carries another template, exam, serial, candidate or variant than the original.
    """
    _check_same_sheet(original, rescan)
    changes = []
    for question in sorted(original.answers.keys() | rescan.answers.keys()):
        before = original.answers.get(question, {})
        after = rescan.answers.get(question, {})
        for option in sorted(before.keys() | after.keys()):
            old, new = before.get(option, MarkState.BLANK), after.get(option, MarkState.BLANK)
            if old != new:
                changes.append(
                    BubbleChange(question=question, option=option, before=old, after=new)
                )
    return changes
