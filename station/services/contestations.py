"""Contestations of the key, grouped by item across variants, and the committee's rulings.

Each contested item (:func:`omr.committee.contestations.item_of`) is answered — rejected, key
changed, question annulled — with a justification; a ruling is accepted only when all
the rulings together still make a valid key (:func:`omr.committee.contestations.revise_key`), so
a single-answer question never becomes multiple and not every question is annulled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.committee.contestations import Contestation as Claim
from omr.committee.contestations import ItemDecision, group_contestations, item_of, revise_key
from omr.committee.item_analysis import ItemStats, analyse_items
from omr.scoring.keys import AnswerKey, KeyVersion
from omr.scoring.profiles import load_profile
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Reason
from station.errors import StationError, not_found
from station.services import audit
from station.services.deadlines import check_window
from station.services.exams import answer_key, latest_key
from station.services.phases import publication_of
from station.services.rooms import rooms_of_exam
from station.services.sheets import SheetView, room_sheets
from station.storage.committee import Contestation, ItemRuling
from station.storage.models import AnswerKeyVersion, Candidate, Exam, User, utcnow
from station.words import local_time

OUTCOMES = ("rejected", "changed", "annulled")


@dataclass
class ContestedItem:
    """One contested item: its contestations, the committee's ruling and its statistics."""

    item: str
    contestations: list[Contestation]
    ruling: ItemRuling | None
    stats: ItemStats | None


# why a key version follows the contestation decisions (the key's text, not a reason code)
REVISION_REASON = "decizia comisiei asupra contestațiilor"


def key_in_force(session: Session, *, exam: Exam) -> tuple[AnswerKeyVersion, AnswerKey]:
    """The exam's newest key version and its validated key.

    Raises
    ------
    StationError
        ``key_missing`` (409).
    """
    version = latest_key(session, exam=exam)
    if version is None:
        raise StationError(Reason.KEY_MISSING, status_code=409)
    return version, answer_key(version, load_profile(exam.profile))


def exam_sheets(session: Session, *, exam: Exam) -> list[SheetView]:
    """Every sheet of every room of the exam, scored as the rooms see them."""
    return [
        view
        for room in rooms_of_exam(session, exam_id=exam.id)
        for view in room_sheets(session, room=room)
    ]


def file_contestation(
    session: Session,
    *,
    exam: Exam,
    candidate: str,
    variant: str | None,
    question: int,
    claim: str,
    now: datetime,
    actor: User,
) -> Contestation:
    """File a candidate's contestation of one question of their variant.

    Raises
    ------
    StationError
        ``not_found`` (candidate), ``claim_missing``, ``contestation_after_final_key``
        (409), ``key_missing``, ``contestation_unknown_question``, ``variant_without_key``,
        ``outside_window``.
    """
    if not claim.strip():
        raise StationError(Reason.CLAIM_MISSING)
    known = session.scalars(
        select(Candidate.id).where(Candidate.exam_id == exam.id, Candidate.number == candidate)
    ).first()
    if known is None:
        raise not_found(f"candidatul {candidate}")
    published = publication_of(session, exam=exam)
    if published is not None:
        raise StationError(
            Reason.CONTESTATION_AFTER_FINAL_KEY,
            status_code=409,
            published=local_time(published.published_at, exam.time_zone),
        )
    _, key = key_in_force(session, exam=exam)
    try:
        name, _ = key.for_variant(variant)
        item = item_of(key, name, question)
    except OmrError as error:
        raise StationError(error.problem) from None
    exception = check_window(session, exam=exam, kind="contestation", candidate=candidate, now=now)
    contestation = Contestation(
        exam_id=exam.id,
        candidate=candidate,
        variant=name,
        question=question,
        item=item,
        claim=claim.strip(),
        filed_at=now,
        exception_id=exception.id if exception else None,
        filed_by=actor.id,
    )
    session.add(contestation)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="contestation.file",
        entity=f"contestation:{contestation.id}",
        after={"candidate": candidate, "variant": name, "question": question, "item": item},
    )
    return contestation


def contestations_of(session: Session, *, exam: Exam) -> list[Contestation]:
    """The exam's contestations, in filing order."""
    return list(
        session.scalars(
            select(Contestation).where(Contestation.exam_id == exam.id).order_by(Contestation.id)
        )
    )


def current_rulings(session: Session, *, exam: Exam) -> dict[str, ItemRuling]:
    """The newest ruling of each item."""
    newest: dict[str, ItemRuling] = {}
    for ruling in session.scalars(
        select(ItemRuling).where(ItemRuling.exam_id == exam.id).order_by(ItemRuling.id)
    ):
        newest[ruling.item] = ruling
    return newest


def item_decisions(rulings: dict[str, ItemRuling]) -> list[ItemDecision]:
    """The library's form of the rulings."""
    return [
        ItemDecision(item=r.item, outcome=r.outcome, justification=r.justification, answer=r.answer)
        for r in rulings.values()
    ]


