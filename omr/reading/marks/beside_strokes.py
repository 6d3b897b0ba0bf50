"""What lies under strokes over a fill: the ink beside an X's strokes, and whether two
strokes seen leaving a fill cross inside it.

An X over an empty circle leaves paper between its strokes; a fill under an X inks the
interior wherever the strokes are not. Seen at the interior's rim, a fill that missed
one side shows paper between two arms, and a felt-tip X crossing off the centre of a
small ellipse blackens every wedge but one: the rim cannot tell them apart. Beside the
strokes it can: there, the fill's ink stays and the X's ink is gone.

An X whose strokes end short on one side shows only two ends, as a tick whose short
stroke starts outside the outline does. A ballpoint stroke over a ballpoint fill is
darker than the fill inside it too (dye over dye): an X's two strokes run on through the
fill and cross near its centre, darker than the fill on both sides of the crossing; a
tick's meet at its vertex, low in the bubble, and stop there. A felt-tip or marker fill
is as dark as the stroke over it: there is nothing to see inside, and the doubt stays.

Each stroke is found where it is: the darkest straight line through the interior from a
stroke end seen outside the bubble, aimed within the off-centre reach of an X's
crossing. Everything within half the broadest pen line of those lines (and the scan's
blur) is the X's; the rest is what the X was drawn over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from omr.reading.marks.bridges import STROKE_MAX_MM
from omr.reading.template_space import gather
from omr.sheet.calibration import INTERIOR_RADIUS

# A pixel of the scan's blur past the broadest pen line's edge is still the stroke's.
BLUR_PX = 1.0
# Aims tried across the centre: nine over twice ``off_centre_px`` (a third of the radius),
# a twelfth of the radius apart (1–2 px from the smallest bubbles to the largest at
# 8 px/mm), so one lies on the thinnest stroke (0.3 mm, 2.4 px). Samples along each line
# through the interior: fifteen (seven each side of a crossing), 1.4–2.4 px apart, about
# that stroke's width, so no stretch of a stroke falls between two of them.
AIMS, ALONG = 9, 15
# Beside the strokes, under a tenth of the interior (30-odd pixels on the residency
# grid's ellipses at 8 px/mm) tells the share of ink there only within ±0.09 (a share's
# standard error at one half), a quarter of the gap between a blank's and a fill's
# (``blank_max_fill``, ``filled_min_fill``): too little to say what it holds.
BESIDE_MIN_SHARE = 0.1
# Past the other stroke's band, a stroke must run on for two pixels at least to be seen
# going on. A tick's vertex, half a radius and more from the centre, leaves none inside
# the interior (0.72 radii); an X leaves that much on its near side when it crosses
# within about a fifth of the radius of the centre on the smallest bubbles at 200 dpi (a
# third on 5 mm bubbles): one crossing further off stays in doubt.
RUN_ON_MIN_PX = 2.0
# Sampled along its centre line, a pass of a ballpoint over a fill (0.3 mm: 2.4 px at
# 200 dpi) keeps two thirds of its darkening under a pixel of the scan's blur.
THIN_LINE_KEPT = 2 / 3
# Beside a stroke, the fill is looked at out to 0.8 radii (0.8 / 0.72 of the interior's):
# short of the printed outline's inner edge and its blur (0.9 radii and a pixel).
SIDE_REACH = 0.8 / INTERIOR_RADIUS
# Two lines found within a pixel each, less than 12° apart, cross somewhere within
# 1 / sin 12° ≈ 5 px along them: the whole of ``off_centre_px`` on the residency grid's
# ellipses (5.3 px at 8 px/mm). Closer in direction, they have no crossing to place (an
# X's strokes stand 50° apart and more).
PARALLEL_DEG = 12.0


@dataclass(frozen=True, slots=True)
class StrokesOver:
    """Strokes seen leaving one bubble: ``ink`` the straightened page, ``center`` (2,)
    and ``tips`` (K, 2) page px of the bubble's centre and the strokes' ends,
    ``interior`` (P, 2) the interior's pixel offsets from the centre, ``off_centre_px``
    how far from the centre an X's strokes may cross, ``paper`` the page's brightness
    there, ``px_per_mm`` the page's scale."""

    ink: np.ndarray
    center: np.ndarray
    interior: np.ndarray
    tips: np.ndarray
    off_centre_px: float
    paper: float
    px_per_mm: float

    @property
    def half_band(self) -> float:
        """px: a stroke's reach either side of its line (half the broadest pen line and
        the scan's blur)."""
        return STROKE_MAX_MM / 2 * self.px_per_mm + BLUR_PX

    def darkness(self, offsets: np.ndarray) -> np.ndarray:
        """Darkness (0 paper, 1 black) at ``offsets`` (..., 2) px from the centre."""
        return 1.0 - gather(self.ink, self.center[None], offsets)[0] / self.paper

    def lines(self, anywhere: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each stroke's line, from its tip: (a point on it, its unit), from the centre;
        aimed within ``off_centre_px`` of the centre, or (``anywhere``) across the whole
        interior."""
        reach = float(np.abs(self.interior).max())
        within = reach if anywhere else self.off_centre_px
        return [_darkest_line(self, tip - self.center, reach, within) for tip in self.tips]

    def lines_through_ends(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each stroke's line through its two ends (``tips`` in pairs, a stroke's two
        ends each): (a point on it, its unit), from the centre."""
        starts, stops = self.tips[0::2] - self.center, self.tips[1::2] - self.center
        return [
            (start, (stop - start) / max(float(np.linalg.norm(stop - start)), 1e-6))
            for start, stop in zip(starts, stops, strict=True)
        ]


def ink_beside_strokes(strokes: StrokesOver, ink_at: float) -> float:
    """Share of the interior beside the strokes that is ink (darker than ``ink_at``);
    NaN when the strokes leave too little of it."""
    lines = strokes.lines()
    starts = np.array([start for start, _ in lines], np.float32)  # (K, 2) from the centre
    units = np.array([unit for _, unit in lines], np.float32)
    across = _off_line(strokes.interior[:, None, :] - starts[None], units)  # (P, K)
    beside = (across > strokes.half_band).all(axis=1)
    if beside.mean() < BESIDE_MIN_SHARE:
        return float("nan")
    return float((strokes.darkness(strokes.interior[beside]) >= ink_at).mean())


# A V seen at the ink threshold, whose two ends a check mark makes too, asks each run of
# its strokes past their crossing a whole thin pass darker than the fill beside it.
V_PASSES_MIN = 1.0


def strokes_cross_inside(
    strokes: StrokesOver,
    ink_at: float,
    over_fill: Callable[[float], float],
    passes_min: float = V_PASSES_MIN,
    whole: bool = False,
) -> bool:
    """Whether two strokes cross within ``off_centre_px`` of the centre and each runs on
    through the interior on both sides of the crossing, darker than the fill beside
    them: an X's, not a tick's. A pixel is ink from ``ink_at``; one pass of the pen
    darkens a fill of darkness ``d`` by ``over_fill(d)``. Each run is weighed against
    the fill right beside it (:func:`_passes_darker`): a fill darker in its middle than
    at its rim, or a line found through a dark fill where no stroke runs, is no darker
    than what lies beside it. A stroke's two runs must be darker by ``passes_min``
    passes each (by default a V's: :data:`V_PASSES_MIN`), and the weaker by half the
    stronger at least: one stroke over one fill darkens it as much on both sides of its
    crossing, where a V's blot shows less than its arms.

    ``whole``: both ends of both strokes were seen leaving the bubble (``tips`` in
    pairs, :meth:`StrokesOver.lines_through_ends`), so each stroke is the line through
    its ends, and it is known to run through: only whether it lies over the fill darker
    than the fill (not an end that a fill's edge makes, paired with an arm) is asked.
    Where the lines cross within ``off_centre_px`` of the centre, as an X's strokes do,
    a run too short to look at (a crossing off the centre of a small ellipse) is passed
    over, and each stroke must show one run at least; a tick's arms, paired with ends
    of the fill's edge past its vertex, cross at the vertex, half a radius down and more,
    and must show both.
    """
    half_band = strokes.half_band
    # Each stroke found where it runs (unless seen whole), aimed anywhere across the
    # interior: a tick's arms meet low in the bubble, and lines held near the centre
    # would cross there instead.
    lines = strokes.lines_through_ends() if whole else strokes.lines(anywhere=True)
    (start_a, unit_a), (start_b, unit_b) = lines
    matrix = np.array([unit_a, -unit_b], np.float64).T
    if abs(np.linalg.det(matrix)) < np.sin(np.radians(PARALLEL_DEG)):
        return False
    along_a, _ = np.linalg.solve(matrix, start_b - start_a)
    crossing = start_a + along_a * unit_a
    off_centre = float(np.linalg.norm(crossing))
    if off_centre > strokes.off_centre_px + half_band:
        return False
    runs_may_be_short = whole and off_centre <= strokes.off_centre_px
    rx, ry = np.abs(strokes.interior).max(axis=0)
    sides_within = (rx * SIDE_REACH, ry * SIDE_REACH)
    for unit, other in ((unit_a, unit_b), (unit_b, unit_a)):
        # Where the line leaves the interior's ellipse, on each side of the crossing.
        a = (unit[0] / rx) ** 2 + (unit[1] / ry) ** 2
        b = 2 * (crossing[0] * unit[0] / rx**2 + crossing[1] * unit[1] / ry**2)
        c = (crossing[0] / rx) ** 2 + (crossing[1] / ry) ** 2 - 1
        if c > 0:  # the crossing lies outside the interior: no run on either side
            return False
        root = np.sqrt(b * b - 4 * a * c)
        passes = []
        for exit_at in ((-b - root) / (2 * a), (-b + root) / (2 * a)):
            if abs(exit_at) - half_band < RUN_ON_MIN_PX:
                if runs_may_be_short:
                    continue
                return False
            steps = np.sign(exit_at) * np.linspace(half_band, abs(exit_at), ALONG // 2)
            along = crossing + steps[:, None] * unit
            passes.append(
                _passes_darker(
                    strokes, along, unit, (crossing, other), sides_within, ink_at, over_fill
                )
            )
        # One stroke over one fill is as much darker on both sides of its crossing: a
        # V's blot, past where the lines through its arms cross, shows less than an arm
        # (a stroke seen whole whose one run is too short shows the other alone).
        if not passes or min(passes) < passes_min or min(passes) < max(passes) / 2:
            return False
    return True


def _passes_darker(
    strokes: StrokesOver,
    along: np.ndarray,
    unit: np.ndarray,
    other: tuple[np.ndarray, np.ndarray],
    within_radii: tuple[float, float],
    ink_at: float,
    over_fill: Callable[[float], float],
) -> float:
    """How much darker the line through ``along`` ((S, 2) px from the centre, direction
    ``unit``) is than the fill right beside it, counted in thin passes of the pen over
    that fill (what one keeps of its darkening: ``THIN_LINE_KEPT``). The fill beside is
    the inked points a stroke's reach to either side of the line, out of the ``other``
    stroke's band (its crossing, its unit) and within the printed outline's inner edge
    (``within_radii``, px).

    0 (no stroke runs there) where the line is darker than one side by less than half a
    pass, midway between no stroke and a stroke: a line lying along a stroke's edge, or
    between two strokes, is no darker than the side the stroke is on. 0 too where the
    half of the run farther from the crossing is darker than the fill by less than half
    a pass: the lines found through a V's broad arms lean towards the arms' dark overlap
    and cross short of the vertex, and past that crossing they run into a blot that ends
    with the arms, where an X's stroke runs on to the interior's edge.
    """
    normal = np.array([-unit[1], unit[0]])
    crossing, other_unit = other
    rx, ry = within_radii
    on_line = strokes.darkness(along.astype(np.float32))
    line = float(on_line.mean())
    fills = []
    for sign in (1.0, -1.0):
        side = along + sign * strokes.half_band * normal
        within = ((side[:, 0] / rx) ** 2 + (side[:, 1] / ry) ** 2 <= 1) & (
            _off_line(side - crossing, other_unit) > strokes.half_band
        )
        darkness = strokes.darkness(side[within].astype(np.float32))
        fill = darkness[darkness >= ink_at]
        if fill.size:
            beside = float(fill.mean())
            if line - beside < THIN_LINE_KEPT / 2 * over_fill(beside):
                return 0.0
            fills.append(fill)
    pooled = np.concatenate(fills) if fills else np.empty(0)
    if pooled.size < 2:
        return 0.0
    beside = float(pooled.mean())
    # The half of the run farther from the crossing: where a V's blot has ended.
    far = float(on_line[len(on_line) // 2 :].mean())
    pass_over = THIN_LINE_KEPT * over_fill(beside)
    return (line - beside) / pass_over if far - beside >= pass_over / 2 else 0.0


def _off_line(offsets: np.ndarray, units: np.ndarray) -> np.ndarray:
    """How far points lie off lines: ``offsets`` (..., 2) from a point on each line,
    ``units`` (..., 2) the lines' directions (broadcast)."""
    return np.abs(offsets[..., 0] * units[..., 1] - offsets[..., 1] * units[..., 0])


def _darkest_line(
    strokes: StrokesOver, tip: np.ndarray, reach: float, within: float
) -> tuple[np.ndarray, np.ndarray]:
    """The darkest line from ``tip`` (px from the centre) across the interior, aimed
    within ``within`` px of the centre, as finely as :data:`AIMS` aims across
    ``off_centre_px`` → (a point on it, its unit), from the centre."""
    inward = -tip / max(float(np.linalg.norm(tip)), 1e-6)
    normal = np.array([-inward[1], inward[0]], np.float32)
    count = max(AIMS, int(np.ceil((AIMS - 1) * within / max(strokes.off_centre_px, 1e-6))) + 1)
    aims = np.linspace(-within, within, count)[:, None] * normal
    units = aims - tip
    units /= np.linalg.norm(units, axis=1, keepdims=True)
    along = np.linspace(-reach, reach, ALONG)[None, :, None]
    points = (aims[:, None, :] + along * units[:, None, :]).astype(np.float32)  # (A, S, 2)
    best = int(np.argmax(strokes.darkness(points).mean(-1)))
    return aims[best].astype(np.float32), units[best].astype(np.float32)
