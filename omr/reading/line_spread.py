"""The scan's line spread: how far it blurs a printed edge, measured across the sides of
the page's ArUco markers (black squares in a white quiet zone). A soft scanner, or a
photo a little out of focus, spreads a pen's thin line as it does those edges, and the
level a single stroke is looked for at follows what the line keeps
(:func:`omr.reading.marks.levels.kept_by_spread`).
"""

from __future__ import annotations

import cv2
import numpy as np

from omr.reading.template_space import TemplatePage
from omr.sheet.template import ArucoRegistration, Registration

# Each side of each marker is looked across at five places along its middle (away from
# its corners), from 1.2 mm inside (a marker's black border is a sixth of it: 2 mm of a
# 12 mm marker) to 1.2 mm out (its quiet zone is 3 mm), 0.02 mm apart; each end's level
# is the median of its outer 0.3 mm.
ALONG_SIDE = (0.3, 0.4, 0.5, 0.6, 0.7)
ACROSS_MM, STEP_MM, END_MM = 1.2, 0.02, 0.3
# A side whose ends differ by less than a quarter of the scale is no clean edge (a torn
# marker, a shadow, a mark drawn over it) and is not asked.
MIN_CONTRAST = 64
# A Gaussian spread of σ rises from 10 % to 90 % of an edge over 2.563 σ.
RISE_PER_SIGMA = 2.563


def line_spread_mm(page: TemplatePage, registration: Registration) -> float:
    """σ (mm) of the scan's blur of the printed page: the median, over every clean
    profile across a marker's side, of its 10–90 % rise over ``RISE_PER_SIGMA``; 0 where
    the template registers on no ArUco markers, or none shows a clean edge."""
    if not isinstance(registration, ArucoRegistration):
        return 0.0
    across = np.arange(-ACROSS_MM, ACROSS_MM + STEP_MM / 2, STEP_MM)
    sides = [
        side
        for marker in registration.markers
        for side in _sides(marker.origin_mm, registration.size_mm)
    ]
    bases = np.concatenate([base for base, _ in sides])  # (K, 2) mm
    outward = np.concatenate([np.repeat(unit[None], len(base), 0) for base, unit in sides])
    points = (bases[:, None, :] + across[None, :, None] * outward[:, None, :]) * page.px_per_mm
    source = page.source_points(points).astype(np.float32)  # (K, S, 2) scan px
    height, width = page.scan.ink.shape
    within = (source >= 1).all(axis=(1, 2))
    within &= (source[..., 0] <= width - 2).all(axis=1) & (source[..., 1] <= height - 2).all(axis=1)
    if not within.any():
        return 0.0
    source = source[within]
    profiles = cv2.remap(page.scan.ink, source[..., 0], source[..., 1], cv2.INTER_LINEAR)
    rises = _rises(profiles.astype(np.float64), across)
    return float(np.median(rises)) / RISE_PER_SIGMA if rises.size else 0.0


def _sides(origin_mm: tuple[float, float], size_mm: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """(K, 2) points along the middle of each side of a marker (mm), with the side's
    outward unit."""
    x, y = origin_mm
    along = np.asarray(ALONG_SIDE)[:, None] * size_mm
    return [
        (np.c_[x + along, np.full_like(along, y)], np.array([0.0, -1.0])),
        (np.c_[x + along, np.full_like(along, y + size_mm)], np.array([0.0, 1.0])),
        (np.c_[np.full_like(along, x), y + along], np.array([-1.0, 0.0])),
        (np.c_[np.full_like(along, x + size_mm), y + along], np.array([1.0, 0.0])),
    ]


def _rises(profiles: np.ndarray, across: np.ndarray) -> np.ndarray:
    """(K',) the 10–90 % rise (mm) of each clean one of ``profiles`` (K, S), each going
    out from a marker's black border to its quiet zone over ``across`` (S,) mm."""
    end = int(round(END_MM / STEP_MM))
    dark = np.median(profiles[:, :end], axis=1, keepdims=True)
    light = np.median(profiles[:, -end:], axis=1, keepdims=True)
    clean = (light - dark)[:, 0] >= MIN_CONTRAST
    level = (profiles[clean] - dark[clean]) / (light[clean] - dark[clean])
    return _crossing(level, across, 0.9) - _crossing(level, across, 0.1)


def _crossing(level: np.ndarray, across: np.ndarray, share: float) -> np.ndarray:
    """(K,) where each row of ``level`` (K, S) first reaches ``share`` going out,
    interpolated (mm)."""
    index = np.maximum(np.argmax(level >= share, axis=1), 1)
    rows = np.arange(len(level))
    low, high = level[rows, index - 1], level[rows, index]
    step = np.where(high > low, (share - low) / np.where(high > low, high - low, 1.0), 1.0)
    return across[index - 1] + step * (across[index] - across[index - 1])
