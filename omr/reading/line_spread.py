"""The scan's line spread: how far it blurs a printed edge, measured across the sides of
the page's registration marks: its ArUco markers (black squares in a white quiet zone),
or the solid blocks a form printed by others registers on. A soft scanner, or a photo a
little out of focus, spreads a pen's thin line as it does those edges, and the level a
single stroke is looked for at follows what the line keeps
(:func:`omr.reading.marks.levels.kept_by_spread`).
"""

from __future__ import annotations

import cv2
import numpy as np

from omr.reading.template_space import TemplatePage
from omr.sheet.template import ArucoRegistration, Registration

# Each side of each mark found is looked across at four places along its middle (a 4 × 4
# marker's four inner modules' middles: a marker is six modules across, its border one
# module all round), 0.02 mm apart; each end's level is the median of its outer 0.3 mm.
# A marker's profile runs from the middle of its black border (its inner modules, black
# or white, a module's half away on the other side) out to its quiet zone's far part
# (short of its edge by 0.1 mm). A 12 mm marker's 2 mm border and 3 mm quiet zone tell a
# σ up to about 0.5 mm (its dark end then two of them from either edge of the border).
MARKER_MODULES = 6
ALONG_SIDE = (1.5 / 6, 2.5 / 6, 3.5 / 6, 4.5 / 6)
STEP_MM, END_MM, SHORT_OF_EDGE_MM = 0.02, 0.3, 0.1
# A solid block's profile runs 1.5 mm into it (at most half its narrower side in) and
# 1.5 mm out into the paper round it: a σ of 0.5 mm rises to 90 % 0.64 mm from the edge
# and to 99 % by 1.2 mm, where the light end's level is read. A registration mark stands
# clear of print by that much; a profile that meets print there shows no clean edge, or
# a rise the median sets aside.
BLOCK_DEPTH_MM, BLOCK_CLEAR_MM = 1.5, 1.5
# A mark is found where one of its corners is among the corners the page registered on.
FOUND_WITHIN_MM = 0.5
# A window under a millimetre on either side of the edge holds too little of a blur's
# rise to tell it: a quiet zone that narrow, a block under 2 mm across, a marker under
# 10.2 mm (its border's middle 1 mm in) are not looked across.
WINDOW_MIN_MM = 1.0
# A side whose ends differ by less than a quarter of the scale is no clean edge (a torn
# mark, a shadow, a mark drawn over it) and is not asked.
MIN_CONTRAST = 64
# A Gaussian spread of σ rises from 10 % to 90 % of an edge over 2.563 σ.
RISE_PER_SIGMA = 2.563


def line_spread_mm(page: TemplatePage, marks: Registration, found_mm: np.ndarray) -> float:
    """σ (mm) of the scan's blur of the printed page: the median, over every clean
    profile across a side of a registration mark found (one of whose corners is among
    ``found_mm``, (M, 2) the template mm the page registered on), of its 10–90 % rise
    over ``RISE_PER_SIGMA``. The template's ``marks``: its ArUco markers, or its solid
    blocks (bullseyes, discs, corners and tracks are not looked across). 0 where no mark
    wide enough to hold a window (``WINDOW_MIN_MM``) was found, where every profile
    falls off the scan, or none shows a clean edge."""
    rectangles, outside = _solid_marks(marks)
    found = [
        (origin, size, depth)
        for origin, size, depth in rectangles
        if depth >= WINDOW_MIN_MM and _is_found(origin, size, found_mm)
    ]
    if outside < WINDOW_MIN_MM or not found:
        return 0.0
    inside = min(depth for _, _, depth in found)
    across = np.arange(-inside, outside + STEP_MM / 2, STEP_MM)
    sides = [side for origin, size, _ in found for side in _sides(origin, size)]
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


