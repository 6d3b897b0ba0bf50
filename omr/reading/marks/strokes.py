"""Stroke ends that leave a bubble (:func:`stroke_ends`): the directions whose ink runs
past the mark, paired into strokes, a neighbour's strokes set aside.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from omr.reading.marks.levels import fill_tones
from omr.reading.marks.records import NO_ENDS, BubbleMeasure, StrokeEnds
from omr.reading.marks.robust import flags_given
from omr.reading.marks.sampling import NEIGHBOUR_STROKE_MM, REACH_STEP
from omr.reading.marks.x_shape import (
    STEP_DEG,
    X_OFF_CENTRE,
    X_REACH_MAX,
    X_REACH_MIN,
    angles_and_reaches,
    completing_ends,
    end_pairs,
    is_v,
    makes_x,
    opposite,
    with_hidden_ends,
)
from omr.sheet.bubble_outline import BOX_CORNER, outline_scale
from omr.sheet.calibration import INTERIOR_RADIUS, Calibration


def x_strokes_extent(measure: BubbleMeasure, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(K,) mm twice: how long the strokes of X's on bubbles ``xs`` run from their centre
    (2.5 radii; a box's radii reach its corners), and how far to either side of the
    line to an end a stroke it hides may lie (half a felt-tip stroke and a pixel, and a
    third of a radius for an off-centre crossing)."""
    biggest = measure.radii_mm[xs].max(axis=1).astype(np.float64)
    length = X_REACH_MAX * biggest * np.where(measure.boxes[xs], BOX_CORNER, 1.0)
    return length, NEIGHBOUR_STROKE_MM + X_OFF_CENTRE * biggest


