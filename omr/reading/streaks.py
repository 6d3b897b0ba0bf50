"""A scanner's streaks: dust or a scratch on the glass an automatic feeder draws the page
past leaves a line down the whole scan, every row of it darkened by the same share at the
same sensor pixels. Found and divided out before anything is read (a flat field).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from omr.reading.normal import MAD_TO_SIGMA
from omr.sheet.calibration import SCANNER_FLAT_FIELD

# The scan is read in bands of rows: a streak darkens the paper in every band alike, where
# a line printed or drawn down the page stops somewhere, and a fold's or a page edge's
# shadow runs slanted with the page's skew on the glass. The scan's top and bottom 1.5 %
# (4.5 mm of an A4 page scanned whole) are bands of their own: an office printer leaves
# its paper's edges blank, and a rule printed down the page, which the bands alone could
# take for a streak, stops short of them (a form printed to its very edges, or scanned
# cropped to its print, is read with its rules taken for streaks: lightened, and warned of).
BANDS = 8
END_SHARE = 0.015
# A column's paper in a band: the level a fifth of its blocks of 8 rows reach (each block's
# mean: a millimetre at 200 dpi, the scan's noise averaged, and still a fraction of a
# bubble). It is paper where a fifth of the column's blocks are: between and beside its
# bubbles. A band holds 8 blocks at least (a page under 512 rows is not looked at).
PAPER_PERCENTILE = 80
ROW_BLOCK = 8
MIN_BLOCKS = 8
# A streak is a speck's width: at most 12 columns read dark, a line of 10 px with its
# blurred edges (a millimetre at 250 dpi); its neighbours' paper is read over the 41
# columns about it (their median), which a streak cannot move.
WIDEST_PX = 12
NEIGHBOURS_PX = 41
# Its darkening stands past the scanner's own column-to-column flat field (two of them:
# one column's gain against its neighbours') in every band, and past the band's spread of
# such dips by four of its deviations; equally deep down the page (within a factor of
# two: a printed line or a fill across part of a band changes a band's paper, dust does
# not), and, in three bands in four at least, narrow and on even paper
# (:func:`_on_even_paper`).
DIP_DEVIATIONS = 4
SIDE_PX = 4
MOST_BANDS = 0.75
MIN_DIP = 2 * SCANNER_FLAT_FIELD
# No grid lies in a page's outer 4 % (8.4 mm of an A4's width: printers' margins and the
# sheet's own): a line there is the paper's edge as often as a streak (an A4 page scanned
# as Letter shows its edge 6 mm in), and matters to none.
EDGE_SHARE = 0.04


@dataclass(frozen=True)
class Streak:
    """Columns ``first`` to ``last`` (px) of the scan, darkened by ``dip`` (a share of
    the paper's light)."""

    first: int
    last: int
    dip: float


def find_streaks(channel: np.ndarray) -> list[Streak]:
    """The streaks down one channel of a page ((H, W) uint8: the ink channel, where the
    drop-out print vanishes)."""
    height, width = channel.shape
    if height < BANDS * ROW_BLOCK * MIN_BLOCKS or width < NEIGHBOURS_PX * 2:
        return []
    paper = _band_paper(channel)
    dips = 1.0 - paper / np.maximum(_running_median(paper), 1.0, dtype=np.float32)
    deviations = np.abs(dips - np.median(dips, axis=1, keepdims=True))
    spread = MAD_TO_SIGMA * np.median(deviations, axis=1)
    deep = (dips >= np.maximum(DIP_DEVIATIONS * spread, MIN_DIP)[:, None]).all(axis=0)
    edge = max(int(EDGE_SHARE * width), NEIGHBOURS_PX)
    deep[:edge] = deep[width - edge :] = False
    found = []
    columns = np.flatnonzero(deep)
    for run in np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1) if columns.size else []:
        first, last = int(run[0]), int(run[-1])
        core = dips[:, first : last + 1].max(axis=1)
        narrow, alike = last - first + 1 <= WIDEST_PX, core.min() >= core.max() / 2
        if narrow and alike and _on_even_paper(paper, dips, first, last, core):
            found.append(Streak(first, last, float(np.median(core))))
    return found


