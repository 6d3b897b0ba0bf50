"""Printed bubble outlines matched on an image: a zero-sum ring filter and its peaks.

The filter weighs the outline band (``RING_BAND_MM`` wide, a thin hairline blurred into
it) against the bubble's inside (to ``INSIDE_RADII``) and its outside (``OUTSIDE_RADII``),
so shadows, tints and fills score little. The reader refines registrations with it
(:mod:`omr.reading.registration.outlines`); ``from-omrchecker`` fits bubble blocks to
the outlines of a scan with it (:mod:`omr.forms.fit_blocks`).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from omr.sheet.bubble_outline import squared_extent

# The band: a printed hairline (0.1–0.3 mm) and a pixel or two of blur either side; the
# inside stops short of that blur, the outside starts past it and ends where the next
# bubble's outline begins on a 1 mm gap (1.55 radii of a 2 mm half-width: 3.1 mm out,
# that outline's line from 3.0 mm, its weight a sliver of the outside's).
RING_BAND_MM, INSIDE_RADII, OUTSIDE_RADII = 0.5, 0.6, (1.25, 1.55)
# How much a bubble's inside counts against its outline: half, where the inside is paper;
# nothing, where the form prints a label inside every bubble (or may: a form described
# from another tool's layout).
UNLABELLED_INSIDE, LABELLED_INSIDE = 0.5, 0.0


@cache
def ring_kernel(
    width_mm: float, height_mm: float, px_per_mm: float, inside: float, box: bool = False
) -> np.ndarray:
    """The zero-sum ring filter of a bubble size: (k, k) float32 at ``px_per_mm``; the
    inside counts against the outline by ``inside``, the outside by the rest (with
    ``inside`` 0, a letter printed inside the bubble or a fill changes nothing). The
    outline is an ellipse's, or a ``box``'s (its band, inside and outside squares)."""
    rx, ry = width_mm / 2 * px_per_mm, height_mm / 2 * px_per_mm
    half = int(np.ceil(max(rx, ry) * OUTSIDE_RADII[1])) + 1
    ys, xs = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float32)
    if box:  # 1 on the outline
        radius = np.sqrt(squared_extent(np.stack([xs / rx, ys / ry], axis=-1), True))
    else:
        radius = np.hypot(xs / rx, ys / ry)
    band = RING_BAND_MM * px_per_mm / 2 / min(rx, ry)
    parts = [
        np.abs(radius - 1) <= band,
        radius <= INSIDE_RADII,
        (radius >= OUTSIDE_RADII[0]) & (radius <= OUTSIDE_RADII[1]),
    ]
    kernel = parts[0] / parts[0].sum() - inside * parts[1] / parts[1].sum()
    kernel -= (1 - inside) * parts[2] / parts[2].sum()
    kernel = kernel.astype(np.float32)
    kernel.setflags(write=False)
    return kernel


def best_matches(response: np.ndarray, at: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray]:
    """The best match within ``reach`` px of each point ``at`` (n, 2) (x, y) px: its
    sub-pixel offset (n, 2) and its value (n,); an offset at the search's edge is NaN."""
    span = np.arange(-reach, reach + 1)
    dy, dx = np.meshgrid(span, span, indexing="ij")
    xs = np.clip(at[:, 0, None] + dx.ravel(), 1, response.shape[1] - 2)
    ys = np.clip(at[:, 1, None] + dy.ravel(), 1, response.shape[0] - 2)
    values = response[ys, xs]  # (n, S)
    best = values.argmax(axis=1)
    rows = np.arange(len(at))
    x, y = xs[rows, best], ys[rows, best]

    def vertex(before: np.ndarray, centre: np.ndarray, after: np.ndarray) -> np.ndarray:
        curve = before - 2 * centre + after
        safe = np.where(curve < 0, curve, -1.0)
        return np.where(curve < 0, 0.5 * (before - after) / safe, 0.0)

    here = response[y, x]
    offset = np.stack(
        [
            dx.ravel()[best] + vertex(response[y, x - 1], here, response[y, x + 1]),
            dy.ravel()[best] + vertex(response[y - 1, x], here, response[y + 1, x]),
        ],
        axis=1,
    )
    edge = (np.abs(dx.ravel()[best]) == reach) | (np.abs(dy.ravel()[best]) == reach)
    offset[edge] = np.nan
    return offset, values[rows, best]
