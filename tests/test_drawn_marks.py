"""Marks as people draw them, drawn at several reaches, slants, offsets and pens, then
printed, scanned and read: none may be read with a definite wrong state.

One page per (sheet, pen): every third question holds one mark of the kind under test,
drawn with its own random geometry, the option moving along; the other bubbles stay
blank. (Marks in neighbouring bubbles are another matter: an X whose strokes reach its
neighbour makes that neighbour's reading doubtful, as it should; a tick beside an X,
whose arm may run on into the X's, is checked on pages answered as candidates answer.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pytest
from scansim.drawn import (
    BLANK,
    CROSSED,
    FILLED,
    HALFTONED,
    NEVER,
    read_drawn_page,
    read_slashes_above_xs_page,
    read_ticks_beside_xs_page,
    read_xs_beside_outlines_page,
)

from omr.vocabulary.states import MarkState

DPI = 200


@dataclass(frozen=True)
class Case:
    """A kind of mark, and who draws it (on which sheet, with which pen)."""

    kind: str
    template: str
    pen: str

    @property
    def never(self) -> frozenset[MarkState]:
        """The states this kind of mark may never be read as."""
        return NEVER[self.kind]


@cache
def _read(case: Case, seed: int, dpi: int = DPI) -> tuple[list[MarkState], list[MarkState]]:
    """The states read for the marked option of every question, and for every blank."""
    return read_drawn_page(case.kind, case.template, case.pen, seed, dpi)


CASES = [
    Case("x_filled", "specializare-asistenti", "ballpoint"),
    Case("x_filled", "rezidentiat", "felt-tip"),
    Case("x_short_fill", "specializare-asistenti", "ballpoint"),
    Case("x_short_fill", "rezidentiat", "felt-tip"),
    Case("x_empty", "specializare-asistenti", "ballpoint"),
    Case("x_empty", "rezidentiat", "felt-tip"),
    Case("slash", "specializare-asistenti", "ballpoint"),
    Case("line", "specializare-asistenti", "felt-tip"),
    Case("tick", "specializare-asistenti", "ballpoint"),
    Case("wide_tick", "specializare-asistenti", "ballpoint"),
    Case("wide_tick", "rezidentiat", "felt-tip"),
    Case("x_short_side", "specializare-asistenti", "ballpoint"),
    Case("x_short_side", "rezidentiat", "felt-tip"),
    Case("dot", "specializare-asistenti", "ballpoint"),
    Case("half", "rezidentiat", "felt-tip"),
    Case("ring", "specializare-asistenti", "ballpoint"),
    Case("fill", "specializare-asistenti", "pencil"),
    Case("fill", "specializare-asistenti", "dry"),
    Case("looped", "specializare-asistenti", "ballpoint"),
]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}-{c.template}-{c.pen}")
def test_no_drawn_mark_is_read_with_a_wrong_definite_state(case: Case) -> None:
    marked, blank = _read(case, 7)
    wrong = [state for state in marked if state in case.never]
    assert wrong == [], f"{len(wrong)} of {len(marked)}"
    assert all(state == BLANK for state in blank)


def test_most_xs_over_fills_read_crossed() -> None:
    """The others are unclear: strokes no darker than the fill, or ends hidden."""
    marked, _ = _read(CASES[0], 7)
    assert marked.count(CROSSED) >= 0.8 * len(marked)
    assert set(marked) <= {CROSSED, MarkState.UNCLEAR}


@pytest.mark.parametrize(
    ("template", "seed"),
    [("specializare-asistenti", 4), ("emc", 4), ("specializare-asistenti", 1), ("emc", 3)],
)
def test_fills_whose_scribble_loops_out_twice_are_never_crossed(template: str, seed: int) -> None:
    """Pages where a fill's two swings out on one side showed four ends as an X's lie
    and read `crossed` (2 and 3 of them): where the X's ends are loops of paper, the
    ends left make no X. On the last two, one each still did: a loop's leg, seen where
    it leaves its end's direction short of the loop's apex (whose paper runs out past
    the end's reach), lies on the loop's line all the same."""
    case = Case("looped_twice", template, "ballpoint")
    marked, blank = _read(case, seed)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


@pytest.mark.parametrize("seed", [19, 23])
def test_wide_ballpoint_ticks_on_small_bubbles_at_150_dpi_are_never_crossed(seed: int) -> None:
    """Pages where a tick's two arms, held to lines near the centre, crossed there and ran
    on into its vertex: found where they run, they meet low in the bubble."""
    case = Case("wide_tick", "emc", "ballpoint")
    marked, blank = _read(case, seed, 150)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_ticks_in_a_ballpoint_running_dry_are_never_filled(seed: int) -> None:
    """Pages where a dry pen's tick faded outside the fill under the ink threshold (half
    the page's pen) and left no end: seen at one pass of the pen, it leaves one."""
    case = Case("tick", "specializare-asistenti", "dry")
    marked, blank = _read(case, seed)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


@pytest.mark.parametrize(
    ("pen", "dpi", "seed"),
    [
        ("pencil", 150, 8),
        ("pencil", 200, 6),
        ("pencil", 200, 10),
        ("pencil", 150, 10),
        ("felt-tip", 150, 5),
        ("felt-tip", 150, 1),
    ],
)
def test_lines_through_fills_on_the_residency_grid_are_never_filled(
    pen: str, dpi: int, seed: int
) -> None:
    """Pages where a line through a fill, run out into the narrow gaps beside it, read
    `filled`: a pencil's as light as one pass of the pencil, and darker over the fill's
    own overshoot; a felt-tip's (0.8 mm, drawn a pixel broader) on a 150 dpi scan, whose
    pixels are coarser than the gap's samples, and run on into a neighbour it inks, which
    holds no fill. Each is a band of one width across the gap to a blank neighbour."""
    case = Case("line", "rezidentiat", pen)
    marked, blank = _read(case, seed, dpi)
    assert [state for state in marked if state in case.never] == []
    # A neighbour the line runs into is in doubt, never marked.
    assert all(state in (BLANK, MarkState.UNCLEAR) for state in blank)


@pytest.mark.parametrize(("dpi", "seed"), [(150, 5), (150, 8), (200, 5)])
def test_half_fills_in_pencil_are_never_read_blank(dpi: int, seed: int) -> None:
    """Pages where a streaky pencil half fill inked too little of the interior and too
    lightly to tell from paper: its edge inks a broad arc of the rim, wider than any
    stroke's, and empty circles show paper all round."""
    case = Case("half", "rezidentiat", "pencil")
    marked, blank = _read(case, seed, dpi)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


def test_half_fills_on_a_bi_level_page_are_never_filled() -> None:
    """A page scanned bi-level at 150 dpi, each pixel read as the mean of its halftone
    cell (0.7 mm): the printed outline's blur reaches most of the way in to the interior's
    edge, and 14 pencil half fills, whose edge added to it there, inked the rim and read
    `filled`. The print's own look, divided out point by point, leaves them their own."""
    case = Case("half", "rezidentiat", "pencil")
    marked, blank = read_drawn_page(case.kind, case.template, case.pen, 1, 150, HALFTONED)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


def test_pencil_xs_over_empty_circles_on_a_bi_level_page_are_never_crossed() -> None:
    """A page of pencil X's over empty circles scanned bi-level at 150 dpi: the printed
    outline's blur, a halftone cell broad, darkened the rim between an X's arms as much
    as a fill would, and one of 67 read `crossed`. The print's look, divided out of the
    rim there, leaves the paper between the arms."""
    case = Case("x_empty", "rezidentiat", "pencil")
    marked, blank = read_drawn_page(case.kind, case.template, case.pen, 1, 150, HALFTONED)
    assert [state for state in marked if state in case.never] == []
    assert all(state in (BLANK, MarkState.UNCLEAR) for state in blank)


@pytest.mark.parametrize("seed", [1, 3])
def test_pencil_lines_over_fills_on_a_bi_level_page_are_never_filled(seed: int) -> None:
    """Pages of pencil lines drawn across fills on the residency grid, scanned bi-level
    at 150 dpi: each runs on across the 1 mm gaps, where the neighbours' footprints hide
    its ends, and the band it makes across a gap is read by the tone of 4-pixel halftone
    cells. On the first page it varied along the gap by two of their 1/16 steps, under the
    three quarters of its darkest a line keeps (3 of 67 `filled`); on the other its
    middles, known to half a cell, drifted and the line fitted through them missed the
    interior (2 `filled`). Within a step of the scan's tones and half a cell of its
    middles the band is one line's, and the fill is in doubt."""
    case = Case("line", "rezidentiat", "pencil")
    marked, blank = read_drawn_page(case.kind, case.template, case.pen, seed, 150, HALFTONED)
    assert [state for state in marked if state in case.never] == []
    assert all(state in (BLANK, MarkState.UNCLEAR) for state in blank)


def test_fills_looped_twice_on_a_bi_level_page_are_never_crossed() -> None:
    """A page of dry-pen fills whose scribble swings out past the outline and back twice,
    scanned bi-level at 200 dpi: two loops on opposite sides leave four ends as an X's
    lie, and with no loop looked for on a bi-level page 6 of 17 read `crossed`. Past the
    outline, where a loop's paper lies, the halftone cells' mean leaves paper paper: an X
    made only with ends on a loop's line is unmade there too (a doubt)."""
    case = Case("looped_twice", "specializare-asistenti", "dry")
    marked, _ = read_drawn_page(case.kind, case.template, case.pen, 1, 200, HALFTONED)
    assert [state for state in marked if state in case.never] == []


def test_xs_over_fills_on_a_bi_level_page_are_not_taken_for_loops() -> None:
    """The same pen, sheet and scan with X's over fills (a guard of the rule above): an X's
    arms enclose no paper past the outline as a loop's legs do, and the loop test, asked
    on bi-level pages too, unmakes none of the 17."""
    marked, _ = read_drawn_page("x_filled", "specializare-asistenti", "dry", 1, 200, HALFTONED)
    assert marked == [CROSSED] * len(marked)


def test_felt_tip_traced_outlines_on_a_bi_level_page_are_never_filled() -> None:
    """A page of felt-tip traced outlines alone scanned bi-level at 150 dpi: the broad
    line, spread a halftone cell further, inked the interior's edge all round and nearly
    half of it, and with no fill on the page to set the threshold higher 24 of 67 read
    `filled`.
    A fill covers the interior's middle as well; a traced outline leaves it paper."""
    case = Case("ring", "rezidentiat", "felt-tip")
    marked, blank = read_drawn_page(case.kind, case.template, case.pen, 4, 150, HALFTONED)
    assert [state for state in marked if state in case.never] == []
    assert all(state in (BLANK, MarkState.UNCLEAR) for state in blank)


@pytest.mark.parametrize(("dpi", "seed"), [(150, 4), (300, 3)])
def test_a_dry_pens_traced_outlines_on_a_bi_level_page_are_never_blank(dpi: int, seed: int) -> None:
    """Pages of traced outlines alone scanned bi-level: the dither's noise across each
    blank outline, one direction at a time, stood above a dry pen's line (17 read `blank`
    at 300 dpi, one at 150). Averaged going round over a halftone cell, and over the
    share of the outline a tracing covers, the line stands out; the blanks stay blank."""
    case = Case("ring", "specializare-asistenti", "dry")
    marked, blank = read_drawn_page(case.kind, case.template, case.pen, seed, dpi, HALFTONED)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


@pytest.mark.parametrize("seed", [2, 3])
def test_outlines_traced_in_a_ballpoint_running_dry_are_never_blank(seed: int) -> None:
    """Pages of traced outlines alone, where no fill shows the pen: against the default
    pen (a felt-tip's) a dry pen's line, traced on the printed one, added too little ink
    across the outline and read `blank`; the print's own spread round the page's blank
    outlines is what it must stand above."""
    case = Case("ring", "specializare-asistenti", "dry")
    marked, blank = _read(case, seed, 200)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


@pytest.mark.parametrize(
    ("template", "pen", "dpi", "seed"),
    [
        ("rezidentiat", "felt-tip", 200, 2),
        ("rezidentiat", "pencil", 200, 5),
        ("specializare-asistenti", "ballpoint", 150, 7),
    ],
)
def test_a_dot_almost_as_wide_as_the_interior_is_never_filled(
    template: str, pen: str, dpi: int, seed: int
) -> None:
    """Pages where the widest dots (their edge near the interior's rim) read `filled`:
    they cover most of the interior and ink half its rim, but paper lies all round them
    before the printed outline, which every fill reaches. The other bubbles stay blank."""
    case = Case("dot", template, pen)
    marked, blank = _read(case, seed, dpi)
    assert [state for state in marked if state in case.never] == []
    assert all(state == BLANK for state in blank)


SHORT_FILLS = [c for c in CASES if c.kind == "x_short_fill"]


@pytest.mark.parametrize("case", SHORT_FILLS, ids=lambda c: f"{c.template}-{c.pen}")
def test_an_x_over_a_fill_short_of_a_side_reads_crossed(case: Case) -> None:
    """Paper shows between two arms where the fill missed its side, as between the
    arms of an X over an empty circle; beside the strokes the fill is there."""
    for seed in (7, 8):
        marked, _ = _read(case, seed)
        assert marked.count(CROSSED) >= 0.9 * len(marked), marked
        assert set(marked) <= {CROSSED, MarkState.UNCLEAR}


def test_most_ballpoint_xs_short_on_one_side_read_crossed() -> None:
    """Two ends in a V: the strokes cross inside the fill, darker than it (dye over
    dye), and run on past the crossing; the rest stay unclear."""
    (case,) = [c for c in CASES if c.kind == "x_short_side" and c.pen == "ballpoint"]
    marked, _ = _read(case, 7)
    assert marked.count(CROSSED) >= 0.75 * len(marked), marked
    assert set(marked) <= {CROSSED, MarkState.UNCLEAR}


def test_a_clear_pencil_fill_reads_filled() -> None:
    marked, _ = _read(CASES[-2], 7)
    assert marked.count(FILLED) >= 0.9 * len(marked)


@pytest.mark.parametrize(
    ("pen", "dpi", "seed"),
    [
        ("ballpoint", 150, 4),
        ("ballpoint", 150, 6),
        ("felt-tip", 150, 2),
        ("pencil", 200, 4),
        ("dry", 200, 4),
    ],
)
def test_a_tick_beside_an_x_is_never_filled(pen: str, dpi: int, seed: int) -> None:
    """A tick over a fill whose diagonal neighbour holds an X: the tick's arm and the X's
    may run into each other, and the X's reading needs the stroke they share. The
    tick's strokes over its fill darken its tone, so the stroke is not set aside as the
    X's: never read filled (each of these pages read 3 to 7 ticks filled before). The
    page's plain fills are never read crossed or blank."""
    ticks, xs, plain = read_ticks_beside_xs_page("rezidentiat", pen, seed, dpi)
    assert FILLED not in ticks and CROSSED not in ticks
    assert FILLED not in xs and BLANK not in xs
    assert CROSSED not in plain and BLANK not in plain


@pytest.mark.parametrize(("pen", "dpi"), [("ballpoint", 150), ("felt-tip", 200), ("pencil", 150)])
def test_a_slash_above_an_x_whose_arms_run_into_it_is_never_crossed(pen: str, dpi: int) -> None:
    """A slash over a fill above an X over an empty circle whose steep, long arms run up
    into the fill on both sides of the slash: the slash's ends and the arms' make an X
    that none of its own strokes completes, whichever of its ends the neighbour's X
    may explain. Never read crossed (these pages read 21, 18 and 21 of 50 slashes
    crossed before the two rules on a slash beside an X's arms, 10, 13 and 16 between
    them); the page's plain fills are never read crossed or blank."""
    slashes, plain = read_slashes_above_xs_page("rezidentiat", pen, 1, dpi)
    assert CROSSED not in slashes
    assert CROSSED not in plain and BLANK not in plain


@pytest.mark.parametrize(("pen", "dpi"), [("felt-tip", 150), ("felt-tip", 200), ("ballpoint", 150)])
def test_an_outline_an_xs_strokes_run_over_is_not_read_traced(pen: str, dpi: int) -> None:
    """Long, shallow X's whose strokes run on over the next option's blank outline: a
    stroke crossing an outline is not the outline traced (these pages read 8, 5 and 2
    such blanks ``outline_traced`` before). The X's are never read filled or blank."""
    outlines, xs = read_xs_beside_outlines_page("rezidentiat", pen, 1, dpi, traced=False)
    assert set(outlines) == {BLANK}
    assert FILLED not in xs and BLANK not in xs


@pytest.mark.parametrize("pen", ["felt-tip", "ballpoint"])
def test_a_traced_outline_beside_an_x_stays_doubtful(pen: str) -> None:
    """The same X's beside outlines traced over: the stroke crosses the side facing the X
    only, and the side facing away still shows traced."""
    outlines, _ = read_xs_beside_outlines_page("rezidentiat", pen, 1, 150, traced=True)
    assert set(outlines) == {MarkState.UNCLEAR}
