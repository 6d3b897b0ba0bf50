"""Tables. Records of what happened are never updated: a new row points at what it supersedes.

Scans are stored once by content hash; a reading is one page of a scan as the reader saw
it; decisions, candidate links, annulments, key versions and key openings are new rows.
Issue 8 (rescans, contestations, key revisions) adds rows that point at these
(``Reading.supersedes_id``, ``AnswerKeyVersion.supersedes_id``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

EXAM_ZONE = "Europe/Bucharest"  # an exam's time zone unless it names another


def utcnow() -> datetime:
    """The current UTC time, without tzinfo (as both databases give it back)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # room_head, committee, admin
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]  # None: the account may log in


class AuthSession(Base):
    """A login: a cookie for the pages or a bearer token for the API (hash stored)."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # cookie, token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    user: Mapped[User] = relationship(lazy="joined")


class Exam(Base):
    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(100))
    template: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the zone its times are shown in (stored in UTC)
    time_zone: Mapped[str] = mapped_column(String(64), default=EXAM_ZONE, server_default=EXAM_ZONE)


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("exam_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    exam: Mapped[Exam] = relationship(lazy="joined")


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("exam_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))


class AnswerKeyVersion(Base):
    """A key as loaded (sealed); a later version supersedes an earlier one."""

    __tablename__ = "answer_keys"
    __table_args__ = (UniqueConstraint("exam_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    number: Mapped[int]
    document: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("answer_keys.id"))
    loaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyOpening(Base):
    """A room head opened the sealed key for the room: scores are shown from then on."""

    __tablename__ = "key_openings"
    __table_args__ = (UniqueConstraint("room_id", "key_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    key_id: Mapped[int] = mapped_column(ForeignKey("answer_keys.id"))
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class Batch(Base):
    """Files received together (one upload; one file of the hot folder)."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    source: Mapped[str] = mapped_column(String(20))  # upload, hot_folder
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


RESCAN = "rescan"  # the source of a scan the committee made again (not a file of the room)


class Scan(Base):
    """A received file, stored once under its sha256."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    original_name: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(20))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reading(Base):
    """One page of a scan as the reader saw it (``omr.reading/1`` page, without pixels)."""

    __tablename__ = "readings"
    __table_args__ = (UniqueConstraint("scan_id", "page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    page: Mapped[int]
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    status: Mapped[str] = mapped_column(String(20))  # ok, needs_review, rejected
    serial: Mapped[int | None]
    document: Mapped[dict[str, Any]]
    # The document's fields that the room view and scoring read (its bubbles' measures,
    # registration and timings left out): a room's sheets are listed without the documents.
    # Its default only filled the rows there before (migration 0009 back-filled them).
    summary: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    overlay: Mapped[str | None] = mapped_column(String(255))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scan: Mapped[Scan] = relationship(lazy="joined")


class Decision(Base):
    """A person's decision on an ``unclear`` bubble, taken with the candidate present."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"))
    question: Mapped[int]
    option: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")


class CandidateLink(Base):
    """Which candidate a sheet belongs to: read from the sheet or picked by a person."""

    __tablename__ = "candidate_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    method: Mapped[str] = mapped_column(String(10))  # read, picked
    replaces_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    candidate: Mapped[Candidate] = relationship(lazy="joined")


class Annulment(Base):
    """A sheet annulled for a distinctive sign ("ANULAT"); the candidate gets a new sheet."""

    __tablename__ = "annulments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    annulled_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    annulled_at: Mapped[datetime] = mapped_column(default=utcnow)


class InkKept(Base):
    """A sheet in ink of another colour kept by the room head, for a reason (art. 34 (3)
    makes it a possible distinctive sign: the alternative is to annul it)."""

    __tablename__ = "ink_kept"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    kept_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kept_at: Mapped[datetime] = mapped_column(default=utcnow)


class Refusal(Base):
    """A file the station did not take (duplicate, too large, bad name), and why."""

    __tablename__ = "refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    source: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Export(Base):
    """A signed bundle of a room's results, as handed to the committee."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    document: Mapped[dict[str, Any]]
    csv: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One action, chained to the previous entry by hash; never updated."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
