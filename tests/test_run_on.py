"""Lines run on from a fill into a blank neighbour (omr.reading.marks.run_on)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_mark_classifier import Bubble, empty, page_of

from omr.reading.marks.records import StrokeEnds
from omr.reading.marks.run_on import out_both_ways, run_on_into_neighbours
from omr.reading.marks.sampling import OUTLINE_RADII, RIM_DIRECTIONS
from omr.reading.marks.under_xs import _out_both_ways

# A residency row: ellipses 4.0 × 3.2 mm, 5 mm apart (a 1 mm gap); the fill is bubble 1,
# its blank neighbours 0 and 2, and three more blank bubbles of the row give the print.
CENTERS_MM = np.array([[10.0, 10.0], [15.0, 10.0], [20.0, 10.0], [25.0, 10.0], [30.0, 10.0]])
RADII_MM = np.full((5, 2), (2.0, 1.6))
BLANK = np.array([True, False, True, True, True])
# The print across the outline, inside to outside (its line at 1.0 radii, blurred).
PRINT = np.array([0.02, 0.26, 0.49, 0.23, 0.02])
STROKE_AT = 0.2
# The right neighbour's direction facing the fill: 180° (its 48 directions 7.5° apart).
FACING = RIM_DIRECTIONS // 2


def _outlines(inked: dict[tuple[int, int], float]) -> list[tuple[np.ndarray, np.ndarray]]:
    """One size's bubbles, their darkness across the outline: the print, and more ink at
    ``inked`` ((direction, sample) → darkness added) on the right neighbour."""
    darkness = np.tile(PRINT, (5, RIM_DIRECTIONS, 1))
    for (direction, sample), added in inked.items():
        darkness[2, direction % RIM_DIRECTIONS, sample] += added
    return [(np.arange(5), darkness)]


def _runs_on(
    inked: dict[tuple[int, int], float], across_mm: float = 0.0, line_darkness: float = 0.3
) -> bool:
    """Whether a line ``line_darkness`` dark alone past the middle of the fill's right gap,
    ``across_mm`` off the centres' line, runs on into the neighbour inked as ``inked``."""
    found = run_on_into_neighbours(
        np.array([[1, 2]]),
        np.array([line_darkness]),
        np.array([across_mm]),
        _outlines(inked),
        BLANK,
        CENTERS_MM,
        RADII_MM,
        np.zeros(5, bool),
        STROKE_AT,
    )
    return bool(found[0])


def test_a_line_inside_the_neighbours_outline_runs_on() -> None:
    """Ink on the neighbour's innermost sample across its outline (0.86 radii), where the
    line from the fill meets it: the stroke crossed its outline."""
    assert OUTLINE_RADII[0] < 1.0
    assert _runs_on({(FACING, 0): 0.3})


@pytest.mark.parametrize("samples", [(3, 4), (2, 3, 4)])
def test_a_tip_up_to_the_neighbours_outline_does_not(samples: tuple[int, ...]) -> None:
    """Ink outside the neighbour's outline and on its line, however dark: as far as an
    overshooting pass's tip may reach."""
    assert not _runs_on({(FACING, sample): 0.6 for sample in samples})


@pytest.mark.parametrize("direction", [FACING + 3, FACING - 3, 0])
def test_ink_inside_the_neighbour_elsewhere_does_not(direction: int) -> None:
    """Ink inside the neighbour but away from where the line meets it (22.5° or more round,
    or on its far side) is not that line's."""
    assert not _runs_on({(direction, 0): 0.4})


def test_a_line_lighter_than_a_stroke_does_not() -> None:
    assert not _runs_on({(FACING, 0): STROKE_AT - 0.05}, line_darkness=STROKE_AT - 0.05)


@pytest.mark.parametrize(("inside", "runs_on"), [(0.2, False), (0.4, True), (0.5, True)])
def test_inside_the_line_keeps_its_darkness(inside: float, runs_on: bool) -> None:
    """A line 0.5 dark in the gap runs on inside the neighbour only as dark, within a
    quarter: lighter there (0.2, a stroke's darkness all the same) it is the blur's tail
    of an overshoot that stops at the neighbour's outline."""
    assert _runs_on({(FACING, 0): inside}, line_darkness=0.5) is runs_on


@pytest.mark.parametrize(("across_mm", "direction"), [(0.6, FACING - 3), (-0.6, FACING + 3)])
def test_a_line_off_the_centres_is_looked_for_where_it_meets_the_neighbour(
    across_mm: float, direction: int
) -> None:
    """A line 0.6 mm below (above) the line between the centres meets the neighbour's
    outline 21° round from its facing direction, below (above) it: there it is found, and
    not where a line on the centres' line would meet it."""
    assert _runs_on({(direction, 0): 0.3}, across_mm)
    assert not _runs_on({(FACING, 0): 0.3}, -across_mm)


# A residency row and the row above it: bubble 1 between 0 and 2; 3 and 4 above 0 and 1
# (mm; y down).
ROWS_MM = np.array([[0.0, 0.0], [5.0, 0.0], [10.0, 0.0], [2.5, -4.6], [7.5, -4.6]])


@pytest.mark.parametrize(
    ("neighbours", "through"),
    [
        ((0, 2), True),  # left and right: a line drawn through, out both ways
        ((4, 0), True),  # up-right and left: more than a right angle apart
        ((0, 3), False),  # left and up-left: one side of the fill
        ((2,), False),  # one way only
    ],
)
def test_lines_onward_out_both_ways_lie_on_opposite_sides(
    neighbours: tuple[int, ...], through: bool
) -> None:
    onward = np.array([[1, other] for other in neighbours])
    expected = np.zeros(len(ROWS_MM), bool)
    expected[1] = through
    assert out_both_ways(onward, ROWS_MM, len(ROWS_MM)).tolist() == expected.tolist()


def test_no_line_onward_goes_out_both_ways() -> None:
    assert not out_both_ways(np.zeros((0, 2), np.intp), ROWS_MM, len(ROWS_MM)).any()


@pytest.mark.parametrize(
    ("tip_at", "short_end", "through"),
    [
        (180.0, True, True),  # the line's other end, a reach sample short, facing away
        (20.0, True, False),  # a tip on the side of the line onward
        (180.0, False, False),  # an end seen at the ink threshold: no tip a sample short
    ],
)
def test_a_line_onward_and_a_tip_on_the_other_side_go_out_both_ways(
    tip_at: float, short_end: bool, through: bool
) -> None:
    """A fill with a line onward to its blank neighbour on the right, and a tip a reach
    sample short: on its left, the line drawn through it and out both ways."""
    measure = replace(
        page_of([Bubble(short_end=short_end), empty()]),
        centers_mm=np.array([[0.0, 0.0], [5.0, 0.0]], np.float32),
        radii_mm=np.array([[2.0, 1.6], [2.0, 1.6]], np.float32),
    )
    short = [StrokeEnds((tip_at,), (1.3,), False), StrokeEnds((), (), False)]
    read = _out_both_ways(measure, np.array([[0, 1]]), short)
    assert read.tolist() == [through, False]
