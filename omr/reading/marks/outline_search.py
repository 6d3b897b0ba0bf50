"""Where each question's printed outlines lie, found near where registration puts them
(paper is never flat), and the paper next to each bubble.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from omr.reading.marks.layout import SizeGroup
from omr.reading.marks.robust import percentile
from omr.reading.marks.sampling import frozen, outline_points
from omr.reading.template_space import gather

# How far each question's printed outlines are looked for around where registration
# puts them: beyond what a registered page is still off by (a few tenths of a mm after
# the outline check), short of the narrowest gap between bubbles (1 mm on the residency
# grid), so that a neighbour's outline is never taken for a bubble's own.
SEARCH_MM = 0.8
# Shifts are tried a third of that apart (in whole pixels: 0.25 mm at 8 px/mm): the
# nearest puts the probe's ring within 0.13 mm of a printed outline in x and in y, inside
# the line (0.3 mm, ours 0.9 pt) once the scan's blur (0.15 mm) has spread it.
SEARCH_STEPS = 3
BUBBLES_AT_ONCE = 64  # whose outline search is scored at once: 64 × 49 × 60 float32, 750 kB


# The outline probe (radius, points): the printed line, 24 points round it (0.5 mm apart
# on the smallest bubbles), against the inside and the outside, each past the line's
# width and the scan's blur (0.2 radii); the outside short of the next bubble's outline
# on the residency grid's 1 mm gaps (1.5 radii of its 2 mm half-width).
PROBE_RING, PROBE_INSIDE, PROBE_OUTSIDE = (1.0, 24), (0.55, 12), (1.45, 24)
# The paper the outlines are scored against: the bright end of every bubble's outside
# points, which only an overshoot or an X's arm inks, on a few of a few bubbles' points.
OUTSIDE_PAPER_PERCENTILE = 90


@cache
def _outline_probe(rx: float, ry: float, box: bool) -> tuple[np.ndarray, np.ndarray]:
    """Points (P, 2) and weights (P,) scoring a printed outline (an ellipse's, or a
    ``box``'s) centred on them.

    The ring counts in full, the inside and the outside against it by half each: the
    weights sum to zero, so an even shadow or tint over the bubble scores nothing.
    """
    (ring, on_ring), (inner, inside), (outer, outside) = (
        (outline_points(rx, ry, radius, count, box), count)
        for radius, count in (PROBE_RING, PROBE_INSIDE, PROBE_OUTSIDE)
    )
    weights = np.concatenate(
        [
            np.full(on_ring, 1 / on_ring),
            np.full(inside, -0.5 / inside),
            np.full(outside, -0.5 / outside),
        ]
    )
    return frozen(np.concatenate([ring, inner, outer])), frozen(weights.astype(np.float32))


# A printed outline stands 14–66 % of the paper's brightness above its inside and outside
# (the probe's score on blank bubbles of every form read, halftoned and drop-out gray
# scans included); a fill's edge or the scan's noise (under 1 %, averaged over the
# probe's 60 samples) moves it by a few %. A question's outlines move to a shifted place
# only when they gain 4 % of the paper per bubble there: under a third of the faintest
# print's contrast, above what ink beside the outline gives.
OUTLINE_GAIN_MIN = 0.04


def refine_offsets(
    printed: Callable[[np.ndarray, np.ndarray], np.ndarray],
    centers: np.ndarray,
    group: SizeGroup,
    rx: float,
    ry: float,
    search_px: int,
) -> np.ndarray:
    """Per-bubble shift (x, y) that best aligns the printed outline, shared per group.

    Parameters
    ----------
    printed : callable
        The printed channel at centres (N, 2) + offsets (..., 2) → (N, ...) uint8
        (:meth:`TemplatePage.sample_printed`).
    centers : (N, 2) float32 ndarray
        Bubble centres (x, y) in px.
    group : SizeGroup
        Which of ``centers`` move together (the options of one question).

    Returns
    -------
    (N, 2) float32 ndarray
    """
    step = max(1, search_px // SEARCH_STEPS)
    span = range(-search_px, search_px + 1, step)
    shifts = np.array([(dx, dy) for dy in span for dx in span], np.float32)
    points, weights = _outline_probe(rx, ry, group.box)
    values = printed(centers, shifts[:, None, :] + points)  # (N, S, P) uint8
    zero = int(np.flatnonzero((shifts == 0).all(axis=1))[0])
    outside = values[:, zero, -PROBE_OUTSIDE[1] :].ravel()
    paper = float(percentile(outside, OUTSIDE_PAPER_PERCENTILE)) or 255.0
    score = _scores(values, -weights / paper)  # (N, S): outline darkness
    order, starts, sizes = group.order, group.starts, group.sizes
    totals = np.add.reduceat(score[order], starts, axis=0)  # (G, S)
    best = np.argmax(totals, axis=1)
    gain = totals[np.arange(len(sizes)), best] - totals[:, zero]
    # Move only when the outline is clearly better aligned there.
    chosen = np.where(gain > OUTLINE_GAIN_MIN * sizes, best, zero)
    result = np.zeros_like(centers)
    result[order] = shifts[np.repeat(chosen, sizes)]
    return result


def _scores(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``values.astype(np.float32) @ weights``: (N, S, P) uint8 and (P,) → (N, S)
    float32, a few bubbles at a time (no float copy of every sample at once)."""
    scores = np.empty(values.shape[:-1], np.float32)
    for start in range(0, len(values), BUBBLES_AT_ONCE):
        rows = slice(start, start + BUBBLES_AT_ONCE)
        scores[rows] = values[rows].astype(np.float32) @ weights
    return scores


# The band a bubble's paper is read on: past the widest fill's overshoot (1.45 radii) and
# the outline's blur, short of the next bubble on our grids but the residency one, whose
# ellipses stand closer: 9 of the band's 64 points lie on or in its neighbours' outlines
# (3 on the national form's, 1 on the specialization sheet's), which the 75th percentile
# ignores with an X's arms beside them.
PAPER_BAND_RADII = (1.5, 1.8)


def local_paper(
    ink: np.ndarray, centers: np.ndarray, rx: float, ry: float, box: bool
) -> np.ndarray:
    """(N,) paper brightness around each bubble, from the band just outside its outline
    (an ellipse's, or a ``box``'s).

    Scanners light a page unevenly and shadows fall along folds: the paper a bubble's
    ink is measured against is the paper next to it. The 75th percentile of the band
    ignores the arms of an X and a neighbour's overshoot (a quarter of the band at most).
    """
    band = np.concatenate([outline_points(rx, ry, radius, 32, box) for radius in PAPER_BAND_RADII])
    paper = percentile(gather(ink, centers, band), 75).astype(np.float32)
    return np.maximum(paper, 1.0)
