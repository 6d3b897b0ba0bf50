"""National unification (art. 18): the rooms' signed bundles, rescored with the final key,
ranked per domain with the profile's pass rule.

A bundle's results carry each sheet's marks after the room's decisions, so applying the
final key replays them (:func:`omr.scoring.score.score_sheet`); nothing is re-read.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.committee.ranking import Excluded, rank_results
from omr.scoring.profiles import load_profile
from omr.scoring.results import SheetScore, Source
from omr.scoring.score import ReadingPage, score_sheet
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import PageStatus
from station.config import Settings
from station.errors import StationError, not_found
from station.services import audit
from station.services.contestations import key_in_force
from station.services.export import BUNDLE_SCHEMA, key_fingerprint, verify_bundle
from station.services.phases import publication_of
from station.services.publishing import publication_amendments, republish_due
from station.storage.committee import (
    ImportedBundle,
    KeyPublication,
    NationalRanking,
    TrustedStation,
)
from station.storage.models import Exam, User, utcnow


def _numbers(document: dict[str, Any]) -> set[str]:
    return {
        result["candidate"]
        for result in document.get("results", [])
        if result.get("candidate") and result.get("status") != PageStatus.REJECTED
    }


def bundles_of(session: Session, *, exam: Exam) -> list[ImportedBundle]:
    """The bundles imported for ``exam``, in import order."""
    return list(
        session.scalars(
            select(ImportedBundle)
            .where(ImportedBundle.exam_id == exam.id)
            .order_by(ImportedBundle.id)
        )
    )


def trust_station(session: Session, *, key_hex: str, label: str, actor: User) -> TrustedStation:
    """Accept the bundles signed with a room station's key (its ``signing.key``, hex).

    Raises
    ------
    StationError
        ``key_invalid``, ``station_known`` (409).
    """
    try:
        key = bytes.fromhex(key_hex.strip())
    except ValueError:
        key = b""
    if len(key) < 16:
        raise StationError(
            Reason.KEY_INVALID,
            source="cheia stației",
            problem="trebuie dată în hex (cel puțin 16 octeți)",
        )
    key_id = key_fingerprint(key)
    if session.scalars(select(TrustedStation).where(TrustedStation.key_id == key_id)).first():
        raise StationError(Reason.STATION_KNOWN, status_code=409, key_id=key_id)
    station = TrustedStation(key_id=key_id, key_hex=key.hex(), label=label, added_by=actor.id)
    session.add(station)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="unification.trust",
        entity=f"station:{key_id}",
        after={"label": label},
    )
    return station


def _signing_key(session: Session, settings: Settings, document: dict[str, Any]) -> bytes:
    """The key the bundle names: a trusted station's, else this station's own."""
    key_id = str((document.get("signature") or {}).get("key_id", ""))
    trusted = session.scalars(select(TrustedStation).where(TrustedStation.key_id == key_id)).first()
    return bytes.fromhex(trusted.key_hex) if trusted else settings.signing_key()


def parse_bundle(*, data: bytes) -> Any:
    """The JSON document of a received room bundle.

    Raises
    ------
    StationError
        ``bundle_invalid``.
    """
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StationError(Reason.BUNDLE_INVALID, problem="nu este JSON valid") from None


def import_bundle(
    session: Session, *, exam: Exam, document: Any, settings: Settings, actor: User
) -> ImportedBundle:
    """Take a room's signed bundle into the unification of ``exam``; a newer bundle of a
    room already imported supersedes the old one, with its audit entry.

    Raises
    ------
    StationError
        ``bundle_invalid``, ``bundle_signature_invalid``, ``bundle_other_exam``,
        ``room_already_imported`` (409), ``bundle_not_newer`` (409),
        ``candidate_in_two_rooms`` (409).
    """
    if not isinstance(document, dict) or document.get("schema") != BUNDLE_SCHEMA:
        raise StationError(Reason.BUNDLE_INVALID, problem=BUNDLE_SCHEMA)
    if not verify_bundle(document, _signing_key(session, settings, document)):
        raise StationError(Reason.BUNDLE_SIGNATURE_INVALID, room=document.get("room") or "—")
    if document.get("exam") != exam.code:
        raise StationError(
            Reason.BUNDLE_OTHER_EXAM, found=document.get("exam") or "—", expected=exam.code
        )
    numbers = _numbers(document)
    replaced = None
    for earlier in bundles_of(session, exam=exam):
        if earlier.room == document["room"]:
            replaced = earlier
            continue
        twice = sorted(numbers & _numbers(earlier.document))
        if twice:
            raise StationError(
                Reason.CANDIDATE_IN_TWO_ROOMS,
                status_code=409,
                candidates=", ".join(twice),
                room=earlier.room,
            )
    if replaced is not None:
        return _supersede(session, bundle=replaced, document=document, actor=actor)
    bundle = ImportedBundle(
        exam_id=exam.id, room=document["room"], document=document, imported_by=actor.id
    )
    session.add(bundle)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="unification.import",
        entity=f"exam:{exam.id}",
        after={
            "room": bundle.room,
            "sheets": len(document.get("results", [])),
            "signature": document["signature"]["value"],
        },
    )
    return bundle


def _exported_at(document: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(document.get("exported_at")))
    except ValueError:
        return None


def _newer(document: dict[str, Any], old: dict[str, Any]) -> bool:
    """Whether ``document`` was exported after ``old``: by its time, and within the same
    second by the exporting station's audit chain (the same signing key only)."""
    was, now = _exported_at(old), _exported_at(document)
    if was is None or now is None or now != was:
        return was is not None and now is not None and now > was

    def position(value: dict[str, Any]) -> tuple[str, int]:
        head = value.get("audit_head") or {}
        entry = head.get("entry") if isinstance(head, dict) else None
        return str((value.get("signature") or {}).get("key_id")), int(entry or 0)

    (old_key, old_entry), (new_key, new_entry) = position(old), position(document)
    return old_key == new_key and new_entry > old_entry


