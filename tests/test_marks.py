"""Pieces of the bubble measurement that stand on their own."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scansim.scanner import dithered
from scansim.sheets import fill, render_sheet

from omr.reading.channels import ScanChannels
from omr.reading.marks import bubble_layout, measure_bubbles
from omr.reading.marks.levels import SMUDGE_ABOVE_PAPER, ink_levels
from omr.reading.marks.measure import RIM_TEXTURE_SHARE, _paper_stretches
from omr.reading.marks.passes import (
    PASSES_SPREAD_DEG,
    along_passes,
    passes_direction,
    passes_way,
    stroke_over,
)
from omr.reading.marks.reach import _reached, _widened, _widening
from omr.reading.marks.robust import (
    FEWEST_TO_MEDIAN,
    SPREAD_DEVIATIONS,
    max_last,
    mean_last,
    percentile,
    spread_about,
    spread_out_by_group,
    sum_last,
)
from omr.reading.marks.sampling import REACH_RADII, RIM_DIRECTIONS, disc_points
from omr.reading.marks.x_shape import angle_apart
from omr.reading.registration.page import register_page
from omr.reading.template_space import TemplatePage, gather, warp_to_template
from omr.sheet.calibration import INTERIOR_RADIUS, Calibration, load_calibration


@given(
    arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 70))),
    st.sampled_from([0.0, 25.0, 50.0, 75.0, 90.0, 100.0]),
)
def test_percentile_is_numpys(values: np.ndarray, q: float) -> None:
    assert np.allclose(percentile(values, q), np.percentile(values, q, axis=-1))


@given(
    st.lists(st.tuples(st.integers(0, 4), st.floats(-1.0, 1.0, width=32)), min_size=1, max_size=60)
)
def test_groups_stand_out_where_each_ones_median_and_spread_say(
    members: list[tuple[int, float]],
) -> None:
    """Each group's bar, all at once, is its median and four spreads, as each group's
    values alone give (:func:`spread_about`); -inf in a group too small to tell."""
    labels, values = (np.array(column) for column in zip(*members, strict=True))
    groups = np.unique(labels, return_inverse=True)[1]
    bars = spread_out_by_group(values, groups)
    for group in np.unique(groups):
        own = values[groups == group]
        if len(own) < FEWEST_TO_MEDIAN:
            expected = -np.inf
        else:
            middle = float(np.median(own))
            expected = middle + SPREAD_DEVIATIONS * spread_about(own, middle)
        assert np.allclose(bars[groups == group], expected)


@given(
    arrays(
        st.sampled_from([np.float32, np.float64]),
        st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(1, 15)),
        elements=st.floats(-1e3, 1e3, width=32),
    )
)
def test_short_rows_add_up_as_numpy_does(values: np.ndarray) -> None:
    # Bit for bit: the readings must not move.
    assert np.array_equal(sum_last(values), values.sum(-1))
    assert np.array_equal(mean_last(values), values.mean(-1))
    assert np.array_equal(max_last(values), values.max(-1))
    assert mean_last(values).dtype == values.mean(-1).dtype


@given(arrays(np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(1, 15))))
def test_short_rows_of_bytes_average_as_numpy_does(values: np.ndarray) -> None:
    assert np.array_equal(mean_last(values, np.float64), values.mean(-1))


@given(arrays(bool, st.tuples(st.integers(1, 5), st.just(15), st.integers(1, 9))))
def test_reach_is_the_first_run_of_ink(inked: np.ndarray) -> None:
    steps = np.where(inked.all(1), inked.shape[1], inked.argmin(1))
    radii = np.asarray(REACH_RADII)[steps - 1]
    assert np.array_equal(_reached(inked), np.where(steps > 0, radii, 0.0))


@given(arrays(bool, st.tuples(st.integers(1, 4), st.just(15), st.just(96))))
def test_widened_is_each_radius_dilated_round_the_circle(inked: np.ndarray) -> None:
    directions = np.arange(96)
    expected = np.zeros_like(inked)
    for radius, width in enumerate(_widening()):
        for shift in range(-width, width + 1):
            expected[:, radius] |= inked[:, radius, (directions + shift) % 96]
    assert np.array_equal(_widened(inked), expected)


INK_AT = 0.4  # a pen of 0.8
PAPER, TEXTURE, INK = 0.05, (RIM_TEXTURE_SHARE + 1) / 2 * INK_AT, 0.8
# tune-h typical rez-056 140E, a fill set off to the left of its circle: the crescent
# of paper on its right holds one sample of the fill's edge (0.32, under its 0.37 ink).
OFFSET_FILL = (
    [0.21, 0.24, 0.28, 0.5, 0.52, 0.58, 0.59, 0.61, 0.65, 0.69, 0.72, 0.72, 0.71, 0.71]
    + [0.71, 0.74, 0.74, 0.71, 0.7, 0.7, 0.67, 0.7, 0.68, 0.7, 0.71, 0.68, 0.66, 0.67]
    + [0.66, 0.65, 0.66, 0.68, 0.64, 0.64, 0.61, 0.62, 0.62, 0.63, 0.65, 0.66, 0.48]
    + [0.41, 0.29, 0.26, 0.21, 0.32, 0.15, 0.18]
)


def _rim(*marks: tuple[int, int, float], ground: float = PAPER) -> np.ndarray:
    """A rim's darkness going round: ``ground``, with (first, count, darkness) runs of
    directions (wrapping round)."""
    rim = np.full(RIM_DIRECTIONS, ground)
    for first, count, darkness in marks:
        rim[np.arange(first, first + count) % RIM_DIRECTIONS] = darkness
    return rim


ARMS = [(first, 2, INK) for first in (5, 17, 29, 41)]


@pytest.mark.parametrize(
    ("rim", "ink_at", "stretches"),
    [
        pytest.param(np.array(OFFSET_FILL), 0.372, 1, id="an offset fill's crescent"),
        pytest.param(_rim(*ARMS), INK_AT, 4, id="an X over an empty circle"),
        pytest.param(_rim(*[(first, 1, INK) for first, _, _ in ARMS]), INK_AT, 4, id="thin X"),
        pytest.param(_rim(), INK_AT, 1, id="paper all round"),
        pytest.param(_rim(ground=INK), INK_AT, 0, id="a fill all round"),
        pytest.param(_rim((0, 20, PAPER), ground=TEXTURE), INK_AT, 1, id="a pencil fill"),
        pytest.param(
            _rim((0, 20, INK), (6, 1, PAPER), (14, 4, PAPER), ground=PAPER),
            INK_AT,
            2,
            id="a notch of one direction is no paper",
        ),
        pytest.param(
            _rim((40, 16, PAPER), (46, 1, TEXTURE), ground=INK),
            INK_AT,
            1,
            id="the fill's texture inside a missed side, across direction 0",
        ),
        pytest.param(
            _rim((40, 16, PAPER), (46, 1, INK), ground=INK),
            INK_AT,
            2,
            id="a stroke of the pen across the missed side",
        ),
    ],
)
def test_only_ink_separates_stretches_of_paper(
    rim: np.ndarray, ink_at: float, stretches: int
) -> None:
    assert _paper_stretches(rim[None], ink_at).tolist() == [stretches]


@given(
    arrays(np.float64, RIM_DIRECTIONS, elements=st.sampled_from([PAPER, TEXTURE, INK])),
    st.integers(0, RIM_DIRECTIONS - 1),
)
def test_stretches_of_paper_do_not_depend_on_where_the_rim_starts(
    rim: np.ndarray, turn: int
) -> None:
    counted = _paper_stretches(np.stack([rim, np.roll(rim, turn)]), INK_AT)
    assert counted[0] == counted[1]


@given(arrays(np.float64, RIM_DIRECTIONS, elements=st.sampled_from([PAPER, INK])))
def test_without_texture_a_stretch_is_three_directions_of_paper_and_more(rim: np.ndarray) -> None:
    paper = rim < INK_AT
    runs = paper & np.roll(paper, -1) & np.roll(paper, -2)  # three in a row start here
    expected = 1 if paper.all() else int((runs & ~np.roll(runs, 1)).sum())
    assert _paper_stretches(rim[None], INK_AT).tolist() == [expected]


@pytest.mark.parametrize("spread", [0.01, 0.03])
def test_the_pens_spread_is_how_evenly_the_page_is_filled(spread: float) -> None:
    """The marked bubbles' tones spread round the pen as the hand fills: measured on the
    lighter half, so that strokes drawn over fills (a pass darker, one mark in five here)
    leave it the hand's."""
    rng = np.random.default_rng(1)
    tone = np.r_[rng.normal(0.7, spread, 120), np.full(30, 0.85), rng.normal(0.03, 0.005, 300)]
    darkness = np.r_[np.full(150, 0.6), np.full(300, 0.01)]
    levels = ink_levels(darkness, tone, np.full(tone.size, 0.05), Calibration())
    assert levels.measured
    assert levels.pen == pytest.approx(0.7, abs=0.03)
    assert 0.75 * spread <= levels.pen_spread <= 1.5 * spread


