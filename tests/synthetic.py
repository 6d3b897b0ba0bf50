"""Synthetic filled sheets for the reader's tests: render, mark like a candidate, turn."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from omr.generate import SheetToPrint, write_sheets_pdf
from omr.sheet_identity import make_identity
from omr.template import SheetTemplate

BLUE_BGR = (170, 60, 20)
BLACK_BGR = (25, 25, 25)


def render_sheet(
    template: SheetTemplate,
    dpi: int = 200,
    *,
    serial: int = 1,
    variant: str | None = None,
    exam: str = "EXAM",
    candidate: str | None = None,
    secret: bytes | None = None,
) -> np.ndarray:
    """A printed sheet as a (H, W, 3) BGR image at ``dpi``."""
    identity = make_identity(
        template=template.id,
        template_version=template.version,
        exam=exam,
        serial=serial,
        variant=variant,
        candidate=candidate,
        secret=secret,
    )
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "sheet.pdf"
        write_sheets_pdf(template, [SheetToPrint(identity)], pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(Path(folder) / "p")], check=True
        )
        (png,) = Path(folder).glob("p*.png")
        return cv2.imread(str(png), cv2.IMREAD_COLOR)


def _center_px(
    template: SheetTemplate, field: str, question: int | None, option: str, dpi: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    scale = dpi / 25.4
    for bubble in template.bubbles():
        if (bubble.field, bubble.question, bubble.option) == (field, question, option):
            center = (
                int(round(bubble.center_mm[0] * scale)),
                int(round(bubble.center_mm[1] * scale)),
            )
            axes = (int(bubble.size_mm[0] * scale / 2), int(bubble.size_mm[1] * scale / 2))
            return center, axes
    raise KeyError((field, question, option))


def fill(
    image: np.ndarray,
    template: SheetTemplate,
    question: int | None,
    option: str,
    *,
    dpi: int = 200,
    field: str = "answers",
    colour=BLUE_BGR,
    coverage: float = 1.0,
) -> None:
    """Fill a bubble (``coverage`` < 1 leaves the top of the bubble empty)."""
    center, axes = _center_px(template, field, question, option, dpi)
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.ellipse(mask, center, (axes[0] + 1, axes[1] + 1), 0, 0, 360, 255, -1)
    if coverage < 1.0:
        cut = int(center[1] + axes[1] - 2 * axes[1] * coverage)
        mask[: max(0, cut)] = 0
    image[mask > 0] = colour


def cross(
    image: np.ndarray,
    template: SheetTemplate,
    question: int,
    option: str,
    *,
    dpi: int = 200,
    colour=BLUE_BGR,
    reach: float = 1.8,
) -> None:
    """Draw an X over a bubble whose arms leave it along the diagonals."""
    (x, y), (ax, ay) = _center_px(template, "answers", question, option, dpi)
    dx, dy = int(ax * reach * 0.71), int(ay * reach * 0.71)
    thickness = max(2, int(dpi / 25.4 * 0.5))
    cv2.line(image, (x - dx, y - dy), (x + dx, y + dy), colour, thickness)
    cv2.line(image, (x - dx, y + dy), (x + dx, y - dy), colour, thickness)


def turn(image: np.ndarray, quarter_turns: int = 0, skew_deg: float = 0.0) -> np.ndarray:
    """Rotate by quarter turns, then skew by a small angle onto a white page."""
    turned = np.rot90(image, quarter_turns).copy()
    if skew_deg == 0.0:
        return turned
    height, width = turned.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), skew_deg, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    return cv2.warpAffine(turned, matrix, (new_w, new_h), borderValue=(255, 255, 255))
