"""Registration on solid printed blocks (forms printed by others, e.g. the national form).

The page is halved down to a detection copy and compared with its paper (the copy with
its print closed away), so that shadows and uneven light cancel. Dark blobs with a
rectangular outline are then measured on the full-resolution image, each in a small
window; those that are solid rectangles are the candidates. Every pair of candidates,
matched to every pair of template blocks, proposes a similarity transform (any rotation
and scale); the proposal that puts the most template blocks on candidates of their
shape wins, and the matched blocks' corners give the homography. When the blocks look
the same turned by 180°, the template's ``orientation_boxes`` (printed text facing blank
paper), seen through that homography, decide the turn.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import astuple, dataclass
from functools import cache

import cv2
import numpy as np

from omr.reading.channels import ScanChannels
from omr.reading.registration.bending import bend_on_outlines, may_bend
from omr.reading.registration.fit import (
    MAX_REPROJECTION_ERROR_MM,
    Model,
    PageRegistration,
    fit_homography,
    registration_from_marks,
)
from omr.reading.registration.outlines import byte_percentile, refine_on_outlines
from omr.reading.template_space import per_template
from omr.sheet.bullseyes import (
    BLURRED_PRINT_SHARE,
    PRINT_SHARE,
    Ring,
    find_blurred_rings,
    find_rings,
)
from omr.sheet.corner_marks import is_l
from omr.sheet.discs import DISC_FILL, is_disc
from omr.sheet.template import MIN_REGISTRATION_BLOCKS, BlockRegistration, Box, SheetTemplate
from omr.sheet.timing_tracks import find_tracks
from omr.vocabulary.reasons import Problem, Reason

# A filled rectangle covers all of its minimum-area box, an ellipse (a candidate's
# filled answer) only π/4 ≈ 0.79 of it: 0.9 keeps rectangles with blurred corners.
MIN_RECTANGULARITY = 0.9
# On the detection copy the pixel grid blurs that difference for blobs under 12 px wide:
# there the convex hull of a block turned 0–45° fills 0.88 of its minimum-area box or
# more, a filled ellipse up to 0.93; from 12 px, blocks 0.94 or more, ellipses 0.89 or
# less (measured on the 2025 form rendered at 150–300 dpi). Narrow blobs filling 0.85,
# wider ones MIN_RECTANGULARITY, are measured at full resolution, where it decides; a
# blob still narrow there (a 2 mm square on a 104 dpi phone photo: 7–8 px) is held to 0.85 there
# too, for one pixel of blur past an edge costs it a tenth of its box: its size, and
# the fit's agreement with the other marks and the printed outlines, decide.
NARROW_BLOB_PX, MIN_NARROW_OUTLINE = 12, 0.85
# Printing, scanning and thresholding change a block's measured size by well under 25%.
SIZE_TOLERANCE = 0.25
# A proposal's predicted block centre may be this far off (skew, mild perspective); the
# national form's blocks are at least 40 mm apart, so no block is taken for another.
MATCH_TOLERANCE_MM = 8.0
# A photo taken at a steep angle puts a corner farther than that from where a similarity
# of the other marks places it (9 mm on a phone photo of an A4 page seen 40° off). When
# three or more are placed, a block left over takes the one candidate of its shape
# within WIDE_MATCH_TOLERANCE_MM, if there is only one; the page's printed outlines must
# then confirm the marks' fit (:func:`omr.reading.registration.outlines.refine_on_outlines`).
# 25 mm: well past the 9 mm, and short of the 31 mm (40 − 9) from where a block is
# placed at which the next block of the same shape can stand.
WIDE_MATCH_TOLERANCE_MM = 25.0
# 4 blocks found give 16 corners for a homography's 8 unknowns, 3 give 12 for an affine
# map's 6 (the printed outlines then refine it); fewer place no page (the template's
# own minimum, MIN_REGISTRATION_BLOCKS, so that a 3-block form reads). A timing track is
# one mark: its two ends and two small blocks are four places, which a homography fits
# exactly, every pixel of error bending the page between them.
HOMOGRAPHY_BLOCKS = 4
# The scan may show up to 30% more than the page (scanner bed), or a tenth less than
# the smallest part scanned alone (tight crop).
MARGIN_MAX, CROP_MAX = 1.3, 0.9
# The smallest block must keep 8 px on the detection copy at the smallest scale the
# page can have in the scan: its blurred edges (±1 px each) then keep its area within
# SIZE_TOLERANCE, and its outline is still told (MIN_NARROW_OUTLINE, measured on
# blocks of 8 px and more).
MIN_BLOCK_PX = 8
# A block's blurred edges change its measured sides by up to 2 px: a quarter of an 8 px
# block (SIZE_TOLERANCE), more of a smaller one, which is allowed that much.
EDGE_BLUR_PX = 2.0
# A photo or a coarse scan may show the page smaller than a scan at the reader's usual
# resolutions does, down to where its smallest mark spans 5 px at full resolution (it
# survives the opening of THIN_PRINT_PX that takes thin print away; a 2.25 mm square
# of a 73 dpi scan is 5 px tall). So small a mark is placed to a pixel, a third of a
# millimetre: the printed outlines must agree with it.
MIN_PHOTO_BLOCK_PX = 5
# The paper is estimated on the detection copy halved twice more (a 16th of its pixels):
# blocks still span 2 px or more there, and shadows change over centimetres, not pixels.
PAPER_HALVINGS = 2
# A block's middle shows under a tenth of the paper's light on the detection copy (under
# 1% in every corpus scan); half the paper's light is half-way, where its edge lies.
# Blocks printed light or halftoned (a grey of 40 % ink halves the paper's light no
# more), and bullseyes whose thin rings a photo blurs, are looked for again at four
# fifths of the paper's light when some are missing.
PRINT_LEVELS = (PRINT_SHARE, BLURRED_PRINT_SHARE)
# Detection-copy print thinner than 3 px (text, hairline outlines, pen strokes: at most
# 1.5 mm) is opened away; the smallest block keeps 8 px (MIN_BLOCK_PX).
THIN_PRINT_PX = 3
# A halftone screen of 85 lines per inch or finer has its dots 0.3 mm apart or closer:
# 2.4 px at 200 dpi. A Gaussian of 1.5 px merges them and moves a straight edge by
# nothing (it blurs both sides alike).
HALFTONE_SIGMA_PX = 1.5
# ... and never more than an eighth of the blob's short side, which it would round.
BLOCK_SIGMAS = 8
# The full-resolution window around a blob reaches this far (detection-copy px) past
# its bounding box: the box's edge pixels are blends, the block may end in the next;
# and three of the smoothing's sigmas (full-resolution px) at least, so that the
# smoothed block's edges and paper around them lie in the window (a bar printed in
# greys shows only its darkest rows on the detection copy).
WINDOW_PAD_PX, WINDOW_PAD_SIGMAS = 2, 3
# Printed digits cover about a tenth of a question-number column (11% and 14% of the
# 2025 form's two, rendered at 600 dpi); every column must be darker than its 180°
# image, relative to the paper under it, by a quarter of that for the turn to count.
MIN_ORIENTATION_CONTRAST = 0.025
# Columns of print compared at 3 px/mm: a printed digit (2–3 mm) stays 6–9 px tall.
ORIENTATION_PX_PER_MM = 3.0
# The paper under a box is the box closed by a 3 mm square, which fits in no printed
# digit (about 2 mm wide, strokes 0.3 mm, on the 2025 form): the numbers go, a shadow
# (a change over centimetres) stays.
ORIENTATION_PAPER_MM = 3.0
_ORIENTATION_PAPER_KERNEL = cv2.getStructuringElement(
    cv2.MORPH_RECT, (int(ORIENTATION_PAPER_MM * ORIENTATION_PX_PER_MM),) * 2
)
# Paper under a fifth of the page's light (its brightest hundredth on the detection copy)
# is none: solid print, or a scanner's black backing past the sheet's edge, or a shadow a
# bilevel scan turned black. A block's middle shows under a tenth of the paper's light;
# the deepest shadow the reader must read through (three quarters deep, along a lifted
# fold) leaves a quarter of it. A box lies on paper where half of it does, each pixel
# half the paper's closing (1.5 mm) from any that does not; its print is read there.
NO_PAPER_SHARE = 0.2
PAGE_LIGHT_PERCENTILE = 99
MIN_ON_PAPER = 0.5
# Proposals are scored in batches of this many, bounding the memory a page crowded
# with rectangles can take (a batch's tables take about 12 MB at 50 candidates).
PROPOSAL_BATCH = 1024
# _CYCLIC_SHIFTS[k] starts a list of a rectangle's 4 corners at its k-th.
_CYCLIC_SHIFTS = (np.arange(4)[None, :] - np.arange(4)[:, None]) % 4


@dataclass(frozen=True)
class _Layout:
    """What registration needs of a template's blocks, derived once per template.

    ``centres`` (K, 2), ``sizes`` (K, 2) as (long, short) and ``corners`` (K, 4, 2:
    top-left, top-right, bottom-right, bottom-left) in mm. For blocks that look the same
    turned by 180° about ``turn`` ((3, 3), mm → mm), ``turned_corners`` (K, 4, 2) are
    the template corners each block's corners show when the page lies turned: its 180°
    partner's, opposite corner first; otherwise ``turn`` and ``turned_corners`` are None.
    ``page_long`` and ``part_long`` are the long sides (mm) of the page and of its
    smallest part; ``rings`` whether some marks are bullseyes, ``ringed`` (K,) which;
    ``corner`` (K,) which are L-shaped corner marks; ``disc`` (K,) which filled discs;
    ``bars`` (K,) each timing track's bars (0: no track); ``marks`` (K, 2) the (long,
    short) sides of what is looked for: the block, or a track's bar.
    """

    centres: np.ndarray
    sizes: np.ndarray
    corners: np.ndarray
    turn: np.ndarray | None
    turned_corners: np.ndarray | None
    page_long: float
    part_long: float
    ringed: np.ndarray
    corner: np.ndarray
    disc: np.ndarray
    bars: np.ndarray
    marks: np.ndarray

    @property
    def rings(self) -> bool:
        """Whether any block is a bullseye."""
        return bool(self.ringed.any())


@per_template
def _layout(template: SheetTemplate) -> _Layout:
    """The block layout of a template with block registration."""
    registration = template.registration
    assert isinstance(registration, BlockRegistration)
    boxes = np.array([(*b.origin_mm, b.box.right, b.box.bottom) for b in registration.blocks])
    corners = boxes[:, [[0, 1], [2, 1], [2, 3], [0, 3]]].astype(np.float32)
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    turn = turned_corners = None
    if registration.point_symmetric:
        cx, cy = registration.centre_mm
        turn = np.array([[-1.0, 0, 2 * cx], [0, -1.0, 2 * cy], [0, 0, 1]])
        at_turn = 2 * np.array((cx, cy)) - centres
        partners = np.linalg.norm(at_turn[:, None] - centres, axis=2).argmin(axis=1)
        turned_corners = corners[partners][:, [2, 3, 0, 1]]
    page_long = max(template.page_size_mm)
    return _Layout(
        centres=centres,
        sizes=np.array([sorted(b.size_mm, reverse=True) for b in registration.blocks]),
        corners=corners,
        turn=turn,
        turned_corners=turned_corners,
        page_long=page_long,
        part_long=min([max(p.size_mm) for p in template.page.parts] + [page_long]),
        ringed=np.array([block.shape == "rings" for block in registration.blocks]),
        corner=np.array([block.shape == "corner" for block in registration.blocks]),
        disc=np.array([block.shape == "disc" for block in registration.blocks]),
        bars=np.array([block.bars or 0 for block in registration.blocks]),
        marks=np.array(
            [sorted(block.bar_mm or block.size_mm, reverse=True) for block in registration.blocks]
        ),
    )


@dataclass(frozen=True)
class _Candidates:
    """Solid rectangles measured on the full-resolution image.

    ``centres`` (N, 2), ``sizes`` (N, 2) as (long, short) and ``corners`` (N, 4, 2)
    running round each rectangle, in image px; ``round`` (N,) marks bullseyes and discs,
    whose corners only their centre places; ``corner`` (N,) L-shaped marks (their box's
    corners); ``bars`` (N,) how many bars a timing track spans (its box's corners; 0 for
    others) and ``pitch`` (N,) its pitch in px (0 for others); ``disc`` (N,) filled discs.
    """

    centres: np.ndarray
    sizes: np.ndarray
    corners: np.ndarray
    round: np.ndarray
    corner: np.ndarray
    bars: np.ndarray
    pitch: np.ndarray
    disc: np.ndarray

    @staticmethod
    def none() -> _Candidates:
        empty, no = np.zeros((0, 2)), np.zeros(0, bool)
        return _Candidates(
            empty, empty, np.zeros((0, 4, 2)), no, no, np.zeros(0, int), np.zeros(0), no
        )

    @property
    def rings(self) -> np.ndarray:
        """(N,) bool: the bullseyes (round, and not filled discs)."""
        return self.round & ~self.disc

    def __add__(self, other: _Candidates) -> _Candidates:
        return _Candidates(
            *(np.concatenate([a, b]) for a, b in zip(astuple(self), astuple(other), strict=True))
        )


def _new_rings(rings: list[Ring], found: _Candidates) -> _Candidates:
    """The bullseyes ``rings`` not already among the candidates ``found``."""
    rings = [
        ring
        for ring in rings
        if not (
            np.linalg.norm(found.centres[found.rings] - ring.centre, axis=1) < ring.diameter / 2
        ).any()
    ]
    return _ring_candidates(rings)


def _ring_candidates(rings: list[Ring]) -> _Candidates:
    """Bullseyes as candidates: a square box around each."""
    centres = np.array([ring.centre for ring in rings], float).reshape(-1, 2)
    diameters = np.array([ring.diameter for ring in rings], float)
    square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) / 2
    return _Candidates(
        centres,
        np.stack([diameters, diameters], axis=1),
        centres[:, None, :] + diameters[:, None, None] * square,
        np.ones(len(rings), bool),
        np.zeros(len(rings), bool),
        np.zeros(len(rings), int),
        np.zeros(len(rings)),
        np.zeros(len(rings), bool),
    )


def _tracks(bars: _Candidates) -> _Candidates:
    """The timing tracks among solid ``bars`` (:func:`omr.sheet.timing_tracks.find_tracks`),
    each a candidate of the box round all of its bars."""
    tracks = find_tracks(bars.centres, bars.sizes)
    boxes = [
        cv2.minAreaRect(bars.corners[run].reshape(-1, 2).astype(np.float32)) for run, _, _ in tracks
    ]
    return _Candidates(
        np.array([box[0] for box in boxes], float).reshape(-1, 2),
        np.array([sorted(box[1], reverse=True) for box in boxes], float).reshape(-1, 2),
        np.array([cv2.boxPoints(box) for box in boxes], float).reshape(-1, 4, 2),
        np.zeros(len(tracks), bool),
        np.zeros(len(tracks), bool),
        np.array([count for _, count, _ in tracks], int),
        np.array([pitch for _, _, pitch in tracks], float),
        np.zeros(len(tracks), bool),
    )


def _scale_bounds(layout: _Layout, long_side_px: int, photo: bool) -> tuple[float, float]:
    """The range of px per mm at which the page (or one of its parts) fills the image;
    in a photo, the page may fill less of it, down to where its smallest mark keeps
    ``MIN_PHOTO_BLOCK_PX``."""
    least = long_side_px / (layout.page_long * MARGIN_MAX)
    if photo:
        least = min(least, MIN_PHOTO_BLOCK_PX / layout.marks[:, 1].min())
    return least, long_side_px / (layout.part_long * CROP_MAX)


def _size_tolerance(short_px: np.ndarray | float) -> np.ndarray:
    """How far (a share) a block's measured sides may be off, at ``short_px`` across."""
    return np.maximum(SIZE_TOLERANCE, EDGE_BLUR_PX / np.maximum(short_px, 1.0))