def revised_document(
    session: Session, *, exam: Exam, rulings: dict[str, ItemRuling], stage: str, actor: User
) -> tuple[dict, AnswerKey]:
    """The next key version the rulings make from the key the rooms scored with.

    The rulings always apply to the key before any committee decision (the one a
    published final key superseded), so the same rulings always make the same key.

    Raises
    ------
    StationError
        Every refusal of :func:`omr.committee.contestations.revise_key` (nothing is stored).
    """
    version, _ = key_in_force(session, exam=exam)
    published = publication_of(session, exam=exam)
    base = version
    if published is not None:
        final = session.get(AnswerKeyVersion, published.key_id)
        base = session.get(AnswerKeyVersion, final.supersedes_id)
    following = KeyVersion(
        number=version.number + 1,
        stage=stage,
        author=actor.full_name or actor.username,
        time=utcnow(),
        reason=REVISION_REASON,
        supersedes=version.number,
    )
    try:
        return revise_key(
            base.document, load_profile(exam.profile), item_decisions(rulings), following
        )
    except OmrError as error:
        raise StationError(error.problem) from None


def rule_item(
    session: Session,
    *,
    exam: Exam,
    item: str,
    outcome: str,
    answer: str | None,
    justification: str,
    members: list[str],
    actor: User,
) -> ItemRuling:
    """Record the committee's answer to a contested item.

    The committee may change or annul any item, contested or not (002 art. 16 (4): a
    flawed question is annulled for everyone); it rejects only what was contested. An
    item of per-variant keys without an item map is named at every position (``A5+B12``).

    Raises
    ------
    StationError
        ``item_not_contested`` (404, a rejection of what nobody contested),
        ``key_already_final`` (409, after the final key), ``outcome_invalid``,
        ``justification_missing``, ``members_missing``, and the refusals of
        :func:`revised_document`.
    """
    if outcome not in OUTCOMES:
        raise StationError(Reason.OUTCOME_INVALID, what="răspunsul", options=", ".join(OUTCOMES))
    if publication_of(session, exam=exam) is not None:
        raise StationError(Reason.KEY_ALREADY_FINAL, status_code=409)
    contested = {c.item for c in contestations_of(session, exam=exam)}
    if outcome == "rejected" and not contested & set(item.split("+")):
        raise StationError(Reason.ITEM_NOT_CONTESTED, status_code=404, item=item)
    if not justification.strip():
        raise StationError(Reason.JUSTIFICATION_MISSING)
    members = [member.strip() for member in members if member.strip()]
    if not members:
        raise StationError(Reason.MEMBERS_MISSING)
    rulings = current_rulings(session, exam=exam)
    previous = rulings.get(item)
    ruling = ItemRuling(
        exam_id=exam.id,
        item=item,
        outcome=outcome,
        answer=answer if outcome == "changed" else None,
        justification=justification.strip(),
        members=members,
        supersedes_id=previous.id if previous else None,
        decided_by=actor.id,
    )
    revised_document(
        session, exam=exam, rulings={**rulings, item: ruling}, stage="revised", actor=actor
    )
    session.add(ruling)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="contestation.rule",
        entity=f"exam:{exam.id}",
        before={"item": item, "outcome": previous.outcome} if previous else None,
        after={
            "item": item,
            "outcome": outcome,
            "answer": ruling.answer,
            "justification": ruling.justification,
            "members": members,
        },
    )
    return ruling


def ruling_of(rulings: dict[str, ItemRuling], item: str) -> ItemRuling | None:
    """The ruling that covers ``item`` (itself, or a ruling naming it at one position)."""
    return rulings.get(item) or next(
        (ruling for name, ruling in rulings.items() if item in name.split("+")), None
    )


def contested_items(session: Session, *, exam: Exam) -> list[ContestedItem]:
    """The contested items in question order, then the items ruled without a contestation,
    each with its ruling and item analysis."""
    _, key = key_in_force(session, exam=exam)
    rulings = current_rulings(session, exam=exam)
    scores = [view.score for view in exam_sheets(session, exam=exam) if view.score is not None]
    stats = {entry.item: entry for entry in analyse_items(scores)}
    filed = contestations_of(session, exam=exam)
    claims = [Claim(c.candidate, c.variant, c.question, c.claim) for c in filed]
    entries = [
        ContestedItem(
            item, [c for c in filed if c.item == item], ruling_of(rulings, item), stats.get(item)
        )
        for item in group_contestations(key, claims)
    ]
    covered = {entry.ruling.id for entry in entries if entry.ruling is not None}
    return entries + [
        ContestedItem(item, [], ruling, stats.get(item))
        for item, ruling in rulings.items()
        if ruling.id not in covered
    ]
