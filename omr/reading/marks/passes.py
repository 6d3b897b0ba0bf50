"""Straight lines across a bubble's interior: the darkest line over a mark (a stroke
drawn over a fill) and the direction of a fill's own passes.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
from numpy.typing import ArrayLike

from omr.reading.marks.records import InkLevels
from omr.reading.marks.robust import mean_last
from omr.reading.marks.sampling import frozen, interior_square
from omr.reading.marks.x_shape import X_SLANT_MIN_DEG, angle_apart
from omr.reading.template_space import TemplatePage, gather
from omr.sheet.calibration import INTERIOR_RADIUS

# The chords a line over a fill is looked for along: every 7.5° (a straight stroke lies
# within 3.75° of one), 0.15 radii apart up to 0.3 off the centre (a stroke crossing
# off centre by a third of the radius lies within half a felt-tip line of one), and
# ±0.6 radii long, inside the interior (0.7), 9 samples along each.
CHORD_STEP_DEG, CHORD_OFFSETS = 7.5, (-0.3, -0.15, 0.0, 0.15, 0.3)
CHORD_HALF_LENGTH, CHORD_SAMPLES = 0.6, 9
# A hand fills a bubble in passes laid side by side, their overlaps darker lines along
# them: a line across the fill that runs another way is none of its passes. A hand's
# passes run within 15° of their mean (a zig-zag's legs, the hand's drift), which their
# edges' structure tensor finds within a chord step: lines further off are looked at.
PASSES_SPREAD_DEG = 15.0 + CHORD_STEP_DEG


@cache
def _chord_points(rx: float, ry: float) -> np.ndarray:
    """(120, 9, 2) offsets: 24 directions × 5 offsets of a straight line across the
    interior, 9 samples along each (all within 0.7 radii)."""
    chords = []
    for angle in np.radians(np.arange(0, 180, CHORD_STEP_DEG)):
        along = np.array([np.cos(angle), np.sin(angle)])
        across = np.array([-along[1], along[0]])
        for offset in CHORD_OFFSETS:
            t = np.linspace(-CHORD_HALF_LENGTH, CHORD_HALF_LENGTH, CHORD_SAMPLES)[:, None]
            chords.append((across * offset + t * along) * (rx, ry))
    return frozen(np.asarray(chords, np.float32))


def stroke_over(
    page: TemplatePage,
    centers: np.ndarray,
    rx: float,
    ry: float,
    paper: np.ndarray,
    interior: np.ndarray,
    ordered: np.ndarray,
    levels: InkLevels,
) -> tuple[np.ndarray, np.ndarray]:
    """(N,) twice: how much darker than the mark's own ink (the median of its inked
    pixels) the darkest straight line across each interior is, and the darkest that runs
    across the fill's own passes (more than ``PASSES_SPREAD_DEG`` off them,
    :func:`passes_direction`): a stroke laid over a fill with the same pen is dye over
    dye, darker by the pen's darkness × its transmission. ``interior`` (N, P) is the
    darkness of the interior's pixels, ``ordered`` the pixels sorted (the darkest last)."""
    chords = 1.0 - gather(page.ink, centers, _chord_points(rx, ry)) / paper[..., None]
    count = interior.shape[-1]
    paper_pixels = (interior < levels.ink_at).sum(-1)
    middle = (paper_pixels + count - 1) // 2  # the inked pixels' median, by darkness
    own = (
        1.0 - np.take_along_axis(ordered, count - 1 - middle[:, None], axis=-1)[:, 0] / paper[:, 0]
    )
    lines = mean_last(chords).reshape(len(centers), -1, len(CHORD_OFFSETS)).max(-1)
    passes = passes_direction(page, centers, rx, ry)
    along = along_passes(_chord_directions(rx, ry), passes[:, None])
    across = np.where(along, -np.inf, lines).max(-1)
    return (lines.max(-1) - own).astype(np.float32), (across - own).astype(np.float32)


