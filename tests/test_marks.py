"""Pieces of the bubble measurement that stand on their own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from omr.reading.marks import (
    REACH_RADII,
    RIM_DIRECTIONS,
    RIM_TEXTURE_SHARE,
    _max_last,
    _mean_last,
    _paper_stretches,
    _percentile,
    _reached,
    _sum_last,
    _widened,
    _widening,
    ink_levels,
)
from omr.sheet.calibration import Calibration


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


INK_AT = 0.4  # a pen of 0.8
PAPER, TEXTURE, INK = 0.05, (RIM_TEXTURE_SHARE + 1) / 2 * INK_AT, 0.8
# tune-h typical rez-056 140E, a fill set off to the left of its circle: the crescent
# of paper on its right holds one sample of the fill's edge (0.32, under its 0.37 ink).
OFFSET_FILL = (
    [0.21, 0.24, 0.28, 0.5, 0.52, 0.58, 0.59, 0.61, 0.65, 0.69, 0.72, 0.72, 0.71, 0.71]
    + [0.71, 0.74, 0.74, 0.71, 0.7, 0.7, 0.67, 0.7, 0.68, 0.7, 0.71, 0.68, 0.66, 0.67]
    + [0.66, 0.65, 0.66, 0.68, 0.64, 0.64, 0.61, 0.62, 0.62, 0.63, 0.65, 0.66, 0.48]
    + [0.41, 0.29, 0.26, 0.21, 0.32, 0.15, 0.18]
)


def _rim(*marks: tuple[int, int, float], ground: float = PAPER) -> np.ndarray:
    """A rim's darkness going round: ``ground``, with (first, count, darkness) runs of
    directions (wrapping round)."""
    rim = np.full(RIM_DIRECTIONS, ground)
    for first, count, darkness in marks:
        rim[np.arange(first, first + count) % RIM_DIRECTIONS] = darkness
    return rim


ARMS = [(first, 2, INK) for first in (5, 17, 29, 41)]


@pytest.mark.parametrize(
    ("rim", "ink_at", "stretches"),
    [
        pytest.param(np.array(OFFSET_FILL), 0.372, 1, id="an offset fill's crescent"),
        pytest.param(_rim(*ARMS), INK_AT, 4, id="an X over an empty circle"),
        pytest.param(_rim(*[(first, 1, INK) for first, _, _ in ARMS]), INK_AT, 4, id="thin X"),
        pytest.param(_rim(), INK_AT, 1, id="paper all round"),
        pytest.param(_rim(ground=INK), INK_AT, 0, id="a fill all round"),
        pytest.param(_rim((0, 20, PAPER), ground=TEXTURE), INK_AT, 1, id="a pencil fill"),
        pytest.param(
            _rim((0, 20, INK), (6, 1, PAPER), (14, 4, PAPER), ground=PAPER),
            INK_AT,
            2,
            id="a notch of one direction is no paper",
        ),
        pytest.param(
            _rim((40, 16, PAPER), (46, 1, TEXTURE), ground=INK),
            INK_AT,
            1,
            id="the fill's texture inside a missed side, across direction 0",
        ),
        pytest.param(
            _rim((40, 16, PAPER), (46, 1, INK), ground=INK),
            INK_AT,
            2,
            id="a stroke of the pen across the missed side",
        ),
    ],
)
def test_only_ink_separates_stretches_of_paper(
    rim: np.ndarray, ink_at: float, stretches: int
) -> None:
    assert _paper_stretches(rim[None], ink_at).tolist() == [stretches]


@given(
    arrays(np.float64, RIM_DIRECTIONS, elements=st.sampled_from([PAPER, TEXTURE, INK])),
    st.integers(0, RIM_DIRECTIONS - 1),
)
def test_stretches_of_paper_do_not_depend_on_where_the_rim_starts(
    rim: np.ndarray, turn: int
) -> None:
    counted = _paper_stretches(np.stack([rim, np.roll(rim, turn)]), INK_AT)
    assert counted[0] == counted[1]


@given(arrays(np.float64, RIM_DIRECTIONS, elements=st.sampled_from([PAPER, INK])))
def test_without_texture_a_stretch_is_three_directions_of_paper_and_more(rim: np.ndarray) -> None:
    paper = rim < INK_AT
    runs = paper & np.roll(paper, -1) & np.roll(paper, -2)  # three in a row start here
    expected = 1 if paper.all() else int((runs & ~np.roll(runs, 1)).sum())
    assert _paper_stretches(rim[None], INK_AT).tolist() == [expected]


@pytest.mark.parametrize("spread", [0.01, 0.03])
def test_the_pens_spread_is_how_evenly_the_page_is_filled(spread: float) -> None:
    """The marked bubbles' tones spread round the pen as the hand fills: measured on the
    lighter half, so that strokes drawn over fills (a pass darker, one mark in five here)
    leave it the hand's."""
    rng = np.random.default_rng(1)
    tone = np.r_[rng.normal(0.7, spread, 120), np.full(30, 0.85), rng.normal(0.03, 0.005, 300)]
    darkness = np.r_[np.full(150, 0.6), np.full(300, 0.01)]
    levels = ink_levels(darkness, tone, np.full(tone.size, 0.05), Calibration())
    assert levels.measured
    assert levels.pen == pytest.approx(0.7, abs=0.03)
    assert 0.75 * spread <= levels.pen_spread <= 1.5 * spread
