"""What lies under and round an X's strokes: ink beside them, strokes crossing inside,
ends that are a scribble's loops or its legs running out side by side, faint ends where
ink is one pass of the pen, and the paper between an X's arms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache, partial
from itertools import combinations

import numpy as np

from omr.reading.marks.arm_lines import arm_directions, leaves_the_mark
from omr.reading.marks.beside_strokes import (
    V_PASSES_MIN,
    StrokesOver,
    ink_beside_strokes,
    strokes_cross_inside,
)
from omr.reading.marks.bridges import joined_bubbles
from omr.reading.marks.levels import pass_over_fill
from omr.reading.marks.loops import Around, looped_ends
from omr.reading.marks.passes import along_passes, passes_way
from omr.reading.marks.print_look import print_shows_at
from omr.reading.marks.records import NO_ENDS, BubbleMeasure, StrokeEnds
from omr.reading.marks.robust import flags_given
from omr.reading.marks.run_on import out_both_ways
from omr.reading.marks.sampling import (
    NEIGHBOUR_OVERSHOOT,
    REACH_DIRECTIONS,
    REACH_RADII,
    REACH_STEP,
    disc_points,
)
from omr.reading.marks.strokes import (
    StrokeLine,
    end_tip,
    meets_disc,
    stroke_ends,
    strokes_of,
    towards,
    x_strokes_extent,
)
from omr.reading.marks.x_shape import (
    STEP_DEG,
    X_OFF_CENTRE,
    angle_apart,
    end_pairs,
    is_v,
    makes_x,
    opposite,
    two_strokes,
)
from omr.reading.template_space import TemplatePage
from omr.sheet.calibration import INTERIOR_RADIUS, Calibration


def under_the_xs(
    measure: BubbleMeasure,
    page: TemplatePage,
    papers: np.ndarray,
    calibration: Calibration,
    faint_reach: np.ndarray,
    print_darkness: float,
    joins: np.ndarray,
    onward_lines: np.ndarray,
) -> BubbleMeasure:
    """``measure`` with its stroke ends, the ink beside the strokes of each X whose rim
    shows paper between its arms (the only X's the classifier asks about), whether
    the two strokes of each V cross inside its fill, or of each X seen only where ink
    is one pass of the pen (``faint_reach``: a light pen's arms fade outside the fill;
    asked first, its ends at the ink threshold may show a V of its arms; along the
    lines through its ends where all four show, else as a V's), or of each showing one
    end at most whose ends a reach sample short make an X (its other arms barely leave
    the fill's overshoot), or of each whose ends make an X only with a
    neighbouring X's stroke running in, and which fills show ends at one pass of the pen
    (:func:`_faint_ends`) or only a reach sample short (``short_ends``). Where strokes
    cross inside, the ends are worked out again with those bubbles among the X's
    (:func:`stroke_ends`).
    Of the strokes ``joins`` found across the gaps between close bubbles
    (:func:`~omr.reading.marks.bridges.bridges`), one to a neighbouring X is that X's arm, and
    joins nothing (``bridged``); one to a marked neighbour may hold the end an X lacks
    (:func:`_second_stroke_whole`). Of the lines ``onward_lines`` ((K, 2) each a marked
    bubble and a blank neighbour) left alone past the middle of the gap between them,
    those that go out both ways with another or with a tip a reach sample short
    (``through``: :func:`_out_both_ways`)."""
    ends = stroke_ends(measure, calibration)
    faint = _ends_at_one_pass(measure, faint_reach, calibration)
    levels = measure.levels
    # Ends a reach sample short (an arm that barely leaves the fill's overshoot): asked
    # about only where the page shows its pen (below), and worked out only there.
    short = stroke_ends(measure, calibration, a_sample_short=True) if levels.measured else ends
    beside = np.full(len(ends), np.nan, np.float32)
    crossing = np.zeros(len(ends), bool)
    for index, strokes in enumerate(ends):
        if strokes.is_x:
            profile = measure.rim_profile[index]
            if paper_between_x_arms(profile, strokes.angles, levels.pen, calibration):
                seen = _strokes_over(measure, page, papers, index, strokes)
                beside[index] = ink_beside_strokes(seen, levels.ink_at)
        elif levels.measured:  # else a pen the page does not show: no pass of it to compare
            crossing[index] = any(
                _cross_inside(measure, page, papers, index, asked, passes_min, whole)
                for asked, passes_min, whole in _crossings_asked(
                    strokes, faint[index], short[index]
                )
            )
    # X's whose strokes cross inside send their strokes into their neighbours too (a
    # second pass), through the ends each shows at the ink threshold (a V's two; one or
    # none where its crossing was looked for at ends a sample short or at one pass), and
    # keep those ends.
    first = ends
    measure = replace(measure, ends=tuple(first), crossing_inside=crossing)
    if crossing.any():
        ends = stroke_ends(measure, calibration)
        ends = [first[k] if crossing[k] else strokes for k, strokes in enumerate(ends)]
    # The X's seen at either level, worked out once: their strokes set neighbours' faint
    # ends and tips aside, and keep the fills they reach from being asked for loops.
    xs_at_either_level = _x_like_at_either_level(measure, ends, faint)
    measure = replace(
        measure,
        ends=tuple(ends),
        beside=beside,
        faint_ends=_faint_ends(measure, faint, xs_at_either_level),
        short_ends=_short_ends(measure, short, ends, xs_at_either_level),
    )
    looped, x_of_loops = _looped(
        measure, page, papers, faint, xs_at_either_level, calibration, print_darkness
    )
    x_of_scribble = x_of_loops | _x_of_legs(measure, page, papers, calibration, joins)
    _, x_like = xs_read(ends, looped, x_of_scribble, crossing)
    return replace(
        measure,
        looped=looped,
        x_of_scribble=x_of_scribble,
        bridged=joined_bubbles(joins, len(ends), set_aside=x_like),
        through=_out_both_ways(measure, onward_lines, short),
    )


def _out_both_ways(
    measure: BubbleMeasure, onward_lines: np.ndarray, short: Sequence[StrokeEnds]
) -> np.ndarray:
    """(N,) bool: the bubbles whose lines onward (``onward_lines``, (K, 2) each a marked
    bubble and a blank neighbour) go out both ways, with another or with a tip a reach
    sample short (``short``, where ``measure.short_ends`` holds) on the opposite side
    (:func:`run_on.out_both_ways`)."""
    count = len(measure.fill)
    tips = flags_given(measure.short_ends, count)
    tip_ways = {
        marked: np.reshape(
            [towards(measure, marked, angle) for angle in short[marked].angles], (-1, 2)
        )
        for marked in np.unique(onward_lines[:, 0]).tolist()
        if tips[marked]
    }
    return out_both_ways(onward_lines, measure.centers_mm, count, tip_ways)


def xs_read(
    ends: Sequence[StrokeEnds],
    looped: np.ndarray,
    x_of_scribble: np.ndarray,
    crossing_inside: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bool twice: the bubbles the classifier reads as X's (their ends make one,
    not of a scribble's loops or legs: ``looped``, ``x_of_scribble``), and those with the
    V's whose strokes cross inside their fill (``crossing_inside``): the X's whose
    strokes run on into their neighbours."""
    is_x = np.array([strokes.is_x for strokes in ends], bool) & ~looped & ~x_of_scribble
    return is_x, is_x | crossing_inside


def _looped(
    measure: BubbleMeasure,
    page: TemplatePage,
    papers: np.ndarray,
    faint: list[StrokeEnds],
    x_like: np.ndarray,
    calibration: Calibration,
    print_darkness: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bool twice: the fills whose every end, seen at the ink threshold
    (``measure.ends``) and at one pass of the pen (``faint``: there the paper a loop
    encloses may be seen at either level), closes a loop of paper past the outline
    (:mod:`omr.reading.marks.loops`); and the X's whose ends make one only with ends on a
    loop's line among them (a loop's legs, seen short of its apex, and a loop followed
    as far as the reach is sampled, count: unmade, an X is a doubt). Only fills that no
    other X (``x_like``, (N,) bool: :func:`_x_like_at_either_level`) reaches are asked,
    and no V whose strokes cross inside its fill. A fill is read as looped only at
    levels the page's print (``print_darkness``,
    :func:`print_look.outline_print_darkness`) does not show at: a printed line, a letter
    or a number beside a bubble closes paper with a tick's two arms as a loop does, and a
    tick read `filled` is a silent error; an X is unmade at the ink threshold whatever the print
    (a doubt, never a wrong reading). On a bi-level scan no fill is read as looped (the
    halftone's dots enclose paper in a fill's texture); an X is still unmade there, its
    loops' paper lying past the outline, where the cells' mean leaves paper paper. None
    where the page does not show its pen."""
    levels = measure.levels
    looped, unmade = np.zeros(len(faint), bool), np.zeros(len(faint), bool)
    if not levels.measured or measure.ends is None:
        return looped, unmade
    # On a bi-level scan no level is free of the halftone's enclosed paper: only X's are
    # asked there (whether they are unmade), and no fill is read as looped.
    unprinted = (
        ()
        if levels.dithered
        else tuple(
            level
            for level in (levels.stroke_at, levels.ink_at)
            if not print_shows_at(print_darkness, level)
        )
    )
    ends = measure.ends
    is_x = np.array([strokes.is_x for strokes in ends], bool)
    has_ends = np.array([bool(a.angles or b.angles) for a, b in zip(ends, faint, strict=True)])
    asked = (
        (measure.fill >= calibration.filled_min_fill_floor)
        & ~reached_by_an_x(measure, x_like)
        & ~flags_given(measure.crossing_inside, len(ends))
        & has_ends
        # Where the print shows, only an X can be asked anything (whether it is unmade).
        & (is_x | (levels.ink_at in unprinted))
    )
    ppm = page.px_per_mm
    for index in np.flatnonzero(asked).tolist():
        around = _around(measure, papers, index, ppm)
        own = ends[index]
        loops = _ends_looped(page, measure, around, index, own, (levels.ink_at,))
        if own.is_x:  # every loop's end lies on its line (the page's edge cuts no window)
            legs = loops | _ends_looped(
                page, measure, around, index, own, (levels.ink_at,), legs=True
            )
            kept = tuple(angle for angle, leg in zip(own.angles, legs, strict=True) if not leg)
            unmade[index] = bool(legs.any()) and not makes_x(kept)
        looped[index] = (
            levels.ink_at in unprinted
            and bool(loops.all())
            and bool(_ends_looped(page, measure, around, index, faint[index], unprinted).all())
        )
    return looped, unmade


def _around(measure: BubbleMeasure, papers: np.ndarray, index: int, ppm: float) -> Around:
    """Bubble ``index`` and its neighbours on the straightened page (``ppm`` px per mm)."""
    near = np.flatnonzero(measure.neighbours[index])
    return Around(
        measure.centers_px[index],
        measure.radii_mm[index] * ppm,
        bool(measure.boxes[index]),
        float(papers[index]),
        measure.centers_px[near],
        measure.radii_mm[near] * ppm,
        measure.boxes[near],
        measure.reach[near],
    )


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
    seen at one of the levels ``seen_at`` (:func:`omr.reading.marks.loops.looped_ends`; with
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


def _x_of_legs(
    measure: BubbleMeasure,
    page: TemplatePage,
    papers: np.ndarray,
    calibration: Calibration,
    joins: np.ndarray,
) -> np.ndarray:
    """(N,) bool: the X's over a fill that a scribbled fill's legs running out past the
    outline make as well (:func:`~omr.reading.marks.arm_lines.arm_directions`, at the
    ink threshold). Each end whose arm shows its way is taken at that way (an X's
    stroke, through a crossing a third of a radius off the centre, runs within 18° of
    the way it is seen; its two strokes 50° apart or more); the others as seen. Unmade
    where the ends make an X only as seen from the centre, not the way their strokes
    run: legs side by side, on either side of the fill. Unmade too where the X shows no
    second stroke whole (:func:`_second_stroke_whole`) and legs along the fill's own
    passes make every end, no arm showing a way across them (:func:`_legs_along_passes`:
    a leg or an arm barely past the outline shows no way, and seen from the centre legs
    at any offset lie at any angle), unless its strokes cross inside the fill, darker
    than it (:func:`_own_strokes_cross`). Unmade as well where an end is one of the
    fill's passes run out along its edge and the other ends make no X: its arm runs
    their way (:func:`~omr.reading.marks.passes.along_passes`) on a line further from
    the centre than any fill's overshoot
    (:func:`~omr.reading.marks.arm_lines.leaves_the_mark`), where no X's stroke,
    crossing within a third of a radius of it, lies. Unmade, an X is a doubt.
    None where the page does not show its pen."""
    unmade = np.zeros(len(measure.fill), bool)
    if not measure.levels.measured or measure.ends is None:
        return unmade
    ends = measure.ends
    asked = np.array([strokes.is_x for strokes in ends], bool) & (
        measure.fill >= calibration.filled_min_fill_floor
    )
    ppm = page.px_per_mm
    for index in np.flatnonzero(asked).tolist():
        own = ends[index]
        edges = [
            float(measure.reach[index, d] - measure.past[index, d])
            for d in (np.round(np.asarray(own.angles) / STEP_DEG).astype(int) % REACH_DIRECTIONS)
        ]
        around = _around(measure, papers, index, ppm)
        ways = arm_directions(
            page.ink,
            around,
            measure.levels.ink_at,
            list(zip(own.angles, own.reach, edges, strict=True)),
            ppm,
        )
        # The fill's passes, worked out only where a test asks for them (most X's show
        # both strokes whole and no arm off the mark).
        fill_passes = cache(partial(passes_way, page, around.center, around.radii))
        off_mark = [
            way is not None and not leaves_the_mark(way, angle, reach)
            for angle, reach, way in zip(own.angles, own.reach, ways, strict=True)
        ]
        run_out = [
            off and _runs_along(way, fill_passes()) for way, off in zip(ways, off_mark, strict=True)
        ]
        # A way off the mark is no X's arm's: the end is taken as seen.
        ways = [None if off else way for way, off in zip(ways, off_mark, strict=True)]
        taken = tuple(
            angle if way is None else way for angle, way in zip(own.angles, ways, strict=True)
        )
        kept = tuple(angle for angle, out in zip(taken, run_out, strict=True) if not out)
        unmade[index] = (
            (makes_x(own.angles) and not makes_x(taken))
            or (any(run_out) and not makes_x(kept))
            or (
                not _second_stroke_whole(measure, index, own, calibration, joins)
                and _legs_along_passes(own, ways, fill_passes())
                and not _own_strokes_cross(measure, page, papers, index, own)
            )
        )
    return unmade


def _runs_along(way: float, passes: float | None) -> bool:
    """Whether an arm running ``way`` degrees runs along a fill's passes (``passes``
    degrees; None: no passes run one way: it runs along none)."""
    return passes is not None and bool(along_passes(way, passes))


def _second_stroke_whole(
    measure: BubbleMeasure,
    index: int,
    strokes: StrokeEnds,
    calibration: Calibration,
    joins: np.ndarray,
) -> bool:
    """Whether bubble ``index``'s X (``strokes``) shows both its strokes whole: both ends
    of each (:func:`~omr.reading.marks.x_shape.two_strokes`), or an end it lacks hidden
    in a marked neighbour that a stroke joins it to (``joins``, (J, 2) the pairs
    :func:`~omr.reading.marks.bridges.bridges` joined across the gap between them: an
    arm run into a neighbour's fill crosses the paper between them).

    An end no further out than a scribble's turn reaches (``TURN_REACH_MAX``: a zigzag
    turns at the outline, past it by its broadest overshoot, and seen from the centre a
    turn is an end too) is no stroke's end seen whole: a leg and a turn on either side of
    the fill pair as one stroke's two ends. Unless it points into a marked
    neighbour, whose footprint cuts its reach short (:func:`_into_a_marked_neighbour`).
    """
    both_ends = two_strokes(strokes.angles) is not None
    turns = [k for k, reach in enumerate(strokes.reach) if reach <= TURN_REACH_MAX]
    if both_ends and not turns:
        return True
    lines = strokes_of(measure, index, strokes.angles).hiding
    marked = np.flatnonzero(
        measure.neighbours[index] & (measure.fill >= calibration.filled_min_fill_floor)
    )
    if both_ends:
        return all(
            _into_a_marked_neighbour(measure, index, lines[k], marked, calibration) for k in turns
        )
    joined = np.concatenate([joins[joins[:, 0] == index, 1], joins[joins[:, 1] == index, 0]])
    return any(
        _into_a_marked_neighbour(measure, index, line, np.intersect1d(marked, joined), calibration)
        for line in lines[len(strokes.angles) :]
    )


def _into_a_marked_neighbour(
    measure: BubbleMeasure,
    index: int,
    line: StrokeLine,
    marked: np.ndarray,
    calibration: Calibration,
) -> bool:
    """Whether the ``line`` from bubble ``index``'s centre to an end (as wide as an
    off-centre crossing leaves it: :func:`~omr.reading.marks.strokes.strokes_of`) meets
    the footprint (its fill's broadest overshoot) of one of the ``marked`` neighbours
    before an end would show (``stroke_beyond`` past the outline): there an arm runs on
    hidden."""
    seen_from = (1.0 + calibration.stroke_beyond) * float(measure.radii_mm[index].max())
    return any(
        meets_disc(
            line,
            measure.centers_mm[other],
            NEIGHBOUR_OVERSHOOT * float(measure.radii_mm[other].max()) + line.width,
        )
        <= seen_from
        for other in marked.tolist()
    )


# A scribble's leg is one of its passes, run on past the outline: its line lies within
# the fill and its broadest overshoot (``NEIGHBOUR_OVERSHOOT`` radii of the centre), and
# an end's reach is known to a reach step.
LEG_OFF_CENTRE_MAX = NEIGHBOUR_OVERSHOOT + REACH_STEP
# A zigzag's turn is its pass bent back, the bend's line within that bound too; its ink
# runs past the line's middle by half the pen's line, a ballpoint's (0.15-0.25 mm) about
# a reach step of the residency grid's radii (1.6-2.1 mm): seen from the centre, a turn's
# end lies up to a reach step further out than a leg's line (a felt-tip's half line is
# two; not allowed for).
TURN_REACH_MAX = LEG_OFF_CENTRE_MAX + REACH_STEP


def _legs_along_passes(strokes: StrokeEnds, ways: list[float | None], passes: float | None) -> bool:
    """Whether a fill's passes, running ``passes`` degrees (0–180; None: no passes run
    one way) make every one of its ends (``strokes``) as a leg run on: no arm shows a
    way (``ways``, degrees; None: not shown) more than ``PASSES_SPREAD_DEG`` off them,
    and each end lies on a line along them within ``LEG_OFF_CENTRE_MAX`` of the centre."""
    if passes is None:
        return False
    across = [way is not None and not _runs_along(way, passes) for way in ways]
    off_centre = np.asarray(strokes.reach) * np.abs(
        np.sin(np.radians(np.asarray(strokes.angles) - passes))
    )
    return not any(across) and bool((off_centre <= LEG_OFF_CENTRE_MAX).all())


def _own_strokes_cross(
    measure: BubbleMeasure, page: TemplatePage, papers: np.ndarray, index: int, strokes: StrokeEnds
) -> bool:
    """Whether two strokes of bubble ``index``'s X (through one end of each of its
    ``strokes``) cross inside its fill, each run darker than the fill beside it by a
    whole pass (``V_PASSES_MIN``): an X drawn over the fill, as a scribble's legs, its
    own passes, are not."""
    one_of_each = _one_end_of_each_stroke(strokes)
    return one_of_each is not None and _cross_inside(
        measure, page, papers, index, one_of_each, V_PASSES_MIN
    )


def _cross_inside(
    measure: BubbleMeasure,
    page: TemplatePage,
    papers: np.ndarray,
    index: int,
    strokes: StrokeEnds,
    passes_min: float,
    whole: bool = False,
) -> bool:
    """Whether the strokes through bubble ``index``'s ends ``strokes`` cross inside its
    fill, each run darker than the fill beside it by ``passes_min`` passes of the page's
    pen (:func:`~omr.reading.marks.beside_strokes.strokes_cross_inside`; ``whole``: the
    ends are both ends of both strokes)."""
    return strokes_cross_inside(
        _strokes_over(measure, page, papers, index, strokes),
        measure.levels.ink_at,
        partial(pass_over_fill, measure.levels.pen),
        passes_min,
        whole,
    )


def _tips(measure: BubbleMeasure, index: int, strokes: StrokeEnds, ppm: float) -> np.ndarray:
    """(K, 2) float32 page px (``ppm`` px per mm): where each of bubble ``index``'s ends
    stops (the refined centre, the ends' reach)."""
    ends_mm = [
        reach * towards(measure, index, angle)
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
        return [NO_ENDS] * len(faint_reach)
    return stroke_ends(replace(measure, reach=faint_reach), calibration)


def _crossings_asked(
    strokes: StrokeEnds, faint: StrokeEnds, short: StrokeEnds
) -> list[tuple[StrokeEnds, float, bool]]:
    """Whose crossing inside a fill is asked about, for a fill showing ``strokes`` at the
    ink threshold (not an X), ``faint`` at one pass of the pen and ``short`` a reach
    sample short: (the ends whose strokes are looked for, the passes darker than the
    fill each run must be, whether those are both ends of both strokes), in turn."""
    if faint.is_x and (one_of_each := _one_end_of_each_stroke(faint)):
        # An X in a light pen whose arms fade outside the fill (some may show as a V),
        # seen at one pass of the pen: both ends of both its strokes, where all four
        # show (each stroke is the line through its ends), else one end of each.
        both = _both_ends_of_each_stroke(faint)
        whole = [(both, FAINT_X_PASSES_MIN, True)] if both is not None else []
        return [*whole, (one_of_each, FAINT_X_PASSES_MIN, False)]
    if is_v(strokes.angles):
        return [(strokes, V_PASSES_MIN, False)]  # a V: do its strokes cross inside?
    if len(strokes.angles) < 2 and short.is_x and (one_of_each := _one_end_of_each_stroke(short)):
        # An X whose other arms stop a reach sample short of an end, where a fill's
        # edge bulges on one fill in two hundred (x_shape.completing_ends): weak
        # evidence alone, so its strokes through one end of each are asked to cross
        # inside the fill and run on past the crossing a whole pass darker than the
        # fill beside them, as a V's are.
        return [(one_of_each, V_PASSES_MIN, False)]
    if strokes.borrowed and (one_of_each := _one_end_of_each_stroke(strokes)):
        # Ends set aside as a neighbour's X strokes (as where they made an X only with
        # such an end: the doubt of stroke_ends): are two of them the fill's own
        # strokes, crossing inside it?
        return [(one_of_each, V_PASSES_MIN, False)]
    return []  # no V: not two ends, or the two ends of one stroke


def _strokes_over(
    measure: BubbleMeasure, page: TemplatePage, papers: np.ndarray, index: int, strokes: StrokeEnds
) -> StrokesOver:
    """The ``strokes`` seen leaving bubble ``index``, over its interior on ``page``."""
    ppm = page.px_per_mm
    rx, ry = (float(r) for r in measure.radii_mm[index] * ppm)
    return StrokesOver(
        page.ink,
        measure.centers_px[index],
        disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS),
        _tips(measure, index, strokes, ppm),
        X_OFF_CENTRE * max(rx, ry),
        float(papers[index]),
        ppm,
    )


def _both_ends_of_each_stroke(strokes: StrokeEnds) -> StrokeEnds | None:
    """An X's ``strokes`` ends, both ends of both its strokes (the first stroke's two
    then the second's: :func:`~omr.reading.marks.x_shape.two_strokes`); None unless its
    ends are those four (a fifth may pair with one of them as well)."""
    ends = two_strokes(strokes.angles) if len(strokes.angles) == 4 else None
    if ends is None:
        return None
    return StrokeEnds(
        tuple(strokes.angles[k] for k in ends),
        tuple(strokes.reach[k] for k in ends),
        is_x=False,  # ends to look along, as a V's
    )


def _one_end_of_each_stroke(strokes: StrokeEnds) -> StrokeEnds | None:
    """Two of an X's ``strokes`` ends that are no stroke's two ends, one of each stroke;
    None where every two are opposite (an X its short ends complete, seen as one)."""
    pairs = list(zip(strokes.angles, strokes.reach, strict=True))
    for (angle, reach), (other, other_reach) in combinations(pairs, 2):
        if not opposite(angle, other):
            return StrokeEnds((angle, other), (reach, other_reach), False)
    return None


def _faint_ends(measure: BubbleMeasure, faint: list[StrokeEnds], x_like: np.ndarray) -> np.ndarray:
    """(N,) bool: the bubbles whose ends seen where ink is one pass of the pen
    (``faint``, :func:`_ends_at_one_pass`) leave the mark as its ends do at the ink
    threshold, but for those a neighbouring X's strokes may reach.

    A single stroke is lighter than a fill (:func:`levels._single_stroke`): a tick or a line
    over a fill in a light pen, or in pencil, fades under the ink threshold outside it
    and leaves no end there. Beside an X, a fill's faint reach runs into the X's own
    strokes (their tails fade too, past where the X's ends were seen, bowed, off its
    centre): of a bubble that an X (``x_like``, (N,) bool: seen at either level, or a V
    crossing inside, :func:`_x_like_at_either_level`) can reach, only the ends that stop
    beyond the reach of every such X's strokes count (:func:`_beyond_the_xs`: an X's
    arms run 2.5 radii from its centre, its crossing a third of a radius off it, half a
    felt-tip stroke to either side): a slash's upper end above an X whose arm runs into
    its lower one.
    """
    return _beyond_every_x(measure, faint, x_like)


def _short_ends(
    measure: BubbleMeasure,
    short: list[StrokeEnds],
    ends: list[StrokeEnds],
    x_like: np.ndarray,
) -> np.ndarray:
    """(N,) bool: the bubbles that show no end at the ink threshold (``ends``) but ends a
    reach sample short (``short``: a tick's or a slash's tip that barely leaves a fill's
    overshoot), but for those a neighbouring X's strokes may reach, as
    :func:`_faint_ends` sets them aside (an X's arm runs on into its neighbours, and its
    tail past a neighbour's fill is such a tip)."""
    tips = [NO_ENDS if seen.angles else tip for tip, seen in zip(short, ends, strict=True)]
    return _beyond_every_x(measure, tips, x_like)


def _beyond_every_x(
    measure: BubbleMeasure, asked: list[StrokeEnds], x_like: np.ndarray
) -> np.ndarray:
    """(N,) bool: the bubbles with ends ``asked`` of which one stops beyond the reach of
    the strokes of every neighbouring X (``x_like``, (N,) bool; :func:`_beyond_the_xs`)."""
    result = np.array([bool(strokes.angles) for strokes in asked], bool)
    for index in np.flatnonzero(result & reached_by_an_x(measure, x_like)).tolist():
        xs = np.flatnonzero(measure.neighbours[index] & x_like)
        tips = [
            end_tip(measure, index, angle, reach)
            for angle, reach in end_pairs((asked[index].angles, asked[index].reach))
        ]
        result[index] = bool(_beyond_the_xs(measure, xs, np.array(tips)).any())
    return result


def _beyond_the_xs(measure: BubbleMeasure, xs: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(K,) bool: which of ``points`` (K, 2) mm lie beyond the reach of every stroke the
    X's on bubbles ``xs`` may draw, seen or hidden (:func:`strokes.strokes_of`): farther from
    each one's centre than the far corner of its strokes' bands."""
    length, width = x_strokes_extent(measure, xs)
    reach = np.hypot(length + width, width)  # (X,)
    apart = np.linalg.norm(points[:, None, :] - measure.centers_mm[xs][None], axis=-1)
    return (apart > reach[None]).all(axis=1)


def _x_like_at_either_level(
    measure: BubbleMeasure, ends: Sequence[StrokeEnds], faint: Sequence[StrokeEnds]
) -> np.ndarray:
    """(N,) bool: the bubbles whose ends make an X at the ink threshold (``ends``) or at
    one pass of the pen (``faint``), or whose V's strokes cross inside their fill."""
    is_x = np.array([a.is_x or b.is_x for a, b in zip(ends, faint, strict=True)], bool)
    return is_x | flags_given(measure.crossing_inside, len(ends))


def reached_by_an_x(measure: BubbleMeasure, is_x: np.ndarray) -> np.ndarray:
    """(N,) bool: the bubbles that a stroke of an X (``is_x``, (N,) bool) can reach."""
    return (measure.neighbours & is_x[None, :]).any(axis=1)


# Half a felt-tip stroke (0.4 mm) and the scan's blur, seen from the centre at the
# interior's rim of the smallest bubbles (1.2 mm out): at most 25° either side of an end.
ARM_HALF_WIDTH_DEG = 25.0
# Away from the arms, the rim's lower quartile: paper over a quarter of it or more says an
# X lies over an empty circle (there its four arcs are paper but for the blur), however
# a fill's overshoot, a neighbour's stroke or an arm's bow inks the rest; a fill under the
# X inks all of it.
PAPER_BETWEEN_ARMS_PERCENTILE = 25


def paper_between_x_arms(
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
    apart = angle_apart(directions[:, None], np.asarray(angles, np.float64), 360)
    away = (apart >= ARM_HALF_WIDTH_DEG).all(axis=1)
    return float(np.percentile(profile[away], PAPER_BETWEEN_ARMS_PERCENTILE)) if away.any() else 0.0
