"""Traced outlines (omr.reading.marks.rings)."""

from __future__ import annotations

import numpy as np
import pytest

from omr.reading.marks.records import InkLevels
from omr.reading.marks.rings import rings
from omr.reading.marks.sampling import RIM_DIRECTIONS

# A gray print across the outline, inside to outside (its line at 1.0 radii, blurred),
# as a specialisation sheet scanned in gray shows it.
PRINT = np.array([0.02, 0.26, 0.49, 0.23, 0.02])
# A page whose fills measured a ballpoint's tone: a fill's passes laid over each other.
LEVELS = InkLevels(pen=0.69, ink_at=0.34, smudge_at=0.1, stroke_at=0.22)
BUBBLES = 40


# How much of one pass each sample across holds: its line centred on the print's, as
# blurred as the print's own.
PASS_COVER = np.array([0.1, 0.5, 1.0, 0.5, 0.1])


def _one_pass_over(darkness: np.ndarray, pass_darkness: float) -> np.ndarray:
    """``darkness`` across the outline with one pass of a pen ``pass_darkness`` dark over
    the printed line: each layer lets its share of the light through."""
    return 1 - (1 - darkness) * (1 - pass_darkness * PASS_COVER)


def _rings(pass_darkness: float, noise: float = 0.01, seed: int = 0) -> tuple[float, float]:
    """Of a page of blank bubbles (the print and the scan's noise), bubble 0 traced with
    one pass ``pass_darkness`` dark: its traced share and the largest of the others'."""
    rng = np.random.default_rng(seed)
    darkness = PRINT + rng.normal(0, noise, (BUBBLES, RIM_DIRECTIONS, PRINT.size))
    darkness[0] = _one_pass_over(darkness[0], pass_darkness)
    ring, _, _ = rings(
        [(np.arange(BUBBLES), darkness)], [0], np.zeros(BUBBLES), BUBBLES, LEVELS, 0.15, 0.35
    )
    return float(ring[0]), float(ring[1:].max())


@pytest.mark.parametrize("pass_darkness", [0.3, 0.4, 0.45])
def test_one_pass_of_the_pen_over_a_gray_print_is_traced_all_round(pass_darkness: float) -> None:
    """A ballpoint's single pass over the gray outline adds less across it than one sample
    of the fill's tone (0.69): the print already took some of the light it takes. It
    stands out of the print all round, and the outline is traced."""
    added = (_one_pass_over(PRINT, pass_darkness) - PRINT).sum()
    assert LEVELS.ink_at <= added < LEVELS.pen
    traced, others = _rings(pass_darkness)
    assert traced == 1.0
    assert others == 0.0


def test_noise_on_the_print_traces_nothing() -> None:
    """The scan's noise on the print, four times as much as above, traces no outline."""
    traced, others = _rings(0.0, noise=0.04)
    assert traced == 0.0 and others < 0.1


def test_a_trace_lighter_than_the_print_noise_allows_is_not() -> None:
    """Where the blank outlines spread so widely that a light pass does not stand four
    deviations out of them, it is not taken for a trace."""
    traced, _ = _rings(0.3, noise=0.08)
    assert traced < 0.35
