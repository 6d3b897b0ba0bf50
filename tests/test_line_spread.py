"""The scan's line spread, measured across the ArUco markers' sides: a sharp render shows
next to none, a blurred one the blur it was given."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scansim.sheets import render_sheet

from omr.reading.channels import ScanChannels
from omr.reading.line_spread import line_spread_mm
from omr.reading.registration.page import register_page
from omr.reading.template_space import warp_to_template
from omr.sheet.template import load_template


def _spread(image: np.ndarray, template, found: bool = True) -> float:
    scan = ScanChannels(image)
    registration = register_page(scan, template)
    assert registration
    page = warp_to_template(scan, registration.homography, template)
    ids = registration.found_ids if found else ()
    return line_spread_mm(page, template.registration, ids)


@pytest.mark.parametrize(
    ("name", "dpi", "blur_px", "within"),
    [
        ("specializare-asistenti", 150, 1.5, 0.05),
        ("specializare-asistenti", 200, 2.5, 0.05),
        ("rezidentiat", 200, 1.5, 0.05),
        ("emc", 300, 2.5, 0.05),
        # σ 0.51 mm, a photo out of focus: at the window's reach, measured a little short.
        ("specializare-asistenti", 200, 4.0, 0.1),
    ],
)
def test_a_blurred_scan_shows_its_blur(name: str, dpi: int, blur_px: float, within: float) -> None:
    """A render blurred by a Gaussian of ``blur_px`` pixels spreads the markers' edges by
    that blur (mm), ``within`` its share: the render's own edges are sharp, a pixel or
    less."""
    template = load_template(name)
    page = render_sheet(template, dpi)
    sharp = _spread(page, template)
    blurred = _spread(cv2.GaussianBlur(page, (0, 0), blur_px), template)
    assert 0 < sharp < 25.4 / dpi
    assert blurred == pytest.approx(np.hypot(blur_px * 25.4 / dpi, sharp), rel=within)


def test_no_spread_is_measured_without_markers_found(specializare) -> None:
    """A page whose markers were not found (registered otherwise), or a form that prints
    none (the national form registers on its timing bars), has its spread unknown: 0, and
    a single stroke is looked for as on a sharp scan."""
    page = cv2.GaussianBlur(render_sheet(specializare, 200), (0, 0), 2.5)
    assert _spread(page, specializare, found=False) == 0.0
    national = load_template("rezidentiat-national-2025")
    scan = ScanChannels(render_sheet(national, 150))
    registration = register_page(scan, national)
    assert registration
    straightened = warp_to_template(scan, registration.homography, national)
    assert line_spread_mm(straightened, national.registration, registration.found_ids) == 0.0
