"""Loops a scribbling pen makes past a fill's outline.

A hand filling a circle fast swings out past the outline and back into the fill: the
pen's path leaves the mark and returns to it, and encloses paper. Seen from the fill,
such a loop is a stroke end like any other (:func:`omr.reading.marks.strokes.stroke_ends`), and
an end doubts a fill, as a tick's or a slash's does. A tick's, a slash's or an X's
stroke runs out and stops: it encloses nothing. So an end whose tip lies on the far
side of paper enclosed by ink, past the printed outline, is the fill's own loop.

The paper must be enclosed at the darkness the end was seen at; lie past the printed
outline's line (the crescent a short fill leaves inside its outline is no loop) and
reach in to the fill's overshoot (a printed letter's or digit's bowl, which a stroke may
run into, lies off by itself); lie within the end's reach, clear of every neighbour's
outline and mark (paper between two outlines and two strokes is enclosed too, and so is
paper between an X's arm running in from a neighbour, its fill and this one); and hold
a disc as broad as the thinnest pen's line: a dry ballpoint's groove or the scan's
noise leaves specks inside a stroke, never that much paper. An end followed as far as
the reach is sampled shows no tip. On a bi-level scan the halftone's own dots enclose
paper everywhere in a fill's texture: no fill is read as looped there, but an X made
with a loop's ends past the outline, where the cells' mean leaves paper paper, is
unmade (:func:`omr.reading.marks.under_xs._looped`).

Print is not known here: a tick's two arms across a printed line or letter near the
bubble enclose paper as a loop does. The reader reads a fill as looped only where the
page's print does not show at the darkness asked (:func:`omr.reading.marks.under_xs._looped`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from omr.reading.marks.beside_strokes import BLUR_PX
from omr.reading.marks.bridges import OVERSHOOT_RADII, STROKE_MAX_MM
from omr.sheet.bubble_outline import squared_extent

# The thinnest pen line (0.3 mm): paper narrower than that inside ink is a stroke's own
# groove or the scan's noise, not a loop's.
LOOP_HOLE_MIN_MM = 0.3
# A neighbour's printed outline and the scan's blur: out to 1.15 of its radius at least.
NEIGHBOUR_CLEAR = 1.15


@dataclass(frozen=True, slots=True)
class Around:
    """One bubble on the straightened page: ``center`` (2,) px (x, y), ``radii`` (2,)
    px, ``box`` its outline's shape, ``paper`` its paper's brightness; ``neighbours``
    (K, 2), ``neighbour_radii`` (K, 2) px and ``neighbour_boxes`` (K,) the centres,
    half-axes and shapes of the bubbles whose outlines lie near it, ``neighbour_reach``
    (K, D) how far out (in their radii) their ink runs in D directions evenly round."""

    center: np.ndarray
    radii: np.ndarray
    box: bool
    paper: float
    neighbours: np.ndarray
    neighbour_radii: np.ndarray
    neighbour_boxes: np.ndarray
    neighbour_reach: np.ndarray


def looped_ends(
    ink: np.ndarray,
    around: Around,
    tips: np.ndarray,
    reach: np.ndarray,
    levels: tuple[float, ...],
    px_per_mm: float,
    reach_step: float,
    reach_limit: float,
    legs: bool = False,
) -> np.ndarray:
    """(K,) bool: which stroke ends, their tips at ``tips`` (K, 2) px and ``reach`` (K,)
    radii out, close a loop of paper enclosed by what is darker than one of ``levels``
    (``ink`` the straightened page, uint8): the paper runs from the fill's overshoot
    out to within the loop's own line of the tip, and no farther than the tip. The
    reach is seen in steps of ``reach_step`` radii, out to ``reach_limit``: the tip
    lies up to a step past it, and an end that reaches the limit shows no tip.

    With ``legs``, which ends lie on the line of such a loop, however far past the end's
    reach its paper runs (out to a step past the limit): a loop's leg, seen where it
    leaves its end's direction short of the loop's apex, or followed as far as the reach
    is sampled. Enough to doubt that an X's end is a stroke's; a fill is read as looped
    only on the loops above. Paper a stroke closes against a printed line or letter lies
    on its line too: a doubt."""
    looped = np.zeros(len(tips), bool)
    if not len(tips):
        return looped
    # The loop's line: the broadest pen's, and the step its tip may lie past the reach.
    line = STROKE_MAX_MM * px_per_mm + reach_step * float(around.radii.max())
    # Where the loop leaves the fill: the outline, the broadest overshoot, a pixel of blur.
    leaves_by = 1.0 + OVERSHOOT_RADII + BLUR_PX / float(around.radii.min())
    broad = LOOP_HOLE_MIN_MM * px_per_mm
    # A leg's loop may run on past its own reach, as far as ink is followed.
    window = (reach_limit if legs else float(reach.max())) + reach_step
    for level in levels:
        for points, breadth in _enclosed_paper(ink, around, window, level):
            extent = _extent(points, around.center, around.radii, around.box)
            if (
                breadth < broad
                or extent.min() > leaves_by
                or not _clear_of(points, around, reach_step)
            ):
                continue  # a speck, paper away from the fill (a printed letter's bowl)
            near = np.hypot(*(points[None] - tips[:, None]).transpose(2, 0, 1)).min(axis=1)
            on_line = near <= line
            looped |= on_line if legs else on_line & (extent.max() <= reach + reach_step)
    return looped if legs else looped & (reach < reach_limit)


def _enclosed_paper(
    ink: np.ndarray, around: Around, reach: float, ink_at: float
) -> list[tuple[np.ndarray, float]]:
    """Each patch of paper enclosed by ink within ``reach`` radii of the bubble whose
    middle lies past its outline (the crescent a short fill leaves inside the outline,
    and paper within the fill, are no loop's): its boundary's points (P, 2) px on the
    page and its breadth (px, the broadest disc it holds)."""
    half = int(np.ceil(reach * float(around.radii.max()))) + 2
    x0, y0 = (int(round(float(c))) - half for c in around.center)
    if x0 < 0 or y0 < 0 or x0 + 2 * half > ink.shape[1] or y0 + 2 * half > ink.shape[0]:
        return []
    window = ink[y0 : y0 + 2 * half, x0 : x0 + 2 * half].astype(np.float32)
    inked = ((1.0 - window / around.paper) >= ink_at).astype(np.uint8)
    contours, hierarchy = cv2.findContours(inked, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    if hierarchy is None:
        return []
    from_ink = None  # how far each paper pixel lies from ink, once a patch asks
    holes = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if parent < 0:
            continue  # an outer boundary of ink, not paper within it
        points = contour[:, 0, :].astype(np.float32) + [x0, y0]
        middle = points.mean(axis=0, keepdims=True)
        if _extent(middle, around.center, around.radii, around.box)[0] < 1.0:
            continue
        if from_ink is None:
            from_ink = cv2.distanceTransform(1 - inked, cv2.DIST_L2, 3)
        x, y, width, height = cv2.boundingRect(contour)
        patch = np.zeros((height, width), np.uint8)
        cv2.drawContours(patch, [contour - [x, y]], 0, 1, cv2.FILLED)
        # A patch about n px across stands (n + 1) / 2 px from ink at most.
        breadth = 2 * float(from_ink[y : y + height, x : x + width][patch > 0].max()) - 1
        holes.append((points, breadth))
    return holes


def _extent(points: np.ndarray, center: np.ndarray, radii: np.ndarray, box: bool) -> np.ndarray:
    """(P,) how far out ``points`` (P, 2) px lie in a bubble's frame (a ``box``'s, or an
    ellipse's): 1 on its outline."""
    return np.sqrt(squared_extent((points - center) / radii, box))


def _clear_of(points: np.ndarray, around: Around, reach_step: float) -> bool:
    """Whether every point (P, 2) px lies clear of every neighbour's printed outline and
    of its mark: past where its ink runs out in the point's direction, by a reach step
    (paper closed in by a neighbour's mark, an X's arm running into this fill from it,
    is no loop of this fill's)."""
    for center, radii, box, reach in zip(
        around.neighbours,
        around.neighbour_radii,
        around.neighbour_boxes,
        around.neighbour_reach,
        strict=True,
    ):
        offsets = (points - center) / radii
        turn = np.arctan2(offsets[:, 1], offsets[:, 0]) % (2 * np.pi)
        direction = np.round(turn / (2 * np.pi) * len(reach)).astype(int) % len(reach)
        clear = np.maximum(NEIGHBOUR_CLEAR, reach[direction] + reach_step)
        if (np.sqrt(squared_extent(offsets, bool(box))) <= clear).any():
            return False
    return True
