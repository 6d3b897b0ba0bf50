"""``omr template from-pdf`` on forms printed the way other OMR tools print them.

Each form is drawn here with reportlab (its bubbles' true places known), measured by
``omr template from-pdf``, and the template it writes reads a simulated scan of the form
filled: rendered, some bubbles filled with dark ellipses, turned 181°, blurred and saved as
JPEG; forms of boxes are also marked by the simulator's pens (filled, crossed, an X over
an empty box, left blank). The kinds vary what a measurer could fit to one form: the
bubbles' shape (circles, ellipses, rounded boxes, boxes with sharp corners), the paper
(A4 portrait and landscape, Letter, US Legal), the option labels (letters, digits,
inside, above or beside), the question numbers (left, right, none: a page of vector
shapes only) and the registration marks (solid squares, L-shaped corners, a timing
track, bullseyes, filled discs).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from scansim.pen import Hand, pen_of
from scansim.scanner import ScanSettings, scan
from scansim.sheets import bubble_of, render_form, turn

from omr.cli.main import main
from omr.printing.answer_sheets import SheetToPrint, write_sheets_pdf
from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.qr_identity import SheetIdentity
from omr.sheet.template import SheetTemplate, load_template

MAX_ERROR_MM = 0.2
PAGES = {
    "A4": (210.0, 297.0),
    "Letter": (215.9, 279.4),
    "Legal": (215.9, 355.6),
    "A5": (148.0, 210.0),
}
DPI = 200


@dataclass
class Kind:
    """A form to draw: paper, bubbles, labels, numbers and registration marks."""

    paper: str = "A4"
    landscape: bool = False
    shape: str = "circle"  # circle, ellipse, rounded, square
    size: tuple[float, float] = (5.0, 5.0)
    options: str = "ABCD"
    labels: str = "inside"  # inside, above, beside (right of each bubble), none
    numbers: str = "left"  # left, right, none
    marks: str = "squares"  # squares, four, corners, track, bullseyes, discs, none
    columns: int = 2
    rows: int = 10
    option_pitch: float = 7.0
    row_pitch: float = 8.0
    id_digits: int = 0  # an ID grid of this many columns 0–9 beside the answers
    text: bool = True  # False: no text layer at all (pure vector shapes)
    id_labels: str = "inside"  # the ID grid's digits: inside its bubbles, or left of a row
    track_edge: str = "left"  # the timing track along the left or the top edge
    line_mm: float = 0.25  # the outlines' width
    colour: tuple[float, float, float] = (0, 0, 0)  # the outlines' colour (RGB 0–1)
    across: bool = False  # questions numbered across the columns, row by row
    number_format: str = "{}"  # how a question number is printed: "1", "1)", "Q1"…
    start: int = 1  # the first question's printed number (a form's second page)
    column_options: tuple[str, ...] = ()  # each column's options, when they differ
    block_gap: float = 25.0  # from a block's last option to the next block's first
    number_gap: float = 6.0  # from a question's number to its first option's centre
    id_size: tuple[float, float] | None = None  # the ID grid's bubbles, when not the answers'
    write_in: bool = False  # square cells to write the ID's digits in, above its columns
    example: bool = False  # an example in the instructions: bubbles as the answers'


KINDS = {
    "ellipses": Kind(shape="ellipse", size=(6.0, 3.6), labels="above", options="ABCDE"),
    "rounded_boxes": Kind(shape="rounded", size=(6.0, 4.0), labels="inside"),
    "id_grid": Kind(id_digits=6, columns=2, rows=10),
    "a4_landscape": Kind(landscape=True, columns=4, rows=8, options="ABCDE", labels="none"),
    "us_legal": Kind(paper="Legal", rows=16, labels="above"),
    "options_1_5": Kind(options="12345", labels="above"),
    "numbers_right": Kind(numbers="right", labels="none"),
    "no_text": Kind(numbers="none", labels="none", text=False),
    "l_corners": Kind(marks="corners", labels="none"),
    "timing_track": Kind(marks="track", labels="none", options="ABCDE"),
    "three_squares": Kind(marks="squares", labels="none", paper="Letter"),
    "digits_inside": Kind(options="12345", labels="inside"),
    "hairline_red": Kind(line_mm=0.1, colour=(0.9, 0.2, 0.2), labels="inside"),
    "small_dense": Kind(size=(3.5, 3.5), option_pitch=5.0, row_pitch=5.0, columns=4, rows=20),
    "id_digits_left": Kind(id_digits=8, id_labels="left", labels="none"),
    "track_top": Kind(marks="track", track_edge="top", labels="above"),
    "numbered_across": Kind(across=True, columns=3, labels="none"),
    "numbers_with_parenthesis": Kind(number_format="{})", labels="none"),
    "four_squares": Kind(marks="four", labels="none"),
    "four_squares_no_text": Kind(marks="four", numbers="none", labels="none", text=False),
    # Drawn 4.04 mm, measured 4.06–4.15: across the edge of two 0.25 mm size steps.
    "circles_on_a_size_step": Kind(size=(4.04, 4.04), labels="none", option_pitch=6.3),
    "instructions_example": Kind(example=True, labels="inside"),
    "id_grid_smaller": Kind(id_digits=7, id_size=(3.8, 3.8), labels="inside", options="ABCDE"),
    "compact_blocks": Kind(
        columns=4,
        option_pitch=5.0,
        size=(4.0, 4.0),
        block_gap=13.0,
        number_gap=3.0,
        labels="none",
        rows=25,
        row_pitch=6.0,
    ),
    "id_grid_with_write_in_cells": Kind(id_digits=8, write_in=True, labels="inside"),
    "a5_page": Kind(paper="A5", columns=1, rows=15, labels="above"),
    "scantron_like": Kind(
        shape="ellipse",
        size=(5.0, 2.8),
        labels="inside",
        marks="track",
        options="ABCDE",
        row_pitch=5.0,
        rows=25,
        columns=3,
    ),
    "zipgrade_like": Kind(marks="four", id_digits=6, labels="inside", options="ABCDE"),
    "bullseyes": Kind(marks="bullseyes", labels="inside", numbers="right"),
    "second_page_from_41": Kind(start=41, labels="none"),
    "mixed_option_counts": Kind(columns=3, column_options=("AB", "ABCD", "ABCDE"), labels="above"),
    # Filled discs as marks, the size of the bubbles: a filled answer is a disc too.
    "discs": Kind(marks="discs", labels="inside"),
}
# Boxes with sharp corners, read as boxes (``shape: box``).
BOX_KINDS = {
    "boxes_letters_inside": Kind(shape="square", size=(5.0, 5.0), labels="inside"),
    "boxes_letters_above": Kind(shape="square", size=(4.0, 4.0), labels="above", options="ABCDE"),
    "boxes_rectangular": Kind(shape="square", size=(6.0, 4.0), labels="none", option_pitch=8.5),
    "small_boxes_letters_inside": Kind(shape="square", size=(3.8, 3.8), option_pitch=6.0),
    # Auto Multiple Choice: small boxes, each option's letter printed beside its box.
    "amc_like": Kind(
        shape="square",
        size=(3.6, 3.6),
        labels="beside",
        options="ABCDE",
        option_pitch=8.0,
        row_pitch=6.0,
        rows=15,
    ),
}
# Auto Multiple Choice as it prints: those boxes, four filled discs at the corners.
BOX_KINDS["true_amc"] = replace(BOX_KINDS["amc_like"], marks="discs")
KINDS |= BOX_KINDS


@dataclass
class Drawn:
    """What was drawn: page size (mm), answer bubbles {(question, option): centre},
    ID bubbles {(column, digit): centre}, bubble size, registration marks' boxes."""

    page: tuple[float, float]
    answers: dict[tuple[int, str], tuple[float, float]] = field(default_factory=dict)
    ids: dict[tuple[int, str], tuple[float, float]] = field(default_factory=dict)
    size: tuple[float, float] = (5.0, 5.0)
    id_size: tuple[float, float] = (5.0, 5.0)
    marks: list[tuple[float, float, float, float]] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)


