"""Traced outlines: the share of each bubble's outline carrying more ink across it than
the print.
"""

from __future__ import annotations

import numpy as np

from omr.reading.marks.records import InkLevels
from omr.reading.marks.robust import (
    FEWEST_TO_MEDIAN,
    SPREAD_DEVIATIONS,
    percentile,
    spread_about,
    sum_last,
)
from omr.reading.marks.sampling import RIM_DIRECTIONS


def directions_per_cell(cell_mm: float, radius_mm: float) -> int:
    """How many of the outline's :data:`RIM_DIRECTIONS` a bi-level scan's halftone cell
    spans going round a bubble of ``radius_mm``, one at least (0: a scan that writes its
    tone itself, undithered)."""
    if cell_mm <= 0:
        return 0
    spacing = 2 * np.pi * radius_mm / RIM_DIRECTIONS
    return max(1, int(round(cell_mm / spacing)))


def _along(values: np.ndarray, window: int) -> np.ndarray:
    """(N, D) values going round, each the mean of ``window`` neighbouring directions."""
    if window <= 1:
        return values
    shifts = range(-(window // 2), window - window // 2)
    return sum(np.roll(values, shift, axis=-1) for shift in shifts) / window


def rings(
    outlines: list[tuple[np.ndarray, np.ndarray]],
    cells: list[int],
    fill: np.ndarray,
    count: int,
    levels: InkLevels,
    blank_at: float,
    traced_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N,) share of each outline carrying more ink across it than the print does, its
    size's blank outlines' median, and (N, 48) bool the directions that do.

    A traced outline is a second line, a pen's width, on or beside the printed one: going
    across the outline, the ink summed over the samples (darkness × width) exceeds the
    print's by at least a sample of ink (:func:`_pen_across`). That holds where the print
    is as dark as the pen (a gray scan of a drop-out sheet, a form printed black) as well
    as where it has dropped out. The print's own ink is the median, angle by angle, over
    the page's blank bubbles of that size.
    On a bi-level scan the ink across is averaged going round over a halftone cell
    (``cells``: directions per cell, per size; 0 undithered), the scale of its dither's
    noise, and an outline whose traced share holds the page's ink is traced (the ring
    read 1) even where single directions do not stand above that noise.
    """
    ring = np.zeros(count, np.float32)
    ring_baseline = np.zeros(count, np.float32)
    traced = np.zeros((count, RIM_DIRECTIONS), bool)
    for (index, darkness), cell in zip(outlines, cells, strict=True):
        across = _along(sum_last(np.clip(darkness, 0.0, 1.0)), cell)  # (N, 48)
        blank = fill[index] <= blank_at
        printed = np.median(across[blank], axis=0) if blank.any() else np.zeros(across.shape[1])
        excess = across - printed
        pen_across = _pen_across(levels, excess[blank])
        traced[index] = excess >= pen_across
        ring[index] = traced[index].mean(-1)
        # What a blank outline of this size shows (a fill's outline is under its ink).
        ring_baseline[index] = np.median(ring[index][blank]) if blank.any() else 0.0
        if not cell:
            continue
        # On a bi-level scan, round the whole outline the dither's noise averages out
        # where, direction by direction, it hides a light pen's line: where the traced
        # share of the outline carries at least the page's ink (its excess going round,
        # ranked, reaches it at that share), and more than its blank outlines' own spread
        # allows, it is traced.
        held = percentile(excess, 100 * (1 - traced_share))
        least = min(pen_across, levels.ink_at)
        if blank.sum() >= FEWEST_TO_MEDIAN:
            middle = np.median(held[blank])
            spread = spread_about(held[blank], middle)
            least = max(least, middle + SPREAD_DEVIATIONS * spread)
        faint = held >= least
        ring[index[faint]] = 1.0
    return ring, ring_baseline, traced


def _pen_across(levels: InkLevels, blank_excess: np.ndarray) -> float:
    """How much ink a traced outline adds across it at least: the least that is ink
    (``ink_at``) and stands four deviations above the print's own spread round this
    page's blank outlines (``blank_excess``, their ink across the outline less the
    print's), never more than one sample of the page's pen.

    The page's pen is a fill's tone: its passes laid over each other. A trace is one pass,
    lighter, and over a printed line it takes only the light the print lets through (the
    light each layer lets through multiplies): a ballpoint trace over a gray outline adds
    half of the fill's tone or less. Where the page has not shown its pen, the default
    pen is a felt-tip's, darker still than a lighter pen's trace."""
    if not blank_excess.size:
        return levels.pen
    spread = spread_about(blank_excess)
    return min(levels.pen, max(levels.ink_at, SPREAD_DEVIATIONS * spread))
