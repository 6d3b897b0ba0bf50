"""The way a stroke runs where it leaves a mark (``omr.reading.marks.arm_lines``), on
drawn pages: an X's arm runs the way it is seen from the centre, a scribble's leg that
runs out off the centre runs its own way, a pass run out along the fill's edge runs on a
line that misses the mark, and a stub tells nothing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omr.reading.marks.arm_lines import arm_directions, leaves_the_mark
from omr.reading.marks.loops import Around

PX_PER_MM = 8.0
CENTRE = np.array([100.0, 100.0])
RADII = np.array([20.0, 20.0])  # a 5 mm circle at 8 px/mm
PAPER, INK = 240, 60
NONE = np.zeros((0, 2))


def _around(center: np.ndarray = CENTRE, neighbours: np.ndarray = NONE) -> Around:
    """The bubble at ``center`` and its neighbours' centres (a 5 mm circle each)."""
    count = len(neighbours)
    return Around(
        center,
        RADII,
        False,
        PAPER,
        neighbours,
        np.tile(RADII, (count, 1)),
        np.zeros(count, bool),
        np.zeros((count, 96)),
    )


def _page(*strokes: tuple[tuple[float, float], tuple[float, float]]) -> np.ndarray:
    """A filled circle overshooting its outline by a tenth, with ``strokes`` (from, to:
    points in radii from the centre, y down) 3 px wide (0.375 mm) over it."""
    page = np.full((200, 200), PAPER, np.uint8)
    cv2.circle(page, (100, 100), 22, INK, -1)
    for start, end in strokes:
        a, b = (tuple(int(round(v)) for v in CENTRE + np.asarray(p) * RADII) for p in (start, end))
        cv2.line(page, a, b, INK, 3)
    return page


def _ways(page: np.ndarray, *ends: tuple[float, float]) -> list[float | None]:
    """The arm directions of ``ends`` (angle, reach) seen on ``page``, its fill's edge at
    1.1 radii."""
    return arm_directions(page, _around(), 0.5, [(a, r, 1.1) for a, r in ends], PX_PER_MM)


def _apart(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


@pytest.mark.parametrize("slant", [-55.0, -30.0, 30.0, 55.0])
def test_an_x_arm_runs_the_way_it_is_seen(slant: float) -> None:
    """A stroke through the centre, 1.9 radii out: its way is its angle, within 5°."""
    unit = np.array([np.cos(np.radians(slant)), np.sin(np.radians(slant))])
    (way,) = _ways(_page(((0.0, 0.0), tuple(1.9 * unit))), (slant % 360, 1.9))
    assert way is not None and _apart(way, slant % 360) <= 5


def test_a_scribbles_leg_off_the_centre_runs_its_own_way() -> None:
    """A leg 0.7 radii below the centre running out to the right, 1.75 radii out: seen
    from the centre at 24°, it runs at 0°."""
    seen = float(np.degrees(np.arctan2(0.7, 1.6)))
    (way,) = _ways(_page(((-1.0, 0.7), (1.6, 0.7))), (seen, 1.75))
    assert way is not None and _apart(way, 0.0) <= 5
    assert _apart(seen, 0.0) > 20


@pytest.mark.parametrize("above", [1.35, 1.5])
def test_a_pass_run_out_along_the_edge_runs_on_a_line_off_the_mark(above: float) -> None:
    """A scribble's pass laid along the fill's top edge, ``above`` radii over the centre,
    running out to the right to 1.5 radii: it runs at 0°, on a line further from the
    centre than a fill overshoots, where no X's stroke lies; an X's arm through the
    centre leaves the mark."""
    seen = float(np.degrees(np.arctan2(-above, 1.5))) % 360
    reach = float(np.hypot(above, 1.5))
    (way,) = _ways(_page(((-0.6, -above), (1.5, -above))), (seen, reach))
    assert way is not None and _apart(way, 0.0) <= 5
    assert not leaves_the_mark(way, seen, reach)
    assert leaves_the_mark(seen, seen, reach)


def test_a_stub_that_barely_leaves_the_fill_tells_nothing() -> None:
    """An arm 1.3 radii out leaves 0.2 radii past the fill (1 mm, a stroke's width and a
    half): no way to tell."""
    assert _ways(_page(((0.0, 0.0), (1.3, 0.0))), (0.0, 1.3)) == [None]


def test_an_end_at_the_page_edge_tells_nothing() -> None:
    """A bubble whose window runs off the page shows no arm."""
    page = _page(((0.0, 0.0), (1.9, 0.0)))
    ends = [(0.0, 1.9, 1.1)]
    assert arm_directions(page[:, 60:], _around(CENTRE - [60, 0]), 0.5, ends, PX_PER_MM) == [None]


def test_an_arm_running_into_a_neighbours_fill_runs_its_own_way() -> None:
    """An arm at 60° running 1.9 radii out, into the fill of the bubble down to its right
    (3 radii away, filled past its outline): joined to that fill's edge it tells no way;
    with the neighbour's outline and overshoot set aside, it runs its own (within 10°: what
    is left of it, short of that overshoot, is 2.5 stroke widths long)."""
    page = _page(((0.0, 0.0), (0.95, 1.65)))
    cv2.circle(page, (135, 148), 22, INK, -1)
    ends = [(60.0, 1.9, 1.1)]
    assert arm_directions(page, _around(), 0.5, ends, PX_PER_MM) == [None]
    beside = _around(neighbours=np.array([[135.0, 148.0]]))
    (way,) = arm_directions(page, beside, 0.5, ends, PX_PER_MM)
    assert way is not None and _apart(way, 60.0) <= 10
