"""Contestation and rescan windows, as the profiles state them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from omr.scoring.profiles import load_profile
from omr.scoring.windows import Offset, Window
from omr.vocabulary.errors import ScoringError

BUCHAREST = timezone(timedelta(hours=3))
KEY_PUBLISHED = datetime(2026, 11, 15, 16, 0, tzinfo=BUCHAREST)


def test_residency_contestations_until_next_day_16_and_rescans_from_17() -> None:
    windows = load_profile("rezidentiat").windows
    assert windows["contestation"].bounds(KEY_PUBLISHED) == (
        KEY_PUBLISHED,
        datetime(2026, 11, 16, 16, 0, tzinfo=BUCHAREST),
    )
    start, end = windows["rescan"].bounds(KEY_PUBLISHED)
    assert (start.day, start.hour, end.hour, end.minute) == (16, 17, 23, 59)
    windows["contestation"].check(
        "a contestation", KEY_PUBLISHED, datetime(2026, 11, 16, 15, 59, tzinfo=BUCHAREST)
    )
    with pytest.raises(ScoringError) as caught:
        windows["rescan"].check(
            "a rescan request", KEY_PUBLISHED, datetime(2026, 11, 16, 16, 30, tzinfo=BUCHAREST)
        )
    assert caught.value.reason == "outside_window"
    assert "2026-11-16 17:00 to 2026-11-16 23:59" in caught.value.message


def test_specialization_contestations_within_two_hours() -> None:
    window = load_profile("specializare-asistenti").windows["contestation"]
    shown = datetime(2026, 6, 3, 13, 10, tzinfo=BUCHAREST)
    window.check("a contestation", shown, shown + timedelta(hours=2))
    with pytest.raises(ScoringError):
        window.check("a contestation", shown, shown + timedelta(hours=2, minutes=1))


def test_bad_clock_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        Window(closes=Offset(at="25:00"))
