"""Every registration refined on the printed bubble outlines.

Registration marks are few and at the page's edges; the bubbles' printed outlines are
many and spread over the answer area. The page is straightened once through the marks'
mapping, at ``REFINE_PX_PER_MM``; each outline's match (:mod:`omr.sheet.ring_match`)
is looked for within ``search`` of where the marks put it, and a homography is fitted
through the outlines found (RANSAC: an X, a fill or a smudge that moves one outline
does not move the page). The marks' mapping is kept when the outlines do not agree on a
better one, unless the marks alone were too few for a fit of their own (two of four
ArUco markers): then the page is refused with the marks' reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from omr.process_memory import kept_apart
from omr.reading.bend import Bend, remap
from omr.reading.channels import ScanChannels
from omr.reading.registration.fit import MAX_REPROJECTION_ERROR_MM, PageRegistration
from omr.reading.template_space import per_template
from omr.sheet.bubble_outline import is_box
from omr.sheet.ring_match import (
    LABELLED_INSIDE,
    OUTSIDE_RADII,
    UNLABELLED_INSIDE,
    best_matches,
    ring_kernel,
)
from omr.sheet.template import SheetTemplate
from omr.vocabulary.reasons import Problem, Reason

# 0.25 mm per pixel: an outline 0.1 mm thick still darkens its pixel by a third (the
# scan is halved by area means), and a match's parabola places it to a tenth of a pixel.
REFINE_PX_PER_MM = 4.0
# How far an outline is looked for: past what two markers (a similarity) can be off on
# a flatbed scan (a scale 0.5 % apart in x and y over 300 mm: 1.5 mm), and never half
# the way to the next bubble, whose outline would match as well.
SEARCH_MM, NEIGHBOUR_SHARE = 2.0, 0.45
# Outlines measured per page: those of the most common bubble size (one filter), spread
# evenly over the bubble list. A page answered in full inks up to two thirds of its
# bubbles (the residency's multiple-answer questions take four options in five), whose
# outlines may be found off: 240 leave 80 blank bubbles' at least, spread over the whole
# grid, with the marked ones found in place; their fit's error falls to a ninth of one
# outline's.
MAX_OUTLINES = 240
# An outline is found when its match reaches a third of the page's median match (a
# bubble cut off or printed too light for the scan matches paper: nothing).
MIN_MATCH_SHARE = 0.33
# A fit needs a dozen outlines, three times the four a homography is solved from (the
# RANSAC's samples have outlines to spare), and half of those measured to agree to 0.3 mm
# (the printed grid's own accuracy is better than 0.1 mm): a page answered in full inks
# up to two thirds of its bubbles (above), whose outlines a fill's overshoot or an X's
# arms may move; half agree while one marked outline in four stays in place.
MIN_OUTLINES, MIN_AGREEING_SHARE, AGREE_MM = 12, 0.5, 0.3
# A fit stands, or a bend has settled, when nine outlines in ten lie near it: the tenth
# may be one a fill or an X moved (above), so the worst few are not asked.
MOST_PERCENTILE = 90
# A window's paper is its bright end (90th percentile): a grid's print and marks cover
# under a tenth of it.
PAPER_PERCENTILE = 90
# Solid mark corners place a page better than outlines do (0.05 against 0.1 mm on a
# clean render, outlines 0.17 mm apart from four markers' fit on a 150 dpi JPEG of the
# corpus): the marks' mapping stands while nine outlines in ten lie within this.
MARKS_STAND_MM = 0.25
# A start a whole search away (an affine fit of three blocks on a page seen in slight
# perspective) finds the outlines near its marks first, and all of them the next time.
REFINE_PASSES = 3
# A pass has converged when it moved nine outlines in ten by less than this: the next
# would move them by the outlines' own noise (0.3–0.4 mm on a 150 dpi JPEG of the
# national form's hairline ellipses).
CONVERGED_MM = 0.5
PAPER = 255  # past the scan's edges, and past the window's in the filter's input


@per_template
def _sampled(template: SheetTemplate) -> tuple[np.ndarray, np.ndarray, float]:
    """The bubbles measured (indices into ``all_bubbles``), their centres (n, 2) in mm
    and how far their outlines are looked for (mm)."""
    bubbles = template.all_bubbles
    sizes = [b.size_mm for b in bubbles]
    common = max(set(sizes), key=sizes.count)
    alike = np.flatnonzero([size == common for size in sizes])
    spread = np.linspace(0, len(alike) - 1, min(len(alike), MAX_OUTLINES))
    indices = alike[np.unique(spread.astype(np.intp))]
    centres = np.array([b.center_mm for b in bubbles], np.float64)
    search = min(SEARCH_MM, NEIGHBOUR_SHARE * _closest(centres))
    return indices, centres[indices], search


def sampled_count(template: SheetTemplate) -> int:
    """How many outlines are measured on a page of ``template``."""
    return len(_sampled(template)[0])


def _closest(centres: np.ndarray) -> float:
    """The least distance between two of ``centres`` (n, 2), by 128 rows: the (n, n, 2)
    differences of a thousand bubbles would be 16 MB."""
    closest = np.inf
    for row in range(0, len(centres), 128):
        distance = np.linalg.norm(centres[row : row + 128, None] - centres[None, :], axis=2)
        distance[np.arange(len(distance)), row + np.arange(len(distance))] = np.inf
        closest = min(closest, float(distance.min()))
    return closest


@dataclass(frozen=True, eq=False)
class _Window:
    """The template-space window (x0, y0, x1, y1 mm) the sampled outlines are looked for
    in, its ``size`` (w, h) px at ``REFINE_PX_PER_MM``, the sampled centres' px ``at``
    in it and the search's ``reach`` px; the ring filter's spectrum for a window padded
    to ``padded`` (h, w), the filter centred on pixel (0, 0), its edges wrapped round.

    The window holds the filter's reach around every response the search looks at (its
    margin: the outside ring, the search and a millimetre), so the response is taken as
    a circular correlation: what wraps round only reaches the edges, which no search
    looks at."""

    bounds: np.ndarray
    size: tuple[int, int]
    at: np.ndarray
    reach: int
    spectrum: np.ndarray
    padded: tuple[int, int]


@per_template
def _window(template: SheetTemplate) -> _Window:
    indices, centres, search = _sampled(template)
    sampled = template.all_bubbles[indices[0]]
    size_mm = sampled.size_mm
    margin = max(size_mm) * OUTSIDE_RADII[1] / 2 + search + 1.0
    bounds = np.concatenate([centres.min(axis=0) - margin, centres.max(axis=0) + margin])
    x0, y0, x1, y1 = bounds
    size = (int(np.ceil((x1 - x0) * REFINE_PX_PER_MM)), int(np.ceil((y1 - y0) * REFINE_PX_PER_MM)))
    # A label printed inside each bubble darkens its inside as much as its outline once a
    # coarse scan blurs it (a digit 2 mm tall in a 3.5 mm bubble at 73 dpi): the inside
    # then counts for nothing, and the outline is weighed against its outside alone.
    inside = LABELLED_INSIDE if template.print.labels_inside else UNLABELLED_INSIDE
    kernel = ring_kernel(*size_mm, REFINE_PX_PER_MM, inside, is_box(sampled.shape))
    side = kernel.shape[0]
    padded = (cv2.getOptimalDFTSize(size[1]), cv2.getOptimalDFTSize(size[0]))
    placed = np.zeros(padded, np.float32)
    rows, cols = ((np.arange(side) - side // 2) % n for n in padded)
    placed[np.ix_(rows, cols)] = kernel
    at = np.rint((centres - bounds[:2]) * REFINE_PX_PER_MM).astype(np.intp)
    reach = max(1, int(search * REFINE_PX_PER_MM))
    spectrum = cv2.dft(placed, dst=kept_apart(padded, np.float32))
    return _Window(bounds, size, at, reach, spectrum, padded)


def _print_halved(
    scan: ScanChannels, template: SheetTemplate, times: int, part: tuple[int, int, int, int]
) -> np.ndarray:
    """The channel where the printed outlines are darkest, halved ``times`` times (2 × 2
    means): green for a colour scan of a drop-out print (only its ``part``: left, top,
    right, bottom px), the ink channel otherwise."""
    if not _print_apart(scan, template):
        return scan.ink_halved(times)
    channel = scan.print_part(*part)
    for _ in range(times):
        channel = cv2.resize(channel, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return channel


def _print_apart(scan: ScanChannels, template: SheetTemplate) -> bool:
    return scan.is_colour and template.print.drops_out


def _part(
    shape: tuple[int, ...], to_scan: np.ndarray, size: tuple[int, int], times: int
) -> tuple[int, int, int, int]:
    """The px rectangle (left, top, right, bottom) of a scan of ``shape`` that a window of
    ``size`` (w, h) px mapped by ``to_scan`` (window px → scan px) lies in, with pixels to
    spare; its corner a multiple of ``2 ** times``, so its halvings are the scan's."""
    height, width = shape[:2]
    corners = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float64)
    mapped = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), to_scan).reshape(-1, 2)
    step, spare = 2**times, 2 ** (times + 2)
    # Never closer to the far edge than one step: a window mapped off the scan still
    # gets a part its halvings cannot empty (the outlines there are simply not found).
    left = int(np.clip(np.floor(mapped[:, 0].min()) - spare, 0, width - 1)) // step * step
    top = int(np.clip(np.floor(mapped[:, 1].min()) - spare, 0, height - 1)) // step * step
    left = min(left, max(0, width - step) // step * step)
    top = min(top, max(0, height - step) // step * step)
    right = int(np.clip(np.ceil(mapped[:, 0].max()) + spare, left + step, width))
    bottom = int(np.clip(np.ceil(mapped[:, 1].max()) + spare, top + step, height))
    return left, top, right, bottom


def _straightened(
    scan: ScanChannels,
    template: SheetTemplate,
    homography: np.ndarray,
    window: _Window,
    px_per_mm: float,
    bend: Bend | None = None,
) -> tuple[np.ndarray, np.float32]:
    """The template-space ``window`` of the print at ``REFINE_PX_PER_MM``, (h, w) uint8,
    and its paper's level; template mm moved by ``bend`` before ``homography``, when given.

    The scan is first halved while it keeps twice the window's resolution, so no thin
    outline falls between the samples."""
    times = 0
    while px_per_mm / 2 ** (times + 1) >= 2 * REFINE_PX_PER_MM:
        times += 1
    shrink = 0.5**times
    x0, y0 = window.bounds[:2]
    to_window = np.array(
        [[1 / REFINE_PX_PER_MM, 0, x0], [0, 1 / REFINE_PX_PER_MM, y0], [0, 0, 1]], np.float64
    )
    size = window.size
    part = (0, 0, *scan.image.shape[1::-1])
    if _print_apart(scan, template) and bend is None:
        part = _part(scan.image.shape, homography @ to_window, size, times)
    # Halved pixel j is the mean of pixels 2j and 2j + 1: its centre is 2j + 0.5.
    to_part = np.array([[1.0, 0, -part[0]], [0, 1.0, -part[1]], [0, 0, 1]]) @ homography
    to_small = np.diag([shrink, shrink, 1.0]) @ to_part @ to_window
    to_small[:2] += (shrink - 1) / 2 * to_small[2]
    small = _print_halved(scan, template, times, part)
    if bend is None:
        straight = cv2.warpPerspective(
            small, to_small, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=PAPER
        )
    else:
        # The same map, from template px at REFINE_PX_PER_MM: the window starts at x0, y0.
        to_small = to_small @ np.array(
            [[1.0, 0, -x0 * REFINE_PX_PER_MM], [0, 1.0, -y0 * REFINE_PX_PER_MM], [0, 0, 1]]
        )
        origin = (x0 * REFINE_PX_PER_MM, y0 * REFINE_PX_PER_MM)
        straight = remap(
            small, to_small, bend, REFINE_PX_PER_MM, size, origin, cv2.INTER_LINEAR, PAPER
        )
    return straight, np.float32(max(float(byte_percentile(straight, PAPER_PERCENTILE)), 1.0))


def _ring_response(straight: np.ndarray, paper: np.float32, window: _Window) -> np.ndarray:
    """The ring filter over the window's darkness (1 − ``straight`` / ``paper``), (h, w)
    float32, by the filter's spectrum (made once per template); valid away from the
    window's edges (see :class:`_Window`). The filter sums to nothing: the darkness's 1
    drops out."""
    height, width = straight.shape
    padded = np.full(window.padded, PAPER, np.float32)  # paper past the window
    padded[:height, :width] = straight
    # Transformed, filtered and back in place: one buffer, not four.
    cv2.dft(padded, dst=padded)
    cv2.mulSpectrums(padded, window.spectrum, 0, padded, conjB=True)
    cv2.idft(padded, dst=padded, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
    response = padded[:height, :width]
    return np.multiply(response, np.float32(-1.0) / paper, out=response)


def byte_percentile(image: np.ndarray, q: int) -> np.float32:
    """``np.percentile(image.astype(np.float32), q)`` of a uint8 ``image``, the same value
    from its histogram (OpenCV's: no sort of a float copy), interpolated as NumPy does: in
    float32, from the nearer of the two values."""
    histogram = cv2.calcHist([image], [0], None, [256], [0, 256]).ravel()
    counts = np.cumsum(histogram.astype(np.int64))
    count = int(counts[-1])
    quantile = np.true_divide(q, 100)
    virtual = count * quantile + (1 - quantile) - 1  # as NumPy's method linear has it
    low = high = count - 1
    if virtual < count - 1:
        low, high = int(np.floor(virtual)), int(np.floor(virtual)) + 1
    gamma = float(virtual - np.floor(virtual))
    below, above = (np.float32(np.searchsorted(counts, k, side="right")) for k in (low, high))
    step = above - below
    return above - step * (1 - gamma) if gamma >= 0.5 else below + step * gamma


def outline_shifts(
    scan: ScanChannels,
    template: SheetTemplate,
    homography: np.ndarray,
    px_per_mm: float,
    bend: Bend | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The sampled bubbles' centres (n, 2) mm and where their outlines lie (n, 2) mm
    through ``homography`` (after ``bend``, when given); NaN where no outline was found."""
    _, centres, _ = _sampled(template)
    window = _window(template)
    straight, paper = _straightened(scan, template, homography, window, px_per_mm, bend)
    response = _ring_response(straight, paper, window)
    offset, scores = best_matches(response, window.at, window.reach)
    shifts = offset / REFINE_PX_PER_MM
    weak = scores < MIN_MATCH_SHARE * max(float(np.median(scores)), 1e-6)
    shifts[weak] = np.nan
    return centres, centres + shifts


def mark_off(off_mm: float) -> Problem:
    """``registration_inaccurate``: a mark lies ``off_mm`` from where the outlines put it."""
    return Problem(
        Reason.REGISTRATION_INACCURATE,
        detail_ro=f"un marcaj este la {off_mm:.1f} mm de locul dat de bule",
        detail_en=f"a mark lies {off_mm:.1f} mm from where the bubbles put it",
    )


def _marks_off_mm(registration: PageRegistration, homography: np.ndarray) -> float:
    """How far (mm) the found marks' corners lie from where ``homography`` puts them."""
    if not len(registration.marks_mm):
        return 0.0
    placed = cv2.perspectiveTransform(
        registration.marks_mm.reshape(-1, 1, 2).astype(np.float64), homography
    ).reshape(-1, 2)
    off = np.linalg.norm(placed - registration.marks_px, axis=1).max()
    return float(off / registration.px_per_mm)


@dataclass(frozen=True)
class _Refit:
    """One pass over the outlines: the homography they fit (None when too few were
    found), how many agreed with it, its largest residual (mm), and how far nine
    outlines in ten lay from where the pass's starting mapping put them (mm)."""

    homography: np.ndarray | None
    agreeing: int
    error_mm: float
    off_mm: float


def _refit(
    scan: ScanChannels, template: SheetTemplate, homography: np.ndarray, px_per_mm: float
) -> _Refit:
    centres, found = outline_shifts(scan, template, homography, px_per_mm)
    usable = ~np.isnan(found).any(axis=1)
    if usable.sum() < MIN_OUTLINES:
        return _Refit(None, 0, np.inf, np.inf)
    off = float(
        np.percentile(np.linalg.norm(found[usable] - centres[usable], axis=1), MOST_PERCENTILE)
    )
    image_px = cv2.perspectiveTransform(found[usable].reshape(-1, 1, 2), homography).reshape(-1, 2)
    fitted, inliers = cv2.findHomography(
        centres[usable], image_px, cv2.RANSAC, AGREE_MM * px_per_mm
    )
    if fitted is None:
        return _Refit(None, 0, np.inf, off)
    kept = inliers.ravel().astype(bool)
    projected = cv2.perspectiveTransform(centres[usable][kept].reshape(-1, 1, 2), fitted)
    error = np.linalg.norm(projected.reshape(-1, 2) - image_px[kept], axis=1).max()
    return _Refit(fitted, int(kept.sum()), float(error / px_per_mm), off)


def refine_on_outlines(
    scan: ScanChannels, template: SheetTemplate, registration: PageRegistration
) -> PageRegistration | Problem:
    """Refine a registration on the template's printed bubble outlines.

    Up to ``REFINE_PASSES`` passes, each starting from the last one's fit, until nine
    outlines in ten lie within ``CONVERGED_MM`` of where the pass started.

    Returns
    -------
    PageRegistration or Problem
        The refined registration (``outlines`` says how many outlines agreed), the
        given one when the outlines confirm it or do not agree on a fit, or, when the
        given one is ``unconfirmed`` (too few marks for a fit of their own), its reason.
    """
    ppm = registration.px_per_mm
    needed = max(MIN_OUTLINES, MIN_AGREEING_SHARE * len(_sampled(template)[0]))
    homography = registration.homography
    for attempt in range(REFINE_PASSES):
        refit = _refit(scan, template, homography, ppm)
        if attempt == 0 and refit.off_mm <= MARKS_STAND_MM and registration.unconfirmed is None:
            return replace(registration, outlines=refit.agreeing)
        if refit.homography is None:
            break
        homography = refit.homography
        if refit.off_mm > CONVERGED_MM:
            continue
        if refit.agreeing < needed:
            break
        marks_off = _marks_off_mm(registration, homography)
        if marks_off > MAX_REPROJECTION_ERROR_MM:
            return mark_off(marks_off)
        return replace(
            registration,
            homography=homography,
            outlines=refit.agreeing,
            unconfirmed=None,
            reprojection_error_mm=refit.error_mm,
        )
    return registration if registration.unconfirmed is None else registration.unconfirmed
