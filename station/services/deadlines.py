"""Deadlines: an exam's windows for contestations and rescans, and the exceptions to them.

The windows are the profile's (:mod:`omr.scoring.windows`), or the exam's own when its schedule
gives them; they count from the moment the results (the key) were published. An
administrator may let one candidate file outside a window, with a reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.scoring.profiles import load_profile
from omr.scoring.windows import Window
from omr.vocabulary.errors import ScoringError
from omr.vocabulary.reasons import Reason
from station.errors import StationError
from station.services import audit
from station.storage.committee import DeadlineException, ExamSchedule
from station.storage.models import Exam, User

Kind = Literal["contestation", "rescan"]
Step = Literal["filing", "resolving"]
ROMANIA = "Europe/Bucharest"  # the zone of the station's clock (:func:`local_now`)
WHAT = {"contestation": "contestația", "rescan": "cererea de rescanare"}
FIELDS = {  # a window's fields, as the refusals name them
    "step": "etapa",
    "opens": "deschiderea",
    "closes": "închiderea",
    "days": "zilele",
    "hours": "orele",
    "at": "ora",
    "late": "după termen",
}


def local_now() -> datetime:
    """The Romanian wall-clock time, without tzinfo (as the windows are stated)."""
    return datetime.now(ZoneInfo(ROMANIA)).replace(tzinfo=None, microsecond=0)


def current_schedule(session: Session, *, exam: Exam) -> ExamSchedule | None:
    """The exam's newest schedule."""
    return session.scalars(
        select(ExamSchedule)
        .where(ExamSchedule.exam_id == exam.id)
        .order_by(ExamSchedule.id.desc())
        .limit(1)
    ).first()


def in_zone(moment: datetime, zone: str) -> datetime:
    """A UTC moment (naive) as the wall-clock time of ``zone`` (naive)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def exam_wall_clock(now: datetime, exam: Exam) -> datetime:
    """The station's Romanian wall-clock ``now`` as the exam's wall-clock time (its windows'
    terms)."""
    return in_zone(to_utc(now, ROMANIA), exam.time_zone)


def to_utc(moment: datetime, zone: str) -> datetime:
    """A moment as naive UTC: an aware one converted, a naive one read in ``zone``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))
    return aware.astimezone(UTC).replace(tzinfo=None)


def set_time_zone(session: Session, *, exam: Exam, zone: str, actor: User) -> Exam:
    """Show (and enter) the exam's times in ``zone``; the stored UTC times stay as they are.

    Raises
    ------
    StationError
        ``time_zone_unknown``.
    """
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise StationError(Reason.TIME_ZONE_UNKNOWN, zone=zone) from None
    before = exam.time_zone
    exam.time_zone = zone
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="exam.time_zone",
        entity=f"exam:{exam.id}",
        before={"time_zone": before},
        after={"time_zone": zone},
    )
    return exam


def _windows_problem(kind: str, error: ValidationError) -> str:
    """The first problem of a window, in Romanian: where, and the value refused."""
    problem = error.errors()[0]
    fields = " ".join(FIELDS.get(str(part), str(part)) for part in problem["loc"])
    where = f"{WHAT[kind]}, {fields}"
    if problem["type"] == "missing":
        return f"{where}: lipsește"
    return f"{where}: valoarea „{problem['input']}” nu este acceptată"


def set_schedule(
    session: Session,
    *,
    exam: Exam,
    published_at: datetime,
    windows: dict[str, Any] | None,
    actor: User,
) -> ExamSchedule:
    """Record when the results were published (a naive time is the exam's wall-clock time;
    stored in UTC) and, optionally, the exam's own windows (each replaces the profile's
    window of its kind).

    Raises
    ------
    StationError
        ``windows_invalid``.
    """
    if set(windows or {}) - set(WHAT):
        raise StationError(Reason.WINDOWS_INVALID, problem=f"pot fi doar {', '.join(WHAT)}")
    checked = {}
    for kind, window in (windows or {}).items():
        try:
            checked[kind] = Window.model_validate(window)
        except ValidationError as error:
            problem = _windows_problem(kind, error)
            raise StationError(Reason.WINDOWS_INVALID, problem=problem) from None
    wall = in_zone(to_utc(published_at, exam.time_zone), exam.time_zone)
    for kind, window in checked.items():
        opens, closes = window.bounds(wall)
        if closes < opens:
            raise StationError(
                Reason.WINDOWS_INVALID, problem=f"{WHAT[kind]} se închide înainte să se deschidă"
            )
    schedule = ExamSchedule(
        exam_id=exam.id,
        published_at=to_utc(published_at, exam.time_zone),
        # As stated: a window that says nothing of late requests keeps the profile's rule.
        windows={k: w.model_dump(mode="json", exclude_unset=True) for k, w in checked.items()}
        if windows
        else None,
        set_by=actor.id,
    )
    session.add(schedule)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="exam.schedule",
        entity=f"exam:{exam.id}",
        after={"published_at": schedule.published_at, "windows": schedule.windows},
    )
    return schedule


