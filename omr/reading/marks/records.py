"""What the mark reader hands on: the page's ink levels, every bubble's measurements,
the stroke ends that leave a bubble and each bubble's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from omr.reading.marks.reach import past_the_mark
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import MarkState


@dataclass(frozen=True)
class BubbleMeasure:
    """Measurements of every bubble, as arrays aligned with the bubble list.

    ``fill``, ``darkness``, ``ring``, ``rim`` : (N,) float32; ``printed`` : (N,)
    float32, the darkness the print alone gives bubbles of that size; ``tone`` : (N,)
    float32, the interior's 75th-percentile pixel darkness (the mark's ink where there
    is a mark); ``gaps`` : (N,) int; ``rim_profile`` : (N, 48) float32, the rim's
    darkness going round (on a bi-level scan, the print's look divided out); ``overlay``
    : (N,) float32, how much darker than the mark's own ink its darkest straight line
    across the interior is (a line drawn over the mark); ``reach`` : (N, 96) float32,
    radii reached by unbroken ink in each direction (0 where the interior at 0.6 radii
    is paper); ``ring_baseline`` : (N,) float32, the median ``ring`` of the blank bubbles
    of the same size (the same printed outline, digits printed inside or not);
    ``centers_px`` : (N, 2) float32 refined centres (x, y) in template-space px;
    ``at_search_limit`` : (N,) bool, the printed outline was found only at the edge of
    the local search (or beyond it): the page is not where registration put it;
    ``levels`` : the page's paper-to-pen levels the measurement used; ``neighbours``,
    ``radii_mm`` : as in :class:`layout.BubbleLayout`; ``centers_mm`` : (N, 2) the template's
    bubble centres; ``bridged`` : (N,) bool, a stroke joins the mark to a close
    neighbour (marked or blank) across the narrow gap between them, a neighbour that is
    no X (an X's arm runs on into the next bubble) (:mod:`omr.reading.marks.bridges`);
    ``boxes`` : (N,) bool, the bubbles that are boxes, whose radii (``reach``) run to
    the box's outline; ``ends`` : each bubble's
    :class:`StrokeEnds` (:func:`strokes.stroke_ends`), and ``beside`` : (N,) float32, for a
    bubble whose ends make an X with paper between its arms, the share of its interior
    beside the X's strokes that is ink (:mod:`omr.reading.marks.beside_strokes`; NaN
    elsewhere); ``crossing_inside`` : (N,) bool, for a bubble whose two ends are not one
    stroke's, or whose ends make an X only where ink is one pass of the pen or a reach
    sample short, the two strokes cross inside it near its centre, each darker than its
    fill on both sides of the crossing (an X, whose strokes :func:`strokes.stroke_ends`
    sets its neighbours' ends aside for, along its ``ends``); ``faint_ends`` : (N,) bool,
    a fill shows ends where ink is a single pass of the pen, beyond the reach of any
    neighbouring X's strokes
    (:func:`under_xs._faint_ends`); ``ring_traced``
    : (N, 48) bool, the outline's directions that carry more ink across them than the
    print (of which ``ring`` is the share); ``middle`` : (N,) float32, the share of the
    interior's middle (:data:`sampling.MIDDLE_RADIUS`) that is ink; ``looped`` : (N,) bool, every
    end a fill shows, at the ink threshold and at one pass of the pen, is a loop of the
    scribble that filled it, and ``x_of_scribble`` : (N,) bool, its ends make an X only
    with such loops among them (:func:`under_xs._looped`), or only as seen from the
    centre, the strokes under them running side by side, or as legs along the fill's own
    passes could all make them, the X showing no second stroke whole (a scribble's legs
    running out: :func:`under_xs._x_of_legs`); ``across`` : (N,) float32, as
    ``overlay`` for the lines that run across the fill's own passes (more than
    :data:`passes.PASSES_SPREAD_DEG` off them); ``short_ends`` : (N,) bool, the bubble
    shows no end at the ink threshold but ends a reach sample short (a tick's or a
    slash's tip barely leaving a fill's overshoot), where the page shows its pen, beyond
    the reach of any neighbouring X's strokes (:func:`under_xs._short_ends`);
    ``onward`` : (N,) bool, a pen's line lies alone past the middle of the gap between
    the bubble and a blank neighbour and stops short of its outline (``bridges``'
    onward line, not run on into the neighbour: :mod:`omr.reading.marks.run_on`);
    ``through`` : (N,) bool, such lines towards two neighbours on opposite sides, or one
    and a tip a reach sample short on the other side (:func:`under_xs._out_both_ways`).
    All twelve are left out (None) by a measure made by hand; the classifier then works
    ends out itself, has no pixels to look at, takes ``ring`` as it is, the middle as
    inked, no end as a loop, no line across a fill's passes, no end a sample short and no
    line onward, nor out both ways.
    ``labels_inside``: the template prints each bubble's label inside it (a form printed
    by others), which darkens its rim as a light stroke does."""

    fill: np.ndarray
    darkness: np.ndarray
    printed: np.ndarray
    tone: np.ndarray
    ring: np.ndarray
    rim: np.ndarray
    gaps: np.ndarray
    rim_profile: np.ndarray
    overlay: np.ndarray
    reach: np.ndarray
    centers_px: np.ndarray
    at_search_limit: np.ndarray
    ring_baseline: np.ndarray
    levels: InkLevels
    neighbours: np.ndarray
    centers_mm: np.ndarray
    radii_mm: np.ndarray
    bridged: np.ndarray
    boxes: np.ndarray
    ends: tuple[StrokeEnds, ...] | None = None
    beside: np.ndarray | None = None
    crossing_inside: np.ndarray | None = None
    faint_ends: np.ndarray | None = None
    ring_traced: np.ndarray | None = None
    middle: np.ndarray | None = None
    looped: np.ndarray | None = None
    x_of_scribble: np.ndarray | None = None
    across: np.ndarray | None = None
    short_ends: np.ndarray | None = None
    onward: np.ndarray | None = None
    through: np.ndarray | None = None
    labels_inside: bool = False

    @cached_property
    def past(self) -> np.ndarray:
        """(N, 96) radii each direction's ink runs past the mark (:func:`past_the_mark`),
        worked out once for the classifier and the reading's record."""
        return past_the_mark(self.reach)

    @cached_property
    def kinds(self) -> np.ndarray:
        """(N,) numbers from 0 of the bubbles' kinds: those of one size and shape (box or
        ellipse) share a printed outline, and the print that measure takes off."""
        shapes = np.column_stack([self.radii_mm, self.boxes])
        return np.unique(shapes, axis=0, return_inverse=True)[1].ravel()

    def misaligned_share(self) -> float:
        """Share of bubbles whose outline lies at the edge of the local search."""
        return float(self.at_search_limit.mean()) if self.at_search_limit.size else 0.0


