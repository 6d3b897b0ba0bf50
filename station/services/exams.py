"""Exam set-up: exams, rooms, candidate lists and the sealed key."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omr.scoring.keys import AnswerKey, build_key
from omr.scoring.profiles import Profile, load_profile
from omr.sheet.candidates import read_candidates
from omr.sheet.template import load_template
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Problem, Reason
from station.errors import StationError, not_found
from station.services import audit
from station.storage.models import (
    AnswerKeyVersion,
    Candidate,
    Exam,
    KeyOpening,
    Room,
    User,
)


def create_exam(
    session: Session, *, code: str, title: str, profile: str, template: str, actor: User | None
) -> Exam:
    """A new exam whose sheets are read with ``template`` and scored with ``profile``.

    Raises
    ------
    StationError
        ``exam_exists``, ``profile_not_found``/``profile_invalid``, ``template_*``,
        ``template_not_in_profile``.
    """
    try:
        loaded = load_profile(profile)
        load_template(template)
    except OmrError as error:
        raise StationError(error.problem) from None
    if template not in loaded.templates:
        raise StationError(
            Reason.TEMPLATE_NOT_IN_PROFILE,
            profile=profile,
            template=template,
            templates=", ".join(loaded.templates),
        )
    if session.scalars(select(Exam).where(Exam.code == code)).first():
        raise StationError(Reason.EXAM_EXISTS, status_code=409, exam=code)
    exam = Exam(code=code, title=title, profile=profile, template=template)
    session.add(exam)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="exam.create",
        entity=f"exam:{exam.id}",
        after={"code": code, "profile": profile, "template": template},
    )
    return exam


def get_exam(session: Session, exam_id: int) -> Exam:
    """The exam, or a 404 refusal."""
    exam = session.get(Exam, exam_id)
    if exam is None:
        raise not_found(f"examenul {exam_id}")
    return exam


def add_room(session: Session, *, exam: Exam, code: str, name: str, actor: User | None) -> Room:
    """A room of ``exam``.

    Raises
    ------
    StationError
        ``room_exists``.
    """
    if find_room(session, exam=exam, code=code):
        raise StationError(Reason.ROOM_EXISTS, status_code=409, room=code)
    room = Room(exam_id=exam.id, code=code, name=name or code)
    session.add(room)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="room.create",
        entity=f"room:{room.id}",
        after={"exam": exam.code, "code": code},
    )
    return room


def find_room(session: Session, *, exam: Exam, code: str) -> Room | None:
    """The room of ``exam`` with ``code``."""
    return session.scalars(select(Room).where(Room.exam_id == exam.id, Room.code == code)).first()


@dataclass(frozen=True, slots=True)
class CandidateLine:
    """One line of a candidates CSV as an import takes it: ``refusal`` is the problem
    that refuses the line (None when it is imported); ``new_room`` when its room is made."""

    line: int
    number: str
    name: str
    room: str
    new_room: bool
    refusal: Problem | None


def check_candidates(
    session: Session, *, exam: Exam, csv_bytes: bytes, file: str = "candidati.csv"
) -> list[CandidateLine]:
    """Each line of a candidates CSV with the refusal an import of it meets (the file's
    own checks, then a missing room or a candidate already registered); nothing changes.

    Raises
    ------
    StationError
        ``candidates_invalid`` and ``candidates_columns_missing``: the whole file is refused.
    """
    try:
        rows = read_candidates(csv_bytes, file)
    except OmrError as error:
        raise StationError(error.problem) from None
    known = set(session.scalars(select(Candidate.number).where(Candidate.exam_id == exam.id)))
    rooms = {room.code for room in session.scalars(select(Room).where(Room.exam_id == exam.id))}
    lines = []
    for row in rows:
        number, room = row.candidate.number, row.candidate.room or ""
        refusal = row.problem
        if refusal is None and not room:
            refusal = Problem(Reason.ROOM_MISSING, candidate=number)
        elif refusal is None and number in known:
            refusal = Problem(Reason.CANDIDATE_EXISTS, candidate=number)
        new_room = refusal is None and room not in rooms
        if new_room:
            rooms.add(room)
        lines.append(CandidateLine(row.line, number, row.candidate.name, room, new_room, refusal))
    return lines


def import_candidates(
    session: Session,
    *,
    exam: Exam,
    csv_bytes: bytes,
    actor: User | None,
    file: str = "candidati.csv",
) -> list[Candidate]:
    """Add the candidates of a CSV (number, name, room), checked by
    :func:`check_candidates`; the rooms it names that do not exist are created.

    Raises
    ------
    StationError
        The first refused line's reason (``candidate_row_invalid``,
        ``candidate_listed_twice``, ``room_missing``, ``candidate_exists`` (409)), or the
        file's (``candidates_invalid``, ``candidates_columns_missing``).
    """
    lines = check_candidates(session, exam=exam, csv_bytes=csv_bytes, file=file)
    refused = next((line.refusal for line in lines if line.refusal is not None), None)
    if refused is not None:
        conflict = refused.code is Reason.CANDIDATE_EXISTS
        raise StationError(refused, status_code=409 if conflict else 400)
    added = []
    for line in lines:
        room = find_room(session, exam=exam, code=line.room) or add_room(
            session, exam=exam, code=line.room, name=line.room, actor=actor
        )
        candidate = Candidate(exam_id=exam.id, room_id=room.id, number=line.number, name=line.name)
        session.add(candidate)
        added.append(candidate)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="candidates.import",
        entity=f"exam:{exam.id}",
        after={"count": len(added), "numbers": [c.number for c in added]},
    )
    return added


def latest_key(session: Session, *, exam: Exam) -> AnswerKeyVersion | None:
    """The exam's newest key version."""
    return session.scalars(
        select(AnswerKeyVersion)
        .where(AnswerKeyVersion.exam_id == exam.id)
        .order_by(AnswerKeyVersion.number.desc())
        .limit(1)
    ).first()


