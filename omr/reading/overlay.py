"""Overlay: the straightened sheet with what the reader saw, for the room head and candidate.

Each state has its own colour *and* shape, so the overlay stays legible printed in gray:
filled — thick circle; crossed — circle with an X; unclear — square with a "?";
blank — thin dotted circle. The reasons are listed in a band above the sheet.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from omr.reading.pipeline import SheetReading
from omr.vocabulary.reasons import Language
from omr.vocabulary.states import MARK_STATE_RO, PAGE_STATUS_RO, MarkState

COLOURS_BGR = {
    MarkState.FILLED: (40, 160, 0),
    MarkState.CROSSED: (0, 0, 220),
    MarkState.UNCLEAR: (0, 140, 255),
    MarkState.BLANK: (150, 150, 150),
}
FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LEGEND = {
    "en": "filled: thick circle   crossed: circle + X   unclear: square + ?   blank: dotted",
    "ro": (
        f"{MARK_STATE_RO[MarkState.FILLED]}: cerc gros   {MARK_STATE_RO[MarkState.CROSSED]}: "
        f"cerc + X   {MARK_STATE_RO[MarkState.UNCLEAR]}: pătrat + ?   "
        f"{MARK_STATE_RO[MarkState.BLANK]}: punctat"
    ),
}


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT_PATH, size)
    except OSError:
        return ImageFont.load_default()


def _draw_bubble(canvas: np.ndarray, center: tuple[int, int], radius: int, state: str) -> None:
    colour = COLOURS_BGR[state]
    if state == MarkState.FILLED:
        cv2.circle(canvas, center, radius + 3, colour, 3, cv2.LINE_AA)
    elif state == MarkState.CROSSED:
        cv2.circle(canvas, center, radius + 3, colour, 2, cv2.LINE_AA)
        reach = radius + 4
        x, y = center
        cv2.line(canvas, (x - reach, y - reach), (x + reach, y + reach), colour, 3, cv2.LINE_AA)
        cv2.line(canvas, (x - reach, y + reach), (x + reach, y - reach), colour, 3, cv2.LINE_AA)
    elif state == MarkState.UNCLEAR:
        x, y = center
        side = radius + 5
        cv2.rectangle(canvas, (x - side, y - side), (x + side, y + side), colour, 3)
        cv2.putText(
            canvas,
            "?",
            (x + side + 2, y + radius),
            cv2.FONT_HERSHEY_SIMPLEX,
            radius / 10,
            colour,
            2,
            cv2.LINE_AA,
        )
    else:
        for angle in range(0, 360, 45):
            theta = np.radians(angle)
            point = (
                int(center[0] + (radius + 2) * np.cos(theta)),
                int(center[1] + (radius + 2) * np.sin(theta)),
            )
            cv2.circle(canvas, point, 1, colour, -1)


def caption(reading: SheetReading, name: str | None = None, language: Language = "en") -> list[str]:
    """The lines printed above an overlay: which scan, what was read, why it is doubted
    (in English for the CLI, in Romanian for the station's people)."""
    where = f"{name or reading.source.path} p.{reading.source.page}"
    candidate, variant = reading.candidate or "—", reading.variant or "—"
    problems = (*reading.reasons, *reading.warnings)
    if language == "ro":
        status = PAGE_STATUS_RO[reading.status]
        first = f"{where}  stare: {status}  candidat: {candidate}  varianta: {variant}"
        return [first, LEGEND["ro"], *(p.message_ro for p in problems)]
    first = f"{where}  status: {reading.status}  candidate: {candidate}  variant: {variant}"
    return [first, LEGEND["en"], *(f"[{p.code}] {p.message}" for p in problems)]


def render_overlay(
    reading: SheetReading,
    radius_mm: float = 2.5,
    *,
    name: str | None = None,
    language: Language = "en",
) -> np.ndarray | None:
    """The overlay of a read page as a (H, W, 3) BGR image; ``None`` when not registered.

    ``name`` is the scan's name as the room head knows it (default: the path read);
    ``language`` that of the caption above the sheet.
    """
    page = reading.page
    if page is None:
        return None
    canvas = page.straightened()
    if canvas.ndim == 2:
        canvas = cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)
    canvas = cv2.addWeighted(canvas, 0.6, np.full_like(canvas, 255), 0.4, 0)
    for bubble in reading.bubbles:
        x, y = (int(round(v)) for v in bubble["center_px"])
        _draw_bubble(canvas, (x, y), int(radius_mm * page.px_per_mm * 0.9), bubble["state"])
    lines = caption(reading, name, language)
    size = max(14, int(page.px_per_mm * 2.2))
    band = Image.new("RGB", (canvas.shape[1], (len(lines) + 1) * int(size * 1.35)), "white")
    draw = ImageDraw.Draw(band)
    font = _font(size)
    for index, line in enumerate(lines):
        draw.text((10, 6 + index * int(size * 1.35)), line[:160], fill=(0, 0, 0), font=font)
    header = cv2.cvtColor(np.asarray(band), cv2.COLOR_RGB2BGR)
    return np.vstack([header, canvas])
