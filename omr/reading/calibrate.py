"""Scanner calibration: print reference bubbles, scan them, derive the classifier's thresholds.

The calibration sheet (``calibration/calibration-sheet.yaml``) carries rows of reference
bubbles printed with known **coverage** (the share of the measured interior that is
inked), **tone** (how dark a solid fill is) and **crosses**, in blue and in black. The
thresholds of :class:`omr.sheet.calibration.Calibration` are policies stated in those physical
terms — a pixel is ink when at least as dark as a 35 % tone of black, a bubble is blank up to
15 % coverage and filled from 55 % — and a scanner renders them its own way. Calibrating
measures that rendering and writes the thresholds in the scanner's terms. On an ideal
scanner the result equals the default profile.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from omr.printing.answer_sheets import SheetToPrint, draw_sheet
from omr.reading.channels import ScanChannels
from omr.reading.marks import (
    BLANK,
    CROSSED,
    FILLED,
    INTERIOR_RADIUS,
    UNCLEAR,
    bubble_layout,
    classify_marks,
    measure_bubbles,
)
from omr.reading.registration.aruco import register_page
from omr.reading.template_space import warp_to_template
from omr.sheet.calibration import CALIBRATION_DIR, Calibration, load_calibration
from omr.sheet.qr_identity import make_identity
from omr.sheet.template import Bubble, SheetTemplate, load_template
from omr.vocabulary.errors import ExitCode, OmrError

SHEET_PATH = CALIBRATION_DIR / "calibration-sheet.yaml"
INKS = {"blue": "#1E3A9C", "black": "#151515"}
LEVELS = tuple(round(step / 10, 1) for step in range(11))

# The policies, in physical terms (the default profile states them for an ideal scanner).
INK_TONE = 0.35
BLANK_COVERAGE = 0.15
FILLED_FLOOR_COVERAGE = 0.42
FILLED_COVERAGE = 0.55
SMUDGE_TONE = 0.14
ARM_SHARE = 0.6

Kind = Literal["coverage", "tone", "cross_filled", "cross_empty", "blank"]


class CalibrationError(OmrError):
    """The scan cannot give a profile (unreadable, or the references do not separate)."""

    reason = "calibration_failed"
    exit_code = ExitCode.failed_pages


@dataclass(frozen=True, slots=True)
class Reference:
    """What is printed in one reference bubble."""

    kind: Kind
    ink: str | None
    level: float = 1.0

    def expected_state(self) -> str | None:
        """The state a calibrated reader must give it; ``None`` near a threshold."""
        if self.kind == "blank":
            return BLANK
        if self.kind == "cross_filled":
            return CROSSED
        if self.kind == "cross_empty":
            return UNCLEAR
        if self.level <= 0.1:
            return BLANK
        if self.kind == "coverage":
            return UNCLEAR if 0.2 <= self.level <= 0.4 else FILLED if self.level >= 0.7 else None
        return UNCLEAR if 0.2 <= self.level <= 0.3 else FILLED if self.level >= 0.5 else None


_CROSS_ROW = (
    [Reference("blank", None)]
    + [Reference("cross_filled", ink) for ink in ("blue", "black") for _ in range(3)]
    + [Reference("cross_empty", ink) for ink in ("blue", "black") for _ in range(2)]
)
ROWS: tuple[tuple[str, tuple[Reference, ...]], ...] = (
    ("acoperire, albastru 0–100 %", tuple(Reference("coverage", "blue", v) for v in LEVELS)),
    ("acoperire, negru 0–100 %", tuple(Reference("coverage", "black", v) for v in LEVELS)),
    ("nuanță, albastru 0–100 %", tuple(Reference("tone", "blue", v) for v in LEVELS)),
    ("nuanță, negru 0–100 %", tuple(Reference("tone", "black", v) for v in LEVELS)),
    ("X pe cerc plin / gol", tuple(_CROSS_ROW)),
)


def calibration_sheet() -> SheetTemplate:
    """The calibration sheet's template."""
    return load_template(SHEET_PATH)


def reference_of(bubble: Bubble) -> Reference:
    """The reference printed in a bubble of the calibration sheet (rows repeat)."""
    assert bubble.question is not None
    _, references = ROWS[(bubble.question - 1) % len(ROWS)]
    return references[int(bubble.option) - 1]


def _segment_height(fraction: float) -> float:
    """Height (in radii) of a disc's bottom segment holding ``fraction`` of its area."""
    low, high = 0.0, 2.0
    for _ in range(40):
        height = (low + high) / 2
        angle = 2 * math.acos(1 - height)
        if (angle - math.sin(angle)) / (2 * math.pi) < fraction:
            low = height
        else:
            high = height
    return (low + high) / 2


def _tint(hex_colour: str, tone: float) -> Color:
    ink = HexColor(hex_colour)
    return Color(*(1 - tone * (1 - channel) for channel in (ink.red, ink.green, ink.blue)))


def _draw_reference(
    canvas: Canvas, bubble: Bubble, reference: Reference, page_height: float
) -> None:
    radius = bubble.size_mm[0] / 2
    x, y = bubble.center_mm[0] * mm, (page_height - bubble.center_mm[1]) * mm
    if reference.ink is None:
        return
    colour = HexColor(INKS[reference.ink])
    canvas.saveState()
    if reference.kind == "tone":
        canvas.setFillColor(_tint(INKS[reference.ink], reference.level))
        canvas.circle(x, y, radius * mm, stroke=0, fill=1)
    elif reference.kind == "coverage" and reference.level > 0:
        inner = radius * INTERIOR_RADIUS
        chord = -inner + _segment_height(reference.level) * inner  # from the centre, upwards
        clip = canvas.beginPath()
        clip.circle(x, y, radius * mm)
        canvas.clipPath(clip, stroke=0, fill=0)
        canvas.setFillColor(colour)
        top = chord if reference.level < 1 else radius
        canvas.rect(
            x - radius * mm, y - radius * mm, 2 * radius * mm, (top + radius) * mm, stroke=0, fill=1
        )
    elif reference.kind in ("cross_filled", "cross_empty"):
        if reference.kind == "cross_filled":
            canvas.setFillColor(colour)
            canvas.circle(x, y, radius * mm, stroke=0, fill=1)
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(0.5 * mm)
        reach = radius * 1.8 / math.sqrt(2) * mm
        canvas.line(x - reach, y - reach, x + reach, y + reach)
        canvas.line(x - reach, y + reach, x + reach, y - reach)
    canvas.restoreState()


