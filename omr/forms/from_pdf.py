"""``omr template from-pdf``: a sheet template measured from a blank form's PDF.

The page is rendered and its words read (:mod:`omr.forms.pdf_page`); its printed
bubbles and solid blocks are found (:mod:`omr.forms.shapes`) and the bubbles grouped into
numbered questions (:mod:`omr.forms.layout`). The template is validated like any other
and written as YAML whose comments say what was found and what a person should check.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from omr.forms.layout import (
    Block,
    DigitGrid,
    digit_grids,
    options_run_down,
    question_blocks,
    question_number,
)
from omr.forms.pdf_page import FormPage, Word, load_form_page
from omr.forms.print_looks import RENDERED, store_looks
from omr.forms.shapes import (
    SQUARE_FILL,
    Outline,
    bubble_sizes,
    find_shapes,
    of_size,
    print_mask,
)
from omr.forms.shapes import Block as SolidBlock
from omr.forms.writing import mark_entry, page_spec, rounded, slug
from omr.sheet.template import MAX_DIGIT_COLUMNS, MIN_REGISTRATION_BLOCKS, BlockRegistration
from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

# A question-number column faces blank paper when its 180° image, grown by this, holds
# no print: then it tells a page turned by 180° from one that is not.
BLANK_MARGIN_MM = 1.0
NUMBER_COLUMN_MM = 3.0  # numbers of one column end within this of each other
# A bubble prints its label inside when print covers 3 % of its interior (to 0.6 of its
# radii) or more; an empty one holds none (the national form's: 0 %).
LABEL_INK, INTERIOR_SHARE = 0.03, 0.6
# Auto Multiple Choice prints its discs 10 mm in from the page's edges; a filled disc
# farther than 30 mm from a corner (across and down) is an example of a filled answer.
CORNER_REACH_MM = 30.0


@dataclass
class MeasuredForm:
    """A template measured from a form: ``data`` (the template as a mapping, validated)
    and ``notes``, what was found and what to check, for the YAML's comments."""

    data: dict
    notes: list[str] = field(default_factory=list)


def _block_entry(block: Block, boxes: bool) -> dict:
    first, option_pitch, row_pitch, _ = block.lattice()
    return {
        "first": block.first,
        "last": block.last,
        "options": block.options,
        "first_center_mm": rounded(first),
        "option_pitch_mm": round(option_pitch, 3),
        "row_pitch_mm": round(row_pitch, 3),
        "bubble": _bubble_style(block.size, boxes),
    }


def _bubble_style(size: tuple[float, float], boxes: bool) -> dict:
    """A bubble of ``size`` (width, height; mm): a box where the form prints ``boxes``,
    else a circle (as wide as tall to 0.1 mm) or an ellipse."""
    width, height = size
    if boxes:
        return {"shape": "box", "size_mm": rounded((width, height))}
    shape = "circle" if abs(width - height) < 0.1 else "ellipse"
    if shape == "circle":
        width = height = (width + height) / 2
    return {"shape": shape, "size_mm": rounded((width, height))}


def _corner_discs(marks: list[SolidBlock], page_mm: tuple[float, float]) -> list[SolidBlock]:
    """``marks`` with only the discs that register the page: in each of its corners, the
    disc nearest it, if within ``CORNER_REACH_MM`` across and down."""
    discs = [mark for mark in marks if mark.shape == "disc"]
    kept = [mark for mark in marks if mark.shape != "disc"]
    for corner in itertools.product((0.0, page_mm[0]), (0.0, page_mm[1])):
        reach = [_corner_reach(disc, corner) for disc in discs]
        if reach and min(reach) <= CORNER_REACH_MM:
            kept.append(discs[int(np.argmin(reach))])
    return list(dict.fromkeys(kept))  # a disc nearest two corners (a small page) once


def _corner_reach(mark: SolidBlock, corner: tuple[float, float]) -> float:
    """How far (mm) ``mark``'s centre lies from ``corner``, across or down, the farther."""
    x0, y0, x1, y1 = mark.box
    return max(abs((x0 + x1) / 2 - corner[0]), abs((y0 + y1) / 2 - corner[1]))


