"""The option letters this project prints above the first row of each column: where they
stand, the reach samples that lie on them, and heavy fills under them on a gray scan
(where the letters show as dark as ink) read filled, not taken for strokes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from scansim.drawn import draw_mark
from scansim.pen import Hand, pen_of
from scansim.scanner import ScanSettings, scan
from scansim.sheets import bubble_of, render_sheet

from omr.reading.marks.layout import bubble_layout
from omr.reading.marks.sampling import REACH_RADII
from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.template import OPTION_LABEL_GAP_MM, SheetTemplate, load_template
from omr.vocabulary.states import MarkState

SHEET = "specializare-asistenti"
REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def _first_rows(template: SheetTemplate) -> list[tuple[int, str]]:
    """(question, option) of every bubble in the first row of a column."""
    return [
        (block.first + start, option)
        for block in template.question_blocks
        for start in range(0, block.last - block.first + 1, block.rows_per_column)
        for option in block.options
    ]


def test_each_letter_stands_centred_above_its_columns_first_row() -> None:
    template = load_template(SHEET)
    for block in template.question_blocks:
        labels = block.option_labels()
        starts = range(0, block.last - block.first + 1, block.rows_per_column)
        assert [option for option, _ in labels] == block.options * len(starts)
        for (_, (x, y)), (question, index) in zip(
            labels,
            [(block.first + start, i) for start in starts for i in range(len(block.options))],
            strict=True,
        ):
            centre_x, centre_y = block.question_center(question, index)
            assert x == pytest.approx(centre_x)
            top = centre_y - block.bubble.size_mm[1] / 2
            assert y == pytest.approx(top - OPTION_LABEL_GAP_MM)


def test_only_first_row_bubbles_reach_a_letter_and_only_upwards() -> None:
    template = load_template(SHEET)
    layout = bubble_layout(template)
    first = set(_first_rows(template))
    lettered = [layout.bubbles[row] for row in layout.letter_rows]
    assert {(bubble.question, bubble.option) for bubble in lettered} == first
    directions = np.flatnonzero(layout.on_letters.any(axis=(0, 2)))
    angles = directions * 360 / layout.on_letters.shape[1]  # 0° right, 90° down the page
    assert ((angles > 180) & (angles < 360)).all()  # all of them above the centre
    radii = np.flatnonzero(layout.on_letters.any(axis=(0, 1)))
    assert REACH_RADII[radii.min()] > 1.0  # beyond the outline: the letter stands clear


def test_a_form_printed_by_others_has_no_letters_of_ours() -> None:
    """Its own print is its own: where this project would print letters above its
    blocks, another form may hold the last row of the block above."""
    template = load_template(REAL / "sample3" / "template.yaml")
    assert not template.print.option_letters_above
    assert not bubble_layout(template).on_letters.any()


@pytest.mark.parametrize(("sheet", "seed"), [(SHEET, 1), (SHEET, 2), (SHEET, 6), ("emc", 4)])
def test_heavy_fills_under_the_letters_read_filled_on_a_gray_scan(sheet: str, seed: int) -> None:
    """Every other first-row bubble filled with a ballpoint past its outline (a quarter
    of a radius): on a gray scan the letter above is as dark as ink, and the fill's reach
    runs on into it through the blur, at one pass of the pen (the specialisation sheet)
    or at the ink threshold too (the EMC sheet). Before the letters were set aside, 4, 4
    and 5 of the 5 fills on the first, 2 of the 5 on the second read
    ``possible_cross``."""
    assert _first_rows_read(sheet, seed, "fill") == [MarkState.FILLED] * 5


@pytest.mark.parametrize("seed", [1, 2])
def test_ticks_up_from_first_row_fills_are_still_seen_on_a_gray_scan(seed: int) -> None:
    """The letters' boxes hide no tick: its arms leave the fill beside the letter, or
    show before it (in a ballpoint, then in a dry one)."""
    states = _first_rows_read(SHEET, seed, "tick")
    assert states == [MarkState.UNCLEAR] * len(states)


def _first_rows_read(sheet: str, seed: int, kind: str) -> list[MarkState]:
    """Every other first-row bubble of ``sheet`` marked with ``kind`` (a fill: past its
    outline by a quarter of a radius) in a ballpoint (a dry one for even seeds of a
    tick), scanned gray at 200 dpi and read: their states."""
    template = load_template(sheet)
    chosen = _first_rows(template)[::2]
    rng = np.random.default_rng(seed)
    image = render_sheet(template, 200, serial=seed, exam="EXAM")
    hand = Hand(image, 200 / 25.4, rng)
    pen = pen_of("dry" if kind == "tick" and seed % 2 == 0 else "ballpoint", rng)
    for question, option in chosen:
        bubble = bubble_of(template, "answers", question, option)
        if kind == "fill":
            hand.fill(bubble, pen, 1.0, 1.25)
        else:
            draw_mark(hand, kind, bubble, pen, rng)
    hand.finish()
    settings = ScanSettings(skew_deg=0.5, blur_px=0.6, noise=1.0, gray=True, jpeg_quality=75)
    data, suffix = scan(image, settings, rng)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"page{suffix}"
        path.write_bytes(data)
        (reading,) = read_files([path], ReadOptions())
    return [reading.answers[str(question)][option] for question, option in chosen]
