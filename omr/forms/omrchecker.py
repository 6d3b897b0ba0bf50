"""``omr template from-omrchecker``: a sheet template from OMRChecker's ``template.json``.

OMRChecker places bubbles in its own frame: ``pageDimensions`` pixels spanning the page
(``CropPage``), the centres of its four corner markers (``CropOnMarkers``), or the whole
scan. Each field block puts its first bubble's top-left at ``origin``; a field's bubbles
run ``bubblesGap`` apart (right, or down for ``direction: vertical``), its fields
``labelsGap`` apart the other way. The frame becomes millimetres on the paper whose
shape it has (:mod:`omr.forms.from_omrchecker` measures the rest on a scan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from omr.sheet.template import PAGE_SIZES_MM

# OMRChecker's built-in field types: their bubble values and direction.
FIELD_TYPES: dict[str, tuple[list[str], str]] = {
    "QTYPE_INT": ([str(d) for d in range(10)], "vertical"),
    "QTYPE_INT_FROM_1": ([*(str(d) for d in range(1, 10)), "0"], "vertical"),
    "QTYPE_MCQ4": (["A", "B", "C", "D"], "horizontal"),
    "QTYPE_MCQ5": (["A", "B", "C", "D", "E"], "horizontal"),
}
DIGITS = [str(d) for d in range(10)]
# A paper size is told by the frame's shape to 2 %.
PAPER_ASPECT_TOLERANCE = 0.02
DEFAULT_WIDTH_MM = 210.0
_RANGE = re.compile(r"^(\D*)(\d+)\.\.(\d+)$")
NUMBERED = re.compile(r"^\D*(\d+)$")


@dataclass(frozen=True)
class Field:
    """One OMRChecker field: its label, its bubbles' values and centres (V, 2) in frame px."""

    block: str
    label: str
    values: list[str]
    centres: np.ndarray
    direction: str


@dataclass(frozen=True)
class Frame:
    """OMRChecker's frame on the page: ``to_mm`` (3, 3) maps frame px to page mm;
    ``crop`` is ``page``, ``markers`` or ``scan``; ``marker_px`` a corner marker's
    diameter in frame px (markers only)."""

    size_px: tuple[float, float]
    page_mm: tuple[float, float]
    to_mm: np.ndarray
    crop: str
    marker_px: float

    def to_page(self, points: np.ndarray) -> np.ndarray:
        """Frame px (n, 2) as page mm (n, 2)."""
        return cv2.perspectiveTransform(
            np.asarray(points, np.float64).reshape(1, -1, 2), self.to_mm
        )[0]

    def from_page(self, points: np.ndarray) -> np.ndarray:
        """Page mm (n, 2) as frame px (n, 2)."""
        return cv2.perspectiveTransform(
            np.asarray(points, np.float64).reshape(1, -1, 2), np.linalg.inv(self.to_mm)
        )[0]


def expand_labels(labels: list[str]) -> list[str]:
    """``["q1..3", "x"]`` → ``["q1", "q2", "q3", "x"]``, as OMRChecker expands them."""
    expanded = []
    for label in labels:
        match = _RANGE.match(label)
        if match:
            prefix, first, last = match.group(1), int(match.group(2)), int(match.group(3))
            expanded += [f"{prefix}{n}" for n in range(first, last + 1)]
        else:
            expanded.append(label)
    return expanded


def fields_of(document: dict) -> tuple[list[Field], tuple[float, float]]:
    """Every field of the template, and the bubbles' size (w, h) in frame px."""
    size = document.get("bubbleDimensions", [20, 20])
    fields = []
    for name, block in document["fieldBlocks"].items():
        kind = block.get("fieldType", block.get("bubbleFieldType"))
        values, direction = FIELD_TYPES.get(kind, (block.get("bubbleValues"), "horizontal"))
        if not values:
            raise ValueError(f"field block {name} has no bubble values")
        direction = block.get("direction", direction)
        width, height = block.get("bubbleDimensions", size)
        along = np.array([1.0, 0.0] if direction == "horizontal" else [0.0, 1.0])
        across = along[::-1]
        origin = np.array(block["origin"], float) + (width / 2, height / 2)
        for index, label in enumerate(expand_labels(block["fieldLabels"])):
            start = origin + index * block["labelsGap"] * across
            centres = start + np.outer(np.arange(len(values)) * block["bubblesGap"], along)
            fields.append(Field(name, label, list(values), centres, direction))
    return fields, (float(size[0]), float(size[1]))


def _paper_mm(aspect: float) -> tuple[float, float]:
    """The named paper (either orientation) of this height-to-width ratio, or a page
    ``DEFAULT_WIDTH_MM`` wide."""
    for short, long in PAGE_SIZES_MM.values():
        for width, height in ((short, long), (long, short)):
            if abs(height / width / aspect - 1) <= PAPER_ASPECT_TOLERANCE:
                return (width, height)
    return (DEFAULT_WIDTH_MM, DEFAULT_WIDTH_MM * aspect)


def crop_of(document: dict) -> tuple[str, float]:
    """OMRChecker's frame (``page``, ``markers`` or ``scan``) and its markers' diameter
    in frame px (0 without markers)."""
    processors = {p.get("name"): p.get("options", {}) for p in document.get("preProcessors", [])}
    if "CropOnMarkers" in processors:
        ratio = float(processors["CropOnMarkers"].get("sheetToMarkerWidthRatio", 17))
        return "markers", float(document["pageDimensions"][0]) / ratio
    return ("page" if "CropPage" in processors else "scan"), 0.0


def frame_of(document: dict, aspect: float | None) -> Frame:
    """The frame on the page: the page itself, or its markers' centres a marker in from
    its edges. ``aspect`` is the frame's height to width as a scan shows it (OMRChecker
    stretches the frame to its page dimensions); without a scan, theirs."""
    width, height = (float(v) for v in document["pageDimensions"])
    crop, marker_px = crop_of(document)
    tall = (aspect or height / width) * width  # the frame's height in its width's px
    shape = (width + 2 * marker_px, tall + 2 * marker_px)
    page_mm = _paper_mm(shape[1] / shape[0])
    scale = page_mm[0] / shape[0]
    to_mm = np.array(
        [[scale, 0, marker_px * scale], [0, scale * tall / height, marker_px * scale], [0, 0, 1.0]]
    )
    return Frame((width, height), page_mm, to_mm, crop, marker_px)
