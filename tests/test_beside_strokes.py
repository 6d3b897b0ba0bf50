"""What lies under strokes over a bubble, on drawn pixels: the ink beside an X's strokes,
and whether two strokes seen leaving a fill cross inside it (an X short on one side) or
meet at a tick's vertex."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np
import pytest

from omr.reading.marks.beside_strokes import (
    V_PASSES_MIN,
    StrokesOver,
    _passes_darker,
    ink_beside_strokes,
    strokes_cross_inside,
)
from omr.reading.marks.levels import pass_over_fill
from omr.reading.marks.under_xs import FAINT_X_PASSES_MIN

PPM = 8.0  # px per mm: 200 dpi
RADIUS = 20.0  # px: a 5 mm bubble
CENTER = np.array([100.0, 100.0], np.float32)
PAPER = 230.0
PEN = 0.6  # the pen's darkness over paper
INK_AT = PEN / 2
OVER_FILL = partial(pass_over_fill, PEN)  # what one pass of the pen adds to a fill


@dataclass(frozen=True)
class Pen:
    """A stroke's darkness over paper and its width (px): by default as dark as the
    fill, 0.4 mm wide."""

    darkness: float = PEN
    width_px: int = 3


# One pass of the pen, 0.3 mm wide (2.4 px, drawn 2 px wide and antialiased): where a
# fill's strokes overlap, two passes, so one pass lets through the square root of the
# light the fill does.
ONE_PASS = Pen(1 - np.sqrt(1 - PEN), 2)


def _interior() -> np.ndarray:
    span = int(RADIUS)
    ys, xs = np.mgrid[-span : span + 1, -span : span + 1]
    inside = xs**2 + ys**2 <= (0.72 * RADIUS) ** 2
    return np.stack([xs[inside], ys[inside]], axis=1).astype(np.float32)


def _page(fill: str) -> np.ndarray:
    """Paper with a bubble ``fill``ed: "full", "side" (a side missed) or "empty"."""
    darkness = np.zeros((200, 200), np.float32)
    centre = (100, 100)
    if fill != "empty":
        cv2.circle(darkness, centre, int(RADIUS * 1.05), PEN, -1, cv2.LINE_AA)
    if fill == "side":
        cv2.rectangle(darkness, (60, 111), (140, 140), 0.0, -1)  # the lower third missed
    return darkness


def _stroke(
    darkness: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    dye: bool,
    pen: Pen = Pen(),
) -> None:
    """A stroke of ``pen`` from ``start`` to ``end`` (radii from the centre): with
    ``dye``, a ballpoint's second pass, darker where it crosses ink already there; else
    a marker's, as dark over a fill as over paper."""
    line = np.zeros_like(darkness)
    points = [tuple(int(round(100 + RADIUS * v)) for v in p) for p in (start, end)]
    cv2.line(line, points[0], points[1], 1.0, pen.width_px, cv2.LINE_AA)
    if dye:
        darkness += line * pen.darkness * (1 - darkness)
    else:
        np.maximum(darkness, line * pen.darkness, out=darkness)


def _ink(darkness: np.ndarray) -> np.ndarray:
    blurred = cv2.GaussianBlur(darkness, (0, 0), 0.8)
    return (PAPER * (1 - blurred)).astype(np.uint8)


def _seen(darkness: np.ndarray, tips: np.ndarray, ppm: float = PPM) -> StrokesOver:
    return StrokesOver(_ink(darkness), CENTER, _interior(), tips, RADIUS / 3, PAPER, ppm)


def _tips(*points: tuple[float, float]) -> np.ndarray:
    return (CENTER + RADIUS * np.array(points, np.float32)).astype(np.float32)


def _x(
    darkness: np.ndarray, short_side: bool = False, dye: bool = True, pen: Pen = Pen()
) -> np.ndarray:
    """An X at 45°, off centre by a tenth of the radius; ends at 1.8 radii (on the
    lower side at 0.9, inside the fill, when ``short_side``) → its upper tips."""
    back = 0.9 if short_side else 1.8
    for sign in (1, -1):
        unit = np.array([sign, -1.0]) / np.sqrt(2)
        _stroke(darkness, tuple(0.1 + 1.8 * unit), tuple(0.1 - back * unit), dye, pen)
    return _tips((1.37, -1.17), (-1.17, -1.17))


def _beside(fill: str) -> float:
    darkness = _page(fill)
    tips = _x(darkness)
    tips = np.concatenate([tips, _tips((1.37, 1.37), (-1.17, 1.37))])
    return ink_beside_strokes(_seen(darkness, tips), INK_AT)


