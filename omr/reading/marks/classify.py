"""Each bubble's state from its measurements: blank, filled, crossed or unclear with
the reasons, from the page's levels and the stroke ends that leave it.
"""

from __future__ import annotations

import numpy as np

from omr.reading.marks.levels import fill_tones, filled_threshold
from omr.reading.marks.lines_over import line_standing_out, overlay_threshold
from omr.reading.marks.records import BubbleMeasure, BubbleState
from omr.reading.marks.robust import flags_given, spread_out_by_group
from omr.reading.marks.sampling import RIM_DIRECTIONS
from omr.reading.marks.strokes import (
    direction_runs,
    stroke_ends,
    towards,
)
from omr.reading.marks.under_xs import (
    ARM_HALF_WIDTH_DEG,
    paper_between_x_arms,
    reached_by_an_x,
    xs_read,
)
from omr.sheet.calibration import Calibration
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import MarkState


def _traced_outlines(
    measure: BubbleMeasure,
    x_like: np.ndarray,
    blank: np.ndarray,
    calibration: Calibration,
) -> np.ndarray:
    """(N,) bool: the ``blank`` bubbles whose outline is traced, its share (``ring``)
    past its size's by ``traced_ring_excess``; beside an X (``x_like``, (N,) bool: its
    ends make one, or its V crosses inside), its share over the directions facing away
    from every such neighbour only.

    An X's stroke running on into a neighbour crosses its outline: there the outline
    carries a pen's line more than the print, as a traced one does all round. Where it
    crosses depends on how far the stroke runs, off the X's centre and bowed, which its
    seen ends do not tell within a broad felt-tip's line; but it crosses on the side
    facing the X (on the far side it would have crossed the interior). A trace goes all
    round: it shows on the far side as well."""
    excess = calibration.traced_ring_excess
    traced = blank & ((measure.ring - measure.ring_baseline).astype(np.float64) >= excess)
    if measure.ring_traced is None:
        return traced
    candidates = np.flatnonzero(traced)
    asked = candidates[(measure.neighbours[candidates] & x_like).any(axis=1)]
    angles = np.arange(RIM_DIRECTIONS) * 360 / RIM_DIRECTIONS
    for index in asked.tolist():
        away = measure.ring_traced[index][~_facing_an_x(measure, index, x_like, angles)]
        share = float(away.mean()) if away.size else 0.0
        traced[index] = share - float(measure.ring_baseline[index]) >= excess
    return traced


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


def classify_marks(measure: BubbleMeasure, calibration: Calibration) -> list[BubbleState]:
    """Decide each bubble's state from its measurements; doubt gives ``unclear``.

    Filled: enough of the interior inked, its rim reached, at most one side missed, its
    middle not paper (a traced outline's is), in the page's pen; crossed: that, with an
    X's strokes leaving it and the rim between them in the page's pen too (or, where it
    shows paper, the interior beside the strokes as filled as a fill: a side the fill
    missed), or two strokes leaving it that cross inside it, darker than the fill on
    both sides. Any other stroke leaving a fill (a slash, a tick, a line; also one seen
    only at a single pass of the pen), or drawn across it darker than the fill (less
    so where the fill shows a stroke's tip a reach sample short), or a tone showing
    strokes drawn over it (:func:`fill_tones`), makes it
    ``possible_cross``; strokes over an empty circle ``x_over_empty``; a fainter fill
    than the page's pen ``faint_fill``; too little ink for a fill whose edge inks the
    rim over an arc wider than a stroke (a light pen's partial fill) ``partial_fill``.
    """
    filled_at = filled_threshold(measure.fill, calibration)
    blank_at = calibration.blank_max_fill
    band = max(filled_at - blank_at, 1e-6)
    pen = measure.levels.pen
    stroked_over, _ = fill_tones(measure)
    paper_between = calibration.fill_tone_share * pen
    # Fainter than the page's pen only where the page shows its pen.
    faint_below = paper_between if measure.levels.measured else 0.0
    ends = measure.ends if measure.ends is not None else stroke_ends(measure, calibration)
    beside = measure.beside if measure.beside is not None else np.full(len(ends), np.nan)
    crossing_inside = flags_given(measure.crossing_inside, len(ends))
    fill = measure.fill.astype(np.float64)
    has_ends = np.array([bool(strokes.angles) for strokes in ends], bool)
    faint_ends = flags_given(measure.faint_ends, len(ends))
    looped = flags_given(measure.looped, len(ends))
    is_x, x_like = xs_read(
        ends, looped, flags_given(measure.x_of_scribble, len(ends)), crossing_inside
    )
    crossing = np.array([len(strokes.angles) >= 2 for strokes in ends], bool)
    paper_between_arms = np.zeros(len(ends), bool)
    for index in np.flatnonzero(is_x).tolist():
        profile, angles = measure.rim_profile[index], ends[index].angles
        paper_between_arms[index] = paper_between_x_arms(profile, angles, pen, calibration)
    # Every test in float64, as the measurements' Python floats compare.
    middle = np.ones(len(fill)) if measure.middle is None else measure.middle
    filled = (
        (fill >= filled_at)
        & (measure.rim.astype(np.float64) >= _rim_reached(filled_at))
        & (measure.gaps <= 1)
        & (middle.astype(np.float64) > blank_at)
    )
    plain_fills = filled & ~has_ends & ~x_like
    overlay_at = overlay_threshold(measure, plain_fills)
    blank = ~filled & (fill <= blank_at) & ~has_ends
    marked_rim = _marked_rim(measure, is_x, blank)
    traced = _traced_outlines(measure, x_like, blank, calibration)
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
                | line_standing_out(measure, plain_fills)
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
    # A reported confidence, not a threshold: one half at the threshold a bubble passed,
    # rising to certain half a blank-to-filled band past it.
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


