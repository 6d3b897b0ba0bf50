"""A scan's channels: the full-size ink channel let go once the page is straightened."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image
from scansim.scanner import dithered
from scansim.scanner import thresholded as at_mid_grey

from omr.reading import template_space
from omr.reading.channels import (
    DOTS_APART_SHARE,
    HALFTONE_CELL_PX,
    LONE_WHITE_SHARE,
    ScanChannels,
    halftone_signs,
)
from omr.reading.template_space import TemplatePage
from omr.vocabulary.reasons import Severity


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


def test_the_print_is_sampled_alike_from_the_kept_part_and_from_the_scan() -> None:
    """The print part registration kept serves the bubbles it holds, to the same pixels
    as the scan itself (odd origins, turned offsets); others are read from the scan."""
    image = _colour_page()
    turn = np.array([[0.98, -0.17, 21.3], [0.17, 0.98, 7.9], [0.0, 0.0, 1.0]])

    def page(scan: ScanChannels) -> TemplatePage:
        return TemplatePage(np.zeros((200, 260), np.uint8), 8.0, scan, turn, print_apart=True)

    centres = np.array([[60.2, 50.7], [90.5, 81.0], [120.4, 99.6]], np.float32)
    offsets = np.random.default_rng(7).uniform(-12, 12, (9, 11, 2)).astype(np.float32)
    expected = page(ScanChannels(image)).sample_printed(centres, offsets)
    origins: list[tuple[int, int]] = []
    sampled = template_space._sampled

    def spy(*args, origin=(0, 0), **kwargs):  # where each sample is read from
        origins.append(origin)
        return sampled(*args, origin=origin, **kwargs)

    parts = {(33, 41, 211, 197): True, (151, 3, 317, 239): False, (33, 41, 100, 197): False}
    for part, holds_all in parts.items():  # all the centres; none of them; some of them
        kept = ScanChannels(image)
        assert np.array_equal(
            kept.print_part(*part), image[part[1] : part[3], part[0] : part[2], 1]
        )
        origins.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(template_space, "_sampled", spy)
            assert np.array_equal(page(kept).sample_printed(centres, offsets), expected)
        assert (tuple(origins[0]) == part[:2]) == holds_all  # the part only when it holds all


@pytest.mark.parametrize("scan_px_per_template_px", [0.75, 1.0, 1.5])
def test_a_bilevel_scan_says_how_broad_its_halftone_cell_is(scan_px_per_template_px: float) -> None:
    """A page of black and white dots is read by the mean of each halftone cell: the
    straightened page says how broad that cell is in mm (a scan that writes its own tone
    has none)."""
    dots = np.where(np.random.default_rng(3).random((240, 320)) < 0.3, 0, 255).astype(np.uint8)
    scale = np.diag([scan_px_per_template_px, scan_px_per_template_px, 1.0])
    bilevel = TemplatePage(np.zeros((200, 260), np.uint8), 8.0, ScanChannels(dots), scale)
    assert bilevel.scan.halftone_cell_px == HALFTONE_CELL_PX
    cell_mm = HALFTONE_CELL_PX / (scan_px_per_template_px * 8.0)
    assert bilevel.halftone_cell_mm == pytest.approx(cell_mm)
    toned = TemplatePage(np.zeros((200, 260), np.uint8), 8.0, ScanChannels(_colour_page()), scale)
    assert toned.halftone_cell_mm == 0.0


@pytest.mark.parametrize("scan_px_per_template_px", [0.75, 1.0, 1.5])
@pytest.mark.parametrize("turn_deg", [0.0, 30.0])
def test_the_straightened_page_says_how_broad_a_scan_pixel_is(
    scan_px_per_template_px: float, turn_deg: float
) -> None:
    """The straightened page says how broad one of the scan's own pixels is in mm, however
    the scan lies (a 150 dpi scan's, straightened to 8 px/mm, spans 1.35 of the page's
    pixels); a bi-level scan's halftone cell is so many of them."""
    cos, sin = np.cos(np.radians(turn_deg)), np.sin(np.radians(turn_deg))
    to_source = np.array([[cos, -sin, 7.0], [sin, cos, 3.0], [0.0, 0.0, 1.0]])
    to_source[:2, :2] *= scan_px_per_template_px
    page = TemplatePage(
        np.zeros((200, 260), np.uint8), 8.0, ScanChannels(_colour_page()), to_source
    )
    assert page.scan_pixel_mm == pytest.approx(1 / (scan_px_per_template_px * 8.0))
    dots = np.where(np.random.default_rng(3).random((240, 320)) < 0.3, 0, 255).astype(np.uint8)
    bilevel = TemplatePage(np.zeros((200, 260), np.uint8), 8.0, ScanChannels(dots), to_source)
    assert bilevel.halftone_cell_mm == pytest.approx(HALFTONE_CELL_PX * bilevel.scan_pixel_mm)


