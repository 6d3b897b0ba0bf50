"""Whole-page checks: blank or blurred pages, a scan too coarse or too soft for a pen's
line, stray ink outside every zone."""

from __future__ import annotations

import math

import cv2
import numpy as np

from omr.reading.marks.levels import DERIVED_PIXEL_MM, kept_by_spread
from omr.reading.template_space import TemplatePage, per_template
from omr.sheet.template import MM_PER_INCH, ArucoRegistration, Box, SheetTemplate
from omr.vocabulary.reasons import Problem, Reason

# Ink is darker than 60 % of the paper's brightness: a pen's or the printer's line, not
# the paper's grain or the other side showing through.
INK_BELOW_PAPER = 0.6
# A sheet's own print (registration marks, QR code, grid, text) darkens 4–14 % of it; under
# 0.2 % the page holds no print at all: a blank sheet, or the back of one.
BLANK_INK_SHARE = 0.002
# The page is judged at 600 px across (3 px per mm of A4, 2 of A3): the print's lines,
# marks and text still show, the scanner's noise averages out. Its paper is the bright
# end (95th percentile) of it: print and marks cover under a fifth of any sheet.
CHECK_WIDTH_PX, PAPER_PERCENTILE = 600, 95
# The Laplacian's variance at 600 px across: printed lines and text in focus give over a
# thousand; lines smeared over a millimetre or more give under ten.
BLUR_SHARPNESS = 40.0
# A stray mark worth a look spans what a bubble's fill does (a 3 mm circle is 7 mm²) once
# its ink is grown by a pixel all round (half a millimetre at 2 px/mm: a pen line's
# broken pieces join): 6 mm² is a blot of 1.5–2 mm, or a pen line 3 mm long; a speck of
# dust or toner, or a pen's slip (1 mm), stays under it.
STRAY_MIN_AREA_MM2 = 6.0
# Nothing is printed within a printer's margin of the edge, where the scanner lid's
# shadow and a torn edge fall: ink there is never stray.
EDGE_MARGIN_MM = 6.0
# Ink within 2 mm of a box or a bubble is its own: the widest fill's overshoot (0.45
# radii, 1.35 mm on 6 mm bubbles) and handwriting running past a box's edge. An X's arm
# reaching farther is a pen line under a stray blot's area.
ZONE_GROW_MM = 2.0
# A stray mark is at least 6 mm² of ink: 24 px at 2 px/mm, enough to measure its area.
STRAY_PX_PER_MM = 2.0
# The stroke levels are derived down to a 150 dpi scan (``DERIVED_PIXEL_MM``); a page a
# printer shrank to fit its margins (by up to a tenth) scanned at 150 dpi has pixels a
# tenth coarser on the page, and is no coarser scan.
PRINT_SHRINK_MAX = 0.9


def blank_or_blurred(gray: np.ndarray) -> Problem | None:
    """Explain a page on which no registration marks were found, when the cause is visible.

    Parameters
    ----------
    gray : (H, W) uint8 ndarray
    """
    height = int(CHECK_WIDTH_PX * gray.shape[0] / gray.shape[1])
    small = cv2.resize(gray, (CHECK_WIDTH_PX, height), interpolation=cv2.INTER_AREA)
    paper = float(np.percentile(small, PAPER_PERCENTILE))
    ink_share = float((small < paper * INK_BELOW_PAPER).mean())
    if ink_share < BLANK_INK_SHARE:
        return Problem(Reason.BLANK_PAGE)
    sharpness = float(cv2.Laplacian(small, cv2.CV_32F).var())
    if sharpness < BLUR_SHARPNESS:
        return Problem(Reason.IMAGE_BLURRED, sharpness=round(sharpness))
    return None


def _zones(template: SheetTemplate) -> list[tuple[float, float, float, float]]:
    """Every printed or written zone as (x0, y0, x1, y1) mm."""
    boxes = [box.box for box in template.identification.handwritten]
    boxes += [Box(origin_mm=b.origin_mm, size_mm=b.size_mm) for b in template.print.boxes]
    if template.qr is not None:
        boxes.append(template.qr.box)
    if template.print.pictograms is not None:
        spec = template.print.pictograms
        boxes.append(Box(origin_mm=spec.origin_mm, size_mm=(spec.bubble_mm * 5, spec.bubble_mm)))
    registration = template.registration
    if isinstance(registration, ArucoRegistration):
        boxes += [registration.marker_box(marker) for marker in registration.markers]
    else:
        boxes += [block.box for block in registration.blocks]
    zones = [(b.origin_mm[0], b.origin_mm[1], b.right, b.bottom) for b in boxes]
    for bubble in template.all_bubbles:
        (x, y), (width, height) = bubble.center_mm, bubble.size_mm
        zones.append((x - width / 2, y - height / 2, x + width / 2, y + height / 2))
    return zones