@dataclass(frozen=True, slots=True)
class InkLevels:
    """This page's levels, as darkness relative to the paper (0 paper, 1 black).

    ``pen``: the darkness of the candidate's pen, from the page's marked bubbles (twice
    the calibration's ``ink_darkness`` when the page has too few); ``ink_at``: a pixel
    is ink from here, halfway from the paper to the pen, never under the paper's own
    grain nor the calibration's noise floor; ``smudge_at``: a blank bubble this dark is
    a smudge (the page's blank bubbles and their spread, at most the calibration's);
    ``stroke_at``: one stroke of the pen leaving a fill is ink from here
    (:func:`levels._single_stroke`, never under the paper's own grain; none where the page
    does not show its pen); ``measured``: the pen was measured on the page (not the
    calibration's default); ``pen_spread``: how far the marked bubbles' tones spread
    below ``pen`` (a standard deviation, from the median deviation of the lighter half:
    strokes drawn over a fill only darken it; NaN where no candidate's marks measured
    it, as on the calibration sheet); ``dithered``: the page is a bi-level scan's, its
    tones the density of a halftone's dots.
    """

    pen: float
    ink_at: float
    smudge_at: float
    stroke_at: float = np.inf
    measured: bool = True
    pen_spread: float = np.nan
    dithered: bool = False


@dataclass(frozen=True, slots=True)
class BubbleState:
    state: MarkState
    confidence: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class StrokeEnds:
    """What leaves one bubble: ``angles`` (degrees) and ``reach`` (radii) of each end of a
    stroke seen past the mark's own edge, whether they make an X, and whether ends were
    set aside as a neighbour's strokes (``borrowed``)."""

    angles: tuple[float, ...]
    reach: tuple[float, ...]
    is_x: bool
    borrowed: bool = False


# A bubble nothing leaves.
NO_ENDS = StrokeEnds((), (), False)
