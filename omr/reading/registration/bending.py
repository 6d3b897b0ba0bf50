"""A page that does not lie flat, registered on its printed outlines and marks together.

When no homography puts the printed bubble outlines where they are (a photo of a sheet
curved on cloth), the page is bent (:class:`omr.reading.bend.Bend`): template space is
moved by a smooth polynomial before the registration's homography, fitted on where the
outlines are found and where the marks were found. Each pass straightens the page
through the last pass's bend and looks for every outline again near where it put it,
until nine outlines in ten lie within ``CONVERGED_MM`` of it or a pass no longer moves
it (``SETTLED_MM``). The bend stands only when it puts half the outlines within
``AGREE_MM`` (as a flat page's fit must) and every mark within
``MAX_REPROJECTION_ERROR_MM`` of where they were found; otherwise the page is refused:
its bubbles are not where anything puts them.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from omr.reading.bend import TERMS, Bend
from omr.reading.channels import ScanChannels
from omr.reading.registration.fit import MAX_REPROJECTION_ERROR_MM, PageRegistration
from omr.reading.registration.outlines import (
    AGREE_MM,
    CONVERGED_MM,
    MIN_AGREEING_SHARE,
    MOST_PERCENTILE,
    REFINE_PASSES,
    REFINE_PX_PER_MM,
    mark_off,
    outline_shifts,
    sampled_count,
)
from omr.sheet.template import SheetTemplate
from omr.vocabulary.reasons import Problem, Reason

# Outlines are let go, worst first, while any lies farther than AGREE_MM from the bend
# fitted on those kept (a filled bubble's outline found a little off; a neighbour's): a
# tenth a round, the bend fitted again between, as a bend pulled by a few wrong outlines
# misses the right ones near them too, and letting many go at once would drop those.
TRIM_SHARE = 0.1
# A bend is fitted on three outlines or more for each of its terms, three times the
# least that determine it (each outline gives one equation per axis), as a homography's
# fit asks (MIN_OUTLINES); the marks, at the page's edges, are not counted: they are few,
# and alike in a corner.
OUTLINES_PER_TERM = 3


# A pass whose bend moved no outline by half a pixel of the window the outlines are
# looked for in (REFINE_PX_PER_MM) straightens the next window to the same pixels: the
# bend has settled, and what the outlines still miss by is the template's own (a form
# whose blocks were measured on a photo of another print), left to each bubble's own
# alignment, whose misaligned share the reader checks.
SETTLED_MM = 0.5 / REFINE_PX_PER_MM


def may_bend(registration: PageRegistration) -> bool:
    """Whether a page may be bent: only when every mark its template prints was found,
    for the bend must agree with all of them. With marks missing, the outlines alone
    would decide the bend, and a lattice of alike bubbles fits itself a row off."""
    return registration.marks_found >= registration.marks_expected


def _robust_fit(
    points: np.ndarray, targets: np.ndarray, fixed: int
) -> tuple[Bend, np.ndarray] | None:
    """The bend through ``points`` → ``targets`` (N, 2) mm, letting go of the outlines
    it misses by more than ``AGREE_MM`` a tenth at a time (the first ``fixed``, the
    marks, are never let go). Returns the bend and which points it kept; None when
    too few outlines are left."""
    kept = np.ones(len(points), bool)
    while True:
        if kept[fixed:].sum() < OUTLINES_PER_TERM * TERMS:
            return None
        bend = Bend.fit(points[kept], targets[kept])
        miss = np.linalg.norm(bend.moved(points) - targets, axis=1)
        outline_miss = np.where(kept[fixed:], miss[fixed:], -np.inf)
        if outline_miss.max() <= AGREE_MM:
            return bend, kept
        worst = np.argsort(outline_miss)[::-1][: max(1, int(TRIM_SHARE * kept[fixed:].sum()))]
        worst = worst[outline_miss[worst] > AGREE_MM]
        kept[fixed + worst] = False


def _marks_in_mm(registration: PageRegistration, homography: np.ndarray) -> np.ndarray:
    """Where the found marks' corners lie in template mm through ``homography`` (M, 2)."""
    inverse = np.linalg.inv(homography)
    return cv2.perspectiveTransform(
        registration.marks_px.reshape(-1, 1, 2).astype(np.float64), inverse
    ).reshape(-1, 2)


def _settled(bend: Bend, previous: Bend | None, centres: np.ndarray) -> bool:
    """Whether ``bend`` moves none of ``centres`` (n, 2) mm by ``SETTLED_MM`` from where
    the ``previous`` pass's bend put it: the next pass would find the same outlines."""
    if previous is None:
        return False
    shifts = np.linalg.norm(bend.moved(centres) - previous.moved(centres), axis=1)
    return bool(shifts.max() <= SETTLED_MM)


def bend_on_outlines(
    scan: ScanChannels, template: SheetTemplate, registration: PageRegistration
) -> PageRegistration | Problem:
    """``registration`` bent to put the printed outlines and the marks where they are.

    Returns
    -------
    PageRegistration or Problem
        The registration with its ``bend`` (``outlines`` the outlines it agrees with),
        or ``registration_inaccurate`` when no gentle bend puts the outlines within
        ``AGREE_MM`` and the marks within ``MAX_REPROJECTION_ERROR_MM``.
    """
    homography, ppm = registration.homography, registration.px_per_mm
    marks_mm = registration.marks_mm.reshape(-1, 2).astype(np.float64)
    marks_at = _marks_in_mm(registration, homography)
    needed = MIN_AGREEING_SHARE * sampled_count(template)
    bend: Bend | None = None
    for _ in range(REFINE_PASSES + 1):
        centres, found = outline_shifts(scan, template, homography, ppm, bend)
        usable = ~np.isnan(found).any(axis=1)
        targets = found[usable] if bend is None else bend.moved(found[usable])
        moved = np.linalg.norm(found[usable] - centres[usable], axis=1)
        fitted = _robust_fit(
            np.concatenate([marks_mm, centres[usable]]),
            np.concatenate([marks_at, targets]),
            len(marks_mm),
        )
        if fitted is None:
            break
        previous, (bend, kept) = bend, fitted
        converged = np.percentile(moved, MOST_PERCENTILE) <= CONVERGED_MM
        if converged or _settled(bend, previous, centres):
            marks_off = float(np.linalg.norm(bend.moved(marks_mm) - marks_at, axis=1).max())
            agreeing = int(kept[len(marks_mm) :].sum())
            if agreeing < needed:
                break
            if marks_off > MAX_REPROJECTION_ERROR_MM:
                return mark_off(marks_off)
            return replace(registration, bend=bend, outlines=agreeing, unconfirmed=None)
    return Problem(
        Reason.REGISTRATION_INACCURATE,
        detail_ro="bulele tipărite nu sunt unde le pun marcajele",
        detail_en="the printed bubbles are not where the marks put them",
    )
