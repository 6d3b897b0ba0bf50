"""API schemas: one family per entity (Create / Public), so internal fields never leak."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from omr.vocabulary.states import DecidedState


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class UserChange(BaseModel):
    role: Literal["room_head", "committee", "admin"]
    room_id: int | None = None

    @field_validator("room_id", mode="before")
    @classmethod
    def _no_room(cls, value: object) -> object:
        """An empty choice (a page's „fără sală”) is no room."""
        return None if value == "" else value


class UserCreate(UserChange):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    password: str
    full_name: str = ""


class UserPublic(_Public):
    id: int
    username: str
    full_name: str
    role: str
    room_id: int | None
    disabled_at: datetime | None


class LockoutPublic(_Public):
    """An account or a client locked out by failed logins."""

    kind: Literal["account", "client"]
    key: str
    failures: int
    seconds_left: int


class ExamCreate(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    title: str = Field(min_length=1, max_length=200)
    profile: str
    template: str


class ExamPublic(_Public):
    id: int
    code: str
    title: str
    profile: str
    template: str
    time_zone: str


class RoomCreate(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    name: str = ""


class RoomPublic(_Public):
    id: int
    exam_id: int
    code: str
    name: str


class CandidatePublic(_Public):
    id: int
    number: str
    name: str
    room_id: int


class KeyPublic(_Public):
    id: int
    number: int
    digest: str
    loaded_at: datetime


class KeyOpeningPublic(_Public):
    room_id: int
    key_id: int
    opened_at: datetime


class ScanPublic(_Public):
    id: int
    original_name: str
    sha256: str
    size: int
    received_at: datetime


class RefusalPublic(_Public):
    filename: str
    reason: str
    message: str
    at: datetime


class UploadResult(BaseModel):
    batch_id: int
    scans: list[ScanPublic]
    refused: list[RefusalPublic]


class DecisionCreate(BaseModel):
    question: int
    option: str
    state: DecidedState
    note: str = ""


class DecisionPublic(BaseModel):
    question: int
    option: str
    state: str
    note: str
    decided_by: str
    decided_at: datetime


class CandidatePick(BaseModel):
    number: str = Field(min_length=1, max_length=32)


class AnnulmentCreate(BaseModel):
    reason: str = Field(min_length=1)


class InkKeep(BaseModel):
    """Why a sheet in ink of another colour is kept."""

    reason: str


class SheetRow(BaseModel):
    """A sheet in the room's queue."""

    id: int
    file: str
    page: int
    serial: int | None
    status: str
    label: str
    candidate: str | None
    total: str | None
    doubts: list[str]


class SheetPublic(SheetRow):
    """A sheet with its reading, decisions and score (None while the key is sealed)."""

    room_id: int
    reading_status: str
    reasons: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    link_method: str | None
    unclear: list[str]
    decisions: list[DecisionPublic]
    annulment: str | None
    score_hidden: bool
    score: dict[str, Any] | None


class RoomStatus(BaseModel):
    room: RoomPublic
    key_opened: bool
    received: int
    unread: int
    progress: int
    reading_now: bool
    counts: dict[str, int]
    sheets: list[SheetRow]
    refused: list[RefusalPublic]
    present: list[str]
    absent: list[str]


class ExportPublic(_Public):
    id: int
    room_id: int
    created_at: datetime
    document: dict[str, Any]


class AuditEntryPublic(_Public):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str


class AuditCheck(BaseModel):
    entries: int
    intact: bool
    problems: list[str]