def test_beside_an_xs_strokes_a_fill_that_missed_a_side_is_ink() -> None:
    assert _beside("side") >= 0.75


def test_beside_an_xs_strokes_over_an_empty_circle_is_paper() -> None:
    assert _beside("empty") <= 0.1


def _crossing(darkness: np.ndarray, tips: np.ndarray, passes_min: float = V_PASSES_MIN) -> bool:
    return strokes_cross_inside(_seen(darkness, tips), INK_AT, OVER_FILL, passes_min)


# A tick or a V crosses inside neither as a V is asked to (a whole pass) nor as an X
# seen at one pass of the pen is (half a pass).
PASSES_ASKED = pytest.mark.parametrize("passes_min", [V_PASSES_MIN, FAINT_X_PASSES_MIN])


def test_an_x_short_on_one_side_crosses_inside_the_fill() -> None:
    darkness = _page("full")
    assert _crossing(darkness, _x(darkness, short_side=True))


def test_an_x_in_single_thin_passes_crosses_inside_at_what_a_pass_adds_to_the_fill() -> None:
    """A ballpoint X over its fill, each stroke one pass 0.3 mm wide (lighter than the
    fill's two passes), short on one side: darker than the fill by what one pass adds
    to it (asked as a second fill-dark layer, 0.18 here, it was not seen)."""
    darkness = _page("full")
    assert _crossing(darkness, _x(darkness, short_side=True, pen=ONE_PASS))


@pytest.mark.parametrize("width_px", [5, 6])
def test_an_x_of_broad_passes_crosses_inside_darker_than_the_fill_beside_it(width_px: int) -> None:
    """A ballpoint X of single passes 0.6–0.8 mm wide over its fill, short on one side:
    its strokes cover about half the interior, so the interior's own median darkness is
    theirs; beside them lies the fill, which they are darker than."""
    darkness = _page("full")
    assert _crossing(darkness, _x(darkness, short_side=True, pen=Pen(ONE_PASS.darkness, width_px)))


@pytest.mark.parametrize(("share", "crosses"), [(0.6, True), (0.3, False)])
def test_an_x_seen_at_one_pass_crosses_inside_where_its_strokes_run_at_all(
    share: float, crosses: bool
) -> None:
    """A light pen's X over its fill, each stroke a pass ``share`` as dark as the pen's
    and 0.25 mm wide: blurred, darker than the fill by under a whole thin pass, which a
    V's strokes must be to cross inside; an X whose ends were all seen where ink is one
    pass of the pen asks only that its strokes run there (half a pass), and a third as
    dark they do not."""
    darkness = _page("full")
    tips = _x(darkness, pen=Pen(ONE_PASS.darkness * share, 2))
    seen = _seen(darkness, tips)
    assert not strokes_cross_inside(seen, INK_AT, OVER_FILL)
    assert strokes_cross_inside(seen, INK_AT, OVER_FILL, FAINT_X_PASSES_MIN) == crosses


@PASSES_ASKED
@pytest.mark.parametrize("pen", [Pen(), ONE_PASS])
@pytest.mark.parametrize("low", [0.25, 0.5, 0.65])
def test_a_tick_with_both_ends_outside_does_not_cross_inside(
    low: float, pen: Pen, passes_min: float
) -> None:
    """Its two strokes meet at the vertex, ``low`` radii below the centre, and stop. A
    vertex half a radius down or more lies too far off the centre for an X's crossing; a
    quarter down, the strokes do not run on past it darker than the fill."""
    darkness = _page("full")
    _stroke(darkness, (-1.4, -0.8), (-0.1, low), True, pen)
    _stroke(darkness, (-0.1, low), (1.2, -1.6), True, pen)
    assert not _crossing(darkness, _tips((-1.4, -0.8), (1.2, -1.6)), passes_min)


@PASSES_ASKED
@pytest.mark.parametrize("low", [0.1, 0.25])
def test_a_tick_over_a_fill_darker_in_its_middle_does_not_cross_inside(
    low: float, passes_min: float
) -> None:
    """A fill gone over twice in its middle (as pencil and scribbled fills are) and a
    tick whose vertex lies near the centre: past the vertex the line runs through the
    fill's dark middle, darker than the fill's rim but no darker than what lies right
    beside it."""
    darkness = _page("full")
    middle = np.zeros_like(darkness)
    cv2.circle(middle, (100, 100), int(RADIUS * 0.45), 1.0, -1, cv2.LINE_AA)
    darkness += middle * PEN * (1 - darkness)
    _stroke(darkness, (-1.4, -0.8), (-0.05, low), True)
    _stroke(darkness, (-0.05, low), (1.2, -1.6), True)
    assert not _crossing(darkness, _tips((-1.4, -0.8), (1.2, -1.6)), passes_min)