def _gray_page(paper: tuple[int, int]) -> np.ndarray:
    """A page in greys: paper going from one grey to another across it, a light and a
    dark fill, lines one and three pixels broad (straight and slanted), as a gray scan
    shows them."""
    page = np.tile(np.linspace(*paper, 320), (240, 1)).astype(np.uint8)
    cv2.circle(page, (60, 60), 18, 150, -1)  # a pencil fill
    cv2.circle(page, (130, 60), 18, 40, -1)  # a ballpoint fill
    for thickness, (start, end) in ((1, ((20, 120), (300, 200))), (3, ((20, 200), (300, 130)))):
        cv2.line(page, start, end, 60, thickness)
    cv2.line(page, (200, 20), (200, 110), 60, 1)
    return page


def test_a_threshold_that_breaks_fills_into_specks_is_no_halftone() -> None:
    """Pencil fills a little lighter than the threshold, the scanner's noise breaking them
    into black specks: most of their edge pixels stand apart, as a halftone's dots do,
    but no white pixel stands alone among black, as a halftone's darker tones leave
    many: the page is a threshold's, and refused."""
    rng = np.random.default_rng(1)
    gray = _gray_page((255, 255)).astype(np.float32)
    for x in (60, 130, 200, 270):
        for y in (60, 170):
            cv2.circle(gray, (x, y), 20, 140, -1)
    speckled = at_mid_grey(gray + rng.normal(0, 10, gray.shape))
    apart, lone_white = halftone_signs(speckled)
    assert apart >= DOTS_APART_SHARE and lone_white < LONE_WHITE_SHARE
    assert ScanChannels(speckled).thresholded
    assert halftone_signs(dithered(_gray_page((255, 255))))[1] >= LONE_WHITE_SHARE


@pytest.mark.parametrize("paper", [215, 235, 250])
def test_a_blank_page_dithered_is_no_thresholds(paper: int) -> None:
    """The back of a sheet scanned in a dithering black-and-white mode holds light tones
    alone: dots apart, no black area for a white dot to lie in. That tells nothing of a
    threshold, and the page is read as a halftone (to be refused as blank), not refused
    as a threshold's."""
    page = np.full((600, 400), paper, np.uint8)
    for bilevel in (dithered(page), np.array(Image.fromarray(page).convert("1")).astype(np.uint8)):
        scan = ScanChannels(np.where(bilevel > 0, 255, 0).astype(np.uint8))
        assert not scan.thresholded and scan.unreadable() is None


@pytest.mark.parametrize("paper", [(235, 250), (255, 255)])
@pytest.mark.parametrize(
    ("written_by", "thresholded"),
    [("threshold", True), ("ordered dither", False), ("error diffusion", False)],
)
def test_a_bilevel_scan_says_whether_a_threshold_wrote_it(
    written_by: str, thresholded: bool, paper: tuple[int, int]
) -> None:
    """A scanner's black-and-white mode thresholds (lines and areas, the thinnest a pixel
    broad) or dithers (tone as dots, most of them apart), on paper it writes as dots too
    or as white. A halftone is read by its cells' mean; a threshold lost a pen's thin
    lines with no trace of where it lay, and the scan is refused: the room head is told
    to scan in gray or colour."""
    gray = _gray_page(paper)
    if written_by == "threshold":
        bilevel = at_mid_grey(gray)
    elif written_by == "ordered dither":
        bilevel = dithered(gray)
    else:
        bilevel = np.array(Image.fromarray(gray).convert("1")).astype(np.uint8) * 255
    scan = ScanChannels(bilevel)
    assert scan.thresholded is thresholded
    assert scan.halftone_cell_px == (0 if thresholded else HALFTONE_CELL_PX)
    refused = scan.unreadable()
    if thresholded:
        assert refused is not None
        assert (refused.code, refused.severity) == ("scan_thresholded", Severity.REJECT)
    else:
        assert refused is None
    assert ScanChannels(gray).unreadable() is None
    assert scan.scanner_warnings() == ScanChannels(gray).scanner_warnings() == []
