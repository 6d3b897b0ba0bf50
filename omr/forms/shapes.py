"""Printed shapes on a rendered blank form: outlined bubbles, solid blocks, L-shaped
corner marks, timing tracks, bullseyes and filled discs.

A bubble is an outline around a hole: a circle, an ellipse, a rounded box or a box with
sharp corners, whatever is printed inside its hole (a letter or a digit is another
shape). A block is solid ink filling its minimum-area rectangle. Everything is in mm from
the page's top-left.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import cv2
import numpy as np

from omr.sheet.bullseyes import find_rings
from omr.sheet.corner_marks import is_l
from omr.sheet.discs import is_disc
from omr.sheet.timing_tracks import find_tracks

# Print is what is darker than this (of 255): a black or grey outline antialiased over a
# pixel, a drop-out red outline in the green channel (about 40).
PRINT_BELOW = 200
# A bubble's outer size, in mm: from a small digit circle to a large answer box.
BUBBLE_MM = (1.5, 12.0)
# An outline is thin: its hole spans 0.7 of its outer width and height or more (a bubble's
# ring is a tenth of its size or less; a letter's bowl, "O" or "D", a fifth or more).
MIN_HOLE_SHARE = 0.7
# A rectangle fills its box (a cell to write in); a rounded box with a corner radius of
# a fifth of its side fills 0.97 of it, an ellipse 0.79.
MAX_BUBBLE_FILL = 0.97
# Bubbles are boxes (sharp corners, or rounded by less than an eighth of their short side)
# when they fill this share of their box or more: read as boxes (``shape: box``), since a
# fill's corners left out of an ellipse would look like an X's arms; rounder ones are
# read as ellipses, their corners inside a fill's overshoot.
SQUARE_FILL = 0.985
# A solid block: at least 2.5 mm on its short side (a full stop, a bold letter's stem
# and a table's rule are thinner) and filling 0.9 of its minimum-area rectangle.
BLOCK_MIN_MM, BLOCK_MAX_MM, BLOCK_FILL = 2.5, 80.0, 0.9
# A timing track's bar: a solid rectangle from 0.8 mm on its short side (thicker than a
# bold letter's stem) to 20 mm on its long one, in a track (omr.sheet.timing_tracks).
BAR_MM = (0.8, 20.0)
# Bubbles of one size agree on it to a quarter of a millimetre; a size is a bubble size
# when this many bubbles or more share it.
SIZE_STEP_MM, MIN_BUBBLES_OF_A_SIZE = 0.25, 6


@dataclass(frozen=True)
class Outline:
    """An outlined shape: centre (x, y) and size (width, height) of its centre line, in
    mm; ``fill`` the share of its bounding box it covers (0.79 an ellipse, 1 a box with
    sharp corners, 0.95 one rounded by a fifth of its short side)."""

    centre: tuple[float, float]
    size: tuple[float, float]
    fill: float


@dataclass(frozen=True)
class Block:
    """A solid printed mark in its box (x0, y0, x1, y1) in mm, axis-aligned: a rectangle,
    an L along two of its box's sides (``shape`` ``corner``), a filled disc (``disc``;
    filled answers and examples are discs too: :mod:`omr.forms.from_pdf` keeps those in
    the page's corners), or a timing track of ``bars`` bars of ``bar`` (width, height) mm
    (``shape`` ``track``)."""

    box: tuple[float, float, float, float]
    shape: str = "solid"
    bars: int = 0
    bar: tuple[float, float] = (0.0, 0.0)


def print_mask(image: np.ndarray) -> np.ndarray:
    """(H, W) uint8, 255 where there is print: the darkest channel of each pixel."""
    darkest = image.min(axis=2) if image.ndim == 3 else image
    return np.where(darkest < PRINT_BELOW, 255, 0).astype(np.uint8)


def find_shapes(image: np.ndarray, px_per_mm: float) -> tuple[list[Outline], list[Block]]:
    """The outlined shapes and the solid blocks of a rendered page.

    Parameters
    ----------
    image : (H, W, 3) or (H, W) uint8 ndarray
    px_per_mm : float
    """
    mask = print_mask(image)
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    outlines, blocks, bars = [], [], []
    if hierarchy is None:
        return outlines, blocks
    low, high = (v * px_per_mm for v in BUBBLE_MM)
    for index, (_, _, child, parent) in enumerate(hierarchy[0]):
        if parent != -1:
            continue
        x, y, w, h = cv2.boundingRect(contours[index])
        area = cv2.contourArea(contours[index])
        holes = []
        while child != -1:
            holes.append(cv2.boundingRect(contours[child]))
            child = hierarchy[0][child][0]
        if holes and low <= min(w, h) and max(w, h) <= high:
            hx, hy, hw, hh = max(holes, key=lambda box: box[2] * box[3])
            if min(hw / w, hh / h) >= MIN_HOLE_SHARE and area < MAX_BUBBLE_FILL * w * h:
                centre = ((x + w / 2) / px_per_mm, (y + h / 2) / px_per_mm)
                # Half-way between the outer edge and the hole's: the centre line.
                size = ((w + hw) / 2 / px_per_mm, (h + hh) / 2 / px_per_mm)
                # The contour runs through its edge pixels' centres: a pixel in from the box.
                outlines.append(Outline(centre, size, min(1.0, area / max(1, (w - 1) * (h - 1)))))
                continue
        short, long = min(w, h) / px_per_mm, max(w, h) / px_per_mm
        corners = (x / px_per_mm, y / px_per_mm, (x + w) / px_per_mm, (y + h) / px_per_mm)
        (_, _), (rw, rh), _ = cv2.minAreaRect(contours[index])
        solid = cv2.countNonZero(mask[y : y + h, x : x + w]) >= BLOCK_FILL * w * h
        solid = solid and area >= BLOCK_FILL * rw * rh
        if solid and BAR_MM[0] <= short and long <= BAR_MM[1]:
            bars.append(Block(corners))
        if short >= BLOCK_MIN_MM and long <= BLOCK_MAX_MM:
            if solid:
                blocks.append(Block(corners))
            elif not holes and is_l(contours[index]):
                blocks.append(Block(corners, "corner"))
            elif not holes and is_disc(contours[index], mask):
                blocks.append(Block(corners, "disc"))
    return outlines, with_tracks(blocks, bars) + bullseyes(image, px_per_mm)


def bullseyes(image: np.ndarray, px_per_mm: float) -> list[Block]:
    """The bullseyes (concentric rings round a dot, :mod:`omr.sheet.bullseyes`) of a
    rendered page, each in its square box (``shape`` ``rings``)."""
    gray = image.min(axis=2) if image.ndim == 3 else image
    found = []
    for ring in find_rings(np.ascontiguousarray(gray)):
        x, y = (v / px_per_mm for v in ring.centre)
        half = ring.diameter / px_per_mm / 2
        if 2 * half >= BLOCK_MIN_MM:
            found.append(Block((x - half, y - half, x + half, y + half), "rings"))
    return found


def with_tracks(blocks: list[Block], bars: list[Block]) -> list[Block]:
    """``blocks`` with the timing tracks among ``bars`` (their bars no blocks)."""
    boxes = np.array([bar.box for bar in bars], float).reshape(-1, 4)
    sides = np.stack([boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]], axis=1)
    tracks = find_tracks((boxes[:, :2] + boxes[:, 2:]) / 2, np.sort(sides, axis=1)[:, ::-1])
    in_tracks = {bars[i].box for run, _, _ in tracks for i in run}
    kept = [block for block in blocks if block.box not in in_tracks]
    for run, count, _ in tracks:
        x0, y0 = boxes[run, :2].min(axis=0)
        x1, y1 = boxes[run, 2:].max(axis=0)
        bar = tuple(float(v) for v in np.median(sides[run], axis=0))
        kept.append(Block((x0, y0, x1, y1), "track", count, bar))
    return kept


def bubble_sizes(outlines: list[Outline]) -> list[tuple[float, float]]:
    """The sizes (width, height; mm) shared by enough outlines, most shared first.

    Outlines within ``SIZE_STEP_MM`` of a size share it: the outlines in the most common
    ``SIZE_STEP_MM`` bin and in its neighbours near their median, so that one printed size
    falling on a bin's edge (4.1 mm drawn, 4.08 and 4.13 measured) is not split in two."""
    sizes = np.array([o.size for o in outlines], float).reshape(-1, 2)
    left = np.ones(len(sizes), bool)
    found: list[tuple[float, float]] = []
    for key, _ in Counter(size_key(o.size) for o in outlines).most_common():
        in_bin = left & (np.abs(sizes - np.array(key)) <= SIZE_STEP_MM / 2 + 1e-9).all(axis=1)
        if not in_bin.any():
            continue
        centre = np.median(sizes[in_bin], axis=0)
        members = left & (np.abs(sizes - centre) <= SIZE_STEP_MM / 2).all(axis=1)
        if members.sum() >= MIN_BUBBLES_OF_A_SIZE:
            found.append((float(centre[0]), float(centre[1])))
            left &= ~members
    return found


def of_size(outline: Outline, sizes: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The size among ``sizes`` (:func:`bubble_sizes`) that ``outline`` shares, if any:
    the nearest within ``SIZE_STEP_MM`` / 2."""
    if not sizes:
        return None
    gaps = np.abs(np.array(sizes) - np.array(outline.size)).max(axis=1)
    nearest = int(gaps.argmin())
    return sizes[nearest] if gaps[nearest] <= SIZE_STEP_MM / 2 else None


def size_key(size: tuple[float, float]) -> tuple[float, float]:
    """A size rounded to ``SIZE_STEP_MM``: outlines of one printed size share it."""
    return (
        round(size[0] / SIZE_STEP_MM) * SIZE_STEP_MM,
        round(size[1] / SIZE_STEP_MM) * SIZE_STEP_MM,
    )