def published_wall(session: Session, *, exam: Exam) -> datetime | None:
    """When the results were published, as the exam's wall-clock time (None: not yet)."""
    schedule = current_schedule(session, exam=exam)
    return None if schedule is None else in_zone(schedule.published_at, exam.time_zone)


def window_of(session: Session, *, exam: Exam, kind: Kind) -> Window | None:
    """The exam's window for ``kind``: its own, else the profile's (None: no window). An
    exam's own window moves the times; what becomes of a late request is the rules'
    (the profile's), unless the exam's window says."""
    schedule = current_schedule(session, exam=exam)
    own = (schedule.windows or {}) if schedule is not None else {}
    rules = load_profile(exam.profile).windows.get(kind)
    if kind not in own:
        return rules
    window = Window.model_validate(own[kind])
    if rules is not None and "late" not in own[kind]:
        window = window.model_copy(update={"late": rules.late})
    return window


def bounds_of(session: Session, *, exam: Exam, kind: Kind) -> tuple[datetime, datetime] | None:
    """The window of ``kind`` as the exam's wall-clock times, once the publication is
    recorded (None: no window, or no publication yet)."""
    window = window_of(session, exam=exam, kind=kind)
    published = published_wall(session, exam=exam)
    return None if window is None or published is None else window.bounds(published)


def windows_in_force(session: Session, *, exam: Exam) -> dict[str, tuple[datetime, datetime]]:
    """Each kind's window as dates, once the publication time is recorded."""
    found = {WHAT[kind]: bounds_of(session, exam=exam, kind=kind) for kind in WHAT}
    return {what: bounds for what, bounds in found.items() if bounds is not None}


def grant_exception(
    session: Session, *, exam: Exam, kind: Kind, candidate: str, reason: str, actor: User
) -> DeadlineException:
    """Let ``candidate`` file a ``kind`` outside its window.

    Raises
    ------
    StationError
        ``reason_missing``; ``late_ignored`` (409) where the window ignores late
        requests.
    """
    if not reason.strip():
        raise StationError(Reason.REASON_MISSING, what="o excepție de termen")
    window = window_of(session, exam=exam, kind=kind)
    if window is not None and window.late == "ignored":
        raise StationError(Reason.LATE_IGNORED, status_code=409, what=WHAT[kind])
    exception = DeadlineException(
        exam_id=exam.id, kind=kind, candidate=candidate, reason=reason.strip(), granted_by=actor.id
    )
    session.add(exception)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="deadline.exception",
        entity=f"exam:{exam.id}",
        after={"kind": kind, "candidate": candidate, "reason": exception.reason},
    )
    return exception


def check_window(
    session: Session,
    *,
    exam: Exam,
    kind: Kind,
    candidate: str,
    now: datetime,
    step: Step = "filing",
) -> DeadlineException | None:
    """Accept a filing (or, for ``step="resolving"``, a resolving) at ``now``: inside the
    window that bounds that step, or by an exception (returned).

    Raises
    ------
    StationError
        ``schedule_missing`` (409) when the publication moment is not recorded;
        ``outside_window`` / ``outside_resolving_window`` (409), naming the window.
    """
    window = window_of(session, exam=exam, kind=kind)
    if window is None or window.step != step:
        return None
    published = published_wall(session, exam=exam)
    if published is None:
        raise StationError(Reason.SCHEDULE_MISSING, status_code=409)
    now = exam_wall_clock(now, exam)
    try:
        window.check(WHAT[kind], published, now)
    except ScoringError as error:
        exception = (
            None
            if window.late == "ignored"
            else _exception_of(session, exam=exam, kind=kind, candidate=candidate)
        )
        if exception is None:
            start, end = window.bounds(published)
            raise StationError(
                error.reason if step == "filing" else Reason.OUTSIDE_RESOLVING_WINDOW,
                status_code=409,
                what=WHAT[kind],
                start=f"{start:%d.%m.%Y %H:%M}",
                end=f"{end:%d.%m.%Y %H:%M}",
                moment=f"{now:%d.%m.%Y %H:%M}",
            ) from None
        return exception
    return None


def _exception_of(
    session: Session, *, exam: Exam, kind: Kind, candidate: str
) -> DeadlineException | None:
    """The newest exception granted to ``candidate`` for ``kind``."""
    return session.scalars(
        select(DeadlineException)
        .where(
            DeadlineException.exam_id == exam.id,
            DeadlineException.kind == kind,
            DeadlineException.candidate == candidate,
        )
        .order_by(DeadlineException.id.desc())
        .limit(1)
    ).first()
