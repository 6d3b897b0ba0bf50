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
    TimeZoneSet,
    WindowBounds,
)
from station.dependencies import SessionDep
from station.services import deadlines
from station.services.exams import get_exam
from station.storage.committee import DeadlineException
from station.storage.models import Exam

router = APIRouter(prefix="/exams/{exam_id}", tags=["deadlines"])


def _schedule(session: SessionDep, exam: Exam) -> SchedulePublic:
    """The schedule as the exam's wall-clock times."""
    published = deadlines.published_wall(session, exam=exam)
    windows = []
    for kind in deadlines.WHAT:
        window = deadlines.window_of(session, exam=exam, kind=kind)
        if window is not None and published is not None:
            opens, closes = window.bounds(published)
            windows.append(WindowBounds(kind=kind, opens=opens, closes=closes, late=window.late))
    return SchedulePublic(published_at=published, windows=windows)


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


@router.put("/time-zone", response_model=SchedulePublic)
def set_time_zone(
    exam_id: int, body: TimeZoneSet, session: SessionDep, admin: Admin
) -> SchedulePublic:
    """Show and enter the exam's times in another time zone (stored times stay UTC)."""
    exam = get_exam(session, exam_id)
    deadlines.set_time_zone(session, exam=exam, zone=body.time_zone, actor=admin)
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