def _sized(outlines: list[Outline]) -> int:
    """How many of ``outlines`` share a bubble size (:func:`bubble_sizes`)."""
    sizes = bubble_sizes(outlines)
    return sum(of_size(outline, sizes) is not None for outline in outlines)


def _orientation_boxes(page: FormPage, blocks: list[Block], marks: list[SolidBlock]) -> list[dict]:
    """Print whose 180° image (about the marks' centre) is blank paper: each block of
    bubbles with the question numbers printed before it, when they face blank paper (much
    print, in a box a misplacement of a millimetre barely changes), else the columns of
    question numbers that do."""
    boxes = np.array([mark.box for mark in marks])
    cx = (boxes[:, 0].min() + boxes[:, 2].max()) / 2
    cy = (boxes[:, 1].min() + boxes[:, 3].max()) / 2
    numbers: list[Word] = []
    blocks_mm = []
    for block in blocks:
        left = block.centres[:, 0, 0].min() - block.size[0] / 2
        top, bottom = block.centres[:, 0, 1].min(), block.centres[:, 0, 1].max()
        before = [
            w
            for w in page.words
            if question_number(w.text) is not None
            and left - 12 <= w.box[0]
            and w.box[2] <= left
            and top - block.size[1] <= w.centre[1] <= bottom + block.size[1]
        ]
        numbers += before
        x0 = block.centres[..., 0].min() - block.size[0] / 2
        y0 = block.centres[..., 1].min() - block.size[1] / 2
        x1 = block.centres[..., 0].max() + block.size[0] / 2
        y1 = block.centres[..., 1].max() + block.size[1] / 2
        for w in before:
            x0, y0 = min(x0, w.box[0]), min(y0, w.box[1])
            x1, y1 = max(x1, w.box[2]), max(y1, w.box[3])
        blocks_mm.append((x0, y0, x1, y1))
    columns: list[list[Word]] = []
    for word in sorted(numbers, key=lambda w: w.box[2]):
        if columns and word.box[2] - columns[-1][-1].box[2] <= NUMBER_COLUMN_MM:
            columns[-1].append(word)
        else:
            columns.append([word])
    columns_mm = [
        (
            min(w.box[0] for w in column),
            min(w.box[1] for w in column),
            max(w.box[2] for w in column),
            max(w.box[3] for w in column),
        )
        for column in columns
    ]
    mask = print_mask(page.image)
    found = [box for box in blocks_mm if _faces_blank(mask, page.px_per_mm, box, (cx, cy))]
    if not found:
        found = [box for box in columns_mm if _faces_blank(mask, page.px_per_mm, box, (cx, cy))]
    return [
        {"origin_mm": rounded((x0, y0)), "size_mm": rounded((x1 - x0, y1 - y0))}
        for x0, y0, x1, y1 in found
    ]


def _faces_blank(
    mask: np.ndarray, ppm: float, box: tuple[float, ...], centre: tuple[float, float]
) -> bool:
    """Whether the 180° image about ``centre`` of ``box`` (x0, y0, x1, y1) mm, grown by
    ``BLANK_MARGIN_MM``, holds no print."""
    x0, y0, x1, y1 = box
    cx, cy = centre
    tx0, ty0 = 2 * cx - x1 - BLANK_MARGIN_MM, 2 * cy - y1 - BLANK_MARGIN_MM
    tx1, ty1 = 2 * cx - x0 + BLANK_MARGIN_MM, 2 * cy - y0 + BLANK_MARGIN_MM
    image = mask[
        max(0, int(ty0 * ppm)) : max(0, int(ty1 * ppm)),
        max(0, int(tx0 * ppm)) : max(0, int(tx1 * ppm)),
    ]
    return bool(image.size and not image.any())


def _digits_entry(grid: DigitGrid, boxes: bool) -> dict:
    first, column_pitch, row_pitch, _ = grid.lattice()
    return {
        "columns": int(grid.centres.shape[1]),
        "first_center_mm": rounded(first),
        "column_pitch_mm": round(column_pitch, 3),
        "row_pitch_mm": round(row_pitch, 3),
        "bubble": _bubble_style(grid.size, boxes),
    }


