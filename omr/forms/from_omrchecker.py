"""``omr template from-omrchecker``: OMRChecker's ``template.json`` as a sheet template.

Its fields (:mod:`omr.forms.omrchecker`) become question blocks (numbered fields of
option letters laid in rows) and the candidate number (the widest block of digit
columns); other fields are named in the comments and left out. Given scans of the form,
the first is measured (:mod:`omr.forms.scan_marks`): each block is fitted to the bubble
outlines printed there (:mod:`omr.forms.fit_blocks`); the registration marks are the
bullseyes its ``CropOnMarkers`` frame stands on, other bullseyes, or the solid marks
nearest the page's corners; the print's colour is the outlines'. Orientation boxes are
cells printed on every scan given. The template says that letters may be printed inside
the bubbles (``print.labels_inside``); without a scan, the marks are OMRChecker's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby
from pathlib import Path

import cv2
import numpy as np

from omr.forms.fit_blocks import FittedBlocks, fit_blocks
from omr.forms.from_pdf import MeasuredForm
from omr.forms.omrchecker import DIGITS, NUMBERED, Field, Frame, crop_of, fields_of, frame_of
from omr.forms.print_looks import SCANNED, store_looks
from omr.forms.scan_marks import (
    PX_PER_MM,
    ScanMarks,
    aspect_of,
    frame_corners,
    measure_scan,
    print_colour,
)
from omr.forms.shapes import PRINT_BELOW, Block, with_tracks
from omr.forms.writing import mark_entry, page_spec, rounded, slug
from omr.sheet.template import MIN_REGISTRATION_BLOCKS, BlockRegistration
from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

# Orientation boxes: cells of 6 mm, kept 3 mm from any bubble or mark (a candidate's ink
# changes there), print (``PRINT_BELOW``: a shadow or the paper's tint is none) covering
# 4 % of them or more while their 180° image has under 1 %, both still so when the cell
# moves by ``SHIFT_MM`` (another copy, registered to a millimetre, sees the same); the
# three most printed kept.
CELL_MM, CLEAR_MM, CELL_DARK, TWIN_BLANK, MAX_BOXES = 6.0, 3.0, 0.04, 0.01, 3
SHIFT_MM = 1.0


def _bubble(size_mm: np.ndarray) -> dict:
    width, height = (float(v) for v in size_mm)
    if abs(width - height) < 0.1:
        return {"shape": "circle", "size_mm": rounded([(width + height) / 2] * 2)}
    return {"shape": "ellipse", "size_mm": rounded((width, height))}


def _question_blocks(answers: list[Field], frame: Frame, size_mm: np.ndarray) -> list[dict]:
    """One question block per OMRChecker block (numbered, options running right)."""
    blocks = []
    for _, group in groupby(answers, key=lambda field: field.block):
        fields = list(group)
        centres = frame.to_page(np.stack([f.centres for f in fields]).reshape(-1, 2))
        centres = centres.reshape(len(fields), -1, 2)
        entry = {
            "first": int(NUMBERED.match(fields[0].label).group(1)),
            "last": int(NUMBERED.match(fields[-1].label).group(1)),
            "options": fields[0].values,
            "first_center_mm": rounded(centres[0, 0]),
            "option_pitch_mm": round(float(centres[0, 1, 0] - centres[0, 0, 0]), 3),
            "row_pitch_mm": round(float(centres[1, 0, 1] - centres[0, 0, 1]), 3)
            if len(fields) > 1
            else 1.0,
            "bubble": _bubble(size_mm),
        }
        blocks.append(entry)
    return blocks


def _digit_columns(digits: list[Field], frame: Frame, size_mm: np.ndarray) -> dict:
    centres = frame.to_page(np.stack([f.centres for f in digits]).reshape(-1, 2))
    centres = centres.reshape(len(digits), 10, 2)
    return {
        "columns": len(digits),
        "first_center_mm": rounded(centres[0, 0]),
        "column_pitch_mm": round(float(centres[1, 0, 0] - centres[0, 0, 0]), 3)
        if len(digits) > 1
        else 1.0,
        "row_pitch_mm": round(float(centres[0, 1, 1] - centres[0, 0, 1]), 3),
        "bubble": _bubble(size_mm),
    }


def _printed(image: np.ndarray, x0: float, y0: float) -> np.ndarray:
    """The share of print in the cell at (x0, y0) mm of the straightened scan, and in
    the cell moved by ``SHIFT_MM`` each way (5,)."""
    shares = []
    for dx, dy in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
        left, top = (int(round((v + d * SHIFT_MM) * PX_PER_MM)) for v, d in ((x0, dx), (y0, dy)))
        side = int(round(CELL_MM * PX_PER_MM))
        cell = image[max(0, top) : max(0, top + side), max(0, left) : max(0, left + side)]
        shares.append(float((cell < PRINT_BELOW).mean()) if cell.size else 0.0)
    return np.array(shares)


def _orientation_boxes(
    copies: list[np.ndarray], centre: tuple[float, float], avoid: list
) -> list[dict]:
    """Cells printed on every one of the straightened scans ``copies`` whose 180° image
    about ``centre`` is blank paper on all of them."""
    height, width = (v / PX_PER_MM for v in copies[0].shape)
    clear = np.array(avoid) + (-CLEAR_MM, -CLEAR_MM, CLEAR_MM, CLEAR_MM)

    def free(x0: float, y0: float) -> bool:
        x1, y1 = x0 + CELL_MM, y0 + CELL_MM
        inside = x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height
        hit = (clear[:, 0] < x1) & (x0 < clear[:, 2]) & (clear[:, 1] < y1) & (y0 < clear[:, 3])
        return inside and not hit.any()

    found = []
    for y0 in np.arange(0, height - CELL_MM, CELL_MM):
        for x0 in np.arange(0, width - CELL_MM, CELL_MM):
            tx0, ty0 = 2 * centre[0] - x0 - CELL_MM, 2 * centre[1] - y0 - CELL_MM
            if not (free(x0, y0) and free(tx0, ty0)):
                continue
            dark = min(_printed(copy, x0, y0).min() for copy in copies)
            twin = max(_printed(copy, tx0, ty0).max() for copy in copies)
            if dark >= CELL_DARK and twin <= TWIN_BLANK:
                found.append((dark, x0, y0))
    return [
        {"origin_mm": rounded((x0, y0)), "size_mm": [CELL_MM, CELL_MM]}
        for _, x0, y0 in sorted(found, reverse=True)[:MAX_BOXES]
    ]


def _frame_rings(frame: Frame) -> list[tuple[float, float, float]]:
    """The bullseyes at the corners of a ``CropOnMarkers`` frame: (x, y, diameter) mm."""
    width, height = frame.size_px
    corners = frame.to_page(np.array([[0, 0], [width, 0], [width, height], [0, height]], float))
    diameter = frame.marker_px * frame.to_mm[0, 0]
    return [(x, y, diameter) for x, y in corners]


def _nearest(rings: list[tuple], ring: tuple) -> tuple:
    """The one of ``rings`` (x, y, diameter) nearest ``ring`` (a bullseye elsewhere on
    the page, or a filled bubble taken for one, is no frame marker)."""
    return min(rings, key=lambda other: np.hypot(other[0] - ring[0], other[1] - ring[1]))


def _ring_entries(rings: list[tuple[float, float, float]]) -> list[dict]:
    return [
        {
            "name": f"bullseye_{n + 1}",
            "shape": "rings",
            "origin_mm": rounded((x - d / 2, y - d / 2)),
            "size_mm": rounded((d, d)),
        }
        for n, (x, y, d) in enumerate(rings)
    ]


def _distance_to(block: Block, point: tuple[float, float]) -> float:
    """How far (mm) ``point`` lies from ``block``'s box (0 inside it)."""
    x0, y0, x1, y1 = block.box
    x, y = point
    return float(np.hypot(max(x0 - x, 0, x - x1), max(y0 - y, 0, y - y1)))


