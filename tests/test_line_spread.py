"""The scan's line spread, measured across the sides of the registration marks (ArUco
markers, a form's solid blocks): a sharp render shows next to none, a blurred one the
blur it was given."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scansim.recipes import FORMS
from scansim.sheets import render_form, render_sheet

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
    found_mm = registration.marks_mm if found else np.zeros((0, 2))
    return line_spread_mm(page, template.registration, found_mm)


def _national_form(dpi: int) -> np.ndarray:
    """The grid page of the Ministry's own national form, as its PDF prints it."""
    return render_form(FORMS / "med_A.pdf", 2, dpi)


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


@pytest.mark.parametrize(("dpi", "blur_px"), [(150, 1.5), (200, 2.5), (300, 2.5)])
def test_a_blurred_national_form_shows_its_blur_on_its_blocks(dpi: int, blur_px: float) -> None:
    """The national form prints no ArUco markers: its solid bars and squares show the
    blur its scan was given, within 5 %."""
    national = load_template("rezidentiat-national-2025")
    page = _national_form(dpi)
    sharp = _spread(page, national)
    blurred = _spread(cv2.GaussianBlur(page, (0, 0), blur_px), national)
    assert 0 < sharp < 25.4 / dpi
    assert blurred == pytest.approx(np.hypot(blur_px * 25.4 / dpi, sharp), rel=0.05)


def test_only_the_marks_found_are_measured(specializare) -> None:
    """A page whose marks were not found (registered otherwise) has its spread unknown:
    0, and a single stroke is looked for as on a sharp scan. Of a form's blocks, those
    found are looked across, and only those: on a page blurred in its lower half alone,
    its top bars show it sharp and its bottom bars blurred."""
    page = cv2.GaussianBlur(render_sheet(specializare, 200), (0, 0), 2.5)
    assert _spread(page, specializare, found=False) == 0.0
    national = load_template("rezidentiat-national-2025")
    image = _national_form(200)
    middle = image.shape[0] // 2
    image[middle:] = cv2.GaussianBlur(image[middle:], (0, 0), 2.5)
    scan = ScanChannels(image)
    registration = register_page(scan, national)
    assert registration
    straightened = warp_to_template(scan, registration.homography, national)
    corners = registration.marks_mm
    top, bottom = corners[corners[:, 1] < 100], corners[corners[:, 1] > 200]
    assert len(top) == len(bottom) == 8  # two bars each, their four corners
    assert line_spread_mm(straightened, national.registration, top) < 25.4 / 200
    blurred = line_spread_mm(straightened, national.registration, bottom)
    assert blurred == pytest.approx(2.5 * 25.4 / 200, rel=0.05)
    assert line_spread_mm(straightened, national.registration, np.zeros((0, 2))) == 0.0


@pytest.mark.parametrize("shape", ["rings", "disc", "corner", "track"])
def test_forms_without_solid_marks_measure_nothing(shape: str) -> None:
    """Bullseyes, discs, corners and timing tracks are not looked across: a form that
    registers on them alone (here the national form's blocks taken for them) has its
    spread unknown."""
    template = load_template("rezidentiat-national-2025")
    other_marks = template.registration.model_copy(
        update={
            "blocks": [
                block.model_copy(update={"shape": shape}) for block in template.registration.blocks
            ]
        }
    )
    image = cv2.GaussianBlur(_national_form(200), (0, 0), 2.5)
    scan = ScanChannels(image)
    registration = register_page(scan, template)
    assert registration
    page = warp_to_template(scan, registration.homography, template)
    assert line_spread_mm(page, template.registration, registration.marks_mm) > 0
    assert line_spread_mm(page, other_marks, registration.marks_mm) == 0.0
