"""The committee's tables (issue 8): schedules, rescans, contestations, the final key, and
the national unification. Like every record of the station they are never updated: a
newer row supersedes an older one, or a state is derived from which rows exist.

Committee times (filing, rescanning) are Romanian wall-clock times, as the regulations
state them; the other tables keep UTC (the publication of the results included: its
windows are counted in the exam's wall-clock time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.storage.models import Base, Reading, User, utcnow


class ExamSchedule(Base):
    """When the results (the key) were published (UTC), and the exam's own windows if any."""

    __tablename__ = "exam_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    published_at: Mapped[datetime]
    windows: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None: the profile's windows
    set_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadlineException(Base):
    """An administrator lets one candidate file outside a window, for a reason."""

    __tablename__ = "deadline_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    kind: Mapped[str] = mapped_column(String(20))  # contestation, rescan
    candidate: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class RescanRequest(Base):
    """A candidate asks for their sheet to be rescanned (state: filed)."""

    __tablename__ = "rescan_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"))
    candidate: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    exception_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_exceptions.id"))
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reading: Mapped[Reading] = relationship(lazy="joined")


class RescanResult(Base):
    """The new scan of the sheet, read into a reading that supersedes (never replaces) it."""

    __tablename__ = "rescan_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("rescan_requests.id"), unique=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"))
    rescanned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rescanned_at: Mapped[datetime]
    reading: Mapped[Reading] = relationship(lazy="joined")


class RescanDecision(Base):
    """The committee's decision on a rescan, with the members present and the scores."""

    __tablename__ = "rescan_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("rescan_requests.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))  # keep, rescan, by_hand
    reason: Mapped[str] = mapped_column(Text)
    bubbles: Mapped[list[Any]]  # the bubbles set: [{question, option, state}]
    members: Mapped[list[Any]]
    score_before: Mapped[str | None] = mapped_column(String(20))
    score_after: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime]
    user: Mapped[User] = relationship(lazy="joined")


class Contestation(Base):
    """A candidate's contestation of the key for one question of their variant."""

    __tablename__ = "contestations"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    candidate: Mapped[str] = mapped_column(String(32))
    variant: Mapped[str] = mapped_column(String(8))
    question: Mapped[int]
    item: Mapped[str] = mapped_column(String(16))
    claim: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    exception_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_exceptions.id"))
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ItemRuling(Base):
    """The committee's answer to a contested item; a newer ruling supersedes an older one."""

    __tablename__ = "item_rulings"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    item: Mapped[str] = mapped_column(String(64))  # "17", "A17", or "A5+B12" (every variant)
    outcome: Mapped[str] = mapped_column(String(20))  # rejected, changed, annulled
    answer: Mapped[str | None] = mapped_column(String(16))
    justification: Mapped[str] = mapped_column(Text)
    members: Mapped[list[Any]]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("item_rulings.id"))
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyPublication(Base):
    """The final key published: every sheet recomputed, the changed scores listed."""

    __tablename__ = "key_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    key_id: Mapped[int] = mapped_column(ForeignKey("answer_keys.id"), unique=True)
    changes: Mapped[list[Any]]
    published_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicationAmendment(Base):
    """A committee act after the final key's publication that changed a sheet's score (a
    rescan decision): its row of the changes table; the publication must be republished."""

    __tablename__ = "publication_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("key_publications.id"))
    act: Mapped[str] = mapped_column(String(64))  # e.g. "rescanarea #3"
    change: Mapped[dict[str, Any]]  # a row of the changes table
    made_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyRepublication(Base):
    """The final key's publication made again, taking in the amendments up to one."""

    __tablename__ = "key_republications"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("key_publications.id"))
    last_amendment_id: Mapped[int] = mapped_column(ForeignKey("publication_amendments.id"))
    republished_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    republished_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticalGrade(Base):
    """A committee member's grade of a candidate's practical test (001 art. 28 (3)); a newer
    grade of the same member supersedes an older one."""

    __tablename__ = "practical_grades"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    candidate: Mapped[str] = mapped_column(String(32))
    member: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(8))  # "8.50", as given
    entered_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportedBundle(Base):
    """A room's signed bundle taken into the national unification."""

    __tablename__ = "imported_bundles"
    __table_args__ = (UniqueConstraint("exam_id", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    room: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class NationalRanking(Base):
    """The classification built from the imported bundles with the final key."""

    __tablename__ = "national_rankings"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    key_id: Mapped[int] = mapped_column(ForeignKey("answer_keys.id"))
    document: Mapped[dict[str, Any]]
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrustedStation(Base):
    """A room station whose bundles the unification accepts: its signing key."""

    __tablename__ = "trusted_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    key_hex: Mapped[str] = mapped_column(String(128))
    label: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
