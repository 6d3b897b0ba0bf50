"""Strokes across the narrow paper between two marked bubbles.

Where bubbles stand close (a gap narrower than a radius, as on the residency grid), a
marked neighbour's footprint covers the whole gap, so the reach of a stroke leaving a
bubble cannot be seen there: a line drawn through a fill, between two filled
neighbours, leaves no end of its own. A fill stays inside its outline and its overshoot;
the middle of the gap stays paper, or holds two overshoots that meet there, broad where
each leaves its bubble. A narrow band of ink across the whole middle of the gap, with
paper either side of it all along, is a stroke joining the two: the fill is in doubt.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from omr.reading.template_space import TemplatePage, gather

# The middle half of the gap, in 5 steps along it; across it, 9 samples within a quarter
# of a radius either side of the line between the centres. Wider, the tips of two
# overshooting fills meeting in the gap show paper beside them too (measured: every
# tenth clean page flagged); so narrow, only a thin stroke (a ballpoint's, a pencil's)
# near the line between the centres is seen, not a felt-tip's.
ALONG = np.linspace(0.25, 0.75, 5)
ACROSS = np.linspace(-1.0, 1.0, 9)


@dataclass(frozen=True)
class GapSamples:
    """The close pairs of a template: ``own`` and ``other`` (P,) bubble indices (each
    pair both ways), ``offsets_mm`` (P, 5, 9, 2) (x, y) from ``own``'s centre to the
    samples across the middle of the gap between them."""

    own: np.ndarray
    other: np.ndarray
    offsets_mm: np.ndarray


def _radius_along(radii: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """(P,) an ellipse's radius (half-axes ``radii`` (P, 2)) in direction ``unit`` (P, 2)."""
    return 1.0 / np.sqrt(((unit / radii) ** 2).sum(-1))


@cache
def gap_samples(
    centers_mm: tuple[tuple[float, float], ...], sizes_mm: tuple[tuple[float, float], ...]
) -> GapSamples:
    """Where to look for a stroke between every two bubbles closer than a radius."""
    centers = np.asarray(centers_mm, np.float64).reshape(-1, 2)
    radii = np.asarray(sizes_mm, np.float64).reshape(-1, 2) / 2
    pairs = [  # by 128 rows: a thousand bubbles' (N, N, 2) differences would be 16 MB
        np.argwhere(near) + (row, 0)
        for row in range(0, len(centers), 128)
        for distance in [np.linalg.norm(centers[row : row + 128, None] - centers[None], axis=-1)]
        for near in [(distance > 0) & (distance < 4 * radii.max())]
    ]
    own, other = np.concatenate(pairs).T if pairs else (np.zeros(0, np.intp),) * 2
    between = centers[other] - centers[own]
    length = np.linalg.norm(between, axis=-1)
    unit = between / length[:, None]
    across = np.stack([-unit[:, 1], unit[:, 0]], axis=-1)
    start = _radius_along(radii[own], unit)
    gap = length - start - _radius_along(radii[other], unit)
    close = (gap > 0) & (gap < start)
    own, other, unit, across, start, gap = (
        a[close] for a in (own, other, unit, across, start, gap)
    )
    half = 0.25 * np.minimum(_radius_along(radii[own], across), _radius_along(radii[other], across))
    along = start[:, None] + gap[:, None] * ALONG[None, :]  # (P, 5) mm from own's centre
    offsets = (
        along[:, :, None, None] * unit[:, None, None, :]
        + (half[:, None] * ACROSS[None, :])[:, None, :, None] * across[:, None, None, :]
    )
    return GapSamples(own, other, offsets.astype(np.float32))


def bridged(
    page: TemplatePage,
    centers_px: np.ndarray,
    paper: np.ndarray,
    inked: np.ndarray,
    samples: GapSamples,
    ink_at: float,
) -> np.ndarray:
    """(N,) bool: a marked bubble joined to a close neighbour (marked or blank) by a
    narrow band of ink across the whole middle of the gap between them.

    Parameters
    ----------
    centers_px : (N, 2) float refined bubble centres (x, y), template-space px
    paper : (N,) float the paper's brightness beside each bubble
    inked : (N,) bool bubbles holding a mark
    ink_at : float darkness (relative to the paper) from which a pixel is ink

    The darkness print alone gives a gap (a rule, a letter) is the median over the gaps
    between blank bubbles, and is set aside.
    """
    result = np.zeros(len(inked), bool)
    if not len(samples.own):
        return result
    marked = inked[samples.own]
    blank = ~inked[samples.own] & ~inked[samples.other]
    chosen = marked | blank
    if not marked.any():
        return result
    own = samples.own[chosen]
    points = centers_px[own][:, None, None, :] + samples.offsets_mm[chosen] * page.px_per_mm
    values = gather(page.ink, np.zeros((1, 2), np.float32), points)[0]
    darkness = 1.0 - values / paper[own][:, None, None]
    # The weakest step along the gap, at its darkest point across: a stroke inks every
    # step somewhere across, and leaves paper either side of it at every step, where
    # two fills run over into the gap ink it edge to edge beside their own bubble.
    strength = darkness.max(axis=-1).min(axis=-1)
    sides = np.maximum(darkness[..., 0], darkness[..., -1]).max(axis=-1)
    printed = float(np.median(strength[blank[chosen]])) if blank.any() else 0.0
    edges = float(np.median(sides[blank[chosen]])) if blank.any() else 0.0
    stroke = (strength - printed >= ink_at) & (sides - edges < ink_at)
    joined = stroke[marked[chosen]]
    result[samples.own[marked][joined]] = True
    return result
