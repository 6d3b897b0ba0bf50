"""Score records: what ``omr score`` writes and ``omr rank`` / ``omr items`` read.

A results file is a JSON list of :class:`SheetScore`, one per scanned page. Decimals
are written as strings with the profile's decimals (``"7.30"``); a pending or rejected
sheet has ``"total": null``, so no consumer can take a pending score for a final one.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from omr.scoring.documents import load_json_document
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import MarkState


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(BaseModel):
    """The scanned page a reading came from, as the reading gives it."""

    model_config = ConfigDict(extra="allow", frozen=True)

    path: str | None = None
    page: int | None = None
    sha256: str | None = None

    @property
    def identity(self) -> str:
        """The content hash when known, else ``path#page``."""
        return self.sha256 or f"{self.path}#{self.page}"


class MasterRef(_Record):
    """The master-key question behind a variant's question, and its option mapping."""

    question: int
    options: dict[str, str]  # variant letter → master letter


class QuestionScore(_Record):
    """One line of a score breakdown."""

    question: int
    type: str
    marks: dict[str, MarkState]
    key: str  # the correct letters, "" for an annulled question without a key
    points: Decimal | None  # None while a bubble of the question is unclear
    max: Decimal  # 0 for a question annulled with policy "void"
    rule: str  # the rule that applied: "correct", "crossed → 0", "3 filled → 0", …
    decided: list[str] = []  # options whose state a person decided
    master: MasterRef | None = None


class Bubble(_Record):
    question: int
    option: str


class KeyRef(_Record):
    """Which key scored a sheet."""

    digest: str
    number: int | None = None
    stage: str | None = None


class SheetScore(_Record):
    """The score of one page: totals, status and the per-question breakdown."""

    profile: str
    exam: str | None
    template: str | None
    source: Source
    candidate: str | None
    variant: str | None
    domain: str | None = None  # the national form's domain (medicina, farmacie, …)
    serial: int | None = None
    reading_status: str
    status: Literal["final", "pending", "rejected"]
    total: Decimal | None  # only when status is final
    provisional_total: Decimal | None  # the decided questions' points, for a pending sheet
    max: Decimal
    correct: int  # questions answered fully correctly (an "award" annulment counts)
    counted: int  # questions that count (not annulled with policy "void")
    passed: bool | None  # None when not final, or when the rule needs the national maximum
    pending: list[Bubble] = []
    reasons: list[dict] = []
    warnings: list[dict] = []
    key: KeyRef | None
    questions: list[QuestionScore] = []


_RESULTS = TypeAdapter(list[SheetScore])


class _Bundle(BaseModel):
    """A station's signed room bundle (``station.bundle/1``): its ``results`` are read."""

    model_config = ConfigDict(extra="allow")

    schema_: Literal["station.bundle/1"] = Field(alias="schema")
    results: list[SheetScore]


_RESULTS_OR_BUNDLE = TypeAdapter(list[SheetScore] | _Bundle)


def results_json(scores: list[SheetScore]) -> str:
    """The results file text of ``scores``."""
    return _RESULTS.dump_json(scores, indent=2).decode() + "\n"


def load_results(path: Path) -> list[SheetScore]:
    """Read a results file, or the results of a station's room bundle.

    Raises
    ------
    InputFileError
        ``results_not_found`` or ``results_invalid``.
    """
    document = load_json_document(
        path, _RESULTS_OR_BUNDLE, missing=Reason.RESULTS_NOT_FOUND, invalid=Reason.RESULTS_INVALID
    )
    return document.results if isinstance(document, _Bundle) else document


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    """CSV text of ``rows``; None becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return buffer.getvalue()


def scores_csv(scores: list[SheetScore]) -> str:
    """One CSV row per sheet: identity, status, totals and each question's points."""
    numbers = sorted({q.question for score in scores for q in score.questions})
    header = ["source", "page", "candidate", "variant", "status", "total"]
    header += ["provisional_total", "max", "correct", "passed"]
    rows = []
    for score in scores:
        points = {q.question: q.points for q in score.questions}
        rows.append(
            [score.source.path, score.source.page, score.candidate, score.variant, score.status]
            + [score.total, score.provisional_total, score.max, score.correct, score.passed]
            + [points.get(number) for number in numbers]
        )
    return csv_text(header + [f"q{number}" for number in numbers], rows)


def dumps(document: object) -> str:
    """Indented JSON of a plain document whose decimals are already strings."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