def _candidate_tolerance(found: _Candidates) -> np.ndarray:
    """(N,) :func:`_size_tolerance` of each candidate; -1 (no size fits it) for a blob
    under ``MIN_PHOTO_BLOCK_PX`` across, which is no block."""
    short = found.sizes[:, 1]
    return np.where(short >= MIN_PHOTO_BLOCK_PX, _size_tolerance(short), -1.0)


def _detection_halvings(layout: _Layout, least_px_per_mm: float) -> int:
    """How often the page can be halved keeping the smallest block ``MIN_BLOCK_PX`` wide
    at the least scale it may have."""
    smallest_mm = layout.marks[:, 1].min()
    times = 0
    while least_px_per_mm * 0.5 ** (times + 1) * smallest_mm >= MIN_BLOCK_PX:
        times += 1
    return times


def _paper(smaller: np.ndarray, widest_px: float) -> np.ndarray:
    """The paper's brightness under the print, on the detection copy halved
    ``PAPER_HALVINGS`` times more (``smaller``).

    ``smaller`` is closed (a max then a min filter) by a square wider than the widest block
    could be: print goes, the paper's shadows and uneven light stay.
    """
    radius = int(np.ceil(widest_px / 2 ** (PAPER_HALVINGS + 1))) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * radius + 1, 2 * radius + 1))
    return cv2.morphologyEx(smaller, cv2.MORPH_CLOSE, kernel)