def _corner_blocks(scan: ScanMarks, page_mm: tuple[float, float]) -> list[dict]:
    """The solid marks nearest the page's four corners (text, a filled bubble or a code
    inside the page is no registration mark), as template entries. A timing track is one
    mark, whole: the nearest to two corners, it stands for both."""
    width, height = page_mm
    marks = with_tracks(scan.blocks, scan.blocks)
    chosen: list[Block] = []
    for corner in ((0, 0), (width, 0), (width, height), (0, height)):
        if marks:
            nearest = min(marks, key=lambda b: _distance_to(b, corner))
            chosen += [nearest] if nearest not in chosen else []
    ordered = sorted(chosen, key=lambda b: (b.box[1], b.box[0]))
    return [mark_entry(f"block_{n + 1}", block) for n, block in enumerate(ordered)]


def _marks(frame: Frame, scan: ScanMarks | None) -> tuple[list[dict], str]:
    """The registration marks, and a note on where they come from."""
    if frame.crop == "markers":
        corners = _frame_rings(frame)
        measured = scan is not None and len(scan.rings) >= len(corners)
        rings = [_nearest(scan.rings, ring) for ring in corners] if measured else corners
        if measured:
            return _ring_entries(rings), "Registration: the frame's bullseyes measured on the scan."
        return _ring_entries(rings), (
            "Registration: bullseyes at OMRChecker's marker centres, their size from "
            "sheetToMarkerWidthRatio: CHECK their size on a scan (or give --image)."
        )
    if scan is not None and len(scan.rings) >= MIN_REGISTRATION_BLOCKS:
        return _ring_entries(scan.rings), (
            "Registration: the bullseyes measured on the scan. CHECK: every one is printed "
            "on every copy."
        )
    return _corner_blocks(scan, frame.page_mm) if scan else [], (
        "Registration: the solid marks nearest the page's corners, measured on the scan "
        "(a timing track whole, of shape track). CHECK: every one is printed on every copy "
        "(none is a filled answer, a word or a code that changes), and a track's bars are "
        "as many on every copy."
    )


