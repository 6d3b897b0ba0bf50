"""Lines run on from a fill across a gap into a blank neighbour.

Where bubbles stand close (the residency rows: a 1 mm gap between 2 mm radii), a fill's
overshoot reaches the middle of the gap, and the tip of its farthest pass half a pen's
line further: a line alone past the gap's middle (:class:`bridges.GapStrokes`'s
``onward``) may be such a tip as well as a line drawn through the fill. Only a line
drawn on reaches into the neighbour past its printed outline: an overshoot of a quarter
of a radius and half the broadest pen's line (1 mm) end at the outline, its inner edge
lies a sample further in, and the scan's blur carries there only the tail of an
overshoot's darkness, where a line keeps its own.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from omr.reading.marks.bridges import DARKNESS_KEPT, radius_along
from omr.reading.marks.sampling import RIM_DIRECTIONS

# Where a stroke run into a neighbour is looked for: the innermost sample across its
# outline (``sampling.OUTLINE_RADII``' first, 0.86 radii), and the directions either side
# of the one the line arrives from (7.5° apart: a line's width and its slant across the
# last half of the gap).
INNER_SAMPLE, DIRECTIONS_EITHER_SIDE = 0, 1


def run_on_into_neighbours(
    onward: np.ndarray,
    onward_darkness: np.ndarray,
    onward_mm: np.ndarray,
    outlines: list[tuple[np.ndarray, np.ndarray]],
    blank: np.ndarray,
    centers_mm: np.ndarray,
    radii_mm: np.ndarray,
    boxes: np.ndarray,
    stroke_at: float,
) -> np.ndarray:
    """(K,) bool: of ``onward`` (K, 2) marked bubbles and blank neighbours with a line
    alone past the middle of the gap between them, ``onward_darkness`` (K,) dark and
    ``onward_mm`` (K,) mm across the line between their centres, those whose line runs
    on into the neighbour: where it meets the neighbour's outline, the outline's inner
    sample carries more ink than the print there, a pen's stroke (``stroke_at``) and as
    dark as the line (within ``bridges.DARKNESS_KEPT``: a pen's line keeps its
    darkness). An overshoot that reaches the outline shows there only the tail of the
    scan's blur.

    ``outlines``: per size, its bubbles and their darkness across the outline (N, 48, R);
    the print's is the median over that size's ``blank`` bubbles ((N,) bool), direction
    by direction. ``centers_mm``, ``radii_mm`` (N, 2) each and ``boxes`` (N,) bool: the
    template's bubbles."""
    if not len(onward):
        return np.zeros(0, bool)
    inner = np.full((len(blank), RIM_DIRECTIONS), np.nan)
    for index, darkness in outlines:
        own_blank = blank[index]
        if own_blank.any():
            printed = np.median(darkness[own_blank, :, INNER_SAMPLE], axis=0)
            inner[index] = darkness[..., INNER_SAMPLE] - printed
    marked, neighbour = onward.T
    between = centers_mm[neighbour] - centers_mm[marked]
    unit = between / np.linalg.norm(between, axis=-1, keepdims=True)
    across = np.stack([-unit[:, 1], unit[:, 0]], axis=-1)
    radii = radii_mm[neighbour]
    outline = radius_along(radii, unit, boxes[neighbour])[:, None]
    # Where the line meets the neighbour, seen from its centre (its outline a unit circle).
    scaled = (-unit * outline + across * onward_mm[:, None]) / radii
    angle = np.arctan2(scaled[:, 1], scaled[:, 0])
    nearest = np.rint(angle / (2 * np.pi) * RIM_DIRECTIONS).astype(np.intp)
    spread = np.arange(-DIRECTIONS_EITHER_SIDE, DIRECTIONS_EITHER_SIDE + 1)
    directions = (nearest[:, None] + spread[None, :]) % RIM_DIRECTIONS
    stroke = inner[neighbour[:, None], directions]
    least = np.maximum(stroke_at, DARKNESS_KEPT * onward_darkness)
    return np.nan_to_num(stroke, nan=0.0).max(axis=-1) >= least


def out_both_ways(
    onward: np.ndarray,
    centers_mm: np.ndarray,
    count: int,
    tip_ways: Mapping[int, np.ndarray] | None = None,
) -> np.ndarray:
    """(N,) bool of ``count`` bubbles: those with lines onward (``onward``, (K, 2) each a
    marked bubble and a blank neighbour, the lines not run on) towards two neighbours on
    opposite sides of it, more than a right angle apart seen from its centre
    (``centers_mm``, (N, 2)), or one towards a neighbour and the other way a tip
    (``tip_ways``: by bubble, (T, 2) the ways its tips a reach sample short point, mm): a
    line drawn through the fill and out both ways, its other end short of a neighbour or
    where the grid ends, or a fill spilling past the gap's middle all round."""
    through = np.zeros(count, bool)
    tip_ways = tip_ways or {}
    for marked in np.unique(onward[:, 0]).tolist():
        lines = centers_mm[onward[onward[:, 0] == marked, 1]] - centers_mm[marked]
        ways = np.vstack([lines, tip_ways.get(marked, np.zeros((0, 2)))])
        through[marked] = bool((lines @ ways.T < 0).any())
    return through
