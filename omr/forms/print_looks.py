"""The blank page's look of each printed label, measured on a rendered form for its
template's ``print.looks_inside``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import cv2
import numpy as np

from omr.sheet.print_look import encoded, pixels_of
from omr.sheet.template import Bubble

# 10 px/mm: a 0.1 mm pixel, finer than the reader's (0.125 mm), so that a stroke's place
# survives resampling to it; a 5 mm bubble's look is 50 × 50 characters.
LOOK_PX_PER_MM = 10.0
# Most of a form is paper: its bright end (99th percentile) is the paper's tone.
PAPER_PERCENTILE = 99


def _box(gray: np.ndarray, px_per_mm: float, centre: tuple, size: tuple) -> np.ndarray:
    """The bubble's box (``size`` mm, centred on ``centre`` mm) resampled from ``gray``
    (at ``px_per_mm``) to ``LOOK_PX_PER_MM``, float32."""
    rows, columns = pixels_of(size, LOOK_PX_PER_MM)
    scale = px_per_mm / LOOK_PX_PER_MM
    # Look pixel (j, i) has its centre at (j + 0.5) / LOOK px from the box's corner.
    x0 = (centre[0] - size[0] / 2) * px_per_mm + scale / 2 - 0.5
    y0 = (centre[1] - size[1] / 2) * px_per_mm + scale / 2 - 0.5
    matrix = np.array([[scale, 0, x0], [0, scale, y0]], np.float32)
    return cv2.warpAffine(
        gray.astype(np.float32),
        matrix,
        (columns, rows),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def print_looks(gray: np.ndarray, px_per_mm: float, bubbles: Iterable[Bubble]) -> dict:
    """``print.looks_inside`` of ``bubbles`` on the blank page ``gray`` (H, W) uint8 at
    ``px_per_mm``: per label and bubble size, the median of their boxes (one bubble
    touched by other print does not change it), as darkness below the page's paper."""
    paper = max(float(np.percentile(gray, PAPER_PERCENTILE)), 1.0)
    places: dict[tuple[str, tuple[float, float]], list] = defaultdict(list)
    for bubble in bubbles:
        places[(bubble.option, bubble.size_mm)].append(bubble.center_mm)
    looks = []
    for (label, size), centres in places.items():
        boxes = np.stack([_box(gray, px_per_mm, centre, size) for centre in centres])
        darkness = 1.0 - np.median(boxes, axis=0) / paper
        looks.append({"label": label, "size_mm": list(size), "darkness": encoded(darkness)})
    return {"px_per_mm": LOOK_PX_PER_MM, "looks": looks}
