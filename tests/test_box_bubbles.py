"""A template whose bubbles are boxes (``bubble.shape: box``): the printer draws boxes, and
the reader measures them in units of the box, so that a fill reaching a box's corners is
a fill and an X over it is crossed."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from scansim.pen import Hand, pen_of
from scansim.scanner import ScanSettings, scan
from scansim.sheets import bubble_of, render_sheet

from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.template import SheetTemplate, TemplateError, load_template

DPI = 200
TEMPLATES = Path(__file__).resolve().parents[1] / "sheet_templates"
SETTINGS = ScanSettings(skew_deg=0.5, blur_px=0.5, noise=1.0, jpeg_quality=70)


def _boxed(folder: Path) -> SheetTemplate:
    """The nursing template with every bubble a box."""
    text = (TEMPLATES / "specializare-asistenti.yaml").read_text(encoding="utf-8")
    path = folder / "boxes.yaml"
    path.write_text(text.replace("shape: circle", "shape: box"), encoding="utf-8")
    return load_template(path)


def test_a_box_is_printed_as_a_box(tmp_path: Path) -> None:
    template = _boxed(tmp_path)
    gray = render_sheet(template, DPI).min(axis=2)
    scale = DPI / 25.4
    for bubble in template.answer_bubbles()[:8]:
        (cx, cy), (width, height) = bubble.center_mm, bubble.size_mm
        # Each corner of the box is printed; an ellipse of that size leaves paper there.
        for sx in (-1, 1):
            for sy in (-1, 1):
                x, y = (
                    round((c + s * d / 2) * scale)
                    for c, s, d in ((cx, sx, width), (cy, sy, height))
                )
                assert gray[y - 1 : y + 2, x - 1 : x + 2].min() < 128, (bubble, sx, sy)


def test_the_instructions_show_boxes_filled_and_crossed(tmp_path: Path) -> None:
    template = _boxed(tmp_path)
    spec = template.print.pictograms
    assert spec is not None
    gray = render_sheet(template, DPI).min(axis=2)
    scale = DPI / 25.4
    x0, y0 = spec.origin_mm
    # Just inside the filled example's corner: ink; a filled circle leaves paper there.
    inset = 0.3
    x, y = round((x0 + inset) * scale), round((y0 + inset) * scale)
    assert gray[y - 1 : y + 2, x - 1 : x + 2].max() < 128


def test_a_box_may_be_a_rectangle_and_no_other_shape_is_known(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    text = (TEMPLATES / "specializare-asistenti.yaml").read_text(encoding="utf-8")
    answers = "{shape: circle, size_mm: [5.5, 5.5]}"
    path.write_text(text.replace(answers, "{shape: box, size_mm: [5.5, 4.5]}"))
    assert {b.shape for b in load_template(path).answer_bubbles()} == {"box"}
    for wrong in ("{shape: square, size_mm: [5.5, 5.5]}", "{shape: circle, size_mm: [5.5, 4.5]}"):
        path.write_text(text.replace(answers, wrong))
        with pytest.raises(TemplateError):
            load_template(path)


@pytest.mark.parametrize("pen_kind", ["ballpoint", "felt-tip"])
def test_boxes_filled_crossed_and_x_over_empty_read_without_silent_errors(pen_kind: str) -> None:
    # Every third question marked, by turns filled to the corners, filled and crossed,
    # and crossed while empty; the others blank.
    rng = np.random.default_rng(14)
    with tempfile.TemporaryDirectory() as folder:
        template = _boxed(Path(folder))
        image = render_sheet(template, DPI, serial=3, exam="EXAM")
        hand = Hand(image, DPI / 25.4, rng)
        pen = pen_of(pen_kind, rng)
        marks = ("filled", "crossed", "x_over_empty")
        marked = {}
        for question in range(1, template.question_count + 1, 3):
            options = template.options_of(question)
            option = options[question // 3 % len(options)]
            bubble = bubble_of(template, "answers", question, option)
            mark = marks[question // 3 % 3]
            if mark != "x_over_empty":
                hand.fill(bubble, pen, rng.uniform(0.9, 1.0), rng.uniform(1.0, 1.15))
            if mark != "filled":
                hand.cross(bubble, pen, reach=(1.3, 2.5))
            marked[(str(question), option)] = mark
        hand.finish()
        data, suffix = scan(image, SETTINGS, rng)
        path = Path(folder) / f"page{suffix}"
        path.write_bytes(data)
        (reading,) = read_files([path], ReadOptions(template=template))
    assert reading.status != "rejected", reading.reasons
    read = {
        (question, option): state
        for question, options in reading.answers.items()
        for option, state in options.items()
    }
    never = {
        "filled": {"crossed", "blank"},
        "crossed": {"filled", "blank"},
        "x_over_empty": {"crossed", "filled", "blank"},
    }
    silent = {key: read[key] for key, mark in marked.items() if read[key] in never[mark]}
    silent |= {
        key: state
        for key, state in read.items()
        if key not in marked and state in ("filled", "crossed")
    }
    assert not silent, silent
    right = sum(
        read[key] == (mark if mark != "x_over_empty" else "unclear") for key, mark in marked.items()
    )
    assert right >= 0.85 * len(marked), [(marked[key], read[key]) for key in marked]
