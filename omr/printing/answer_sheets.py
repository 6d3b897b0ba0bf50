"""Render printable answer sheets (vector PDF) from a sheet template.

Registration markers and the QR code are printed black; bubble outlines and all other
printed matter use the template's print colour (a light drop-out red by default, so
that the reader can separate printed circles from blue or black ink on colour scans).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from omr.sheet import bullseyes
from omr.sheet.bubble_outline import is_box
from omr.sheet.qr_identity import SheetIdentity
from omr.sheet.template import (
    OPTION_LABEL_PT,
    ArucoRegistration,
    BlockRegistration,
    Box,
    Bubble,
    SheetTemplate,
    TextItem,
)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
REGULAR_FONT = "SheetSans"
BOLD_FONT = "SheetSans-Bold"
LABEL_SIZE_PT = 6.5
OUTLINE_WIDTH_PT = 0.9


@dataclass(frozen=True, slots=True)
class SheetToPrint:
    """One page to print: its QR identity and, when pre-personalised, the name."""

    identity: SheetIdentity
    candidate_name: str | None = None


@cache
def _register_fonts() -> None:
    """Register a TrueType font with Romanian diacritics (ș, ț, ă, î, â)."""
    for directory in FONT_DIRS:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont(REGULAR_FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD_FONT, str(bold)))
            return
    # reportlab ships Bitstream Vera: no ș/ț, but the sheet stays printable.
    pdfmetrics.registerFont(TTFont(REGULAR_FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD_FONT, "VeraBd.ttf"))


class _Page:
    """Drawing helpers that take template millimetres (origin top-left, y down)."""

    def __init__(self, canvas: Canvas, template: SheetTemplate) -> None:
        self.canvas = canvas
        self.height_mm = template.page_size_mm[1]
        self.colour = HexColor(template.print.colour)

    def point(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        return x_mm * mm, (self.height_mm - y_mm) * mm

    def rect(self, box: Box, *, fill: bool = False, stroke: bool = True) -> None:
        x, y = self.point(box.origin_mm[0], box.bottom)
        self.canvas.rect(x, y, box.size_mm[0] * mm, box.size_mm[1] * mm, stroke=stroke, fill=fill)

    def text(
        self,
        x_mm: float,
        y_mm: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        self.canvas.setFont(BOLD_FONT if bold else REGULAR_FONT, size)
        x, y = self.point(x_mm, y_mm)
        if align == "center":
            self.canvas.drawCentredString(x, y, text)
        elif align == "right":
            self.canvas.drawRightString(x, y, text)
        else:
            self.canvas.drawString(x, y, text)

    def paragraph(self, item: TextItem) -> None:
        font = BOLD_FONT if item.bold else REGULAR_FONT
        lines = [item.text]
        if item.width_mm is not None:
            lines = simpleSplit(item.text, font, item.size_pt, item.width_mm * mm)
        line_mm = item.size_pt * 1.25 / mm
        for index, line in enumerate(lines):
            self.text(
                item.origin_mm[0],
                item.origin_mm[1] + index * line_mm,
                line,
                size=item.size_pt,
                bold=item.bold,
                align=item.align,
            )

    def bubble(self, bubble: Bubble, *, fill: bool = False) -> None:
        """A bubble's outline as its template says: an ellipse (a circle), or a box."""
        if is_box(bubble.shape):
            self.rect(bubble.box(), fill=fill)
            return
        width, height = bubble.size_mm
        x0, y0 = self.point(bubble.center_mm[0] - width / 2, bubble.center_mm[1] + height / 2)
        self.canvas.ellipse(x0, y0, x0 + width * mm, y0 + height * mm, stroke=1, fill=fill)