def _labels_inside(page: FormPage, blocks: list[Block] | list[DigitGrid]) -> bool:
    """Whether print lies inside the bubbles (a letter or digit in each): ``LABEL_INK``
    of their interiors (to ``INTERIOR_SHARE`` of their radii) or more, in most."""
    if not blocks:
        return False
    mask = print_mask(page.image) > 0
    ppm = page.px_per_mm
    shares = []
    for block in blocks:
        rx, ry = (v / 2 * INTERIOR_SHARE * ppm for v in block.size)
        ys, xs = np.mgrid[-int(ry) : int(ry) + 1, -int(rx) : int(rx) + 1]
        inside = (xs / max(rx, 1)) ** 2 + (ys / max(ry, 1)) ** 2 <= 1
        for x, y in block.centres.reshape(-1, 2):
            rows = np.clip(int(round(y * ppm)) + ys[inside], 0, mask.shape[0] - 1)
            cols = np.clip(int(round(x * ppm)) + xs[inside], 0, mask.shape[1] - 1)
            shares.append(mask[rows, cols].mean())
    return bool(np.median(shares) >= LABEL_INK)


def _print_colour(page: FormPage, blocks: list[Block]) -> str:
    """The colour the bubbles are printed in, as ``#RRGGBB`` (their outline's pixels)."""
    ppm = page.px_per_mm
    samples = []
    for block in blocks:
        for x, y in block.centres.reshape(-1, 2)[:50]:
            # The outline's top, half a bubble above the centre.
            samples.append(
                page.image[int(round((y - block.size[1] / 2) * ppm)), int(round(x * ppm))]
            )
    blue, green, red = np.median(np.array(samples), axis=0).astype(int)
    return f"#{red:02X}{green:02X}{blue:02X}"


