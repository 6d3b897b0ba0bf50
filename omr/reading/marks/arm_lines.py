"""The way a stroke runs where it leaves a mark, from its own pixels.

Seen from a bubble's centre, an end lies at an angle; the stroke that makes it runs
its own way. An X's stroke runs through its crossing, within a third of a radius of the
centre, so where it leaves the fill it runs nearly the way it is seen, and its two
strokes run at least 50° apart (one rising, one falling, each 25-65° from the
horizontal). A scribbled fill's legs that run out past the outline all run the way the
hand scribbled, one way for all, wherever they leave: seen from the centre they may lie
at any angles, as an X's ends do, yet the strokes under them run side by side. A
stroke whose way, where it leaves, puts its line further from the centre than any fill's
overshoot (:func:`leaves_the_mark`) comes from no X: one of the fill's own passes run out
along its edge, or a blot or another stroke joined to the arm.
"""

from __future__ import annotations

import cv2
import numpy as np

from omr.reading.marks.levels import THINNEST_LINE_MM
from omr.reading.marks.loops import Around
from omr.reading.marks.sampling import (
    NEIGHBOUR_OVERSHOOT,
    PRINTED_OUTLINE_RADII,
    REACH_RADII,
    REACH_STEP,
)
from omr.reading.marks.x_shape import X_REACH_MAX, angle_apart
from omr.sheet.bubble_outline import squared_extent

# An arm's pixels are looked for within this much of its end's angle, seen from the
# centre: an off-centre crossing turns a stroke by asin(⅓ ÷ 1.1) = 18° at most between the
# outline and its end, and a felt-tip stroke's half-width and the blur (0.5 mm) add as much
# again at 1.2 radii of the smallest bubbles.
SECTOR_HALF_DEG = 40.0
# A patch of ink tells the way it runs when it is at least this many times as long as it
# is broad: a blob's axis (a stroke no longer than its width, a fill's bulge) turns with
# its noise.
ELONGATION_MIN = 1.8
# An arm's way is taken where it holds, within this much, as the arm is looked at from
# the mark's edge and from a reach step further out: a fill's bulge at its edge, or a
# blot that joins the arm there, turns the nearer patch's axis.
STEADY_DEG = 15.0


def arm_directions(
    ink: np.ndarray,
    around: Around,
    level: float,
    ends: list[tuple[float, float, float]],
    px_per_mm: float,
) -> list[float | None]:
    """The way each end's stroke runs outward where it leaves the mark (degrees, in the
    bubble's own polar frame, as the ends' angles are), from the pixels at least
    ``level`` darker than its paper on ``ink`` (the straightened page, uint8) round the
    bubble ``around`` describes. ``ends``: each end's (angle, reach, edge): its angle
    seen from the centre, how far it runs and where the mark's own edge lies in its
    direction (radii). The arm is the patch of ink nearest the end's tip, past the edge
    and the printed outline's line, up to the tip (an end that runs as far as the reach
    is sampled: as far as an X's strokes run), within :data:`SECTOR_HALF_DEG` of its
    angle and clear of every neighbour's outline and overshooting fill. None where that
    patch is not :data:`ELONGATION_MIN` times as long as it is broad, and as the thinnest
    pen's line at least (an arm that barely leaves the mark); or where its way looked at
    from the edge and from a reach step further out differs by more than
    :data:`STEADY_DEG`. Whether a straight stroke running that way may come from within
    the mark is :func:`leaves_the_mark`'s to tell. None for every end where the window
    runs off the page."""
    if not ends:
        return []
    center, radii = around.center, around.radii
    outer = max(_followed_to(reach) for _, reach, _ in ends) + REACH_STEP
    half = int(np.ceil(outer * float(radii.max()))) + 2
    x0, y0 = (int(round(float(c))) - half for c in center)
    if x0 < 0 or y0 < 0 or x0 + 2 * half > ink.shape[1] or y0 + 2 * half > ink.shape[0]:
        return [None] * len(ends)
    window = ink[y0 : y0 + 2 * half, x0 : x0 + 2 * half].astype(np.float32)
    ys, xs = np.mgrid[y0 : y0 + 2 * half, x0 : x0 + 2 * half]
    inked = ((1.0 - window / around.paper) >= level) & _clear_of_neighbours(xs, ys, around)
    offsets = np.stack([xs - center[0], ys - center[1]], axis=-1)  # px
    frame = offsets / radii  # each pixel in the bubble's own frame: 1 on its outline
    extent = np.sqrt(squared_extent(frame, around.box))
    turn = np.degrees(np.arctan2(frame[..., 1], frame[..., 0]))
    thinnest = THINNEST_LINE_MM * px_per_mm
    ways = []
    for angle, reach, edge in ends:
        start = max(edge, 1.0 + PRINTED_OUTLINE_RADII)
        near, far = (
            _direction(inked, offsets, radii, extent, turn, angle, reach, inner, thinnest)
            for inner in (start, start + REACH_STEP)
        )
        held = near is not None and far is not None and angle_apart(near, far, 360) <= STEADY_DEG
        ways.append(far if held else None)
    return ways