def _print(small: np.ndarray, paper: np.ndarray, print_level: float) -> np.ndarray:
    """(H, W) uint8, 255 where ``small`` is darker than ``print_level`` of its paper."""
    level = cv2.resize(
        cv2.convertScaleAbs(paper, alpha=print_level),
        (small.shape[1], small.shape[0]),
        interpolation=cv2.INTER_LINEAR,
    )
    return cv2.compare(small, level, cv2.CMP_LT)


def _corner_blobs(
    printed: np.ndarray, areas: tuple[float, float]
) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of the L-shaped blobs of the print mask ``printed`` whose box's
    area lies in ``areas`` (an L's arms may be thinner than ``THIN_PRINT_PX``: nothing is
    opened away)."""
    contours, _ = cv2.findContours(printed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        width, height = cv2.minAreaRect(contour)[1]
        if areas[0] <= width * height <= areas[1] and is_l(contour):
            boxes.append(cv2.boundingRect(contour))
    return boxes


def _blobs(
    small: np.ndarray,
    paper: np.ndarray,
    min_area_px: float,
    max_area_px: float,
    print_level: float,
    discs: bool = False,
) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of the solid blobs of ``small`` that may be blocks (or ``discs``).

    Print darker than ``print_level`` of its paper, without its thin strokes, with an
    area in the given range and a rectangular outline (a disc's: filling ``DISC_FILL``
    of its box or more, told from others at full resolution).
    """
    thin = cv2.getStructuringElement(cv2.MORPH_RECT, (THIN_PRINT_PX, THIN_PRINT_PX))
    solid = cv2.morphologyEx(_print(small, paper, print_level), cv2.MORPH_OPEN, thin)
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    areas = np.fromiter(map(cv2.contourArea, contours), float, len(contours))
    boxes = []
    for n in np.flatnonzero((areas >= min_area_px) & (areas <= max_area_px)):
        width, height = cv2.minAreaRect(contours[n])[1]
        narrow = min(width, height) < NARROW_BLOB_PX
        fill = MIN_NARROW_OUTLINE if narrow else MIN_RECTANGULARITY
        fill = DISC_FILL[0] if discs else fill
        if cv2.contourArea(cv2.convexHull(contours[n])) >= fill * width * height:
            boxes.append(cv2.boundingRect(contours[n]))
    return boxes


