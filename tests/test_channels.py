"""A scan's channels: the full-size ink channel let go once the page is straightened."""

from __future__ import annotations

import numpy as np

from omr.reading.channels import ScanChannels


def _colour_page() -> np.ndarray:
    rng = np.random.default_rng(18)
    return rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)


def test_released_ink_comes_back_the_same() -> None:
    fresh, released = ScanChannels(_colour_page()), ScanChannels(_colour_page())
    released.ink_halved(2)
    released.release_ink()
    assert "ink" not in released.__dict__
    for times in (2, 1, 3, 0):
        assert np.array_equal(released.ink_halved(times), fresh.ink_halved(times))
    assert np.array_equal(released.ink, fresh.ink)


def test_released_before_any_halving() -> None:
    fresh, released = ScanChannels(_colour_page()), ScanChannels(_colour_page())
    assert released.ink is not None
    released.release_ink()
    assert np.array_equal(released.ink_halved(1), fresh.ink_halved(1))


def test_a_gray_page_keeps_its_ink() -> None:
    gray = _colour_page()[..., 0].copy()
    scan = ScanChannels(gray)
    scan.release_ink()
    assert scan.ink is scan.image
