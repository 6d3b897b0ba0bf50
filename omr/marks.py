"""Per-bubble measurement and classification into blank / filled / crossed / unclear.

All work happens in template space (:class:`omr.template_space.TemplatePage`) and is
vectorised over bubbles of the same size: sample offsets are computed once per size,
then gathered for every bubble at once.

Measurements per bubble:

- ``fill``: share of the interior (a disc of 0.72 × the bubble radius, so the printed
  outline is excluded) that is ink, on the drop-out channel;
- ``darkness``: mean interior darkness relative to the paper (0 paper, 1 black);
- ``ring``: share of ink on the outline itself (a candidate tracing the outline);
- ``arms``: for each of the four diagonals, the share of a ray from 1.2 to 1.9 radii
  that is ink: an X drawn over a circle leaves it along the diagonals;
- ``offset_px``: the local shift found by matching the printed outline (paper is never
  flat), shared by the bubbles of one question.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from omr.calibration import Calibration
from omr.template import Bubble
from omr.template_space import TemplatePage

BLANK, FILLED, CROSSED, UNCLEAR = "blank", "filled", "crossed", "unclear"
INTERIOR_RADIUS = 0.72
ARM_RADII = (1.2, 1.9)
ARM_ANGLES_DEG = (30.0, 37.5, 45.0, 52.5, 60.0)
SEARCH_MM = 0.8


@dataclass(frozen=True)
class BubbleMeasure:
    """Measurements of every bubble, as arrays aligned with the bubble list.

    ``fill``, ``darkness``, ``ring`` : (N,) float32; ``arms`` : (N, 4) float32;
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

    def misaligned_share(self) -> float:
        """Share of bubbles whose outline lies at the edge of the local search."""
        return float(self.at_search_limit.mean()) if self.at_search_limit.size else 0.0


@dataclass(frozen=True, slots=True)
class BubbleState:
    state: str
    confidence: float
    reasons: tuple[str, ...]


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


