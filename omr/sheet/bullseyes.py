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
from functools import cache

import cv2
import numpy as np

# The printed bullseye: discs from its edge inwards, dark, paper, dark, paper, dark.
RADII = (1.0, 0.8, 0.6, 0.4, 0.2)
# Rays from the centre, every 22.5°: enough that a rule or a word touching the mark
# spoils a few.
RAYS = 16
# Dot, paper, ring, paper, ring: five runs from the centre; the fifth ends at the edge.
EDGES = 5
# Most directions show the pattern (a rule or a word may touch the mark in a few), and
# agree on the mark's radius to 15 %: under the 20 % between two of its edges (RADII),
# so a ray that gained or lost an edge disagrees.
MIN_RAY_SHARE, RADIUS_SPREAD = 0.75, 0.15
# Five edges along a 6 px radius lie 1.2 px apart, the closest a scan still resolves.
MIN_DIAMETER_PX = 12
# A mark is at most a fifth of the page's short side across.
MAX_DIAMETER_SHARE = 0.2
# Print is darker than half the paper under it (half-way between a mark's dark middle,
# under a tenth of the paper's light, and the paper: where its edge lies); the paper is
# the page closed by a square of a twentieth of its long side (wider than any mark's
# dark parts).
PRINT_SHARE, PAPER_SHARE = 0.5, 20


@dataclass(frozen=True)
class Ring:
    """A bullseye found: its centre (x, y) and its outer diameter, in image px."""

    centre: tuple[float, float]
    diameter: float