def _black_pen_page() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A page's bubbles as :func:`ink_levels` takes them (darkness, tone, grain): 150
    fills of a black pen, 300 blank bubbles of clean paper."""
    tone = np.r_[np.full(150, 1.0), np.zeros(300)]
    return np.r_[np.full(150, 0.95), np.zeros(300)], tone, np.zeros(tone.size)


@pytest.mark.parametrize(
    ("dpi", "kept"),
    [(300, 1.0), (200, 1.0), (150, 1.0), (125, 5 / 6), (100, 2 / 3), (60, 0.4)],
)
def test_a_coarse_scans_thinnest_stroke_keeps_less_of_its_darkness(dpi: int, kept: float) -> None:
    """A 0.3 mm line scanned coarser than 150 dpi lies across two pixels at worst, each
    holding the part of it that falls in it: a single stroke leaving a fill is looked for
    that much lighter (a 100 dpi scan's two thirds of a 150 dpi one's). Finer scans, and
    a scan whose pixel is unknown, keep the 150 dpi level; the pen and ink levels stay."""
    darkness, tone, grain = _black_pen_page()
    pixel = 25.4 / dpi
    unknown = ink_levels(darkness, tone, grain, Calibration())
    scanned = ink_levels(darkness, tone, grain, Calibration(), scan_pixel_mm=pixel)
    assert unknown.stroke_at == pytest.approx(0.5)
    assert scanned.stroke_at == pytest.approx(0.5 * kept)
    assert (scanned.pen, scanned.ink_at) == (unknown.pen, unknown.ink_at)
    assert ink_levels(darkness, tone, grain, Calibration(), scan_pixel_mm=np.nan).stroke_at == 0.5


@pytest.mark.parametrize(
    ("spread_mm", "dpi", "kept"),
    [
        (0.0, 200, 1.0),  # unknown
        (0.2, 200, 1.0),  # a sharp scan's: the line keeps over half at its centre
        (0.33, 200, 0.701),  # a soft scanner's: erf(0.3 / (2√2 · 0.33)) over one half
        (0.25, 100, 2 / 3),  # a coarse scan's pixels keep less than its spread does
        (np.nan, 200, 1.0),
    ],
)
def test_a_soft_scans_thinnest_stroke_keeps_less_of_its_darkness(
    spread_mm: float, dpi: int, kept: float
) -> None:
    """A scan that blurs its print by a Gaussian of σ leaves a 0.3 mm line erf(w / 2√2σ)
    of its darkness at its centre: past 0.22 mm, under the half a single stroke is
    looked for at, which falls with it; the less of what the pixels and the spread keep
    is taken."""
    darkness, tone, grain = _black_pen_page()
    levels = ink_levels(
        darkness, tone, grain, Calibration(), scan_pixel_mm=25.4 / dpi, line_spread_mm=spread_mm
    )
    assert levels.stroke_at == pytest.approx(0.5 * kept, abs=1e-3)


# A bi-level scan writes tone in steps of one pixel of its 4-pixel halftone cell.
HALFTONE_STEP = 1 / 16


def test_a_bilevel_scans_smudge_stands_a_step_of_its_tones_above_paper() -> None:
    """Paper a bi-level scan reads on one of its halftone's thresholds holds a dot in a
    random share of its cells: blank bubbles there read up to a step of its tones dark,
    past the 5 % a gray scan's smudge begins at, and past a profile calibrated to so light
    a smudge. A smudge a step and a half dark is still one."""
    rng = np.random.default_rng(2)
    blank = np.r_[np.zeros(200), rng.uniform(0, HALFTONE_STEP, 100)]
    darkness = np.r_[np.full(150, 0.6), blank]
    tone = np.r_[np.full(150, 0.7), blank]
    grain = np.zeros(tone.size)
    gray = ink_levels(darkness, tone, grain, Calibration())
    bilevel = ink_levels(darkness, tone, grain, Calibration(), tone_step=HALFTONE_STEP)
    assert (blank >= gray.smudge_at).any()
    assert (blank < bilevel.smudge_at).all()
    assert bilevel.smudge_at <= 1.5 * HALFTONE_STEP
    # A profile calibrated to a lighter smudge caps the bar, never under the step.
    lighter = Calibration(smudge_darkness=SMUDGE_ABOVE_PAPER)
    capped = ink_levels(darkness, tone, grain, lighter, tone_step=HALFTONE_STEP)
    assert (blank < capped.smudge_at).all()
    assert (bilevel.pen, bilevel.ink_at, bilevel.stroke_at) == (
        gray.pen,
        gray.ink_at,
        gray.stroke_at,
    )


@pytest.mark.parametrize(
    ("written", "step"),
    [
        pytest.param(dithered, HALFTONE_STEP, id="dithered"),
        pytest.param(lambda gray: gray, 0.0, id="gray"),
    ],
)
def test_a_page_measures_its_smudges_a_step_above_paper_only_when_dithered(
    specializare, written, step: float
) -> None:
    """A sheet's blank paper, scanned in gray or dithered: only the dithered page's smudge
    bar stands a step of its halftone's tones above paper; a gray page keeps the flat
    field's."""
    sheet = render_sheet(specializare, 200)
    for question in range(1, 11):
        fill(sheet, specializare, question, "abc"[question % 3])
    scan = ScanChannels(written(cv2.cvtColor(sheet, cv2.COLOR_BGR2GRAY)))
    registration = register_page(scan, specializare)
    assert registration
    page = warp_to_template(scan, registration.homography, specializare)
    levels = measure_bubbles(page, bubble_layout(specializare), load_calibration()).levels
    assert levels.smudge_at == pytest.approx(max(SMUDGE_ABOVE_PAPER, step), abs=0.005)


