"""Lines over a fill: a stroke drawn over a plain fill, darker than the page's fills; a
line across a fill's own passes; and, where the fill shows a stroke's tip or lines
onward, a line across it any way.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from omr.reading.marks.levels import SMUDGE_ABOVE_PAPER, thin_pass_over_fill
from omr.reading.marks.records import BubbleMeasure, InkLevels
from omr.reading.marks.robust import flags_given, spread_about

# A line over a fill stands out of the fills of its size on its page by ten of their
# spreads: a normal spread takes none of a page's few hundred fills past four, and a
# scribbled pencil fill's overlapping passes take its darkest chord to six at most (on
# pages drawn by other means than the simulator). Of fewer than twenty fills the spread
# is known within more than a quarter (the median deviation's standard error on normal
# values: 0.26 at twenty, 0.37 at ten), ten spreads within two and a half: too rough to
# stand a line on.
LINE_DEVIATIONS, LINE_AMONG_FILLS_MIN = 10, 20
# A line across a fill's passes where the fill also shows an end a reach sample short
# (ink 0.2 radii past the mark where an end asks 0.3: a tick's or a slash's tip that
# barely leaves the fill's overshoot): two signs of a stroke over the fill, each common
# alone. On the other-hands bench (seeds 1-8, 7 446 plain fills whose passes overshoot by
# up to 0.15 radii), 183 fills show such a tip (the simulator's fills, one in two hundred:
# ``x_shape.completing_ends``) and 74 a line across their passes four median deviations
# out; were the two independent, 1.8 fills would show both (one in 4 000), and none did.
# Together they ask of the line only what a normal spread gives none of a page's few
# hundred fills: four spreads, where a line alone asks ten. Nor need it stand above the
# scanner's flat field (``SMUDGE_ABOVE_PAPER``), a bound on two samples far apart on a
# page: the line is told from its own fill's ink a few millimetres away, and the page's
# fills' own spread, flat field and all, bounds what a fill's own line reaches there;
# only where the fills' body shows their lines (a median deviation above nil). Where most
# fills show none (a scan that renders them as dark as it can), their spread is read off
# the few mottled ones and bounds nothing else: the flat field stands.
# A pen's line alone past the middle of the gap to a blank neighbour, stopping short of
# its outline (``bridges``' onward line, which ``run_on`` does not join), is such a sign
# too: a line drawn through the fill, or the tip of the fill's farthest pass. On the
# other-hands pages of seeds 57-64 and their --imperfect pages of seeds 57-60 (11 374
# plain fills), 19 fills show one and 62 a line across their passes four median
# deviations out; were the two independent, 0.1 would show both, and none did.
# With either tip, the darkest line across the fill any way counts as well at four of
# the page's fills' spreads of theirs: a line drawn the way the fill's passes run darkens
# no chord across them. Along the passes a streaky fill's overlaps darken its darkest
# line too, as often as a line across them four spreads out: on those pages and the
# --imperfect pages of seeds 89-92 (15 198 plain fills), 394 show a tip and 82 a line any
# way four spreads out; were the two independent, 2.1 would show both, and one did.
TIP_LINE_DEVIATIONS = 4
# Lines onward on both sides, or one and a tip a reach sample short on the other side
# (``under_xs._out_both_ways``): a line drawn through the fill and out both ways, or a
# spill. On those pages none of 15 366 fills shows them, 19 of 636 fills spilling
# 1.15-1.4 radii out do: one fill in a thousand at most. A line drawn through a fill and
# out both ways is one pass of the pen over it, and pencil over pencil darkens little: on
# the --imperfect pages of seeds 103-120 such lines stood 2.0-2.6 of the fills' spreads
# out, where three were asked, and read ``filled``. Two spreads (one value in 44) flag one
# plain fill in 44 000, one page of a few hundred fills in a hundred and fifty: a doubt a
# person settles in seconds, where a line read ``filled`` scores a cancelled answer. (A
# tip, one fill in forty, asks four: one value in 30 000, one plain fill in 1.2 million.)
THROUGH_LINE_DEVIATIONS = 2


def overlay_threshold(measure: BubbleMeasure, plain_fills: np.ndarray) -> np.ndarray:
    """(N,) how much darker than a fill a line across it must be to count, where no
    stroke is seen leaving it: a line as dark as the fill drawn over it, the pen's
    darkness times the light the fill lets through (never less than a scanner's flat
    field tells apart), three quarters of it; none where the page does not show its pen.
    The darkest of 120 chords across a fill must stand above the fill's own streaks: a
    single pass (:func:`levels.pass_over_fill`) is looked for only along the strokes seen
    leaving it.

    A thin line keeps two thirds of its darkening under the scan's blur
    (``beside_strokes.THIN_LINE_KEPT``), and a tick's or a slash's is one pass of the
    pen, lighter than a fill-dark layer: down to what one thin pass keeps over the page's fill
    (:func:`levels.pass_over_fill`), a line counts where it stands out of the fills of its
    size on this page (``plain_fills``, (N,) bool) as none of their streaks does,
    ``LINE_DEVIATIONS`` of their spread past their middle. A line as dark as the
    ceiling counts however streaky the fills, unless the fill lets through less light
    than a scan's flat field tells apart (``SMUDGE_ABOVE_PAPER``: a black felt-tip's):
    no stroke can darken it visibly, and the fills' own streaks alone say what stands
    out. Not on a bi-level scan: there a fill's chords vary with its halftone's dots,
    which no spread of a few hundred fills bounds, and a line over a fill is black on
    black."""
    levels = measure.levels
    if not levels.measured:
        return np.full(len(plain_fills), np.inf)
    line_at = _line_at(levels)
    if levels.dithered:
        return np.full(len(plain_fills), line_at)
    middle, spread, _ = _fills_lines(measure, measure.overlay, plain_fills)
    streaks_at = middle + LINE_DEVIATIONS * spread
    thin_pass = thin_pass_over_fill(levels.pen)
    ceiling = line_at if 1 - levels.pen >= SMUDGE_ABOVE_PAPER else np.inf
    return np.where(np.isnan(streaks_at), line_at, np.clip(streaks_at, thin_pass, ceiling))


def line_standing_out(measure: BubbleMeasure, plain_fills: np.ndarray) -> np.ndarray:
    """(N,) bool: a line running across a fill's own passes (``measure.across``) stands
    out of this page's fills of its size (``plain_fills``, (N,) bool) by
    ``LINE_DEVIATIONS`` of their spread, down to what a scan tells from its flat field
    (``SMUDGE_ABOVE_PAPER``); or, where the fill shows a stroke's tip a reach sample
    short (``measure.short_ends``) or a line onward across the gap to a blank neighbour
    (``measure.onward``), a line across it any way (``measure.overlay``: along the
    passes too) or across its passes stands out by ``TIP_LINE_DEVIATIONS``; where the
    fill shows them out both ways (``measure.through``), by ``THROUGH_LINE_DEVIATIONS``;
    under the flat field too where most fills show a line of their own (their median
    deviation above nil). Across its passes a fill has no overlaps of its own to darken a
    line, and a tick's short arm darkens only part of a chord, lighter than one pass
    (:func:`overlay_threshold`'s floor); a line past three quarters of a fill-dark layer
    counts here anyway (that ceiling wins where it lies under the floor: a pen nearly
    black or nearly paper). The fills' spread is their median deviation's, and where it
    shrinks (a scan that renders a quarter of the fills or more as dark as it can shows
    no line across them at all) the larger of it and their upper decile's
    (:func:`_fills_lines`): the few fills shown mottled then decide. No bubble on a page
    that does not show its pen, on a bi-level scan (:func:`overlay_threshold`), nor among
    too few fills of its size to tell how their lines vary."""
    levels = measure.levels
    if measure.across is None or not levels.measured or levels.dithered:
        return np.zeros(len(plain_fills), bool)
    count = len(plain_fills)
    through = flags_given(measure.through, count)
    tips = flags_given(measure.short_ends, count) | flags_given(measure.onward, count)
    tip_deviations = np.where(through, THROUGH_LINE_DEVIATIONS, TIP_LINE_DEVIATIONS)
    deviations = np.where(tips, tip_deviations, LINE_DEVIATIONS)
    across = _stands_out(measure, measure.across, plain_fills, deviations, tips)
    any_way = _stands_out(measure, measure.overlay, plain_fills, tip_deviations, tips)
    return across | (tips & any_way)


def _stands_out(
    measure: BubbleMeasure,
    lines: np.ndarray,
    plain_fills: np.ndarray,
    deviations: float | np.ndarray,
    tips: np.ndarray,
) -> np.ndarray:
    """(N,) bool: each bubble's line (``lines``, (N,)) stands ``deviations`` (one for
    all, or (N,) each its own) of the spread of the page's plain fills of its size
    (``plain_fills``) past their middle, up to a line three quarters as dark as a
    fill-dark layer, down to the scan's flat field (``SMUDGE_ABOVE_PAPER``) but where
    the bubble shows a tip (``tips``, (N,) bool) and the fills a line of their own."""
    middle, spread, upper_spread = _fills_lines(measure, lines, plain_fills)
    at = middle + deviations * np.fmax(spread, upper_spread)
    floor = np.where(tips & (spread > 0), 0.0, SMUDGE_ABOVE_PAPER)
    clipped = np.clip(at, floor, _line_at(measure.levels))
    return ~np.isnan(at) & (lines.astype(np.float64) >= clipped)


def _line_at(levels: InkLevels) -> float:
    """A line as dark as the fill drawn over it, three quarters of it (never less than a
    scanner's flat field tells apart)."""
    return OVERLAY_SHARE * max(levels.pen * (1 - levels.pen), SMUDGE_ABOVE_PAPER)


# A normal spread's 90th percentile lies 1.28 deviations past its median: a spread read
# off the upper tail, which a tenth of the values marked over leaves standing. A fill the
# scan renders as dark as it can shows no line at all (exactly nil: line and ink both at
# the scan's black): the lines pile up there, cut off. Up to a quarter of a normal spread
# cut off leaves the median deviation as it was (the middle lies 0.67 deviations above
# the cut, the median deviation itself, and no value cut off deviates by less); past a
# quarter it shrinks towards nil, and only the upper tail tells the spread. Lines merely
# centred near nil, noise either side of it, are cut off nowhere: their median deviation
# holds. Elsewhere the upper decile is left out: where more than a tenth of a page's
# fills carry a tick, a slash or an X, their own lines lift it, and with it the bar the
# next one must clear.
UPPER_DECILE = 90
UPPER_DECILE_TO_SIGMA = NormalDist().inv_cdf(UPPER_DECILE / 100)
CUT_OFF_SHARE = 0.25


def _fills_lines(
    measure: BubbleMeasure, lines: np.ndarray, plain_fills: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N,) each, for each bubble, of ``lines`` (N,) of this page's plain fills of its
    size (``plain_fills``): their middle, their spread read off their median deviation,
    and, where a quarter of them or more show no line at all (``CUT_OFF_SHARE``: the
    median deviation shrinks), read off their upper decile (``UPPER_DECILE_TO_SIGMA``);
    NaN where fewer than ``LINE_AMONG_FILLS_MIN``, the last also where fewer are cut off."""
    middle, spread, upper_spread = np.full((3, len(plain_fills)), np.nan)
    for kind in np.unique(measure.kinds):
        alike = measure.kinds == kind
        fills = lines[alike & plain_fills].astype(np.float64)
        if len(fills) < LINE_AMONG_FILLS_MIN:
            continue
        middle_here = float(np.median(fills))
        middle[alike] = middle_here
        spread[alike] = spread_about(fills, middle_here)
        if np.count_nonzero(fills == 0.0) >= CUT_OFF_SHARE * len(fills):
            upper = float(np.percentile(fills, UPPER_DECILE)) - middle_here
            upper_spread[alike] = upper / UPPER_DECILE_TO_SIGMA
    return middle, spread, upper_spread


# A fill-dark layer drawn over a fill darkens it by the pen's darkness times the light
# the fill lets through; three quarters of that survives a broad line's sampling across
# the interior (a chord of 9 samples, partly beside the line).
OVERLAY_SHARE = 0.75
