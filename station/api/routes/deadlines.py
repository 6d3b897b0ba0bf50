"""An exam's deadlines: when the results were published, its windows, the exceptions."""

from __future__ import annotations

from fastapi import APIRouter

from station.api.committee_deps import Committee
from station.api.deps import Admin
from station.committee_schemas import (
    ExceptionCreate,
    ExceptionPublic,
    SchedulePublic,
    ScheduleSet,
    WindowBounds,
)
from station.dependencies import SessionDep
from station.services import deadlines
from station.services.exams import get_exam
from station.storage.committee import DeadlineException
from station.storage.models import Exam

router = APIRouter(prefix="/exams/{exam_id}", tags=["deadlines"])


def _schedule(session: SessionDep, exam: Exam) -> SchedulePublic:
    schedule = deadlines.current_schedule(session, exam=exam)
    bounds = []
    for kind in deadlines.WHAT:
        window = deadlines.window_of(session, exam=exam, kind=kind)
        if window is not None and schedule is not None:
            opens, closes = window.bounds(schedule.published_at)
            bounds.append(WindowBounds(kind=kind, opens=opens, closes=closes))
    return SchedulePublic(published_at=schedule.published_at if schedule else None, windows=bounds)


@router.get("/schedule", response_model=SchedulePublic)
def read_schedule(exam_id: int, session: SessionDep, _: Committee) -> SchedulePublic:
    """The publication moment and the windows it opens."""
    return _schedule(session, get_exam(session, exam_id))


@router.put("/schedule", response_model=SchedulePublic)
def set_schedule(
    exam_id: int, body: ScheduleSet, session: SessionDep, admin: Admin
) -> SchedulePublic:
    """Record when the results were published and, optionally, the exam's own windows."""
    exam = get_exam(session, exam_id)
    deadlines.set_schedule(session, exam=exam, **body.model_dump(), actor=admin)
    session.commit()
    return _schedule(session, exam)


@router.post("/deadline-exceptions", response_model=ExceptionPublic, status_code=201)
def grant_exception(
    exam_id: int, body: ExceptionCreate, session: SessionDep, admin: Admin
) -> DeadlineException:
    """Let one candidate file outside a window, for a reason."""
    exception = deadlines.grant_exception(
        session, exam=get_exam(session, exam_id), **body.model_dump(), actor=admin
    )
    session.commit()
    return exception
