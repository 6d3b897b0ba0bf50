"""A scribbled fill's legs run on past the outline along its passes: ends that such legs
make as well as an X would are no X (``under_xs._legs_along_passes``), unless the X shows
both its strokes whole (``under_xs._second_stroke_whole``), none of its ends where a
zigzag's turn may lie."""

from __future__ import annotations

import numpy as np
import pytest
from test_mark_classifier import Bubble, pair_of

from omr.reading.marks.records import StrokeEnds
from omr.reading.marks.under_xs import (
    LEG_OFF_CENTRE_MAX,
    TURN_REACH_MAX,
    _legs_along_passes,
    _second_stroke_whole,
)
from omr.sheet.calibration import Calibration

# Three ends seen from the centre as an X's may be (one stroke's two, a third off its
# axis), each where a leg along passes running 0° lies within the fill.
ALONG = StrokeEnds((10.0, 190.0, 340.0), (1.5, 1.5, 1.4), is_x=True)
UNSEEN = [None, None, None]


def _third_end_at(reach: float) -> StrokeEnds:
    """One stroke's two ends along the passes (0°) and a third end 30° off them."""
    return StrokeEnds((0.0, 180.0, 30.0), (1.5, 1.5, reach), is_x=True)


@pytest.mark.parametrize(
    ("ends", "ways", "passes", "legs"),
    [
        (ALONG, UNSEEN, 0.0, True),
        # An arm showing its way along the passes tells nothing more.
        (ALONG, [12.0, None, None], 0.0, True),
        # One showing a way across them is a stroke of its own: an X's.
        (ALONG, [60.0, None, None], 0.0, False),
        (ALONG, UNSEEN, None, False),  # no passes run one way
        (ALONG, UNSEEN, 90.0, False),  # passes that run the other way leave them off
        # An X's ends 2 radii out at 45°: 1.41 radii off a line along the passes.
        (StrokeEnds((45.0, 135.0, 225.0, 315.0), (2.0,) * 4, True), [None] * 4, 0.0, False),
        # An end just within the legs' reach, and just past it.
        (_third_end_at(2 * LEG_OFF_CENTRE_MAX - 0.01), UNSEEN, 0.0, True),
        (_third_end_at(2 * LEG_OFF_CENTRE_MAX + 0.01), UNSEEN, 0.0, False),
    ],
)
def test_ends_a_scribbles_legs_make(
    ends: StrokeEnds, ways: list[float | None], passes: float | None, legs: bool
) -> None:
    assert _legs_along_passes(ends, ways, passes) is legs


# One stroke's two ends (30° and 210°) and a third end (160°): the end the X lacks runs
# at 340°, right and a little up.
ONE_STROKE_AND_AN_END = StrokeEnds((30.0, 160.0, 210.0), (1.6, 1.6, 1.6), is_x=True)
JOINED, APART = np.array([[0, 1]]), np.zeros((0, 2), np.intp)


def _four_ends(shortest: float) -> StrokeEnds:
    """Both ends of two strokes (30°-210° and 160°-340°), the last ``shortest`` out."""
    return StrokeEnds((30.0, 160.0, 210.0, 340.0), (1.6, 1.6, 1.6, shortest), is_x=True)


@pytest.mark.parametrize(
    ("strokes", "neighbour_at", "neighbour_fill", "joins", "whole"),
    [
        # The end it lacks runs into the filled neighbour beside it, 1 mm away, a stroke
        # across the gap between them: hidden there.
        (ONE_STROKE_AND_AN_END, (5.0, 0.0), 1.0, JOINED, True),
        # Paper across that gap: no arm ran into the neighbour.
        (ONE_STROKE_AND_AN_END, (5.0, 0.0), 1.0, APART, False),
        # Beside it a blank circle, across which an end would show.
        (ONE_STROKE_AND_AN_END, (5.0, 0.0), 0.0, JOINED, False),
        # A filled neighbour up and to the right lies past open paper an end would show on.
        (ONE_STROKE_AND_AN_END, (5.0, -4.6), 1.0, JOINED, False),
        # A filled neighbour on the other side hides nothing of it.
        (ONE_STROKE_AND_AN_END, (-5.0, 0.0), 1.0, JOINED, False),
        # Both ends of both strokes shown.
        (StrokeEnds((30.0, 160.0, 210.0, 340.0), (1.6,) * 4, True), (-5.0, 0.0), 0.0, APART, True),
        # One of them no further out than a zigzag's turn (its bend's ink a reach step
        # past a leg's line): a leg and a turn may pair so.
        (_four_ends(LEG_OFF_CENTRE_MAX), (-5.0, 0.0), 0.0, APART, False),
        (_four_ends(TURN_REACH_MAX), (-5.0, 0.0), 0.0, APART, False),
        (_four_ends(TURN_REACH_MAX + 0.05), (-5.0, 0.0), 0.0, APART, True),
        # That end pointing into a filled neighbour, whose footprint cuts its reach short
        # (joined to it or not); into a blank one, across which it would show.
        (_four_ends(TURN_REACH_MAX), (5.0, 0.0), 1.0, APART, True),
        (_four_ends(TURN_REACH_MAX), (5.0, 0.0), 0.0, JOINED, False),
    ],
)
def test_an_xs_second_stroke_is_whole_where_its_ends_show_or_hide_in_a_fill(
    strokes: StrokeEnds,
    neighbour_at: tuple[float, float],
    neighbour_fill: float,
    joins: np.ndarray,
    whole: bool,
) -> None:
    measure = pair_of(Bubble(), Bubble(fill=neighbour_fill), neighbour_at)
    assert _second_stroke_whole(measure, 0, strokes, Calibration(), joins) is whole