@pytest.mark.parametrize(
    ("width_px", "low", "spread"),
    [(5, 0.4, 0.5), (6, 0.4, 0.5), (7, 0.2, 0.7), (7, 0.3, 0.9), (7, 0.4, 1.1), (8, 0.4, 0.9)],
)
@PASSES_ASKED
def test_a_broad_v_over_a_fill_does_not_cross_inside(
    width_px: int, low: float, spread: float, passes_min: float
) -> None:
    """A V drawn over a fill with a broad pen (0.6-1 mm), its vertex ``low`` radii below
    the centre, its tips ``spread`` radii either side of it: the lines found through its
    broad arms lean towards their dark overlap and cross above the vertex, so that past
    that crossing each runs into the vertex's blot. The blot ends where the arms do,
    short of the interior's edge: past the crossing no stroke runs on to it."""
    assert not _crossing(*_v(Pen(PEN, width_px), (0.0, low), spread), passes_min)


@pytest.mark.parametrize(("width_px", "aside"), [(7, 0.2), (8, -0.2)])
@PASSES_ASKED
def test_a_broad_v_with_its_vertex_at_the_interiors_edge_does_not_cross_inside(
    width_px: int, aside: float, passes_min: float
) -> None:
    """A broad V whose vertex lies half a radius down and ``aside`` radii to one side:
    its blot reaches the interior's edge, but past the lines' crossing it is darker
    than the fill by less than half what the arms are before it: one stroke over one
    fill is as much darker on both sides of its crossing."""
    assert not _crossing(*_v(Pen(PEN, width_px), (aside, 0.5), 0.5), passes_min)


def _v(pen: Pen, vertex: tuple[float, float], spread: float) -> tuple[np.ndarray, np.ndarray]:
    """A V over a fill, its vertex at ``vertex`` and its tips 1.6 radii up, ``spread``
    radii either side of the vertex → the page and its tips."""
    darkness = _page("full")
    tips = ((vertex[0] - spread, -1.6), (vertex[0] + spread, -1.6))
    _stroke(darkness, tips[0], vertex, True, pen)
    _stroke(darkness, vertex, tips[1], True, pen)
    return darkness, _tips(*tips)


@pytest.mark.parametrize(
    ("band", "line_px", "darker"),
    [((-1, 1), 0.0, True), ((-1, 2), 0.0, True), ((0, 8), 1.0, False), ((0, 8), 2.0, False)],
)
def test_a_line_along_a_strokes_edge_is_no_darker_than_the_side_the_stroke_is_on(
    band: tuple[int, int], line_px: float, darker: bool
) -> None:
    """A horizontal stroke over the fill covering rows ``band`` (px from the centre) and
    a line ``line_px`` below the centre: through a pen line's middle, darker than the
    fill on both sides by more than a pass; along the inside of a broad band's edge
    (1 mm), darker than the fill on one side only (than both sides together, by more
    than a pass): no darker than the side the band is on, so not darker at all."""
    darkness = _page("full")
    stroke = np.zeros_like(darkness)
    cv2.rectangle(stroke, (60, 100 + band[0]), (140, 100 + band[1]), 1.0, -1)
    darkness += stroke * PEN * (1 - darkness)
    along = np.stack([np.linspace(2.0, 12.0, 7), np.full(7, line_px)], axis=1)
    far_away = (np.array([0.0, -100.0]), np.array([1.0, 0.0]))  # no other stroke near
    passes = _passes_darker(
        _seen(darkness, _tips((1.4, -1.4), (-1.4, -1.4))),
        along,
        np.array([1.0, 0.0]),
        far_away,
        (16.0, 16.0),
        INK_AT,
        OVER_FILL,
    )
    assert (passes >= 1.0) == darker


@pytest.mark.parametrize(("fill", "dye"), [("full", False), ("empty", True)])
def test_strokes_no_darker_than_what_lies_under_them_show_no_crossing(fill: str, dye: bool) -> None:
    """A marker X over a marker fill (no darker inside), or an X over paper."""
    darkness = _page(fill)
    assert not _crossing(darkness, _x(darkness, short_side=True, dye=dye))


# Where the 40-px bubble is 2.9 mm across (the national form's ellipses are 3.1 mm tall):
# the broadest pen line's band (half_band) spans over half the interior's radius, as on
# those ellipses at 8 px per mm (5 px of 9). The two pixels a run must show past the band
# do not scale with the bubble: a crossing a quarter of this bubble's radius off centre
# leaves as little run as one a fifth off on the form's.
SMALL_BUBBLE_PPM = 14.0


