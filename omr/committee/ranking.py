"""Ranking: merge the results files of many rooms, then rank the final scores.

Merging is order-independent: the same sheet met twice with the same score is a
duplicate (kept once); the same sheet with two different scores, or a candidate with
two different sheets, is a conflict (kept out of the ranking, listed for the
committee). Candidates are ranked by total, descending; equal totals share a rank
(competition ranking: 1, 2, 2, 4) and are listed by candidate code, which is display
order only, not a tie-break.

The national maximum and every pass result wait for complete data (002 art. 2 (2)): while
a sheet of the domain is pending, unidentified or in conflict, the ranking is
``provisional``, without a maximum, a threshold or a pass result, and lists what is missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from omr.scoring.profiles import NationalMaximumPass, Profile
from omr.scoring.results import KeyRef, SheetScore, Source, csv_text
from omr.vocabulary.errors import ScoringError
from omr.vocabulary.reasons import Reason

RANKING_SCHEMA = "omr.ranking/1"
INCOMPLETE = ("pending", "unidentified", "conflict")  # sheets a final ranking waits for


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Ranked(_Record):
    rank: int
    candidate: str
    total: Decimal
    max: Decimal
    passed: bool | None
    variant: str | None
    exam: str | None
    source: Source


class Excluded(_Record):
    """A sheet kept out of the ranking, and why."""

    why: str  # pending, rejected, unidentified, conflict
    candidate: str | None
    source: Source
    status: str
    total: Decimal | None


class Ranking(_Record):
    """The merged, ranked results of one exam."""

    schema_: str = Field(default=RANKING_SCHEMA, alias="schema")
    profile: str
    exam: str | None
    domain: str | None = None  # the domain ranked, when the results carry one
    key: KeyRef | None
    national_max: Decimal | None  # the best total ranked (None while provisional)
    threshold: Decimal | None  # the pass mark from the share of the national maximum
    provisional: bool = False  # some sheet of the domain is not final and identified
    ranking: list[Ranked]
    excluded: list[Excluded]
    duplicates: list[Source]  # sheets met more than once with the same score

    @property
    def missing(self) -> list[Excluded]:
        """The sheets a final ranking waits for."""
        return [entry for entry in self.excluded if entry.why in INCOMPLETE]

    def as_document(self) -> dict:
        """The ``omr.ranking/1`` JSON document (decimals as strings)."""
        return self.model_dump(mode="json", by_alias=True)

    def csv(self) -> str:
        """One CSV row per ranked candidate; ``provisional`` says whether the ranking waits."""
        header = ["rank", "candidate", "total", "max", "passed", "variant", "exam", "source"]
        rows = [
            [r.rank, r.candidate, r.total, r.max, r.passed, r.variant, r.exam, r.source.path]
            + [self.provisional]
            for r in self.ranking
        ]
        return csv_text([*header, "provisional"], rows)


def _single(values: set, reason: Reason, **details: str) -> object:
    """The one value of ``values``; several are refused with ``reason`` naming them."""
    if len(values) > 1:
        shown = ", ".join(sorted(str(value) for value in values))
        raise ScoringError(reason, values=shown, **details)
    return next(iter(values), None)


def merge_results(
    files: Sequence[Sequence[SheetScore]],
) -> tuple[list[SheetScore], list[Source], list[Excluded]]:
    """One entry per sheet: (the sheets, the duplicates dropped, the conflicting sheets).

    Raises
    ------
    ScoringError
        ``results_exam_mismatch`` (different profiles or exam codes) or
        ``results_key_mismatch`` (scored with different keys).
    """
    scores = [score for entries in files for score in entries]
    _single({score.profile for score in scores}, Reason.RESULTS_EXAM_MISMATCH, what="exam profiles")
    exams = {score.exam for score in scores if score.exam is not None}
    _single(exams, Reason.RESULTS_EXAM_MISMATCH, what="exams")
    _single({s.key.digest for s in scores if s.key}, Reason.RESULTS_KEY_MISMATCH)
    by_sheet: dict[str, list[SheetScore]] = defaultdict(list)
    for score in scores:
        by_sheet[score.source.identity].append(score)
    sheets, duplicates, conflicts = [], [], []
    for identity in sorted(by_sheet):
        versions = by_sheet[identity]
        if any(version != versions[0] for version in versions):
            conflicts.extend(versions)
            continue
        sheets.append(versions[0])
        duplicates.extend(version.source for version in versions[1:])
    by_candidate: dict[str, list[SheetScore]] = defaultdict(list)
    for sheet in sheets:
        if sheet.candidate is not None and sheet.status != "rejected":
            by_candidate[sheet.candidate].append(sheet)
    twice = {id(s) for group in by_candidate.values() if len(group) > 1 for s in group}
    conflicts.extend(sheet for sheet in sheets if id(sheet) in twice)
    kept = [sheet for sheet in sheets if id(sheet) not in twice]
    return kept, duplicates, [_excluded(sheet, "conflict") for sheet in conflicts]


def _excluded(sheet: SheetScore, why: str) -> Excluded:
    return Excluded(
        why=why,
        candidate=sheet.candidate,
        source=sheet.source,
        status=sheet.status,
        total=sheet.total,
    )


def rank_results(
    files: Sequence[Sequence[SheetScore]],
    profile: Profile,
    domain: str | None = None,
    waiting: Sequence[Excluded] = (),
) -> Ranking:
    """Merge ``files`` and rank their final, identified sheets, one domain at a time.

    The pass rule is applied with the national maximum, the best total ranked in the
    domain (art. 18 (1): the ranking is per domain), once no sheet of the domain is
    pending, unidentified or in conflict; ``waiting`` lists sheets known to be missing
    from ``files`` (a room's sheets still undecided). Until then the ranking is provisional.

    Raises
    ------
    ScoringError
        As :func:`merge_results`; ``results_exam_mismatch`` when the results are not of
        ``profile``; ``results_mixed_domains`` when they hold several domains and none was
        chosen.
    """
    sheets, duplicates, excluded = merge_results(files)
    profiles = {profile.id} | {s.profile for s in sheets}
    _single(profiles, Reason.RESULTS_EXAM_MISMATCH, what="exam profiles")
    domains = sorted({s.domain for s in sheets if s.domain is not None})
    if domain is None and len(domains) > 1:
        raise ScoringError(Reason.RESULTS_MIXED_DOMAINS, domains=", ".join(domains))
    if domain is not None:  # a sheet not yet ranked may belong to any domain
        sheets = [
            sheet
            for sheet in sheets
            if sheet.domain == domain
            or (sheet.domain is None and (sheet.status != "final" or sheet.candidate is None))
        ]
    excluded.extend(waiting)
    ranked: list[SheetScore] = []
    for sheet in sheets:
        if sheet.status != "final":
            excluded.append(_excluded(sheet, sheet.status))
        elif sheet.candidate is None:
            excluded.append(_excluded(sheet, "unidentified"))
        else:
            ranked.append(sheet)
    ranked.sort(key=lambda sheet: (-sheet.total, sheet.candidate))
    provisional = any(entry.why in INCOMPLETE for entry in excluded)
    best = ranked[0].total if ranked and not provisional else None
    shares = [rule.share for rule in profile.pass_rules if isinstance(rule, NationalMaximumPass)]
    rows: list[Ranked] = []
    for position, sheet in enumerate(ranked, start=1):
        tied = rows and rows[-1].total == sheet.total
        rows.append(
            Ranked(
                rank=rows[-1].rank if tied else position,
                candidate=sheet.candidate,
                total=sheet.total,
                max=sheet.max,
                passed=None
                if provisional
                else profile.passes(sheet.total, sheet.correct, sheet.counted, best),
                variant=sheet.variant,
                exam=sheet.exam,
                source=sheet.source,
            )
        )
    return Ranking(
        profile=profile.id,
        exam=next((s.exam for s in sheets if s.exam is not None), None),
        domain=domain or next(iter(domains), None),
        key=next((s.key for s in sheets if s.key is not None), None),
        national_max=best,
        threshold=max(shares) * best if shares and best is not None else None,
        provisional=provisional,
        ranking=rows,
        excluded=sorted(excluded, key=lambda e: (e.why, e.candidate or "", e.model_dump_json())),
        duplicates=sorted(duplicates, key=lambda source: source.identity),
    )
