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


def _spread(image: np.ndarray, template) -> float:
    scan = ScanChannels(image)
    registration = register_page(scan, template)
    assert registration
    return line_spread_mm(
        warp_to_template(scan, registration.homography, template), template.registration
    )


@pytest.mark.parametrize(("dpi", "blur_px"), [(150, 1.5), (200, 1.5), (200, 2.5), (300, 2.5)])
def test_a_blurred_scan_shows_its_blur(specializare, dpi: int, blur_px: float) -> None:
    """A render blurred by a Gaussian of ``blur_px`` pixels spreads the markers' edges by
    that blur (mm), within a tenth: the render's own edges are sharp, a pixel or less."""
    page = render_sheet(specializare, dpi)
    sharp = _spread(page, specializare)
    blurred = _spread(cv2.GaussianBlur(page, (0, 0), blur_px), specializare)
    blur_mm = blur_px * 25.4 / dpi
    assert 0 < sharp < 25.4 / dpi
    assert blurred == pytest.approx(np.hypot(blur_mm, sharp), rel=0.1)


def test_a_form_without_markers_has_no_spread_measured() -> None:
    """The national form registers on its timing bars, not on ArUco markers: its spread is
    unknown (0), and its levels are the 150 dpi scan's."""
    national = load_template("rezidentiat-national-2025")
    page = render_sheet(load_template("specializare-asistenti"), 150)
    scan = ScanChannels(page)
    specializare = load_template("specializare-asistenti")
    registration = register_page(scan, specializare)
    straightened = warp_to_template(scan, registration.homography, specializare)
    assert line_spread_mm(straightened, national.registration) == 0.0