def _followed_to(reach: float) -> float:
    """How far out (radii) an end's arm is looked at: to its reach, or, where it runs as
    far as the reach is sampled, as far as an X's strokes run (``X_REACH_MAX``)."""
    return X_REACH_MAX if reach >= REACH_RADII[-1] else reach


def leaves_the_mark(way: float, angle: float, reach: float) -> bool:
    """Whether a straight stroke running ``way`` to an end seen at ``angle``, ``reach``
    radii out, may come from within the mark: its line passes within the broadest fill's
    overshoot of the centre (:data:`sampling.NEIGHBOUR_OVERSHOOT`), so it runs at most
    asin(overshoot ÷ reach) off the way it is seen. A patch that runs further off is no
    X's arm: a pass of the fill's run out along its edge, or a blot or another stroke
    joined to the arm."""
    turn_most = np.degrees(np.arcsin(min(1.0, NEIGHBOUR_OVERSHOOT / reach)))
    return angle_apart(way, angle, 360) <= turn_most


def _clear_of_neighbours(xs: np.ndarray, ys: np.ndarray, around: Around) -> np.ndarray:
    """(H, W) bool: the pixels at ``xs``, ``ys`` that lie past every neighbour's outline
    and the broadest overshoot of its fill (:data:`sampling.NEIGHBOUR_OVERSHOOT`)."""
    clear = np.ones(xs.shape, bool)
    for center, radii, box in zip(
        around.neighbours, around.neighbour_radii, around.neighbour_boxes, strict=True
    ):
        offsets = np.stack([(xs - center[0]) / radii[0], (ys - center[1]) / radii[1]], -1)
        clear &= squared_extent(offsets, bool(box)) > NEIGHBOUR_OVERSHOOT**2
    return clear


def _direction(
    inked: np.ndarray,
    offsets: np.ndarray,
    radii: np.ndarray,
    extent: np.ndarray,
    turn: np.ndarray,
    angle: float,
    reach: float,
    inner: float,
    thinnest: float,
) -> float | None:
    """One end's arm direction (:func:`arm_directions`) from ``inner`` radii out to its
    tip, or None."""
    apart = angle_apart(turn, angle, 360)
    far = _followed_to(reach) + REACH_STEP
    arm = inked & (extent >= inner) & (extent <= far) & (apart <= SECTOR_HALF_DEG)
    count, labels = cv2.connectedComponents(arm.astype(np.uint8), connectivity=8)
    if count < 2:
        return None
    tip = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))]) * reach * radii
    points = offsets[arm]
    nearest = labels[arm][int(np.argmin(np.hypot(*(points - tip).T)))]
    points = points[labels[arm] == nearest]
    if len(points) < 3:
        return None
    spread, axes = np.linalg.eigh(np.cov(points.T))
    # A uniform bar's length and breadth (px): √12 of its spread along and across.
    length, breadth = np.sqrt(12 * np.maximum(spread[::-1], 0.0))
    if length < ELONGATION_MIN * max(breadth, thinnest):
        return None
    way = axes[:, 1] if axes[:, 1] @ tip >= 0 else -axes[:, 1]
    way = way / radii  # into the bubble's own frame, as the ends' angles are
    return float(np.degrees(np.arctan2(way[1], way[0])) % 360)