def write_calibration_sheet(path: Path) -> None:
    """Write the printable calibration sheet (one page, vector PDF)."""
    template = calibration_sheet()
    width, height = template.page_size_mm
    canvas = Canvas(str(path), pagesize=(width * mm, height * mm))
    identity = make_identity(
        template=template.id, template_version=template.version, exam="CALIBRARE", serial=1
    )
    draw_sheet(canvas, template, SheetToPrint(identity))
    canvas.setFillColor(HexColor(template.print.colour))
    canvas.setFont("SheetSans", 7)
    block = template.question_blocks[0]
    for row in range(block.first, block.last + 1):
        label, _ = ROWS[(row - 1) % len(ROWS)]
        _, y_mm = block.question_center(row, 0)
        canvas.drawRightString((block.first_center_mm[0] - 9) * mm, (height - y_mm - 1) * mm, label)
    for bubble in template.answer_bubbles():
        _draw_reference(canvas, bubble, reference_of(bubble), height)
    canvas.showPage()
    canvas.save()


def _curve(
    values: dict[tuple[str, float], list[float]], ink: str
) -> tuple[list[float], list[float]]:
    levels = sorted(level for (name, level) in values if name == ink)
    return levels, [float(np.median(values[(ink, level)])) for level in levels]


def _at(values: dict[tuple[str, float], list[float]], ink: str, level: float) -> float:
    levels, measured = _curve(values, ink)
    return float(np.interp(level, levels, np.maximum.accumulate(measured)))


@dataclass(frozen=True)
class CalibrationResult:
    """A derived profile and how the references read with it."""

    calibration: Calibration
    mismatches: list[str]


def calibrate_from_image(image: np.ndarray, *, name: str = "scanner") -> CalibrationResult:
    """Derive a calibration profile from a scan of the calibration sheet.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The scanned calibration sheet (BGR when colour), any rotation.

    Raises
    ------
    CalibrationError
        When the sheet cannot be registered or its references do not separate blank from
        filled.
    """
    template = calibration_sheet()
    scan = ScanChannels(image)
    registration = register_page(scan, template)
    if not registration:
        raise CalibrationError(f"not a readable calibration sheet: {registration.message}")
    page = warp_to_template(scan, registration.homography, template)
    layout = bubble_layout(template, True)
    bubbles = layout.bubbles
    references = [reference_of(bubble) for bubble in bubbles]

    def measured(calibration: Calibration, kind: Kind, attribute: str):
        values: dict[tuple[str, float], list[float]] = defaultdict(list)
        measure = measure_bubbles(page, layout, calibration)
        for index, reference in enumerate(references):
            if reference.kind == kind and reference.ink is not None:
                values[(reference.ink, reference.level)].append(
                    float(getattr(measure, attribute)[index])
                )
        return values

    base = load_calibration()
    darkness = measured(base, "tone", "darkness")
    ink_darkness = _at(darkness, "black", INK_TONE)
    probe = base.model_copy(update={"ink_darkness": float(np.clip(ink_darkness, 0.15, 0.6))})
    fill = measured(probe, "coverage", "fill")
    blank_max = max(_at(fill, ink, BLANK_COVERAGE) for ink in INKS)
    floor = min(_at(fill, ink, FILLED_FLOOR_COVERAGE) for ink in INKS)
    filled_min = min(_at(fill, ink, FILLED_COVERAGE) for ink in INKS)
    if not blank_max + 0.05 < floor <= filled_min:
        raise CalibrationError(
            f"the references do not separate blank from filled (blank up to {blank_max:.2f}, "
            f"filled from {floor:.2f}): rescan sharper, or check the scanner's settings"
        )
    measure = measure_bubbles(page, layout, probe)
    crossed = [
        np.sort(measure.arms[i])[-3] for i, r in enumerate(references) if r.kind == "cross_filled"
    ]
    values = {
        "name": name,
        "ink_darkness": round(float(probe.ink_darkness), 3),
        "blank_max_fill": round(blank_max, 3),
        "filled_min_fill_floor": round(floor, 3),
        "filled_min_fill": round(filled_min, 3),
        "smudge_darkness": round(float(np.clip(_at(darkness, "black", SMUDGE_TONE), 0.05, 0.3)), 3),
        "cross_arm_min": round(float(np.clip(ARM_SHARE * np.median(crossed), 0.3, 0.8)), 3),
    }
    calibration = base.model_copy(update=values)
    states = classify_marks(measure_bubbles(page, layout, calibration), calibration)
    mismatches = [
        f"row {bubble.question} bubble {bubble.option} ({ref.kind} {ref.ink or ''} "
        f"{ref.level:.0%}): read {state.state}, expected {ref.expected_state()}"
        for bubble, ref, state in zip(bubbles, references, states, strict=True)
        if ref.expected_state() not in (None, state.state)
    ]
    return CalibrationResult(
        Calibration.model_validate(calibration.model_dump(by_alias=True)), mismatches
    )
