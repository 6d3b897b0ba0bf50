"""The page straightened into template space, where every stage after registration works."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from omr.template import Box, SheetTemplate

PX_PER_MM = 8.0


@dataclass(frozen=True)
class TemplatePage:
    """A page warped into template space.

    ``gray`` is (H, W) uint8 where printed outlines are visible (for locating);
    ``ink`` is (H, W) uint8 where a drop-out print colour vanishes on colour scans (the
    red channel), equal to ``gray`` on grayscale scans; ``colour`` is (H, W, 3) BGR uint8
    or ``None`` for grayscale scans. Pixel (row, col) = (y_mm, x_mm) × ``px_per_mm``.
    """

    gray: np.ndarray
    ink: np.ndarray
    colour: np.ndarray | None
    px_per_mm: float

    def to_px(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        return x_mm * self.px_per_mm, y_mm * self.px_per_mm

    def crop(self, box: Box, image: np.ndarray | None = None) -> np.ndarray:
        """The pixels of a template box (mm), from ``image`` or ``gray``."""
        source = self.gray if image is None else image
        x0 = max(0, int(round(box.origin_mm[0] * self.px_per_mm)))
        y0 = max(0, int(round(box.origin_mm[1] * self.px_per_mm)))
        x1 = min(source.shape[1], int(round(box.right * self.px_per_mm)))
        y1 = min(source.shape[0], int(round(box.bottom * self.px_per_mm)))
        return source[y0:y1, x0:x1]


def warp_to_template(
    image: np.ndarray,
    homography: np.ndarray,
    template: SheetTemplate,
    px_per_mm: float = PX_PER_MM,
) -> TemplatePage:
    """Straighten a page into template space.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The scanned page (BGR when colour).
    homography : (3, 3) ndarray
        Template mm → image px.
    """
    width_mm, height_mm = template.page_size_mm
    size = (int(round(width_mm * px_per_mm)), int(round(height_mm * px_per_mm)))
    to_image = homography @ np.diag([1.0 / px_per_mm, 1.0 / px_per_mm, 1.0])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    warped = cv2.warpPerspective(
        image,
        to_image,
        size,
        flags=flags,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )
    if warped.ndim == 2:
        return TemplatePage(warped, warped, None, px_per_mm)
    gray = cv2.cvtColor(warped, cv2.COLOR_BGR2GRAY)
    return TemplatePage(gray, np.ascontiguousarray(warped[..., 2]), warped, px_per_mm)