def _gather(image: np.ndarray, centers: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sample ``image`` at every centre + offset: (N, 2) and (..., 2) → (N, ...)."""
    points = np.rint(centers.reshape((-1,) + (1,) * (offsets.ndim - 1) + (2,)) + offsets)
    xs = np.clip(points[..., 0].astype(np.intp), 0, image.shape[1] - 1)
    ys = np.clip(points[..., 1].astype(np.intp), 0, image.shape[0] - 1)
    return image[ys, xs]


def _refine_offsets(
    gray: np.ndarray,
    lut: np.ndarray,
    centers: np.ndarray,
    groups: list[list[int]],
    rx: float,
    ry: float,
    search_px: int,
) -> np.ndarray:
    """Per-bubble shift (x, y) that best aligns the printed outline, shared per group."""
    step = max(1, search_px // 3)
    shifts = np.array(
        [
            (dx, dy)
            for dy in range(-search_px, search_px + 1, step)
            for dx in range(-search_px, search_px + 1, step)
        ],
        np.float32,
    )
    ring = _ellipse_points(rx, ry, 1.0, 32)
    inner = _ellipse_points(rx, ry, 0.55, 16)
    outer = _ellipse_points(rx, ry, 1.45, 32)
    offsets = shifts[:, None, :]
    score = (
        lut[_gather(gray, centers, offsets + ring)].mean(-1)
        - 0.5 * lut[_gather(gray, centers, offsets + inner)].mean(-1)
        - 0.5 * lut[_gather(gray, centers, offsets + outer)].mean(-1)
    )  # (N, shifts)
    zero = int(np.flatnonzero((shifts == 0).all(axis=1))[0])
    result = np.zeros_like(centers)
    for members in groups:
        total = score[members].sum(axis=0)
        best = int(np.argmax(total))
        # Move only when the outline is clearly better aligned there.
        if total[best] - total[zero] > 0.04 * len(members):
            result[members] = shifts[best]
    return result


def measure_bubbles(
    page: TemplatePage, bubbles: list[Bubble], calibration: Calibration
) -> BubbleMeasure:
    """Measure every bubble of a straightened page.

    Parameters
    ----------
    page : TemplatePage
    bubbles : list of Bubble
        In template mm; the result's arrays follow this order.
    calibration : Calibration
    """
    ppm = page.px_per_mm
    paper = float(np.percentile(page.ink[::7, ::7], 90)) or 255.0
    ink_lut = np.clip((paper - np.arange(256, dtype=np.float32)) / paper, 0.0, 1.0)
    ink_mask = (page.ink < paper * (1.0 - calibration.ink_darkness)).view(np.uint8)
    stroke_mask = cv2.dilate(ink_mask, np.ones((3, 3), np.uint8))
    gray_paper = float(np.percentile(page.gray[::7, ::7], 90)) or 255.0
    gray_lut = np.clip((gray_paper - np.arange(256, dtype=np.float32)) / gray_paper, 0.0, 1.0)

    count = len(bubbles)
    fill = np.zeros(count, np.float32)
    darkness = np.zeros(count, np.float32)
    ring = np.zeros(count, np.float32)
    arms = np.zeros((count, 4), np.float32)
    at_limit = np.zeros(count, bool)
    search_px = int(round(SEARCH_MM * ppm))
    centers = np.array(
        [(b.center_mm[0] * ppm, b.center_mm[1] * ppm) for b in bubbles], np.float32
    ).reshape(-1, 2)

    by_size: dict[tuple[float, float], list[int]] = defaultdict(list)
    for index, bubble in enumerate(bubbles):
        by_size[bubble.size_mm].append(index)
    for (width_mm, height_mm), members in by_size.items():
        rx, ry = width_mm * ppm / 2, height_mm * ppm / 2
        index = np.asarray(members)
        questions: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for position, member in enumerate(members):
            questions[(bubbles[member].field, bubbles[member].question)].append(position)
        shifts = _refine_offsets(
            page.gray, gray_lut, centers[index], list(questions.values()), rx, ry, search_px
        )
        at_limit[index] = np.abs(shifts).max(axis=1) >= search_px
        group_centers = centers[index] + shifts
        centers[index] = group_centers
        interior = _disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
        interior_ink = _gather(page.ink, group_centers, interior)
        fill[index] = (interior_ink < paper * (1.0 - calibration.ink_darkness)).mean(-1)
        darkness[index] = ink_lut[interior_ink].mean(-1)
        ring[index] = _gather(stroke_mask, group_centers, _ellipse_points(rx, ry, 1.0, 48)).mean(-1)
        arm_samples = _gather(stroke_mask, group_centers, _arm_points(rx, ry))  # (N,4,A,S)
        arms[index] = arm_samples.mean(-1).max(-1)
    return BubbleMeasure(fill, darkness, ring, arms, centers, at_limit)


def _filled_threshold(fill: np.ndarray, calibration: Calibration) -> float:
    """The filled threshold for this sheet: lowered for a light pen, within limits."""
    marked = fill[fill >= calibration.filled_min_fill_floor]
    if marked.size < 3:
        return calibration.filled_min_fill
    adapted = 0.75 * float(np.median(marked))
    return float(np.clip(adapted, calibration.filled_min_fill_floor, calibration.filled_min_fill))


def classify_marks(measure: BubbleMeasure, calibration: Calibration) -> list[BubbleState]:
    """Decide each bubble's state from its measurements; doubt gives ``unclear``."""
    filled_at = _filled_threshold(measure.fill, calibration)
    blank_at = calibration.blank_max_fill
    ring_baseline = float(np.median(measure.ring)) if measure.ring.size else 0.0
    arms_present = (measure.arms >= calibration.cross_arm_min).sum(axis=1)
    states: list[BubbleState] = []
    for fill, darkness, ring, arm_count in zip(
        measure.fill.tolist(),
        measure.darkness.tolist(),
        measure.ring.tolist(),
        arms_present.tolist(),
        strict=True,
    ):
        band = max(filled_at - blank_at, 1e-6)
        if fill >= filled_at:
            confidence = min(1.0, 0.5 + (fill - filled_at) / band)
            if arm_count >= calibration.cross_arms_crossed:
                states.append(BubbleState(CROSSED, confidence, ()))
            elif arm_count >= 2:
                states.append(BubbleState(UNCLEAR, 0.0, ("possible_cross",)))
            else:
                states.append(BubbleState(FILLED, confidence, ()))
        elif fill <= blank_at:
            confidence = min(1.0, 0.5 + (blank_at - fill) / band)
            if arm_count >= 2:
                states.append(BubbleState(UNCLEAR, 0.0, ("x_over_empty",)))
            elif darkness >= calibration.smudge_darkness:
                states.append(BubbleState(UNCLEAR, 0.0, ("smudge",)))
            elif ring - ring_baseline >= calibration.traced_ring_excess:
                states.append(BubbleState(UNCLEAR, 0.0, ("outline_traced",)))
            else:
                states.append(BubbleState(BLANK, confidence, ()))
        else:
            reason = "x_over_empty" if arm_count >= 2 else "partial_fill"
            states.append(BubbleState(UNCLEAR, 0.0, (reason,)))
    return states
