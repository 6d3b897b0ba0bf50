"""``omr template from-omrchecker``: OMRChecker's ``template.json`` as a sheet template.

Its fields (:mod:`omr.forms.omrchecker`) become question blocks (numbered fields of
option letters laid in rows) and the candidate number (the widest block of digit
columns); other fields are named in the comments and left out. Its registration marks
are the bullseyes its ``CropOnMarkers`` frame stands on, or those or the solid blocks
measured on a scan of the form (:mod:`omr.forms.scan_marks`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import groupby
from pathlib import Path

import cv2
import numpy as np

from omr.forms.from_pdf import MeasuredForm
from omr.forms.omrchecker import DIGITS, NUMBERED, Field, Frame, crop_of, fields_of, frame_of
from omr.forms.scan_marks import PX_PER_MM, ScanMarks, aspect_of, frame_corners, measure_scan
from omr.forms.writing import page_spec, rounded, slug
from omr.sheet.template import MIN_REGISTRATION_BLOCKS, BlockRegistration
from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

# Orientation boxes: cells of 6 mm, kept 3 mm from any bubble or mark (a candidate's ink
# changes there), whose print darkens them by 4 % or more while their 180° image stays
# under 1 %; the three darkest are kept.
CELL_MM, CLEAR_MM, CELL_DARK, TWIN_BLANK, MAX_BOXES = 6.0, 3.0, 0.04, 0.01, 3


def _mm(frame: Frame, points: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(1, -1, 2).astype(np.float64), frame.to_mm)[0]


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
        centres = _mm(frame, np.stack([f.centres for f in fields]).reshape(-1, 2))
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
    centres = _mm(frame, np.stack([f.centres for f in digits]).reshape(-1, 2))
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


def _darkness(image: np.ndarray, box: tuple[float, float, float, float]) -> float:
    x0, y0, x1, y1 = (int(round(v * PX_PER_MM)) for v in box)
    cell = image[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    return 1.0 - float(cell.mean()) / 255.0 if cell.size else 0.0


def _orientation_boxes(marks: ScanMarks, centre: tuple[float, float], avoid: list) -> list[dict]:
    """Printed cells of the scan whose 180° image about ``centre`` is blank paper."""
    width, height = marks.image.shape[1] / PX_PER_MM, marks.image.shape[0] / PX_PER_MM
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
            dark = _darkness(marks.image, (x0, y0, x0 + CELL_MM, y0 + CELL_MM))
            twin = _darkness(marks.image, (tx0, ty0, tx0 + CELL_MM, ty0 + CELL_MM))
            if dark >= CELL_DARK and twin <= TWIN_BLANK:
                found.append((dark, x0, y0))
    return [
        {"origin_mm": rounded((x0, y0)), "size_mm": [CELL_MM, CELL_MM]}
        for _, x0, y0 in sorted(found, reverse=True)[:MAX_BOXES]
    ]


def _frame_rings(frame: Frame) -> list[tuple[float, float, float]]:
    """The bullseyes at the corners of a ``CropOnMarkers`` frame: (x, y, diameter) mm."""
    width, height = frame.size_px
    corners = _mm(frame, np.array([[0, 0], [width, 0], [width, height], [0, height]], float))
    diameter = frame.marker_px * frame.to_mm[0, 0]
    return [(x, y, diameter) for x, y in corners]


def _marks(frame: Frame, scan: ScanMarks | None) -> tuple[list[dict], str]:
    """The registration marks, and a note on where they come from."""
    if frame.crop == "markers":
        measured = scan is not None and len(scan.rings) >= len(_frame_rings(frame))
        rings = scan.rings if measured else _frame_rings(frame)
        entries = [
            {
                "name": f"bullseye_{n + 1}",
                "shape": "rings",
                "origin_mm": rounded((x - d / 2, y - d / 2)),
                "size_mm": rounded((d, d)),
            }
            for n, (x, y, d) in enumerate(rings)
        ]
        if measured:
            return entries, "Registration: the bullseyes measured on the scan."
        return entries, (
            "Registration: bullseyes at OMRChecker's marker centres, their size from "
            "sheetToMarkerWidthRatio: CHECK their size on a scan (or give --image)."
        )
    blocks = sorted(scan.blocks, key=lambda b: (b.box[1], b.box[0])) if scan else []
    entries = [
        {
            "name": f"block_{n + 1}",
            "origin_mm": rounded(block.box[:2]),
            "size_mm": rounded((block.box[2] - block.box[0], block.box[3] - block.box[1])),
        }
        for n, block in enumerate(blocks)
    ]
    return entries, (
        "Registration: the solid blocks measured on the scan. CHECK: every one is printed "
        "on every copy (none is a filled answer or a code that changes)."
    )


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


def convert_template(path: Path, image: Path | None = None) -> MeasuredForm:
    """A template from OMRChecker's ``template.json`` at ``path``, its marks measured on
    the scan ``image`` when given.

    Raises
    ------
    InputFileError
        The file is no OMRChecker template, the scan cannot be read, or no marks to
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
    gray = None if image is None else cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    if image is not None and gray is None:
        raise InputFileError(Reason.FORM_SCAN_UNREADABLE, file=str(image))
    corners = None if gray is None else frame_corners(gray, crop)
    frame = frame_of(document, None if corners is None else aspect_of(corners))
    scan = None if corners is None else measure_scan(gray, frame, corners)
    if frame.crop != "markers" and scan is None:
        raise InputFileError(Reason.OMRCHECKER_SCAN_NEEDED, file=str(path))
    notes = [
        f"Converted by `omr template from-omrchecker` from {path}"
        + (f", marks measured on {image.name}." if image else "."),
        f"OMRChecker's {frame.size_px[0]:g}×{frame.size_px[1]:g} px frame "
        f"({frame.crop}) is {frame.page_mm[0]:g}×{frame.page_mm[1]:g} mm paper: CHECK the "
        "page size (a page of another size reads the same, its mm are only a scale).",
    ]
    size_mm = np.array(bubble_px) * np.diag(frame.to_mm)[:2]
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
        boxes = (
            [] if scan is None else _orientation_boxes(scan, registration_model.centre_mm, avoid)
        )
        registration["orientation_boxes"] = boxes
        notes.append(
            "The marks look the same turned by 180°: orientation_boxes are printed cells "
            "of the scan facing blank paper"
            + ("." if boxes else ": NONE FOUND, give --image SCAN or draw them by hand.")
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
    centres = _mm(frame, np.concatenate([f.centres for f in fields]))
    half = size_mm / 2
    return [(x - half[0], y - half[1], x + half[0], y + half[1]) for x, y in centres]