def along_passes(ways: ArrayLike, passes: ArrayLike) -> bool | np.ndarray:
    """Whether lines running ``ways`` degrees (0–360 or 0–180) run along a fill's passes
    (``passes`` degrees, 0–180), within ``PASSES_SPREAD_DEG`` of them (either may be an
    array: the answers, as they broadcast)."""
    return angle_apart(ways, passes, 180) <= PASSES_SPREAD_DEG


@cache
def _chord_directions(rx: float, ry: float) -> np.ndarray:
    """(24,) degrees (0–180, y down) each direction of :func:`_chord_points` runs on the
    page: an ellipse's chords are the circle's stretched."""
    angles = np.radians(np.arange(0, 180, CHORD_STEP_DEG))
    return frozen(np.degrees(np.arctan2(np.sin(angles) * ry, np.cos(angles) * rx)) % 180.0)


# An X's two strokes run 50° apart at least (each 25–65° from the horizontal, one rising,
# one falling): the structure tensor of two such lines, as strong, runs one way only as
# much as cos 50° = 0.64 (its eigenvalues 1 ± cos of their angle). A fill whose edges run
# one way more coherently than that shows its own passes, not an X's strokes across it.
ONE_WAY_COHERENCE = float(np.cos(np.radians(2 * X_SLANT_MIN_DEG)))


def passes_way(page: TemplatePage, center: np.ndarray, radii: np.ndarray) -> float | None:
    """The way (degrees, 0–180) the passes of the fill centred at ``center`` (page px)
    run in the bubble's own frame, its half-axes ``radii`` (px) taken as 1, as
    :func:`~omr.reading.marks.arm_lines.arm_directions` gives a stroke's way; None where
    the interior's edges run one way no more coherently than an X's two strokes would
    (``ONE_WAY_COHERENCE``)."""
    rx, ry = (float(r) for r in radii)
    xx, yy, xy = (float(terms[0]) for terms in _structure_tensor(page, center[None], rx, ry))
    if np.hypot(xx - yy, 2 * xy) <= ONE_WAY_COHERENCE * (xx + yy):
        return None
    on_page = np.radians(_along_edges(xx, yy, xy))
    return float(np.degrees(np.arctan2(np.sin(on_page) / ry, np.cos(on_page) / rx)) % 180.0)


def passes_direction(page: TemplatePage, centers: np.ndarray, rx: float, ry: float) -> np.ndarray:
    """(N,) degrees (0–180, y down) the edges inside each interior run along: the
    dominant orientation of the structure tensor of its darkness (a fill's passes)."""
    return _along_edges(*_structure_tensor(page, centers, rx, ry))


def _along_edges(xx: ArrayLike, yy: ArrayLike, xy: ArrayLike) -> np.ndarray:
    """Degrees (0–180, y down) the edges of a structure tensor (``xx``, ``yy``, ``xy``)
    run along: across its dominant gradient."""
    gradient = 0.5 * np.degrees(np.arctan2(2 * np.asarray(xy), np.subtract(xx, yy)))
    return (gradient + 90.0) % 180.0


def _structure_tensor(
    page: TemplatePage, centers: np.ndarray, rx: float, ry: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N,) three times: the structure tensor (xx, yy, xy) of the darkness of each
    interior (half-axes ``rx``, ``ry`` px) centred at ``centers``."""
    square, inside = interior_square(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
    patches = gather(page.ink, centers, square).astype(np.float32)  # (N, H + 2, W + 2)
    # Scharr's 3 × 3 weights (the most even in every direction of the small kernels),
    # over the patches stacked as one column: each patch's border, mixed with the next
    # patch's, is left out.
    column = patches.reshape(-1, patches.shape[-1])
    gradients = (cv2.Scharr(column, cv2.CV_32F, dx, 1 - dx) for dx in (1, 0))
    gx, gy = (g.reshape(patches.shape)[:, 1:-1, 1:-1][:, inside] for g in gradients)
    return (gx * gx).sum(-1), (gy * gy).sum(-1), (gx * gy).sum(-1)
