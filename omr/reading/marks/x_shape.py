"""The geometry of an X as people draw it, and what it asks of stroke ends seen from a
bubble's centre: two strokes' ends opposite, two axes apart, a V's two ends.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike

from omr.reading.marks.sampling import REACH_DIRECTIONS

# The geometry of an X as people draw it: two strokes, one rising and one falling, each
# 25–65° from the horizontal, crossing up to a third of the radius off the centre, each
# end 1.1 to 2.5 radii out. Seen from the centre, an off-centre stroke's two ends are
# not opposite: each is off by up to asin(1/3 ÷ 1.1), plus a sampling step; the two
# strokes' axes differ by at least twice the shallowest slant, less that error.
X_SLANT_MIN_DEG, X_SLANT_MAX_DEG = 25.0, 65.0
X_OFF_CENTRE, X_REACH_MIN, X_REACH_MAX = 1 / 3, 1.1, 2.5
STEP_DEG = 360 / REACH_DIRECTIONS
OPPOSITE_TOLERANCE_DEG = 2 * np.degrees(np.arcsin(X_OFF_CENTRE / X_REACH_MIN)) + STEP_DEG
AXES_APART_MIN_DEG = 2 * X_SLANT_MIN_DEG - OPPOSITE_TOLERANCE_DEG / 2


def end_pairs(ends: tuple[tuple[float, ...], tuple[float, ...]]) -> list[tuple[float, float]]:
    """(angles, reaches) → (angle, reach) pairs: the inverse of :func:`angles_and_reaches`."""
    return list(zip(*ends, strict=True))


def angles_and_reaches(
    ends: list[tuple[float, float]],
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(angle, reach) pairs → (angles, reaches)."""
    return tuple(angle for angle, _ in ends), tuple(length for _, length in ends)


def completing_ends(
    seen: tuple[float, ...], short: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The short ends (angle, reach) that complete an X with the ``seen`` ends, or none.

    A short end counts as the far end of a stroke seen leaving (opposite a seen end), or
    two of them opposite each other as a whole second stroke; the X they complete must
    show both ends of both its strokes. A fill's edge bulges two samples out on about one
    fill in two hundred, so one short end may be a bulge that happens to lie opposite an
    arm of a tick, or of a third end seen (a stroke and an end too close to its axis
    for an X); two that each lie where an X's hidden ends would are not: it takes two.
    """
    paired = {k for pair in _opposite_pairs(angles_and_reaches(short)[0]) for k in pair}
    completing = [
        end
        for k, end in enumerate(short)
        if k in paired or any(opposite(end[0], angle) for angle in seen)
    ]
    if len(completing) < 2 or two_strokes(seen + angles_and_reaches(completing)[0]) is None:
        return []
    return completing


def two_strokes(angles: tuple[float, ...]) -> tuple[int, int, int, int] | None:
    """The ends (indices into ``angles``) of two strokes through the bubble whose axes
    cross, the first stroke's two then the second's: two disjoint pairs of opposite
    ends, their axes at least :data:`AXES_APART_MIN_DEG` apart; None where no two
    pairs are."""
    pairs = _opposite_pairs(angles)
    for (i, j), (k, m) in combinations(pairs, 2):
        if (
            not {i, j} & {k, m}
            and angle_apart(_axis(angles[i], angles[j]), _axis(angles[k], angles[m]), 180)
            >= AXES_APART_MIN_DEG
        ):
            return i, j, k, m
    return None


def with_hidden_ends(angles: tuple[float, ...]) -> tuple[float, ...]:
    """An X's ends and, for each end with none opposite it, the other end of its stroke:
    a stroke runs through the bubble, and an end hidden by a marked neighbour's
    footprint runs at that neighbour."""
    lone = [angle for angle in angles if not any(opposite(angle, other) for other in angles)]
    return (*angles, *((angle + 180) % 360 for angle in lone))


def angle_apart(a: ArrayLike, b: ArrayLike, period: float) -> float | np.ndarray:
    """Angular distance between ``a`` and ``b`` on a circle of ``period`` degrees (either
    may be an array: the distances, as they broadcast)."""
    difference = np.abs(np.subtract(a, b)) % period
    return np.minimum(difference, period - difference)


def is_v(angles: tuple[float, ...]) -> bool:
    """Whether ends at ``angles`` degrees are two, and not one stroke's: a V."""
    return len(angles) == 2 and not opposite(*angles)


def opposite(a: float, b: float) -> bool:
    """Whether ends at ``a`` and ``b`` degrees may be one stroke's, through the bubble."""
    return angle_apart(a, b, 360) >= 180 - OPPOSITE_TOLERANCE_DEG


def _axis(a: float, b: float) -> float:
    """The axis (0–180°) of a stroke whose ends point at ``a`` and ``b`` degrees."""
    doubled = np.radians([2 * a, 2 * b])
    return float(np.degrees(np.arctan2(np.sin(doubled).sum(), np.cos(doubled).sum())) / 2) % 180


def _opposite_pairs(angles: tuple[float, ...]) -> list[tuple[int, int]]:
    """The index pairs of ends that may be one stroke's (:func:`opposite`)."""
    return [
        (i, j)
        for i in range(len(angles))
        for j in range(i + 1, len(angles))
        if opposite(angles[i], angles[j])
    ]


def makes_x(angles: tuple[float, ...]) -> bool:
    """Two crossing strokes among the ends: two opposite pairs whose axes cross, or one
    pair and a third end off its axis."""
    pairs = _opposite_pairs(angles)
    for i, j in pairs:
        axis = _axis(angles[i], angles[j])
        others = [k for k in range(len(angles)) if k not in (i, j)]
        if any(angle_apart(angles[k] % 180, axis, 180) >= AXES_APART_MIN_DEG for k in others):
            return True
    return False