def _box_share(blob: np.ndarray) -> float:
    """How much of its minimum-area box the contour ``blob`` fills, both taken to its
    edge pixels' outer edges (the contour runs through their centres: a block a few
    pixels across would lose a quarter of its area, and a bar a dozen pixels thick a
    tenth; a filled ellipse fills π/4 ≈ 0.79 of its box either way)."""
    width, height = cv2.minAreaRect(blob)[1]
    area = cv2.contourArea(blob) + cv2.arcLength(blob, True) / 2 + 1
    return area / ((width + 1) * (height + 1))


def _is_bar(blob: np.ndarray) -> bool:
    """Whether the contour ``blob`` fills ``MIN_NARROW_OUTLINE`` of its box (the
    smoothing rounds a bar's corners)."""
    return _box_share(blob) >= MIN_NARROW_OUTLINE


def _is_rectangle(blob: np.ndarray) -> bool:
    """Whether the contour ``blob`` fills ``MIN_RECTANGULARITY`` of its box, or
    ``MIN_NARROW_OUTLINE`` when it is under ``NARROW_BLOB_PX`` across even at full
    resolution (a small mark of a coarse photo), where a pixel of blur past one edge
    costs a 7 px square a tenth of its box, as on the detection copy."""
    narrow = min(cv2.minAreaRect(blob)[1]) < NARROW_BLOB_PX
    return _box_share(blob) >= (MIN_NARROW_OUTLINE if narrow else MIN_RECTANGULARITY)


_SHAPE_TESTS = {"solid": _is_rectangle, "bar": _is_bar, "corner": is_l}


