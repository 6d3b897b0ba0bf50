"""The page's paper-to-pen levels: the candidate's pen and the ink threshold from the
page's own bubbles, what one pass of the pen adds over a fill, and the filled
threshold for this sheet.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from omr.reading.marks.beside_strokes import (
    THIN_LINE_KEPT,
)
from omr.reading.marks.records import BubbleMeasure, InkLevels
from omr.reading.marks.robust import (
    FEWEST_TO_MEDIAN,
    PLAIN_DEVIATIONS,
    SPREAD_DEVIATIONS,
    spread_about,
)
from omr.sheet.calibration import Calibration
from omr.sheet.template import MM_PER_INCH


def ink_levels(
    darkness: np.ndarray,
    tone: np.ndarray,
    grain: np.ndarray,
    calibration: Calibration,
    tone_step: float = 0.0,
    scan_pixel_mm: float = 0.0,
    line_spread_mm: float = 0.0,
) -> InkLevels:
    """The page's pen, ink and paper levels, from its bubbles' interiors.

    The marked bubbles are those darker than the split between the page's two kinds of
    bubble (Otsu's on their mean darkness); the pen is the median of their inked tone
    (each one's 75th-percentile pixel), and how far the lighter half of their tones
    spreads below it is how evenly this candidate fills. The others are paper: their
    median 99th-percentile pixel is how dark this scan's paper gets by itself (grain,
    noise, show-through), and their mean darkness, spread by four deviations, where a
    smudge begins: never nearer the paper than a scanner's flat field tells apart, nor on
    a dithered scan than a step of the tones it writes (paper a flat field apart may lie
    either side of one of its halftone's thresholds, and read a whole step apart). With
    fewer than three marked bubbles, or a "pen" not clearly above the noise floor, the
    calibration's default pen stands.

    Parameters
    ----------
    darkness, tone, grain : (N,) ndarray
        Each bubble's mean interior darkness above its print, and 75th- and 99th-
        percentile pixel darkness.
    tone_step : float
        The step of the tones a halftone writes (0: a scan that writes its tones itself).
    scan_pixel_mm : float
        mm: one of the scan's own pixels, which a thin stroke straddles
        (:func:`_single_stroke`; 0: unknown, read as a 150 dpi scan's).
    line_spread_mm : float
        σ (mm) of the scan's blur measured on its print, which spreads a thin stroke
        (:func:`kept_by_spread`; 0: unknown).
    """
    default = _default_levels(calibration)
    if darkness.size < FEWEST_TO_MEDIAN:
        return default
    histogram = np.histogram(np.clip(darkness, 0, 1), bins=SPLIT_BINS, range=(0, 1))[0]
    split = _otsu(histogram.astype(float)) / SPLIT_BINS
    marked, paper = darkness >= split, darkness < split
    floor = calibration.ink_darkness_floor
    smudge_at = calibration.smudge_darkness
    grain_at = floor  # the paper's own grain, where too few blank bubbles show it
    if paper.sum() >= FEWEST_TO_MEDIAN:
        grain_at = float(np.median(grain[paper]))
        floor = max(floor, grain_at)
        level = float(np.median(darkness[paper]))
        spread = spread_about(darkness[paper], level)
        smudge_at = min(smudge_at, level + max(SPREAD_DEVIATIONS * spread, SMUDGE_ABOVE_PAPER))
        if tone_step:  # however low the calibration's bar, never under a step of the tones
            smudge_at = max(smudge_at, level + tone_step)
    pen = float(np.median(tone[marked])) if marked.sum() >= FEWEST_TO_MEDIAN else 0.0
    if pen < PEN_ABOVE_FLOOR * floor:
        return replace(default, ink_at=max(default.ink_at, floor), smudge_at=smudge_at)
    ink_at = max(pen / 2, floor)
    single = _single_stroke(pen, scan_pixel_mm, line_spread_mm)
    stroke_at = min(ink_at, max(single, grain_at))
    # A second layer only darkens: the lighter half of the marks (never empty: the pen
    # is their median) shows the hand alone.
    pen_spread = spread_about(tone[marked & (tone <= pen)], pen)
    return InkLevels(pen, ink_at, smudge_at, stroke_at, pen_spread=pen_spread)


def fill_tones(measure: BubbleMeasure) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bool each: the bubbles whose tone shows strokes drawn over their own ink, and
    those whose tone is plainly the page's pen.

    A fill's tone is its 75th-percentile pixel: where a second layer of the pen (a
    tick's, a slash's, an X's) covers enough of the interior, the tone lies in it,
    darker than the page's pen by a pass over the fill (:func:`pass_over_fill`), of
    which a thin line keeps two thirds under the scan's blur (``THIN_LINE_KEPT``). The
    page's own fills spread below the pen as unevenly as the candidate's hand fills
    (``pen_spread``): a tone counts as strokes over the fill only past four of those
    deviations above the pen too. A thin stroke over a large interior may darken the
    tone less than that: a fill is plain only within two of those deviations of the pen,
    and only where the pen leaves room above it for a second layer to show (not on a
    black felt-tip's fill, nor on a bi-level scan's); between the two it is neither.
    Neither where no candidate's marks measured the pen and its spread.
    """
    levels = measure.levels
    none = np.zeros(len(measure.tone), bool)
    if not levels.measured or not np.isfinite(levels.pen_spread):
        return none, none
    tone = measure.tone.astype(np.float64)
    over = max(thin_pass_over_fill(levels.pen), SPREAD_DEVIATIONS * levels.pen_spread)
    stroked_over = tone >= levels.pen + over
    if levels.pen + over >= 1.0:
        return stroked_over, none
    return stroked_over, tone <= levels.pen + PLAIN_DEVIATIONS * levels.pen_spread


def pass_over_fill(pen: float, fill: float | None = None) -> float:
    """How much darker one pass of a pen whose fills are ``pen`` dark makes a fill
    ``fill`` dark (by default, one as dark as the pen): the light the fill lets through
    times one pass's darkness (:func:`_one_pass`); never less than a scanner's flat
    field tells apart. Where a fill's strokes overlap more than twice, a pass is lighter
    and darkens less: asking this much only errs towards doubt."""
    under = pen if fill is None else fill
    return max((1.0 - under) * _one_pass(pen), SMUDGE_ABOVE_PAPER)


def thin_pass_over_fill(pen: float) -> float:
    """How much darker one thin pass of the pen makes a fill as dark as the pen, as the
    scan's blur leaves it (``THIN_LINE_KEPT`` of :func:`pass_over_fill`)."""
    return THIN_LINE_KEPT * pass_over_fill(pen)


def _one_pass(pen: float) -> float:
    """The darkness of one pass of a pen whose fills are ``pen`` dark: a fill's
    75th-percentile pixel lies where two of its strokes overlap, so one pass lets
    through the square root of the light the fill does there."""
    return 1.0 - np.sqrt(1.0 - min(pen, 1.0))


def _single_stroke(
    pen: float,
    scan_pixel_mm: float = 0.0,
    line_spread_mm: float = 0.0,
) -> float:
    """The least darkness of one stroke of a pen whose fills are ``pen`` dark, as the
    reach samples see it: one pass (:func:`_one_pass`) ``THINNEST_LINE_MM`` wide, blurred
    by a 150 dpi scan and sampled off its middle (half a direction's step away), keeps
    half of its darkness; a scan coarser than that (``scan_pixel_mm`` the scan's own
    pixel, :func:`kept_by_pixels`) or softer (``line_spread_mm`` its blur measured on its
    print, :func:`kept_by_spread`) keeps less of it, the less of the two."""
    single = _one_pass(pen) * SINGLE_STROKE_KEPT
    return single * min(kept_by_pixels(scan_pixel_mm), kept_by_spread(line_spread_mm))


# The thinnest pen line a mark is drawn with: a fine ballpoint's (the marks issue's).
THINNEST_LINE_MM = 0.3
# The share of one pass's darkness that line keeps where the reach samples see it, on a
# sharp 150 dpi scan (:func:`_single_stroke`).
SINGLE_STROKE_KEPT = 0.5
# The coarsest scan the stroke levels are derived at: 150 dpi's pixel.
DERIVED_PIXEL_MM = MM_PER_INCH / 150


def kept_by_pixels(scan_pixel_mm: float) -> float:
    """The share of a thin line's darkness a scan of ``scan_pixel_mm`` pixels keeps
    against a 150 dpi scan's: 1 on any finer scan, and where the pixel is unknown (0 or
    not finite).

    A line narrower than two pixels, lying across the boundary between two, leaves each
    the part of it that falls in it: its width over two pixels at worst. A 0.3 mm line
    is narrower than two pixels of a 150 dpi scan (0.34 mm), so against that scan's the
    share falls with the pixel alone, whatever the line's width: a 100 dpi scan keeps two
    thirds of what a 150 dpi one does, and a stroke over a fill or leaving it is that
    much lighter. The pixel is measured on the page as printed: a page a printer shrank
    to fit its margins counts as scanned that much coarser (its pen lines are not
    shrunk), which only errs towards doubt."""
    if not np.isfinite(scan_pixel_mm) or scan_pixel_mm <= DERIVED_PIXEL_MM:
        return 1.0
    return DERIVED_PIXEL_MM / scan_pixel_mm


# erf⁻¹(½) (of ``SINGLE_STROKE_KEPT``): a Gaussian blur of σ leaves a line of width w
# erf(w / (2√2 σ)) of its darkness at its centre, half of it where w / (2√2 σ) is this.
ERF_INVERSE_OF_HALF = 0.4769362762044699
# The spread up to which the thinnest line keeps at its centre the half of its darkness
# a single stroke is looked for at: 0.22 mm.
HALF_KEPT_SPREAD_MM = THINNEST_LINE_MM / (2 * math.sqrt(2) * ERF_INVERSE_OF_HALF)


def kept_by_spread(line_spread_mm: float) -> float:
    """The share of the half of a thin line's darkness a single stroke is looked for at,
    that a scan blurring its print by a Gaussian of σ = ``line_spread_mm`` keeps at the
    line's centre: 1 up to ``HALF_KEPT_SPREAD_MM`` (a sharp scan's, or unknown: 0 or
    not finite), then ``erf(w / (2√2 σ))`` over one half (a scan of σ 0.33 mm, a soft
    sheet-fed scanner's at 200 dpi, keeps seven tenths of it)."""
    if not np.isfinite(line_spread_mm) or line_spread_mm <= HALF_KEPT_SPREAD_MM:
        return 1.0
    centre = math.erf(THINNEST_LINE_MM / (2 * math.sqrt(2) * line_spread_mm))
    return centre / SINGLE_STROKE_KEPT


# A page's marks are a pen only when half again as dark as the noise floor: lighter
# "marks" are paper, shadow or show-through, and the calibration's default stands.
PEN_ABOVE_FLOOR = 1.5
# Two samples of paper differ by up to twice a scanner's flat field (``SCANNER_FLAT_FIELD``,
# ±2 %): a 5 % tone, past that, is the faintest a smudge can be told at, the least a
# smudge stands above this page's blank bubbles.
SMUDGE_ABOVE_PAPER = 0.05


def _default_levels(calibration: Calibration) -> InkLevels:
    """The levels a page without enough marks is read with: ink from ``ink_darkness``."""
    return InkLevels(
        min(1.0, 2 * calibration.ink_darkness),
        calibration.ink_darkness,
        calibration.smudge_darkness,
        measured=False,
    )


# The split between marked and paper bubbles is looked for in steps of 1/64 of darkness
# (1.6 %): finer than a third of the faintest tone a scanner tells from paper
# (``SMUDGE_ABOVE_PAPER``), so the split falls within the gap between the two.
SPLIT_BINS = 64


def _otsu(histogram: np.ndarray) -> int:
    """The bin that best splits ``histogram`` in two (Otsu's between-class variance)."""
    bins = np.arange(histogram.size)
    weight = np.cumsum(histogram)
    mass = np.cumsum(histogram * bins)
    total, total_mass = weight[-1], mass[-1]
    below, above = weight[:-1], total - weight[:-1]
    valid = (below > 0) & (above > 0)
    mean_below = np.divide(mass[:-1], below, out=np.zeros_like(below), where=valid)
    mean_above = np.divide(total_mass - mass[:-1], above, out=np.zeros_like(above), where=valid)
    between = np.where(valid, below * above * (mean_below - mean_above) ** 2, -1.0)
    return int(np.argmax(between)) + 1


# A light pen's fills cover less of the interior (grain, a dry pen's streaks): a bubble
# inked to three quarters of this page's typical mark is filled by the same hand.
FILL_SHARE_OF_MARKS = 0.75


def filled_threshold(fill: np.ndarray, calibration: Calibration) -> float:
    """The filled threshold for this sheet: lowered for a light pen, within limits."""
    marked = fill[fill >= calibration.filled_min_fill_floor]
    if marked.size < FEWEST_TO_MEDIAN:
        return calibration.filled_min_fill
    adapted = FILL_SHARE_OF_MARKS * float(np.median(marked))
    return float(np.clip(adapted, calibration.filled_min_fill_floor, calibration.filled_min_fill))
