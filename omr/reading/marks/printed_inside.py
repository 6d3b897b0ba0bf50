"""Letters and digits printed inside bubbles, measured on the page and taken off.

Forms printed by others often print the option's letter (or digit) inside its bubble:
a blank bubble is then 20–40 % dark, its darkest pixels as dark as a pen, and the
letter shows through a fill as a darker stroke. The bubbles that print the same label
look alike on a blank page; on a candidate's page at least a quarter of them are blank,
so a pixel dark in three quarters of them or more is print (the lightest quarter of
their interiors, pixel by pixel, is what the print alone gives). Where that print is
dark (each bubble first moved onto the others' print by a pixel or two), ink
cannot show beyond it: those pixels take the median of the pixels the print leaves
clear in the same bubble, so a fill covers the letter and a blank stays paper. Every
measurement of the interior then sees the candidate's ink alone. Labels whose
interior is paper (nothing printed inside: this project's own sheets) are left as
they are.

A template may know what each label's print looks like on the blank page
(``print.looks_inside``: rendered from the form's PDF, or the lightest quarter of scans).
A bubble whose interior beyond that print is paper (its median) is blank. When so many
are blank that the lightest quarter of the label's pixels falls on one of them, the page
shows its print as it holds it (its tone, its blur; a drop-out print none), measured as
above. With fewer (a candidate number 1112, five questions answered B), the lightest
quarter would be a candidate's ink, and fills that leave the interior's rim would be
taken off as print: the look, blurred as a scan blurs print, says where the print lies,
each bubble moved onto it by a pixel or two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from omr.reading.marks.levels import SMUDGE_ABOVE_PAPER
from omr.sheet.print_look import darkness_of
from omr.sheet.template import PrintLook, PrintLooks

# A label's print is measured on four bubbles or more, a quarter of them blank: the
# lightest quarter of their pixels (brightness percentile 75).
MIN_ALIKE, BLANK_PERCENTILE = 4, 75
# Print is a pixel a tenth darker than the paper or more: twice the faintest tone a scan
# tells from paper (``SMUDGE_ABOVE_PAPER``), well past what the flat field makes of
# paper. Paper is the bright end of the label's interiors (95th percentile: past the
# brightest twentieth, a scan's noise and specks of glare).
PRINT_AT, PAPER_PERCENTILE = 2 * SMUDGE_ABOVE_PAPER, 95
# Each bubble is moved by up to ``ALIGN_PX`` onto the others' print (its centre is
# refined to a pixel or two); the print is then grown by ``GROW_PX`` (more would leave
# too few clear pixels between a letter and the outline).
ALIGN_PX, GROW_PX = 2, 1
# A flatbed scan at 200 dpi (0.13 mm a pixel), its JPEG and the page's straightening to
# 0.125 mm pixels spread a printed edge over about a pixel: a Gaussian of 0.15 mm.
SCAN_BLUR_MM = 0.15


@dataclass(frozen=True)
class StoredPrint:
    """The template's looks of its labels on the blank page, and what placing them on a
    page needs: each bubble's paper (N,) and the page's ``px_per_mm``."""

    looks: PrintLooks
    papers: np.ndarray
    px_per_mm: float


def _pixels(centers: np.ndarray, offsets: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(N, P) flat indices of the nearest pixels at ``centers`` (N, 2) + ``offsets``
    (P, 2), (x, y) px, clipped to the image."""
    xs = np.rint(centers[:, None, 0]) + np.rint(offsets[None, :, 0])
    ys = np.rint(centers[:, None, 1]) + np.rint(offsets[None, :, 1])
    xs = np.clip(xs, 0, shape[1] - 1).astype(np.intp)
    ys = np.clip(ys, 0, shape[0] - 1).astype(np.intp)
    return ys * shape[1] + xs