def _draw_aruco(page: _Page, registration: ArucoRegistration) -> None:
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    modules = 6  # 4×4 data bits and a one-module black border
    module_mm = registration.size_mm / modules
    canvas = page.canvas
    canvas.setFillColor(black)
    for marker in registration.markers:
        bits = cv2.aruco.generateImageMarker(dictionary, marker.id, modules)
        x0, y0 = marker.origin_mm
        for row in range(modules):
            for column in range(modules):
                if bits[row, column] == 0:
                    cell = Box(
                        origin_mm=(x0 + column * module_mm, y0 + row * module_mm),
                        size_mm=(module_mm, module_mm),
                    )
                    page.rect(cell, fill=True, stroke=False)


def _draw_blocks(page: _Page, registration: BlockRegistration) -> None:
    for block in registration.blocks:
        page.canvas.setFillColor(black)
        if block.shape == "solid":
            page.rect(block.box, fill=True, stroke=False)
            continue
        x, y = page.point(
            *(o + size / 2 for o, size in zip(block.origin_mm, block.size_mm, strict=True))
        )
        if block.shape == "disc":
            page.canvas.circle(x, y, min(block.size_mm) / 2 * mm, fill=1, stroke=0)
            continue
        for index, share in enumerate(bullseyes.RADII):
            page.canvas.setFillColor(white if index % 2 else black)
            page.canvas.circle(x, y, share * min(block.size_mm) / 2 * mm, fill=1, stroke=0)


def _draw_qr(page: _Page, template: SheetTemplate, payload: str) -> None:
    if template.qr is None:
        return
    widget = QrCodeWidget(payload, barLevel="M", barBorder=0)
    x1, y1, x2, y2 = widget.getBounds()
    side = template.qr.size_mm * mm
    drawing = Drawing(side, side, transform=[side / (x2 - x1), 0, 0, side / (y2 - y1), 0, 0])
    drawing.add(widget)
    x, y = page.point(template.qr.origin_mm[0], template.qr.box.bottom)
    renderPDF.draw(drawing, page.canvas, x, y)


def _draw_answer_grid(page: _Page, template: SheetTemplate) -> None:
    for block in template.question_blocks:
        if block.header:
            page.text(
                block.first_center_mm[0] - 9,
                block.option_label_baseline_mm - 4.5,
                block.header,
                size=7.5,
                bold=True,
            )
        for option, (x, y) in block.option_labels():
            page.text(x, y, option, size=OPTION_LABEL_PT, bold=True, align="center")
        for question in range(block.first, block.last + 1):
            x, y = block.question_center(question, 0)
            page.text(
                x - block.bubble.size_mm[0] / 2 - 1.5,
                y + 1.2,
                str(question),
                size=8,
                bold=True,
                align="right",
            )
    for bubble in template.answer_bubbles():
        page.bubble(bubble)


def _draw_identification(page: _Page, template: SheetTemplate, sheet: SheetToPrint) -> None:
    zone = template.identification
    for written in zone.handwritten:
        page.text(
            written.origin_mm[0], written.origin_mm[1] - 1.2, written.label, size=LABEL_SIZE_PT
        )
        page.rect(written.box)
        for cell in range(1, written.cells):
            x = written.origin_mm[0] + cell * written.size_mm[0] / written.cells
            page.canvas.line(
                *page.point(x, written.origin_mm[1]), *page.point(x, written.box.bottom)
            )
    if sheet.candidate_name and zone.handwritten:
        first = zone.handwritten[0]
        page.canvas.setFillColor(black)
        page.text(first.origin_mm[0] + 2, first.box.bottom - 2.5, sheet.candidate_name, size=11)
        page.canvas.setFillColor(page.colour)
    digits = zone.candidate_number
    if digits is not None:
        for bubble in template.bubbles():
            if bubble.field == "candidate_number":
                page.bubble(bubble)
                page.text(
                    bubble.center_mm[0],
                    bubble.center_mm[1] + 0.9,
                    bubble.option,
                    size=5,
                    align="center",
                )
    variant = template.variant
    if variant is not None and variant.bubbles_first_center_mm is not None:
        x0, y0 = variant.bubbles_first_center_mm
        page.text(x0 - variant.bubble.size_mm[0] / 2, y0 - 5.5, variant.label, size=LABEL_SIZE_PT)
        for bubble in template.bubbles():
            if bubble.field == "variant":
                page.bubble(bubble)
                page.text(
                    bubble.center_mm[0],
                    bubble.center_mm[1] - 3,
                    bubble.option,
                    size=LABEL_SIZE_PT,
                    bold=True,
                    align="center",
                )