def _fit_note(fitted: FittedBlocks) -> str:
    """What the fit to the scan's outlines did, and what a person should check."""
    note = (
        "Bubble blocks fitted to the outlines printed on the scan; bubble size "
        f"{fitted.size_mm[0]:g}×{fitted.size_mm[1]:g} mm."
    )
    if fitted.unfitted:
        note += (
            f" Outlines not found for {', '.join(fitted.unfitted)}: CHECK their "
            "positions, left as OMRChecker gives them."
        )
    return note


def _renumbered(answers: list[Field], notes: list[str]) -> list[Field]:
    """Answer fields numbered 1…N in the order of OMRChecker's question numbers."""
    numbers = sorted({int(NUMBERED.match(f.label).group(1)) for f in answers})
    if numbers == list(range(1, len(numbers) + 1)):
        return answers
    rank = {number: index + 1 for index, number in enumerate(numbers)}
    notes.append(
        f"Questions renumbered 1–{len(numbers)} from OMRChecker's {numbers[0]}–{numbers[-1]} "
        "(the template numbers its questions from 1 without gaps): CHECK the numbering."
    )
    return [
        Field(
            f.block,
            f"q{rank[int(NUMBERED.match(f.label).group(1))]}",
            f.values,
            f.centres,
            f.direction,
        )
        for f in answers
    ]


def _colour(image: Path) -> np.ndarray:
    colour = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if colour is None:
        raise InputFileError(Reason.FORM_SCAN_UNREADABLE, file=str(image))
    return colour