def _solid_marks(marks: Registration) -> tuple[list[tuple[np.ndarray, np.ndarray, float]], float]:
    """The template's solid marks, each its origin and (width, height) mm and how far a
    profile may run into it (mm), with how far one runs out of them."""
    if isinstance(marks, ArucoRegistration):
        size = np.array([marks.size_mm, marks.size_mm])
        depth = marks.size_mm / MARKER_MODULES / 2 + END_MM / 2
        squares = [(np.asarray(marker.origin_mm, float), size, depth) for marker in marks.markers]
        return squares, marks.quiet_zone_mm - SHORT_OF_EDGE_MM
    blocks = [
        (
            np.asarray(block.origin_mm, float),
            np.asarray(block.size_mm, float),
            min(BLOCK_DEPTH_MM, min(block.size_mm) / 2),
        )
        for block in marks.blocks
        if block.shape == "solid"
    ]
    return blocks, BLOCK_CLEAR_MM


def _is_found(origin: np.ndarray, size: np.ndarray, found_mm: np.ndarray) -> bool:
    """Whether one of the rectangle's corners lies among ``found_mm`` (M, 2)."""
    corners = origin + np.array([[0, 0], [1, 0], [1, 1], [0, 1]]) * size
    if not len(found_mm):
        return False
    distances = np.linalg.norm(np.asarray(found_mm)[:, None] - corners[None], axis=2)
    return bool((distances <= FOUND_WITHIN_MM).any())


def _sides(origin: np.ndarray, size: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(K, 2) points along the middle of each side of a rectangle (mm), with the side's
    outward unit."""
    (x, y), (width, height) = origin, size
    along_x = np.asarray(ALONG_SIDE)[:, None] * width
    along_y = np.asarray(ALONG_SIDE)[:, None] * height
    return [
        (np.c_[x + along_x, np.full_like(along_x, y)], np.array([0.0, -1.0])),
        (np.c_[x + along_x, np.full_like(along_x, y + height)], np.array([0.0, 1.0])),
        (np.c_[np.full_like(along_y, x), y + along_y], np.array([-1.0, 0.0])),
        (np.c_[np.full_like(along_y, x + width), y + along_y], np.array([1.0, 0.0])),
    ]


def _rises(profiles: np.ndarray, across: np.ndarray) -> np.ndarray:
    """(K',) the 10–90 % rise (mm) of each clean one of ``profiles`` (K, S), each going
    out from inside a mark (a marker's black border, a block) to the paper round it over
    ``across`` (S,) mm: from the last sample under 10 % before the first at 90 % (the
    dark end may brighten towards a marker's white inner module under a wide blur) to
    that one, interpolated."""
    end = int(round(END_MM / STEP_MM))
    dark = np.median(profiles[:, :end], axis=1, keepdims=True)
    light = np.median(profiles[:, -end:], axis=1, keepdims=True)
    clean = (light - dark)[:, 0] >= MIN_CONTRAST
    level = (profiles[clean] - dark[clean]) / (light[clean] - dark[clean])
    rows = np.arange(len(level))
    high = np.maximum(np.argmax(level >= 0.9, axis=1), 1)
    samples = np.arange(level.shape[1])
    under = (level < 0.1) & (samples[None] < high[:, None])
    low = np.where(under.any(axis=1), level.shape[1] - 1 - np.argmax(under[:, ::-1], axis=1), 0)
    return _at(level, across, rows, high - 1, 0.9) - _at(level, across, rows, low, 0.1)


def _at(
    level: np.ndarray, across: np.ndarray, rows: np.ndarray, index: np.ndarray, share: float
) -> np.ndarray:
    """(K,) where ``level`` (K, S) crosses ``share`` between samples ``index`` and the
    next, interpolated (mm)."""
    index = np.minimum(index, level.shape[1] - 2)
    a, b = level[rows, index], level[rows, index + 1]
    step = np.clip(np.where(b != a, (share - a) / np.where(b != a, b - a, 1.0), 0.0), 0.0, 1.0)
    return across[index] + step * (across[index + 1] - across[index])
