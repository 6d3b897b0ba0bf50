"""Pieces of the bubble measurement that stand on their own."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from omr.reading.marks import _percentile


@given(
    arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 70))),
    st.sampled_from([0.0, 25.0, 50.0, 75.0, 90.0, 100.0]),
)
def test_percentile_is_numpys(values: np.ndarray, q: float) -> None:
    assert np.allclose(_percentile(values, q), np.percentile(values, q, axis=-1))