def load_key(session: Session, *, exam: Exam, document: bytes, actor: User) -> AnswerKeyVersion:
    """Store a sealed key (``omr.key/1`` JSON) for ``exam``.

    A key loaded before any room opened it supersedes the previous sealed one; once a
    room has opened a key (scores were shown) a new key is refused here: a change after
    that is a key revision of the committee (issue 8).

    Raises
    ------
    StationError
        ``key_invalid`` and the key's validation reasons, ``key_already_opened`` (409).
    """
    opened = session.scalar(
        select(func.count(KeyOpening.id))
        .join(AnswerKeyVersion, KeyOpening.key_id == AnswerKeyVersion.id)
        .where(AnswerKeyVersion.exam_id == exam.id)
    )
    if opened:
        raise StationError(
            Reason.KEY_ALREADY_OPENED,
            status_code=409,
            context="și scorurile au fost afișate: o nouă grilă nu mai poate fi încărcată în sală",
        )
    try:
        data = json.loads(document)
        key = build_key(data, load_profile(exam.profile))
    except json.JSONDecodeError as error:
        raise StationError(
            Reason.KEY_INVALID, source="grila", problem=f"nu este JSON valid: {error}"
        ) from None
    except OmrError as error:
        raise StationError(error.problem) from None
    previous = latest_key(session, exam=exam)
    version = AnswerKeyVersion(
        exam_id=exam.id,
        number=previous.number + 1 if previous else 1,
        document=data,
        digest=key.digest,
        supersedes_id=previous.id if previous else None,
        loaded_by=actor.id,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="key.load",
        entity=f"exam:{exam.id}",
        before={"key": previous.digest} if previous else None,
        after={"key": key.digest, "number": version.number, "sealed": True},
    )
    return version


def opened_key(session: Session, *, room: Room) -> AnswerKeyVersion | None:
    """The key the room head opened for ``room`` (None while sealed)."""
    return session.scalars(
        select(AnswerKeyVersion)
        .join(KeyOpening, KeyOpening.key_id == AnswerKeyVersion.id)
        .where(KeyOpening.room_id == room.id)
        .order_by(AnswerKeyVersion.number.desc())
        .limit(1)
    ).first()


def open_key(session: Session, *, room: Room, actor: User) -> KeyOpening:
    """Open the sealed key for ``room`` once all sheets are collected.

    Raises
    ------
    StationError
        ``key_missing``, ``key_already_opened`` (409).
    """
    key = latest_key(session, exam=room.exam)
    if key is None:
        raise StationError(Reason.KEY_MISSING, status_code=409)
    if opened_key(session, room=room) is not None:
        raise StationError(
            Reason.KEY_ALREADY_OPENED, status_code=409, context="pentru această sală"
        )
    opening = KeyOpening(room_id=room.id, key_id=key.id, opened_by=actor.id)
    session.add(opening)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="key.open",
        entity=f"room:{room.id}",
        after={"key": key.digest, "number": key.number},
    )
    return opening


def answer_key(version: AnswerKeyVersion, profile: Profile) -> AnswerKey:
    """The validated key of a stored version."""
    return build_key(version.document, profile)