def stroke_ends(
    measure: BubbleMeasure, calibration: Calibration, a_sample_short: bool = False
) -> list[StrokeEnds]:
    """The stroke ends of every bubble, from its reach profile.

    A direction is an end where ink runs past the outline and the mark beside it
    (:func:`reach.past_the_mark`) by ``stroke_beyond`` radii; neighbouring directions make one
    end. An end that stops on the line of a stroke of a neighbouring X may be that
    neighbour's stroke: it is ``borrowed`` and set aside, unless that stroke's line
    crosses this bubble's interior, the neighbour's X does not stand without it, and
    this bubble is not a fill whose tone is plainly the page's pen (:func:`fill_tones`):
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
    (:func:`completing_ends`): an X whose strokes end short on one side. With
    ``a_sample_short``, those shorter ends count as ends themselves, and none shorter
    still completes an X.
    """
    reach, neighbours = measure.reach, measure.neighbours
    past = np.round(measure.past, 2)
    # The far end of a stroke seen leaving may stop a reach sample sooner (an X short on
    # one side): two samples past the mark are still past a fill's wobbling edge.
    short = (past >= calibration.stroke_beyond - REACH_STEP) & (reach >= X_REACH_MIN)
    beyond = (
        short if a_sample_short else (past >= calibration.stroke_beyond) & (reach >= X_REACH_MIN)
    )
    result = [NO_ENDS] * len(reach)
    marked = np.flatnonzero(beyond.any(axis=1))
    found = {int(index): _ends(beyond[index], reach[index]) for index in marked}
    stroked = np.zeros(len(reach), bool)
    stroked[[index for index, (angles, _) in found.items() if makes_x(angles)]] = True
    # The short ends apart from those seen: runs of short directions holding none beyond.
    far = {
        index: _ends_of(
            [run for run in direction_runs(short[index]) if not beyond[index, run].any()],
            reach[index],
        )
        for index, (angles, _) in found.items()
        if not stroked[index] and len(angles) >= 2
    }
    # Each X's strokes, as seen (for a bubble that is an X itself) and with the ends
    # they hide (for any other): worked out once, whichever neighbours ask.
    xs = {
        int(other): strokes_of(measure, int(other), found[int(other)][0])
        for other in np.flatnonzero(stroked)
    }
    # An X short on one side, completed by its own short ends, sends its strokes into
    # its neighbours too; standing on ends a sample short, it explains a neighbour's end
    # only where a stroke of its own could not be there (see below). Asked before any
    # end is set aside, it may send strokes yet read no X itself, its own ends set
    # aside as a neighbour's (below).
    for index, ends in far.items():
        completing = completing_ends(found[index][0], end_pairs(ends))
        if completing:
            angles = found[index][0] + angles_and_reaches(completing)[0]
            xs[index] = strokes_of(measure, index, angles, standing=False)
    # So does an X whose two strokes cross inside its fill (seen as a V, at one pass of
    # the pen or a reach sample short), its strokes through the ends the first pass saw
    # at the ink threshold (a V's two; one or none for the others).
    for index in np.flatnonzero(flags_given(measure.crossing_inside, len(reach))).tolist():
        if measure.ends is not None:
            angles = measure.ends[index].angles
        else:  # a measure made by hand: its ends as seen
            angles = found.get(index, ((), ()))[0]
        if angles:
            xs[index] = strokes_of(measure, index, angles, standing=False)
    # So does an X over an empty circle seen as a V, its other arms run into its
    # neighbours' marks.
    for index, (angles, _) in found.items():
        if (
            index not in xs
            and measure.fill[index] < calibration.filled_min_fill_floor
            and is_v(angles)
        ):
            xs[index] = strokes_of(measure, index, angles, standing=False)
    x_like = np.zeros(len(reach), bool)
    x_like[list(xs)] = True
    # A fill whose tone is plainly the pen's holds no tick of its own to run on; an X's
    # strokes are its own.
    _, plain = fill_tones(measure)
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
        seen = angles_and_reaches(own)[0]
        is_x = bool(stroked[index]) or makes_x(seen)
        if not is_x and len(own) >= 2:
            completing = completing_ends(seen, _not_borrowed(measure, index, far[index], strokes))
            own += completing
            is_x = bool(completing)
        if is_x and _no_x_once_theirs_set_aside(measure, index, own, near):
            # Its ends make an X only with those that are, or may be, its neighbours' X
            # strokes running in (one stroke's ends left once the strokes they show are
            # set aside, or once those they may hide are too: a slash beside an X as well
            # as an X): in doubt, unless its strokes are seen crossing inside its fill
            # (:func:`under_xs.under_the_xs`). So is one whose ends nearly all may be its
            # neighbours', but not those its neighbours explain, unless it shows two
            # whole strokes: one of a cluster of X's.
            result[index] = StrokeEnds(angles, reaches, False, True)
            continue
        result[index] = StrokeEnds(*angles_and_reaches(own), is_x, borrowed)
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
    left = _not_borrowed(measure, index, angles_and_reaches(own), maybe_theirs)
    if len(left) == 2:
        return opposite(left[0][0], left[1][0])
    return len(left) < 2 and len(own) < 4


def _not_borrowed(
    measure: BubbleMeasure,
    index: int,
    ends: tuple[tuple[float, ...], tuple[float, ...]],
    strokes: list[StrokeLine],
) -> list[tuple[float, float]]:
    """Bubble ``index``'s ends (angles, reaches) that stop on none of ``strokes`` (its
    neighbours' X strokes), as (angle, reach) pairs."""
    return [
        (angle, length)
        for angle, length in end_pairs(ends)
        if not any(on_stroke(end_tip(measure, index, angle, length), s) for s in strokes)
    ]


def towards(measure: BubbleMeasure, index: int, angle: float) -> np.ndarray:
    """(2,) mm: the page vector of one radius of bubble ``index`` at ``angle`` (degrees
    in its own polar frame): to its outline, an ellipse's or a box's."""
    theta = np.radians(angle)
    radius = measure.radii_mm[index] * np.array([np.cos(theta), np.sin(theta)], np.float32)
    return radius * np.float32(outline_scale(theta)) if measure.boxes[index] else radius


