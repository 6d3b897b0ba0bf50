"""Exam set-up: exams, rooms, candidate lists and the sealed key."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omr.scoring.keys import AnswerKey, build_key
from omr.scoring.profiles import Profile, load_profile
from omr.sheet.candidates import load_candidates
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


def import_candidates(
    session: Session, *, exam: Exam, csv_bytes: bytes, actor: User | None
) -> list[Candidate]:
    """Add the candidates of a CSV (number, name, room); unknown rooms are created.

    Raises
    ------
    StationError
        ``candidates_invalid`` (the file's problem, line and column), ``room_missing``,
        ``candidate_exists``.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidati.csv"
        path.write_bytes(csv_bytes)
        try:
            rows = load_candidates(path)
        except OmrError as error:
            raise StationError(error.problem) from None
    known = set(session.scalars(select(Candidate.number).where(Candidate.exam_id == exam.id)))
    added = []
    for row in rows:
        if row.room is None:
            raise StationError(Reason.ROOM_MISSING, candidate=row.number)
        if row.number in known:
            raise StationError(Reason.CANDIDATE_EXISTS, status_code=409, candidate=row.number)
        room = find_room(session, exam=exam, code=row.room) or add_room(
            session, exam=exam, code=row.room, name=row.room, actor=actor
        )
        candidate = Candidate(exam_id=exam.id, room_id=room.id, number=row.number, name=row.name)
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


@dataclass(frozen=True, slots=True)
class CandidateLine:
    """One line of a candidates CSV as an import would take it: ``refusal`` says (in
    Romanian) why the line would be refused, empty when it would be imported."""

    line: int
    number: str
    name: str
    room: str
    new_room: bool
    refusal: str


def preview_candidates(
    session: Session, *, exam: Exam, csv_bytes: bytes, file: str = "candidati.csv"
) -> list[CandidateLine]:
    """What :func:`import_candidates` would do with ``csv_bytes``, line by line, without
    changing anything: each line with the refusal it would meet (the same reasons).

    Raises
    ------
    StationError
        ``candidates_invalid`` and ``candidates_columns_missing``: the whole file is refused.
    """
    try:
        rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise StationError(Reason.CANDIDATES_INVALID, file=file, error=str(error)) from None
    header = rows[0].keys() if rows else []
    missing = [column for column in ("number", "name") if column not in header]
    if not rows or missing:
        raise StationError(
            Reason.CANDIDATES_COLUMNS_MISSING,
            file=file,
            missing=", ".join(missing or ("number", "name")),
            required="number, name",
        )
    known = set(session.scalars(select(Candidate.number).where(Candidate.exam_id == exam.id)))
    first_line: dict[str, int] = {}
    rooms: set[str] = set()
    lines = []
    for line, row in enumerate(rows, start=2):
        number = (row.get("number") or "").strip()
        name = (row.get("name") or "").strip()
        room = (row.get("room") or "").strip()
        refusal: Problem | None = None
        if not number.isdigit() or not name:
            refusal = Problem(Reason.CANDIDATE_ROW_INVALID, file=file, line=line)
        elif number in first_line:
            refusal = Problem(
                Reason.CANDIDATE_LISTED_TWICE,
                file=file,
                line=line,
                number=number,
                first_line=first_line[number],
            )
        elif not room:
            refusal = Problem(Reason.ROOM_MISSING, candidate=number)
        elif number in known:
            refusal = Problem(Reason.CANDIDATE_EXISTS, candidate=number)
        first_line.setdefault(number, line)
        new_room = (
            bool(room) and room not in rooms and find_room(session, exam=exam, code=room) is None
        )
        if refusal is None and room:
            rooms.add(room)
        lines.append(
            CandidateLine(
                line=line,
                number=number,
                name=name,
                room=room,
                new_room=new_room and refusal is None,
                refusal=refusal.message_ro if refusal is not None else "",
            )
        )
    return lines


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
