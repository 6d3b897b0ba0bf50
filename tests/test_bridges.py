"""A stroke across the narrow gap between two marked bubbles (omr.reading.bridges)."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from omr.reading.bridges import bridged, gap_samples

PX_PER_MM = 8.0
# Three ellipses of the residency grid, 4.0 × 3.2 mm, 5 mm apart: a 1 mm gap.
CENTERS_MM = ((10.0, 10.0), (15.0, 10.0), (20.0, 10.0))
SIZES_MM = ((4.0, 3.2),) * 3
INK_AT = 0.35


def _page(fills: tuple[float, ...], line: tuple[float, float] | None) -> SimpleNamespace:
    """A white page with each bubble filled out to ``fills`` × its radii (0: blank) and a
    0.3 mm (ballpoint) horizontal line from ``line[0]`` to ``line[1]`` mm along the row."""
    ink = np.full((160, 240), 235, np.uint8)
    for (x, y), (w, h), grow in zip(CENTERS_MM, SIZES_MM, fills, strict=True):
        if grow:
            axes = (round(w / 2 * grow * PX_PER_MM), round(h / 2 * grow * PX_PER_MM))
            center = (round(x * PX_PER_MM), round(y * PX_PER_MM))
            cv2.ellipse(ink, center, axes, 0, 0, 360, 60, -1)
    if line:
        y = round(10.0 * PX_PER_MM)
        start, end = (round(v * PX_PER_MM) for v in line)
        cv2.line(ink, (start, y), (end, y), 60, round(0.3 * PX_PER_MM))
    return SimpleNamespace(ink=cv2.GaussianBlur(ink, (5, 5), 1.0), px_per_mm=PX_PER_MM)


def _bridged(fills: tuple[float, ...], line: tuple[float, float] | None) -> list[bool]:
    page = _page(fills, line)
    centers = np.asarray(CENTERS_MM, np.float32) * PX_PER_MM
    inked = np.array([grow > 0 for grow in fills])
    samples = gap_samples(CENTERS_MM, SIZES_MM)
    return bridged(page, centers, np.full(3, 235.0), inked, samples, INK_AT).tolist()


def test_only_neighbours_closer_than_a_radius_are_paired() -> None:
    samples = gap_samples(CENTERS_MM, SIZES_MM)
    pairs = set(zip(samples.own.tolist(), samples.other.tolist(), strict=True))
    assert pairs == {(0, 1), (1, 0), (1, 2), (2, 1)}


def test_a_line_through_a_fill_between_filled_neighbours_joins_them() -> None:
    assert _bridged((1.0, 1.0, 1.0), (11.0, 19.0)) == [True, True, True]


def test_a_line_running_out_toward_a_blank_neighbour() -> None:
    assert _bridged((0.0, 1.0, 0.0), (12.0, 18.0))[1] is True


@pytest.mark.parametrize("overshoot", [1.0, 1.15, 1.25])
def test_fills_that_overshoot_into_the_gap_are_not_a_stroke(overshoot: float) -> None:
    assert _bridged((overshoot,) * 3, None) == [False, False, False]
