"""The print's own darkness at each point of a bubble (the outline's blur, a bi-level
scan's halftone) divided out of the ink, and whether the print shows at the ink's
threshold.
"""

from __future__ import annotations

import numpy as np

from omr.reading.marks.robust import FEWEST_TO_MEDIAN, max_last, percentile


def darkness_percentiles(
    ordered: np.ndarray, paper: np.ndarray, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """``percentile(1.0 - pixels / paper, q)`` for each of ``qs``, the same values from
    the (N, P) uint8 ``pixels`` sorted (``ordered``; darkness falls as a pixel brightens:
    the k-th darkest is the k-th brightest pixel's darkness); ``paper`` (N, 1)."""
    count = ordered.shape[-1]

    def darkness(rank: int) -> np.ndarray:
        return 1.0 - ordered[..., count - 1 - rank] / paper[..., 0]

    result = []
    for q in qs:
        position = q / 100 * (count - 1)
        low = int(position)
        below = darkness(low).astype(np.float64)
        result.append(below + (position - low) * (darkness(min(low + 1, count - 1)) - below))
    return result


# The print's own darkness at a point of a bubble (the outline's blur reaching in, on a
# bi-level scan a halftone cell further, most of the way to the interior's edge): its
# lower quartile over the bubbles of a size, a quarter of which at least are blank.
# Under print darker than PRINT_LOOK_MAX (a tenth of the light left) ink adds too little
# to be told: it is divided out only to there.
PRINT_LOOK_PERCENTILE, PRINT_LOOK_MAX = 25, 0.9
# A quartile is known to a few percent of the spread from a few hundred values: the
# print's look is taken over an even sample of at most this many bubbles of a size (a
# residency page holds a thousand; its quartile over all of them cost 5 ms a page).
PRINT_LOOK_SAMPLE = 256


def without_print_look(darkness: np.ndarray) -> np.ndarray:
    """(N, ...) darkness of the same points of N bubbles of a size → the ink's own: the
    print's look at each point (:data:`PRINT_LOOK_PERCENTILE` over the bubbles) divided
    out, ink over print letting through the product of their lights."""
    if len(darkness) < FEWEST_TO_MEDIAN:
        return darkness
    points = darkness.reshape(len(darkness), -1)
    sample = points[:: -(-len(points) // PRINT_LOOK_SAMPLE)]
    look = percentile(np.ascontiguousarray(sample.T), PRINT_LOOK_PERCENTILE)
    light = (1.0 - np.clip(look, 0.0, PRINT_LOOK_MAX)).astype(darkness.dtype)
    return (1.0 - (1.0 - points) / light).reshape(darkness.shape)


def outline_print_darkness(
    outlines: list[tuple[np.ndarray, np.ndarray]], inked: np.ndarray
) -> float:
    """How dark the printed outlines show in the ink on this page: the darkest sample
    across the outline, in the median of each size's blank bubbles, the darkest size's
    (0 where no size has a blank bubble)."""
    darkest = [
        float(np.median(max_last(darkness)[~inked[index]]))
        for index, darkness in outlines
        if (~inked[index]).any()
    ]
    return max(darkest, default=0.0)


def print_shows_at(print_darkness: float, ink_at: float) -> bool:
    """Whether print of ``print_darkness`` (:func:`outline_print_darkness`) shows in the ink
    where ink is read from ``ink_at`` (a form printed black, a gray scan of a drop-out
    sheet): it reaches half that threshold (a fill's blurred overshoot over it may add
    the rest). Where it drops out, a stroke crossing a blank neighbour's outline is ink
    on paper all the way."""
    return print_darkness >= ink_at / 2
