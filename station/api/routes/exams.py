"""Exams, their rooms, candidate lists and sealed keys."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from sqlalchemy import select

from station.api.deps import Admin, AnyRole
from station.dependencies import SessionDep
from station.errors import forbidden
from station.schemas import (
    CandidatePublic,
    ExamCreate,
    ExamPublic,
    KeyPublic,
    RoomCreate,
    RoomPublic,
)
from station.services import exams
from station.services.rooms import get_room, rooms_of_exam
from station.storage.models import AnswerKeyVersion, Candidate, Exam, Room, User

router = APIRouter(prefix="/exams", tags=["exams"])


def _visible_exam(session: SessionDep, user: User, exam_id: int) -> Exam:
    exam = exams.get_exam(session, exam_id)
    if user.role == "room_head" and get_room(session, user.room_id).exam_id != exam.id:
        raise forbidden(f"examenul {exam.code} nu este al sălii dumneavoastră")
    return exam


@router.get("", response_model=list[ExamPublic])
def list_exams(session: SessionDep, user: AnyRole) -> list[Exam]:
    """The exams the user may see (a room head: the exam of their room)."""
    query = select(Exam).order_by(Exam.id)
    if user.role == "room_head":
        query = query.join(Room, Room.exam_id == Exam.id).where(Room.id == user.room_id)
    return list(session.scalars(query))


@router.post("", response_model=ExamPublic, status_code=201)
def create_exam(body: ExamCreate, session: SessionDep, admin: Admin) -> Exam:
    """Create an exam from a profile and a template."""
    exam = exams.create_exam(session, **body.model_dump(), actor=admin)
    session.commit()
    return exam


@router.get("/{exam_id}", response_model=ExamPublic)
def read_exam(exam_id: int, session: SessionDep, user: AnyRole) -> Exam:
    """One exam."""
    return _visible_exam(session, user, exam_id)


@router.get("/{exam_id}/rooms", response_model=list[RoomPublic])
def list_rooms(exam_id: int, session: SessionDep, user: AnyRole) -> list[Room]:
    """The exam's rooms (a room head: their own)."""
    rooms = rooms_of_exam(session, exam_id=_visible_exam(session, user, exam_id).id)
    return [room for room in rooms if user.role != "room_head" or room.id == user.room_id]


@router.post("/{exam_id}/rooms", response_model=RoomPublic, status_code=201)
def add_room(exam_id: int, body: RoomCreate, session: SessionDep, admin: Admin) -> Room:
    """Add a room."""
    room = exams.add_room(
        session, exam=exams.get_exam(session, exam_id), code=body.code, name=body.name, actor=admin
    )
    session.commit()
    return room


@router.post("/{exam_id}/candidates", response_model=list[CandidatePublic], status_code=201)
async def import_candidates(
    exam_id: int, file: UploadFile, session: SessionDep, admin: Admin
) -> list[Candidate]:
    """Import a candidates CSV (number, name, room); missing rooms are created."""
    added = exams.import_candidates(
        session,
        exam=exams.get_exam(session, exam_id),
        csv_bytes=await file.read(),
        actor=admin,
        file=file.filename or "candidati.csv",
    )
    session.commit()
    return added


@router.get("/{exam_id}/keys", response_model=list[KeyPublic])
def list_keys(exam_id: int, session: SessionDep, user: AnyRole) -> list[AnswerKeyVersion]:
    """The key versions loaded (digests only: the answers stay sealed)."""
    exam = _visible_exam(session, user, exam_id)
    return list(
        session.scalars(
            select(AnswerKeyVersion)
            .where(AnswerKeyVersion.exam_id == exam.id)
            .order_by(AnswerKeyVersion.number)
        )
    )


@router.post("/{exam_id}/keys", response_model=KeyPublic, status_code=201)
async def load_key(
    exam_id: int, file: UploadFile, session: SessionDep, admin: Admin
) -> AnswerKeyVersion:
    """Load the sealed key (``omr.key/1`` JSON); refused once a room has opened a key."""
    version = exams.load_key(
        session, exam=exams.get_exam(session, exam_id), document=await file.read(), actor=admin
    )
    session.commit()
    return version
