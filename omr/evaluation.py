"""Readings judged against ground truth (``omr.truth/1``): the corpus's accuracy figures.

Every image of a corpus has ``NAME.truth.json`` beside it: the reading options (the room's
template or exam, when they matter), and the expected reading: status, identity and the
state of every bubble as ``[field, question, option, state]``, or for a page that must be
refused, ``{"status": "rejected", "reason": code}``. :func:`judge` compares one reading
with its truth; :class:`Tally` adds the judgements up into a confusion matrix, the share
of sheets read exactly or flagged, rejection reasons and the silent errors (a wrong
bubble on a sheet that says ``ok``: the one failure nobody would catch).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omr.read import OK, REJECTED, ReadOptions, SheetReading, read_files
from omr.template import load_template

TRUTH_SCHEMA = "omr.truth/1"
STATES = ("blank", "filled", "crossed", "unclear")
NOT_READ = "not_read"
IDENTITY = ("template", "exam", "serial", "variant", "candidate", "codes")


@dataclass(frozen=True)
class Truth:
    """One image's ground truth."""

    image: Path
    subset: str
    read_options: dict[str, str]
    expected: dict[str, Any]


@dataclass
class Judgement:
    """One reading against its truth.

    ``pairs`` counts (expected state, read state) over the bubbles; ``silent`` lists the
    bubbles read wrong on a sheet that says ``ok`` as (field, question, option, expected,
    read).
    """

    truth: Truth
    status: str
    reasons: list[str]
    pairs: Counter = field(default_factory=Counter)
    silent: list[tuple] = field(default_factory=list)
    identity_errors: list[str] = field(default_factory=list)

    @property
    def expected_status(self) -> str:
        return self.truth.expected["status"]

    @property
    def rejected_as_expected(self) -> bool:
        """For a page that must be refused: refused, and first for the expected reason."""
        return (
            self.status == REJECTED
            and bool(self.reasons)
            and self.reasons[0] == self.truth.expected["reason"]
        )

    @property
    def exact(self) -> bool:
        """Every bubble and identity field as expected, and the expected status."""
        if self.expected_status == REJECTED:
            return self.rejected_as_expected
        wrong = sum(n for (want, got), n in self.pairs.items() if want != got)
        return not wrong and not self.identity_errors and self.status == self.expected_status

    @property
    def flagged(self) -> bool:
        """Sent to a person: the reading is not ``ok``."""
        return self.status != OK


def load_truths(root: Path) -> list[Truth]:
    """Every ``*.truth.json`` under ``root`` (sorted); the subset is its folder's name."""
    truths = []
    for path in sorted(Path(root).rglob("*.truth.json")):
        document = json.loads(path.read_text())
        if document.get("schema") != TRUTH_SCHEMA:
            raise ValueError(f"{path}: not an {TRUTH_SCHEMA} document")
        truths.append(
            Truth(
                image=path.parent / document["image"],
                subset=path.parent.name,
                read_options=document.get("read_options", {}),
                expected=document["expected"],
            )
        )
    return truths


def judge(reading: SheetReading, truth: Truth) -> Judgement:
    """Compare a reading with its truth, bubble by bubble."""
    judgement = Judgement(
        truth=truth, status=reading.status, reasons=[r.code for r in reading.reasons]
    )
    expected = truth.expected
    if expected["status"] == REJECTED:
        return judgement
    read = {(b["field"], b["question"], b["option"]): b["state"] for b in reading.bubbles}
    for field_name, question, option, state in expected["bubbles"]:
        got = read.get((field_name, question, option), NOT_READ)
        judgement.pairs[(state, got)] += 1
        if got != state and reading.status == OK:
            judgement.silent.append((field_name, question, option, state, got))
    if reading.status != REJECTED:
        judgement.identity_errors = [
            name
            for name in IDENTITY
            if name in expected and getattr(reading, name) != (expected[name] or _empty(name))
        ]
    return judgement


def _empty(name: str) -> Any:
    return {} if name == "codes" else None


def read_corpus(root: Path) -> Iterator[tuple[Truth, SheetReading]]:
    """Read every image of a corpus with its truth's options; one reading per image."""
    for truth in load_truths(root):
        options = ReadOptions(
            template=(
                load_template(truth.read_options["template"])
                if "template" in truth.read_options
                else None
            ),
            exam=truth.read_options.get("exam"),
        )
        (reading,) = read_files([truth.image], options)
        yield truth, reading


@dataclass
class Tally:
    """Judgements added up, per subset or over a whole corpus."""

    judgements: list[Judgement] = field(default_factory=list)

    def add(self, judgement: Judgement) -> None:
        self.judgements.append(judgement)

    def subset(self, *names: str) -> Tally:
        return Tally([j for j in self.judgements if j.truth.subset in names])

    @property
    def sheets(self) -> list[Judgement]:
        """The judgements of pages that must be read (not refused)."""
        return [j for j in self.judgements if j.expected_status != REJECTED]

    def confusion(self) -> Counter:
        """(expected state, read state) → bubbles."""
        total: Counter = Counter()
        for judgement in self.judgements:
            total.update(judgement.pairs)
        return total

    def agreement(self) -> float:
        """Share of bubbles read as their truth (1.0 when there are none)."""
        confusion = self.confusion()
        total = sum(confusion.values())
        right = sum(n for (want, got), n in confusion.items() if want == got)
        return right / total if total else 1.0

    def share(self, predicate) -> float:
        sheets = self.sheets
        return sum(1 for j in sheets if predicate(j)) / len(sheets) if sheets else 0.0

    def silent_errors(self) -> list[tuple[str, tuple]]:
        """(image, bubble) for every bubble read wrong on a sheet that says ``ok``."""
        return [(str(j.truth.image), bubble) for j in self.judgements for bubble in j.silent]

    def rejections(self) -> Counter:
        """First reason → pages refused."""
        return Counter(j.reasons[0] for j in self.judgements if j.status == REJECTED)

    def misrejected(self) -> list[Judgement]:
        """Pages that had to be refused for a reason and were not (or for another)."""
        return [
            j
            for j in self.judgements
            if j.expected_status == REJECTED and not j.rejected_as_expected
        ]
