"""Scan upload: one or many files into the room's reading queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile

from omr.vocabulary.reasons import Reason
from station.api.deps import RoomWorker
from station.dependencies import SessionDep, SettingsDep, WorkerDep
from station.errors import StationError
from station.schemas import RefusalPublic, ScanPublic, UploadResult
from station.services.access import visible_room
from station.services.exams import get_exam
from station.services.intake import take_uploads
from station.uploads import upload_streams

router = APIRouter(tags=["scans"])


@router.post("/exams/{exam_id}/scans", response_model=UploadResult, status_code=202)
async def upload_scans(
    exam_id: int,
    files: list[UploadFile],
    session: SessionDep,
    settings: SettingsDep,
    worker: WorkerDep,
    user: RoomWorker,
    room_id: Annotated[int | None, Form()] = None,
) -> UploadResult:
    """Store scans for a room (a room head's own by default) and queue them for reading.

    Every file is stored or refused with its reason; when all are refused the first
    refusal is the answer (413 too large, 409 duplicate, 400 bad name).
    """
    exam = get_exam(session, exam_id)
    room = visible_room(session, user=user, room_id=room_id or user.room_id or 0)
    if room.exam_id != exam.id:
        raise StationError(Reason.ROOM_OTHER_EXAM, room=room.code, exam=exam.code)
    batch, scans, refusals = take_uploads(
        session,
        settings=settings,
        room=room,
        files=upload_streams(files, settings),
        actor=user,
        submit=worker.submit,
    )
    if refusals and not scans:
        raise refusals[0].error
    return UploadResult(
        batch_id=batch.id,
        scans=[ScanPublic.model_validate(scan) for scan in scans],
        refused=[RefusalPublic.model_validate(refused.row) for refused in refusals],
    )
