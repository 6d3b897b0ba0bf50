"""The printable scanner calibration sheet (``omr calibrate --print``)."""

from __future__ import annotations

import math
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from omr.printing.answer_sheets import SheetToPrint, draw_sheet
from omr.sheet.calibration import INTERIOR_RADIUS
from omr.sheet.calibration_sheet import INKS, ROWS, Reference, calibration_sheet, reference_of
from omr.sheet.qr_identity import make_identity
from omr.sheet.template import Bubble


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