def convert_template(path: Path, images: Sequence[Path] = ()) -> MeasuredForm:
    """A template from OMRChecker's ``template.json`` at ``path``, its marks and bubbles
    measured on the first scan of ``images`` when given; orientation boxes, when the
    marks need them, are cells printed on every one of ``images``.

    Raises
    ------
    InputFileError
        The file is no OMRChecker template, a scan cannot be read, or no marks to
        register on were found.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        fields, bubble_px = fields_of(document)
        crop = crop_of(document)[0]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputFileError(
            Reason.OMRCHECKER_TEMPLATE_INVALID, file=str(path), problem=str(error)
        ) from None
    image = images[0] if images else None
    colours = [_colour(scan) for scan in images]
    grays = [cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY) for colour in colours]
    corners = [frame_corners(gray, crop) for gray in grays]
    frame = frame_of(document, None if not grays or corners[0] is None else aspect_of(corners[0]))
    scan = None if not grays or corners[0] is None else measure_scan(grays[0], frame, corners[0])
    if frame.crop != "markers" and scan is None:
        raise InputFileError(Reason.OMRCHECKER_SCAN_NEEDED, file=str(path))
    copies = [
        measure_scan(gray, frame, found).image
        for gray, found in zip(grays, corners, strict=True)
        if found is not None
    ]
    notes = [
        f"Converted by `omr template from-omrchecker` from {path}"
        + (f", marks measured on {image.name}." if image else "."),
        f"OMRChecker's {frame.size_px[0]:g}×{frame.size_px[1]:g} px frame "
        f"({frame.crop}) is {frame.page_mm[0]:g}×{frame.page_mm[1]:g} mm paper: CHECK the "
        "page size (a page of another size reads the same, its mm are only a scale).",
    ]
    size_mm = np.array(bubble_px) * np.diag(frame.to_mm)[:2]
    if scan is not None:
        fitted = fit_blocks(fields, frame, scan.image, PX_PER_MM, size_mm)
        fields, size_mm = fitted.fields, fitted.size_mm
        notes.append(_fit_note(fitted))
    answers = [f for f in fields if NUMBERED.match(f.label) and f.direction == "horizontal"]
    digits = [f for f in fields if f.values == DIGITS and f.direction == "vertical"]
    by_block = {name: list(g) for name, g in groupby(digits, key=lambda f: f.block)}
    widest = max(by_block.values(), key=len, default=[])
    left_out = sorted({f.block for f in fields} - {f.block for f in answers + widest})
    if left_out:
        notes.append(f"Left out (no such field in the template format): {', '.join(left_out)}.")
    if not answers:
        raise InputFileError(Reason.FORM_BUBBLES_NOT_FOUND, file=str(path), needed=2)
    if scan is not None:
        scan = _off_bubbles(scan, _bubble_boxes(fields, frame, size_mm))
    blocks, how = _marks(frame, scan)
    notes.append(how)
    if len(blocks) < MIN_REGISTRATION_BLOCKS:
        raise InputFileError(
            Reason.FORM_MARKS_NOT_FOUND,
            file=str(image or path),
            found=len(blocks),
            needed=MIN_REGISTRATION_BLOCKS,
        )
    answers = _renumbered(answers, notes)
    count = len({f.label for f in answers})
    registration: dict = {"kind": "blocks", "blocks": blocks}
    data: dict = {
        "id": slug(path.parent.name),
        "version": 1,
        "title": f"OMRChecker: {path.parent.name}",
        "profile": None,
        "page": page_spec(frame.page_mm),
        "registration": registration,
    }
    if widest:
        data["identification"] = {"candidate_number": _digit_columns(widest, frame, size_mm)}
    data["question_blocks"] = _question_blocks(answers, frame, size_mm)
    data["question_types"] = [
        {"first": 1, "last": count, "type": "single", "answers": "1", "label": "de verificat"}
    ]
    notes.append("CHECK: question_types (all single-answer here), profile, title.")
    data["print"] = {"labels_inside": True}
    notes.append(
        "print.labels_inside: OMRChecker's forms often print each option's letter inside "
        "its bubble; the reader takes what the bubbles of a label print alike off the page "
        "before measuring ink (nothing, where nothing is printed)."
    )
    if scan is not None:
        centres = frame.to_page(np.concatenate([f.centres for f in answers]))
        data["print"]["colour"] = print_colour(colours[0], frame, corners[0], centres, size_mm)
        notes.append("print.colour: the bubbles' outlines as the scan shows them.")
    registration_model = BlockRegistration.model_validate(
        {**registration, "orientation_boxes": [{"origin_mm": [0, 0], "size_mm": [1, 1]}]}
    )
    if registration_model.point_symmetric:
        avoid = [
            (
                *b["origin_mm"],
                b["origin_mm"][0] + b["size_mm"][0],
                b["origin_mm"][1] + b["size_mm"][1],
            )
            for b in blocks
        ]
        avoid += _bubble_boxes(fields, frame, size_mm)
        boxes = _orientation_boxes(copies, registration_model.centre_mm, avoid) if copies else []
        registration["orientation_boxes"] = boxes
        notes.append(
            "The marks look the same turned by 180°: orientation_boxes are cells printed "
            "on every scan given, facing blank paper on every one"
            + ("." if boxes else ": NONE FOUND, give --image SCAN or draw them by hand.")
        )
    if copies and store_looks(data, copies, PX_PER_MM, SCANNED):
        notes.append(
            f"print.looks_inside: each label's bubble as the {len(copies)} scans given print "
            "it, the lightest quarter of its bubbles there (`.` paper to `f` black), for pages "
            "whose own blank bubbles of a label are too few to show it: CHECK that each look "
            "shows its label and no candidate's ink."
        )
    else:
        notes.append(
            "No print.looks_inside (what each label prints inside its bubbles, measured on "
            "the scans given): each page's blank bubbles of a label must show it."
        )
    return MeasuredForm(data, notes)


def _off_bubbles(scan: ScanMarks, bubbles: list[tuple]) -> ScanMarks:
    """The scan's solid marks that lie ``CLEAR_MM`` or more from every bubble (a filled
    bubble is no mark)."""
    clear = np.array(bubbles) + (-CLEAR_MM, -CLEAR_MM, CLEAR_MM, CLEAR_MM)
    kept = [
        b
        for b in scan.blocks
        if not (
            (clear[:, 0] < b.box[2])
            & (b.box[0] < clear[:, 2])
            & (clear[:, 1] < b.box[3])
            & (b.box[1] < clear[:, 3])
        ).any()
    ]
    return replace(scan, blocks=kept)


def _bubble_boxes(fields: list[Field], frame: Frame, size_mm: np.ndarray) -> list[tuple]:
    centres = frame.to_page(np.concatenate([f.centres for f in fields]))
    half = size_mm / 2
    return [(x - half[0], y - half[1], x + half[0], y + half[1]) for x, y in centres]