@per_template
def _outside_zones(template: SheetTemplate, ppm: float) -> np.ndarray:
    """(h, w) uint8 at ``ppm``: 1 where ink is stray (off every zone and page edge)."""
    width_mm, height_mm = template.page_size_mm
    mask = np.ones((int(round(height_mm * ppm)), int(round(width_mm * ppm))), np.uint8)
    grow = ZONE_GROW_MM
    for x0, y0, x1, y1 in _zones(template):
        top, left = max(0, int((y0 - grow) * ppm)), max(0, int((x0 - grow) * ppm))
        mask[top : int((y1 + grow) * ppm) + 1, left : int((x1 + grow) * ppm) + 1] = 0
    edge = int(EDGE_MARGIN_MM * ppm)
    mask[:edge], mask[-edge:], mask[:, :edge], mask[:, -edge:] = 0, 0, 0, 0
    return mask


def thin_lines_at_risk(page: TemplatePage, line_spread_mm: float) -> list[Problem]:
    """What the scan does to a pen's thin lines over fills: a scan too coarse
    (:func:`_coarse_scan`) or too soft (:func:`_soft_scan`, its blur ``line_spread_mm``
    measured on its registration marks)."""
    return _coarse_scan(page) + _soft_scan(line_spread_mm)


def _coarse_scan(page: TemplatePage) -> list[Problem]:
    """A scan coarser than the 150 dpi the reader's stroke levels are derived at (its own
    pixel measured on the straightened page), by more than a printer's shrink to fit: a
    thin line drawn over a fill keeps less of its darkness there, and an X's or a tick's
    may be lost, though the reader looks for it as light as the pixels leave it
    (:func:`~omr.reading.marks.levels.kept_by_pixels`)."""
    pixel = page.scan_pixel_mm
    if not math.isfinite(pixel) or pixel <= DERIVED_PIXEL_MM / PRINT_SHRINK_MAX:
        return []
    return [Problem(Reason.SCAN_COARSE, dpi=round(MM_PER_INCH / pixel))]


def _soft_scan(line_spread_mm: float) -> list[Problem]:
    """A scan that blurs its print by a Gaussian of σ = ``line_spread_mm`` (measured on its
    registration marks; 0 unknown) past the spread at which a pen's thinnest line keeps half its
    darkness, where :func:`~omr.reading.marks.levels.kept_by_spread` starts lowering the
    level one stroke is looked for at: an X's or a tick's lines over a fill may be lost,
    though the reader looks for them as light as the blur leaves them."""
    if kept_by_spread(line_spread_mm) >= 1.0:
        return []
    return [Problem(Reason.SCAN_SOFT, blur_mm=round(line_spread_mm, 2))]


def stray_marks(page: TemplatePage, template: SheetTemplate) -> list[Problem]:
    """Ink outside every answer and identification zone (colour scans with drop-out print).

    Returns warnings only: a room head decides whether a mark is a distinctive sign.
    """
    if not page.is_colour or not template.print.drops_out:
        return [Problem(Reason.STRAY_MARKS_NOT_CHECKED)]
    ink = page.overview(STRAY_PX_PER_MM)
    ppm = STRAY_PX_PER_MM
    # The drop-out print vanishes from the ink channel: marks cover under a tenth of it.
    paper = float(np.percentile(ink[::3, ::3], 90))
    mask = (ink < paper * INK_BELOW_PAPER).view(np.uint8) & _outside_zones(template, ppm)[
        : ink.shape[0], : ink.shape[1]
    ]
    if not cv2.countNonZero(mask):
        return []
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    count, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    px_per_mm2 = ppm**2
    problems = []
    for label in range(1, count):
        area_mm2 = stats[label, cv2.CC_STAT_AREA] / px_per_mm2
        if area_mm2 >= STRAY_MIN_AREA_MM2:
            x_mm, y_mm = centroids[label] / ppm
            problems.append(
                Problem(Reason.STRAY_MARK, x_mm=round(float(x_mm)), y_mm=round(float(y_mm)))
            )
    return problems