# The fewest neighbouring directions an arc wider than a stroke across the rim spans.
_STROKE_WIDE_ARC = int(2 * ARM_HALF_WIDTH_DEG / (360 / RIM_DIRECTIONS)) + 1


def _marked_rim(measure: BubbleMeasure, is_x: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """(N,) bool: of the bubbles ``asked`` ((N,) bool), those whose rim a mark's edge
    inks over an arc wider than a stroke across it inks (the broadest pen line, a
    felt-tip's, spans 2 × ARM_HALF_WIDTH_DEG of the smallest bubbles' rim): an empty
    circle shows paper all round. An X's arm may run into a neighbour from the X's side,
    broad and slanting: an arc facing a neighbouring X is not asked about."""
    rows = np.flatnonzero(asked)
    width, middle = _inked_arc(measure.rim_profile[rows], _rim_inked_at(measure, rows))
    marked = np.zeros(len(asked), bool)
    marked[rows] = width >= _STROKE_WIDE_ARC * 360 / RIM_DIRECTIONS
    for index in np.flatnonzero(marked & reached_by_an_x(measure, is_x)).tolist():
        arc = np.array([middle[np.searchsorted(rows, index)]])
        marked[index] = not _facing_an_x(measure, index, is_x, arc)[0]
    return marked


# Centres (mm) a column's or a row's bubbles share, to a tenth of a millimetre.
_GRID_DECIMALS = 1


def _rim_inked_at(measure: BubbleMeasure, rows: np.ndarray) -> np.ndarray:
    """(R,) the darkness from which the rims of the empty-looking circles ``rows`` (R,)
    count as inked: the page's ink threshold; where some of the interior is ink, one
    stroke of the page's pen (a pencil's or a dry pen's part fill is one pass at its
    edge), past what the rims of the circles of the same kind
    (:attr:`~omr.reading.marks.records.BubbleMeasure.kinds`) hold all along an arc wider
    than a stroke, over the page, down their column and along their row: their middle and
    ``SPREAD_DEVIATIONS`` of their spread. A scan's shading darkens every rim of a kind
    alike, give or take the page's noise; a rule or a box's border printed beside a
    column (or a row), every rim down it. Among too few circles of a kind to tell that
    spread, the ink threshold; and where a label is printed inside the circles, whose
    print darkens each rim a little differently (each circle's print a pixel or two off
    the others')."""
    levels = measure.levels
    inked_at = np.full(len(rows), levels.ink_at)
    holds_ink = measure.fill[rows] > 0
    if measure.labels_inside or not holds_ink.any():
        return inked_at
    profiles = measure.rim_profile[rows]
    held = profiles.copy()  # the darkness each arc of that width holds all along
    for shift in range(1, _STROKE_WIDE_ARC):
        np.minimum(held, np.roll(profiles, -shift, axis=1), out=held)
    arcs = held.max(axis=1)
    kind = measure.kinds[rows]
    page = spread_out_by_group(arcs, np.unique(kind, return_inverse=True)[1])
    places = np.round(measure.centers_mm[rows] * 10**_GRID_DECIMALS).astype(np.int64)
    noise = np.fmax.reduce(
        [page, *(spread_out_by_group(arcs, _sharing(kind, place)) for place in places.T)]
    )
    lowered = holds_ink & np.isfinite(page)
    inked_at[lowered] = np.minimum(levels.ink_at, np.maximum(levels.stroke_at, noise[lowered]))
    return inked_at


def _sharing(kind: np.ndarray, place: np.ndarray) -> np.ndarray:
    """(R,) numbers from 0 of the groups of circles sharing a ``kind`` and a ``place``
    (R,) ints each."""
    offset = place - place.min()
    return np.unique(kind * (offset.max() + 1) + offset, return_inverse=True)[1]


def _facing_an_x(
    measure: BubbleMeasure, index: int, xs: np.ndarray, angles: np.ndarray
) -> np.ndarray:
    """(K,) bool: which of bubble ``index``'s directions ``angles`` (K,) degrees face a
    neighbouring X (of ``xs``, (N,) bool): point to its side of the bubble."""
    outward = np.array([towards(measure, index, float(angle)) for angle in angles])  # (K, 2)
    others = np.flatnonzero(measure.neighbours[index] & xs)
    return ((measure.centers_mm[others] - measure.centers_mm[index]) @ outward.T > 0).any(axis=0)


def _inked_arc(profile: np.ndarray, ink_at: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The widest arc of each bubble's rim (``profile``, (N, D) going round) inked as dark
    as ``ink_at`` (one for all, or (N,) each its own) all along (:func:`direction_runs`):
    (N,) its width and (N,) its middle, degrees."""
    inked = profile >= np.reshape(ink_at, (-1, 1))
    count, directions = inked.shape
    width, middle = np.zeros(count), np.zeros(count)
    width[inked.all(axis=1)] = directions
    for index in np.flatnonzero(inked.any(axis=1) & ~inked.all(axis=1)).tolist():
        run = max(direction_runs(inked[index]), key=len)
        width[index] = run.size
        middle[index] = (run[0] + (run.size - 1) / 2) % directions
    step = 360.0 / directions
    return width * step, middle * step


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