def _paper(gray: np.ndarray) -> np.ndarray:
    """The page's paper around every pixel: print closed over by a window of 1/20 of the
    page (``PAPER_SHARE``)."""
    side = max(3, max(gray.shape) // PAPER_SHARE | 1)
    return cv2.morphologyEx(
        gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    )


def _print(gray: np.ndarray, share: float, paper: np.ndarray | None = None) -> np.ndarray:
    """255 where the page is darker than ``share`` of its paper (:func:`_paper`, unless
    given)."""
    paper = _paper(gray) if paper is None else paper
    return cv2.compare(gray.astype(np.float32), paper.astype(np.float32) * share, cv2.CMP_LT)


# A round blob: its box at most half again as long as wide (a pixel of rounding), and
# solid: a disc fills π/4 of its box, a blurred or slightly torn one half of it at least.
DOT_ELONGATION_MAX, DOT_SOLIDITY_MIN = 1.5, 0.5


def _dots(mask: np.ndarray, largest: float) -> np.ndarray:
    """Centres (N, 2) of the small, round, solid blobs of print."""
    count, _, stats, centres = cv2.connectedComponentsWithStats(mask, connectivity=8)
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    round_ = (np.maximum(w, h) <= DOT_ELONGATION_MAX * np.minimum(w, h) + 1) & (
        area >= DOT_SOLIDITY_MIN * w * h
    )
    return centres[1:][round_ & (np.maximum(w, h) <= largest)]


def find_rings(gray: np.ndarray, print_share: float = PRINT_SHARE) -> list[Ring]:
    """The bullseyes of a page (a (H, W) uint8 image), largest first; print is what is
    darker than ``print_share`` of the paper (more, for rings printed light or blurred)."""
    mask = _print(gray, print_share) > 0
    reach = int(min(gray.shape) * MAX_DIAMETER_SHARE / 2)
    # The centre dot spans RADII[-1] of the mark's radius either side: of the largest
    # mark looked for, 2 × RADII[-1] × reach across.
    centres = _dots(mask.astype(np.uint8), 2 * RADII[-1] * reach)
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


# A bullseye a photo blurs (the camera moved, or the page lies out of focus) merges its
# rings where the blur runs along them: no ray from its centre crosses all five edges,
# and its middle dot may join the first ring. Seen a little paler (BLURRED_PRINT_SHARE
# of the paper), such a mark is one solid, elliptical blob; the blob's pixels are then
# compared with a bullseye drawn blurred: a Pearson correlation over the blob, against
# each of the models (:func:`_models`) drawn once at MODEL_DIAMETER_PX, the blob resampled so that
# the mark's diameter (its blob's short side, long side, or their mean: a blob is made
# long by a blur along it, or by a steep view across it) spans the model's.
BLURRED_PRINT_SHARE = 0.8
# The models are drawn 40 px across: rings a tenth of it wide, 4 px, which the widest
# blur drawn (30 %: 12 px) smears along one direction only.
MODEL_DIAMETER_PX = 40
# The models' window: a tenth of the diameter of paper on each side of the ring.
MODEL_MARGIN = 1.2
# Blurs drawn: along each of 8 directions, 22.5° apart as the rays (a smear's direction
# is a line's, met within 11°), 10–30 % of the mark's diameter (a 2 mm smear of an 8 mm
# mark: past that the rings are gone along half the directions).
BLUR_DIRECTIONS, BLUR_SHARES = 8, (0.1, 0.2, 0.3)
# A blurred mark matches its model to 0.72–0.89 (four bullseyes on a phone photo, one
# smeared 3 mm), a bubble with a letter inside to 0.61 at most, a filled bubble hardly
# (its blob is one tone): a blurred mark is a candidate from MIN_BLURRED_MATCH, and the
# layout decides (the marks' places and sizes must agree on one similarity).
MIN_BLURRED_MATCH = 0.7
# A blob of print is a candidate when it fills its ellipse of inertia (0.85–1.15 of its
# area: a disc, however blurred; half a pixel on the radius of the smallest mark, 6 px,
# moves its area by 17 %), is at most three times as long as wide (a disc seen 70° off
# the page, cos 70° ≈ 1/3: far past a blur's 1.3 and the steepest photo read, 40° off,
# short of a rule's or a word's run), and is a mark's size (MIN_DIAMETER_PX,
# MAX_DIAMETER_SHARE).
MAX_BLURRED_ELONGATION = 3.0
ELLIPSE_FILL = (0.85, 1.15)


def _drawn(diameter: float, size: int, blur: float = 0.0, angle: float = 0.0) -> np.ndarray:
    """A bullseye's ink (1 print, 0 paper) of ``diameter`` px, centred in a ``size`` px
    square, smeared over ``blur`` px along ``angle`` (radians) when given: float32."""
    centre = (size - 1) / 2
    ys, xs = np.mgrid[:size, :size].astype(np.float64) - centre
    radius = np.hypot(xs, ys) / (diameter / 2)
    ink = np.zeros((size, size), np.float32)
    for index, (outer, inner) in enumerate(zip(RADII, (*RADII[1:], 0.0), strict=True)):
        if index % 2 == 0:
            ink[(radius <= outer) & (radius > inner)] = 1.0
    if blur < 1:
        return ink
    length = int(round(blur)) | 1
    line = np.zeros((length, length), np.float32)
    line[length // 2, :] = 1.0
    turn = cv2.getRotationMatrix2D((length // 2, length // 2), -np.degrees(angle), 1.0)
    line = cv2.warpAffine(line, turn, (length, length))
    return cv2.filter2D(ink, -1, line / line.sum())


@cache
def _models() -> tuple[np.ndarray, int]:
    """The blurred bullseyes a blob is compared with, (M, size²), and their side; drawn
    at first use, not on import: OpenCV work in a process that forks readers (the
    station's fork server imports the reader) starts threads the forked reader would
    wait on forever."""
    size = int(MODEL_DIAMETER_PX * MODEL_MARGIN) | 1
    models = [_drawn(MODEL_DIAMETER_PX, size)]
    for share in BLUR_SHARES:
        for direction in range(BLUR_DIRECTIONS):
            angle = direction * np.pi / BLUR_DIRECTIONS
            models.append(_drawn(MODEL_DIAMETER_PX, size, share * MODEL_DIAMETER_PX, angle))
    return np.stack(models).reshape(len(models), -1), size


def _ellipse(blob: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """A blob's (0/1 uint8, holes filled) centre x, y, long and short axes, the long
    axis's angle (radians) and how much of its ellipse of inertia it fills."""
    moments = cv2.moments(blob, binaryImage=True)
    area = moments["m00"]
    mu20, mu02, mu11 = (moments[k] / area for k in ("mu20", "mu02", "mu11"))
    half = np.hypot((mu20 - mu02) / 2, mu11)
    major = 4 * np.sqrt((mu20 + mu02) / 2 + half)
    minor = 4 * np.sqrt(max((mu20 + mu02) / 2 - half, 1e-9))
    angle = 0.5 * np.arctan2(2 * mu11, mu20 - mu02)
    fill = area / (np.pi / 4 * major * minor)
    return moments["m10"] / area, moments["m01"] / area, major, minor, angle, fill


def _blurred_match(
    darkness: np.ndarray, centre: tuple[float, float], axes: tuple[float, float], angle: float
) -> tuple[float, float]:
    """How well (Pearson correlation, best of every model and diameter) the blob of
    ``axes`` (long, short) px about ``centre`` in ``darkness`` matches a blurred bullseye,
    and the diameter (px) of the best."""
    major, minor = axes
    all_models, model_size = _models()
    half = (model_size - 1) / 2
    ys, xs = np.mgrid[:model_size, :model_size] - half
    along = xs * np.cos(angle) + ys * np.sin(angle)
    across = -xs * np.sin(angle) + ys * np.cos(angle)
    best = (-1.0, minor)
    for diameter in (minor, (minor + major) / 2, major):
        zoom = MODEL_DIAMETER_PX / diameter
        inside = (
            (along / (major * zoom / 2)) ** 2 + (across / (minor * zoom / 2)) ** 2 <= 1
        ).ravel()
        to_window = np.array(
            [[1 / zoom, 0, centre[0] - half / zoom], [0, 1 / zoom, centre[1] - half / zoom]]
        )
        window = cv2.warpAffine(
            darkness,
            to_window,
            (model_size, model_size),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        ).ravel()[inside]
        models = all_models[:, inside]
        window = window - window.mean()
        models = models - models.mean(axis=1, keepdims=True)
        spread = np.linalg.norm(window) * np.linalg.norm(models, axis=1)
        if not spread.all():
            continue
        match = float((models @ window / spread).max())
        if match > best[0]:
            best = (match, diameter)
    return best


def find_blurred_rings(gray: np.ndarray, print_share: float = BLURRED_PRINT_SHARE) -> list[Ring]:
    """The bullseyes of a page that a photo blurred (see :data:`BLURRED_PRINT_SHARE`),
    largest first: each blob of print of a mark's size that fills its ellipse and
    matches a blurred bullseye from ``MIN_BLURRED_MATCH``, its diameter the model's."""
    paper = _paper(gray)
    mask = _print(gray, print_share, paper)
    darkness = 1 - gray.astype(np.float32) / np.maximum(paper.astype(np.float32), 1.0)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    reach = min(gray.shape) * MAX_DIAMETER_SHARE
    rings: list[Ring] = []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        long_, short = max(w, h), min(w, h)
        if short < MIN_DIAMETER_PX or long_ > reach or long_ > MAX_BLURRED_ELONGATION * short:
            continue
        blob = (labels[y : y + h, x : x + w] == label).astype(np.uint8)
        outside = cv2.copyMakeBorder(blob, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        cv2.floodFill(outside, None, (0, 0), 1)
        blob |= 1 - outside[1:-1, 1:-1]
        cx, cy, major, minor, angle, fill = _ellipse(blob)
        if not ELLIPSE_FILL[0] <= fill <= ELLIPSE_FILL[1] or minor < MIN_DIAMETER_PX:
            continue
        if major > MAX_BLURRED_ELONGATION * minor:
            continue
        match, diameter = _blurred_match(darkness, (x + cx, y + cy), (major, minor), angle)
        if match >= MIN_BLURRED_MATCH:
            rings.append(Ring((float(x + cx), float(y + cy)), float(diameter)))
    return sorted(rings, key=lambda ring: -ring.diameter)
