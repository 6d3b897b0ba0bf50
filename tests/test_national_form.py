"""The national residency form (2025): registration on printed blocks and printed codes.

Page 2 of each of the 12 Ministry PDFs (3 domains × 4 variants) is rendered with
pdftoppm, so the true template-to-image scale is known exactly (dpi / 25.4 px per mm).
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from scansim.sheets import BLACK_BGR, fill, render_form, turn

from omr.reading.channels import ScanChannels
from omr.reading.coded_fields import read_coded_fields
from omr.reading.ingest import PageImage, SourceRef
from omr.reading.pipeline import ReadOptions, read_page
from omr.reading.registration.blocks import register_by_blocks
from omr.reading.template_space import warp_to_template
from omr.sheet.template import Box, SheetTemplate, load_template

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms" / "rezidentiat-2025"
DOMAINS = {"med": "medicina", "dent": "medicina-dentara", "farm": "farmacie"}
ALL_FORMS = [(d, v) for d in DOMAINS for v in "ABCD"]


@pytest.fixture(scope="module")
def national() -> SheetTemplate:
    return load_template("rezidentiat-national-2025")


@cache
def _render(domain: str, variant: str, page: int = 2, dpi: int = 200) -> np.ndarray:
    """Page ``page`` of a form as a (H, W, 3) BGR image (read-only; copy to draw)."""
    image = render_form(FORMS / f"{domain}_{variant}.pdf", page, dpi)
    image.setflags(write=False)
    return image


def _gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _codes(image: np.ndarray, template: SheetTemplate) -> dict[str, tuple[str | None, str | None]]:
    registration = register_by_blocks(ScanChannels(_gray(image)), template)
    assert registration, registration
    page = warp_to_template(ScanChannels(image), registration.homography, template)
    return {
        name: (r.value, r.problem.code if r.problem is not None else None)
        for name, r in read_coded_fields(page, template).items()
    }


def _paint(image: np.ndarray, box: Box, value: int, dpi: int = 200) -> np.ndarray:
    """A copy of an unturned render with a template box painted ``value`` (0 or 255)."""
    scale = dpi / 25.4
    painted = image.copy()
    x0, y0 = (int(round(v * scale)) for v in box.origin_mm)
    x1, y1 = int(round(box.right * scale)), int(round(box.bottom * scale))
    painted[y0:y1, x0:x1] = value
    return painted


def test_template_describes_page_two(national: SheetTemplate) -> None:
    assert len(national.answer_bubbles()) == 1000
    assert {b.shape for b in national.answer_bubbles()} == {"ellipse"}
    assert national.qr is None and national.variant is None
    assert national.registration.point_symmetric and national.registration.orientation_boxes
    assert set(national.coded_fields[0].positions) == set("ABCD")
    assert national.question_type(50).type == "single"
    assert national.question_type(51).answers == "2-4"
    assert [part.name for part in national.page.parts] == ["grid"]


@pytest.mark.slow
@pytest.mark.parametrize(("domain", "variant"), ALL_FORMS)
def test_each_form_registers_and_reads_its_codes(
    national: SheetTemplate, domain: str, variant: str
) -> None:
    image = _render(domain, variant)
    registration = register_by_blocks(ScanChannels(_gray(image)), national)
    assert registration, registration
    assert (registration.rotation, registration.marks_found) == (0, 6)
    assert registration.reprojection_error_mm < 0.3
    # The render's true mapping is a pure scale of 200 dpi: every answer bubble must land
    # within a tenth of a bubble's width (0.34 mm) of where the homography puts it.
    centres = np.array([b.center_mm for b in national.answer_bubbles()])
    mapped = cv2.perspectiveTransform(centres.reshape(-1, 1, 2), registration.homography)
    error_mm = np.abs(mapped.reshape(-1, 2) / (200 / 25.4) - centres).max()
    assert error_mm < 0.34
    assert _codes(image, national) == {
        "variant": (variant, None),
        "domain": (DOMAINS[domain], None),
    }
    reading = _read(image.copy(), national)
    assert (reading.status, reading.variant, reading.codes) == (
        "ok",
        variant,
        {"domain": DOMAINS[domain]},
    )
    states = [state for options in reading.answers.values() for state in options.values()]
    assert len(states) == 1000 and set(states) == {"blank"}


@pytest.mark.slow
@pytest.mark.parametrize(("domain", "variant"), ALL_FORMS)
@pytest.mark.parametrize(("quarter_turns", "skew_deg"), [(2, 0.0), (2, 7.0), (2, -10.0), (1, 5.0)])
def test_turned_and_skewed_forms(
    national: SheetTemplate, domain: str, variant: str, quarter_turns: int, skew_deg: float
) -> None:
    image = turn(_render(domain, variant), quarter_turns, skew_deg)
    registration = register_by_blocks(ScanChannels(_gray(image)), national)
    assert registration, registration
    assert registration.rotation == (-90 * quarter_turns) % 360
    assert _codes(image, national) == {
        "variant": (variant, None),
        "domain": (DOMAINS[domain], None),
    }


def test_grid_half_alone_registers(national: SheetTemplate) -> None:
    image = _render("dent", "C")
    half = np.ascontiguousarray(image[:, image.shape[1] // 2 :])
    assert _codes(turn(half, 2, 4.0), national) == {
        "variant": ("C", None),
        "domain": ("medicina-dentara", None),
    }


def test_cover_page_is_rejected(national: SheetTemplate) -> None:
    failure = register_by_blocks(ScanChannels(_gray(_render("med", "A", page=1))), national)
    assert not failure
    assert failure.code == "registration_marks_not_found"


def test_blank_page_is_rejected(national: SheetTemplate) -> None:
    failure = register_by_blocks(ScanChannels(np.full((2339, 3307), 250, np.uint8)), national)
    assert not failure and failure.code == "registration_marks_not_found"
    assert failure.details["needed"] == 3


def test_three_blocks_lost_still_read_but_four_do_not(national: SheetTemplate) -> None:
    # Three blocks found: an affine fit, confirmed by the printed ellipses.
    blocks = {block.name: block.box for block in national.registration.blocks}
    image = _paint(_render("med", "B"), blocks["bar_bottom_left"], 255)
    image = _paint(image, blocks["bar_bottom_right"], 255)
    image = _paint(image, blocks["square_middle_left"], 255)
    registration = register_by_blocks(ScanChannels(_gray(image)), national)
    assert registration and registration.marks_found == 3
    reading = _read(image.copy(), national)
    assert reading.status == "ok" and reading.registration["outlines"] >= 100
    image = _paint(image, blocks["bar_top_left"], 255)
    failure = register_by_blocks(ScanChannels(_gray(image)), national)
    assert not failure and failure.code == "registration_marks_not_found"


def test_scratched_variant_square_is_missing(national: SheetTemplate) -> None:
    variant = national.coded_fields[0]
    image = _paint(_render("farm", "B"), variant.positions["B"], 255)
    codes = _codes(turn(image, 2, 6.0), national)
    assert codes["variant"] == (None, "coded_field_missing")
    assert codes["domain"] == ("farmacie", None)


def test_second_variant_square_is_a_conflict(national: SheetTemplate) -> None:
    variant = national.coded_fields[0]
    image = _paint(_render("med", "A"), variant.positions["C"], 0)
    assert _codes(turn(image, 2, -6.0), national)["variant"] == (None, "coded_field_conflict")


def test_extra_domain_square_is_a_conflict(national: SheetTemplate) -> None:
    domain = national.coded_fields[1]
    image = _paint(_render("dent", "D"), domain.positions["p2"], 0)  # p1 p2 p3: no code
    assert _codes(image, national)["domain"] == (None, "coded_field_conflict")


def test_partial_domain_code_is_missing(national: SheetTemplate) -> None:
    domain = national.coded_fields[1]
    image = _paint(_render("farm", "A"), domain.positions["p3"], 255)  # p2 alone: no code
    assert _codes(image, national)["domain"] == (None, "coded_field_missing")


def test_150_dpi_grayscale_reads(national: SheetTemplate) -> None:
    image = _render("farm", "C", dpi=150)
    gray = turn(_gray(image), 2, 8.0)
    registration = register_by_blocks(ScanChannels(gray), national)
    assert registration and registration.rotation == 180
    page = warp_to_template(ScanChannels(gray), registration.homography, national)
    codes = read_coded_fields(page, national)
    assert (codes["variant"].value, codes["domain"].value) == ("C", "farmacie")


def _read(image: np.ndarray, national: SheetTemplate):
    page = PageImage(SourceRef("synthetic.png", 1, "0" * 64), image, None)
    return read_page(page, ReadOptions(template=national), [national])


@pytest.mark.slow
def test_blank_form_reads_1000_blank_ellipses(national: SheetTemplate) -> None:
    reading = _read(_render("med", "D").copy(), national)
    states = [state for options in reading.answers.values() for state in options.values()]
    assert len(states) == 1000 and set(states) == {"blank"}
    assert (reading.variant, reading.codes) == ("D", {"domain": "medicina"})
    assert reading.status == "ok", reading.reasons
    # Printed in black, not in a drop-out colour: its print is no stray ink.
    assert [warning.code for warning in reading.warnings] == ["stray_marks_not_checked"]


@pytest.mark.slow
def test_filled_ellipses_read_exactly_when_turned_and_skewed(national: SheetTemplate) -> None:
    rng = np.random.default_rng(2025)
    image = _render("dent", "A").copy()
    chosen = {}
    for question in range(1, 201):
        count = 1 if question <= 50 else int(rng.integers(0, 5))
        chosen[question] = set(rng.choice(list("ABCDE"), size=count, replace=False))
        for option in chosen[question]:
            fill(image, national, question, option, colour=BLACK_BGR)
    reading = _read(turn(image, 2, 6.0), national)
    assert reading.registration["rotation"] == 180
    assert (reading.variant, reading.codes) == ("A", {"domain": "medicina-dentara"})
    for question, options in chosen.items():
        read = {o for o, state in reading.answers[str(question)].items() if state == "filled"}
        assert read == options, question
    states = {s for answers in reading.answers.values() for s in answers.values()}
    assert states <= {"blank", "filled"}


def test_geometry_command_exports_the_form() -> None:
    result = subprocess.run(
        ["omr", "geometry", "sheet_templates/rezidentiat-national-2025.yaml", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    geometry = json.loads(result.stdout)
    assert len([b for b in geometry["bubbles"] if b["field"] == "answers"]) == 1000
    assert len(geometry["registration_marks"]) == 6
    assert {z["name"] for z in geometry["zones"] if z["kind"] == "coded"} == {"variant", "domain"}
