"""How far ink runs out of a bubble in each direction: the reach profile sampled ray by
ray, widened by the neighbouring rays a slanted stroke crosses, and how far past the
mark's own edge each direction's ink runs.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from omr.reading.marks.sampling import REACH_RADII
from omr.reading.marks.x_shape import STEP_DEG, X_OFF_CENTRE


@cache
def _widening() -> tuple[int, ...]:
    """Directions to either side a stroke may drift by between each reach radius and the
    last: an X's strokes cross up to a third of a radius off the centre, so a stroke
    seen from the centre turns by asin(⅓ ÷ r) − asin(⅓ ÷ 2); one direction more for a
    stroke narrower than a direction's step."""
    last = np.arcsin(X_OFF_CENTRE / REACH_RADII[-1])
    drift = np.degrees(np.arcsin(np.minimum(X_OFF_CENTRE / np.asarray(REACH_RADII), 1)) - last)
    return tuple(int(v) for v in np.ceil(drift / STEP_DEG) + 1)


# Where a stroke's sides are looked at: past its widening just outside the outline
# (:func:`_widening` at 1 radius) and a felt-tip stroke's half-width there (2 steps).
SIDE_DIRECTIONS = (7, 8)


def _widened(inked: np.ndarray) -> np.ndarray:
    """(N, S, D) inked samples (radius by radius, going round), each also inked where a
    direction within its radius's :func:`_widening` is: each radius's samples dilated
    round the circle (a view of (S, N, D): each radius's (N, D) contiguous)."""
    most, directions = max(_widening()), inked.shape[-1]
    rows = inked.transpose(1, 0, 2)
    around = np.concatenate([rows[..., -most:], rows, rows[..., :most]], axis=-1).view(np.uint8)
    wide = np.empty((inked.shape[1], inked.shape[0], directions), bool)
    for radius, width in enumerate(_widening()):
        grown = cv2.dilate(around[radius], np.ones((1, 2 * width + 1), np.uint8))
        wide[radius] = grown[:, most : most + directions].view(bool)
    return wide.transpose(1, 0, 2)


def reach_at(
    samples: np.ndarray, paper: np.ndarray, level: float, unmasked: np.ndarray
) -> np.ndarray:
    """(n, D) radii reached by unbroken ink ``level`` dark or more (relative to each
    bubble's ``paper`` (n, 1)) in the reach ``samples`` (n, S, D), where ``unmasked``
    (n, S, D) lets it be seen (:func:`_reached` of the :func:`_widened` ink)."""
    return _reached(_widened((samples < (paper * (1.0 - level))[..., None]) & unmasked))


def _reached(inked: np.ndarray) -> np.ndarray:
    """(N, S, D) inked samples → (N, D) the radius of the last of the unbroken run of ink
    from the first sample out (0 where the first is paper)."""
    # Radius by radius: the run's length, counted over contiguous (N, D) planes.
    run = inked[:, 0].copy()
    steps = run.astype(np.intp)
    for radius in range(1, inked.shape[1]):
        run &= inked[:, radius]
        steps += run
    return np.where(steps > 0, np.asarray(REACH_RADII)[steps - 1], 0.0)


def past_the_mark(reach: np.ndarray) -> np.ndarray:
    """(N, 96) radii each direction's ink runs past the mark on both sides of it.

    A stroke leaving a bubble is narrow: 26–30° to either side, ink stops at the mark's
    own edge (a fill's, overshoot included, or the outline when the interior is paper).
    A fill that misses a side has an edge on the other: it stands past nothing.
    """
    near, far = SIDE_DIRECTIONS
    sides = [
        np.minimum(np.roll(reach, near * sign, axis=1), np.roll(reach, far * sign, axis=1))
        for sign in (1, -1)
    ]
    return reach - np.maximum(np.maximum(*sides), 1.0)