def _supersede(
    session: Session, *, bundle: ImportedBundle, document: dict[str, Any], actor: User
) -> ImportedBundle:
    """Replace a room's imported bundle by a newer one of the same room (a correction made
    after the import: a rescan decided after the final key, RULES §2 art. 16 (2)).

    Raises
    ------
    StationError
        ``room_already_imported`` (409: the same bundle), ``bundle_not_newer`` (409).
    """
    old = bundle.document
    if old.get("signature", {}).get("value") == document["signature"]["value"]:
        raise StationError(
            Reason.ROOM_ALREADY_IMPORTED, status_code=409, room=bundle.room, bundle=bundle.id
        )
    if not _newer(document, old):
        raise StationError(
            Reason.BUNDLE_NOT_NEWER,
            status_code=409,
            room=bundle.room,
            exported=document.get("exported_at") or "—",
            bundle=bundle.id,
            earlier=old.get("exported_at") or "—",
        )

    def summary(value: dict[str, Any]) -> dict[str, Any]:
        return {
            "exported_at": value.get("exported_at"),
            "sheets": len(value.get("results", [])),
            "signature": value["signature"]["value"],
            "content": audit.content_hash(value),
        }

    before = summary(old)
    bundle.document = document
    bundle.imported_by = actor.id
    bundle.imported_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="unification.supersede",
        entity=f"exam:{bundle.exam_id}",
        before={"room": bundle.room, "bundle": bundle.id, **before},
        after={"room": bundle.room, "bundle": bundle.id, **summary(document)},
    )
    return bundle


def _check_amendments(
    session: Session,
    publication: KeyPublication,
    bundles: list[ImportedBundle],
    scores: list[list[SheetScore]],
) -> None:
    """Refuse a ranking whose bundles predate a committee act after the final key: each
    act's new score must be the score the room's imported bundle gives.

    Raises
    ------
    StationError
        ``bundle_stale`` (409).
    """
    latest = {
        (a.change.get("room"), a.change.get("candidate")): a
        for a in publication_amendments(session, publication=publication)
    }
    for bundle, rescored in zip(bundles, scores, strict=True):
        totals = {s.candidate: s.total for s in rescored if s.candidate}
        for (room, candidate), amendment in latest.items():
            if room != bundle.room:
                continue
            expected = amendment.change.get("new_total")
            found = totals.get(candidate)
            if found is None or expected is None or found != Decimal(str(expected)):
                raise StationError(
                    Reason.BUNDLE_STALE,
                    status_code=409,
                    room=room,
                    exported=bundle.document.get("exported_at") or "—",
                    act=amendment.act,
                    candidate=candidate,
                    found=found if found is not None else "—",
                    expected=expected if expected is not None else "—",
                )


