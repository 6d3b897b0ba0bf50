"""Deadlines: the windows in which contestations and rescan requests are accepted.

A window is stated in a profile relative to an anchor moment (the publication of the
results or of the key): ``{days: 1, at: "16:00"}`` is the next day at 16:00, ``{hours: 2}``
two hours after the anchor. Times are wall-clock times of the anchor's time zone.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from omr.vocabulary.errors import ScoringError
from omr.vocabulary.reasons import Reason


class Offset(BaseModel):
    """A moment after the anchor: whole days later at a clock time, or a duration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = Field(default=0, ge=0)
    hours: float = Field(default=0, ge=0)
    at: str | None = None  # "HH:MM" on the day reached by ``days``

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"'at' must be HH:MM, got {value!r}")
        return value

    def after(self, anchor: datetime) -> datetime:
        """The moment this offset names, from ``anchor``."""
        moment = anchor + timedelta(days=self.days, hours=self.hours)
        if self.at is not None:
            hour, minute = (int(part) for part in self.at.split(":"))
            moment = datetime.combine(moment.date(), time(hour, minute), tzinfo=anchor.tzinfo)
        return moment


class Window(BaseModel):
    """From ``opens`` to ``closes`` after the anchor (both included); ``step`` says what it
    bounds: the filing of a request, or its resolving (002 art. 16 (2): rescan requests
    are resolved the next day from 17:00). ``late`` says what becomes of a request out of
    the window: an administrator may let one candidate's through (``exception``), or
    none is ever taken (``ignored``: 002 art. 16 (1), late contestations are ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: Literal["filing", "resolving"] = "filing"
    late: Literal["exception", "ignored"] = "exception"
    opens: Offset = Offset()
    closes: Offset

    @field_validator("late")
    @classmethod
    def _late_filing(cls, value: str, info: ValidationInfo) -> str:
        """``ignored`` bounds filing: a request is late, not its resolving (``step``
        is validated before ``late``)."""
        if value == "ignored" and info.data.get("step") == "resolving":
            raise ValueError("late requests are a filing window's")
        return value

    def bounds(self, anchor: datetime) -> tuple[datetime, datetime]:
        return self.opens.after(anchor), self.closes.after(anchor)

    def check(self, what: str, anchor: datetime, moment: datetime) -> None:
        """Refuse ``moment`` outside the window, naming the window.

        Raises
        ------
        ScoringError
            ``outside_window``.
        """
        start, end = self.bounds(anchor)
        if not start <= moment <= end:
            raise ScoringError(
                Reason.OUTSIDE_WINDOW,
                what=what,
                start=f"{start:%Y-%m-%d %H:%M}",
                end=f"{end:%Y-%m-%d %H:%M}",
                moment=f"{moment:%Y-%m-%d %H:%M}",
            )