def _draw(kind: Kind, path: Path) -> Drawn:
    width, height = PAGES[kind.paper]
    if kind.landscape:
        width, height = height, width
    canvas = Canvas(str(path), pagesize=(width * mm, height * mm))
    drawn = Drawn((width, height), size=kind.size, id_size=kind.id_size or kind.size)

    def y_(y: float) -> float:
        return (height - y) * mm

    def box(x0: float, y0: float, w: float, h: float) -> None:
        canvas.rect(x0 * mm, y_(y0 + h), w * mm, h * mm, stroke=0, fill=1)

    # Registration marks.
    if kind.marks == "squares":
        for x, y in ((12, 12), (width - 20, 12), (12, height - 20)):
            box(x, y, 8, 8)
            drawn.marks.append((x, y, x + 8, y + 8))
            drawn.shapes.append("solid")
    elif kind.marks == "bullseyes":
        for x, y in ((10, 10), (width - 20, 10), (10, height - 20), (width - 20, height - 20)):
            for radius, dark in zip((5, 4, 3, 2, 1), (1, 0, 1, 0, 1), strict=True):
                canvas.setFillGray(0 if dark else 1)
                canvas.circle((x + 5) * mm, y_(y + 5), radius * mm, stroke=0, fill=1)
            drawn.marks.append((x, y, x + 10, y + 10))
            drawn.shapes.append("rings")
        canvas.setFillGray(0)
    elif kind.marks == "discs":
        for x, y in ((10, 10), (width - 15, 10), (10, height - 15), (width - 15, height - 15)):
            canvas.circle((x + 2.5) * mm, y_(y + 2.5), 2.5 * mm, stroke=0, fill=1)
            drawn.marks.append((x, y, x + 5, y + 5))
            drawn.shapes.append("disc")
    elif kind.marks == "four":
        for x, y in ((12, 12), (width - 20, 12), (12, height - 20), (width - 20, height - 20)):
            box(x, y, 8, 8)
            drawn.marks.append((x, y, x + 8, y + 8))
            drawn.shapes.append("solid")
    elif kind.marks == "corners":
        for corner, (x, y) in enumerate(
            ((10, 10), (width - 22, 10), (width - 22, height - 22), (10, height - 22))
        ):
            right, bottom = corner in (1, 2), corner in (2, 3)
            box(x, y + (10 if bottom else 0), 12, 2)  # horizontal arm
            box(x + (10 if right else 0), y, 2, 12)  # vertical arm
            drawn.marks.append((x, y, x + 12, y + 12))
            drawn.shapes.append("corner")
    elif kind.marks == "track" and kind.track_edge == "left":
        for i in range(25):
            box(8, 20 + i * 10, 5, 2)
        drawn.marks.append((8, 20, 13, 20 + 24 * 10 + 2))
        drawn.shapes.append("track")
        for x, y in ((width - 18, 12), (width - 18, height - 20)):
            box(x, y, 8, 8)
            drawn.marks.append((x, y, x + 8, y + 8))
            drawn.shapes.append("solid")
    elif kind.marks == "track":
        for i in range(17):
            box(20 + i * 10, 8, 2, 5)
        drawn.marks.append((20, 8, 20 + 16 * 10 + 2, 13))
        drawn.shapes.append("track")
        for x, y in ((12, height - 20), (width - 20, height - 20)):
            box(x, y, 8, 8)
            drawn.marks.append((x, y, x + 8, y + 8))
            drawn.shapes.append("solid")

    canvas.setLineWidth(kind.line_mm * mm)
    canvas.setStrokeColorRGB(*kind.colour)
    w, h = kind.size

    def bubble(x: float, y: float, label: str | None, size: tuple | None = None) -> None:
        w, h = size or kind.size
        if kind.shape == "circle":
            canvas.circle(x * mm, y_(y), w / 2 * mm, stroke=1, fill=0)
        elif kind.shape == "ellipse":
            canvas.ellipse((x - w / 2) * mm, y_(y - h / 2), (x + w / 2) * mm, y_(y + h / 2))
        elif kind.shape == "square":
            canvas.rect((x - w / 2) * mm, y_(y + h / 2), w * mm, h * mm, stroke=1, fill=0)
        else:
            canvas.roundRect((x - w / 2) * mm, y_(y + h / 2), w * mm, h * mm, 1.2 * mm)
        if label is not None and kind.text:
            canvas.setFont("Helvetica", 6.5)
            canvas.drawCentredString(x * mm, y_(y + 0.85), label)

    if kind.example:
        canvas.setFont("Helvetica", 9)
        canvas.drawString(40 * mm, y_(31), "Fill the bubble completely, like this:")
        for index in range(4):
            x = 105 + index * kind.option_pitch
            canvas.circle(x * mm, y_(30), w / 2 * mm, stroke=1, fill=int(index == 2))
    left = 40.0
    if kind.id_digits:
        for column in range(kind.id_digits):
            for digit in range(10):
                x, y = 25 + column * 6.0, 45 + digit * 6.5
                label = str(digit) if kind.id_labels == "inside" else None
                bubble(x, y, label, kind.id_size)
                if kind.id_labels == "left" and column == 0:
                    canvas.setFont("Helvetica", 8)
                    canvas.drawRightString((x - 4) * mm, y_(y + 1.1), str(digit))
                drawn.ids[(column, str(digit))] = (x, y)
            if kind.write_in:  # a cell to write the digit in, above its column
                x = 25 + column * 6.0
                canvas.rect((x - 2.5) * mm, y_(41), 5 * mm, 6 * mm, stroke=1, fill=0)
        left = 25 + kind.id_digits * 6.0 + 20
    widest = max(map(len, (kind.options, *kind.column_options)))
    block_width = (widest - 1) * kind.option_pitch
    block_width += kind.block_gap
    for column in range(kind.columns):
        x0 = left + column * block_width
        options = kind.column_options[column] if kind.column_options else kind.options
        if kind.labels == "above" and kind.text:
            canvas.setFont("Helvetica", 8)
            for o, label in enumerate(options):
                canvas.drawCentredString((x0 + o * kind.option_pitch) * mm, y_(45 - 4.5), label)
        for row in range(kind.rows):
            y = 45 + row * kind.row_pitch
            if kind.across:
                question = row * kind.columns + column + 1
            else:
                question = column * kind.rows + row + 1
            if kind.text and kind.numbers != "none":
                canvas.setFont("Helvetica", 9)
                if kind.numbers == "left":
                    canvas.drawRightString(
                        (x0 - kind.number_gap) * mm,
                        y_(y + 1.2),
                        kind.number_format.format(question + kind.start - 1),
                    )
                else:
                    last = x0 + (len(options) - 1) * kind.option_pitch
                    text = kind.number_format.format(question + kind.start - 1)
                    canvas.drawString((last + kind.number_gap) * mm, y_(y + 1.2), text)
            for o, label in enumerate(options):
                x = x0 + o * kind.option_pitch
                bubble(x, y, label if kind.labels == "inside" else None)
                if kind.labels == "beside" and kind.text:
                    canvas.setFont("Helvetica", 8)
                    canvas.drawString((x + w / 2 + 0.8) * mm, y_(y + 1.1), label)
                drawn.answers[(question, label)] = (x, y)
    canvas.save()
    return drawn