def _grown(printed: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``printed`` (P,) bool at the integer ``offsets`` (P, 2), grown by ``GROW_PX``."""
    cells = np.rint(offsets).astype(np.intp)
    cells -= cells.min(axis=0)
    grid = np.zeros(tuple(cells.max(axis=0)[::-1] + 1), np.uint8)
    grid[cells[:, 1], cells[:, 0]] = printed
    kernel = np.ones((2 * GROW_PX + 1, 2 * GROW_PX + 1), np.uint8)
    return cv2.dilate(grid, kernel)[cells[:, 1], cells[:, 0]].astype(bool)


def _aligned(
    ink: np.ndarray, centers: np.ndarray, offsets: np.ndarray, looks: np.ndarray | None = None
) -> np.ndarray:
    """(N, P) flat pixel indices of each bubble's interior, each bubble moved by up to
    ``ALIGN_PX`` so that its print lies on ``looks`` (N, P), what each should show, or
    by default on the print of the others (their median)."""
    span = np.arange(-ALIGN_PX, ALIGN_PX + 1)
    shifts = np.stack(np.meshgrid(span, span), axis=-1).reshape(-1, 2)
    indices = np.stack([_pixels(centers + shift, offsets, ink.shape) for shift in shifts], 1)
    values = ink.ravel()[indices].astype(np.float32)  # (N, S, P)
    typical = np.median(values[:, len(shifts) // 2], axis=0) if looks is None else looks[:, None]
    best = np.abs(values - typical).sum(axis=-1).argmin(axis=1)
    return indices[np.arange(len(centers)), best]


def _page_print(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(P,) bool: the print of bubbles whose interiors are ``values`` (N, P) at
    ``offsets``, a quarter of them blank: dark in their lightest quarter, grown."""
    paper = max(float(np.percentile(values, PAPER_PERCENTILE)), 1.0)
    print_only = np.percentile(values, BLANK_PERCENTILE, axis=0)
    return _grown(print_only < (1 - PRINT_AT) * paper, offsets)


def _look_at(look: PrintLook, looks_ppm: float, offsets: np.ndarray, ppm: float) -> np.ndarray:
    """(P,) the print's darkness in ``look`` (at ``looks_ppm``), blurred as a scan blurs
    it, at the interior's ``offsets`` (px at ``ppm`` from the centre)."""
    darkness = darkness_of(look.darkness)
    blurred = cv2.GaussianBlur(darkness, (0, 0), SCAN_BLUR_MM * looks_ppm)
    rows, columns = darkness.shape
    xs = offsets[:, 0] / ppm * looks_ppm + columns / 2 - 0.5
    ys = offsets[:, 1] / ppm * looks_ppm + rows / 2 - 0.5
    return cv2.remap(
        blurred,
        xs.astype(np.float32)[None],
        ys.astype(np.float32)[None],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )[0]


def _by_look(
    ink: np.ndarray, centers: np.ndarray, offsets: np.ndarray, papers: np.ndarray, look: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """(N, P) pixel indices of bubbles aligned on their label's ``look`` (P,) darkness,
    and (P,) bool where the look puts their print; None when the page shows it itself:
    its bubbles paper beyond the look's print are so many that the lightest quarter of
    the label's pixels (``BLANK_PERCENTILE``) falls on one of them. A look printed all
    over the interior (a shading) leaves no paper to tell a blank by: the page decides."""
    stored = _grown(look >= PRINT_AT, offsets)
    if stored.all():
        return None
    index = _aligned(ink, centers, offsets, papers[:, None] * (1 - look[None]))
    values = ink.ravel()[index].astype(np.float32)
    blank = np.median(values[:, ~stored], axis=1) >= (1 - PRINT_AT) * papers
    count = len(centers)
    if count >= MIN_ALIKE and blank.sum() >= count - BLANK_PERCENTILE / 100 * (count - 1):
        return None
    return index, stored


def without_print(
    ink: np.ndarray,
    centers: np.ndarray,
    labels: Sequence[str],
    groups: Iterable[tuple[np.ndarray, np.ndarray, tuple[float, float]]],
    stored: StoredPrint | None = None,
) -> np.ndarray:
    """``ink`` with the print inside the bubbles' interiors covered by their own paper
    or ink (a copy; ``ink`` itself when nothing is printed inside).

    Parameters
    ----------
    ink : (H, W) uint8 ndarray, the straightened page
    centers : (N, 2) bubble centres (x, y) px
    labels : the label printed in each bubble (N)
    groups : (members, offsets, size_mm) per bubble size: indices into ``centers``, the
        interior's pixel offsets (P, 2) from a centre, and the bubbles' size
    stored : the template's looks of its labels, if it has them
    """
    result = ink
    names = np.asarray(labels)
    for members, offsets, size_mm in groups:
        for label in np.unique(names[members]):
            rows = members[names[members] == label]
            look = stored.looks.of(label, size_mm) if stored else None
            found = None
            if stored and look:
                darkness = _look_at(look, stored.looks.px_per_mm, offsets, stored.px_per_mm)
                papers = stored.papers[rows]
                found = _by_look(ink, centers[rows], offsets, papers, darkness)
            if found is not None:
                index, printed = found
            elif len(rows) < MIN_ALIKE:
                continue
            else:
                index = _aligned(ink, centers[rows], offsets)
                printed = _page_print(ink.ravel()[index].astype(np.float32), offsets)
            if not printed.any() or printed.all():
                continue
            if result is ink:
                result = ink.copy()
            values = ink.ravel()[index].astype(np.float32)
            clear = np.median(values[:, ~printed], axis=1)
            result.ravel()[index[:, printed]] = np.rint(clear)[:, None].astype(ink.dtype)
    return result
