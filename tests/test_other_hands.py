"""Pages of the other-hands bench (``bench/other_hands.py``: marks drawn by other means
than the corpus's simulator, passes of a pen laid side by side) that once read a mark
with a wrong definite state."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import other_hands
import pytest
from evaluation import NOT_READ
from other_hands import IMPERFECT_LAYOUT, SHORT_ARMED, read_page

from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.template import SheetTemplate
from omr.vocabulary.reasons import Severity
from omr.vocabulary.states import MarkState


def _doubted_never(read: dict[str, Counter], kind: str, *never: MarkState) -> None:
    """On a page's reading (:func:`other_hands.read_page`), no mark of ``kind`` reads any
    state of ``never``, some read ``unclear``, and the plain fills read filled or
    unclear."""
    for state in never:
        assert read[kind][state] == 0
    assert read[kind][MarkState.UNCLEAR] > 0
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}


def test_a_pencil_part_fill_whose_edge_is_one_pass_is_never_blank() -> None:
    """A part filled from one side in pencil, whose edge inks the rim at the ink threshold
    over less than a stroke's arc and wider only at one pass of the pen: one such part on
    this page read ``blank``; no blank circle reads otherwise."""
    read = read_page("rezidentiat", "pencil", 57, 300, IMPERFECT_LAYOUT)
    assert read["half"][MarkState.BLANK] == 0
    assert read["half"][MarkState.UNCLEAR] > 0
    assert set(read[""]) == {MarkState.BLANK}


@pytest.mark.parametrize(
    ("sheet", "seed", "dpi"),
    [
        ("specializare-asistenti", 5, 150),
        ("specializare-asistenti", 5, 300),
        ("rezidentiat", 6, 150),
    ],
)
def test_a_ballpoint_tick_across_a_fills_passes_is_never_filled(
    sheet: str, seed: int, dpi: int
) -> None:
    """A tick over a fill whose long arm barely leaves it (1.3 radii from the centre) shows
    inside, where its arms run across the fill's passes, darker than the fill's own lines
    that way: on these pages it read ``filled`` until those lines were looked at."""
    read = read_page(sheet, "ballpoint", seed, dpi)
    assert read["tick"][MarkState.FILLED] == 0
    assert read["tick"][MarkState.UNCLEAR] > 0
    assert read["fill"][MarkState.FILLED] > 0


@pytest.mark.parametrize(
    ("sheet", "pen", "seed", "dpi", "crossed_before"),
    [
        ("rezidentiat", "ballpoint", 57, 150, 2),
        ("rezidentiat", "pencil", 60, 200, 2),
        ("rezidentiat", "pencil", 58, 150, 3),
        ("emc", "felt-tip", 60, 200, 1),
    ],
)
def test_a_scribbled_fill_whose_legs_barely_show_their_way_is_never_crossed(
    sheet: str, pen: str, seed: int, dpi: int, crossed_before: int
) -> None:
    """Legs that run out 1.3-1.8 of the outline are too short for their way to show
    (their patch of ink past the outline no longer than it is broad): seen from the
    centre they made an X, and ``crossed_before`` scribbled fills on each page read
    ``crossed``. Each end lies where a leg along the fill's own passes (their edges
    running one way, as no X's two strokes do) could run, and no arm shows a way across
    them: a doubt now."""
    read = read_page(sheet, pen, seed, dpi, IMPERFECT_LAYOUT)
    assert read["scribble"][MarkState.CROSSED] == 0
    assert read["scribble"][MarkState.UNCLEAR] >= crossed_before
    assert read["scribble"][MarkState.BLANK] == 0
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}


@pytest.mark.parametrize(
    ("pen", "seed", "dpi"),
    [
        ("ballpoint", 57, 300),
        ("pencil", 63, 200),
        ("pencil", 64, 300),
        ("pencil", 65, 300),
        ("ballpoint", 129, 200),
    ],
)
def test_a_scribbles_legs_and_turns_are_not_two_strokes_whole(
    pen: str, seed: int, dpi: int
) -> None:
    """A zigzag's legs run out along its passes and its turns bulge just past the
    outline (1.3 radii out; 1.4 on the last page, where the bend's ink runs half a
    ballpoint's line past its middle): seen from the centre, a leg and a turn on either
    side of the fill pair as one stroke's two ends, and two such pairs as an X showing
    both strokes whole. On each of these pages one scribbled fill read ``crossed`` so; a
    stroke whose end lies no further out than a turn is not seen whole, and the legs'
    test stands."""
    read = read_page("rezidentiat", pen, seed, dpi, IMPERFECT_LAYOUT)
    _doubted_never(read, "scribble", MarkState.CROSSED, MarkState.BLANK)


@pytest.mark.parametrize(("seed", "dpi"), [(89, 150), (92, 200)])
def test_a_scribbles_pass_run_out_along_its_edge_is_no_xs_stroke(seed: int, dpi: int) -> None:
    """A ballpoint scribble whose passes run out past the outline along its top or bottom
    edge, 1.3-1.5 radii off the centre: seen from the centre their ends and a leg on the
    other side made an X, a pass's end too far off the passes' line through the centre
    for a leg's. On each of these pages one scribbled fill read ``crossed``; the pass's
    arm runs the passes' way on a line that misses the mark, where no X's stroke lies."""
    read = read_page("rezidentiat", "ballpoint", seed, dpi, IMPERFECT_LAYOUT)
    _doubted_never(read, "scribble", MarkState.CROSSED, MarkState.BLANK)


# Pages on which one line drawn through a fill on the residency rows read ``filled``, by
# the sign that now doubts it. A line run on across the 1 mm gap towards the blank
# neighbour beside it, stopping at its outline (where a fill's farthest pass may end
# too), and inside darker across the fill's passes than they are, less than a line
# alone must stand out: the two signs taken together.
ONWARD_AND_ACROSS = [("pencil", 59, 200), ("pencil", 57, 300), ("ballpoint", 66, 150)]
ONWARD_AND_ACROSS += [("ballpoint", 67, 150), ("ballpoint", 65, 200)]
# A line the way the fill's passes run, leaving it by a reach sample less than an end
# asks or running on short of the neighbour: across the passes it darkens nothing, the
# darkest line across the fill any way less than a line alone must: a tip with that line.
ALONG_TO_A_TIP = [("pencil", 58, 150), ("ballpoint", 91, 150), ("pencil", 91, 150)]
# A line run on across both gaps, short of the blank neighbours on either side (or, in
# the first column, leaving the fill a reach sample past its overshoot where the grid
# ends); a pencil line over a pencil fill darkens it no more than the fill's own
# overlapping passes: lines out both ways, a stronger sign than one.
OUT_BOTH_WAYS = [("pencil", 92, 150), ("pencil", 91, 300), ("pencil", 104, 300)]
OUT_BOTH_WAYS += [("ballpoint", 104, 300), ("pencil", 102, 200)]
# Lines out both ways whose pencil over a pencil fill stands out of the fills by 2.0-2.6
# of their spreads, where three were asked.
OUT_BOTH_WAYS_FAINT = [("pencil", 103, 150), ("pencil", 109, 150), ("pencil", 115, 150)]
OUT_BOTH_WAYS_FAINT += [("pencil", 120, 300)]


def _pages(sign: str, pages: list[tuple[str, int, int]]) -> list:
    """``pages`` (pen, seed, dpi) as test cases named by the ``sign`` that doubts them."""
    return [pytest.param(*page, id=f"{sign}-{page[0]}-{page[1]}-{page[2]}") for page in pages]


@pytest.mark.parametrize(
    ("pen", "seed", "dpi"),
    [
        *_pages("onward", ONWARD_AND_ACROSS),
        *_pages("along", ALONG_TO_A_TIP),
        *_pages("both-ways", OUT_BOTH_WAYS),
        *_pages("both-ways-faint", OUT_BOTH_WAYS_FAINT),
    ],
)
def test_a_line_through_a_fill_on_the_residency_rows_is_never_filled(
    pen: str, seed: int, dpi: int
) -> None:
    """On each of these pages one line through a fill read ``filled`` until the sign its
    list names was taken (above): doubt now, never filled nor crossed."""
    read = read_page("rezidentiat", pen, seed, dpi, IMPERFECT_LAYOUT)
    _doubted_never(read, "line", MarkState.FILLED, MarkState.CROSSED)


@pytest.mark.parametrize(
    ("sheet", "pen", "seed", "dpi", "kind", "fills_unclear"),
    [
        ("specializare-asistenti", "ballpoint", 6, 200, "tick", 0),
        ("rezidentiat", "pencil", 8, 300, "tick", 6),
        ("specializare-asistenti", "ballpoint", 26, 150, "x_filled", 1),
        ("emc", "felt-tip", 4, 200, "tick", 0),  # the line under the scan's flat field
        ("rezidentiat", "ballpoint", 45, 150, "x_filled", 7),  # a sixth of the fills marked
    ],
)
def test_a_line_across_a_fill_to_a_tip_a_sample_short_is_never_filled(
    sheet: str, pen: str, seed: int, dpi: int, kind: str, fills_unclear: int
) -> None:
    """A tick (or an X) over a fill whose arm leaves it by a reach sample less than an
    end asks, and whose line across the fill's passes stands out of the page's fills by
    less than a line alone must (or, felt-tip over felt-tip, darkens it by less than a
    scan tells from its flat field): the tip and the line are two signs of one stroke
    over the fill. On these pages a mark of ``kind`` read ``filled`` until they were taken
    together; the page's plain fills read as before (``fills_unclear`` of them
    ``unclear``, the rest ``filled``)."""
    read = read_page(sheet, pen, seed, dpi)
    assert read[kind][MarkState.FILLED] == 0
    assert read[kind][MarkState.BLANK] == 0
    assert read["fill"][MarkState.UNCLEAR] == fills_unclear
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}


@pytest.mark.parametrize(
    ("sheet", "pen", "seed", "dpi"),
    [
        ("specializare-asistenti", "ballpoint", 58, 150),
        ("specializare-asistenti", "ballpoint", 58, 300),
        ("emc", "felt-tip", 57, 150),
        ("rezidentiat", "ballpoint", 60, 300),  # two such fills
    ],
)
def test_a_scribbled_fill_whose_legs_run_out_is_never_crossed(
    sheet: str, pen: str, seed: int, dpi: int
) -> None:
    """A fill scribbled in one zigzag, one to three of its legs running out past the
    outline (1.3-1.8 of it): seen from the centre, legs that leave off the centre lie at
    angles an X's ends may, yet the strokes under them run side by side. On each of these
    pages one such fill or more read ``crossed`` (its question zeroed) until the way each
    arm runs was looked at; none is ``crossed`` or ``blank`` now, and the plain fills read
    filled or unclear."""
    read = read_page(sheet, pen, seed, dpi, IMPERFECT_LAYOUT)
    assert read["scribble"][MarkState.CROSSED] == 0
    assert read["scribble"][MarkState.BLANK] == 0
    assert read["scribble"].total() > 0
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}


@pytest.mark.parametrize(
    ("pen", "seed", "dpi", "fills_unclear"),
    [
        ("ballpoint", 59, 150, 1),  # two such lines
        ("ballpoint", 57, 200, 0),
        ("ballpoint", 59, 300, 0),
        ("pencil", 58, 200, 1),
        ("pencil", 58, 300, 4),  # three such lines
    ],
)
def test_a_line_through_a_fill_run_on_into_a_blank_neighbour_is_never_filled(
    pen: str, seed: int, dpi: int, fills_unclear: int
) -> None:
    """A line through a fill on the residency rows, run on across the 1 mm gap into a
    blank neighbour: the fill's overshoot lies under it to the gap's middle, and past it
    the line alone may be an overshooting pass's tip; but it runs on past the neighbour's
    printed outline, where no overshoot reaches. On these pages such lines read ``filled``
    (the answer counted) until that was looked at; the plain fills read as before
    (``fills_unclear`` of them ``unclear``, the rest ``filled``)."""
    read = read_page("rezidentiat", pen, seed, dpi, IMPERFECT_LAYOUT)
    assert read["line"][MarkState.FILLED] == read["line"][MarkState.CROSSED] == 0
    assert read["line"][MarkState.UNCLEAR] == read["line"].total() > 0
    assert read["fill"][MarkState.UNCLEAR] == fills_unclear
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}


@pytest.mark.parametrize(("seed", "dpi"), [(60, 150), (58, 200), (59, 300)])
def test_a_ballpoint_trace_over_a_gray_outline_is_never_blank(seed: int, dpi: int) -> None:
    """The specialisation sheet's outlines traced in ballpoint, scanned in gray: a single
    pass over a printed line adds less across it than a sample of the page's fills' tone
    (their passes laid over each other), and these read ``blank`` until a trace was asked
    for a sample of ink; no blank outline is taken for traced."""
    read = read_page("specializare-asistenti", "ballpoint", seed, dpi, IMPERFECT_LAYOUT)
    assert read["ring"][MarkState.UNCLEAR] == read["ring"].total() > 0
    assert read[""][MarkState.UNCLEAR] == 0


def test_xs_whose_arms_barely_leave_the_fill_cross_inside_it() -> None:
    """X's over ballpoint fills, one end 1.8-2.2 radii out and the other three 1.2-1.3:
    where those three stop a reach sample short of an end, the X is looked for inside the
    fill (its strokes a whole pass darker, running on past their crossing); these pages
    read 1 of 33 ``crossed`` before, 6 since. None is ever read ``filled`` or ``blank``,
    and no plain fill ``crossed`` or ``blank``."""
    read: dict[str, Counter] = {}
    for seed in (1, 2):
        page = read_page("specializare-asistenti", "ballpoint", seed, 200, SHORT_ARMED)
        for kind, states in page.items():
            read.setdefault(kind, Counter()).update(states)
    assert read["x_short_arms"][MarkState.FILLED] == 0
    assert read["x_short_arms"][MarkState.BLANK] == 0
    assert read["x_short_arms"][MarkState.CROSSED] >= 5
    assert read["fill"][MarkState.CROSSED] == 0
    assert read["fill"][MarkState.BLANK] == 0


def test_a_100_dpi_scans_strokes_over_fills_are_never_filled() -> None:
    """On a 100 dpi scan a ballpoint line 0.3-0.5 mm wide spans one or two of its pixels
    and keeps less of its darkness than on a 150 dpi one: looked for at the 150 dpi level,
    two X's, two slashes and three ticks over fills on this page showed no stroke leaving
    them and read ``filled``. Looked for as light as the scan's pixels leave them, each is
    a doubt (or an X read ``crossed``); no plain fill reads anything but filled or
    unclear."""
    read = read_page("specializare-asistenti", "ballpoint", 66, 100)
    for kind in ("x_filled", "slash", "tick"):
        assert read[kind][MarkState.FILLED] == 0, kind
        assert read[kind][MarkState.BLANK] == 0, kind
    assert read["slash"][MarkState.CROSSED] == read["tick"][MarkState.CROSSED] == 0
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}
    assert read["fill"][MarkState.FILLED] >= 30


def test_a_soft_scans_xs_and_slashes_over_fills_are_never_filled() -> None:
    """A soft scanner (a Gaussian blur of 2.5 px more at 200 dpi: σ about 0.33 mm,
    measured on the page's markers) spreads a ballpoint line over a fill until its arms
    no longer stand out at the level one stroke is looked for at on a sharp scan: this
    page read four X's, six slashes and four ticks ``filled``. Looked for as light as the
    spread leaves them, no X or slash is; the plain fills read filled or unclear."""
    read = read_page("rezidentiat", "ballpoint", 66, 200, soften_px=2.5)
    for kind in ("x_filled", "slash"):
        assert read[kind][MarkState.FILLED] == 0, kind
        assert read[kind][MarkState.BLANK] == 0, kind
    assert read["slash"][MarkState.CROSSED] == 0
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}
    assert read["fill"][MarkState.FILLED] > read["fill"][MarkState.UNCLEAR]


def test_a_soft_scan_of_the_national_form_reads_no_x_filled() -> None:
    """The national form prints no ArUco markers: its scan's blur is measured across its
    solid bars and squares. On this page (ballpoint, 200 dpi, 2.5 px softer: σ 0.34 mm),
    read as if sharp, 14 X's over fills read ``filled``; looked for as light as the
    spread leaves them, none does."""
    read = read_page("rezidentiat-national-2025", "ballpoint", 58, 200, soften_px=2.5)
    assert read["x_filled"][MarkState.FILLED] == 0
    assert read["x_filled"][MarkState.BLANK] == 0
    assert set(read["fill"]) <= {MarkState.FILLED, MarkState.UNCLEAR}
    assert read["fill"][MarkState.FILLED] > read["fill"][MarkState.UNCLEAR]


def test_a_page_thresholded_to_black_and_white_is_refused(monkeypatch) -> None:  # noqa: ANN001
    """A scanner's black-and-white mode that thresholds at mid-grey keeps a ballpoint line
    only where it is darker than half: an X's, a slash's or a tick's arms over a fill go,
    and the fill is left plain. Read, this page (ballpoint, 300 dpi) gave 8 X's, 10
    slashes and 4 ticks over fills ``filled`` and its 16 X's over empty circles
    ``blank``. It is refused (``scan_thresholded``): nothing of it is read. Dithered
    instead, it is read."""
    readings = []

    def read(data: bytes, suffix: str, template: SheetTemplate | None = None) -> dict:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"page{suffix}"
            path.write_bytes(data)
            (reading,) = read_files([path], ReadOptions(template=template))
        readings.append(reading)
        return reading.answers

    monkeypatch.setattr(other_hands, "answers_read", read)
    thresholded = read_page("rezidentiat", "ballpoint", 57, 300, bilevel="threshold")
    assert [(problem.code, problem.severity) for problem in readings[-1].reasons] == [
        ("scan_thresholded", Severity.REJECT)
    ]
    assert readings[-1].bubbles == [] and readings[-1].template is None
    assert {state for states in thresholded.values() for state in states} == {NOT_READ}
    dithered = read_page("rezidentiat", "ballpoint", 57, 300, bilevel="dither")
    assert readings[-1].template == "rezidentiat"
    assert dithered["fill"][MarkState.FILLED] > dithered["fill"][MarkState.UNCLEAR]
    assert dithered["x_filled"][MarkState.FILLED] == 0
