"""The specialization exam's catalogue: practical grades, the written grade, the final average.

001 art. 28 (3)–(4): each committee member grades the practical test; the practical grade is
their mean, to two decimals. Art. 17 (2): a pass needs at least the pass mark (6.00) in
each test. Art. 38 (1)–(2): the final average is the mean of the practical and the written
grades, to two decimals, and the exam's catalogue is drawn from it. Pure functions: the
station supplies the grades and the written scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from omr.scoring.profiles import AbsolutePass, Profile
from omr.scoring.results import csv_text
from omr.vocabulary.errors import ScoringError
from omr.vocabulary.reasons import Reason

LOWEST, HIGHEST = Decimal(1), Decimal(10)  # a grade of the Romanian scale


class CatalogueRow(BaseModel):
    """One candidate of the catalogue; None where a test is not graded yet."""

    model_config = ConfigDict(frozen=True)

    candidate: str
    name: str
    practical: Decimal | None
    written: Decimal | None
    final: Decimal | None
    passed: bool | None


def parse_grade(text: str) -> Decimal:
    """A member's grade from its text (``"8.50"``, ``"9"``), between 1 and 10.

    Raises
    ------
    ScoringError
        ``grade_invalid``.
    """
    try:
        grade = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        grade = None
    if grade is None or not grade.is_finite() or not LOWEST <= grade <= HIGHEST:
        raise ScoringError(Reason.GRADE_INVALID, grade=text)
    return grade


def pass_mark(profile: Profile) -> Decimal:
    """The least grade of each test (the profile's absolute pass rule)."""
    return next(rule.minimum for rule in profile.pass_rules if isinstance(rule, AbsolutePass))


def practical_grade(grades: Sequence[Decimal], profile: Profile) -> Decimal | None:
    """The mean of the members' grades, to two decimals (None before any grade)."""
    if not grades:
        return None
    return profile.rounding.apply(sum(grades, Decimal(0)) / len(grades))


def catalogue_row(
    candidate: str,
    name: str,
    practical: Decimal | None,
    written: Decimal | None,
    profile: Profile,
) -> CatalogueRow:
    """A candidate's final average and result, once both tests are graded."""
    final = passed = None
    if practical is not None and written is not None:
        final = profile.rounding.apply((practical + written) / 2)
        passed = min(practical, written) >= pass_mark(profile)
    return CatalogueRow(
        candidate=candidate,
        name=name,
        practical=practical,
        written=written,
        final=final,
        passed=passed,
    )


def build_catalogue(
    candidates: Sequence[tuple[str, str]],
    practical: Mapping[str, Sequence[Decimal]],
    written: Mapping[str, Decimal],
    profile: Profile,
) -> list[CatalogueRow]:
    """The catalogue of ``candidates`` (number, name): best final average first, then the
    candidates still missing a grade, each group by candidate number."""
    rows = [
        catalogue_row(
            number,
            name,
            practical_grade(practical.get(number, []), profile),
            written.get(number),
            profile,
        )
        for number, name in candidates
    ]
    return sorted(rows, key=lambda r: (r.final is None, -(r.final or 0), r.candidate))


def catalogue_csv(rows: Sequence[CatalogueRow]) -> str:
    """The catalogue as CSV."""
    header = ["candidate", "name", "practical", "written", "final", "passed"]
    return csv_text(
        header,
        [[r.candidate, r.name, r.practical, r.written, r.final, r.passed] for r in rows],
    )
