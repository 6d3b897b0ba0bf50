"""What lies under an X: the interior's ink beside the X's own strokes.

An X over an empty circle leaves paper between its strokes; a fill under an X inks the
interior wherever the strokes are not. Seen at the interior's rim, a fill that missed
one side shows paper between two arms, and a felt-tip X crossing off the centre of a
small ellipse blackens every wedge but one: the rim cannot tell them apart. Beside the
strokes it can: there, the fill's ink stays and the X's ink is gone.

Each stroke is found where it is: the darkest straight line through the interior from a
stroke end seen outside the bubble, aimed within the off-centre reach of an X's
crossing. Everything within half the broadest pen line of those lines (and the scan's
blur) is the X's; the rest is what the X was drawn over.
"""

from __future__ import annotations

import numpy as np

from omr.reading.bridges import STROKE_MAX_MM
from omr.reading.template_space import gather

# A pixel of the scan's blur past the broadest pen line's edge is still the stroke's.
BLUR_PX = 1.0
# Aims tried across the centre, and samples along each line through the interior.
AIMS, ALONG = 9, 15
# Beside the strokes, under a tenth of the interior is too little to say what it holds.
BESIDE_MIN_SHARE = 0.1


def ink_beside_strokes(
    ink: np.ndarray,
    center: np.ndarray,
    interior: np.ndarray,
    tips: np.ndarray,
    off_centre_px: float,
    paper: float,
    ink_at: float,
    px_per_mm: float,
) -> float:
    """Share of the interior beside the strokes ending at ``tips`` that is ink; NaN when
    the strokes leave too little of it.

    ``center`` (2,) and ``tips`` (K, 2) are page px; ``interior`` (P, 2) the interior's
    pixel offsets from the centre; ``off_centre_px`` how far from the centre an X's
    strokes may cross; ``paper`` the page's brightness there and ``ink_at`` the darkness
    from which a pixel is ink.
    """
    half_band = STROKE_MAX_MM / 2 * px_per_mm + BLUR_PX
    reach = float(np.abs(interior).max())
    lines = [_darkest_line(ink, center, tip - center, off_centre_px, reach, paper) for tip in tips]
    starts = np.array([start for start, _ in lines], np.float32)  # (K, 2) from the centre
    units = np.array([unit for _, unit in lines], np.float32)
    offset = interior[:, None, :] - starts[None]  # (P, K, 2)
    across = np.abs(offset[..., 0] * units[:, 1] - offset[..., 1] * units[:, 0])
    beside = (across > half_band).all(axis=1)
    if beside.mean() < BESIDE_MIN_SHARE:
        return float("nan")
    darkness = 1.0 - gather(ink, center[None], interior[beside])[0] / paper
    return float((darkness >= ink_at).mean())


def _darkest_line(
    ink: np.ndarray,
    center: np.ndarray,
    tip: np.ndarray,
    off_centre_px: float,
    reach: float,
    paper: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The darkest line from ``tip`` (px from the centre) across the interior, aimed
    within ``off_centre_px`` of the centre → (a point on it, its unit), from the centre."""
    inward = -tip / max(float(np.linalg.norm(tip)), 1e-6)
    normal = np.array([-inward[1], inward[0]], np.float32)
    aims = np.linspace(-off_centre_px, off_centre_px, AIMS)[:, None] * normal  # (A, 2)
    units = aims - tip
    units /= np.linalg.norm(units, axis=1, keepdims=True)
    along = np.linspace(-reach, reach, ALONG)[None, :, None]
    points = (aims[:, None, :] + along * units[:, None, :]).astype(np.float32)  # (A, S, 2)
    darkness = 1.0 - gather(ink, center[None], points)[0] / paper
    best = int(np.argmax(darkness.mean(-1)))
    return aims[best].astype(np.float32), units[best].astype(np.float32)