def _measured(
    gray: np.ndarray, boxes: list[tuple[int, int, int, int]], scale: float, kind: str = "solid"
) -> _Candidates:
    """The solid rectangles (``kind`` ``solid``), a timing track's bars (``bar``), the
    L-shaped marks (``corner``) or the filled discs (``disc``:
    :func:`omr.sheet.discs.is_disc`) in the full-resolution windows of detection-copy
    ``boxes``.

    Each window is smoothed (a halftone's dots merge) and thresholded on its own (Otsu:
    blob against paper), so the light on the rest of the page does not matter; its
    largest blob counts if it fills ``MIN_RECTANGULARITY`` of its minimum-area box
    (:func:`_is_rectangle`; a bar: :func:`_is_bar`; an L:
    :func:`omr.sheet.corner_marks.l_vertex`).
    """
    centres, sizes, corners = [], [], []
    pad = max(WINDOW_PAD_PX / scale, WINDOW_PAD_SIGMAS * HALFTONE_SIGMA_PX)
    for x, y, w, h in boxes:
        x0 = max(0, int(x / scale - pad))
        y0 = max(0, int(y / scale - pad))
        x1 = min(gray.shape[1], int((x + w) / scale + pad))
        y1 = min(gray.shape[0], int((y + h) / scale + pad))
        sigma = min(HALFTONE_SIGMA_PX, min(w, h) / scale / BLOCK_SIGMAS)
        window = cv2.GaussianBlur(gray[y0:y1, x0:x1], (0, 0), sigma)
        _, dark = cv2.threshold(window, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        blob = max(contours, key=cv2.contourArea, default=None)
        if blob is None:
            continue
        rectangle = cv2.minAreaRect(blob)
        (cx, cy), (width, height), _ = rectangle
        if not (is_disc(blob, dark) if kind == "disc" else _SHAPE_TESTS[kind](blob)):
            continue
        centres.append((cx + x0, cy + y0))
        sizes.append((max(width, height), min(width, height)))
        corners.append(cv2.boxPoints(rectangle) + (x0, y0))
    return _Candidates(
        np.array(centres, float).reshape(-1, 2),
        np.array(sizes, float).reshape(-1, 2),
        np.array(corners, float).reshape(-1, 4, 2),
        np.full(len(centres), kind == "disc"),
        np.full(len(centres), kind == "corner"),
        np.zeros(len(centres), int),
        np.zeros(len(centres)),
        np.full(len(centres), kind == "disc"),
    )


def _proposals(
    blocks_mm: np.ndarray,
    block_scale: np.ndarray,
    fits: np.ndarray,
    found: _Candidates,
    bounds: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """Similarities (P, 2, 3) mm → px, and their px per mm (P,), from every pair of
    template blocks put on a pair of candidates that fit them."""
    pairs_a, pairs_b = np.triu_indices(len(blocks_mm), 1)
    other = ~np.eye(len(found.centres), dtype=bool)
    pair, i, j = np.nonzero(fits[pairs_a][:, :, None] & fits[pairs_b][:, None, :] & other)
    a, b = pairs_a[pair], pairs_b[pair]
    d_mm = blocks_mm[b] - blocks_mm[a]
    d_px = found.centres[j] - found.centres[i]
    s = np.hypot(*d_px.T) / np.hypot(*d_mm.T)
    # The pair's spacing must give the scale each candidate's own size gives.
    tolerance = _candidate_tolerance(found)
    plausible = (
        (np.abs(s / block_scale[a, i] - 1) < tolerance[i])
        & (np.abs(s / block_scale[b, j] - 1) < tolerance[j])
        & (s > bounds[0])
        & (s < bounds[1])
    )
    a, i, s = a[plausible], i[plausible], s[plausible]
    d_mm, d_px = d_mm[plausible], d_px[plausible]
    theta = np.arctan2(d_px[:, 1], d_px[:, 0]) - np.arctan2(d_mm[:, 1], d_mm[:, 0])
    cos, sin = np.cos(theta) * s, np.sin(theta) * s
    rotation = np.stack([np.stack([cos, -sin], 1), np.stack([sin, cos], 1)], 1)
    shift = found.centres[i] - np.einsum("pij,pj->pi", rotation, blocks_mm[a])
    return np.concatenate([rotation, shift[:, :, None]], axis=2), s


def _best_proposal(
    layout: _Layout, found: _Candidates, bounds: tuple[float, float]
) -> tuple[int, np.ndarray]:
    """The similarity (2, 3) mapping mm → px that places the most blocks.

    A block is placed when a candidate of its shape (:func:`_kind_agrees`, and its size)
    lies within ``MATCH_TOLERANCE_MM``
    of where the proposal puts it; ties go to the proposal whose placed blocks lie
    nearest their candidates. Returns the number of blocks placed and the transform.
    """
    # block_scale[k, n]: px per mm if candidate n is block k; fits[k, n]: its shape agrees.
    blocks_mm, block_sizes = layout.centres, layout.sizes
    block_scale = _long_scale(layout, found)
    other = found.sizes[None, :, 1] / block_sizes[:, None, 1]
    fits = (
        (np.abs(other / block_scale - 1) < _candidate_tolerance(found))
        & (block_scale > bounds[0])
        & (block_scale < bounds[1])
        & _kind_agrees(layout, found)
    )
    similarities, s = _proposals(blocks_mm, block_scale, fits, found, bounds)
    best = (0, 0.0, np.zeros((2, 3)))
    for start in range(0, len(s), PROPOSAL_BATCH):
        batch = similarities[start : start + PROPOSAL_BATCH]
        predicted = (batch[:, :, :2] @ blocks_mm.T).transpose(0, 2, 1) + batch[:, None, :, 2]
        offset = predicted[:, :, None, :] - found.centres
        squared = np.where(fits, (offset**2).sum(axis=3), np.inf).min(axis=2)
        distance_mm = np.sqrt(squared) / s[start : start + PROPOSAL_BATCH, None]
        placed = distance_mm < MATCH_TOLERANCE_MM
        counts = placed.sum(axis=1)
        residuals = np.where(placed, distance_mm, 0.0).sum(axis=1)
        winner = int(np.lexsort((residuals, -counts))[0])
        if (counts[winner], -residuals[winner]) > (best[0], -best[1]):
            best = (int(counts[winner]), float(residuals[winner]), batch[winner])
    return best[0], best[2]


def _long_scale(layout: _Layout, found: _Candidates) -> np.ndarray:
    """(K, N) px per mm if candidate n is block k, from their long sides; for a track,
    from its pitch (some of its end bars may be lost)."""
    scale = found.sizes[None, :, 0] / layout.sizes[:, None, 0]
    spans = np.where(layout.bars > 0, layout.sizes[:, 0] - layout.marks[:, 1], 1.0)
    pitch_mm = spans / np.maximum(layout.bars - 1, 1)
    by_pitch = found.pitch[None, :] / pitch_mm[:, None]
    return np.where((layout.bars[:, None] > 0) & (found.bars[None, :] > 0), by_pitch, scale)


def _kind_agrees(layout: _Layout, found: _Candidates) -> np.ndarray:
    """(K, N) bool: candidate n is of block k's kind (an L for an L, a bullseye for a
    bullseye, a disc for a disc, a rectangle for the others; for a track, a track
    spanning no more bars than it and more than half of them, so that its ends, fitted
    through the bars found, lie no farther past them than the bars span)."""
    corner = layout.corner[:, None] == found.corner[None, :]
    # A bullseye is never a solid rectangle (a disc fills π/4 of its box), nor one a
    # bullseye: a filled answer is not taken for a bullseye a photo blurred.
    ring = layout.ringed[:, None] == found.rings[None, :]
    disc = layout.disc[:, None] == found.disc[None, :]
    bars, spanned = layout.bars[:, None], found.bars[None, :]
    track = (spanned <= bars) & (2 * spanned > bars)
    return corner & ring & disc & np.where(bars > 0, track, spanned == 0)


def _distances(to_px: np.ndarray, layout: _Layout, found: _Candidates) -> np.ndarray:
    """(K, N) how far (mm) candidate n lies from where ``to_px`` (2, 3) puts block k;
    infinite where its shape is not the block's."""
    blocks_mm, block_sizes = layout.centres, layout.sizes
    predicted = blocks_mm @ to_px[:, :2].T + to_px[:, 2]
    px_per_mm = np.sqrt(abs(np.linalg.det(to_px[:, :2])))
    scale = _long_scale(layout, found)
    off = np.abs(found.sizes[None, :, 1] / block_sizes[:, None, 1] / scale - 1)
    shape_ok = (off < _candidate_tolerance(found)) & _kind_agrees(layout, found)
    distance = np.linalg.norm(predicted[:, None, :] - found.centres, axis=2) / px_per_mm
    return np.where(shape_ok, distance, np.inf)


def _match(to_px: np.ndarray, layout: _Layout, found: _Candidates) -> dict[int, int]:
    """Template block → candidate, for the candidates where ``to_px`` (2, 3) puts each block."""
    distance = _distances(to_px, layout, found)
    distance = np.where(distance < MATCH_TOLERANCE_MM, distance, np.inf)
    nearest = distance.argmin(axis=1)
    return {k: int(n) for k, n in enumerate(nearest) if np.isfinite(distance[k, n])}


def _far_matches(
    to_px: np.ndarray, layout: _Layout, found: _Candidates, matches: dict[int, int]
) -> dict[int, int]:
    """The blocks ``matches`` leaves over, each on the only candidate of its shape, not
    yet taken, within ``WIDE_MATCH_TOLERANCE_MM`` of where ``to_px`` puts it."""
    distance = _distances(to_px, layout, found)
    distance[:, list(matches.values())] = np.inf
    far: dict[int, int] = {}
    for block in range(len(layout.centres)):
        near = np.flatnonzero(distance[block] < WIDE_MATCH_TOLERANCE_MM)
        if block not in matches and len(near) == 1 and int(near[0]) not in far.values():
            far[block] = int(near[0])
    return far


def _matched_corners(
    corners_mm: np.ndarray, matches: dict[int, int], similarity: np.ndarray, found: _Candidates
) -> np.ndarray:
    """The corners (4M, 2) float32 of the candidates ``matches`` puts blocks on, in the
    order of the blocks' ``corners_mm`` (K, 4, 2).

    A candidate's corners run round its rectangle from any corner; each list starts at
    the corner nearest where ``similarity`` puts the block's first. A bullseye's corners
    are where ``similarity`` puts them about the centre found.
    """
    predicted = corners_mm[list(matches)] @ similarity[:, :2].T + similarity[:, 2]
    chosen = list(matches.values())
    corners = found.corners[chosen][:, _CYCLIC_SHIFTS]
    start = np.linalg.norm(corners - predicted[:, None], axis=3).sum(axis=2).argmin(axis=1)
    placed = corners[np.arange(len(matches)), start]
    about = found.centres[chosen][:, None, :] + predicted - predicted.mean(axis=1, keepdims=True)
    placed = np.where(found.round[chosen][:, None, None], about, placed)
    return placed.reshape(-1, 2).astype(np.float32)


def _track_ends(
    points: np.ndarray, tracks: np.ndarray, beyond: np.ndarray | None = None
) -> np.ndarray:
    """``points`` (M, 4, 2): matched corners, a track's (``tracks`` (M,) bool) each moved
    to the middle of its end (the side it shares with the nearer neighbour corner), and
    out past it by ``beyond`` (M, 2: at its first end, at its other; px) for bars lost
    there.

    A track registers a page by its two ends: its width is its bars' length, and on a
    page measured askew, the box round its bars is wider than a bar by the skew."""
    shortest_first = np.linalg.norm(points[:, 1] - points[:, 0], axis=1) < np.linalg.norm(
        points[:, 2] - points[:, 1], axis=1
    )
    halves = (points + np.roll(points, -1, axis=1)) / 2
    # Corners 0–1 and 2–3 share an end, or 1–2 and 3–0.
    ends = np.where(shortest_first[:, None, None], halves[:, [0, 0, 2, 2]], halves[:, [3, 1, 1, 3]])
    if beyond is not None:
        outward = ends[:, 0] - ends[:, 2]
        outward /= np.maximum(np.linalg.norm(outward, axis=1, keepdims=True), 1e-9)
        signed = np.array([1.0, 1.0, -1.0, -1.0]) * beyond[:, [0, 0, 1, 1]]
        ends = ends + signed[:, :, None] * outward[:, None, :]
    return np.where(tracks[:, None, None], ends, points)


def _lost_end_bars(
    layout: _Layout,
    found: _Candidates,
    matches: dict[int, int],
    template_mm: np.ndarray,
    image_px: np.ndarray,
    model: Model,
) -> list[np.ndarray]:
    """Each (M, 2) px: how far past each matched track's first and other end its lost
    end bars reach (0 for other marks and whole tracks).

    A track spanning fewer bars than printed lost them at its ends; the splits of them
    between its two ends that may be are those with which all the marks found fit within
    ``MAX_REPROJECTION_ERROR_MM``: one, or more when the marks are too few or too close
    to tell a pitch's shift of one end (the printed outlines may then tell), or none."""
    blocks, chosen = list(matches), list(matches.values())
    lost = np.where(layout.bars[blocks] > 0, layout.bars[blocks] - found.bars[chosen], 0)
    pitch = found.pitch[chosen]
    tracks = layout.bars[blocks] > 0
    fitting = []
    for first in itertools.product(*(range(n + 1) for n in lost)):
        beyond = np.stack([np.array(first), lost - np.array(first)], axis=1) * pitch[:, None]
        points = _track_ends(image_px, tracks, beyond).reshape(-1, 2).astype(np.float32)
        error = fit_homography(template_mm, points, model)[1]
        if error <= MAX_REPROJECTION_ERROR_MM or not lost.any():
            fitting.append(beyond)
    return fitting


def _print_darkness(
    small: np.ndarray, to_small: np.ndarray, box: Box, least_paper: float
) -> tuple[float, bool]:
    """Mean darkness (0 paper … 1 black) of a template box seen through ``to_small``,
    against the paper under it (the box closed by ``ORIENTATION_PAPER_MM``), and whether
    the box lies on paper (at least ``least_paper`` bright: ``NO_PAPER_SHARE``): then
    over its paper alone, else over the whole box (a black of the closing's size, with
    no paper under it, reads 1)."""
    width, height = (max(1, int(side * ORIENTATION_PX_PER_MM)) for side in box.size_mm)
    # Seen with the paper's closing round it: a black reaching in from past the box's
    # edge is no print narrower than the closing.
    margin = _ORIENTATION_PAPER_KERNEL.shape[0]
    left, top = np.asarray(box.origin_mm) - margin / ORIENTATION_PX_PER_MM
    to_box = to_small @ np.array(
        [[1 / ORIENTATION_PX_PER_MM, 0, left], [0, 1 / ORIENTATION_PX_PER_MM, top], [0, 0, 1]]
    )
    around = cv2.warpPerspective(
        small,
        to_box,
        (width + 2 * margin, height + 2 * margin),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderValue=255,
    )
    paper_around = cv2.morphologyEx(around, cv2.MORPH_CLOSE, _ORIENTATION_PAPER_KERNEL)
    on_paper = cv2.erode((paper_around >= least_paper).astype(np.uint8), _ORIENTATION_PAPER_KERNEL)
    inside = np.s_[margin : margin + height, margin : margin + width]
    light = cv2.divide(around[inside], paper_around[inside], scale=255)
    paper_seen = on_paper[inside]
    if paper_seen.mean() < MIN_ON_PAPER:
        return 1.0 - float(light.mean()) / 255.0, False
    return 1.0 - float(light[paper_seen > 0].mean()) / 255.0, True


def _turned(
    small: np.ndarray, to_small: np.ndarray, turn: np.ndarray, boxes: list[Box]
) -> bool | Problem:
    """Whether the page lies turned by ``turn`` (180°) from ``to_small`` (mm → small px).

    Each orientation box is compared with its 180° image, both against the paper under
    them, so a shadow cannot pass for print; every box that tells must tell the same
    turn, and one at least must. Of the two, one is print and the other blank paper:
    where the darker lies on no paper (solid print, or a black backing past the sheet's
    edge), the lighter must be blank paper for the box to tell, with less print than a
    turn asks for (else it may be the print, facing black).
    """
    least_paper = NO_PAPER_SHARE * float(byte_percentile(small, PAGE_LIGHT_PERCENTILE))
    twin = to_small @ turn
    told = []
    for box in boxes:
        own, own_on_paper = _print_darkness(small, to_small, box, least_paper)
        image, image_on_paper = _print_darkness(small, twin, box, least_paper)
        darker_on_paper, lighter_on_paper = (
            (own_on_paper, image_on_paper) if own >= image else (image_on_paper, own_on_paper)
        )
        blank = min(own, image) < MIN_ORIENTATION_CONTRAST
        if lighter_on_paper and (darker_on_paper or blank):
            told.append(own - image)
    contrast = np.array(told)
    if told and (contrast >= MIN_ORIENTATION_CONTRAST).all():
        return False
    if told and (contrast <= -MIN_ORIENTATION_CONTRAST).all():
        return True
    return Problem(Reason.ORIENTATION_UNKNOWN)


def _search(
    scan: ScanChannels,
    layout: _Layout,
    bounds: tuple[float, float],
    rings: Callable[[float], _Candidates],
    blurred: Callable[[], list[Ring]],
) -> tuple[int, np.ndarray, _Candidates, np.ndarray, float]:
    """The marks found at a scale within ``bounds`` (px per mm), with the bullseyes
    ``rings(print_level)``, and ``blurred()`` when some are missing: how many the best
    similarity (2, 3) places, the candidates, and the detection copy and its scale."""
    gray = scan.ink
    halvings = _detection_halvings(layout, bounds[0])
    small, scale = scan.ink_halved(halvings), 0.5**halvings
    small_bounds = (bounds[0] * scale, bounds[1] * scale)
    paper = _paper(
        scan.ink_halved(halvings + PAPER_HALVINGS), layout.marks[:, 1].max() * small_bounds[1]
    )
    block_areas = layout.marks.prod(axis=1)
    areas = (
        (1 - _size_tolerance(layout.marks[:, 1].min() * small_bounds[0])) ** 2
        * block_areas.min()
        * small_bounds[0] ** 2,
        (1 + SIZE_TOLERANCE) ** 2 * block_areas.max() * small_bounds[1] ** 2,
    )
    # A track's bars may be too thin for the detection copy to be halved until a
    # halftone's dots merge: it is smoothed instead.
    if layout.bars.any():
        small = cv2.GaussianBlur(small, (0, 0), HALFTONE_SIGMA_PX)
    best: tuple[int, np.ndarray, _Candidates] = (0, np.zeros((2, 3)), _Candidates.none())
    for print_level in PRINT_LEVELS:
        boxes = _blobs(small, paper, *areas, print_level)
        found = _measured(gray, boxes, scale) + rings(print_level)
        if layout.bars.any():
            found += _tracks(_measured(gray, boxes, scale, "bar"))
        if layout.corner.any():
            ells = _corner_blobs(_print(small, paper, print_level), areas)
            found += _measured(gray, ells, scale, "corner")
        if layout.disc.any():
            # A disc covers π/4 of its box: its area, and its hull's share of the box.
            discs = _blobs(small, paper, DISC_FILL[0] * areas[0], areas[1], print_level, True)
            found += _measured(gray, discs, scale, "disc")
        count, similarity = _best_proposal(layout, found, bounds)
        if count > best[0]:
            best = (count, similarity, found)
        if count == len(layout.centres):
            break
    if layout.rings and best[0] < len(layout.centres):
        # Bullseyes a photo blurred: looked for only when some are missing (a second).
        found = best[2] + _new_rings(blurred(), best[2])
        count, similarity = _best_proposal(layout, found, bounds)
        if count > best[0]:
            best = (count, similarity, found)
    return *best, small, scale


# The printed outlines' verdicts on a registration the marks leave uncertain, strictest
# first: the registration each confirms, or the reason it does not.
Confirm = Callable[[PageRegistration], "PageRegistration | Problem"]


def register_by_blocks(scan: ScanChannels, template: SheetTemplate) -> PageRegistration | Problem:
    """Register a page on the template's solid printed blocks, in its ink channel.

    Parameters
    ----------
    scan : ScanChannels
        The page, at any rotation (0/90/180/270° and skew), scale and offset; the whole
        page or one of the template's ``page.parts``.
    template : SheetTemplate
        A template with ``registration.kind == "blocks"``.

    Returns
    -------
    PageRegistration or Problem
        The homography maps template mm (x, y) to the scan's px (x, y). Failures:
        ``registration_marks_not_found`` (fewer than 3 blocks in this form's layout,
        whether the page is another or its blocks are lost: the reader cannot tell),
        ``orientation_unknown``, ``registration_inaccurate``.
    """
    registration = template.registration
    if not isinstance(registration, BlockRegistration):
        raise TypeError("register_by_blocks needs a template with block registration")
    layout = _layout(template)
    expected = len(registration.blocks)
    gray = scan.ink

    @cache
    def rings(print_level: float) -> _Candidates:
        # The page's bullseyes (print darker than ``print_level`` of the paper).
        if not layout.rings:
            return _Candidates.none()
        return _ring_candidates(find_rings(gray, print_level))

    @cache
    def blurred() -> list[Ring]:
        return find_blurred_rings(gray)

    def refined(registered: PageRegistration) -> PageRegistration | Problem:
        return refine_on_outlines(scan, template, registered)

    def bent(registered: PageRegistration) -> PageRegistration | Problem:
        # As the reader does (omr.reading.pipeline): when the outlines and the marks
        # disagree on one homography, the page bent to put both where they are.
        if not may_bend(registered):
            return registered.unconfirmed or Problem(Reason.REGISTRATION_INACCURATE)
        return bend_on_outlines(scan, template, registered)

    confirm = (refined, bent)

    # A scan first (the page fills the image); then a photo, where it may fill less.
    for photo in (False, True):
        bounds = _scale_bounds(layout, max(gray.shape), photo)
        count, similarity, found, small, scale = _search(scan, layout, bounds, rings, blurred)
        if count >= MIN_REGISTRATION_BLOCKS:
            break
    matches = _match(similarity, layout, found) if count else {}
    if count < MIN_REGISTRATION_BLOCKS or len(matches) < MIN_REGISTRATION_BLOCKS:
        return Problem(
            Reason.REGISTRATION_MARKS_NOT_FOUND,
            found=min(count, len(matches)),
            expected=expected,
            needed=MIN_REGISTRATION_BLOCKS,
        )
    far = _far_matches(similarity, layout, found, matches)
    unconfirmed = None
    if far:
        matches = {**matches, **far}
        unconfirmed = Problem(
            Reason.REGISTRATION_INACCURATE,
            detail_ro="un marcaj este departe de locul dat de celelalte",
            detail_en="a mark lies far from where the others put it",
        )
    corners_px = _matched_corners(layout.corners, matches, similarity, found).reshape(-1, 4, 2)
    registered = _fitted(layout.corners, layout, found, matches, corners_px, confirm, unconfirmed)
    if not registered or layout.turn is None:
        return registered
    to_small = np.diag([scale, scale, 1.0]) @ registered.homography
    turned = _turned(small, to_small, layout.turn, registration.orientation_boxes)
    if isinstance(turned, Problem):
        return turned
    if not turned:
        return registered
    return _fitted(layout.turned_corners, layout, found, matches, corners_px, confirm, unconfirmed)


def _fitted(
    corners_mm: np.ndarray,
    layout: _Layout,
    found: _Candidates,
    matches: dict[int, int],
    corners_px: np.ndarray,
    confirm: tuple[Confirm, ...],
    unconfirmed: Problem | None = None,
) -> PageRegistration | Problem:
    """The registration of the blocks' ``corners_mm`` (K, 4, 2) on the matched
    candidates' ``corners_px`` (M, 4, 2), a track by its ends (its lost end bars fitted
    past them: :func:`_lost_end_bars`). Where the marks leave a track's ends a pitch
    uncertain, the one placing that the printed outlines confirm is kept: the first of the
    ``confirm`` verdicts that confirms any confirms only one, or none is kept;
    a track whose ends cannot be placed is no mark found: the others register the page,
    if enough. ``unconfirmed``: the page's reason unless its printed outlines confirm
    the fit."""
    tracks = layout.bars[list(matches)] > 0
    model: Model = "homography" if len(matches) >= HOMOGRAPHY_BLOCKS else "affine"
    template_mm = _track_ends(corners_mm[list(matches)], tracks).reshape(-1, 2)
    splits = _lost_end_bars(layout, found, matches, template_mm, corners_px, model)

    def fitted(beyond: np.ndarray, unconfirmed: Problem | None) -> PageRegistration | Problem:
        return registration_from_marks(
            template_mm,
            _track_ends(corners_px, tracks, beyond).reshape(-1, 2).astype(np.float32),
            method="blocks",
            marks_found=len(matches),
            marks_expected=len(layout.centres),
            model=model,
            unconfirmed=unconfirmed,
        )

    if len(splits) == 1:
        return fitted(splits[0], unconfirmed)
    uncertain = Problem(
        Reason.REGISTRATION_INACCURATE,
        detail_ro="capetele unei piste de sincronizare sunt nesigure cu un pas",
        detail_en="a timing track's ends are a pitch uncertain",
    )
    placings = [fitted(beyond, uncertain) for beyond in splits]
    for verdict in confirm:
        confirmed = [r for r in (verdict(p) for p in placings if p) if r]
        if len(confirmed) == 1:
            return confirmed[0]
        if confirmed:
            break
    whole = [layout.bars[k] <= found.bars[n] for k, n in matches.items()]
    if sum(whole) < MIN_REGISTRATION_BLOCKS:
        return Problem(
            Reason.REGISTRATION_MARKS_NOT_FOUND,
            found=int(sum(whole)),
            expected=len(layout.centres),
            needed=MIN_REGISTRATION_BLOCKS,
        )
    kept = {k: n for (k, n), keep in zip(matches.items(), whole, strict=True) if keep}
    kept_px = corners_px[np.array(whole)]
    return _fitted(corners_mm, layout, found, kept, kept_px, confirm, unconfirmed)