def end_tip(measure: BubbleMeasure, index: int, angle: float, reach: float) -> np.ndarray:
    """(2,) mm: where an end of bubble ``index`` stops on the page."""
    return measure.centers_mm[index] + reach * towards(measure, index, angle)


class StrokeLine(NamedTuple):
    """An X's stroke, as its bubble's ends show it (a neighbour's, or the X's own asked
    whether it is whole): from ``start`` (mm) along ``unit``, ``length`` mm, an end on it
    lying within ``width`` mm of its line; ``stands``: the X stands without it."""

    start: np.ndarray
    unit: np.ndarray
    length: float
    width: float
    stands: bool


class _XStrokes(NamedTuple):
    """A neighbour X's strokes as it shows them (``seen``), and with the ends it hides
    (``hiding``)."""

    seen: list[StrokeLine]
    hiding: list[StrokeLine]


def strokes_of(
    measure: BubbleMeasure, index: int, angles: tuple[float, ...], standing: bool = True
) -> _XStrokes:
    """The strokes of an X on bubble ``index``: from the bubble's centre, 2.5 radii long,
    half a felt-tip stroke and a pixel to either side of the line to an end it shows;
    with the ends it hides, also toward those (:func:`with_hidden_ends`), each known
    only as far as an off-centre crossing allows: a third of a radius more. A box's
    radii reach its corners: its strokes are as long as 2.5 of those. Each line is
    worked out once for both. Not ``standing`` (an X completed by ends a sample short),
    the X stands without none of them."""
    length, hiding_width = (float(v[0]) for v in x_strokes_extent(measure, np.array([index])))
    centre = measure.centers_mm[index]
    lines = []
    for angle in with_hidden_ends(angles):
        direction = towards(measure, index, angle)
        unit = direction / np.linalg.norm(direction)
        # A hidden end: the X stands on the ends it shows.
        stands = standing and (
            angle not in angles or makes_x(tuple(a for a in angles if a != angle))
        )
        lines.append((unit, stands))
    return _XStrokes(
        [
            StrokeLine(centre, unit, length, NEIGHBOUR_STROKE_MM, stands)
            for unit, stands in lines[: len(angles)]
        ],
        [StrokeLine(centre, unit, length, hiding_width, stands) for unit, stands in lines],
    )


def _across(point: np.ndarray, stroke: StrokeLine) -> float:
    """How far (mm) ``point`` lies off the line of ``stroke``."""
    offset = point - stroke.start
    return abs(float(offset[0] * stroke.unit[1] - offset[1] * stroke.unit[0]))


def meets_disc(stroke: StrokeLine, centre: np.ndarray, radius: float) -> float:
    """How far (mm) ahead of its start the line of ``stroke`` meets the disc of ``radius``
    mm round ``centre`` (mm); infinite where it does not."""
    along = float((centre - stroke.start) @ stroke.unit)
    across = _across(centre, stroke)
    if along <= 0.0 or across >= radius:
        return np.inf
    return along - float(np.sqrt(radius**2 - across**2))


def _through(measure: BubbleMeasure, index: int, stroke: StrokeLine) -> bool:
    """Whether the line of ``stroke`` crosses bubble ``index``'s interior."""
    inner = INTERIOR_RADIUS * float(measure.radii_mm[index].min())
    return _across(measure.centers_mm[index], stroke) < inner


def on_stroke(point: np.ndarray, stroke: StrokeLine) -> bool:
    """Whether ``point`` (mm) lies on ``stroke``."""
    along = float((point - stroke.start) @ stroke.unit)
    return (
        -stroke.width <= along <= stroke.length + stroke.width
        and _across(point, stroke) <= stroke.width
    )


def direction_runs(mask: np.ndarray) -> list[np.ndarray]:
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
    return _ends_of(direction_runs(beyond), reach)


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
