"""Block registration under uneven light, skew and a weak orientation cue.

Page 2 of a Ministry PDF rendered with pdftoppm is the page as printed, so the true
template-to-image mapping of an unturned render is a pure scale (dpi / 25.4 px per mm);
shadows are laid over it as a multiplicative gain, like light falling on paper.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from printed_support import marks_restyled
from scansim.sheets import render_form, turn

from omr.reading.channels import ScanChannels
from omr.reading.registration.blocks import register_by_blocks
from omr.reading.registration.outlines import byte_percentile
from omr.sheet.template import SheetTemplate, load_template

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "fixtures" / "forms" / "rezidentiat-2025"
DPI = 200
PX_PER_MM = DPI / 25.4


@pytest.fixture(scope="module")
def national() -> SheetTemplate:
    return load_template("rezidentiat-national-2025")


@cache
def _page(form: str = "med_B", dpi: int = DPI) -> np.ndarray:
    """Page 2 of a form as a (H, W) grayscale image (read-only)."""
    gray = cv2.cvtColor(render_form(FORMS / f"{form}.pdf", 2, dpi), cv2.COLOR_BGR2GRAY)
    gray.setflags(write=False)
    return gray


def _band(distance_mm: np.ndarray, width_mm: float, depth: float) -> np.ndarray:
    """A shadow's gain: ``depth`` darker at distance 0, fading out over ``width_mm``."""
    return 1 - depth * np.clip(1 - distance_mm / width_mm, 0, 1) ** 1.5


def _shaded(gray: np.ndarray, gain: np.ndarray) -> np.ndarray:
    return np.clip(gray * gain, 0, 255).astype(np.uint8)