def measure_form(pdf: Path, page_number: int = 1) -> MeasuredForm:
    """Measure page ``page_number`` of a blank form's PDF into a template.

    Raises
    ------
    InputFileError
        The PDF cannot be read, or its page has no bubbles or too few solid blocks.
    TemplateError
        What was measured does not make a valid template.
    """
    page = load_form_page(pdf, page_number)
    outlines, marks = find_shapes(page.image, page.px_per_mm)
    marks = _corner_discs(marks, page.size_mm)
    # Square boxes beside more round bubbles are cells to write in (a digit above each
    # column of an ID grid); outnumbering the round outlines (a letter "D" or "B" printed
    # beside each box is one), they are the form's bubbles: boxes.
    squares = [outline for outline in outlines if outline.fill >= SQUARE_FILL]
    outlines = [outline for outline in outlines if outline.fill < SQUARE_FILL]
    sizes = bubble_sizes(outlines)
    boxes = _sized(squares) > _sized(outlines)
    if boxes:
        outlines, sizes = squares, bubble_sizes(squares)
    if sizes and options_run_down(outlines, sizes, page.words):
        raise InputFileError(Reason.FORM_OPTIONS_RUN_DOWN, file=str(pdf))
    blocks = question_blocks(outlines, sizes, page.words) if sizes else []
    grids = digit_grids(outlines, sizes, page.words) if sizes else []
    if not blocks:
        raise InputFileError(Reason.FORM_BUBBLES_NOT_FOUND, file=str(pdf), needed=2)
    if len(marks) < MIN_REGISTRATION_BLOCKS:
        raise InputFileError(
            Reason.FORM_MARKS_NOT_FOUND,
            file=str(pdf),
            found=len(marks),
            needed=MIN_REGISTRATION_BLOCKS,
        )
    count = max(block.last for block in blocks)
    notes = [
        f"Measured by `omr template from-pdf` from {pdf.name}, page {page_number}.",
        f"Found {sum(b.centres.shape[0] * b.centres.shape[1] for b in blocks)} bubbles "
        f"in {len(blocks)} blocks, questions 1–{count}, and {len(marks)} registration marks "
        f"({sum(m.shape == 'corner' for m in marks)} L-shaped, "
        f"{sum(m.shape == 'track' for m in marks)} timing tracks, "
        f"{sum(m.shape == 'rings' for m in marks)} bullseyes, "
        f"{sum(m.shape == 'disc' for m in marks)} filled discs).",
        "Questions are numbered "
        + (
            "by the numbers printed before them."
            if all(b.numbered_by_print for b in blocks)
            else "band by band, left to right, top to bottom: CHECK the numbering."
        ),
        *(
            [
                f"CHECK: the form prints questions {offset + 1}–{offset + count}; the "
                f"template numbers them 1–{count}."
            ]
            if (offset := blocks[0].printed_offset)
            else []
        ),
        *(["The bubbles are boxes with sharp corners (bubble.shape: box)."] if boxes else []),
        "CHECK: question_types (all single-answer here), profile, title.",
        "CHECK: registration blocks that change from one printing to another (a variant",
        "or domain printed as squares) must be moved to coded_fields.",
    ]
    sized = sum(of_size(outline, sizes) is not None for outline in outlines)
    placed = sum(b.centres.shape[0] * b.centres.shape[1] for b in [*blocks, *grids])
    if placed < sized:
        notes.append(
            f"CHECK: {sized - placed} printed bubbles are in no question (an example in the "
            "instructions, or a row without its question number)."
        )
    for block in blocks:
        off = block.lattice()[3]
        if off > 0.1:
            notes.append(
                f"Questions {block.first}–{block.last}: a bubble lies {off:.2f} mm off its lattice."
            )
    registration: dict = {
        "kind": "blocks",
        "blocks": [
            mark_entry(f"block_{index + 1}", mark)
            for index, mark in enumerate(sorted(marks, key=lambda m: (m.box[1], m.box[0])))
        ],
    }
    data = {
        "id": slug(f"{pdf.stem}-p{page_number}"),
        "version": 1,
        "title": f"{pdf.stem}, pagina {page_number}",
        "profile": None,
        "page": page_spec(page.size_mm),
        "registration": registration,
        "question_blocks": [_block_entry(block, boxes) for block in blocks],
        "question_types": [
            {"first": 1, "last": count, "type": "single", "answers": "1", "label": "de verificat"}
        ],
        "print": {"colour": _print_colour(page, blocks)},
    }
    if len(grids) == 1 and grids[0].centres.shape[1] <= MAX_DIGIT_COLUMNS:
        data["identification"] = {"candidate_number": _digits_entry(grids[0], boxes)}
        notes.append(
            f"A grid of {grids[0].centres.shape[1]} columns of bubbled digits 0–9 is the "
            "candidate number (identification.candidate_number): CHECK."
        )
    elif grids:
        notes.append(
            f"{len(grids)} grids of bubbled digits 0–9 are left out (a template holds one, "
            f"of {MAX_DIGIT_COLUMNS} columns at most): CHECK, and add what they mean."
        )
    labels_inside = _labels_inside(page, blocks) or _labels_inside(page, grids)
    if labels_inside:
        data["print"]["labels_inside"] = True
        notes.append(
            "Letters or digits are printed inside the bubbles (print.labels_inside): the "
            "reader takes them off the page before measuring ink."
        )
    if _symmetric(registration["blocks"]):
        registration["orientation_boxes"] = _orientation_boxes(page, blocks, marks)
        if not registration["orientation_boxes"]:
            raise InputFileError(Reason.FORM_ORIENTATION_UNDECIDABLE, file=str(pdf))
        notes.append(
            "The blocks look the same turned by 180°: orientation_boxes are printed "
            "question numbers (or bubbles) facing blank paper."
        )
    gray = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY) if labels_inside else None
    if gray is not None and store_looks(data, [gray], page.px_per_mm, RENDERED):
        notes.append(
            "print.looks_inside: each label's bubble as this PDF prints it (`.` paper to `f` "
            "black), for pages whose own blank bubbles of a label are too few to show it: "
            "CHECK that each look shows its label."
        )
    return MeasuredForm(data, notes)


def _symmetric(blocks: list[dict]) -> bool:
    """Whether the blocks look the same turned by 180° (the template's own test)."""
    unturned = {"origin_mm": [0, 0], "size_mm": [1, 1]}  # lets the test run
    registration = {"kind": "blocks", "blocks": blocks, "orientation_boxes": [unturned]}
    return BlockRegistration.model_validate(registration).point_symmetric