def _x_crossing_below(
    darkness: np.ndarray, below: float, dye: bool = True, pen: Pen = ONE_PASS
) -> list[tuple[float, float]]:
    """An X at 45° crossing ``below`` radii under the centre, by default in single thin
    passes, its ends 1.8 radii from the crossing → its ends, the first stroke's two then
    the second's."""
    crossing = np.array([0.0, below])
    ends = []
    for sign in (1, -1):
        unit = np.array([sign, -1.0]) / np.sqrt(2)
        start, stop = tuple(crossing + 1.8 * unit), tuple(crossing - 1.8 * unit)
        _stroke(darkness, start, stop, dye, pen)
        ends += [start, stop]
    return ends


@pytest.mark.parametrize("below", [0.25, 0.3])
def test_an_x_seen_whole_crosses_where_a_run_is_too_short_to_look_at(below: float) -> None:
    """On a small bubble an X crossing ``below`` radii under the centre: asked from one
    end of each stroke, as a V is, no crossing is seen (a quarter radius down, the
    darkest lines from those ends cross farther off than the strokes; three tenths
    down, the strokes' lower runs are too short to look at past the band the other
    stroke takes). Where all four ends were seen, each stroke is the line through its
    ends, and it runs through the fill darker than the fill (only on its upper run,
    three tenths down)."""
    darkness = _page("full")
    ends = _x_crossing_below(darkness, below)
    one_of_each = _seen(darkness, _tips(ends[0], ends[2]), SMALL_BUBBLE_PPM)
    whole = _seen(darkness, _tips(*ends), SMALL_BUBBLE_PPM)
    assert not strokes_cross_inside(one_of_each, INK_AT, OVER_FILL, FAINT_X_PASSES_MIN)
    assert strokes_cross_inside(whole, INK_AT, OVER_FILL, FAINT_X_PASSES_MIN, whole=True)


@pytest.mark.parametrize("ppm", [PPM, SMALL_BUBBLE_PPM])
@pytest.mark.parametrize("pen", [ONE_PASS, Pen(), Pen(ONE_PASS.darkness, 6)])
@pytest.mark.parametrize("low", [0.25, 0.4, 0.5, 0.65])
@pytest.mark.parametrize("past_vertex", [None, 0.5, 0.8])
def test_a_ticks_arms_paired_with_ends_of_the_fills_edge_are_no_whole_x(
    past_vertex: float | None, low: float, pen: Pen, ppm: float
) -> None:
    """A wide tick over a fill, its vertex ``low`` radii under the centre, seen at one
    pass of the pen with two more ends where the fill's edge bulges: opposite its arms,
    1.4 radii out (``past_vertex`` None), or on the line of each arm, ``past_vertex``
    radii past the vertex. Opposite, the lines from each arm's end through the bulge
    run over the fill where no stroke does; on the arms' lines they cross at the
    vertex, past which no stroke runs on (and the run there must be looked at: the
    lines cross off the centre, where an X's strokes do not)."""
    darkness = _page("full")
    left, right, vertex = np.array((-1.2, -1.3)), np.array((1.3, -1.2)), np.array((-0.05, low))
    _stroke(darkness, tuple(left), tuple(vertex), True, pen)
    _stroke(darkness, tuple(vertex), tuple(right), True, pen)
    if past_vertex is None:
        bulges = [-1.4 * arm / np.linalg.norm(arm) for arm in (left, right)]
    else:
        bulges = [
            vertex + past_vertex * (vertex - arm) / np.linalg.norm(vertex - arm)
            for arm in (left, right)
        ]
    tips = _tips(tuple(left), tuple(bulges[0]), tuple(right), tuple(bulges[1]))
    seen = _seen(darkness, tips, ppm)
    assert not strokes_cross_inside(seen, INK_AT, OVER_FILL, FAINT_X_PASSES_MIN, whole=True)


def test_a_marker_x_seen_whole_shows_no_crossing_over_a_marker_fill() -> None:
    """Its strokes as dark over the fill as over paper: no darker than the fill."""
    darkness = _page("full")
    ends = _x_crossing_below(darkness, 0.1, dye=False, pen=Pen())
    whole = _seen(darkness, _tips(*ends), SMALL_BUBBLE_PPM)
    assert not strokes_cross_inside(whole, INK_AT, OVER_FILL, FAINT_X_PASSES_MIN, whole=True)