def _mm_grid(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's template x and y in mm (the render is unturned)."""
    ys, xs = np.mgrid[0 : gray.shape[0], 0 : gray.shape[1]].astype(np.float32)
    return xs / PX_PER_MM, ys / PX_PER_MM


def _bubble_error_mm(homography: np.ndarray, national: SheetTemplate) -> float:
    """Largest distance between where ``homography`` and the render put a bubble."""
    centres = np.array([b.center_mm for b in national.answer_bubbles()])
    mapped = cv2.perspectiveTransform(centres.reshape(-1, 1, 2), homography).reshape(-1, 2)
    return float(np.abs(mapped / PX_PER_MM - centres).max())


@pytest.mark.parametrize("quarter_turns", [0, 2])
def test_shadow_bands_over_blocks_register(national: SheetTemplate, quarter_turns: int) -> None:
    # The fold lifted and the bottom edge curled: shadows 60% deep over the bars along
    # the fold and the bottom edge, falling off over 45 mm; half the blocks lie in them.
    gray = _page()
    x_mm, y_mm = _mm_grid(gray)
    page_height_mm = gray.shape[0] / PX_PER_MM
    gain = _band(page_height_mm - y_mm, 45, 0.6) * _band(np.abs(x_mm - 210), 45, 0.6)
    registration = register_by_blocks(
        ScanChannels(turn(_shaded(gray, gain), quarter_turns)), national
    )
    assert registration, registration
    assert (registration.rotation, registration.marks_found) == ((-90 * quarter_turns) % 360, 6)
    assert registration.reprojection_error_mm < 0.3
    if quarter_turns == 0:
        assert _bubble_error_mm(registration.homography, national) < 0.34


@pytest.mark.parametrize(
    ("quarter_turns", "skew_deg", "depth", "width_mm"),
    [(0, 4.0, 0.6, 40), (2, -6.0, 0.6, 40), (2, 4.0, 0.75, 30), (1, 3.0, 0.75, 30)],
)
def test_shadow_over_the_blank_side_does_not_turn_the_page(
    national: SheetTemplate, quarter_turns: int, skew_deg: float, depth: float, width_mm: float
) -> None:
    # A shadow along the right edge, where the question numbers' 180° images (blank
    # paper) lie: darker there than the numbers themselves, yet not print.
    gray = _page()
    x_mm, _ = _mm_grid(gray)
    gain = _band(gray.shape[1] / PX_PER_MM - x_mm, width_mm, depth)
    image = turn(_shaded(gray, gain), quarter_turns, skew_deg)
    registration = register_by_blocks(ScanChannels(image), national)
    assert registration, registration
    assert registration.rotation == (-90 * quarter_turns) % 360
    assert registration.marks_found == 6


@pytest.mark.parametrize("quarter_turns", [0, 2])
@pytest.mark.parametrize(
    ("edge_mm", "backing", "noise"),
    [
        (409, 0, 0.0),
        (409, 20, 5.0),
        (414.5, 0, 0.0),
        (415, 0, 0.0),
        (415, 20, 5.0),
        (415.5, 0, 0.0),
    ],
)
def test_black_past_the_sheets_edge_does_not_turn_the_page(
    national: SheetTemplate, quarter_turns: int, edge_mm: float, backing: int, noise: float
) -> None:
    # The sheet ends short of its right edge (420 mm) on a scanner's black backing (or a
    # shadow there that a bilevel scan turned black), over the question numbers' 180°
    # images (410.9–415.7 mm), all of them or a part: darker than the numbers, yet no
    # print. Read the right way up, or refused; never turned (the black ones from 409 to
    # 415 mm were read turned on 22d4be9; the noisy ones and 415.5 mm guard).
    gray = np.array(_page())
    x_mm, _ = _mm_grid(gray)
    rng = np.random.default_rng(3)
    black = rng.normal(backing, noise, gray.shape).clip(0, 255).astype(np.uint8)
    gray[x_mm >= edge_mm] = black[x_mm >= edge_mm]
    registration = register_by_blocks(ScanChannels(turn(gray, quarter_turns, 2.0)), national)
    if registration:
        assert registration.rotation == (-90 * quarter_turns) % 360
    else:
        assert registration.code == "orientation_unknown"


@pytest.mark.parametrize("quarter_turns", [0, 2])
def test_faint_numbers_facing_black_do_not_turn_the_page(
    national: SheetTemplate, quarter_turns: int
) -> None:
    # A form printed light (its print at two fifths of its contrast): the numbers read
    # under a twentieth dark, and their images lie on black past the sheet's edge. Too
    # little print for a turn is not blank paper: refused, or read the right way up.
    gray = (255 - (255 - _page().astype(np.float32)) * 0.4).astype(np.uint8)
    x_mm, _ = _mm_grid(gray)
    gray[x_mm >= 409] = 0
    registration = register_by_blocks(ScanChannels(turn(gray, quarter_turns, 2.0)), national)
    if registration:
        assert registration.rotation == (-90 * quarter_turns) % 360
    else:
        assert registration.code == "orientation_unknown"


@pytest.mark.parametrize("skew_deg", [3.0, 8.0, 30.0])
def test_small_turned_squares_are_found(national: SheetTemplate, skew_deg: float) -> None:
    # At 150 dpi the middle squares are 10 px wide on the detection copy, too few pixels
    # to tell a turned square from a filled ellipse there: they are measured in full.
    registration = register_by_blocks(
        ScanChannels(turn(_page("farm_C", 150), 2, skew_deg)), national
    )
    assert registration, registration
    assert (registration.rotation, registration.marks_found) == (180, 6)


def test_page_without_question_numbers_is_not_guessed(national: SheetTemplate) -> None:
    gray = np.array(_page())
    for box in national.registration.orientation_boxes:
        x0, y0 = (int(round(v * PX_PER_MM)) for v in box.origin_mm)
        gray[y0 : int(round(box.bottom * PX_PER_MM)), x0 : int(round(box.right * PX_PER_MM))] = 255
    failure = register_by_blocks(ScanChannels(turn(gray, 2, 3.0)), national)
    assert not failure and failure.code == "orientation_unknown"


def test_shadowed_hard_scan_is_read_the_right_way_up(national: SheetTemplate) -> None:
    # fixtures/scans/hard/nat-036: a shadow band lies along the edge beside the blank
    # 180° images of the question numbers; the page was once read upside down.
    scan = ROOT / "fixtures" / "scans" / "hard" / "nat-036.jpg"
    quarter_turns = json.loads(scan.with_suffix(".truth.json").read_text())["scan"]["quarter_turns"]
    registration = register_by_blocks(
        ScanChannels(cv2.imread(str(scan), cv2.IMREAD_GRAYSCALE)), national
    )
    assert registration, registration
    assert registration.rotation == (-90 * quarter_turns) % 360


@pytest.mark.parametrize("print_style", ["light", "halftone"])
def test_light_or_halftoned_blocks_are_found(national: SheetTemplate, print_style: str) -> None:
    # Blocks printed as a 45 % grey, or as a 50 % screen of 2 px dots (a 100 lpi
    # halftone at 200 dpi): neither halves the paper's light on the detection copy.
    gray = marks_restyled(np.array(_page()), national, print_style, PX_PER_MM)
    registration = register_by_blocks(ScanChannels(turn(gray, 2, 3.0)), national)
    assert registration, registration
    assert registration.rotation == 180 and registration.marks_found >= 5
    assert registration.reprojection_error_mm < 0.5


@settings(max_examples=300, deadline=None)
@given(
    arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40))),
    st.integers(0, 100),
)
def test_a_pages_byte_percentile_is_numpys(image: np.ndarray, q: int) -> None:
    """The page's light the turn rule reads (``byte_percentile``, from the histogram) is
    NumPy's percentile of the page as float32, to the last bit."""
    assert byte_percentile(image, q) == np.percentile(image.astype(np.float32), q)
