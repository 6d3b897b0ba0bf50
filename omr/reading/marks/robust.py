"""Statistics of a page's bubbles that a few odd ones do not move: medians, deviations
from the median (of a page's groups of bubbles too), and percentiles, sums, means and
maxima over the last axis of sample arrays; flags a measure made by hand leaves out
(:func:`flags_given`).
"""

from __future__ import annotations

from functools import reduce

import numpy as np

from omr.reading.normal import MAD_TO_SIGMA

# A page's level is the median of its bubbles' own: of three, one odd bubble (a smudge
# among blanks, a tick among fills) leaves it on the other two; fewer measure nothing.
FEWEST_TO_MEDIAN = 3
# Four deviations past its middle, a normal spread holds one value in thirty thousand: none
# of a page's few hundred bubbles. Within two lie 98 of a hundred: as plain as the
# page's own fills.
SPREAD_DEVIATIONS, PLAIN_DEVIATIONS = 4, 2


def spread_about(values: np.ndarray, middle: float = 0.0) -> float:
    """The standard deviation of normally spread ``values`` about their ``middle``, read
    off their median absolute deviation (``MAD_TO_SIGMA``): the few odd ones among them
    do not inflate it."""
    return MAD_TO_SIGMA * float(np.median(np.abs(values - middle)))


def spread_out_by_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(N,) for each of ``values`` (N,), where its group (``groups`` (N,) ints from 0, no
    number left out) stands out from: the group's median and ``SPREAD_DEVIATIONS`` of its
    spread (:func:`spread_about`); -inf in a group of fewer than ``FEWEST_TO_MEDIAN``."""
    values = values.astype(np.float64)
    counts = np.bincount(groups)
    middle = _medians_by_group(values, groups, counts)[groups]
    spread = MAD_TO_SIGMA * _medians_by_group(np.abs(values - middle), groups, counts)[groups]
    return np.where(
        counts[groups] >= FEWEST_TO_MEDIAN, middle + SPREAD_DEVIATIONS * spread, -np.inf
    )


def _medians_by_group(values: np.ndarray, groups: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(G,) the median of ``values`` (N,) in each group (``groups`` (N,), ``counts`` (G,)
    members each), all at once: sorted by group, then value, each group's middle one or
    two."""
    ranked = values[np.lexsort((values, groups))]
    starts = np.cumsum(counts) - counts
    return (ranked[starts + (counts - 1) // 2] + ranked[starts + counts // 2]) / 2


def percentile(values: np.ndarray, q: float) -> np.ndarray:
    """``np.percentile(values, q, axis=-1)`` (linear) from a partial sort: the same values
    in a fraction of the time on the small rows measured here."""
    count = values.shape[-1]
    position = q / 100 * (count - 1)
    low = int(position)
    high = min(low + 1, count - 1)
    ordered = np.partition(values, (low, high), axis=-1)
    below = ordered[..., low].astype(np.float64)
    return below + (position - low) * (ordered[..., high] - below)


def sum_last(values: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """``values.sum(-1, dtype=dtype)`` over a last axis of under 16 values, the same
    values without NumPy's cost per row: its pairwise summation adds fewer than 8 values
    in order, and 8 to 15 in eight running sums, paired off, then the rest in order."""
    count = values.shape[-1]
    assert count < 16, "longer rows are summed by NumPy in blocks"
    parts = [
        values[..., k] if dtype is None else values[..., k].astype(dtype) for k in range(count)
    ]
    if count < 8:
        return reduce(np.add, parts)
    pairs = [parts[k] + parts[k + 1] for k in range(0, 8, 2)]
    return reduce(np.add, parts[8:], (pairs[0] + pairs[1]) + (pairs[2] + pairs[3]))


def mean_last(values: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """``values.mean(-1, dtype=dtype)`` over a last axis of under 16 values (a uint8
    ``values``: ``dtype`` float64, as NumPy takes), the same values (:func:`sum_last`)."""
    return sum_last(values, dtype) / values.shape[-1]


def max_last(values: np.ndarray) -> np.ndarray:
    """``values.max(-1)`` over a short last axis, without NumPy's cost per row."""
    return reduce(np.maximum, (values[..., k] for k in range(values.shape[-1])))


def flags_given(flags: np.ndarray | None, count: int) -> np.ndarray:
    """(count,) bool: ``flags``, or none set where a measure made by hand left them out."""
    return np.zeros(count, bool) if flags is None else flags.astype(bool)
