"""An exam's phases and the locks they bring.

Rooms read and decide; the key is published (the schedule's moment); contestations are
filed in their window; the final key is published (:class:`KeyPublication`); the ranking
follows. Publishing the final key waits for the contestation window to close, and after
it the rooms are read-only: a sheet's bubbles, candidate or annulment no longer change
from a room, and no contestation is filed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from station.errors import StationError
from station.services.deadlines import bounds_of, exam_wall_clock
from station.storage.committee import KeyPublication
from station.storage.models import Exam
from station.words import local_time


def publication_of(session: Session, *, exam: Exam) -> KeyPublication | None:
    """The exam's final-key publication."""
    return session.scalars(
        select(KeyPublication).where(KeyPublication.exam_id == exam.id).limit(1)
    ).first()


def check_unlocked(session: Session, *, exam: Exam, action: str) -> None:
    """Refuse a room's ``action`` (Romanian, e.g. ``decizia asupra unei bule``) once the
    final key is published.

    Raises
    ------
    StationError
        ``exam_locked`` (409), naming the publication's moment.
    """
    publication = publication_of(session, exam=exam)
    if publication is not None:
        raise StationError(
            Reason.EXAM_LOCKED,
            status_code=409,
            action=action,
            published=local_time(publication.published_at, exam.time_zone),
        )


def check_contestations_closed(session: Session, *, exam: Exam, now: datetime) -> None:
    """Refuse to publish the final key while contestations may still be filed: the
    station's clock ``now`` (Romanian) read in the exam's time zone, as a filing is.

    Raises
    ------
    StationError
        ``contestation_window_open`` (409), naming the window's end.
    """
    bounds = bounds_of(session, exam=exam, kind="contestation")
    if bounds is None:
        return
    _, end = bounds
    now = exam_wall_clock(now, exam)
    if now <= end:
        raise StationError(
            Reason.CONTESTATION_WINDOW_OPEN,
            status_code=409,
            end=f"{end:%d.%m.%Y %H:%M}",
            moment=f"{now:%d.%m.%Y %H:%M}",
            zone=exam.time_zone,
        )
