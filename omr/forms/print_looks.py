"""The blank page's look of each printed label, measured on a rendered form or on scans of
it for a template's ``print.looks_inside``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import cv2
import numpy as np
from pydantic import ValidationError

from omr.sheet.print_look import encoded, pixels_of
from omr.sheet.template import Bubble, SheetTemplate

# 10 px/mm: a 0.1 mm pixel, finer than the reader's (0.125 mm), so that a stroke's place
# survives resampling to it; a 5 mm bubble's look is 50 × 50 characters.
LOOK_PX_PER_MM = 10.0
# A bubble's box holds paper in its corners outside the outline (a fifth of it) and
# around the label: its bright end (95th percentile) is the paper's tone there.
PAPER_PERCENTILE = 95
# On a scan a bubble lies up to 0.8 mm from where the template puts it (the reader's own
# outline search): each box is moved onto the others' median within that.
SEARCH_MM = 0.8
# A rendered form prints every bubble of a label alike: their median. Scans hold a
# candidate's ink: a quarter of a label's bubbles across them blank, the lightest quarter,
# measured on four boxes or more (fewer would give a candidate's fill as the look).
RENDERED, SCANNED = 50, 75
MIN_SCANNED_BOXES = 4


def _box(gray: np.ndarray, px_per_mm: float, centre: tuple, size: tuple, margin: int) -> np.ndarray:
    """The bubble's box (``size`` mm, centred on ``centre`` mm) grown by ``margin`` px on
    every side, resampled from ``gray`` (at ``px_per_mm``) to ``LOOK_PX_PER_MM``."""
    rows, columns = pixels_of(size, LOOK_PX_PER_MM)
    scale = px_per_mm / LOOK_PX_PER_MM
    # Look pixel (j, i) has its centre at (j + 0.5) / LOOK px from the box's corner.
    x0 = (centre[0] - size[0] / 2 - margin / LOOK_PX_PER_MM) * px_per_mm + scale / 2 - 0.5
    y0 = (centre[1] - size[1] / 2 - margin / LOOK_PX_PER_MM) * px_per_mm + scale / 2 - 0.5
    matrix = np.array([[scale, 0, x0], [0, scale, y0]], np.float32)
    return cv2.warpAffine(
        gray,
        matrix,
        (columns + 2 * margin, rows + 2 * margin),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _aligned_boxes(wide: list[np.ndarray], margin: int) -> np.ndarray:
    """(K, H, W) the boxes, each moved within ``margin`` px onto the median of them all
    (``wide``: each box grown by ``margin`` on every side), divided by its own paper."""
    inner = np.stack([box[margin:-margin, margin:-margin] for box in wide])
    typical = np.median(inner, axis=0).astype(np.float32)
    boxes = []
    for box in wide:
        scores = cv2.matchTemplate(box, typical, cv2.TM_SQDIFF)
        _, _, (x, y), _ = cv2.minMaxLoc(scores)
        window = box[y : y + typical.shape[0], x : x + typical.shape[1]]
        boxes.append(window / max(float(np.percentile(window, PAPER_PERCENTILE)), 1.0))
    return np.stack(boxes)


def print_looks(
    pages: Sequence[np.ndarray], px_per_mm: float, bubbles: Iterable[Bubble], percentile: float
) -> dict:
    """``print.looks_inside`` of ``bubbles`` on ``pages`` (H, W) gray, straightened to the
    template's mm at ``px_per_mm``: per label and bubble size, the ``percentile`` of its
    boxes on every page (``RENDERED``, ``SCANNED``), as darkness below their paper. Scans
    give no look of a label with fewer than ``MIN_SCANNED_BOXES`` boxes on them."""
    margin = int(np.ceil(SEARCH_MM * LOOK_PX_PER_MM))
    places: dict[tuple[str, tuple[float, float]], list] = defaultdict(list)
    for bubble in bubbles:
        places[(bubble.option, bubble.size_mm)].append(bubble.center_mm)
    looks = []
    pages = [page.astype(np.float32) for page in pages]  # once, not for every box
    for (label, size), centres in places.items():
        if percentile == SCANNED and len(pages) * len(centres) < MIN_SCANNED_BOXES:
            continue
        boxes = _aligned_boxes(
            [_box(page, px_per_mm, centre, size, margin) for page in pages for centre in centres],
            margin,
        )
        darkness = 1.0 - np.percentile(boxes, percentile, axis=0)
        looks.append({"label": label, "size_mm": list(size), "darkness": encoded(darkness)})
    return {"px_per_mm": LOOK_PX_PER_MM, "looks": looks}


def store_looks(
    data: dict, pages: Sequence[np.ndarray], px_per_mm: float, percentile: float
) -> bool:
    """Measure ``print.looks_inside`` of the template ``data`` on ``pages`` (see
    :func:`print_looks`) into it; False, leaving it, when ``data`` is no template (writing
    it says why)."""
    try:
        bubbles = SheetTemplate.model_validate(data).all_bubbles
    except ValidationError:
        return False
    data["print"]["looks_inside"] = print_looks(pages, px_per_mm, bubbles, percentile)
    return True