def _page(score: SheetScore) -> ReadingPage:
    """The stored marks of a scored sheet, as a page to score again."""
    return ReadingPage(
        source=score.source,
        template=score.template,
        exam=score.exam,
        variant=score.variant,
        serial=score.serial,
        candidate=score.candidate,
        codes={"domain": score.domain} if score.domain else {},
        status=score.reading_status,
        reasons=score.reasons,
        answers={line.question: line.marks for line in score.questions},
        warnings=score.warnings,
    )


def _waiting(bundles: list[ImportedBundle]) -> list[Excluded]:
    """The sheets the rooms still had to decide or identify when they exported."""
    return [
        Excluded(
            why="pending" if entry.get("candidate") else "unidentified",
            candidate=entry.get("candidate"),
            source=Source(path=entry.get("file"), room=bundle.room),
            status=entry.get("status") or "—",
            total=None,
        )
        for bundle in bundles
        for entry in bundle.document.get("not_scored", [])
        if entry.get("status") == "waiting"
    ]


def build_ranking(session: Session, *, exam: Exam, actor: User) -> NationalRanking:
    """Rescore every imported sheet with the final key and rank each domain; a domain
    waits (provisional, no maximum nor pass results) while a room's sheet is undecided.

    Raises
    ------
    StationError
        ``key_not_final`` (409), ``republication_due`` (409), ``bundles_missing`` (409),
        ``bundle_stale`` (409), and ranking refusals.
    """
    version, key = key_in_force(session, exam=exam)
    publication = publication_of(session, exam=exam)
    if publication is None or publication.key_id != version.id:
        raise StationError(Reason.KEY_NOT_FINAL, status_code=409)
    acts = republish_due(session, publication=publication)
    if acts:
        raise StationError(Reason.REPUBLICATION_DUE, status_code=409, acts=", ".join(acts))
    bundles = bundles_of(session, exam=exam)
    if not bundles:
        raise StationError(Reason.BUNDLES_MISSING, status_code=409)
    profile = load_profile(exam.profile)
    try:
        rescored = [
            [
                score_sheet(_page(SheetScore.model_validate(result)), key, profile)
                for result in bundle.document["results"]
            ]
            for bundle in bundles
        ]
        _check_amendments(session, publication, bundles, rescored)
        scores = [score for room in rescored for score in room]
        domains = sorted({s.domain for s in scores if s.domain is not None}) or [None]
        waiting = _waiting(bundles)
        rankings = [rank_results([scores], profile, domain, waiting) for domain in domains]
    except OmrError as error:
        raise StationError(error.problem, status_code=409) from None
    ranking = NationalRanking(
        exam_id=exam.id,
        key_id=version.id,
        document={
            "exam": exam.code,
            "title": exam.title,
            "rooms": [bundle.room for bundle in bundles],
            "domains": [r.as_document() for r in rankings],
            "audit_head": audit.head_text(session),
        },
        created_by=actor.id,
    )
    session.add(ranking)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="unification.rank",
        entity=f"exam:{exam.id}",
        after={
            "key": version.digest,
            "rooms": ranking.document["rooms"],
            "ranked": sum(len(r.ranking) for r in rankings),
        },
    )
    return ranking


def latest_ranking(session: Session, *, exam: Exam) -> NationalRanking | None:
    """The newest national ranking of ``exam``."""
    return session.scalars(
        select(NationalRanking)
        .where(NationalRanking.exam_id == exam.id)
        .order_by(NationalRanking.id.desc())
        .limit(1)
    ).first()


def get_ranking(session: Session, *, exam: Exam) -> NationalRanking:
    """The newest national ranking of ``exam``.

    Raises
    ------
    StationError
        ``not_found`` (404).
    """
    ranking = latest_ranking(session, exam=exam)
    if ranking is None:
        raise not_found(f"clasamentul examenului {exam.code}")
    return ranking