# A ballpoint fill at 300 dpi in a 5 mm circle: passes 0.4 mm wide laid 0.3 mm apart,
# each letting through 60 % of the light, so their overlaps show darker lines; drawn
# four times finer and averaged down, as a scanner's cells average the page.
PX_PER_MM, RADIUS_PX, PAPER_LEVEL, SIDE = 300 / 25.4, 29.5, 235.0, 100
PASS_WIDTH_MM, PASS_PITCH_MM, PASS_LIGHT, FINER = 0.4, 0.3, 0.6, 4


def _unit(degrees: float) -> np.ndarray:
    return np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])


def _pass(light: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
    """One pass of the pen from ``start`` to ``end`` (px of the page) over ``light``
    (drawn ``FINER`` times finer)."""
    mask = np.zeros(light.shape, np.uint8)
    a, b = (tuple(int(v) for v in np.rint(point * FINER)) for point in (start, end))
    cv2.line(mask, a, b, 1, int(round(PASS_WIDTH_MM * PX_PER_MM * FINER)))
    light *= np.where(mask > 0, PASS_LIGHT, 1.0)


def _filled_page(
    passes_deg: float, line_deg: float | None = None, hatched_deg: float | None = None
) -> TemplatePage:
    """A circle filled in passes running ``passes_deg`` (y down; and over them, where
    given, ``hatched_deg``), and a line of one pass drawn over it through the centre at
    ``line_deg``; blurred as a scan blurs."""
    light = np.ones((SIDE * FINER, SIDE * FINER), np.float64)
    centre = np.full(2, SIDE / 2)
    pitch = PASS_PITCH_MM * PX_PER_MM
    for way in (passes_deg, hatched_deg):
        if way is None:
            continue
        along, across = _unit(way), _unit(way + 90)
        for offset in np.arange(-RADIUS_PX, RADIUS_PX + pitch / 2, pitch):
            half = np.sqrt(max(RADIUS_PX**2 - offset**2, 0.0)) * 1.1
            middle = centre + offset * across
            _pass(light, middle - half * along, middle + half * along)
    if line_deg is not None:
        reach = _unit(line_deg) * RADIUS_PX * 0.9
        _pass(light, centre - reach, centre + reach)
    seen = cv2.resize(PAPER_LEVEL * light, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    ink = np.clip(np.rint(cv2.GaussianBlur(seen, (0, 0), 0.8)), 0, 255).astype(np.uint8)
    return TemplatePage(ink, PX_PER_MM, ScanChannels(ink), np.eye(3))


CENTRE = np.array([[SIDE / 2, SIDE / 2]], np.float32)


def _over(page: TemplatePage) -> tuple[float, float]:
    """``stroke_over`` of the one circle: (overlay, across its passes)."""
    radius = RADIUS_PX * INTERIOR_RADIUS
    pixels = gather(page.ink, CENTRE, disc_points(radius, radius)).astype(np.float32)
    paper = np.array([[PAPER_LEVEL]], np.float32)
    # One bubble is too few to measure a pen on: these are the calibration's levels,
    # whose ink threshold says which of the interior's pixels are the fill's own ink.
    levels = ink_levels(np.array([0.6]), np.array([0.6]), np.array([0.6]), Calibration())
    overlay, across = stroke_over(
        page, CENTRE, RADIUS_PX, RADIUS_PX, paper, 1 - pixels / paper, np.sort(pixels), levels
    )
    return float(overlay[0]), float(across[0])


@pytest.mark.parametrize("passes_deg", [-60.0, -20.0, 0.0, 35.0, 80.0])
def test_a_fills_passes_are_found_along_their_edges(passes_deg: float) -> None:
    found = passes_direction(_filled_page(passes_deg), CENTRE, RADIUS_PX, RADIUS_PX)
    assert abs((found[0] - passes_deg + 90) % 180 - 90) <= 7.5


@pytest.mark.parametrize(
    ("passes_deg", "radii", "way_deg"),
    [
        (-60.0, (1.0, 1.0), 120.0),
        (0.0, (1.0, 1.0), 0.0),
        (35.0, (1.0, 1.0), 35.0),
        # An ellipse twice as wide as high: its own frame halves the run across.
        (45.0, (1.0, 0.5), 63.4),
    ],
)
def test_a_fills_passes_run_one_way_in_the_bubbles_own_frame(
    passes_deg: float, radii: tuple[float, float], way_deg: float
) -> None:
    way = passes_way(_filled_page(passes_deg), CENTRE[0], RADIUS_PX * np.array(radii))
    assert way is not None and angle_apart(way, way_deg, 180) <= 7.5


@pytest.mark.parametrize(
    ("way", "passes", "along"),
    [
        (10.0, 5.0, True),
        (190.0, 5.0, True),  # an arm's way runs round the whole circle; a line's is half
        (175.0, 5.0, True),  # across 0°
        (5.0 + PASSES_SPREAD_DEG - 0.1, 5.0, True),
        (5.0 + PASSES_SPREAD_DEG + 0.1, 5.0, False),
        (95.0, 5.0, False),
    ],
)
def test_a_way_runs_along_a_fills_passes_within_their_spread(
    way: float, passes: float, along: bool
) -> None:
    assert bool(along_passes(way, passes)) is along
    assert along_passes(np.array([way, way + 180.0]), passes).tolist() == [along, along]


@pytest.mark.parametrize(("passes_deg", "hatched_deg"), [(0.0, 60.0), (30.0, 120.0), (-45.0, 45.0)])
def test_a_fill_hatched_two_ways_50_degrees_apart_or_more_runs_no_one_way(
    passes_deg: float, hatched_deg: float
) -> None:
    """Passes laid two ways, as far apart as an X's two strokes at least, run no one way
    (an X's strokes over a fill are no scribble's legs); one way, they do (above)."""
    page = _filled_page(passes_deg, hatched_deg=hatched_deg)
    assert passes_way(page, CENTRE[0], np.array([RADIUS_PX, RADIUS_PX])) is None


@pytest.mark.parametrize(("passes_deg", "line_deg"), [(0.0, -60.0), (-30.0, 45.0), (60.0, 0.0)])
def test_a_line_across_a_fills_passes_darkens_only_its_own_chords(
    passes_deg: float, line_deg: float
) -> None:
    """A pass drawn across the passes raises the darkest line across them as much as
    the darkest line of all; drawn along them, only the darkest line of all: a chord
    across them meets it over a few widths of the pen."""
    plain = _over(_filled_page(passes_deg))
    crossing = _over(_filled_page(passes_deg, line_deg))
    along = _over(_filled_page(passes_deg, passes_deg))
    assert crossing[1] == pytest.approx(crossing[0]) and crossing[1] - plain[1] >= 0.1
    assert along[0] - plain[0] >= 0.1 and along[1] - plain[1] <= (crossing[1] - plain[1]) / 4
