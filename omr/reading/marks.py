"""Per-bubble measurement and classification into blank / filled / crossed / unclear.

All work happens in template space (:class:`omr.reading.template_space.TemplatePage`) and is
vectorised over bubbles of the same size: sample offsets are computed once per size,
then gathered for every bubble at once.

Ink is told from paper by this page's own levels: the paper next to each bubble, and the
darkness of the pen the candidate used, measured on the page's marked bubbles. A pixel
is ink when it is darker than halfway from that paper to that pen (a pencil sheet is read
by its pencil), never lighter than the noise floor of paper and scanner.

Measurements per bubble:

- ``fill``: share of the interior (a disc of 0.72 × the bubble radius, so the printed
  outline is excluded) that is ink, the print's own look at each point (the outline's
  blur, a bi-level scan's a halftone cell broader) divided out;
- ``darkness``: mean interior darkness relative to the paper (0 paper, 1 black);
- ``ring``: share of the outline itself as dark as the sheet's pen (the outline traced);
- ``rim``: share of the interior's edge (0.72 radii) that is ink (the print divided
  out, as for ``fill``), all round: a fill
  covers the interior to it; a centre dot or a half fill does not, nor a blob with paper
  all round it, however much of the interior it covers;
- ``gaps``: how many separate stretches of the interior's rim (0.62–0.7 radii), going
  round, are paper (under a fill's texture: a pencil fill's grain is not paper), told
  apart only by ink between them: a fill leaves none or one (a side it missed, however
  its edge wavers there), the strokes of an X over an empty circle two to four;
- ``reach``: for each of 96 directions (``REACH_DIRECTIONS``), how far ink runs without a
  break from inside the interior outwards, in radii (samples on a neighbour's footprint
  never count). Strokes
  that leave a bubble show as directions reaching further than the rest of the mark;
  ``ends`` and ``strokes`` say what they make (:func:`stroke_ends`);
- ``offset_px``: the local shift found by matching the printed outline (paper is never
  flat), shared by the bubbles of one question.

A box (``bubble.shape: box``) is measured in units of its own outline
(:mod:`omr.sheet.bubble_outline`): the reach, the samples across the outline, the probe
that finds it, the paper beside it and its neighbours' footprints follow the box, so a
fill reaching its corners reaches 1 radius in every direction and an X's arms leaving
through the corners are still ends. The interior, its rim and the chords across it stay
the inscribed ellipse's: every fill of a box covers them (a scribble rounds its corners),
and they lie further from a box's print than from a circle's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property, partial, reduce
from itertools import combinations
from typing import NamedTuple

import cv2
import numpy as np

from omr.reading.beside_strokes import (
    THIN_LINE_KEPT,
    V_PASSES_MIN,
    StrokesOver,
    ink_beside_strokes,
    strokes_cross_inside,
)
from omr.reading.bridges import OVERSHOOT_RADII, GapSamples, bridges, gap_samples, joined_bubbles
from omr.reading.loops import Around, looped_ends
from omr.reading.printed_inside import StoredPrint, without_print
from omr.reading.template_space import TemplatePage, gather, per_template
from omr.sheet.bubble_outline import BOX_CORNER, is_box, outline_scale, squared_extent
from omr.sheet.calibration import INTERIOR_RADIUS, Calibration
from omr.sheet.template import (
    MM_PER_PT,
    OPTION_LABEL_EM_SHARE,
    OPTION_LABEL_PT,
    Bubble,
    PrintLooks,
    SheetTemplate,
)
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import MarkState

# How far each question's printed outlines are looked for around where registration
# puts them: beyond what a registered page is still off by (a few tenths of a mm after
# the outline check), short of the narrowest gap between bubbles (1 mm on the residency
# grid), so that a neighbour's outline is never taken for a bubble's own.
SEARCH_MM = 0.8
BUBBLES_AT_ONCE = 64  # whose outline search is scored at once: 64 × 49 × 60 float32, 750 kB
# Directions and radii of the reach profile: from inside the interior to 2 radii, where
# the page's measured window ends (every X stroke that leaves a bubble passes there).
# 96 directions: 0.4 mm apart at 2 radii of the largest bubbles, so that the thinnest
# stroke (0.3 mm), widened by a direction on each side, is met at every radius.
REACH_DIRECTIONS = 96
REACH_STEP = 0.1
REACH_RADII = tuple(np.round(np.arange(0.6, 2.01, REACH_STEP), 2))
# A page's level is the median of its bubbles' own: of three, one odd bubble (a smudge
# among blanks, a tick among fills) leaves it on the other two; fewer measure nothing.
FEWEST_TO_MEDIAN = 3
# The median absolute deviation of normally spread values, times this, is their standard
# deviation: a spread that the few marked bubbles among the paper do not inflate.
MAD_TO_SIGMA = 1.4826
# Four deviations past its middle, a normal spread holds one value in thirty thousand: none
# of a page's few hundred bubbles. Within two lie 98 of a hundred: as plain as the
# page's own fills.
SPREAD_DEVIATIONS, PLAIN_DEVIATIONS = 4, 2
# Round the interior's rim (0.62–0.72 radii): 48 directions lie 0.16 mm apart on the largest
# bubbles, half the thinnest stroke, so that the paper between an X's strokes is seen.
RIM_DIRECTIONS = 48
# Neighbouring pairs whose footprints are sampled at once: each pair's (96, 15, 2) float64
# offsets are 23 kB, and a few temporaries of that size are alive at once (64: 8 MB).
PAIRS_AT_ONCE = 64
# The interior's rim (the printed outline starts past 0.8): a fill of 60 % of the
# interior reaches 0.77 radii, a felt-tip X over an empty circle leaves paper there.
RIM_RADII = (0.62, 0.7)
# Where the rim a fill must ink is sampled: the interior's edge (a fill covers the
# interior; a dot, however wide, stops inside it).
RIM_EDGE = INTERIOR_RADIUS
# A fill's texture (pencil grain, a dry pen's streaks) keeps its rim at least 40 % of the
# pen's darkness; the paper left between an X's strokes, blurred, stays under that.
RIM_TEXTURE_SHARE = 0.8
# The interior's middle (radii): half its own radius. A fill covers it as it covers the
# interior; a traced outline, however broad its line or the scan's blur, leaves it paper.
MIDDLE_RADIUS = INTERIOR_RADIUS / 2
# Across the printed outline, closer than the thinnest pen (0.3 mm: 0.1 radii) is wide.
OUTLINE_RADII = (0.86, 0.93, 1.0, 1.07, 1.14)
# Candidates overshoot a bubble (by up to a quarter of its radius), and half a felt-tip
# stroke (0.4 mm) and a pixel lie beyond that: a reach sample there may be a neighbour's
# ink, not a stroke leaving this bubble.
NEIGHBOUR_OVERSHOOT, NEIGHBOUR_STROKE_MM = 1 + OVERSHOOT_RADII, 0.5
# A printed outline, its line and the scan's blur: within a fifth of a radius of it.
PRINTED_OUTLINE_RADII = 0.2


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
    is paper); ``ring_baseline`` : (N,) float32, the median ``ring`` of the bubbles of
    the same size (the same printed outline, digits printed inside or not);
    ``centers_px`` : (N, 2) float32 refined centres (x, y) in template-space px;
    ``at_search_limit`` : (N,) bool, the printed outline was found only at the edge of
    the local search (or beyond it): the page is not where registration put it;
    ``levels`` : the page's paper-to-pen levels the measurement used; ``neighbours``,
    ``radii_mm`` : as in :class:`BubbleLayout`; ``centers_mm`` : (N, 2) the template's
    bubble centres; ``bridged`` : (N,) bool, a stroke joins the mark to a close
    neighbour (marked or blank) across the narrow gap between them, a neighbour that is
    no X (an X's arm runs on into the next bubble) (:mod:`omr.reading.bridges`);
    ``boxes`` : (N,) bool, the bubbles that are boxes, whose radii (``reach``) run to
    the box's outline; ``ends`` : each bubble's
    :class:`StrokeEnds` (:func:`stroke_ends`), and ``beside`` : (N,) float32, for a
    bubble whose ends make an X with paper between its arms, the share of its interior
    beside the X's strokes that is ink (:mod:`omr.reading.beside_strokes`; NaN
    elsewhere); ``crossing_inside`` : (N,) bool, for a bubble whose two ends are not one
    stroke's, or whose ends make an X only where ink is one pass of the pen, the two
    strokes cross inside it near its centre, each darker than its fill on both sides of
    the crossing (an X, whose strokes :func:`stroke_ends` sets its neighbours' ends
    aside for); ``faint_ends`` : (N,) bool, a fill shows ends where ink
    is a single pass of the pen, beyond the reach of any neighbouring X's strokes
    (:func:`_faint_ends`); ``ring_traced``
    : (N, 48) bool, the outline's directions that carry more ink across them than the
    print (of which ``ring`` is the share); ``middle`` : (N,) float32, the share of the
    interior's middle (:data:`MIDDLE_RADIUS`) that is ink; ``looped`` : (N,) bool, every
    end a fill shows, at the ink threshold and at one pass of the pen, is a loop of the
    scribble that filled it, and ``x_of_loops`` : (N,) bool, its ends make an X only
    with such loops among them (:func:`_looped`); ``across`` : (N,) float32, as
    ``overlay`` for the lines that run across the fill's own passes (more than
    :data:`PASSES_SPREAD_DEG` off them). All nine are left out (None) by a
    measure made by hand; the classifier then works ends out itself, has no pixels to
    look at, takes ``ring`` as it is, the middle as inked, no end as a loop and no line
    across a fill's passes."""

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
    x_of_loops: np.ndarray | None = None
    across: np.ndarray | None = None

    @cached_property
    def past(self) -> np.ndarray:
        """(N, 96) radii each direction's ink runs past the mark (:func:`past_the_mark`),
        worked out once for the classifier and the reading's record."""
        return past_the_mark(self.reach)

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
    (:func:`_single_stroke`, never under the paper's own grain; none where the page
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


def _frozen(array: np.ndarray) -> np.ndarray:
    """Cached sample offsets are shared between pages: make them read-only."""
    array.setflags(write=False)
    return array


@cache
def _outline_points(
    rx: float, ry: float, scale: float, count: int, box: bool = False
) -> np.ndarray:
    """(count, 2) offsets evenly round, ``scale`` times the outline out (an ellipse's of
    half-axes ``rx``, ``ry``, or a ``box``'s: :mod:`omr.sheet.bubble_outline`)."""
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    if box:
        scale = scale * outline_scale(angles)
    return _frozen(np.stack([np.cos(angles) * rx * scale, np.sin(angles) * ry * scale], axis=1))


def _pixel_grid(rx: float, ry: float, spare: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The whole-pixel offsets of the square round an ellipse of half-axes ``rx``,
    ``ry``, ``spare`` pixels wider on every side: (H, W, 2) their (x, y), and (H, W) bool
    those inside the ellipse."""
    span_x, span_y = int(np.ceil(rx)) + spare, int(np.ceil(ry)) + spare
    ys, xs = np.mgrid[-span_y : span_y + 1, -span_x : span_x + 1]
    inside = (xs / max(rx, 0.5)) ** 2 + (ys / max(ry, 0.5)) ** 2 <= 1.0
    return np.stack([xs, ys], axis=-1).astype(np.float32), inside


@cache
def _disc_points(rx: float, ry: float) -> np.ndarray:
    """(P, 2) the whole-pixel offsets inside an ellipse of half-axes ``rx``, ``ry``."""
    grid, inside = _pixel_grid(rx, ry)
    return _frozen(grid[inside])


@cache
def _interior_square(rx: float, ry: float) -> tuple[np.ndarray, np.ndarray]:
    """The square round an ellipse of half-axes ``rx``, ``ry`` with a pixel to spare:
    (H + 2, W + 2, 2) its offsets, and (H, W) bool the pixels within it that are
    :func:`_disc_points`, in its order."""
    grid, inside = _pixel_grid(rx, ry, spare=1)
    return _frozen(grid), _frozen(inside[1:-1, 1:-1])


@cache
def _polar_points(
    rx: float,
    ry: float,
    radii: tuple[float, ...],
    directions: int = REACH_DIRECTIONS,
    box: bool = False,
) -> np.ndarray:
    """(D, R, 2) offsets: ``directions`` evenly round × ``radii`` (in radii: times the
    outline out in each direction, an ellipse's or a ``box``'s)."""
    angles = np.linspace(0, 2 * np.pi, directions, endpoint=False)[:, None]
    scale = np.asarray(radii)[None, :]
    if box:
        scale = scale * outline_scale(angles)
    return _frozen(
        np.stack([np.cos(angles) * rx * scale, np.sin(angles) * ry * scale], -1).astype(np.float32)
    )


def _percentile(values: np.ndarray, q: float) -> np.ndarray:
    """``np.percentile(values, q, axis=-1)`` (linear) from a partial sort: the same values
    in a fraction of the time on the small rows measured here."""
    count = values.shape[-1]
    position = q / 100 * (count - 1)
    low = int(position)
    high = min(low + 1, count - 1)
    ordered = np.partition(values, (low, high), axis=-1)
    below = ordered[..., low].astype(np.float64)
    return below + (position - low) * (ordered[..., high] - below)


def _sum_last(values: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """``values.sum(-1, dtype=dtype)`` over a last axis of under 16 values, the same
    values without NumPy's cost per row: its pairwise summation adds fewer than 8 values
    in order, and 8 to 15 in eight running sums, paired off, then the rest in order."""
    count = values.shape[-1]
    assert count < 16, "longer rows are summed by NumPy in blocks"
    parts = [
        values[..., k] if dtype is None else values[..., k].astype(dtype) for k in range(count)
    ]
    if count < 8:
        return reduce(np.add, parts)
    pairs = [parts[k] + parts[k + 1] for k in range(0, 8, 2)]
    return reduce(np.add, parts[8:], (pairs[0] + pairs[1]) + (pairs[2] + pairs[3]))


def _mean_last(values: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """``values.mean(-1, dtype=dtype)`` over a last axis of under 16 values (a uint8
    ``values``: ``dtype`` float64, as NumPy takes), the same values (:func:`_sum_last`)."""
    return _sum_last(values, dtype) / values.shape[-1]


def _max_last(values: np.ndarray) -> np.ndarray:
    """``values.max(-1)`` over a short last axis, without NumPy's cost per row."""
    return reduce(np.maximum, (values[..., k] for k in range(values.shape[-1])))


def _darkness_percentiles(
    ordered: np.ndarray, paper: np.ndarray, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """``_percentile(1.0 - pixels / paper, q)`` for each of ``qs``, the same values from
    the (N, P) uint8 ``pixels`` sorted (``ordered``; darkness falls as a pixel brightens:
    the k-th darkest is the k-th brightest pixel's darkness); ``paper`` (N, 1)."""
    count = ordered.shape[-1]

    def darkness(rank: int) -> np.ndarray:
        return 1.0 - ordered[..., count - 1 - rank] / paper[..., 0]

    result = []
    for q in qs:
        position = q / 100 * (count - 1)
        low = int(position)
        below = darkness(low).astype(np.float64)
        result.append(below + (position - low) * (darkness(min(low + 1, count - 1)) - below))
    return result


# The print's own darkness at a point of a bubble (the outline's blur reaching in, on a
# bi-level scan a halftone cell further, most of the way to the interior's edge): its
# lower quartile over the bubbles of a size, a quarter of which at least are blank.
# Under print darker than PRINT_LOOK_MAX (a tenth of the light left) ink adds too little
# to be told: it is divided out only to there.
PRINT_LOOK_PERCENTILE, PRINT_LOOK_MAX = 25, 0.9
# A quartile is known to a few percent of the spread from a few hundred values: the
# print's look is taken over an even sample of at most this many bubbles of a size (a
# residency page holds a thousand; its quartile over all of them cost 5 ms a page).
PRINT_LOOK_SAMPLE = 256


def _without_print(darkness: np.ndarray) -> np.ndarray:
    """(N, ...) darkness of the same points of N bubbles of a size → the ink's own: the
    print's look at each point (:data:`PRINT_LOOK_PERCENTILE` over the bubbles) divided
    out, ink over print letting through the product of their lights."""
    if len(darkness) < FEWEST_TO_MEDIAN:
        return darkness
    points = darkness.reshape(len(darkness), -1)
    sample = points[:: -(-len(points) // PRINT_LOOK_SAMPLE)]
    look = _percentile(np.ascontiguousarray(sample.T), PRINT_LOOK_PERCENTILE)
    light = (1.0 - np.clip(look, 0.0, PRINT_LOOK_MAX)).astype(darkness.dtype)
    return (1.0 - (1.0 - points) / light).reshape(darkness.shape)


# The outline probe (radius, points): the printed line, 24 points round it (0.5 mm apart
# on the smallest bubbles), against the inside and the outside, each past the line's
# width and the scan's blur (0.2 radii); the outside short of the next bubble's outline
# on the residency grid's 1 mm gaps (1.5 radii of its 2 mm half-width).
PROBE_RING, PROBE_INSIDE, PROBE_OUTSIDE = (1.0, 24), (0.55, 12), (1.45, 24)
# The paper the outlines are scored against: the bright end of every bubble's outside
# points, which only an overshoot or an X's arm inks, on a few of a few bubbles' points.
OUTSIDE_PAPER_PERCENTILE = 90


@cache
def _outline_probe(rx: float, ry: float, box: bool) -> tuple[np.ndarray, np.ndarray]:
    """Points (P, 2) and weights (P,) scoring a printed outline (an ellipse's, or a
    ``box``'s) centred on them.

    The ring counts in full, the inside and the outside against it by half each: the
    weights sum to zero, so an even shadow or tint over the bubble scores nothing.
    """
    (ring, on_ring), (inner, inside), (outer, outside) = (
        (_outline_points(rx, ry, radius, count, box), count)
        for radius, count in (PROBE_RING, PROBE_INSIDE, PROBE_OUTSIDE)
    )
    weights = np.concatenate(
        [
            np.full(on_ring, 1 / on_ring),
            np.full(inside, -0.5 / inside),
            np.full(outside, -0.5 / outside),
        ]
    )
    return _frozen(np.concatenate([ring, inner, outer])), _frozen(weights.astype(np.float32))


@dataclass(frozen=True)
class Footprints:
    """Where a neighbour's print or mark may lie across a bubble's reach samples: for
    each pair (``own``, ``other``), sorted by ``own``, the (96, S) samples of ``own``
    inside ``other``'s footprint grown by an overshoot and half a stroke, packed 64 to a
    word (``inside``: (P, W) uint64, see :func:`_packed`); and for each bubble,
    (N, 96, S) its samples on print (``printed``): any neighbour's printed outline (which
    lie inside the footprints) and the option letters printed above the first rows
    (:func:`_on_option_letters`)."""

    own: np.ndarray
    other: np.ndarray
    inside: np.ndarray
    printed: np.ndarray

    def blocked(self, inked: np.ndarray, print_shows: bool, rows: np.ndarray) -> np.ndarray:
        """(R, 96, S) bool for the bubbles ``rows`` (R,) (sorted): samples on the
        footprint of a neighbour that holds ink (``inked``: (N,) bool), or, where the
        print is as dark as ink (``print_shows``: a form printed black, a gray scan), on
        print."""
        shape = self.printed.shape[1:]
        blocked = self.printed[rows] if print_shows else np.zeros((len(rows), *shape), bool)
        wanted = np.zeros(len(inked), bool)
        wanted[rows] = True
        chosen = inked[self.other] & wanted[self.own]
        own = self.own[chosen]
        if own.size:
            starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
            words = np.bitwise_or.reduceat(self.inside[chosen], starts, axis=0)
            bits = np.unpackbits(words.view(np.uint8), axis=1, count=int(np.prod(shape)))
            blocked[np.searchsorted(rows, own[starts])] |= bits.view(bool).reshape(-1, *shape)
        return blocked


def _packed(inside: np.ndarray) -> np.ndarray:
    """(P, ...) bool → (P, W) uint64: each row's bits in order, padded to whole words."""
    packed = np.packbits(inside.reshape(len(inside), int(np.prod(inside.shape[1:]))), axis=1)
    padding = -packed.shape[1] % 8
    return np.ascontiguousarray(np.pad(packed, ((0, 0), (0, padding)))).view(np.uint64)


@cache
def _neighbourhood(
    centers_mm: tuple[tuple[float, float], ...],
    sizes_mm: tuple[tuple[float, float], ...],
    boxes: tuple[bool, ...],
) -> tuple:
    """Each bubble's reach samples on a neighbour's footprint (:class:`Footprints`), and
    (N, N) bool: which neighbours' X strokes, 2.5 radii long, can reach the bubble's
    overshoot (the same stroke then leaves both).

    Parameters
    ----------
    centers_mm, sizes_mm : tuple of (x, y) and (width, height) in mm, one per bubble
    boxes : tuple of bool, one per bubble: a box (its radii reach √2 out at its corners)
    """
    centers = np.asarray(centers_mm, np.float64).reshape(-1, 2)
    radii = np.asarray(sizes_mm, np.float64).reshape(-1, 2) / 2
    box = np.asarray(boxes, bool).reshape(-1)
    biggest = radii.max(axis=1)
    biggest = np.where(box, BOX_CORNER * biggest, biggest)  # the farthest outline point
    reach = biggest * REACH_RADII[-1]
    grown = radii * NEIGHBOUR_OVERSHOOT + NEIGHBOUR_STROKE_MM
    near = np.concatenate(  # (N, N) by 128 rows: a thousand bubbles' differences are 16 MB
        [
            np.linalg.norm(centers[row : row + 128, None, :] - centers[None, :, :], axis=-1)
            < reach.max() + grown.max()
            for row in range(0, len(centers), 128)
        ]
    )
    np.fill_diagonal(near, False)
    pairs = np.argwhere(near)  # sorted by own
    shape = (REACH_DIRECTIONS, len(REACH_RADII))
    printed = np.zeros((len(centers), *shape), bool)
    touching, insides = [], []
    for start in range(0, len(pairs), PAIRS_AT_ONCE):
        chunk = pairs[start : start + PAIRS_AT_ONCE]
        own, other = chunk.T
        offset = _reach_points(centers[own], radii[own], box[own]) - centers[other, None, None, :]
        boxed = box[other, None, None]
        inside = squared_extent(offset / grown[other, None, None, :], boxed) <= 1.0
        radius = np.sqrt(squared_extent(offset / radii[other, None, None, :], boxed))
        # Each bubble's samples on any neighbour's outline (a chunk's owns are sorted).
        starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
        ring = np.abs(radius - 1.0) <= PRINTED_OUTLINE_RADII
        printed[own[starts]] |= np.logical_or.reduceat(ring, starts, axis=0)
        kept = inside.reshape(len(inside), -1).any(axis=1)
        touching.append(chunk[kept])
        insides.append(_packed(inside[kept]))
    touching_pairs = np.concatenate(touching) if touching else np.zeros((0, 2), np.intp)
    empty = np.zeros((0, *shape), bool)
    footprints = Footprints(
        _frozen(touching_pairs[:, 0]),
        _frozen(touching_pairs[:, 1]),
        _frozen(np.concatenate(insides) if insides else _packed(empty)),
        _frozen(printed),
    )
    rows = [_strokes_reaching(centers, biggest, start) for start in range(0, len(centers), 128)]
    return footprints, _frozen(np.concatenate(rows))


def _reach_points(centers: np.ndarray, radii: np.ndarray, box: np.ndarray) -> np.ndarray:
    """(n, 96, S, 2) mm: the reach samples of bubbles at ``centers`` (n, 2) of ``radii``
    (n, 2), both mm, boxes where ``box`` (n,)."""
    points = np.empty((len(centers), REACH_DIRECTIONS, len(REACH_RADII), 2))
    for size, boxed in {(tuple(size), bool(b)) for size, b in zip(radii, box, strict=True)}:
        alike = (radii == size).all(axis=1) & (box == boxed)
        points[alike] = centers[alike, None, None, :] + _polar_points(*size, REACH_RADII, box=boxed)
    return points


def _strokes_reaching(centers: np.ndarray, biggest: np.ndarray, start: int) -> np.ndarray:
    """For the bubbles ``start`` … ``start + 127`` (rows) against every bubble (whose
    outlines reach ``biggest`` (N,) mm out at most): whether its X strokes can reach the
    bubble's overshoot, bool (computed by rows: (N, N) float64 temporaries of a thousand
    bubbles would be 8 MB each)."""
    own = centers[start : start + 128]
    count = len(own)
    distance = np.linalg.norm(own[:, None, :] - centers[None, :, :], axis=-1)  # (n, N)
    # The closest a neighbour's X stroke (from its centre, 2.5 radii long, 25–65° from
    # the horizontal either way) comes to this bubble's centre.
    between = centers[None, :, :] - own[:, None, :]
    line = np.degrees(np.arctan2(between[..., 1], between[..., 0])) % 180
    off = np.minimum(_outside(line, X_SLANT_MIN_DEG), _outside(line, 180 - X_SLANT_MAX_DEG))
    slant = np.radians(off)
    length = X_REACH_MAX * biggest[None, :]
    along = distance * np.cos(slant)
    closest = np.where(
        along <= length,
        distance * np.sin(slant),
        np.hypot(along - length, distance * np.sin(slant)),
    )
    # ... and where it may pass: this bubble's overshoot and half a stroke, the stroke's
    # line shifted by its crossing, up to a third of the neighbour's radius off centre.
    closest_allowed = (
        NEIGHBOUR_OVERSHOOT * biggest[start : start + count, None]
        + NEIGHBOUR_STROKE_MM
        + X_OFF_CENTRE * biggest[None, :]
    )
    within = closest <= closest_allowed
    within[np.arange(count), start + np.arange(count)] = False
    return within


def _outside(angle: np.ndarray, low: float) -> np.ndarray:
    """Degrees from ``angle`` (0–180) to the slants ``low`` to ``low`` plus an X's range of
    slants (40°; 0 within)."""
    high = low + (X_SLANT_MAX_DEG - X_SLANT_MIN_DEG)
    return np.clip(np.maximum(low - angle, angle - high), 0.0, None)


# A printed outline stands 14–66 % of the paper's brightness above its inside and outside
# (the probe's score on blank bubbles of every form read, halftoned and drop-out gray
# scans included); a fill's edge or the scan's noise (under 1 %, averaged over the
# probe's 60 samples) moves it by a few %. A question's outlines move to a shifted place
# only when they gain 4 % of the paper per bubble there: under a third of the faintest
# print's contrast, above what ink beside the outline gives.
OUTLINE_GAIN_MIN = 0.04


def _refine_offsets(
    printed: Callable[[np.ndarray, np.ndarray], np.ndarray],
    centers: np.ndarray,
    group: _SizeGroup,
    rx: float,
    ry: float,
    search_px: int,
) -> np.ndarray:
    """Per-bubble shift (x, y) that best aligns the printed outline, shared per group.

    Parameters
    ----------
    printed : callable
        The printed channel at centres (N, 2) + offsets (..., 2) → (N, ...) uint8
        (:meth:`TemplatePage.sample_printed`).
    centers : (N, 2) float32 ndarray
        Bubble centres (x, y) in px.
    group : _SizeGroup
        Which of ``centers`` move together (the options of one question).

    Returns
    -------
    (N, 2) float32 ndarray
    """
    step = max(1, search_px // 3)
    span = range(-search_px, search_px + 1, step)
    shifts = np.array([(dx, dy) for dy in span for dx in span], np.float32)
    points, weights = _outline_probe(rx, ry, group.box)
    values = printed(centers, shifts[:, None, :] + points)  # (N, S, P) uint8
    zero = int(np.flatnonzero((shifts == 0).all(axis=1))[0])
    outside = values[:, zero, -PROBE_OUTSIDE[1] :].ravel()
    paper = float(_percentile(outside, OUTSIDE_PAPER_PERCENTILE)) or 255.0
    score = _scores(values, -weights / paper)  # (N, S): outline darkness
    order, starts, sizes = group.order, group.starts, group.sizes
    totals = np.add.reduceat(score[order], starts, axis=0)  # (G, S)
    best = np.argmax(totals, axis=1)
    gain = totals[np.arange(len(sizes)), best] - totals[:, zero]
    # Move only when the outline is clearly better aligned there.
    chosen = np.where(gain > OUTLINE_GAIN_MIN * sizes, best, zero)
    result = np.zeros_like(centers)
    result[order] = shifts[np.repeat(chosen, sizes)]
    return result


def _scores(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``values.astype(np.float32) @ weights``: (N, S, P) uint8 and (P,) → (N, S)
    float32, a few bubbles at a time (no float copy of every sample at once)."""
    scores = np.empty(values.shape[:-1], np.float32)
    for start in range(0, len(values), BUBBLES_AT_ONCE):
        rows = slice(start, start + BUBBLES_AT_ONCE)
        scores[rows] = values[rows].astype(np.float32) @ weights
    return scores


@cache
def _widening() -> tuple[int, ...]:
    """Directions to either side a stroke may drift by between each reach radius and the
    last: an X's strokes cross up to a third of a radius off the centre, so a stroke
    seen from the centre turns by asin(⅓ ÷ r) − asin(⅓ ÷ 2); one direction more for a
    stroke narrower than a direction's step."""
    last = np.arcsin(X_OFF_CENTRE / REACH_RADII[-1])
    drift = np.degrees(np.arcsin(np.minimum(X_OFF_CENTRE / np.asarray(REACH_RADII), 1)) - last)
    return tuple(int(v) for v in np.ceil(drift / STEP_DEG) + 1)


# Where a stroke's sides are looked at: past its widening just outside the outline
# (:func:`_widening` at 1 radius) and a felt-tip stroke's half-width there (2 steps).
SIDE_DIRECTIONS = (7, 8)


def _widened(inked: np.ndarray) -> np.ndarray:
    """(N, S, D) inked samples (radius by radius, going round), each also inked where a
    direction within its radius's :func:`_widening` is: each radius's samples dilated
    round the circle (a view of (S, N, D): each radius's (N, D) contiguous)."""
    most, directions = max(_widening()), inked.shape[-1]
    rows = inked.transpose(1, 0, 2)
    around = np.concatenate([rows[..., -most:], rows, rows[..., :most]], axis=-1).view(np.uint8)
    wide = np.empty((inked.shape[1], inked.shape[0], directions), bool)
    for radius, width in enumerate(_widening()):
        grown = cv2.dilate(around[radius], np.ones((1, 2 * width + 1), np.uint8))
        wide[radius] = grown[:, most : most + directions].view(bool)
    return wide.transpose(1, 0, 2)


def _reach_at(
    samples: np.ndarray, paper: np.ndarray, level: float, unmasked: np.ndarray
) -> np.ndarray:
    """(n, D) radii reached by unbroken ink ``level`` dark or more (relative to each
    bubble's ``paper`` (n, 1)) in the reach ``samples`` (n, S, D), where ``unmasked``
    (n, S, D) lets it be seen (:func:`_reached` of the :func:`_widened` ink)."""
    return _reached(_widened((samples < (paper * (1.0 - level))[..., None]) & unmasked))


def _reached(inked: np.ndarray) -> np.ndarray:
    """(N, S, D) inked samples → (N, D) the radius of the last of the unbroken run of ink
    from the first sample out (0 where the first is paper)."""
    # Radius by radius: the run's length, counted over contiguous (N, D) planes.
    run = inked[:, 0].copy()
    steps = run.astype(np.intp)
    for radius in range(1, inked.shape[1]):
        run &= inked[:, radius]
        steps += run
    return np.where(steps > 0, np.asarray(REACH_RADII)[steps - 1], 0.0)


# The chords a line over a fill is looked for along: every 7.5° (a straight stroke lies
# within 3.75° of one), 0.15 radii apart up to 0.3 off the centre (a stroke crossing
# off centre by a third of the radius lies within half a felt-tip line of one), and
# ±0.6 radii long, inside the interior (0.7), 9 samples along each.
CHORD_STEP_DEG, CHORD_OFFSETS = 7.5, (-0.3, -0.15, 0.0, 0.15, 0.3)
CHORD_HALF_LENGTH, CHORD_SAMPLES = 0.6, 9
# A hand fills a bubble in passes laid side by side, their overlaps darker lines along
# them: a line across the fill that runs another way is none of its passes. A hand's
# passes run within 15° of their mean (a zig-zag's legs, the hand's drift), which their
# edges' structure tensor finds within a chord step: lines further off are looked at.
PASSES_SPREAD_DEG = 15.0 + CHORD_STEP_DEG


@cache
def _chord_points(rx: float, ry: float) -> np.ndarray:
    """(120, 9, 2) offsets: 24 directions × 5 offsets of a straight line across the
    interior, 9 samples along each (all within 0.7 radii)."""
    chords = []
    for angle in np.radians(np.arange(0, 180, CHORD_STEP_DEG)):
        along = np.array([np.cos(angle), np.sin(angle)])
        across = np.array([-along[1], along[0]])
        for offset in CHORD_OFFSETS:
            t = np.linspace(-CHORD_HALF_LENGTH, CHORD_HALF_LENGTH, CHORD_SAMPLES)[:, None]
            chords.append((across * offset + t * along) * (rx, ry))
    return _frozen(np.asarray(chords, np.float32))


def _stroke_over(
    page: TemplatePage,
    centers: np.ndarray,
    rx: float,
    ry: float,
    paper: np.ndarray,
    interior: np.ndarray,
    ordered: np.ndarray,
    levels: InkLevels,
) -> tuple[np.ndarray, np.ndarray]:
    """(N,) twice: how much darker than the mark's own ink (the median of its inked
    pixels) the darkest straight line across each interior is, and the darkest that runs
    across the fill's own passes (more than ``PASSES_SPREAD_DEG`` off them,
    :func:`_passes_direction`): a stroke laid over a fill with the same pen is dye over
    dye, darker by the pen's darkness × its transmission. ``interior`` (N, P) is the
    darkness of the interior's pixels, ``ordered`` the pixels sorted (the darkest last)."""
    chords = 1.0 - gather(page.ink, centers, _chord_points(rx, ry)) / paper[..., None]
    count = interior.shape[-1]
    paper_pixels = (interior < levels.ink_at).sum(-1)
    middle = (paper_pixels + count - 1) // 2  # the inked pixels' median, by darkness
    own = (
        1.0 - np.take_along_axis(ordered, count - 1 - middle[:, None], axis=-1)[:, 0] / paper[:, 0]
    )
    lines = _mean_last(chords).reshape(len(centers), -1, len(CHORD_OFFSETS)).max(-1)
    passes = _passes_direction(page, centers, rx, ry)
    off = np.abs((_chord_directions(rx, ry) - passes[:, None] + 90.0) % 180.0 - 90.0)
    across = np.where(off > PASSES_SPREAD_DEG, lines, -np.inf).max(-1)
    return (lines.max(-1) - own).astype(np.float32), (across - own).astype(np.float32)


@cache
def _chord_directions(rx: float, ry: float) -> np.ndarray:
    """(24,) degrees (0–180, y down) each direction of :func:`_chord_points` runs on the
    page: an ellipse's chords are the circle's stretched."""
    angles = np.radians(np.arange(0, 180, CHORD_STEP_DEG))
    return _frozen(np.degrees(np.arctan2(np.sin(angles) * ry, np.cos(angles) * rx)) % 180.0)


def _passes_direction(page: TemplatePage, centers: np.ndarray, rx: float, ry: float) -> np.ndarray:
    """(N,) degrees (0–180, y down) the edges inside each interior run along: the
    dominant orientation of the structure tensor of its darkness (a fill's passes)."""
    square, inside = _interior_square(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
    patches = gather(page.ink, centers, square).astype(np.float32)  # (N, H + 2, W + 2)
    # Scharr's 3 × 3 weights (the most even in every direction of the small kernels),
    # over the patches stacked as one column: each patch's border, mixed with the next
    # patch's, is left out.
    column = patches.reshape(-1, patches.shape[-1])
    gradients = (cv2.Scharr(column, cv2.CV_32F, dx, 1 - dx) for dx in (1, 0))
    gx, gy = (g.reshape(patches.shape)[:, 1:-1, 1:-1][:, inside] for g in gradients)
    xx, yy, xy = (gx * gx).sum(-1), (gy * gy).sum(-1), (gx * gy).sum(-1)
    gradient = 0.5 * np.degrees(np.arctan2(2 * xy, xx - yy))  # across the passes
    return (gradient + 90.0) % 180.0


# The band a bubble's paper is read on: past the widest fill's overshoot (1.45 radii) and
# the outline's blur, short of the next bubble on our grids but the residency one, whose
# ellipses stand closer: 9 of the band's 64 points lie on or in its neighbours' outlines
# (3 on the national form's, 1 on the specialization sheet's), which the 75th percentile
# ignores with an X's arms beside them.
PAPER_BAND_RADII = (1.5, 1.8)


def _local_paper(
    ink: np.ndarray, centers: np.ndarray, rx: float, ry: float, box: bool
) -> np.ndarray:
    """(N,) paper brightness around each bubble, from the band just outside its outline
    (an ellipse's, or a ``box``'s).

    Scanners light a page unevenly and shadows fall along folds: the paper a bubble's
    ink is measured against is the paper next to it. The 75th percentile of the band
    ignores the arms of an X and a neighbour's overshoot (a quarter of the band at most).
    """
    band = np.concatenate([_outline_points(rx, ry, radius, 32, box) for radius in PAPER_BAND_RADII])
    paper = _percentile(gather(ink, centers, band), 75).astype(np.float32)
    return np.maximum(paper, 1.0)


@dataclass(frozen=True)
class _SizeGroup:
    """Bubbles of one size and outline (``box``: boxes, else ellipses): ``members``
    index the bubble list; ``order`` lists the positions in ``members`` question by
    question (the options that move together), the questions starting at ``starts``
    and ``sizes`` long."""

    size_mm: tuple[float, float]
    box: bool
    members: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray


@dataclass(frozen=True)
class BubbleLayout:
    """What measuring needs of a template's bubbles, derived once per template:
    ``bubbles`` in the order of every measurement array; ``footprints`` where the reach
    samples meet a neighbour's footprint; ``neighbours`` (N, N) bool, which neighbours'
    X strokes (2.5 radii) can reach a bubble's overshoot; ``radii_mm`` (N, 2) each
    bubble's half-width and half-height; ``boxes`` (N,) bool, the bubbles that are
    boxes; ``gaps`` where to look for a stroke between close bubbles; ``letter_rows``
    (K,) the bubbles whose reach samples meet an option letter printed above the first
    rows, and ``on_letters`` (K, 96, S) bool those samples (:func:`_on_option_letters`;
    also in ``footprints.printed``)."""

    bubbles: tuple[Bubble, ...]
    centers_mm: np.ndarray
    groups: tuple[_SizeGroup, ...]
    footprints: Footprints
    neighbours: np.ndarray
    radii_mm: np.ndarray
    boxes: np.ndarray
    gaps: GapSamples
    letter_rows: np.ndarray
    on_letters: np.ndarray
    printed_labels: tuple[str, ...] = ()  # the labels printed inside (print.labels_inside)
    printed_looks: PrintLooks | None = None  # their looks on the blank page (looks_inside)


@per_template
def bubble_layout(template: SheetTemplate, answers_only: bool = False) -> BubbleLayout:
    """The layout of every bubble of ``template`` (or of its answer bubbles alone)."""
    bubbles = tuple(template.answer_bubbles() if answers_only else template.all_bubbles)
    by_size: dict[tuple[tuple[float, float], bool], list[int]] = defaultdict(list)
    for index, bubble in enumerate(bubbles):
        by_size[(bubble.size_mm, is_box(bubble.shape))].append(index)
    groups = []
    for (size_mm, box), members in by_size.items():
        questions: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for position, member in enumerate(members):
            questions[(bubbles[member].field, bubbles[member].question)].append(position)
        sizes = np.array([len(positions) for positions in questions.values()])
        groups.append(
            _SizeGroup(
                size_mm,
                box,
                np.asarray(members),
                np.concatenate([np.asarray(positions) for positions in questions.values()]),
                np.concatenate([[0], np.cumsum(sizes)[:-1]]),
                sizes,
            )
        )
    centers_mm = tuple(b.center_mm for b in bubbles)
    sizes_mm = tuple(b.size_mm for b in bubbles)
    boxes = tuple(is_box(b.shape) for b in bubbles)
    centers = np.array(centers_mm, np.float32).reshape(-1, 2)
    radii = np.array(sizes_mm, np.float32).reshape(-1, 2) / 2
    box = _frozen(np.array(boxes, bool))
    letters = (
        [xy for block in template.question_blocks for _, xy in block.option_labels()]
        if template.print.option_letters_above
        else []
    )
    footprints, neighbours = _neighbourhood(centers_mm, sizes_mm, boxes)
    on_letters = _on_option_letters(
        np.array(letters, np.float64).reshape(-1, 2), centers, radii, box
    )
    letter_rows = np.flatnonzero(on_letters.any(axis=(1, 2)))
    if letter_rows.size:
        footprints = replace(footprints, printed=_frozen(footprints.printed | on_letters))
    return BubbleLayout(
        bubbles,
        centers,
        tuple(groups),
        footprints,
        neighbours,
        radii,
        box,
        gap_samples(centers_mm, sizes_mm, boxes),
        _frozen(letter_rows),
        _frozen(on_letters[letter_rows]),
        tuple(b.option for b in bubbles) if template.print.labels_inside else (),
        template.print.looks_inside,
    )


# A printed letter's edge blurred by the scan (0.15 mm either way) and a pixel of the
# page's straightening: a letter's box grown by this much holds its print.
LETTER_MARGIN_MM = 0.3


def _on_option_letters(
    letters: np.ndarray, centers: np.ndarray, radii: np.ndarray, box: np.ndarray
) -> np.ndarray:
    """(N, 96, S) bool: the reach samples of the bubbles at ``centers`` (N, 2) of ``radii``
    (N, 2), boxes where ``box``, that lie on an option letter whose baseline is centred at
    one of ``letters`` (L, 2), all mm (:meth:`QuestionBlock.option_labels`): the letter's
    box, three quarters of an em wide and tall, grown by :data:`LETTER_MARGIN_MM`."""
    on = np.zeros((len(centers), REACH_DIRECTIONS, len(REACH_RADII)), bool)
    if not len(letters):
        return on
    em = OPTION_LABEL_PT * MM_PER_PT
    half_width = OPTION_LABEL_EM_SHARE * em / 2 + LETTER_MARGIN_MM
    top, bottom = OPTION_LABEL_EM_SHARE * em + LETTER_MARGIN_MM, LETTER_MARGIN_MM
    reach = np.where(box, BOX_CORNER, 1.0) * radii.max(axis=1) * REACH_RADII[-1]
    offset = letters[None, :, :] - centers[:, None, :]  # (N, L, 2): each letter from each bubble
    near = (
        (np.abs(offset[..., 0]) <= reach[:, None] + half_width)
        & (offset[..., 1] <= reach[:, None] + top)  # a letter below the bubble
        & (offset[..., 1] >= -reach[:, None] - bottom)  # one above it
    )
    reaching = np.flatnonzero(near.any(axis=1))
    for index, points in zip(
        reaching, _reach_points(centers[reaching], radii[reaching], box[reaching]), strict=True
    ):
        for x, y in letters[near[index]]:
            on[index] |= (
                (np.abs(points[..., 0] - x) <= half_width)
                & (points[..., 1] >= y - top)
                & (points[..., 1] <= y + bottom)
            )
    return on


# A bubble's tone is its interior's 75th-percentile pixel: a fill's ink where the
# candidate's strokes overlap, not its streaks. Its grain, the 99th: the darkest a blank
# interior gets by itself (a few pixels of its hundreds); the page's grain is the
# median over its blank bubbles, so a speck of dust on one moves nothing.
TONE_PERCENTILE, GRAIN_PERCENTILE = 75, 99


def measure_bubbles(
    page: TemplatePage,
    layout: BubbleLayout,
    calibration: Calibration,
    levels: InkLevels | None = None,
) -> BubbleMeasure:
    """Measure every bubble of a straightened page.

    Parameters
    ----------
    page : TemplatePage
    layout : BubbleLayout
        The bubbles (:func:`bubble_layout`); the result's arrays follow their order.
    calibration : Calibration
    levels : InkLevels, optional
        Fixed levels (a calibration sheet's references are absolute tones, not a
        candidate's pen); by default the page's own (:func:`ink_levels`).
    """
    ppm = page.px_per_mm
    count = len(layout.bubbles)
    at_limit = np.zeros(count, bool)
    search_px = int(round(SEARCH_MM * ppm))
    centers = layout.centers_mm * np.float32(ppm)
    papers = np.ones(count, np.float32)
    groups = []
    for group in layout.groups:
        rx, ry = group.size_mm[0] * ppm / 2, group.size_mm[1] * ppm / 2
        index = group.members
        shifts = _refine_offsets(page.sample_printed, centers[index], group, rx, ry, search_px)
        at_limit[index] = np.abs(shifts).max(axis=1) >= search_px
        centers[index] += shifts
        paper = _local_paper(page.ink, centers[index], rx, ry, group.box)[:, None]
        papers[index] = paper[:, 0]
        groups.append((group, rx, ry, paper))
    if levels is None and layout.printed_labels:  # print inside bubbles: not the candidate's
        discs = [
            (g.members, _disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS), g.size_mm)
            for g, rx, ry, _ in groups
        ]
        looks = layout.printed_looks
        stored = StoredPrint(looks, papers, ppm) if looks else None
        ink = without_print(page.ink, centers, layout.printed_labels, discs, stored)
        page = replace(page, ink=ink)
    darkness = np.zeros(count, np.float32)
    tone = np.zeros(count, np.float32)
    grain = np.zeros(count, np.float32)
    interiors = []  # per group: the interior's darkness, and its pixels sorted
    for group, rx, ry, paper in groups:
        disc = _disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
        pixels = gather(page.ink, centers[group.members], disc)
        interior = 1.0 - pixels / paper
        darkness[group.members] = np.clip(interior, 0.0, 1.0).mean(-1)
        ordered = np.sort(pixels, axis=-1, kind="stable")  # a radix sort of bytes
        tone[group.members], grain[group.members] = _darkness_percentiles(
            ordered, paper, (TONE_PERCENTILE, GRAIN_PERCENTILE)
        )
        interiors.append((interior, ordered))
    # What the print alone darkens (digits printed inside, a black outline's blur): the
    # lower quartile of each size's bubbles, of which at least a quarter are blank. Fixed
    # levels measure absolute tones: against the paper itself.
    printed = np.zeros(count, np.float32)
    sees_print = levels is None  # the page's own levels: its print measured on it
    if levels is None:
        for group in layout.groups:
            printed[group.members] = np.percentile(darkness[group.members], PRINT_LOOK_PERCENTILE)
        levels = ink_levels(darkness - printed, tone, grain, calibration)
    levels = replace(levels, dithered=page.halftone_cell_mm > 0)
    fill = np.zeros(count, np.float32)
    rim = np.zeros(count, np.float32)
    gaps = np.zeros(count, np.int64)
    rim_profile = np.zeros((count, RIM_DIRECTIONS), np.float32)
    overlay = np.zeros(count, np.float32)
    across_passes = np.zeros(count, np.float32)
    reach = np.zeros((count, REACH_DIRECTIONS), np.float32)
    faint_reach = np.zeros((count, REACH_DIRECTIONS), np.float32)
    outlines: list[tuple[np.ndarray, np.ndarray]] = []
    middle = np.zeros(count, np.float32)
    for (group, rx, ry, _), (interior, _) in zip(groups, interiors, strict=True):
        own = _without_print(interior) if sees_print else interior
        inked = own >= levels.ink_at
        fill[group.members] = inked.mean(-1)
        disc = _disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
        central = np.hypot(disc[:, 0] / rx, disc[:, 1] / ry) <= MIDDLE_RADIUS
        middle[group.members] = inked[:, central].mean(-1)
    holds_ink = fill > calibration.blank_max_fill
    fill_like = fill >= calibration.filled_min_fill_floor  # the least a fill is read at
    for group, rx, ry, paper in groups:
        outline = _polar_points(rx, ry, OUTLINE_RADII, RIM_DIRECTIONS, group.box)
        across = gather(page.ink, centers[group.members], outline)
        outlines.append((group.members, 1.0 - across / paper[..., None]))  # (N, 48, R) darkness
    reached = np.flatnonzero(fill > 0)
    print_darkness = _print_darkness(outlines, holds_ink)
    print_shows = _print_shows_at(print_darkness, levels.ink_at)
    clear = ~layout.footprints.blocked(holds_ink, print_shows, reached)
    # An option letter printed above a first row is print, set aside as print is where it
    # shows as dark as ink; a fill's overshoot runs on into it through the blur, and at
    # one pass of the pen even a lighter print is that dark: there it is set aside always.
    faint_clear = clear
    lettered = np.isin(reached, layout.letter_rows)
    if not print_shows and lettered.any():
        faint_clear = clear.copy()
        letters = np.searchsorted(layout.letter_rows, reached[lettered])
        faint_clear[lettered] &= ~layout.on_letters[letters]
    clear, faint_clear = clear.transpose(0, 2, 1), faint_clear.transpose(0, 2, 1)
    for (group, rx, ry, paper), (interior, ordered) in zip(groups, interiors, strict=True):
        index = group.members
        over = fill[index] > calibration.blank_max_fill
        if over.any():
            overlay[index[over]], across_passes[index[over]] = _stroke_over(
                page,
                centers[index[over]],
                rx,
                ry,
                paper[over],
                interior[over],
                ordered[over],
                levels,
            )
        # The rim's band, and the interior's edge: a fill covers the interior to its edge.
        polar = gather(
            page.ink,
            centers[index],
            _polar_points(rx, ry, (*RIM_RADII, RIM_EDGE), RIM_DIRECTIONS),
        )
        edge = 1.0 - polar[..., -1] / paper
        rim[index] = ((_without_print(edge) if sees_print else edge) >= levels.ink_at).mean(-1)
        # The rim's darkness going round, across its band: its paper stretches and its ink.
        rim_darkness = 1.0 - _mean_last(polar[..., :-1], np.float64) / paper
        if sees_print and page.halftone_cell_mm:
            rim_darkness = _without_print(rim_darkness)
        rim_profile[index] = rim_darkness
        gaps[index] = _paper_stretches(rim_darkness, levels.ink_at)
        marked = index[fill[index] > 0]
        if marked.size:
            # Radius by radius (N, S, D): going round is the inner axis.
            points = _polar_points(rx, ry, REACH_RADII, box=group.box).transpose(1, 0, 2)
            samples = gather(page.ink, centers[marked], points)
            marked_paper = paper[fill[index] > 0]
            rows = np.searchsorted(reached, marked)
            reach[marked] = _reach_at(samples, marked_paper, levels.ink_at, clear[rows])
            # A fill's strokes seen at one pass of the pen (only a fill may be read filled).
            fills = fill_like[marked]
            if np.isfinite(levels.stroke_at) and fills.any():
                faint_reach[marked[fills]] = _reach_at(
                    samples[fills], marked_paper[fills], levels.stroke_at, faint_clear[rows[fills]]
                )
    cells = [_directions_per_cell(page.halftone_cell_mm, rx / ppm) for _, rx, _, _ in groups]
    ring, ring_baseline, traced = _rings(
        outlines,
        cells,
        fill,
        count,
        levels,
        calibration.blank_max_fill,
        calibration.traced_ring_excess,
    )
    joins = bridges(
        page,
        centers,
        papers,
        holds_ink,
        fill_like,
        layout.gaps,
        levels.ink_at,
        levels.stroke_at,
        levels.pen,
    )
    measure = BubbleMeasure(
        fill,
        darkness,
        printed,
        tone,
        ring,
        rim,
        gaps,
        rim_profile,
        overlay,
        reach,
        centers,
        at_limit,
        ring_baseline,
        levels,
        layout.neighbours,
        layout.centers_mm,
        layout.radii_mm,
        np.zeros(count, bool),  # joined once the X's are known (_under_the_xs)
        layout.boxes,
        ring_traced=traced,
        middle=middle,
        across=across_passes,
    )
    return _under_the_xs(measure, page, papers, calibration, faint_reach, print_darkness, joins)


def _under_the_xs(
    measure: BubbleMeasure,
    page: TemplatePage,
    papers: np.ndarray,
    calibration: Calibration,
    faint_reach: np.ndarray,
    print_darkness: float,
    joins: np.ndarray,
) -> BubbleMeasure:
    """``measure`` with its stroke ends, the ink beside the strokes of each X whose rim
    shows paper between its arms (the only X's the classifier asks about), whether
    the two strokes of each V cross inside its fill, or of each X seen only where ink
    is one pass of the pen (``faint_reach``: a light pen's arms fade outside the fill;
    asked first, its ends at the ink threshold may show a V of its arms), or of each
    whose ends make an X only with a neighbouring X's stroke running in, and which
    fills show ends at one pass of the pen (:func:`_faint_ends`). Where V's cross
    inside, the ends are worked out again with them among the X's (:func:`stroke_ends`).
    Of the strokes ``joins`` found across the gaps between close bubbles
    (:func:`~omr.reading.bridges.bridges`), one to a neighbouring X is that X's arm, and
    joins nothing (``bridged``)."""
    ends = stroke_ends(measure, calibration)
    faint = _ends_at_one_pass(measure, faint_reach, calibration)
    beside = np.full(len(ends), np.nan, np.float32)
    crossing = np.zeros(len(ends), bool)
    ppm = page.px_per_mm
    levels = measure.levels
    over_fill = partial(_pass_over_fill, levels.pen)
    for index, strokes in enumerate(ends):
        passes_min = V_PASSES_MIN
        if strokes.is_x:
            profile = measure.rim_profile[index]
            if not _paper_between_arms(profile, strokes.angles, levels.pen, calibration):
                continue
        elif not levels.measured:
            continue  # a pen the page does not show: no pass of it to compare
        elif faint[index].is_x and (one_of_each := _one_end_of_each_stroke(faint[index])):
            # An X in a light pen whose arms fade outside the fill (some may show as a
            # V): one end of each of its strokes, seen at one pass of the pen.
            strokes, passes_min = one_of_each, FAINT_X_PASSES_MIN
        elif _is_v(strokes.angles):
            pass  # a V: do its strokes cross inside?
        elif strokes.borrowed and (one_of_each := _one_end_of_each_stroke(strokes)):
            # Ends set aside as a neighbour's X strokes (as where they made an X only
            # with such an end: the doubt of stroke_ends): are two of them the fill's
            # own strokes, crossing inside it?
            strokes = one_of_each
        else:
            continue  # no V: not two ends, or the two ends of one stroke
        rx, ry = (float(r) for r in measure.radii_mm[index] * ppm)
        seen = StrokesOver(
            page.ink,
            measure.centers_px[index],
            _disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS),
            _tips(measure, index, strokes, ppm),
            X_OFF_CENTRE * max(rx, ry),
            float(papers[index]),
            ppm,
        )
        if strokes.is_x:
            beside[index] = ink_beside_strokes(seen, levels.ink_at)
        else:
            crossing[index] = strokes_cross_inside(seen, levels.ink_at, over_fill, passes_min)
    # X's seen as V's send their strokes into their neighbours too (a second pass); each
    # V keeps the ends its crossing was looked for at.
    first = ends
    measure = replace(measure, ends=tuple(first), crossing_inside=crossing)
    if crossing.any():
        ends = stroke_ends(measure, calibration)
        ends = [first[k] if crossing[k] else strokes for k, strokes in enumerate(ends)]
    measure = replace(
        measure, ends=tuple(ends), beside=beside, faint_ends=_faint_ends(measure, faint, ends)
    )
    looped, x_of_loops = _looped(measure, page, papers, faint, calibration, print_darkness)
    _, x_like = _xs_read(ends, looped, x_of_loops, crossing)
    return replace(
        measure,
        looped=looped,
        x_of_loops=x_of_loops,
        bridged=joined_bubbles(joins, len(ends), set_aside=x_like),
    )


def _xs_read(
    ends: Sequence[StrokeEnds],
    looped: np.ndarray,
    x_of_loops: np.ndarray,
    crossing_inside: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bool twice: the bubbles the classifier reads as X's (their ends make one,
    not of a scribble's loops: ``looped``, ``x_of_loops``), and those with the V's whose
    strokes cross inside their fill (``crossing_inside``): the X's whose strokes run on
    into their neighbours."""
    is_x = np.array([strokes.is_x for strokes in ends], bool) & ~looped & ~x_of_loops
    return is_x, is_x | crossing_inside


def _looped(
    measure: BubbleMeasure,
    page: TemplatePage,
    papers: np.ndarray,
    faint: list[StrokeEnds],
    calibration: Calibration,
    print_darkness: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bool twice: the fills whose every end, seen at the ink threshold
    (``measure.ends``) and at one pass of the pen (``faint``: there the paper a loop
    encloses may be seen at either level), closes a loop of paper past the outline
    (:mod:`omr.reading.loops`); and the X's whose ends make one only with ends on a
    loop's line among them (a loop's legs, seen short of its apex, and a loop followed
    as far as the reach is sampled, count: unmade, an X is a doubt). Only fills that no
    other X reaches are asked, and no V whose strokes cross inside its fill. A fill is
    read as looped only at levels the page's print (``print_darkness``,
    :func:`_print_darkness`) does not show at: a printed line, a letter or a number
    beside a bubble closes paper with a tick's two arms as a loop does, and a tick read
    `filled` is a silent error; an X is unmade at the ink threshold whatever the print
    (a doubt, never a wrong reading). None on a bi-level scan, nor where the page does
    not show its pen."""
    levels = measure.levels
    looped, unmade = np.zeros(len(faint), bool), np.zeros(len(faint), bool)
    if levels.dithered or not levels.measured or measure.ends is None:
        return looped, unmade
    unprinted = tuple(
        level
        for level in (levels.stroke_at, levels.ink_at)
        if not _print_shows_at(print_darkness, level)
    )
    ends = measure.ends
    is_x = np.array([strokes.is_x for strokes in ends], bool)
    has_ends = np.array([bool(a.angles or b.angles) for a, b in zip(ends, faint, strict=True)])
    asked = (
        (measure.fill >= calibration.filled_min_fill_floor)
        & ~_reached_by_an_x(measure, _x_like_at_either_level(measure, ends, faint))
        & ~_given(measure.crossing_inside, len(ends))
        & has_ends
        # Where the print shows, only an X can be asked anything (whether it is unmade).
        & (is_x | (levels.ink_at in unprinted))
    )
    ppm = page.px_per_mm
    for index in np.flatnonzero(asked).tolist():
        near = np.flatnonzero(measure.neighbours[index])
        around = Around(
            measure.centers_px[index],
            measure.radii_mm[index] * ppm,
            bool(measure.boxes[index]),
            float(papers[index]),
            measure.centers_px[near],
            measure.radii_mm[near] * ppm,
            measure.boxes[near],
            measure.reach[near],
        )
        own = ends[index]
        loops = _ends_looped(page, measure, around, index, own, (levels.ink_at,))
        if own.is_x:  # every loop's end lies on its line (the page's edge cuts no window)
            legs = loops | _ends_looped(
                page, measure, around, index, own, (levels.ink_at,), legs=True
            )
            kept = tuple(angle for angle, leg in zip(own.angles, legs, strict=True) if not leg)
            unmade[index] = bool(legs.any()) and not _makes_x(kept)
        looped[index] = (
            levels.ink_at in unprinted
            and bool(loops.all())
            and bool(_ends_looped(page, measure, around, index, faint[index], unprinted).all())
        )
    return looped, unmade


def _ends_looped(
    page: TemplatePage,
    measure: BubbleMeasure,
    around: Around,
    index: int,
    strokes: StrokeEnds,
    seen_at: tuple[float, ...],
    legs: bool = False,
) -> np.ndarray:
    """(K,) bool: which of bubble ``index``'s ends (``strokes``) close a loop of paper
    seen at one of the levels ``seen_at`` (:func:`omr.reading.loops.looped_ends`; with
    ``legs``, lie on one's line)."""
    return looped_ends(
        page.ink,
        around,
        _tips(measure, index, strokes, page.px_per_mm),
        np.asarray(strokes.reach),
        seen_at,
        page.px_per_mm,
        REACH_STEP,
        REACH_RADII[-1],
        legs,
    )


def _tips(measure: BubbleMeasure, index: int, strokes: StrokeEnds, ppm: float) -> np.ndarray:
    """(K, 2) float32 page px (``ppm`` px per mm): where each of bubble ``index``'s ends
    stops (the refined centre, the ends' reach)."""
    ends_mm = [
        reach * _towards(measure, index, angle)
        for angle, reach in zip(strokes.angles, strokes.reach, strict=True)
    ]
    return (measure.centers_px[index] + np.reshape(ends_mm, (-1, 2)) * ppm).astype(np.float32)


# An X seen where ink is one pass of the pen (two strokes' ends, its arms faded outside
# the fill) asks its strokes over the fill only to run there: darker than the fill
# beside them by half a thin pass, midway between no stroke and a stroke (a V asks a
# whole one: ``V_PASSES_MIN``).
FAINT_X_PASSES_MIN = 0.5


def _ends_at_one_pass(
    measure: BubbleMeasure, faint_reach: np.ndarray, calibration: Calibration
) -> list[StrokeEnds]:
    """The stroke ends of every bubble where ink is one pass of the pen (``faint_reach``,
    (N, 96)); none where no ink runs that far."""
    if not faint_reach.any():
        return [StrokeEnds((), (), False)] * len(faint_reach)
    return stroke_ends(replace(measure, reach=faint_reach), calibration)


def _one_end_of_each_stroke(strokes: StrokeEnds) -> StrokeEnds | None:
    """Two of an X's ``strokes`` ends that are no stroke's two ends, one of each stroke;
    None where every two are opposite (an X its short ends complete, seen as one)."""
    pairs = list(zip(strokes.angles, strokes.reach, strict=True))
    for (angle, reach), (other, other_reach) in combinations(pairs, 2):
        if not _opposite(angle, other):
            return StrokeEnds((angle, other), (reach, other_reach), False)
    return None


def _traced_outlines(
    measure: BubbleMeasure,
    ends: Sequence[StrokeEnds],
    x_like: np.ndarray,
    blank: np.ndarray,
    calibration: Calibration,
) -> np.ndarray:
    """(N,) bool: the ``blank`` bubbles whose outline is traced, its share (``ring``)
    past its size's by ``traced_ring_excess``; beside an X (``x_like``, (N,) bool: its
    ends make one, or its V crosses inside), without the directions where the line of
    one of its strokes crosses the outline.

    An X's stroke running on into a neighbour crosses its outline: there the outline
    carries a pen's line more than the print, as a traced one does all round. Beside an
    X only the directions no such stroke explains count (out of all of them: a traced
    outline beside an X still shows traced everywhere else)."""
    excess = calibration.traced_ring_excess
    traced = blank & ((measure.ring - measure.ring_baseline).astype(np.float64) >= excess)
    if measure.ring_traced is None:
        return traced
    candidates = np.flatnonzero(traced)
    asked = candidates[(measure.neighbours[candidates] & x_like).any(axis=1)]
    angles = np.arange(RIM_DIRECTIONS) * 360 / RIM_DIRECTIONS
    for index in asked.tolist():
        strokes = [
            stroke
            for other in np.flatnonzero(measure.neighbours[index] & x_like).tolist()
            for stroke in _strokes_of(measure, other, ends[other].angles).seen
        ]
        crossed = [
            any(_on_stroke(_tip(measure, index, angle, 1.0), stroke) for stroke in strokes)
            for angle in angles
        ]
        share = np.float32((measure.ring_traced[index] & ~np.array(crossed)).mean())
        traced[index] = float(share - measure.ring_baseline[index]) >= excess
    return traced


def _faint_ends(
    measure: BubbleMeasure, faint: list[StrokeEnds], ends: list[StrokeEnds]
) -> np.ndarray:
    """(N,) bool: the bubbles whose ends seen where ink is one pass of the pen
    (``faint``, :func:`_ends_at_one_pass`) leave the mark as its ends do at the ink
    threshold, but for those a neighbouring X's strokes may reach.

    A single stroke is lighter than a fill (:func:`_single_stroke`): a tick or a line
    over a fill in a light pen, or in pencil, fades under the ink threshold outside it
    and leaves no end there. Beside an X, a fill's faint reach runs into the X's own
    strokes (their tails fade too, past where the X's ends were seen, bowed, off its
    centre): of a bubble that an X (seen at either level, or a V crossing inside) can
    reach, only the ends that stop beyond the reach of every such X's strokes count
    (:func:`_beyond_the_xs`: an X's arms run 2.5 radii from its centre, its crossing a
    third of a radius off it, half a felt-tip stroke to either side): a slash's upper end
    above an X whose arm runs into its lower one.
    """
    x_like = _x_like_at_either_level(measure, ends, faint)
    result = np.array([bool(strokes.angles) for strokes in faint], bool)
    for index in np.flatnonzero(result & _reached_by_an_x(measure, x_like)).tolist():
        xs = np.flatnonzero(measure.neighbours[index] & x_like)
        tips = [
            _tip(measure, index, angle, reach)
            for angle, reach in _pairs((faint[index].angles, faint[index].reach))
        ]
        result[index] = bool(_beyond_the_xs(measure, xs, np.array(tips)).any())
    return result


def _beyond_the_xs(measure: BubbleMeasure, xs: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(K,) bool: which of ``points`` (K, 2) mm lie beyond the reach of every stroke the
    X's on bubbles ``xs`` may draw, seen or hidden (:func:`_strokes_of`): farther from
    each one's centre than the far corner of its strokes' bands."""
    length, width = _x_strokes_extent(measure, xs)
    reach = np.hypot(length + width, width)  # (X,)
    apart = np.linalg.norm(points[:, None, :] - measure.centers_mm[xs][None], axis=-1)
    return (apart > reach[None]).all(axis=1)


def _x_strokes_extent(measure: BubbleMeasure, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(K,) mm twice: how long the strokes of X's on bubbles ``xs`` run from their centre
    (2.5 radii; a box's radii reach its corners), and how far to either side of the
    line to an end a stroke it hides may lie (half a felt-tip stroke and a pixel, and a
    third of a radius for an off-centre crossing)."""
    biggest = measure.radii_mm[xs].max(axis=1).astype(np.float64)
    length = X_REACH_MAX * biggest * np.where(measure.boxes[xs], BOX_CORNER, 1.0)
    return length, NEIGHBOUR_STROKE_MM + X_OFF_CENTRE * biggest


def _x_like_at_either_level(
    measure: BubbleMeasure, ends: Sequence[StrokeEnds], faint: Sequence[StrokeEnds]
) -> np.ndarray:
    """(N,) bool: the bubbles whose ends make an X at the ink threshold (``ends``) or at
    one pass of the pen (``faint``), or whose V's strokes cross inside their fill."""
    is_x = np.array([a.is_x or b.is_x for a, b in zip(ends, faint, strict=True)], bool)
    return is_x | _given(measure.crossing_inside, len(ends))


def _given(flags: np.ndarray | None, count: int) -> np.ndarray:
    """(count,) bool: ``flags``, or none set where a measure made by hand left them out."""
    return np.zeros(count, bool) if flags is None else flags.astype(bool)


def _reached_by_an_x(measure: BubbleMeasure, is_x: np.ndarray) -> np.ndarray:
    """(N,) bool: the bubbles that a stroke of an X (``is_x``, (N,) bool) can reach."""
    return (measure.neighbours & is_x[None, :]).any(axis=1)


def _overlay_at(measure: BubbleMeasure, plain_fills: np.ndarray) -> np.ndarray:
    """(N,) how much darker than a fill a line across it must be to count, where no
    stroke is seen leaving it: a line as dark as the fill drawn over it, the pen's
    darkness times the light the fill lets through (never less than a scanner's flat
    field tells apart), three quarters of it; none where the page does not show its pen.
    The darkest of 120 chords across a fill must stand above the fill's own streaks: a
    single pass (:func:`_pass_over_fill`) is looked for only along the strokes seen
    leaving it.

    A thin line keeps two thirds of its darkening under the scan's blur
    (``THIN_LINE_KEPT``), and a tick's or a slash's is one pass of the pen, lighter than
    a fill-dark layer: down to what one thin pass keeps over the page's fill
    (:func:`_pass_over_fill`), a line counts where it stands out of the fills of its
    size on this page (``plain_fills``, (N,) bool) as none of their streaks does,
    ``LINE_DEVIATIONS`` of their spread past their middle. Not on a bi-level scan:
    there a fill's chords vary with its halftone's dots, which no spread of a few
    hundred fills bounds, and a line over a fill is black on black."""
    levels = measure.levels
    if not levels.measured:
        return np.full(len(plain_fills), np.inf)
    line_at = _line_at(levels)
    if levels.dithered:
        return np.full(len(plain_fills), line_at)
    streaks_at = _out_of_the_fills(measure, measure.overlay, plain_fills)
    thin_pass = _thin_pass_over_fill(levels.pen)
    return np.where(np.isnan(streaks_at), line_at, np.clip(streaks_at, thin_pass, line_at))


def _line_across_passes(measure: BubbleMeasure, plain_fills: np.ndarray) -> np.ndarray:
    """(N,) bool: a line running across a fill's own passes (``measure.across``) stands
    out of this page's fills of its size (``plain_fills``, (N,) bool), down to what a
    scan tells from its flat field (``SMUDGE_ABOVE_PAPER``). Across its passes a fill
    has no overlaps of its own to darken a line, and a tick's short arm darkens only part
    of a chord, lighter than one pass (:func:`_overlay_at`'s floor); a line past a
    fill-dark layer :func:`_overlay_at` takes anyway (that ceiling wins where it lies
    under the floor: a pen nearly black or nearly paper). The fills' spread is also read off
    their upper tail (:func:`_out_of_the_fills`): a scan that renders most fills as dark
    as it can shows no line across them at all, and the few it shows mottled then
    decide. No bubble on a page that does not show its pen, on a bi-level scan
    (:func:`_overlay_at`), nor among too few fills of its size to tell how their lines
    vary."""
    levels = measure.levels
    if measure.across is None or not levels.measured or levels.dithered:
        return np.zeros(len(plain_fills), bool)
    across_at = _out_of_the_fills(measure, measure.across, plain_fills, upper_tail=True)
    clipped = np.clip(across_at, SMUDGE_ABOVE_PAPER, _line_at(levels))
    return ~np.isnan(across_at) & (measure.across.astype(np.float64) >= clipped)


def _line_at(levels: InkLevels) -> float:
    """A line as dark as the fill drawn over it, three quarters of it (never less than a
    scanner's flat field tells apart)."""
    return OVERLAY_SHARE * max(levels.pen * (1 - levels.pen), SMUDGE_ABOVE_PAPER)


# A normal spread's 90th percentile lies 1.28 deviations past its median: a spread read
# off the upper tail, which a tenth of the values marked over leaves standing.
UPPER_DECILE_TO_SIGMA = 1.2816


def _out_of_the_fills(
    measure: BubbleMeasure, lines: np.ndarray, plain_fills: np.ndarray, upper_tail: bool = False
) -> np.ndarray:
    """(N,) for each bubble, ``lines`` (N,) of this page's plain fills of its size
    (``plain_fills``) at ``LINE_DEVIATIONS`` of their spread past their middle: a line
    none of their own streaks reaches; NaN where fewer than ``LINE_AMONG_FILLS_MIN``.
    The spread is their median deviation's, or with ``upper_tail`` the larger of that
    and their upper decile's (``UPPER_DECILE_TO_SIGMA``)."""
    out = np.full(len(plain_fills), np.nan)
    shapes = np.column_stack([measure.radii_mm, measure.boxes])
    for shape in np.unique(shapes, axis=0):
        alike = (shapes == shape).all(axis=1)
        fills = lines[alike & plain_fills].astype(np.float64)
        if len(fills) < LINE_AMONG_FILLS_MIN:
            continue
        middle = float(np.median(fills))
        spread = MAD_TO_SIGMA * float(np.median(np.abs(fills - middle)))
        if upper_tail:
            upper = (float(np.percentile(fills, 90)) - middle) / UPPER_DECILE_TO_SIGMA
            spread = max(spread, upper)
        out[alike] = middle + LINE_DEVIATIONS * spread
    return out


def ink_levels(
    darkness: np.ndarray, tone: np.ndarray, grain: np.ndarray, calibration: Calibration
) -> InkLevels:
    """The page's pen, ink and paper levels, from its bubbles' interiors.

    The marked bubbles are those darker than the split between the page's two kinds of
    bubble (Otsu's on their mean darkness); the pen is the median of their inked tone
    (each one's 75th-percentile pixel), and how far the lighter half of their tones
    spreads below it is how evenly this candidate fills. The others are paper: their
    median 99th-percentile pixel is how dark this scan's paper gets by itself (grain,
    noise, show-through), and their mean darkness, spread by four deviations, where a
    smudge begins. With fewer than three marked bubbles, or a "pen" not clearly above
    the noise floor, the calibration's default pen stands.

    Parameters
    ----------
    darkness, tone, grain : (N,) ndarray
        Each bubble's mean interior darkness above its print, and 75th- and 99th-
        percentile pixel darkness.
    """
    default = _default_levels(calibration)
    if darkness.size < FEWEST_TO_MEDIAN:
        return default
    histogram = np.histogram(np.clip(darkness, 0, 1), bins=64, range=(0, 1))[0].astype(float)
    split = _otsu(histogram) / 64
    marked, paper = darkness >= split, darkness < split
    floor = calibration.ink_darkness_floor
    smudge_at = calibration.smudge_darkness
    grain_at = floor  # the paper's own grain, where too few blank bubbles show it
    if paper.sum() >= FEWEST_TO_MEDIAN:
        grain_at = float(np.median(grain[paper]))
        floor = max(floor, grain_at)
        level = float(np.median(darkness[paper]))
        spread = MAD_TO_SIGMA * float(np.median(np.abs(darkness[paper] - level)))
        smudge_at = min(smudge_at, level + max(SPREAD_DEVIATIONS * spread, SMUDGE_ABOVE_PAPER))
    pen = float(np.median(tone[marked])) if marked.sum() >= FEWEST_TO_MEDIAN else 0.0
    if pen < PEN_ABOVE_FLOOR * floor:
        return replace(default, ink_at=max(default.ink_at, floor), smudge_at=smudge_at)
    ink_at = max(pen / 2, floor)
    stroke_at = min(ink_at, max(_single_stroke(pen), grain_at))
    # A second layer only darkens: the lighter half of the marks (never empty: the pen
    # is their median) shows the hand alone.
    pen_spread = MAD_TO_SIGMA * float(np.median(pen - tone[marked & (tone <= pen)]))
    return InkLevels(pen, ink_at, smudge_at, stroke_at, pen_spread=pen_spread)


def _fill_tones(measure: BubbleMeasure) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bool each: the bubbles whose tone shows strokes drawn over their own ink, and
    those whose tone is plainly the page's pen.

    A fill's tone is its 75th-percentile pixel: where a second layer of the pen (a
    tick's, a slash's, an X's) covers enough of the interior, the tone lies in it,
    darker than the page's pen by a pass over the fill (:func:`_pass_over_fill`), of
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
    over = max(_thin_pass_over_fill(levels.pen), SPREAD_DEVIATIONS * levels.pen_spread)
    stroked_over = tone >= levels.pen + over
    if levels.pen + over >= 1.0:
        return stroked_over, none
    return stroked_over, tone <= levels.pen + PLAIN_DEVIATIONS * levels.pen_spread


def _pass_over_fill(pen: float, fill: float | None = None) -> float:
    """How much darker one pass of a pen whose fills are ``pen`` dark makes a fill
    ``fill`` dark (by default, one as dark as the pen): the light the fill lets through
    times one pass's darkness (:func:`_one_pass`); never less than a scanner's flat
    field tells apart. Where a fill's strokes overlap more than twice, a pass is lighter
    and darkens less: asking this much only errs towards doubt."""
    under = pen if fill is None else fill
    return max((1.0 - under) * _one_pass(pen), SMUDGE_ABOVE_PAPER)


def _thin_pass_over_fill(pen: float) -> float:
    """How much darker one thin pass of the pen makes a fill as dark as the pen, as the
    scan's blur leaves it (``THIN_LINE_KEPT`` of :func:`_pass_over_fill`)."""
    return THIN_LINE_KEPT * _pass_over_fill(pen)


def _one_pass(pen: float) -> float:
    """The darkness of one pass of a pen whose fills are ``pen`` dark: a fill's
    75th-percentile pixel lies where two of its strokes overlap, so one pass lets
    through the square root of the light the fill does there."""
    return 1.0 - np.sqrt(1.0 - min(pen, 1.0))


def _single_stroke(pen: float) -> float:
    """The least darkness of one stroke of a pen whose fills are ``pen`` dark, as the
    reach samples see it: one pass (:func:`_one_pass`) 0.3 mm wide, blurred by a 150 dpi
    scan and sampled off its middle (half a direction's step away), keeps half of its
    darkness."""
    return _one_pass(pen) / 2


# A page's marks are a pen only when half again as dark as the noise floor: lighter
# "marks" are paper, shadow or show-through, and the calibration's default stands.
PEN_ABOVE_FLOOR = 1.5
# A scanner renders flat paper within ±2 % (a 5 % tone is the faintest a smudge can be
# told at): the least a smudge stands above this page's blank bubbles.
SMUDGE_ABOVE_PAPER = 0.05


def _default_levels(calibration: Calibration) -> InkLevels:
    """The levels a page without enough marks is read with: ink from ``ink_darkness``."""
    return InkLevels(
        min(1.0, 2 * calibration.ink_darkness),
        calibration.ink_darkness,
        calibration.smudge_darkness,
        measured=False,
    )


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


def _paper_stretches(darkness: np.ndarray, ink_at: float) -> np.ndarray:
    """(N, K) rim darkness going round a circle → (N,) separate stretches of paper.

    Paper is under a fill's texture (:data:`RIM_TEXTURE_SHARE` of the ink threshold) for
    three directions (22°) at least: a streak or a notch in a fill is narrower, the paper
    between two arms of an X over an empty circle wider. Only ink separates two stretches:
    a stroke of the page's pen crossing the rim is ink where it is sampled (it spans a
    direction and more), where a fill's texture between two patches of paper left by one
    missed side is not.
    """
    textured = darkness >= ink_at * RIM_TEXTURE_SHARE
    inked = darkness >= ink_at
    paper = ~textured & ~np.roll(textured, -1, axis=-1) & ~np.roll(textured, -2, axis=-1)
    has_paper = paper.any(axis=-1)
    stretches = has_paper.astype(np.int64)  # no ink: one stretch all round
    mixed = np.flatnonzero(has_paper & inked.any(axis=-1))
    if mixed.size:
        inked, paper = inked[mixed], paper[mixed]
        run = np.cumsum(~inked & np.roll(inked, 1, axis=-1), axis=-1)  # runs short of ink
        run = np.where(run == 0, run[:, -1:], run)  # before the first: the last, going round
        holds_paper = np.zeros((len(mixed), darkness.shape[-1] + 1), bool)
        rows, directions = np.nonzero(paper)
        holds_paper[rows, run[rows, directions]] = True
        stretches[mixed] = holds_paper.sum(-1)
    return stretches


def _print_darkness(outlines: list[tuple[np.ndarray, np.ndarray]], inked: np.ndarray) -> float:
    """How dark the printed outlines show in the ink on this page: the darkest sample
    across the outline, in the median of each size's blank bubbles, the darkest size's
    (0 where no size has a blank bubble)."""
    darkest = [
        float(np.median(_max_last(darkness)[~inked[index]]))
        for index, darkness in outlines
        if (~inked[index]).any()
    ]
    return max(darkest, default=0.0)


def _print_shows_at(print_darkness: float, ink_at: float) -> bool:
    """Whether print of ``print_darkness`` (:func:`_print_darkness`) shows in the ink
    where ink is read from ``ink_at`` (a form printed black, a gray scan of a drop-out
    sheet): it reaches half that threshold (a fill's blurred overshoot over it may add
    the rest). Where it drops out, a stroke crossing a blank neighbour's outline is ink
    on paper all the way."""
    return print_darkness >= ink_at / 2


def _directions_per_cell(cell_mm: float, radius_mm: float) -> int:
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


def _rings(
    outlines: list[tuple[np.ndarray, np.ndarray]],
    cells: list[int],
    fill: np.ndarray,
    count: int,
    levels: InkLevels,
    blank_at: float,
    traced_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N,) share of each outline carrying more ink across it than the print does, its
    size's median, and (N, 48) bool the directions that do.

    A traced outline is a second line, a pen's width, on or beside the printed one: going
    across the outline, the ink summed over the samples (darkness × width) exceeds the
    print's by at least one sample of the pen's darkness. That holds where the print is
    as dark as the pen (a gray scan of a drop-out sheet, a form printed black) as well
    as where it has dropped out. The print's own ink is the median, angle by angle, over
    the page's blank bubbles of that size (:func:`_pen_across`: what one sample adds).
    On a bi-level scan the ink across is averaged going round over a halftone cell
    (``cells``: directions per cell, per size; 0 undithered), the scale of its dither's
    noise, and an outline whose traced share holds the page's ink is traced (the ring
    read 1) even where single directions do not stand above that noise.
    """
    ring = np.zeros(count, np.float32)
    ring_baseline = np.zeros(count, np.float32)
    traced = np.zeros((count, RIM_DIRECTIONS), bool)
    for (index, darkness), cell in zip(outlines, cells, strict=True):
        across = _along(_sum_last(np.clip(darkness, 0.0, 1.0)), cell)  # (N, 48)
        blank = fill[index] <= blank_at
        printed = np.median(across[blank], axis=0) if blank.any() else np.zeros(across.shape[1])
        excess = across - printed
        pen_across = _pen_across(levels, excess[blank])
        traced[index] = excess >= pen_across
        ring[index] = traced[index].mean(-1)
        ring_baseline[index] = np.median(ring[index])
        if not cell:
            continue
        # On a bi-level scan, round the whole outline the dither's noise averages out
        # where, direction by direction, it hides a light pen's line: where the traced
        # share of the outline carries at least the page's ink (its excess going round,
        # ranked, reaches it at that share), and more than its blank outlines' own spread
        # allows, it is traced.
        held = _percentile(excess, 100 * (1 - traced_share))
        least = min(pen_across, levels.ink_at)
        if blank.sum() >= FEWEST_TO_MEDIAN:
            middle = np.median(held[blank])
            spread = MAD_TO_SIGMA * float(np.median(np.abs(held[blank] - middle)))
            least = max(least, middle + SPREAD_DEVIATIONS * spread)
        faint = held >= least
        ring[index[faint]] = 1.0
    return ring, ring_baseline, traced


def _pen_across(levels: InkLevels, blank_excess: np.ndarray) -> float:
    """How much ink one sample of the pen adds across an outline: the page's pen. Where
    the page's marks have not shown it, the default pen is a felt-tip's, under which a
    lighter pen's tracing would read ``blank``: there the least that stands four
    deviations above the print's own spread round this page's blank outlines
    (``blank_excess``, their ink across the outline less the print's), and never less
    than ink."""
    if levels.measured or not blank_excess.size:
        return levels.pen
    spread = MAD_TO_SIGMA * float(np.median(np.abs(blank_excess)))
    return min(levels.pen, max(levels.ink_at, SPREAD_DEVIATIONS * spread))


# A light pen's fills cover less of the interior (grain, a dry pen's streaks): a bubble
# inked to three quarters of this page's typical mark is filled by the same hand.
FILL_SHARE_OF_MARKS = 0.75


def _filled_threshold(fill: np.ndarray, calibration: Calibration) -> float:
    """The filled threshold for this sheet: lowered for a light pen, within limits."""
    marked = fill[fill >= calibration.filled_min_fill_floor]
    if marked.size < FEWEST_TO_MEDIAN:
        return calibration.filled_min_fill
    adapted = FILL_SHARE_OF_MARKS * float(np.median(marked))
    return float(np.clip(adapted, calibration.filled_min_fill_floor, calibration.filled_min_fill))


# An arc of θ radians cuts off (θ − sin θ) / 2π of a disc: how much of the interior a fill
# from one side covers when it inks θ / 2π of the interior's rim (sampled at its edge).
_ARCS = np.linspace(0.0, 2 * np.pi, 721)
_SEGMENTS = (_ARCS - np.sin(_ARCS)) / (2 * np.pi)


def _rim_reached(filled_at: float) -> float:
    """The share of the interior's rim a fill inks: as much as a fill of ``filled_at``
    from one side inks (a fill that misses one side inks the least rim of any fill that
    large), less one of the rim's directions at each end of that arc (where its edge
    crosses the rim between two). A mark that reaches less is a centred one: a dot, a half
    fill with paper all round it."""
    return float(np.interp(filled_at, _SEGMENTS, _ARCS)) / (2 * np.pi) - 2 / RIM_DIRECTIONS


# The geometry of an X as people draw it: two strokes, one rising and one falling, each
# 25–65° from the horizontal, crossing up to a third of the radius off the centre, each
# end 1.1 to 2.5 radii out. Seen from the centre, an off-centre stroke's two ends are
# not opposite: each is off by up to asin(1/3 ÷ 1.1), plus a sampling step; the two
# strokes' axes differ by at least twice the shallowest slant, less that error.
X_SLANT_MIN_DEG, X_SLANT_MAX_DEG = 25.0, 65.0
X_OFF_CENTRE, X_REACH_MIN, X_REACH_MAX = 1 / 3, 1.1, 2.5
STEP_DEG = 360 / REACH_DIRECTIONS
OPPOSITE_TOLERANCE_DEG = 2 * np.degrees(np.arcsin(X_OFF_CENTRE / X_REACH_MIN)) + STEP_DEG
AXES_APART_MIN_DEG = 2 * X_SLANT_MIN_DEG - OPPOSITE_TOLERANCE_DEG / 2


@dataclass(frozen=True, slots=True)
class StrokeEnds:
    """What leaves one bubble: ``angles`` (degrees) and ``reach`` (radii) of each end of a
    stroke seen past the mark's own edge, whether they make an X, and whether ends were
    set aside as a neighbour's strokes (``borrowed``)."""

    angles: tuple[float, ...]
    reach: tuple[float, ...]
    is_x: bool
    borrowed: bool = False


def past_the_mark(reach: np.ndarray) -> np.ndarray:
    """(N, 96) radii each direction's ink runs past the mark on both sides of it.

    A stroke leaving a bubble is narrow: 26–30° to either side, ink stops at the mark's
    own edge (a fill's, overshoot included, or the outline when the interior is paper).
    A fill that misses a side has an edge on the other: it stands past nothing.
    """
    near, far = SIDE_DIRECTIONS
    sides = [
        np.minimum(np.roll(reach, near * sign, axis=1), np.roll(reach, far * sign, axis=1))
        for sign in (1, -1)
    ]
    return reach - np.maximum(np.maximum(*sides), 1.0)


def stroke_ends(measure: BubbleMeasure, calibration: Calibration) -> list[StrokeEnds]:
    """The stroke ends of every bubble, from its reach profile.

    A direction is an end where ink runs past the outline and the mark beside it
    (:func:`past_the_mark`) by ``stroke_beyond`` radii; neighbouring directions make one
    end. An end that stops on the line of a stroke of a neighbouring X may be that
    neighbour's stroke: it is ``borrowed`` and set aside, unless that stroke's line
    crosses this bubble's interior, the neighbour's X does not stand without it, and
    this bubble is not a fill whose tone is plainly the page's pen (:func:`_fill_tones`):
    the end may be a tick or a slash of this bubble running on to the neighbour, whose
    strokes over the fill darken its tone. A neighbour whose X is completed by its own
    short ends (below) counts too, but never stands without any one of its strokes, and
    such an X is no plain fill to set its own ends aside in; so does a V whose two
    strokes cross inside its fill (``crossing_inside``, tested on the V's of a first
    pass, ``measure.ends``), and a V over an empty circle (an X whose other arms run into
    its neighbours' marks). Ends that make an X are set aside only for strokes the
    neighbour shows; a stray end on a fill also for the hidden other end of one (an X's
    stroke running into this bubble's footprint).
    Of the other ends, those roughly opposite each other are one stroke through the
    bubble; two strokes whose axes cross, or one stroke and a third end off its axis, are
    an X, unless only one stroke's ends remain once those are set aside that lie where
    any neighbouring X's strokes may run (shown or hidden, an off-centre crossing wide),
    or fewer where the bubble shows no two whole strokes: a slash beside an X whose arms
    run in, in doubt (unless its strokes cross inside its fill). Where two or more ends
    are seen and make no X, ends a reach sample shorter may complete one
    (:func:`_completing`): an X whose strokes end short on one side.
    """
    reach, neighbours = measure.reach, measure.neighbours
    past = np.round(measure.past, 2)
    beyond = (past >= calibration.stroke_beyond) & (reach >= X_REACH_MIN)
    # The far end of a stroke seen leaving may stop a reach sample sooner (an X short on
    # one side): two samples past the mark are still past a fill's wobbling edge.
    short = (past >= calibration.stroke_beyond - REACH_STEP) & (reach >= X_REACH_MIN)
    none = StrokeEnds((), (), False)
    result = [none] * len(reach)
    marked = np.flatnonzero(beyond.any(axis=1))
    found = {int(index): _ends(beyond[index], reach[index]) for index in marked}
    stroked = np.zeros(len(reach), bool)
    stroked[[index for index, (angles, _) in found.items() if _makes_x(angles)]] = True
    # The short ends apart from those seen: runs of short directions holding none beyond.
    far = {
        index: _ends_of(
            [run for run in _runs(short[index]) if not beyond[index, run].any()], reach[index]
        )
        for index, (angles, _) in found.items()
        if not stroked[index] and len(angles) >= 2
    }
    # Each X's strokes, as seen (for a bubble that is an X itself) and with the ends
    # they hide (for any other): worked out once, whichever neighbours ask.
    xs = {
        int(other): _strokes_of(measure, int(other), found[int(other)][0])
        for other in np.flatnonzero(stroked)
    }
    # An X short on one side, completed by its own short ends, sends its strokes into
    # its neighbours too; standing on ends a sample short, it explains a neighbour's end
    # only where a stroke of its own could not be there (see below). Asked before any
    # end is set aside, it may send strokes yet read no X itself, its own ends set
    # aside as a neighbour's (below).
    for index, ends in far.items():
        completing = _completing(found[index][0], _pairs(ends))
        if completing:
            angles = found[index][0] + _split(completing)[0]
            xs[index] = _strokes_of(measure, index, angles, standing=False)
    # So does an X seen as a V whose two strokes cross inside its fill, its strokes
    # through the V's ends as the first pass saw them.
    for index in np.flatnonzero(_given(measure.crossing_inside, len(reach))).tolist():
        if measure.ends is not None:
            angles = measure.ends[index].angles
        else:  # a measure made by hand: its ends as seen
            angles = found.get(index, ((), ()))[0]
        if angles:
            xs[index] = _strokes_of(measure, index, angles, standing=False)
    # So does an X over an empty circle seen as a V, its other arms run into its
    # neighbours' marks.
    for index, (angles, _) in found.items():
        if (
            index not in xs
            and measure.fill[index] < calibration.filled_min_fill_floor
            and _is_v(angles)
        ):
            xs[index] = _strokes_of(measure, index, angles, standing=False)
    x_like = np.zeros(len(reach), bool)
    x_like[list(xs)] = True
    # A fill whose tone is plainly the pen's holds no tick of its own to run on; an X's
    # strokes are its own.
    _, plain = _fill_tones(measure)
    bare = ~x_like & (measure.fill >= calibration.filled_min_fill_floor) & plain
    for index in found:
        near = [xs[int(other)] for other in np.flatnonzero(x_like & neighbours[index])]
        strokes = [
            stroke
            for x in near
            for stroke in (x.seen if stroked[index] else x.hiding)
            if stroke.stands or bare[index] or not _through(measure, index, stroke)
        ]
        angles, reaches = found[index]
        own = _not_borrowed(measure, index, found[index], strokes)
        borrowed = len(own) < len(angles)
        # Two Xs side by side share the strokes between them: an X that keeps its far
        # ends is still an X.
        seen = _split(own)[0]
        is_x = bool(stroked[index]) or _makes_x(seen)
        if not is_x and len(own) >= 2:
            completing = _completing(seen, _not_borrowed(measure, index, far[index], strokes))
            own += completing
            is_x = bool(completing)
        if is_x and _no_x_once_theirs_set_aside(measure, index, own, near):
            # Its ends make an X only with those that are, or may be, its neighbours' X
            # strokes running in (one stroke's ends left once the strokes they show are
            # set aside, or once those they may hide are too: a slash beside an X as well
            # as an X): in doubt, unless its strokes are seen crossing inside its fill
            # (:func:`_under_the_xs`). So is one whose ends nearly all may be its
            # neighbours', but not those its neighbours explain, unless it shows two
            # whole strokes: one of a cluster of X's.
            result[index] = StrokeEnds(angles, reaches, False, True)
            continue
        result[index] = StrokeEnds(*_split(own), is_x, borrowed)
    return result


def _no_x_once_theirs_set_aside(
    measure: BubbleMeasure, index: int, own: list[tuple[float, float]], near: list[_XStrokes]
) -> bool:
    """Whether bubble ``index``'s ends ``own`` (angle, reach: those its neighbours' X's
    do not show as theirs), less those that lie where the ``near`` X's strokes may run
    (shown or hidden), are the two ends of one stroke, or fewer ends than that where
    ``own`` shows no two whole strokes: a slash whose neighbour's X sends an arm in on
    each side of it shows an end of its own at most. Asked only of the bubbles whose
    ends make an X (a few a page)."""
    maybe_theirs = [stroke for x in near for stroke in x.hiding]
    left = _not_borrowed(measure, index, _split(own), maybe_theirs)
    if len(left) == 2:
        return _opposite(left[0][0], left[1][0])
    return len(left) < 2 and len(own) < 4


def _not_borrowed(
    measure: BubbleMeasure,
    index: int,
    ends: tuple[tuple[float, ...], tuple[float, ...]],
    strokes: list[_Stroke],
) -> list[tuple[float, float]]:
    """Bubble ``index``'s ends (angles, reaches) that stop on none of ``strokes`` (its
    neighbours' X strokes), as (angle, reach) pairs."""
    return [
        (angle, length)
        for angle, length in _pairs(ends)
        if not any(_on_stroke(_tip(measure, index, angle, length), s) for s in strokes)
    ]


def _pairs(ends: tuple[tuple[float, ...], tuple[float, ...]]) -> list[tuple[float, float]]:
    """(angles, reaches) → (angle, reach) pairs: the inverse of :func:`_split`."""
    return list(zip(*ends, strict=True))


def _split(ends: list[tuple[float, float]]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(angle, reach) pairs → (angles, reaches)."""
    return tuple(angle for angle, _ in ends), tuple(length for _, length in ends)


def _completing(
    seen: tuple[float, ...], short: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The short ends (angle, reach) that complete an X with the ``seen`` ends, or none.

    A short end counts as the far end of a stroke seen leaving (opposite a seen end), or
    two of them opposite each other as a whole second stroke; the X they complete must
    show both ends of both its strokes. A fill's edge bulges two samples out on about one
    fill in two hundred, so one short end may be a bulge that happens to lie opposite an
    arm of a tick, or of a third end seen (a stroke and an end too close to its axis
    for an X); two that each lie where an X's hidden ends would are not: it takes two.
    """
    paired = {k for pair in _opposite_pairs(_split(short)[0]) for k in pair}
    completing = [
        end
        for k, end in enumerate(short)
        if k in paired or any(_opposite(end[0], angle) for angle in seen)
    ]
    if len(completing) < 2 or not _two_strokes(seen + _split(completing)[0]):
        return []
    return completing


def _two_strokes(angles: tuple[float, ...]) -> bool:
    """Two strokes through the bubble whose axes cross: two disjoint pairs of opposite
    ends, their axes at least :data:`AXES_APART_MIN_DEG` apart."""
    pairs = _opposite_pairs(angles)
    return any(
        not {i, j} & {k, m}
        and _apart(_axis(angles[i], angles[j]), _axis(angles[k], angles[m]), 180)
        >= AXES_APART_MIN_DEG
        for (i, j), (k, m) in combinations(pairs, 2)
    )


def _with_hidden_ends(angles: tuple[float, ...]) -> tuple[float, ...]:
    """An X's ends and, for each end with none opposite it, the other end of its stroke:
    a stroke runs through the bubble, and an end hidden by a marked neighbour's
    footprint runs at that neighbour."""
    lone = [angle for angle in angles if not any(_opposite(angle, other) for other in angles)]
    return (*angles, *((angle + 180) % 360 for angle in lone))


def _towards(measure: BubbleMeasure, index: int, angle: float) -> np.ndarray:
    """(2,) mm: the page vector of one radius of bubble ``index`` at ``angle`` (degrees
    in its own polar frame): to its outline, an ellipse's or a box's."""
    theta = np.radians(angle)
    radius = measure.radii_mm[index] * np.array([np.cos(theta), np.sin(theta)], np.float32)
    return radius * np.float32(outline_scale(theta)) if measure.boxes[index] else radius


def _tip(measure: BubbleMeasure, index: int, angle: float, reach: float) -> np.ndarray:
    """(2,) mm: where an end of bubble ``index`` stops on the page."""
    return measure.centers_mm[index] + reach * _towards(measure, index, angle)


class _Stroke(NamedTuple):
    """A neighbour X's stroke: from ``start`` (mm) along ``unit``, ``length`` mm, an end
    on it lying within ``width`` mm of its line; ``stands``: the X stands without it."""

    start: np.ndarray
    unit: np.ndarray
    length: float
    width: float
    stands: bool


class _XStrokes(NamedTuple):
    """A neighbour X's strokes as it shows them (``seen``), and with the ends it hides
    (``hiding``)."""

    seen: list[_Stroke]
    hiding: list[_Stroke]


def _strokes_of(
    measure: BubbleMeasure, index: int, angles: tuple[float, ...], standing: bool = True
) -> _XStrokes:
    """The strokes of an X on bubble ``index``: from the bubble's centre, 2.5 radii long,
    half a felt-tip stroke and a pixel to either side of the line to an end it shows;
    with the ends it hides, also toward those (:func:`_with_hidden_ends`), each known
    only as far as an off-centre crossing allows: a third of a radius more. A box's
    radii reach its corners: its strokes are as long as 2.5 of those. Each line is
    worked out once for both. Not ``standing`` (an X completed by ends a sample short),
    the X stands without none of them."""
    length, hiding_width = (float(v[0]) for v in _x_strokes_extent(measure, np.array([index])))
    centre = measure.centers_mm[index]
    lines = []
    for angle in _with_hidden_ends(angles):
        direction = _towards(measure, index, angle)
        unit = direction / np.linalg.norm(direction)
        # A hidden end: the X stands on the ends it shows.
        stands = standing and (
            angle not in angles or _makes_x(tuple(a for a in angles if a != angle))
        )
        lines.append((unit, stands))
    return _XStrokes(
        [
            _Stroke(centre, unit, length, NEIGHBOUR_STROKE_MM, stands)
            for unit, stands in lines[: len(angles)]
        ],
        [_Stroke(centre, unit, length, hiding_width, stands) for unit, stands in lines],
    )


def _across(point: np.ndarray, stroke: _Stroke) -> float:
    """How far (mm) ``point`` lies off the line of ``stroke``."""
    offset = point - stroke.start
    return abs(float(offset[0] * stroke.unit[1] - offset[1] * stroke.unit[0]))


def _through(measure: BubbleMeasure, index: int, stroke: _Stroke) -> bool:
    """Whether the line of ``stroke`` crosses bubble ``index``'s interior."""
    inner = INTERIOR_RADIUS * float(measure.radii_mm[index].min())
    return _across(measure.centers_mm[index], stroke) < inner


def _on_stroke(point: np.ndarray, stroke: _Stroke) -> bool:
    """Whether ``point`` (mm) lies on ``stroke``."""
    along = float((point - stroke.start) @ stroke.unit)
    return (
        -stroke.width <= along <= stroke.length + stroke.width
        and _across(point, stroke) <= stroke.width
    )


def _runs(mask: np.ndarray) -> list[np.ndarray]:
    """Runs of neighbouring directions in ``mask``, going round: each run's directions in
    order (a run across direction 0 unbroken); none when ``mask`` holds every direction."""
    if mask.all():
        return []
    start = int(np.flatnonzero(~mask)[0])
    order = np.roll(np.arange(mask.size), -start)  # from a direction not in the mask
    ahead = np.r_[mask[order], False]
    edges = np.flatnonzero(ahead[1:] != ahead[:-1]) + 1  # each run's start and end
    return [order[first:last] for first, last in zip(edges[::2], edges[1::2], strict=True)]


def _ends(beyond: np.ndarray, reach: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Runs of neighbouring directions beyond the edge, going round → (angles, reaches),
    each run's direction weighted by how far it reaches."""
    return _ends_of(_runs(beyond), reach)


def _ends_of(
    runs: list[np.ndarray], reach: np.ndarray
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each run's (angle, reach): its directions weighted by how far they reach."""
    angles, reaches = [], []
    for run in runs:
        weights = reach[run]
        turned = np.radians(run * STEP_DEG)
        if run[-1] < run[0]:  # across direction 0 (elsewhere np.unwrap leaves a run as it is)
            turned = np.unwrap(turned)
        # np.average's own arithmetic, without its checks.
        mean = np.multiply(turned, weights, dtype=np.float64).sum() / weights.sum(dtype=np.float64)
        angle = np.degrees(mean) % 360
        angles.append(round(float(angle), 1))
        reaches.append(round(float(weights.max()), 2))
    return tuple(angles), tuple(reaches)


def _apart(a: float, b: float, period: float) -> float:
    """Angular distance between ``a`` and ``b`` on a circle of ``period`` degrees."""
    difference = abs(a - b) % period
    return min(difference, period - difference)


def _is_v(angles: tuple[float, ...]) -> bool:
    """Whether ends at ``angles`` degrees are two, and not one stroke's: a V."""
    return len(angles) == 2 and not _opposite(*angles)


def _opposite(a: float, b: float) -> bool:
    """Whether ends at ``a`` and ``b`` degrees may be one stroke's, through the bubble."""
    return _apart(a, b, 360) >= 180 - OPPOSITE_TOLERANCE_DEG


def _axis(a: float, b: float) -> float:
    """The axis (0–180°) of a stroke whose ends point at ``a`` and ``b`` degrees."""
    doubled = np.radians([2 * a, 2 * b])
    return float(np.degrees(np.arctan2(np.sin(doubled).sum(), np.cos(doubled).sum())) / 2) % 180


def _opposite_pairs(angles: tuple[float, ...]) -> list[tuple[int, int]]:
    """The index pairs of ends that may be one stroke's (:func:`_opposite`)."""
    return [
        (i, j)
        for i in range(len(angles))
        for j in range(i + 1, len(angles))
        if _opposite(angles[i], angles[j])
    ]


def _makes_x(angles: tuple[float, ...]) -> bool:
    """Two crossing strokes among the ends: two opposite pairs whose axes cross, or one
    pair and a third end off its axis."""
    pairs = _opposite_pairs(angles)
    for i, j in pairs:
        axis = _axis(angles[i], angles[j])
        others = [k for k in range(len(angles)) if k not in (i, j)]
        if any(_apart(angles[k] % 180, axis, 180) >= AXES_APART_MIN_DEG for k in others):
            return True
    return False


def classify_marks(measure: BubbleMeasure, calibration: Calibration) -> list[BubbleState]:
    """Decide each bubble's state from its measurements; doubt gives ``unclear``.

    Filled: enough of the interior inked, its rim reached, at most one side missed, its
    middle not paper (a traced outline's is), in the page's pen; crossed: that, with an
    X's strokes leaving it and the rim between them in the page's pen too (or, where it
    shows paper, the interior beside the strokes as filled as a fill: a side the fill
    missed), or two strokes leaving it that cross inside it, darker than the fill on
    both sides. Any other stroke leaving a fill (a slash, a tick, a line; also one seen
    only at a single pass of the pen), or drawn across it darker than the fill, or a
    tone showing strokes drawn over it (:func:`_fill_tones`), makes it
    ``possible_cross``; strokes over an empty circle ``x_over_empty``; a fainter fill
    than the page's pen ``faint_fill``; too little ink for a fill whose edge inks the
    rim over an arc wider than a stroke (a light pen's partial fill) ``partial_fill``.
    """
    filled_at = _filled_threshold(measure.fill, calibration)
    blank_at = calibration.blank_max_fill
    band = max(filled_at - blank_at, 1e-6)
    pen = measure.levels.pen
    stroked_over, _ = _fill_tones(measure)
    paper_between = calibration.fill_tone_share * pen
    # Fainter than the page's pen only where the page shows its pen.
    faint_below = paper_between if measure.levels.measured else 0.0
    ends = measure.ends if measure.ends is not None else stroke_ends(measure, calibration)
    beside = measure.beside if measure.beside is not None else np.full(len(ends), np.nan)
    crossing_inside = _given(measure.crossing_inside, len(ends))
    fill = measure.fill.astype(np.float64)
    has_ends = np.array([bool(strokes.angles) for strokes in ends], bool)
    faint_ends = _given(measure.faint_ends, len(ends))
    looped = _given(measure.looped, len(ends))
    is_x, x_like = _xs_read(ends, looped, _given(measure.x_of_loops, len(ends)), crossing_inside)
    crossing = np.array([len(strokes.angles) >= 2 for strokes in ends], bool)
    paper_between_arms = np.zeros(len(ends), bool)
    for index in np.flatnonzero(is_x).tolist():
        profile, angles = measure.rim_profile[index], ends[index].angles
        paper_between_arms[index] = _paper_between_arms(profile, angles, pen, calibration)
    # Every test in float64, as the measurements' Python floats compare.
    middle = np.ones(len(fill)) if measure.middle is None else measure.middle
    filled = (
        (fill >= filled_at)
        & (measure.rim.astype(np.float64) >= _rim_reached(filled_at))
        & (measure.gaps <= 1)
        & (middle.astype(np.float64) > blank_at)
    )
    plain_fills = filled & ~has_ends & ~x_like
    overlay_at = _overlay_at(measure, plain_fills)
    blank = ~filled & (fill <= blank_at) & ~has_ends
    marked_rim = _marked_rim(measure, is_x, blank)
    traced = _traced_outlines(measure, ends, x_like, blank, calibration)
    decisions = (
        (filled & (measure.tone.astype(np.float64) < faint_below), _FAINT),
        # Beside the strokes no fill (NaN: unknown).
        (
            filled & is_x & paper_between_arms & ~(beside.astype(np.float64) >= filled_at),
            _OVER_EMPTY,
        ),
        (filled & x_like, _CROSSED),
        (
            filled
            & (
                ((has_ends | faint_ends) & ~looped)
                | (measure.overlay.astype(np.float64) >= overlay_at)
                | _line_across_passes(measure, plain_fills)
                | measure.bridged.astype(bool)
                | stroked_over
            ),
            _POSSIBLE_CROSS,
        ),
        (filled, _FILLED),
        (
            blank
            & (
                measure.darkness.astype(np.float64) - measure.printed.astype(np.float64)
                >= measure.levels.smudge_at
            ),
            _SMUDGE,
        ),
        (traced, _TRACED),
        (blank & ~marked_rim, _BLANK),
        (crossing, _OVER_EMPTY),
    )
    decided = np.select(
        [condition for condition, _ in decisions], [kind for _, kind in decisions], _PARTIAL
    )
    confidence = np.where(
        decided == _BLANK,
        np.minimum(1.0, 0.5 + (blank_at - fill) / band),
        np.minimum(1.0, 0.5 + (fill - filled_at) / band),
    )
    # A page's bubbles share a few states: each (frozen) made once.
    made: dict[tuple[int, float], BubbleState] = {}
    states = []
    for kind, certainty in zip(decided.tolist(), confidence.tolist(), strict=True):
        state, reasons = _DECIDED[kind]
        key = (kind, 0.0 if state is MarkState.UNCLEAR else certainty)  # a person decides
        if key not in made:
            made[key] = BubbleState(state, key[1], reasons)
        states.append(made[key])
    return states


# A fill-dark layer drawn over a fill darkens it by the pen's darkness times the light
# the fill lets through; three quarters of that survives a broad line's sampling across
# the interior (a chord of 9 samples, partly beside the line).
OVERLAY_SHARE = 0.75
# A line over a fill stands out of the fills of its size on its page by ten of their
# spreads: a normal spread takes none of a page's few hundred fills past four, and a
# scribbled pencil fill's overlapping passes take its darkest chord to six at most (on
# pages drawn by other means than the simulator); a median and a spread of fewer than
# twenty fills are too rough to stand ten spreads on.
LINE_DEVIATIONS, LINE_AMONG_FILLS_MIN = 10, 20
# Half a felt-tip stroke (0.4 mm) and the scan's blur, seen from the centre at the
# interior's rim of the smallest bubbles (1.2 mm out): at most 25° either side of an end.
ARM_HALF_WIDTH_DEG = 25.0


def _marked_rim(measure: BubbleMeasure, is_x: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """(N,) bool: of the bubbles ``asked`` ((N,) bool), those whose rim a mark's edge
    inks over an arc wider than a stroke across it inks (the broadest pen line, a
    felt-tip's, spans 2 × ARM_HALF_WIDTH_DEG of the smallest bubbles' rim): an empty
    circle shows paper all round. An X's arm may run into a neighbour from the X's side,
    broad and slanting: an arc facing a neighbouring X is not asked about."""
    rows = np.flatnonzero(asked)
    width, middle = _inked_arc(measure.rim_profile[rows], measure.levels.ink_at)
    marked = np.zeros(len(asked), bool)
    marked[rows] = width > 2 * ARM_HALF_WIDTH_DEG
    for index in np.flatnonzero(marked & _reached_by_an_x(measure, is_x)).tolist():
        xs = np.flatnonzero(measure.neighbours[index] & is_x)
        facing = _towards(measure, index, float(middle[np.searchsorted(rows, index)]))
        marked[index] = not (
            (measure.centers_mm[xs] - measure.centers_mm[index]) @ facing > 0
        ).any()
    return marked


def _inked_arc(profile: np.ndarray, ink_at: float) -> tuple[np.ndarray, np.ndarray]:
    """The widest arc of each bubble's rim (``profile``, (N, D) going round) inked as dark
    as ``ink_at`` all along (:func:`_runs`): (N,) its width and (N,) its middle, degrees."""
    inked = profile >= ink_at
    count, directions = inked.shape
    width, middle = np.zeros(count), np.zeros(count)
    width[inked.all(axis=1)] = directions
    for index in np.flatnonzero(inked.any(axis=1) & ~inked.all(axis=1)).tolist():
        run = max(_runs(inked[index]), key=len)
        width[index] = run.size
        middle[index] = (run[0] + (run.size - 1) / 2) % directions
    step = 360.0 / directions
    return width * step, middle * step


def _paper_between_arms(
    profile: np.ndarray, angles: tuple[float, ...], pen: float, calibration: Calibration
) -> bool:
    """Whether the rim between an X's arms shows paper, not the page's pen: the X lies
    over an empty circle, or over a fill that missed a side."""
    return _between_arms(profile, angles) < calibration.fill_tone_share * pen


def _between_arms(profile: np.ndarray, angles: tuple[float, ...]) -> float:
    """The rim's darkness away from an X's ends (25° and more), lower quartile: a fill
    under the X inks all of it in the page's pen; between the strokes of an X over an
    empty circle lies paper, however blurred the strokes or off centre their crossing."""
    directions = np.arange(profile.size) * (360 / profile.size)
    # :func:`_apart` of every direction from every end at once.
    difference = np.abs(directions[:, None] - np.asarray(angles, np.float64)) % 360
    away = (np.minimum(difference, 360 - difference) >= ARM_HALF_WIDTH_DEG).all(axis=1)
    return float(np.percentile(profile[away], 25)) if away.any() else 0.0


# What classify_marks decides for a bubble, by the first of its tests that holds: the
# state and its reasons (an ``unclear`` one has no confidence: a person decides).
_FAINT, _OVER_EMPTY, _CROSSED, _POSSIBLE_CROSS, _FILLED = range(5)
_SMUDGE, _TRACED, _BLANK, _PARTIAL = range(5, 9)
_DECIDED: dict[int, tuple[MarkState, tuple[Reason, ...]]] = {
    _FAINT: (MarkState.UNCLEAR, (Reason.FAINT_FILL,)),
    _OVER_EMPTY: (MarkState.UNCLEAR, (Reason.X_OVER_EMPTY,)),
    _CROSSED: (MarkState.CROSSED, ()),
    _POSSIBLE_CROSS: (MarkState.UNCLEAR, (Reason.POSSIBLE_CROSS,)),
    _FILLED: (MarkState.FILLED, ()),
    _SMUDGE: (MarkState.UNCLEAR, (Reason.SMUDGE,)),
    _TRACED: (MarkState.UNCLEAR, (Reason.OUTLINE_TRACED,)),
    _BLANK: (MarkState.BLANK, ()),
    _PARTIAL: (MarkState.UNCLEAR, (Reason.PARTIAL_FILL,)),
}
