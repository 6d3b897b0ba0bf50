"""The filled-disc test (:func:`omr.sheet.discs.is_disc`) on marks rendered at 100–300
dpi and blurred: discs pass; squares, bullseyes, L marks and filled ellipses do not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omr.sheet.discs import is_disc

SUPERSAMPLE = 8


def _rendered(mark: str, size_mm: float, dpi: int, blur: float) -> np.ndarray:
    """(H, W) uint8: ``mark`` of ``size_mm`` drawn black on white, antialiased, blurred
    (a bullseye's five rings and an L's arms a tenth and a sixth of ``size_mm`` wide)."""
    ppm = dpi / 25.4 * SUPERSAMPLE
    side = int((size_mm + 4) * ppm)
    image = np.full((side, side), 255, np.uint8)
    centre, half = side // 2, int(size_mm * ppm / 2)
    x0, x1 = centre - half, centre + half
    if mark == "disc":
        cv2.circle(image, (centre, centre), half, 0, -1, cv2.LINE_AA)
    elif mark == "ellipse":
        cv2.ellipse(image, (centre, centre), (half, int(half * 0.6)), 0, 0, 360, 0, -1)
    elif mark == "square":
        cv2.rectangle(image, (x0, x0), (x1, x1), 0, -1)
    elif mark == "rings":
        for share, dark in zip((1.0, 0.8, 0.6, 0.4, 0.2), (0, 255, 0, 255, 0), strict=True):
            cv2.circle(image, (centre, centre), int(half * share), dark, -1, cv2.LINE_AA)
    else:
        arm = (x1 - x0) // 6
        cv2.rectangle(image, (x0, x0), (x1, x0 + arm), 0, -1)
        cv2.rectangle(image, (x0, x0), (x0 + arm, x1), 0, -1)
    small = cv2.resize(image, (side // SUPERSAMPLE,) * 2, interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(small, (0, 0), blur) if blur else small


@pytest.mark.parametrize("blur", [0.0, 0.8, 1.5])
@pytest.mark.parametrize("dpi", [100, 150, 200, 300])
@pytest.mark.parametrize("size_mm", [3.5, 5.0, 8.0, 10.0])
@pytest.mark.parametrize("mark", ["disc", "square", "rings", "corner", "ellipse"])
def test_only_filled_discs_are_discs(mark: str, size_mm: float, dpi: int, blur: float) -> None:
    if mark == "rings" and size_mm < 10:
        pytest.skip("rings under 1 mm wide a blur merges into a disc: bullseyes print 10 mm")
    image = _rendered(mark, size_mm, dpi, blur)
    _, dark = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    blob = max(contours, key=cv2.contourArea)
    assert is_disc(blob, dark) == (mark == "disc")
