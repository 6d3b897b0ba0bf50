"""Pieces of the bubble measurement that stand on their own."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from omr.reading.marks import (
    REACH_RADII,
    _max_last,
    _mean_last,
    _percentile,
    _reached,
    _sum_last,
    _widened,
    _widening,
)


@given(
    arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 70))),
    st.sampled_from([0.0, 25.0, 50.0, 75.0, 90.0, 100.0]),
)
def test_percentile_is_numpys(values: np.ndarray, q: float) -> None:
    assert np.allclose(_percentile(values, q), np.percentile(values, q, axis=-1))


@given(
    arrays(
        st.sampled_from([np.float32, np.float64]),
        st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(1, 15)),
        elements=st.floats(-1e3, 1e3, width=32),
    )
)
def test_short_rows_add_up_as_numpy_does(values: np.ndarray) -> None:
    # Bit for bit: the readings must not move.
    assert np.array_equal(_sum_last(values), values.sum(-1))
    assert np.array_equal(_mean_last(values), values.mean(-1))
    assert np.array_equal(_max_last(values), values.max(-1))
    assert _mean_last(values).dtype == values.mean(-1).dtype


@given(arrays(np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(1, 15))))
def test_short_rows_of_bytes_average_as_numpy_does(values: np.ndarray) -> None:
    assert np.array_equal(_mean_last(values, np.float64), values.mean(-1))


@given(arrays(bool, st.tuples(st.integers(1, 5), st.just(15), st.integers(1, 9))))
def test_reach_is_the_first_run_of_ink(inked: np.ndarray) -> None:
    steps = np.where(inked.all(1), inked.shape[1], inked.argmin(1))
    radii = np.asarray(REACH_RADII)[steps - 1]
    assert np.array_equal(_reached(inked), np.where(steps > 0, radii, 0.0))


@given(arrays(bool, st.tuples(st.integers(1, 4), st.just(15), st.just(96))))
def test_widened_is_each_radius_dilated_round_the_circle(inked: np.ndarray) -> None:
    directions = np.arange(96)
    expected = np.zeros_like(inked)
    for radius, width in enumerate(_widening()):
        for shift in range(-width, width + 1):
            expected[:, radius] |= inked[:, radius, (directions + shift) % 96]
    assert np.array_equal(_widened(inked), expected)
