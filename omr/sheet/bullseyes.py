"""Bullseye marks (concentric rings), as OMRChecker's sample forms print at their corners:
how one is printed (:data:`RADII`) and found on an image.

A bullseye is a dark dot inside a dark ring inside another: from its centre, every
direction crosses print, paper, print, paper, print, then paper again, at radii in the
same proportions whichever way one looks. Each small round dot of print is tried as a
centre along ``RAYS`` directions; a table rule or a word touching the mark spoils a few
directions, not most. A filled bubble fails (beyond its fill each direction meets other
print at its own distance), and so does a letter inside a bubble (no dot at its centre).
The search needs no scale: any bullseye from ``MIN_DIAMETER_PX`` across is found.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# The printed bullseye: discs from its edge inwards, dark, paper, dark, paper, dark.
RADII = (1.0, 0.8, 0.6, 0.4, 0.2)
RAYS = 16
# Dot, paper, ring, paper, ring: five runs from the centre; the fifth ends at the edge.
EDGES = 5
# Most directions show the pattern (a rule or a word may touch the mark in a few), and
# agree on the mark's radius to 15 %.
MIN_RAY_SHARE, RADIUS_SPREAD = 0.75, 0.15
MIN_DIAMETER_PX = 12
# A mark is at most a fifth of the page's short side across.
MAX_DIAMETER_SHARE = 0.2
# Print is darker than half the paper under it; the paper is the page closed by a
# square of a twentieth of its long side (wider than any mark's dark parts).
PRINT_SHARE, PAPER_SHARE = 0.5, 20


@dataclass(frozen=True)
class Ring:
    """A bullseye found: its centre (x, y) and its outer diameter, in image px."""

    centre: tuple[float, float]
    diameter: float


def _print(gray: np.ndarray, share: float) -> np.ndarray:
    """255 where the page is darker than ``share`` of its paper."""
    side = max(3, max(gray.shape) // PAPER_SHARE | 1)
    paper = cv2.morphologyEx(
        gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    )
    return cv2.compare(gray.astype(np.float32), paper.astype(np.float32) * share, cv2.CMP_LT)


def _dots(mask: np.ndarray, largest: float) -> np.ndarray:
    """Centres (N, 2) of the small, round, solid blobs of print."""
    count, _, stats, centres = cv2.connectedComponentsWithStats(mask, connectivity=8)
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    round_ = (np.maximum(w, h) <= 1.5 * np.minimum(w, h) + 1) & (area >= 0.5 * w * h)
    return centres[1:][round_ & (np.maximum(w, h) <= largest)]


def find_rings(gray: np.ndarray, print_share: float = PRINT_SHARE) -> list[Ring]:
    """The bullseyes of a page (a (H, W) uint8 image), largest first; print is what is
    darker than ``print_share`` of the paper (more, for rings printed light or blurred)."""
    mask = _print(gray, print_share) > 0
    reach = int(min(gray.shape) * MAX_DIAMETER_SHARE / 2)
    centres = _dots(mask.astype(np.uint8), reach / 3)
    if not len(centres):
        return []
    angles = np.linspace(0, 2 * np.pi, RAYS, endpoint=False)
    radii = np.arange(reach)
    xs = centres[:, None, None, 0] + np.cos(angles)[None, :, None] * radii
    ys = centres[:, None, None, 1] + np.sin(angles)[None, :, None] * radii
    inside = (xs >= 0) & (ys >= 0) & (xs < gray.shape[1] - 0.5) & (ys < gray.shape[0] - 0.5)
    dark = np.where(
        inside,
        mask[
            np.clip(np.rint(ys), 0, gray.shape[0] - 1).astype(int),
            np.clip(np.rint(xs), 0, gray.shape[1] - 1).astype(int),
        ],
        False,
    )
    edges = np.cumsum(dark[:, :, 1:] != dark[:, :, :-1], axis=2)
    starts_dark = dark[:, :, 0]
    has_edges = starts_dark & (edges[:, :, -1] >= EDGES)
    outer = np.argmax(edges >= EDGES, axis=2).astype(float) + 1
    rings: list[Ring] = []
    for n in np.flatnonzero(has_edges.mean(axis=1) >= MIN_RAY_SHARE):
        radius = np.median(outer[n][has_edges[n]])
        agree = np.abs(outer[n][has_edges[n]] / radius - 1) <= RADIUS_SPREAD
        if 2 * radius < MIN_DIAMETER_PX or agree.sum() < MIN_RAY_SHARE * RAYS:
            continue
        centre = (float(centres[n, 0]), float(centres[n, 1]))
        if not any(np.hypot(*np.subtract(centre, r.centre)) < r.diameter / 2 for r in rings):
            rings.append(Ring(centre, float(2 * radius)))
    return sorted(rings, key=lambda ring: -ring.diameter)
