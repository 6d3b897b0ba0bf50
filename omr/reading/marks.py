"""Per-bubble measurement and classification into blank / filled / crossed / unclear.

All work happens in template space (:class:`omr.reading.template_space.TemplatePage`) and is
vectorised over bubbles of the same size: sample offsets are computed once per size,
then gathered for every bubble at once.

Measurements per bubble:

- ``fill``: share of the interior (a disc of 0.72 × the bubble radius, so the printed
  outline is excluded) that is ink, on the drop-out channel;
- ``darkness``: mean interior darkness relative to the paper (0 paper, 1 black);
- ``ring``: share of the outline itself as dark as the sheet's fills (a candidate
  tracing the outline with the pen);
- ``edge``: share of ink in the outer band of the interior (0.66–0.78 radii) on the
  four axes, away from the diagonals: a fill reaches it, a centre dot or an X does not;
- ``arms``: for each of the four diagonals, the share of a ray from 1.2 to 1.9 radii
  inked without a break from its inner end (samples on a neighbour's footprint never
  count): an X drawn over a circle leaves it along the diagonals;
- ``offset_px``: the local shift found by matching the printed outline (paper is never
  flat), shared by the bubbles of one question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from omr.reading.template_space import TemplatePage, gather, per_template
from omr.sheet.calibration import INTERIOR_RADIUS, Calibration
from omr.sheet.template import Bubble, SheetTemplate
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import MarkState

ARM_RADII = (1.2, 1.9)
ARM_ANGLES_DEG = (30.0, 37.5, 45.0, 52.5, 60.0)
SEARCH_MM = 0.8
EDGE_RADII = (0.66, 0.72, 0.78)
# Candidates overshoot a bubble by up to a quarter of its radius, and half a felt-tip
# stroke (0.4 mm) and a pixel lie beyond that: an arm sample there may be a neighbour's
# ink, not an X. On dense grids (5 mm pitch) this hides the arms' outer tips at 30° and
# 60°; the 45° rays, where an X's strokes run, stay clear.
NEIGHBOUR_OVERSHOOT, NEIGHBOUR_STROKE_MM = 1.25, 0.5


@dataclass(frozen=True)
class BubbleMeasure:
    """Measurements of every bubble, as arrays aligned with the bubble list.

    ``fill``, ``darkness``, ``ring``, ``edge`` : (N,) float32; ``arms`` : (N, 4) float32;
    ``ring_baseline`` : (N,) float32, the median ``ring`` of the bubbles of the same size
    (the same printed outline, digits printed inside or not);
    ``centers_px`` : (N, 2) float32 refined centres (x, y) in template-space px;
    ``at_search_limit`` : (N,) bool, the printed outline was found only at the edge of
    the local search (or beyond it): the page is not where registration put it.
    """

    fill: np.ndarray
    darkness: np.ndarray
    ring: np.ndarray
    arms: np.ndarray
    centers_px: np.ndarray
    at_search_limit: np.ndarray
    edge: np.ndarray
    ring_baseline: np.ndarray

    def misaligned_share(self) -> float:
        """Share of bubbles whose outline lies at the edge of the local search."""
        return float(self.at_search_limit.mean()) if self.at_search_limit.size else 0.0


@dataclass(frozen=True, slots=True)
class BubbleState:
    state: MarkState
    confidence: float
    reasons: tuple[Reason, ...]


def _frozen(array: np.ndarray) -> np.ndarray:
    """Cached sample offsets are shared between pages: make them read-only."""
    array.setflags(write=False)
    return array


@cache
def _ellipse_points(rx: float, ry: float, scale: float, count: int) -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return _frozen(np.stack([np.cos(angles) * rx * scale, np.sin(angles) * ry * scale], axis=1))


@cache
def _disc_points(rx: float, ry: float) -> np.ndarray:
    span_x, span_y = int(np.ceil(rx)), int(np.ceil(ry))
    ys, xs = np.mgrid[-span_y : span_y + 1, -span_x : span_x + 1]
    inside = (xs / max(rx, 0.5)) ** 2 + (ys / max(ry, 0.5)) ** 2 <= 1.0
    return _frozen(np.stack([xs[inside], ys[inside]], axis=1).astype(np.float32))


@cache
def _edge_points(rx: float, ry: float) -> np.ndarray:
    """(36, 2) offsets: the interior's outer band (3 radii) around the 4 axes (± 12°).

    The band ends inside the printed outline's inner edge (0.9 radius less blur), and
    12° off an axis stays a felt-tip stroke's width clear of an X along the diagonal.
    """
    angles = np.radians([base + d for base in (0, 90, 180, 270) for d in (-12, 0, 12)])
    radii = np.array(EDGE_RADII)[:, None]
    return _frozen(
        np.stack([np.cos(angles) * rx * radii, np.sin(angles) * ry * radii], -1)
        .reshape(-1, 2)
        .astype(np.float32)
    )


@cache
def _arm_points(rx: float, ry: float, samples: int = 9) -> np.ndarray:
    """(4, A, S, 2) offsets: 4 diagonals × A angles × S radii."""
    radii = np.linspace(*ARM_RADII, samples)
    quadrants = []
    for base in (0.0, 90.0, 180.0, 270.0):
        rays = []
        for angle in ARM_ANGLES_DEG:
            theta = np.radians(base + angle)
            rays.append(np.stack([np.cos(theta) * rx * radii, np.sin(theta) * ry * radii], 1))
        quadrants.append(rays)
    return _frozen(np.asarray(quadrants, np.float32))


def _percentile(values: np.ndarray, q: float) -> np.ndarray:
    """``np.percentile(values, q, axis=-1)`` (linear) from a partial sort: the same values
    in a fraction of the time on the small rows measured here."""
    count = values.shape[-1]
    position = q / 100 * (count - 1)
    low = int(position)
    high = min(low + 1, count - 1)
    ordered = np.partition(values, (low, high), axis=-1)
    below = ordered[..., low].astype(np.float64)
    return below + (position - low) * (ordered[..., high] - below)


@cache
def _outline_probe(rx: float, ry: float) -> tuple[np.ndarray, np.ndarray]:
    """Points (P, 2) and weights (P,) scoring a printed outline centred on them.

    The ring counts in full, the inside and the outside against it by half each: the
    weights sum to zero, so an even shadow or tint over the bubble scores nothing.
    """
    ring = _ellipse_points(rx, ry, 1.0, 24)
    inner = _ellipse_points(rx, ry, 0.55, 12)
    outer = _ellipse_points(rx, ry, 1.45, 24)
    weights = np.concatenate([np.full(24, 1 / 24), np.full(12, -0.5 / 12), np.full(24, -0.5 / 24)])
    return _frozen(np.concatenate([ring, inner, outer])), _frozen(weights.astype(np.float32))


@cache
def _arms_clear_of_neighbours(
    centers_mm: tuple[tuple[float, float], ...], sizes_mm: tuple[tuple[float, float], ...]
) -> np.ndarray:
    """(N, 4, A, S) bool: arm samples outside every other bubble's inked footprint.

    Parameters
    ----------
    centers_mm, sizes_mm : tuple of (x, y) and (width, height) in mm, one per bubble
    """
    centers = np.asarray(centers_mm, np.float64).reshape(-1, 2)
    radii = np.asarray(sizes_mm, np.float64).reshape(-1, 2) / 2
    reach = radii.max(axis=1) * ARM_RADII[1]
    grown = radii * NEIGHBOUR_OVERSHOOT + NEIGHBOUR_STROKE_MM
    samples = np.stack([_arm_points(float(rx), float(ry)) for rx, ry in radii])
    points = centers[:, None, None, None, :] + samples  # (N, 4, A, S, 2) mm
    clear = np.ones(points.shape[:-1], bool)
    distance = np.linalg.norm(centers[:, None, :] - centers[None, :, :], axis=-1)  # (N, N)
    near = distance < reach.max() + grown.max()
    np.fill_diagonal(near, False)
    pairs = np.argwhere(near)
    for start in range(0, len(pairs), 2048):
        own, other = pairs[start : start + 2048].T
        offset = (points[own] - centers[other, None, None, None, :]) / grown[
            other, None, None, None, :
        ]
        inside = (offset**2).sum(axis=-1) <= 1.0
        np.logical_and.at(clear, own, ~inside)
    return _frozen(clear)


def _refine_offsets(
    printed: Callable[[np.ndarray, np.ndarray], np.ndarray],
    centers: np.ndarray,
    group: _SizeGroup,
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
    group : _SizeGroup
        Which of ``centers`` move together (the options of one question).

    Returns
    -------
    (N, 2) float32 ndarray
    """
    step = max(1, search_px // 3)
    span = range(-search_px, search_px + 1, step)
    shifts = np.array([(dx, dy) for dy in span for dx in span], np.float32)
    points, weights = _outline_probe(rx, ry)
    values = printed(centers, shifts[:, None, :] + points)  # (N, S, P) uint8
    zero = int(np.flatnonzero((shifts == 0).all(axis=1))[0])
    paper = float(_percentile(values[:, zero, -24:].ravel(), 90)) or 255.0
    score = values.astype(np.float32) @ (-weights / paper)  # (N, S): outline darkness
    order, starts, sizes = group.order, group.starts, group.sizes
    totals = np.add.reduceat(score[order], starts, axis=0)  # (G, S)
    best = np.argmax(totals, axis=1)
    gain = totals[np.arange(len(sizes)), best] - totals[:, zero]
    # Move only when the outline is clearly better aligned there.
    chosen = np.where(gain > 0.04 * sizes, best, zero)
    result = np.zeros_like(centers)
    result[order] = shifts[np.repeat(chosen, sizes)]
    return result


def _local_paper(ink: np.ndarray, centers: np.ndarray, rx: float, ry: float) -> np.ndarray:
    """(N,) paper brightness around each bubble, from the band just outside its outline.

    Scanners light a page unevenly and shadows fall along folds: the paper a bubble's
    ink is measured against is the paper next to it. The 75th percentile of the band
    ignores the arms of an X and a neighbour's overshoot (a quarter of the band at most).
    """
    band = np.concatenate([_ellipse_points(rx, ry, 1.5, 32), _ellipse_points(rx, ry, 1.8, 32)])
    paper = _percentile(gather(ink, centers, band), 75).astype(np.float32)
    return np.maximum(paper, 1.0)


@dataclass(frozen=True)
class _SizeGroup:
    """Bubbles of one size: ``members`` index the bubble list; ``order`` lists the
    positions in ``members`` question by question (the options that move together),
    the questions starting at ``starts`` and ``sizes`` long."""

    size_mm: tuple[float, float]
    members: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray


@dataclass(frozen=True)
class BubbleLayout:
    """What measuring needs of a template's bubbles, derived once per template:
    ``bubbles`` in the order of every measurement array."""

    bubbles: tuple[Bubble, ...]
    centers_mm: np.ndarray
    groups: tuple[_SizeGroup, ...]
    clear_arms: np.ndarray


@per_template
def bubble_layout(template: SheetTemplate, answers_only: bool = False) -> BubbleLayout:
    """The layout of every bubble of ``template`` (or of its answer bubbles alone)."""
    bubbles = tuple(template.answer_bubbles() if answers_only else template.all_bubbles)
    by_size: dict[tuple[float, float], list[int]] = defaultdict(list)
    for index, bubble in enumerate(bubbles):
        by_size[bubble.size_mm].append(index)
    groups = []
    for size_mm, members in by_size.items():
        questions: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for position, member in enumerate(members):
            questions[(bubbles[member].field, bubbles[member].question)].append(position)
        sizes = np.array([len(positions) for positions in questions.values()])
        groups.append(
            _SizeGroup(
                size_mm,
                np.asarray(members),
                np.concatenate([np.asarray(positions) for positions in questions.values()]),
                np.concatenate([[0], np.cumsum(sizes)[:-1]]),
                sizes,
            )
        )
    return BubbleLayout(
        bubbles,
        np.array([b.center_mm for b in bubbles], np.float32).reshape(-1, 2),
        tuple(groups),
        _arms_clear_of_neighbours(
            tuple(b.center_mm for b in bubbles), tuple(b.size_mm for b in bubbles)
        ),
    )


def measure_bubbles(
    page: TemplatePage, layout: BubbleLayout, calibration: Calibration
) -> BubbleMeasure:
    """Measure every bubble of a straightened page.

    Parameters
    ----------
    page : TemplatePage
    layout : BubbleLayout
        The bubbles (:func:`bubble_layout`); the result's arrays follow their order.
    calibration : Calibration
    """
    ppm = page.px_per_mm
    # A stroke counts where it passes within a pixel of a sample (the darkest of 3 × 3).
    strokes = page.ink.copy()
    for x0, y0, x1, y1 in page.windows:
        strokes[y0:y1, x0:x1] = cv2.erode(page.ink[y0:y1, x0:x1], np.ones((3, 3), np.uint8))
    count = len(layout.bubbles)
    clear_arms = layout.clear_arms
    fill = np.zeros(count, np.float32)
    darkness = np.zeros(count, np.float32)
    ring = np.zeros(count, np.float32)
    edge = np.zeros(count, np.float32)
    ring_baseline = np.zeros(count, np.float32)
    outlines: list[tuple[np.ndarray, np.ndarray]] = []
    arms = np.zeros((count, 4), np.float32)
    at_limit = np.zeros(count, bool)
    search_px = int(round(SEARCH_MM * ppm))
    centers = layout.centers_mm * np.float32(ppm)
    for group in layout.groups:
        rx, ry = group.size_mm[0] * ppm / 2, group.size_mm[1] * ppm / 2
        index = group.members
        shifts = _refine_offsets(page.sample_printed, centers[index], group, rx, ry, search_px)
        at_limit[index] = np.abs(shifts).max(axis=1) >= search_px
        group_centers = centers[index] + shifts
        centers[index] = group_centers
        paper = _local_paper(page.ink, group_centers, rx, ry)
        ink_below = (paper * (1.0 - calibration.ink_darkness))[:, None]
        interior = gather(
            page.ink, group_centers, _disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
        )
        fill[index] = (interior < ink_below).mean(-1)
        edge[index] = (gather(page.ink, group_centers, _edge_points(rx, ry)) < ink_below).mean(-1)
        darkness[index] = np.clip(1.0 - interior / paper[:, None], 0.0, 1.0).mean(-1)
        outline = gather(strokes, group_centers, _ellipse_points(rx, ry, 1.0, 48))
        outlines.append((index, 1.0 - outline / paper[:, None]))  # (N, 48) darkness
        arm_ink = gather(strokes, group_centers, _arm_points(rx, ry)) < ink_below[..., None, None]
        # An X's stroke leaves the circle: ink runs unbroken from the ray's inner end
        # outwards. A neighbour's stroke or fill only crosses the ray further out, and
        # samples on a neighbour's footprint never count.
        run = np.cumprod(arm_ink & clear_arms[index], axis=-1)  # (N, 4, A, S)
        arms[index] = run.mean(-1).max(-1)
    # A traced outline is pen ink, as dark as the sheet's fills; JPEG's chroma blur lets
    # a drop-out print's thin outline back into the ink channel at half that darkness.
    # Where the print shows (grayscale scans, sheets printed black) the pen must also
    # be darker than the print is: the threshold lies halfway between them.
    filled = darkness[(fill >= calibration.filled_min_fill) & (edge >= 0.5)]
    pen = float(np.median(filled)) if filled.size >= 3 else 1.0
    blank = fill < calibration.filled_min_fill_floor
    printed = [np.median(d[blank[index]], axis=1) for index, d in outlines]
    print_darkness = float(np.median(np.concatenate(printed))) if blank.any() else 0.0
    traced_at = max(calibration.ink_darkness, 0.75 * pen, (print_darkness + pen) / 2)
    for index, outline_darkness in outlines:
        ring[index] = (outline_darkness >= traced_at).mean(-1)
        ring_baseline[index] = np.median(ring[index])
    return BubbleMeasure(fill, darkness, ring, arms, centers, at_limit, edge, ring_baseline)


def _filled_threshold(fill: np.ndarray, calibration: Calibration) -> float:
    """The filled threshold for this sheet: lowered for a light pen, within limits."""
    marked = fill[fill >= calibration.filled_min_fill_floor]
    if marked.size < 3:
        return calibration.filled_min_fill
    adapted = 0.75 * float(np.median(marked))
    return float(np.clip(adapted, calibration.filled_min_fill_floor, calibration.filled_min_fill))


def _arms_through_centre(present: np.ndarray) -> np.ndarray:
    """(N, 4) bool arms → (N,) arms counted: all of them when two face each other, else 0.

    An X's strokes run through the bubble's centre, so its arms come in opposite pairs
    (diagonals 0 and 2, 1 and 3); ink on one side only is a neighbour's X or overshoot.
    """
    paired = (present[:, 0] & present[:, 2]) | (present[:, 1] & present[:, 3])
    return np.where(paired, present.sum(axis=1), 0)


def classify_marks(measure: BubbleMeasure, calibration: Calibration) -> list[BubbleState]:
    """Decide each bubble's state from its measurements; doubt gives ``unclear``."""
    filled_at = _filled_threshold(measure.fill, calibration)
    blank_at = calibration.blank_max_fill
    arms_present = _arms_through_centre(measure.arms >= calibration.cross_arm_min)
    states: list[BubbleState] = []
    # A fill of at least ``filled_at`` of the bubble, whatever its shape, inks the
    # interior's outer band on the axes; a centre dot or an X's strokes leave it paper.
    edge_at = 0.5 * filled_at
    for fill, darkness, ring, edge, arm_count in zip(
        measure.fill.tolist(),
        measure.darkness.tolist(),
        (measure.ring - measure.ring_baseline).tolist(),
        measure.edge.tolist(),
        arms_present.tolist(),
        strict=True,
    ):
        band = max(filled_at - blank_at, 1e-6)
        if fill >= filled_at and edge < edge_at:
            reason = Reason.X_OVER_EMPTY if arm_count >= 2 else Reason.PARTIAL_FILL
            states.append(BubbleState(MarkState.UNCLEAR, 0.0, (reason,)))
        elif fill >= filled_at:
            confidence = min(1.0, 0.5 + (fill - filled_at) / band)
            if arm_count >= calibration.cross_arms_crossed:
                states.append(BubbleState(MarkState.CROSSED, confidence, ()))
            elif arm_count >= 2:
                states.append(BubbleState(MarkState.UNCLEAR, 0.0, (Reason.POSSIBLE_CROSS,)))
            else:
                states.append(BubbleState(MarkState.FILLED, confidence, ()))
        elif fill <= blank_at:
            confidence = min(1.0, 0.5 + (blank_at - fill) / band)
            if arm_count >= 2:
                states.append(BubbleState(MarkState.UNCLEAR, 0.0, (Reason.X_OVER_EMPTY,)))
            elif darkness >= calibration.smudge_darkness:
                states.append(BubbleState(MarkState.UNCLEAR, 0.0, (Reason.SMUDGE,)))
            elif ring >= calibration.traced_ring_excess:
                states.append(BubbleState(MarkState.UNCLEAR, 0.0, (Reason.OUTLINE_TRACED,)))
            else:
                states.append(BubbleState(MarkState.BLANK, confidence, ()))
        else:
            reason = Reason.X_OVER_EMPTY if arm_count >= 2 else Reason.PARTIAL_FILL
            states.append(BubbleState(MarkState.UNCLEAR, 0.0, (reason,)))
    return states