CANDIDATE = "407193528461"


def _scan(pdf: Path, drawn: Drawn, filled: set, path: Path) -> None:
    """The form rendered, ``filled`` answer bubbles inked (and the ``CANDIDATE`` number's
    first digits, one per column), turned 181°, blurred, JPEG."""
    image = render_form(pdf, 1, DPI)
    scale = DPI / 25.4
    places = [(drawn.answers[key], drawn.size) for key in filled]
    if drawn.ids:
        places += [
            (drawn.ids[(column, digit)], drawn.id_size)
            for column, digit in enumerate(CANDIDATE[: len(drawn.ids) // 10])
        ]
    for (x, y), size in places:
        axes = (int(size[0] * scale / 2) + 1, int(size[1] * scale / 2) + 1)
        cv2.ellipse(image, (round(x * scale), round(y * scale)), axes, 0, 0, 360, (40, 30, 30), -1)
    image = cv2.GaussianBlur(turn(image, 2, 1.0), (0, 0), 0.8)
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 85])


def _rounded(box: tuple[float, ...]) -> list[int]:
    return [round(v) for v in box]


@pytest.mark.parametrize("name", list(KINDS))
def test_from_pdf_measures_and_reads_a_form_of_others(tmp_path: Path, name: str) -> None:
    kind = KINDS[name]
    pdf = tmp_path / f"{name}.pdf"
    drawn = _draw(kind, pdf)
    output = tmp_path / f"{name}.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 0
    template = load_template(output)
    assert (template.print.looks_inside is not None) == template.print.labels_inside
    if kind.start > 1:
        last = kind.start + kind.columns * kind.rows - 1
        assert f"CHECK: the form prints questions {kind.start}–{last}" in output.read_text()

    # The page, the registration marks.
    assert template.page_size_mm == pytest.approx(drawn.page, abs=0.5)
    blocks = template.registration.blocks
    marks = sorted(((*b.box.origin_mm, *b.box.size_mm) for b in blocks), key=_rounded)
    want = sorted(((x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in drawn.marks), key=_rounded)
    assert len(marks) == len(want)
    assert np.abs(np.array(marks) - np.array(want)).max() < MAX_ERROR_MM
    assert sorted(b.shape for b in blocks) == sorted(drawn.shapes)

    # Every bubble, in its question and option, where it was drawn, of its size.
    measured = {(b.question, b.option): b for b in template.answer_bubbles()}
    assert set(measured) == set(drawn.answers)
    error = max(
        np.abs(np.array(measured[key].center_mm) - np.array(centre)).max()
        for key, centre in drawn.answers.items()
    )
    assert error < MAX_ERROR_MM, error
    sizes = np.array([b.size_mm for b in measured.values()])
    assert np.abs(sizes - np.array(drawn.size)).max() < MAX_ERROR_MM
    shapes = {b.shape for b in template.all_bubbles}
    assert (shapes == {"box"}) if kind.shape == "square" else ("box" not in shapes), shapes
    digits = {
        (int(b.question) - 1, b.option): b.center_mm
        for b in template.bubbles()
        if b.field == "candidate_number"
    }
    assert set(digits) == set(drawn.ids)
    for key, centre in drawn.ids.items():
        assert np.abs(np.array(digits[key]) - np.array(centre)).max() < MAX_ERROR_MM

    # The template reads a filled scan of the form: every answer bubble's state.
    rng = np.random.default_rng(14)
    keys = sorted(drawn.answers)
    filled = {keys[i] for i in rng.choice(len(keys), size=len(keys) // 4, replace=False)}
    scan = tmp_path / f"{name}.jpg"
    _scan(pdf, drawn, filled, scan)
    (reading,) = list(read_files([scan], ReadOptions(template=template)))
    assert reading.status != "rejected", reading.reasons
    wrong = {
        (question, option): state
        for (question, option) in drawn.answers
        if (state := reading.answers.get(str(question), {}).get(option))
        != ("filled" if (question, option) in filled else "blank")
    }
    assert not wrong, wrong
    if drawn.ids:
        assert reading.candidate == CANDIDATE[: len(drawn.ids) // 10]


def test_a_symmetric_form_with_nothing_to_orient_it_is_refused(tmp_path: Path, capsys) -> None:
    # Four squares at the corners and bubbles as symmetric as they: a page turned by
    # 180° looks the same; with no text printed, nothing tells the turn.
    pdf = tmp_path / "symmetric.pdf"
    canvas = Canvas(str(pdf), pagesize=(210 * mm, 297 * mm))
    for x, y in ((12, 12), (190, 12), (12, 277), (190, 277)):
        canvas.rect(x * mm, (297 - y - 8) * mm, 8 * mm, 8 * mm, stroke=0, fill=1)
    canvas.setLineWidth(0.25 * mm)
    for x0 in (40.0, 149.0):  # two blocks, each the other's 180° image
        for row in range(10):
            for option in range(4):
                x, y = x0 + option * 7, 109 + row * 8
                canvas.circle(x * mm, (297 - y) * mm, 2.5 * mm, stroke=1, fill=0)
    canvas.save()
    output = tmp_path / "t.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 2
    assert "[form_orientation_undecidable]" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize("letters", ["inside", "left"])
def test_options_running_down_a_column_are_refused(tmp_path: Path, capsys, letters: str) -> None:
    # Each question a column of bubbles A–D top to bottom, questions side by side: a
    # template's options run left to right only, so no template is written.
    pdf = tmp_path / "down.pdf"
    canvas = Canvas(str(pdf), pagesize=(210 * mm, 297 * mm))
    for x, y in ((12, 12), (190, 12), (12, 277)):
        canvas.rect(x * mm, (297 - y - 8) * mm, 8 * mm, 8 * mm, stroke=0, fill=1)
    canvas.setLineWidth(0.25 * mm)
    for question in range(15):
        x = 40 + question * 9
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(x * mm, (297 - 52) * mm, str(question + 1))
        for option, letter in enumerate("ABCD"):
            y = 60 + option * 8
            canvas.circle(x * mm, (297 - y) * mm, 2.5 * mm, stroke=1, fill=0)
            canvas.setFont("Helvetica", 7)
            if letters == "inside":
                canvas.drawCentredString(x * mm, (297 - y - 0.85) * mm, letter)
            elif question == 0:
                canvas.drawRightString((x - 5) * mm, (297 - y - 1.1) * mm, letter)
    canvas.save()
    output = tmp_path / "t.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 2
    assert "[form_options_run_down]" in capsys.readouterr().err
    assert not output.exists()


# Each mark drawn with the simulator's pens on every third question of a box form (the
# option moving along), the page scanned; the states it may never be read as (a
# definite wrong state: a silent error) and how many must read as they should.
BOX_MARKS = {
    "filled": ({"crossed", "blank"}, "filled", 0.9),
    "crossed": ({"filled", "blank"}, "crossed", 0.8),
    "x_over_empty": ({"crossed", "filled", "blank"}, "unclear", 1.0),
    "blank": (set(), "blank", 1.0),
}
BOX_SCAN = ScanSettings(blur_px=0.6, noise=1.0, jpeg_quality=75)


def _marked_page(pdf: Path, template: SheetTemplate, mark: str, path: Path, seed: int) -> set:
    """The form rendered, ``mark`` drawn by hand on every third question, turned 181° and
    scanned: the (question, option) of each marked bubble."""
    rng = np.random.default_rng(seed)
    image = render_form(pdf, 1, DPI)
    hand = Hand(image, DPI / 25.4, rng)
    pen = pen_of("felt-tip" if seed % 2 else "ballpoint", rng)
    marked = set()
    for question in range(1, template.question_count + 1, 3) if mark != "blank" else ():
        options = template.options_of(question)
        option = options[question // 3 % len(options)]
        bubble = bubble_of(template, "answers", question, option)
        if mark in ("filled", "crossed"):
            hand.fill(bubble, pen, rng.uniform(0.9, 1.0), rng.uniform(1.0, 1.15))
        if mark in ("crossed", "x_over_empty"):
            hand.cross(bubble, pen, reach=(1.3, 2.5))
        marked.add((question, option))
    page = turn(hand.finish(), 2, 1.0)
    data, suffix = scan(page, BOX_SCAN, rng)
    path.with_suffix(suffix).write_bytes(data)
    return marked


@pytest.mark.parametrize("mark", list(BOX_MARKS))
@pytest.mark.parametrize("name", list(BOX_KINDS))
def test_boxes_marked_by_hand_read_in_units_of_the_box(
    tmp_path: Path, name: str, mark: str
) -> None:
    # A fill reaching a box's corners is a fill, not an X's four arms; an X over a
    # filled box is crossed, over an empty one unclear; a blank form reads blank.
    pdf = tmp_path / f"{name}.pdf"
    _draw(KINDS[name], pdf)
    output = tmp_path / f"{name}.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 0
    template = load_template(output)
    seed = sorted(BOX_KINDS).index(name)
    marked = _marked_page(pdf, template, mark, tmp_path / "scan", seed)
    (reading,) = list(read_files(list(tmp_path.glob("scan.*")), ReadOptions(template=template)))
    assert (reading.status == "ok") if mark == "blank" else (reading.status != "rejected")
    never, expected, share = BOX_MARKS[mark]
    states = {
        (int(question), option): state
        for question, options in reading.answers.items()
        for option, state in options.items()
    }
    read = [states[key] for key in marked]
    silent = [state for state in read if state in never]
    silent += [s for key, s in states.items() if key not in marked and s in ("filled", "crossed")]
    assert not silent, silent
    assert read.count(expected) >= share * len(read), read


def test_a_form_without_registration_blocks_is_refused(tmp_path: Path, capsys) -> None:
    # No marks: no template is written.
    pdf = tmp_path / "unmarked.pdf"
    _draw(Kind(marks="none"), pdf)
    output = tmp_path / "t.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 2
    assert "[form_marks_not_found]" in capsys.readouterr().err
    assert not output.exists()


def test_a_filled_bubble_near_a_corner_disc_is_not_taken_for_it(tmp_path: Path) -> None:
    # A disc the size of the corner discs filled 6.5 mm from the top-left one (within
    # the reach at which a mark is looked for where the others put it), and answers
    # filled as discs of their size: the page registers on the printed discs.
    kind = KINDS["discs"]
    pdf = tmp_path / "discs.pdf"
    drawn = _draw(kind, pdf)
    output = tmp_path / "discs.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 0
    template = load_template(output)
    x0, y0, x1, y1 = drawn.marks[0]
    near = ((x0 + x1) / 2 + 6.5, (y0 + y1) / 2)
    drawn.answers[(0, "near")] = near
    keys = sorted(drawn.answers)[1::3]
    scan = tmp_path / "discs.jpg"
    _scan(pdf, drawn, {*keys, (0, "near")}, scan)
    (reading,) = list(read_files([scan], ReadOptions(template=template)))
    assert reading.status == "ok", reading.reasons
    del drawn.answers[(0, "near")]
    for question, option in drawn.answers:
        state = reading.answers[str(question)][option]
        assert state == ("filled" if (question, option) in keys else "blank"), (question, option)


def test_a_template_of_discs_prints_them_and_reads_its_print(tmp_path: Path) -> None:
    # The printer draws a disc mark as a filled circle in its box: the printed sheet,
    # scanned turned, registers on all four.
    pdf = tmp_path / "discs.pdf"
    _draw(KINDS["discs"], pdf)
    output = tmp_path / "discs.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 0
    template = load_template(output)
    printed = tmp_path / "printed.pdf"
    identity = SheetIdentity(template.id, template.version, "exam", 1)
    write_sheets_pdf(template, [SheetToPrint(identity)], printed)
    path = tmp_path / "printed.png"
    cv2.imwrite(str(path), turn(render_form(printed, 1, DPI), 2, 1.0))
    (reading,) = list(read_files([path], ReadOptions(template=template)))
    assert reading.status == "ok", reading.reasons
    assert reading.registration["marks_found"] == 4