def _draw_print_matter(page: _Page, template: SheetTemplate, sheet: SheetToPrint) -> None:
    spec = template.print
    for item in (*spec.title, *spec.instructions):
        page.paragraph(item)
    if spec.pictograms is not None:
        _draw_pictograms(page, template)
    for labelled in spec.boxes:
        box = Box(origin_mm=labelled.origin_mm, size_mm=labelled.size_mm)
        page.rect(box)
        page.text(box.origin_mm[0] + 1.5, box.origin_mm[1] + 3, labelled.label, size=LABEL_SIZE_PT)
    if template.qr is not None:
        qr_box = template.qr.box
        caption = f"seria {sheet.identity.serial:06d}"
        if sheet.identity.variant:
            caption += f" · tip {sheet.identity.variant}"
        page.text(
            qr_box.origin_mm[0] + qr_box.size_mm[0] / 2,
            qr_box.bottom + 3,
            caption,
            size=LABEL_SIZE_PT + 1,
            bold=True,
            align="center",
        )


def _draw_pictograms(page: _Page, template: SheetTemplate) -> None:
    spec = template.print.pictograms
    assert spec is not None
    size = spec.bubble_mm
    x0, y0 = spec.origin_mm
    canvas = page.canvas
    shape = template.question_blocks[0].bubble.shape  # the examples look like the answers
    filled = Bubble("example", None, "", (x0 + size / 2, y0 + size / 2), (size, size), shape)
    page.bubble(filled, fill=True)
    page.text(x0 + size / 2, y0 + size + 3, spec.correct_label, size=LABEL_SIZE_PT, align="center")
    crossed_x = x0 + size * 3.5
    crossed = Bubble(
        "example", None, "", (crossed_x + size / 2, y0 + size / 2), (size, size), shape
    )
    page.bubble(crossed, fill=True)
    canvas.setStrokeColor(black)
    reach = size * 0.85
    cx, cy = crossed.center_mm
    canvas.line(*page.point(cx - reach, cy - reach), *page.point(cx + reach, cy + reach))
    canvas.line(*page.point(cx - reach, cy + reach), *page.point(cx + reach, cy - reach))
    canvas.setStrokeColor(page.colour)
    page.text(
        crossed_x + size / 2,
        y0 + size + 3,
        spec.cancelled_label,
        size=LABEL_SIZE_PT,
        align="center",
    )


def draw_sheet(canvas: Canvas, template: SheetTemplate, sheet: SheetToPrint) -> None:
    """Draw one answer sheet on the current page of ``canvas``."""
    _register_fonts()
    page = _Page(canvas, template)
    registration = template.registration
    if isinstance(registration, ArucoRegistration):
        _draw_aruco(page, registration)
    else:
        _draw_blocks(page, registration)
    _draw_qr(page, template, sheet.identity.payload())
    canvas.setStrokeColor(page.colour)
    canvas.setFillColor(page.colour)
    canvas.setLineWidth(OUTLINE_WIDTH_PT)
    _draw_print_matter(page, template, sheet)
    _draw_identification(page, template, sheet)
    _draw_answer_grid(page, template)


def write_sheets_pdf(template: SheetTemplate, sheets: Sequence[SheetToPrint], path: Path) -> None:
    """Write one page per sheet to ``path`` atomically (no half-written file is left)."""
    width_mm, height_mm = template.page_size_mm
    path = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else "."
    )
    os.close(handle)
    try:
        canvas = Canvas(temporary, pagesize=(width_mm * mm, height_mm * mm), pageCompression=1)
        canvas.setTitle(template.title)
        canvas.setCreator("omr-station")
        for sheet in sheets:
            draw_sheet(canvas, template, sheet)
            canvas.showPage()
        canvas.save()
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
