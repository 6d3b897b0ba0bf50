"""A stroke across the narrow gap between two marked bubbles (omr.reading.marks.bridges)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest
from make_scans import plans
from scansim.drawn import answers_read
from scansim.recipes import make
from scansim.scanner import dithered

from omr.reading.channels import ScanChannels
from omr.reading.marks.bridges import (
    GapStrokes,
    _a_line_within,
    _bands,
    _broad_at_one_end,
    _cap_breadth,
    _curvature,
    _darkness_kept,
    _line_of,
    _over_an_overshoot,
    _strokes,
    bridges,
    gap_samples,
    joined_bubbles,
)
from omr.reading.marks.levels import _single_stroke
from omr.vocabulary.states import MarkState

PX_PER_MM = 8.0
PAGE_MM = (30.0, 20.0)  # width, height
# Three ellipses of the residency grid, 4.0 × 3.2 mm, 5 mm apart: a 1 mm gap.
CENTERS_MM = ((10.0, 10.0), (15.0, 10.0), (20.0, 10.0))
SIZES_MM = ((4.0, 3.2),) * 3
INK_AT = 0.35
PEN = 0.5  # the darkness of the pen: a dye letting half the light through
STROKE_AT = _single_stroke(PEN)  # one stroke of that pen, as the reader asks for it

Grid = tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]  # centres, sizes
RESIDENCY_ROW: Grid = (CENTERS_MM, SIZES_MM)
# Three of the candidate number's digits, 3.6 mm circles 4.3 mm apart: a 0.7 mm gap.
DIGITS: Grid = (((10.0, 10.0), (14.3, 10.0), (18.6, 10.0)), ((3.6, 3.6),) * 3)


Segment = tuple[tuple[float, float], tuple[float, float]]
Ellipse = tuple[tuple[float, float], tuple[float, float]]  # centre and half-axes, mm
# The middle fill run over its outline into both gaps, on the line between the centres.
OVERSHOOTS: tuple[Ellipse, ...] = (((13.0, 10.0), (0.35, 0.35)), ((17.0, 10.0), (0.35, 0.35)))


def _page(
    fills: tuple[float, ...], line: tuple[float, float] | None, *, width_mm: float = 0.3
) -> SimpleNamespace:
    """A white page with each bubble filled out to ``fills`` × its radii (0: blank) and a
    horizontal line ``width_mm`` wide (0.3: a ballpoint's) from ``line[0]`` to ``line[1]``
    mm along the row."""
    return _drawn(fills, [((line[0], 10.0), (line[1], 10.0))] if line else [], width_mm)


def _drawn(
    fills: tuple[float, ...],
    segments: list[Segment],
    width_mm: float,
    *,
    blobs: tuple[Ellipse, ...] = (),
    dye: float | None = None,
    grid: Grid = RESIDENCY_ROW,
    scan_ppm: float = PX_PER_MM,
) -> SimpleNamespace:
    """A white page with each bubble of ``grid`` filled out to ``fills`` × its radii, more
    of the fill in ``blobs``, and straight strokes ``width_mm`` wide along ``segments``
    (mm), blurred as a scanner does at ``scan_ppm`` pixels a mm and straightened to the
    page's scale. The ink is opaque (60 on paper 235) or, with ``dye``, a dye letting that
    share of the light through each pass: the strokes over the fill are darker."""
    ellipses = [
        ((x, y), (w / 2 * grow, h / 2 * grow))
        for (x, y), (w, h), grow in zip(*grid, fills, strict=True)
        if grow
    ]
    shape = (round(PAGE_MM[1] * scan_ppm), round(PAGE_MM[0] * scan_ppm))
    fill, strokes = np.zeros(shape, np.uint8), np.zeros(shape, np.uint8)
    for (x, y), (rx, ry) in (*ellipses, *blobs):
        axes = (round(rx * scan_ppm), round(ry * scan_ppm))
        cv2.ellipse(fill, (round(x * scan_ppm), round(y * scan_ppm)), axes, 0, 0, 360, 1, -1)
    for start, end in segments:
        ends = [tuple(round(v * scan_ppm) for v in point) for point in (start, end)]
        cv2.line(strokes, ends[0], ends[1], 1, max(1, round(width_mm * scan_ppm)))
    if dye is None:
        ink = np.where(fill | strokes, 60, 235).astype(np.uint8)
    else:
        ink = np.rint(235 * dye ** (fill + strokes).astype(np.float64)).astype(np.uint8)
    scanned = cv2.GaussianBlur(ink, (5, 5), 1.0)
    page_px = (round(PAGE_MM[0] * PX_PER_MM), round(PAGE_MM[1] * PX_PER_MM))
    straightened = cv2.resize(scanned, page_px, interpolation=cv2.INTER_LINEAR)
    pixel_mm = PAGE_MM[0] / shape[1]
    return SimpleNamespace(
        ink=straightened,
        px_per_mm=PX_PER_MM,
        halftone_cell_mm=0.0,
        scan_pixel_mm=pixel_mm,
        tone_step=0.0,
    )


def _gap_strokes(
    page: SimpleNamespace,
    fills: tuple[float, ...],
    stroke_at: float = INK_AT,
    grid: Grid = RESIDENCY_ROW,
    *,
    inked: tuple[bool, ...] | None = None,
) -> GapStrokes:
    """What :func:`bridges` finds on ``page``: the bubbles with ``fills`` hold a fill, and
    those ``inked`` (by default the same) hold a mark."""
    centers = np.asarray(grid[0], np.float32) * PX_PER_MM
    filled = np.array([grow > 0 for grow in fills])
    marked = filled if inked is None else np.array(inked, bool)
    samples = gap_samples(*grid, (False,) * len(grid[0]))
    paper = np.full(3, 235.0)
    return bridges(page, centers, paper, marked, filled, samples, INK_AT, stroke_at, PEN)


def _read(page: SimpleNamespace, fills: tuple[float, ...], *args: Any, **kwargs: Any) -> list[bool]:
    """Which bubbles of ``page`` are joined (the arguments as :func:`_gap_strokes` takes
    them)."""
    return joined_bubbles(_gap_strokes(page, fills, *args, **kwargs).joined, len(fills)).tolist()


def _bridged(fills: tuple[float, ...], line: tuple[float, float] | None) -> list[bool]:
    return _read(_page(fills, line), fills)


def test_only_neighbours_closer_than_a_radius_are_paired() -> None:
    samples = gap_samples(CENTERS_MM, SIZES_MM, (False,) * len(CENTERS_MM))
    pairs = set(zip(samples.own.tolist(), samples.other.tolist(), strict=True))
    assert pairs == {(0, 1), (1, 0), (1, 2), (2, 1)}


def test_boxes_diagonally_closer_than_a_corners_reach_are_paired() -> None:
    """Boxes 2 mm wide whose centres stand 4.1 mm apart on the diagonal: the gap between
    their corners (1.27 mm) is shorter than a corner's reach (1.41 mm), so an X's arm
    running from one to the other is looked for (the pairs measured reach three corner
    radii, past four half-widths)."""
    samples = gap_samples(((0.0, 0.0), (2.9, 2.9)), ((2.0, 2.0), (2.0, 2.0)), (True, True))
    pairs = set(zip(samples.own.tolist(), samples.other.tolist(), strict=True))
    assert pairs == {(0, 1), (1, 0)}


def test_a_line_through_a_fill_between_filled_neighbours_joins_them() -> None:
    assert _bridged((1.0, 1.0, 1.0), (11.0, 19.0)) == [True, True, True]


def test_a_line_running_out_toward_a_blank_neighbour() -> None:
    assert _bridged((0.0, 1.0, 0.0), (12.0, 18.0))[1] is True


@pytest.mark.parametrize("overshoot", [1.0, 1.15, 1.25])
def test_fills_that_overshoot_into_the_gap_are_not_a_stroke(overshoot: float) -> None:
    assert _bridged((overshoot,) * 3, None) == [False, False, False]


@pytest.mark.parametrize("offset_mm", [-0.5, 0.0, 0.5])
def test_a_felt_tip_line_off_the_centres_between_filled_neighbours(offset_mm: float) -> None:
    """A felt-tip line (0.8 mm) through the middle fill, half a millimetre above or below
    its centre, crosses both gaps: the fill is joined to both neighbours."""
    y = 10.0 + offset_mm
    page = _drawn((1.0, 1.0, 1.0), [((11.0, y), (19.0, y))], 0.8)
    assert _read(page, (1.0, 1.0, 1.0))[1] is True


@pytest.mark.parametrize("width_mm", [0.4, 0.7])
def test_a_line_over_an_overshoot_between_filled_neighbours(width_mm: float) -> None:
    """A felt-tip's line (a dye letting half the light through) across three fills, the
    middle one overshooting its outline under the line into both gaps: there the line is
    dye over dye, darker than across the rest of the gap, and still joins it."""
    line = [((11.0, 10.0), (19.0, 10.0))]
    page = _drawn((1.0, 1.0, 1.0), line, width_mm, blobs=OVERSHOOTS, dye=0.5)
    assert _read(page, (1.0, 1.0, 1.0))[1] is True


@pytest.mark.parametrize("width_mm", [0.4, 0.7])
def test_a_line_over_its_own_overshoot_beside_blank_neighbours(width_mm: float) -> None:
    """The same line through the middle fill alone, run out to its blank neighbours'
    outlines: darker over the fill's own overshoot, it still joins the fill to them."""
    line = [((12.0, 10.0), (18.0, 10.0))]
    page = _drawn((0.0, 1.0, 0.0), line, width_mm, blobs=OVERSHOOTS, dye=0.5)
    assert _read(page, (0.0, 1.0, 0.0))[1] is True


def test_a_line_darker_at_a_blank_neighbours_end_is_not_over_an_overshoot() -> None:
    """Ink under a line at the blank neighbour's end of the gap is no overshoot of the
    fill's: the line does not keep its darkness, and joins nothing."""
    blobs = (((12.15, 10.0), (0.3, 0.3)), ((17.85, 10.0), (0.3, 0.3)))
    page = _drawn((0.0, 1.0, 0.0), [((12.0, 10.0), (18.0, 10.0))], 0.4, blobs=blobs, dye=0.5)
    assert _read(page, (0.0, 1.0, 0.0))[1] is False


def test_a_light_line_beside_blank_neighbours_is_seen_at_one_strokes_darkness() -> None:
    """A pencil's line (one pass a quarter dark, lighter than ink) through a fill, run out
    to its blank neighbours: seen from one stroke's darkness, not from the ink's."""
    page = _drawn((0.0, 1.0, 0.0), [((12.0, 10.0), (18.0, 10.0))], 0.5, dye=0.75)
    assert _read(page, (0.0, 1.0, 0.0), STROKE_AT)[1] is True
    assert _read(page, (0.0, 1.0, 0.0), INK_AT)[1] is False


# The middle fill's overshoot into its right gap, as broad as a felt-tip line is long
# there and reaching just the gap's middle (17.5 mm).
BROAD_OVERSHOOT: tuple[Ellipse, ...] = (((17.0, 10.0), (0.5, 0.7)),)


@pytest.mark.parametrize("y_mm", [9.4, 9.6, 10.0, 10.6])
def test_a_line_past_a_broad_overshoot_runs_onward_unjoined(y_mm: float) -> None:
    """A pencil line through the middle fill, run out to its blank right neighbour past a
    broad overshoot: nearer the fill the band is the overshoot's, and the line joins
    nothing; past the gap's middle it lies alone, and runs onward, where it lies across
    the line between the centres (mm, down the page)."""
    line = [((15.0, y_mm), (18.6, y_mm))]
    page = _drawn((0.0, 1.0, 0.0), line, 0.4, blobs=BROAD_OVERSHOOT, dye=0.6)
    found = _gap_strokes(page, (0.0, 1.0, 0.0), STROKE_AT)
    assert found.joined.tolist() == []
    assert found.onward.tolist() == [[1, 2]]
    assert found.onward_mm[0] == pytest.approx(y_mm - 10.0, abs=0.15)
    # As dark as the dye's one pass: it takes 0.4 of the light.
    assert found.onward_darkness[0] == pytest.approx(0.4, abs=0.05)


@pytest.mark.parametrize(
    "segments",
    [
        pytest.param([], id="the overshoot alone"),
        pytest.param([((15.0, 10.0), (17.4, 10.0))], id="a line ending inside it"),
        pytest.param([((15.0, 10.0), (17.6, 10.0))], id="a line ending short of the last step"),
    ],
)
def test_no_line_alone_past_the_middle_runs_onward(segments: list[Segment]) -> None:
    """The overshoot alone, or with a line that stops inside it or a step short of the
    gap's three quarters, runs nothing onward."""
    page = _drawn((0.0, 1.0, 0.0), segments, 0.4, blobs=BROAD_OVERSHOOT, dye=0.6)
    found = _gap_strokes(page, (0.0, 1.0, 0.0), STROKE_AT)
    assert found.joined.tolist() == [] and found.onward.tolist() == []


def test_a_light_line_between_filled_neighbours_is_looked_for_at_the_ink() -> None:
    """The same light line between two fills: there two light overshoots pinched together
    are as light, and only ink joins the fills."""
    page = _drawn((1.0, 1.0, 1.0), [((11.0, 10.0), (19.0, 10.0))], 0.5, dye=0.75)
    assert _read(page, (1.0, 1.0, 1.0), STROKE_AT) == [False, False, False]


def test_a_light_line_across_a_narrow_gap_is_looked_for_at_the_ink() -> None:
    """The candidate number's digits (3.6 mm, 4.3 mm apart: a 0.7 mm gap) are so close
    that a fill's light overshoot may reach past the middle of the gap: there a band as
    light as one stroke joins nothing, even one of a line's width."""
    page = _drawn((0.0, 1.0, 0.0), [((11.0, 10.0), (17.6, 10.0))], 0.5, dye=0.75, grid=DIGITS)
    assert _read(page, (0.0, 1.0, 0.0), STROKE_AT, DIGITS) == [False, False, False]


@pytest.mark.parametrize(
    ("size_mm", "pitch_mm", "bare"),
    [
        pytest.param((4.0, 3.2), 5.0, True, id="the residency grid's rows (a 1 mm gap)"),
        pytest.param((3.6, 3.6), 4.3, False, id="the candidate number's digits (0.7 mm)"),
    ],
)
def test_an_overshoot_leaves_the_far_half_of_a_gap_bare_only_where_it_is_wide(
    size_mm: tuple[float, float], pitch_mm: float, bare: bool
) -> None:
    """A quarter of a radius of overshoot reaches the middle of the residency rows' gap,
    and past it between the candidate number's digits."""
    centers = ((10.0, 10.0), (10.0 + pitch_mm, 10.0))
    samples = gap_samples(centers, (size_mm,) * 2, (False, False))
    assert samples.bare_half.tolist() == [bare, bare]


def test_an_overshoot_under_no_line_joins_nothing() -> None:
    """The same overshoots, dyed, with no line across the gaps: nothing is joined."""
    page = _drawn((1.0, 1.0, 1.0), [], 0.5, blobs=OVERSHOOTS, dye=0.5)
    assert _read(page, (1.0, 1.0, 1.0)) == [False, False, False]


def test_another_bubbles_stroke_passing_through_a_gap_joins_nothing() -> None:
    """An X's arm from the row below, crossing the gap between the first two fills at
    45°, runs through neither of them: neither is joined."""
    page = _drawn((1.0, 1.0, 0.0), [((11.0, 14.5), (14.5, 7.5))], 0.5)
    assert _read(page, (1.0, 1.0, 0.0))[:2] == [False, False]


def test_two_overshoots_meeting_in_a_neck_are_not_a_stroke() -> None:
    """Two fills run over into the gap until they touch: a band pinched in the middle
    and as broad as the bubbles where it leaves them is not a stroke."""
    page = _drawn((1.0, 1.0, 0.0), [((12.0, 10.0), (13.0, 10.0))], 1.6)
    assert _read(page, (1.0, 1.0, 0.0))[:2] == [False, False]


def _bilevel(page: SimpleNamespace) -> SimpleNamespace:
    """``page`` written in black and white dots as a scanner in black-and-white mode
    writes it (the simulator's dither), then read by its tone as the reader reads a
    bi-level scan (each pixel the mean of its halftone cell), at the page's scale."""
    scan = ScanChannels(dithered(page.ink))
    cell_mm = scan.halftone_cell_px / PX_PER_MM
    return SimpleNamespace(
        ink=scan.ink,
        px_per_mm=PX_PER_MM,
        halftone_cell_mm=cell_mm,
        scan_pixel_mm=1 / PX_PER_MM,
        tone_step=scan.tone_step,
    )


@pytest.mark.parametrize("width_mm", [0.5, 0.9, 1.0])
@pytest.mark.parametrize("y_mm", [10.0, 10.2])
def test_a_line_on_a_bilevel_scan_is_read_a_halftone_cell_broader(
    width_mm: float, y_mm: float
) -> None:
    """A line run out from a fill to both blank neighbours, on a scan written in black and
    white dots: read by its tone, its edges are known to a halftone cell, and the
    broadest pen's line (1 mm) is still a line."""
    page = _bilevel(_drawn((0.0, 1.0, 0.0), [((12.0, y_mm), (18.0, y_mm))], width_mm))
    assert _read(page, (0.0, 1.0, 0.0))[1] is True


@pytest.mark.parametrize(
    ("fills", "segments", "width_mm", "blobs"),
    [
        pytest.param((1.0,) * 3, [], 0.3, (), id="fills to their outlines"),
        pytest.param((1.25,) * 3, [], 0.3, (), id="fills overshooting a quarter radius"),
        pytest.param((1.0, 1.0, 1.0), [], 0.3, OVERSHOOTS, id="overshoots into both gaps"),
        pytest.param(
            (1.0, 1.0, 0.0), [((12.0, 10.0), (13.0, 10.0))], 1.6, (), id="overshoots in a neck"
        ),
    ],
)
def test_overshoots_on_a_bilevel_scan_join_nothing(
    fills: tuple[float, ...], segments: list[Segment], width_mm: float, blobs: tuple
) -> None:
    page = _bilevel(_drawn(fills, segments, width_mm, blobs=blobs))
    assert _read(page, fills) == [False, False, False]


# A pencil line's peak darkness at the five steps across a residency gap, as measured on
# a page scanned bi-level at 150 dpi (0.169 mm pixels, a 4-pixel halftone cell: 0.677 mm):
# read by the tone of its halftone cells, it varies along the gap by two of their steps.
PENCIL_LINE_ON_A_BILEVEL_SCAN = [0.35, 0.39, 0.43, 0.38, 0.31]
GRAY_PAGE = np.full((64, 64), 128, np.uint8)
BILEVEL_STEP = ScanChannels(dithered(GRAY_PAGE)).tone_step
GRAY_STEP = ScanChannels(GRAY_PAGE).tone_step


@pytest.mark.parametrize(
    ("peak", "step", "kept"),
    [
        pytest.param(PENCIL_LINE_ON_A_BILEVEL_SCAN, BILEVEL_STEP, True, id="bi-level line"),
        pytest.param(PENCIL_LINE_ON_A_BILEVEL_SCAN, GRAY_STEP, False, id="same, gray scan"),
        pytest.param([0.6, 0.5, 0.4, 0.3, 0.25], BILEVEL_STEP, False, id="bi-level fade"),
    ],
)
def test_a_line_keeps_its_darkness_within_the_tone_step_the_scan_writes(
    peak: list[float], step: float, kept: bool
) -> None:
    """A pen's line is as dark all along the gap, three quarters of its darkest at least;
    a bi-level scan writes tones a pixel of a halftone cell apart (1/16 in a 4-pixel
    cell), and a line it writes keeps its darkness within that step. An overshoot fading
    to its tip does not, on either scan."""
    assert _darkness_kept(np.array([peak]), step).tolist() == [kept]


# A pencil line's band across a residency gap, as measured on a page scanned bi-level at
# 150 dpi: its middles (mm across the line between the centres, samples 0.128 mm apart)
# at the five steps along the gap's middle half (mm from the bubble's centre), drifting
# by two samples as its edges, known to a halftone cell, fall; the bubble's interior
# reaches 1.152 mm either side of its centre.
BAND_MIDDLES_MM = [0.384, 0.384, 0.32, 0.256, 0.128]
BAND_ALONG_MM = [2.25, 2.375, 2.5, 2.625, 2.75]
INTERIOR_MM = 1.152
HALF_A_CELL_MM = 0.677 / 2


def test_a_bands_middles_known_to_half_a_cell_may_be_a_line_through_the_interior() -> None:
    """Fitted through its middles, the band's line misses the interior (its drift read as
    a 27° slant, carried 2.5 mm back to the centre); within half a cell of each middle a
    level line passes through it. On a scan that writes its tones the fit stands."""
    middle, along = np.array([BAND_MIDDLES_MM]), np.array([BAND_ALONG_MM])
    _, through = _line_of(middle, along)
    assert abs(float(through[0])) > INTERIOR_MM
    interior = np.array([INTERIOR_MM])
    assert _a_line_within(middle, along, interior, HALF_A_CELL_MM).tolist() == [True]
    assert _a_line_within(middle, along, interior, 0.0).tolist() == [False]


def test_a_band_steeper_than_a_stroke_crosses_a_gap_is_no_line_within_half_a_cell() -> None:
    """A band running along the gap (its middles 0.3 mm apart a step, 0.125 mm along):
    no line a stroke crosses the gap at fits it, however its edges are known."""
    middle = np.array([[1.6, 1.3, 1.0, 0.7, 0.4]])
    found = _a_line_within(
        middle, np.array([BAND_ALONG_MM]), np.array([INTERIOR_MM]), HALF_A_CELL_MM
    )
    assert found.tolist() == [False]


SCAN_150_DPI = 150 / 25.4  # px a mm: coarser than the straightened page's 8


@pytest.mark.parametrize("fill", [1.0, 1.2])
@pytest.mark.parametrize("width_mm", [0.6, 1.0])
@pytest.mark.parametrize("row", range(56, 62))
def test_a_broad_line_on_a_150_dpi_scan_is_read_a_scan_pixel_broader(
    fill: float, width_mm: float, row: int
) -> None:
    """A felt-tip's line through a fill (0.6 and 1 mm: drawn 5 and 7 scan pixels broad,
    0.85 and 1.19 mm), run out to both blank neighbours, scanned at 150 dpi (0.17 mm
    pixels) and straightened finer: beside a blank neighbour across a wide gap its edges
    are known to a scan pixel, and it is a line on whichever of the scan's rows it lies."""
    fills, y_mm = (0.0, fill, 0.0), row / SCAN_150_DPI
    page = _drawn(fills, [((12.0, y_mm), (18.0, y_mm))], width_mm, scan_ppm=SCAN_150_DPI)
    assert _read(page, fills)[1] is True


@pytest.mark.parametrize("row", range(56, 62))
def test_a_broad_line_run_on_into_its_neighbours_is_judged_as_beside_blanks(row: int) -> None:
    """The same felt-tip line run on into both neighbours' interiors: they hold its ink
    but no fill (less than a fill is read at), and the gap beside them is judged as
    beside a blank neighbour too."""
    fills, y_mm = (0.0, 1.0, 0.0), row / SCAN_150_DPI
    page = _drawn(fills, [((11.0, y_mm), (19.0, y_mm))], 1.0, scan_ppm=SCAN_150_DPI)
    assert _read(page, fills, inked=(True, True, True))[1] is True


def test_a_line_over_a_partial_fill_running_over_its_outline_still_joins() -> None:
    """A felt-tip's line through a fill, on into neighbours each filled only on the side
    facing it (under the least share a fill is read at) but run a little over their
    outlines: darker and broader at their end, as over a marked neighbour's overshoot. The
    band beside a neighbour holding some ink, less than a fill, is judged both ways."""
    partial = (((11.5, 10.0), (0.6, 1.6)), ((18.5, 10.0), (0.6, 1.6)))
    line = [((11.0, 10.3), (19.0, 10.3))]
    page = _drawn((0.0, 1.0, 0.0), line, 0.8, blobs=partial, dye=0.5, scan_ppm=SCAN_150_DPI)
    assert _read(page, (0.0, 1.0, 0.0), inked=(True, True, True))[1] is True


# A flat band across the gap (darkness 0.6, paper beside it), so many samples broad, to a
# blank neighbour or not, with the scan's pixel in mm, and whether it is a line: beside a
# blank neighbour across a wide gap each edge is known to the coarser of a sample (the
# residency rows': 0.128 mm) and a scan pixel; between marked bubbles, and across the
# digits' narrow gap (0.144 mm samples), to a sample.
FLAT_BANDS = {
    "a 1.28 mm band beside a blank neighbour, 150 dpi pixels": (
        RESIDENCY_ROW,
        10,
        True,
        0.17,
        True,
    ),
    "the same band, pixels finer than the samples": (RESIDENCY_ROW, 10, True, 0.125, False),
    "the same band between two marked bubbles": (RESIDENCY_ROW, 10, False, 0.17, False),
    "a 1.41 mm band, past a scan pixel at each edge": (RESIDENCY_ROW, 11, True, 0.17, False),
    "a 1.30 mm band across the digits' narrow gap": (DIGITS, 9, True, 0.17, False),
}


@pytest.mark.parametrize("name", FLAT_BANDS)
def test_a_bands_edges_are_known_to_a_scan_pixel_only_beside_a_blank_across_a_wide_gap(
    name: str,
) -> None:
    grid, broad, alone, pixel_mm, line = FLAT_BANDS[name]
    samples = gap_samples(*grid, (False,) * len(grid[0]))
    pair = int(np.flatnonzero((samples.own == 1) & (samples.other == 2))[0])
    darkness = np.zeros((1, 5, 21))
    darkness[..., 10 - broad // 2 : 10 - broad // 2 + broad] = 0.6
    found = _strokes(
        darkness,
        samples,
        np.array([pair]),
        np.array([alone]),
        ink_at=0.3,
        pen=0.6,
        halftone_cell_mm=0.0,
        scan_pixel_mm=pixel_mm,
        tone_step=0.0,
    )
    assert found.tolist() == [line]


@pytest.mark.parametrize(
    ("fills", "segments", "width_mm"),
    [
        pytest.param((0.0, 1.25, 0.0), [], 0.3, id="a fill overshooting beside blanks"),
        pytest.param((1.25,) * 3, [], 0.3, id="fills overshooting a quarter radius"),
        pytest.param((1.0, 1.0, 0.0), [((12.0, 10.0), (13.0, 10.0))], 1.6, id="a neck"),
    ],
)
def test_overshoots_on_a_150_dpi_scan_join_nothing(
    fills: tuple[float, ...], segments: list[Segment], width_mm: float
) -> None:
    page = _drawn(fills, segments, width_mm, scan_ppm=SCAN_150_DPI)
    assert _read(page, fills) == [False, False, False]


def test_a_broad_line_from_an_overshooting_fill_to_blank_neighbours() -> None:
    """A soft pencil's line (0.9 mm) through a fill that overshoots, run out to both
    blank neighbours' outlines: broadened beside the fill's overshoot, it is still one
    band of a pen's width further across the gap."""
    page = _drawn((0.0, 1.2, 0.0), [((12.0, 10.0), (18.0, 10.0))], 0.9)
    assert _read(page, (0.0, 1.2, 0.0))[1] is True


# Bands across a gap between two marked bubbles, as measured on scans (peak darkness and
# width in mm at the five steps from the own bubble across; 0.128 mm between samples; a
# pen of 0.45 darkness), and whether each may be a line running over an overshoot.
BANDS_BETWEEN_MARKS = {
    "a felt-tip line over the own fill's overshoot": (
        [0.52, 0.47, 0.39, 0.34, 0.32],
        [0.9, 0.9, 0.77, 0.77, 0.77],
        True,
    ),
    "a line over the other fill's overshoot": (
        [0.21, 0.19, 0.19, 0.2, 0.26],
        [0.64, 0.64, 0.64, 0.77, 0.9],
        True,
    ),
    "two overshoots pinched in the middle": (
        [0.42, 0.34, 0.29, 0.39, 0.5],
        [0.9, 0.64, 0.64, 0.77, 1.02],
        False,
    ),
    "two overshoots meeting, one darker: broad at both ends": (
        [0.45, 0.43, 0.57, 0.7, 0.75],
        [1.28, 0.9, 0.9, 1.02, 1.28],
        False,
    ),
    "darker at one end than a second pass of the pen makes it": (
        [0.9, 0.7, 0.3, 0.3, 0.3],
        [0.9, 0.9, 0.77, 0.77, 0.77],
        False,
    ),
}


@pytest.mark.parametrize("name", BANDS_BETWEEN_MARKS)
def test_a_line_over_an_overshoot_as_measured(name: str) -> None:
    peak, width, line = BANDS_BETWEEN_MARKS[name]
    found = _over_an_overshoot(np.array([peak]), np.array([width]), np.array([[0.128]]), 0.45)
    assert found.tolist() == [line]


# Bands across a gap between two filled bubbles, as measured on scans (peak darkness and
# width in samples 0.128 mm apart at the five steps from the own bubble across; the
# broadest line there 1.256 mm; a pen of 0.82), and whether each may be a line broadened
# at one end.
BANDS_BROAD_AT_AN_END = {
    "a marker's line over the own fill's overshoot (to the next fill)": (
        [0.79, 0.84, 0.83, 0.77, 0.69],
        [11, 10, 9, 9, 9],
        True,
    ),
    "a marker's line over the own fill's overshoot (to the previous fill)": (
        [0.74, 0.78, 0.77, 0.74, 0.69],
        [14, 10, 8, 7, 7],
        True,
    ),
    "two overshoots meeting, pinched between": (
        [0.83, 0.73, 0.66, 0.64, 0.78],
        [12, 9, 8, 8, 9],
        False,
    ),
    "two overshoots meeting, the further lighter": (
        [0.85, 0.74, 0.53, 0.54, 0.7],
        [11, 9, 7, 7, 8],
        False,
    ),
    "broad at both ends": ([0.45, 0.43, 0.57, 0.7, 0.75], [10, 7, 7, 8, 10], False),
    "a fill's overshoot across the gap, its faded tongue at the other end": (
        [0.45, 0.44, 0.5, 0.65, 0.76],
        [8, 8, 9, 10, 12],
        False,
    ),
}


@pytest.mark.parametrize("name", BANDS_BROAD_AT_AN_END)
def test_a_line_broadened_at_one_end_as_measured(name: str) -> None:
    peak, samples, line = BANDS_BROAD_AT_AN_END[name]
    width = np.array([samples]) * 0.128
    found = _broad_at_one_end(np.array([peak]), width, np.array([[1.256]]), 0.82)
    assert found.tolist() == [line]


# Three ellipses of a residency column, 4.6 mm apart: a 1.4 mm gap between their sides.
COLUMN: Grid = (((10.0, 5.0), (10.0, 9.6), (10.0, 14.2)), ((4.0, 3.2),) * 3)


@pytest.mark.parametrize(
    ("grid", "grow", "joined"),
    [(COLUMN, 1.25, [True, True, False]), (RESIDENCY_ROW, 1.15, [False, False, False])],
)
def test_a_line_over_both_overshoots_joins_where_no_two_caps_could_be_as_narrow(
    grid: Grid, grow: float, joined: list[bool]
) -> None:
    """Two fills run over their outlines into the gap between them, each only as far as
    the first step looked at from its side (0.4 mm in the column's 1.4 mm gap, 0.3 mm in
    the row's 1 mm), and a tick's arm runs from one into the other: the band is broad at
    both ends (the overshoots) and a line between. In a column the ellipses face each
    other with their flat sides, whose caps are broader than any pen's line a step from
    their tip: two overshoots meeting could not keep a line's width between the ends, so
    the band is a line. Along a row they face each other with their pointed ends, whose
    caps may meet as narrow as a line: nothing is joined there."""
    fills = (grow, grow, 0.0)
    a, b = grid[0][:2]
    page = _drawn(fills, [(a, b)], 0.3, grid=grid)
    assert _read(page, fills, grid=grid) == joined
    assert _read(_drawn(fills, [], 0.3, grid=grid), fills, grid=grid) == [False] * 3


def test_an_ellipse_is_blunter_at_its_flat_sides_than_at_its_ends() -> None:
    """The residency ellipse (half-axes 2 and 1.6 mm) curves with a radius of b²/a at the
    ends of its long axis and a²/b at its sides, a circle with its own radius anywhere;
    its cap a step (0.175 mm) from the tip is the chord of that circle."""
    units = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    ellipse = np.tile([2.0, 1.6], (3, 1))
    assert _curvature(ellipse[:2], units[:2]) == pytest.approx([1.6**2 / 2, 2**2 / 1.6])
    assert _curvature(np.full((3, 2), 1.8), units) == pytest.approx([1.8] * 3)
    depth = np.array([0.175])
    assert _cap_breadth(np.array([2.5]), depth) == pytest.approx(
        2 * np.sqrt(2 * 2.5 * 0.175 - 0.175**2)
    )


# A tick's arm from the middle bubble of a column up across the gap into the fill above,
# and that fill's overshoot run into the gap beside the arm's far end, paper between.
TICK_ARM: Segment = ((10.5, 9.3), (11.0, 5.8))
TONGUE: Ellipse = ((8.9, 6.75), (0.5, 0.35))


@pytest.mark.parametrize("tongue", [(), (TONGUE,)], ids=["alone", "beside an overshoot"])
def test_a_line_beside_an_overshoot_apart_from_it_is_still_a_line(
    tongue: tuple[Ellipse, ...],
) -> None:
    """A tick's arm run up into the fill above joins the two bubbles, whether or not that
    fill's overshoot reaches into the gap beside the arm's end: ink apart from the band
    by paper is not the band's. The overshoot alone joins nothing."""
    fills = (1.1, 1.1, 0.0)
    page = _drawn(fills, [TICK_ARM], 0.4, grid=COLUMN, blobs=tongue)
    assert _read(page, fills, grid=COLUMN) == [True, True, False]
    alone = _drawn(fills, [], 0.4, grid=COLUMN, blobs=tongue)
    assert _read(alone, fills, grid=COLUMN) == [False] * 3


def test_a_band_is_the_ink_between_the_paper_either_side_of_its_peak() -> None:
    """Across one step of the gap: a line (0.6) with paper either side, and a fainter
    overshoot beyond the paper on its left; the same line run into the overshoot with no
    paper between; and ink running to the window's edge, with no paper on that side."""
    paper, line, tongue = 0.02, 0.6, 0.4
    apart = [tongue, tongue, paper, paper, line, line, paper, paper]
    touching = [paper, tongue, line, line, line, line, paper, paper]
    to_edge = [paper, paper, paper, paper, line, line, line, line]
    peak, first, last, band = _bands(np.array([[apart, touching, to_edge]]), 0.35)
    assert peak.tolist() == [[line] * 3]
    assert first.tolist() == [[4, 1, 4]]
    assert last.tolist() == [[5, 5, 7]]
    assert band.tolist() == [[True, True, False]]


def test_a_stroke_to_a_neighbouring_x_is_the_xs() -> None:
    """Bubble 1 is joined to 0 and to 2, and 2 to 1: where 2 holds an X, the stroke
    between 1 and 2 is the X's arm, but 1 stays joined to 0; 2's own stroke to 1 stands."""
    joins = np.array([[1, 0], [1, 2], [2, 1]])
    assert joined_bubbles(joins, 3).tolist() == [False, True, True]
    only_to_the_x = joins[1:]
    x = np.array([False, False, True])
    assert joined_bubbles(only_to_the_x, 3, set_aside=x).tolist() == [False, False, True]
    assert joined_bubbles(joins, 3, set_aside=x).tolist() == [False, True, True]


def test_a_fill_beside_an_x_whose_arm_runs_into_it_reads_filled() -> None:
    """A page of the corpus's simulator (family tune-g, hard, rez-017): the X over the
    fill of 175D runs its shallow arm left across the gap into the fill of 175C, a line
    joining them. It is the X's arm: 175C reads filled, the X crossed."""
    plan = next(p for p in plans("tune-g") if p.subset == "hard" and p.name == "rez-017")
    data, suffix, _ = make(plan)
    answers = answers_read(data, suffix)
    assert answers["175"]["C"] is MarkState.FILLED
    assert answers["175"]["D"] is MarkState.CROSSED
