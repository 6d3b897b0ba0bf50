"""Filled discs: the registration marks Auto Multiple Choice prints in a page's corners.

A blob is a disc when it is round (its minimum-area box's sides equal to
``ROUND_TOLERANCE``), fills about π/4 of that box (``DISC_FILL``) and most of its
enclosing circle (``MIN_CIRCLE_FILL``), and is solid inside (``MIN_SOLID``). A solid
square fills its box, an L a third of it; a bullseye's outline is a disc, but its rings
leave it hollow. The measurer and the reader test alike.
"""

from __future__ import annotations

import cv2
import numpy as np

# A disc fills π/4 ≈ 0.785 of its box. The pixel grid's steps let the minimum-area box
# turn 45° across them and shrink, and cut the contour's diagonal steps off its
# corners: 0.77–0.89 measured on discs of 3.5–10 mm rendered at 100–300 dpi and blurred
# by up to 1.5 px (the most on the smallest, 14 px across). A solid block fills 0.94 of
# its box or more on those renders, an L a third.
DISC_FILL = (0.74, 0.9)
# On those renders a disc fills 0.875 of its enclosing circle or more; a square 2/π ≈
# 0.64 of it, 0.79 when blurred at 14 px across (its corners rounded): half-way.
MIN_CIRCLE_FILL = 0.83
# Those discs' boxes have sides equal to 8 %; a filled ellipse (an answer 6 × 3.6 mm)
# differs by 40 %.
ROUND_TOLERANCE = 0.1
# Print covers 0.9 of the outline or more: a bullseye's rings (three dark of five, by
# radius) cover 0.6 of theirs.
MIN_SOLID = 0.9


def is_disc(blob: np.ndarray, mask: np.ndarray) -> bool:
    """Whether the outer contour ``blob`` of the print ``mask`` (H, W, nonzero where
    printed; the contour in its coordinates) is a filled disc."""
    width, height = cv2.minAreaRect(blob)[1]
    if min(width, height) < 1 or abs(width - height) > ROUND_TOLERANCE * max(width, height):
        return False
    area = cv2.contourArea(blob)
    if not DISC_FILL[0] <= area / (width * height) < DISC_FILL[1]:
        return False
    if area < MIN_CIRCLE_FILL * np.pi * cv2.minEnclosingCircle(blob)[1] ** 2:
        return False
    x, y, w, h = cv2.boundingRect(blob)
    inside = np.zeros((h, w), np.uint8)
    cv2.drawContours(inside, [blob - np.array([x, y])], -1, 255, -1)
    inked = cv2.countNonZero(cv2.bitwise_and(inside, mask[y : y + h, x : x + w]))
    return inked >= MIN_SOLID * cv2.countNonZero(inside)