def _on_even_paper(
    paper: np.ndarray, dips: np.ndarray, first: int, last: int, core: np.ndarray
) -> bool:
    """Whether columns ``first`` to ``last`` darkened by ``core`` ((B,)) are a line on
    one paper: narrow (``SIDE_PX`` beyond its edges the dip is under half its own), and
    the paper either side alike within half the dip (not a paper's edge against the lid,
    nor the side of a shadow), in most bands: the page's own print or marks beside a
    streak may darken one side of a band or two, where an edge or a shadow's side is
    uneven all the way down."""
    sides = np.maximum(dips[:, first - SIDE_PX], dips[:, last + SIDE_PX])
    reach = NEIGHBOURS_PX // 2
    left = np.median(paper[:, first - reach : first - SIDE_PX], axis=1)
    right = np.median(paper[:, last + SIDE_PX + 1 : last + reach + 1], axis=1)
    uneven = np.abs(left - right) / np.maximum(np.fmax(left, right), 1.0)
    return bool(np.mean((sides < core / 2) & (uneven < core / 2)) >= MOST_BANDS)


def flat_fielded(image: np.ndarray, streaks: list[Streak]) -> np.ndarray:
    """``image`` ((H, W) or (H, W, 3) uint8) with each streak's columns brought to their
    neighbours' paper: each column (and channel) multiplied by its neighbours' paper over
    its own, read down the whole page (dust darkens ink and paper by the same share)."""
    if not streaks:
        return image
    corrected = image.copy()
    for streak in streaks:
        left = max(streak.first - NEIGHBOURS_PX // 2, 0)
        right = min(streak.last + NEIGHBOURS_PX // 2 + 1, image.shape[1])
        blocks = _row_blocks(image[:, left:right])
        paper = _percentile_rows(blocks, PAPER_PERCENTILE).astype(np.float32)
        inside = np.arange(left, right)
        outside = (inside < streak.first - SIDE_PX) | (inside > streak.last + SIDE_PX)
        around = np.median(paper[outside], axis=0)
        columns = slice(streak.first - 1, streak.last + 2)
        gain = around / np.maximum(paper[columns.start - left : columns.stop - left], 1.0)
        # Only ever lightened: a column its neighbours' paper is darker than is no streak's.
        lifted = image[:, columns].astype(np.float32) * np.maximum(gain, 1.0)
        corrected[:, columns] = np.clip(np.rint(lifted), 0, 255).astype(np.uint8)
    return corrected


def _row_blocks(image: np.ndarray) -> np.ndarray:
    """``image`` with each ``ROW_BLOCK`` rows averaged into one (the last few left out)."""
    blocks = image.shape[0] // ROW_BLOCK
    return cv2.resize(
        image[: blocks * ROW_BLOCK], (image.shape[1], blocks), interpolation=cv2.INTER_AREA
    )


def _band_paper(channel: np.ndarray) -> np.ndarray:
    """(BANDS + 2, W) uint8: each column's paper in each band of rows, and in the scan's
    top and bottom ``END_SHARE``."""
    rows = _row_blocks(channel)
    end = max(round(END_SHARE * len(rows)), 1)
    bands = [rows[:end], *np.array_split(rows, BANDS, axis=0), rows[-end:]]
    return np.stack([_percentile_rows(band, PAPER_PERCENTILE) for band in bands])


def _running_median(paper: np.ndarray) -> np.ndarray:
    """(B, W) uint8: each column's neighbours' paper in each band, the median of
    ``NEIGHBOURS_PX`` about it."""
    pad = NEIGHBOURS_PX // 2
    padded = np.pad(paper, ((0, 0), (pad, pad)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, NEIGHBOURS_PX, axis=1)
    return np.partition(windows, pad, axis=-1)[..., pad]


def _percentile_rows(rows: np.ndarray, percentile: int) -> np.ndarray:
    """(W, ...) each column's ``percentile`` over ``rows`` ((n, W, ...) uint8), by
    partition."""
    rank = (rows.shape[0] - 1) * percentile // 100
    return np.partition(rows, rank, axis=0)[rank]
