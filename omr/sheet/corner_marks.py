"""L-shaped corner marks: two solid bars meeting at one corner of their box.

Forms printed by others often mark their corners with an L (a bar along the top and
one down the side, meeting at the page's corner). A blob is an L when, turned so that
its emptiest quarter lies bottom-right, it is the union of a band along the top of its
box and a band down its left side, each at most ``MAX_ARM_SHARE`` of the box thick: the
model built from the blob's own arm thicknesses covers the blob, and the blob the model,
to ``MIN_OVERLAP`` (intersection over union). A solid square, a bullseye, a bubble or a
word is none. The printing's own tests and the reader's find them alike.
"""

from __future__ import annotations

import cv2
import numpy as np

# An arm is at least a twelfth of its box thick (thinner, the L is a line's corner: a
# table's rule or a box's border, 0.2–0.5 mm on boxes of 10 mm and more) and at most 0.45
# of it (thicker, the box is nearly solid: a block); blob and model overlap by 80 % (the
# edges of a scan's blob, a skew of a few degrees). A blob under 4 px a side has no
# quarter of two pixels to tell its empty one by.
MIN_ARM_SHARE, MAX_ARM_SHARE, MIN_OVERLAP = 1 / 12, 0.45, 0.8
MIN_SIDE_PX = 4


def _quarter_fills(mask: np.ndarray) -> np.ndarray:
    """The inked share of the (top-left, top-right, bottom-right, bottom-left) quarters."""
    h, w = mask.shape
    quarters = [mask[: h // 2, : w // 2], mask[: h // 2, w - w // 2 :]]
    quarters += [mask[h - h // 2 :, w - w // 2 :], mask[h - h // 2 :, : w // 2]]
    return np.array([q.mean() if q.size else 0.0 for q in quarters])


def l_vertex(mask: np.ndarray) -> int | None:
    """Where the bars of the L ``mask`` (H, W) bool (a blob filling its bounding box's
    sides) meet: 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left; None when the
    blob is no L."""
    if min(mask.shape) < MIN_SIDE_PX:
        return None
    empty = int(_quarter_fills(mask).argmin())
    vertex = (empty + 2) % 4
    # Turned so that the vertex lies top-left (np.rot90 turns counter-clockwise).
    upright = np.rot90(mask, k=vertex)
    h, w = upright.shape
    top = float(upright[:, w // 2 :].sum(axis=0).mean()) / h  # the top arm's thickness
    left = float(upright[h // 2 :, :].sum(axis=1).mean()) / w  # the left arm's
    if not (MIN_ARM_SHARE <= top <= MAX_ARM_SHARE and MIN_ARM_SHARE <= left <= MAX_ARM_SHARE):
        return None
    rows, cols = np.mgrid[:h, :w]
    model = (rows < top * h) | (cols < left * w)
    overlap = (model & upright).sum() / max(1, (model | upright).sum())
    return vertex if overlap >= MIN_OVERLAP else None


def is_l(contour: np.ndarray) -> bool:
    """Whether the outer ``contour`` (an OpenCV contour) is an L-shaped corner mark."""
    x, y, w, h = cv2.boundingRect(contour)
    mask = np.zeros((h, w), np.uint8)
    cv2.drawContours(mask, [contour - (x, y)], -1, 1, -1)
    return l_vertex(mask.astype(bool)) is not None
