"""API schemas of the committee's work (issue 8): rescans, contestations, the final key,
deadlines and the national unification."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from omr.vocabulary.states import DecidedState


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ScheduleSet(BaseModel):
    published_at: datetime  # the exam's wall-clock time when naive (stored in UTC)
    windows: dict[str, Any] | None = None  # None: the profile's windows


class TimeZoneSet(BaseModel):
    time_zone: str = Field(min_length=1, max_length=64)  # an IANA zone: Europe/Bucharest


class WindowBounds(BaseModel):
    kind: str
    opens: datetime
    closes: datetime
    late: Literal["exception", "ignored"]  # a late request: an exception may let it in, or never


class SchedulePublic(BaseModel):
    published_at: datetime | None  # the exam's wall-clock time, as the windows
    windows: list[WindowBounds]


class ExceptionCreate(BaseModel):
    kind: Literal["contestation", "rescan"]
    candidate: str = Field(min_length=1, max_length=32)
    reason: str


class ExceptionPublic(_Public):
    id: int
    kind: str
    candidate: str
    reason: str
    granted_at: datetime


class RescanCreate(BaseModel):
    sheet_id: int | None = None
    candidate: str | None = None
    reason: str


class BubbleChoice(BaseModel):
    question: int
    option: str
    state: DecidedState


class RescanDecisionCreate(BaseModel):
    outcome: Literal["keep", "rescan", "by_hand"]
    reason: str = ""
    bubbles: list[BubbleChoice] = []
    members: list[str]


class RescanRecord(BaseModel):
    """A request with both readings compared: what its proces-verbal carries."""

    request: int
    exam: str
    session: str
    room: str
    candidate: str
    name: str | None
    sheet: int
    serial: int | None
    reason: str
    filed_at: str
    rescanned_at: str | None
    state: str
    differences: list[dict[str, str]]
    room_decisions: list[dict[str, str]]
    score_before: str | None
    score_after: str | None
    decision: str | None
    decision_reason: str | None
    members: list[str]
    decided_at: str | None
    rescan_sheet: int | None = None


class ContestationCreate(BaseModel):
    candidate: str = Field(min_length=1, max_length=32)
    variant: str | None = None
    question: int
    claim: str


class ContestationPublic(_Public):
    id: int
    candidate: str
    variant: str
    question: int
    item: str
    claim: str
    filed_at: datetime


class RulingCreate(BaseModel):
    outcome: Literal["rejected", "changed", "annulled"]
    answer: str | None = None
    justification: str
    members: list[str]


class RulingPublic(_Public):
    item: str
    outcome: str
    answer: str | None
    justification: str
    members: list[str]
    decided_at: datetime


class ContestedItemPublic(BaseModel):
    item: str
    contestations: list[ContestationPublic]
    ruling: RulingPublic | None
    stats: dict[str, Any] | None  # the item analysis (omr.committee.item_analysis.ItemStats)


class PublicationPublic(BaseModel):
    key_number: int
    key_digest: str
    published_at: datetime
    changed: bool  # False: published before with the same key, nothing changed
    changes: list[dict[str, Any]]  # an act's row after the publication names it ("act")
    republish_due: list[str]  # the acts after the publication not yet republished


class BundlePublic(_Public):
    id: int
    room: str
    imported_at: datetime


class RankingPublic(_Public):
    id: int
    created_at: datetime
    document: dict[str, Any]


class TrustedStationCreate(BaseModel):
    key: str  # the room station's signing.key, hex
    label: str = Field(min_length=1, max_length=200)


class TrustedStationPublic(_Public):
    key_id: str
    label: str
    added_at: datetime


class GradeCreate(BaseModel):
    """A committee member's grade of a candidate's practical test."""

    candidate: str
    member: str
    grade: str
