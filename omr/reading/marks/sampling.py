"""Where a bubble is sampled: the directions and radii of its reach, rim, middle and
outline, and the sample points of an outline, a disc, a square round the interior and
polar rays, in template-space pixels relative to a bubble's centre.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from omr.reading.marks.bridges import OVERSHOOT_RADII
from omr.sheet.bubble_outline import outline_scale
from omr.sheet.calibration import INTERIOR_RADIUS

# Directions and radii of the reach profile: from inside the interior to 2 radii, where
# the page's measured window ends (every X stroke that leaves a bubble passes there).
# 96 directions: 0.4 mm apart at 2 radii of the largest bubbles, so that the thinnest
# stroke (0.3 mm), widened by a direction on each side, is met at every radius.
REACH_DIRECTIONS = 96
# Radii a tenth apart: 0.3 mm on the largest bubbles (6 mm), the thinnest stroke's width,
# so an end or a fill's edge is placed within a stroke's width (a reach "a sample short"
# is a stroke's width short).
REACH_STEP = 0.1
REACH_RADII = tuple(np.round(np.arange(0.6, 2.01, REACH_STEP), 2))
# Round the interior's rim (0.62–0.72 radii): 48 directions lie 0.16 mm apart on the largest
# bubbles, half the thinnest stroke, so that the paper between an X's strokes is seen.
RIM_DIRECTIONS = 48
# The interior's rim (the printed outline starts past 0.8): a fill of 60 % of the
# interior reaches 0.77 radii, a felt-tip X over an empty circle leaves paper there.
RIM_RADII = (0.62, 0.7)
# Where the rim a fill must ink is sampled: the interior's edge (a fill covers the
# interior; a dot, however wide, stops inside it).
RIM_EDGE = INTERIOR_RADIUS
# The interior's middle (radii): half its own radius. A fill covers it as it covers the
# interior; a traced outline, however broad its line or the scan's blur, leaves it paper.
MIDDLE_RADIUS = INTERIOR_RADIUS / 2
# Across the printed outline, closer than the thinnest pen (0.3 mm: 0.1 radii) is wide.
OUTLINE_RADII = (0.86, 0.93, 1.0, 1.07, 1.14)
# Candidates overshoot a bubble (by up to a quarter of its radius), and half a felt-tip
# stroke (0.4 mm) and a pixel lie beyond that: a reach sample there may be a neighbour's
# ink, not a stroke leaving this bubble.
NEIGHBOUR_OVERSHOOT, NEIGHBOUR_STROKE_MM = 1 + OVERSHOOT_RADII, 0.5
# A printed outline, its line and the scan's blur: within a fifth of a radius of it.
PRINTED_OUTLINE_RADII = 0.2


def frozen(array: np.ndarray) -> np.ndarray:
    """Cached sample offsets are shared between pages: make them read-only."""
    array.setflags(write=False)
    return array


@cache
def outline_points(rx: float, ry: float, scale: float, count: int, box: bool = False) -> np.ndarray:
    """(count, 2) offsets evenly round, ``scale`` times the outline out (an ellipse's of
    half-axes ``rx``, ``ry``, or a ``box``'s: :mod:`omr.sheet.bubble_outline`)."""
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    if box:
        scale = scale * outline_scale(angles)
    return frozen(np.stack([np.cos(angles) * rx * scale, np.sin(angles) * ry * scale], axis=1))


def _pixel_grid(rx: float, ry: float, spare: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The whole-pixel offsets of the square round an ellipse of half-axes ``rx``,
    ``ry``, ``spare`` pixels wider on every side: (H, W, 2) their (x, y), and (H, W) bool
    those inside the ellipse."""
    span_x, span_y = int(np.ceil(rx)) + spare, int(np.ceil(ry)) + spare
    ys, xs = np.mgrid[-span_y : span_y + 1, -span_x : span_x + 1]
    inside = (xs / max(rx, 0.5)) ** 2 + (ys / max(ry, 0.5)) ** 2 <= 1.0
    return np.stack([xs, ys], axis=-1).astype(np.float32), inside


@cache
def disc_points(rx: float, ry: float) -> np.ndarray:
    """(P, 2) the whole-pixel offsets inside an ellipse of half-axes ``rx``, ``ry``."""
    grid, inside = _pixel_grid(rx, ry)
    return frozen(grid[inside])


@cache
def interior_square(rx: float, ry: float) -> tuple[np.ndarray, np.ndarray]:
    """The square round an ellipse of half-axes ``rx``, ``ry`` with a pixel to spare:
    (H + 2, W + 2, 2) its offsets, and (H, W) bool the pixels within it that are
    :func:`disc_points`, in its order."""
    grid, inside = _pixel_grid(rx, ry, spare=1)
    return frozen(grid), frozen(inside[1:-1, 1:-1])


@cache
def polar_points(
    rx: float,
    ry: float,
    radii: tuple[float, ...],
    directions: int = REACH_DIRECTIONS,
    box: bool = False,
) -> np.ndarray:
    """(D, R, 2) offsets: ``directions`` evenly round × ``radii`` (in radii: times the
    outline out in each direction, an ellipse's or a ``box``'s)."""
    angles = np.linspace(0, 2 * np.pi, directions, endpoint=False)[:, None]
    scale = np.asarray(radii)[None, :]
    if box:
        scale = scale * outline_scale(angles)
    return frozen(
        np.stack([np.cos(angles) * rx * scale, np.sin(angles) * ry * scale], -1).astype(np.float32)
    )
