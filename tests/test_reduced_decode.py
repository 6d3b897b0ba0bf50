"""Pages decoded at the resolution the reading needs: smaller, and read as at full size."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from scansim.recipes import Plan, make
from scansim.scanner import ScanSettings, with_density
from scansim.sheets import BLACK_BGR, BLUE_BGR, cross, fill, render_sheet

from omr.reading.ingest import ReadingSize, load_pages
from omr.reading.pipeline import READ_PX_PER_MM, ReadOptions, decode_pages, read_files, read_page
from omr.scoring.profiles import ink_of_template_profile
from omr.sheet.template import load_template

A4_A3 = ReadingSize(READ_PX_PER_MM, (297.0, 420.0))


@pytest.mark.parametrize(
    ("size", "dpi", "factor"),
    [
        ((4960, 7016), 600.0, 2),  # A4 at 600 dpi, as the file says: read at 300
        ((3307, 4677), 400.0, 2),
        ((2480, 3508), 300.0, 1),  # at 150 dpi its hard sheets would read more doubt
        ((1654, 2339), 200.0, 1),
        ((4960, 7016), None, 2),  # even an A3 page would be 424 dpi
        ((3307, 4677), None, 1),  # it could be an A3 page at 283 dpi
        ((4960, 7016), 72.0, 2),  # a 2475 mm page: the file's dpi is not believed
        ((1654, 2339), 600.0, 1),  # a 99 mm page: neither
    ],
)
def test_a_page_is_shrunk_while_it_keeps_what_the_reading_needs(size, dpi, factor) -> None:
    assert A4_A3.reduction(*size, dpi) == factor


def test_a_jpeg_saying_400_dpi_is_decoded_at_half_its_size(tmp_path: Path) -> None:
    image = np.full((4677, 3307, 3), 245, np.uint8)
    cv2.circle(image, (1600, 2300), 500, BLUE_BGR, -1)
    cv2.rectangle(image, (100, 100), (600, 300), BLACK_BGR, 9)
    path = tmp_path / "scan.jpg"
    path.write_bytes(with_density(cv2.imencode(".jpg", image)[1].tobytes(), 400))
    ((full,), (half,)) = (list(load_pages(path)), list(load_pages(path, size=A4_A3)))
    assert full.image.shape == (4677, 3307, 3) and half.image.shape == (2339, 1654, 3)
    assert (full.dpi, half.dpi) == (400.0, 200.0)
    # libjpeg-turbo's scaled DCT: the 2 × 2 means of the full decoding, within a level
    means = cv2.resize(full.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    assert np.abs(means.astype(int) - half.image[:-1]).mean() < 1


def test_a_png_is_shrunk_once_and_a_bilevel_page_kept_whole(tmp_path: Path) -> None:
    gray = np.full((4677, 3307), 200, np.uint8)
    bilevel = np.where(np.indices(gray.shape).sum(axis=0) % 3 == 0, 0, 255).astype(np.uint8)
    for name, image, shape in [
        ("gray.png", gray, (2338, 1654)),
        ("halftone.png", bilevel, (4677, 3307)),
    ]:
        Image.fromarray(image).save(tmp_path / name, dpi=(400, 400))
        (page,) = load_pages(tmp_path / name, size=A4_A3)
        assert page.image.shape == shape, name


@pytest.mark.slow
@pytest.mark.parametrize("template", ["specializare-asistenti", "emc"])
def test_a_600_dpi_scan_read_halved_reads_every_bubble_alike(tmp_path: Path, template) -> None:
    """Marks of every kind (fills, X's, doubts, a dry pen), scanned at 600 dpi."""
    plan = Plan("hard", "s", template, 7, dpi=600, crosses=3, doubts=4, heavy=2, pens=("dry",))
    settings = ScanSettings(skew_deg=1.2, noise=2.0, texture=0.02, jpeg_quality=80)
    data = make(replace(plan, settings=settings))[0]
    path = tmp_path / "scan.jpg"
    path.write_bytes(with_density(data, 600))
    options = ReadOptions(template=load_template(template), required_ink=ink_of_template_profile)
    (page,) = load_pages(path)
    full = read_page(page, options, [options.template])
    (halved,) = decode_pages(path, options)
    assert halved.image.shape[:2] == tuple(-(-n // 2) for n in page.image.shape[:2])
    del page, halved
    (reading,) = read_files([path], options)
    assert reading.status == full.status
    assert [b["state"] for b in reading.bubbles] == [b["state"] for b in full.bubbles]
    assert (reading.serial, reading.variant) == (full.serial, full.variant)


def _scanned(template, dpi: int, colour: tuple[int, int, int], path: Path) -> Path:
    image = render_sheet(template, dpi, variant="A", serial=3)
    for question, option in [(1, "b"), (2, "a"), (20, "c")]:
        fill(image, template, question, option, dpi=dpi, colour=colour)
    cross(image, template, 20, "c", dpi=dpi, colour=colour)
    path.write_bytes(with_density(cv2.imencode(".jpg", image)[1].tobytes(), dpi))
    return path


@pytest.mark.parametrize(("colour", "warned"), [(BLUE_BGR, False), (BLACK_BGR, True)])
def test_the_ink_colour_is_checked_on_a_halved_page(
    tmp_path: Path, specializare, colour, warned
) -> None:
    path = _scanned(specializare, 400, colour, tmp_path / "scan.jpg")
    options = ReadOptions(template=specializare, required_ink=ink_of_template_profile)
    (page,) = decode_pages(path, options)
    assert page.image.shape[1] < 1700  # 200 dpi
    (reading,) = read_files([path], options)
    assert reading.answers["1"]["b"] == "filled" and reading.answers["20"]["c"] == "crossed"
    assert ("ink_colour" in [w.code for w in reading.warnings]) is warned


def test_a_600_dpi_scan_reads(tmp_path: Path, specializare) -> None:
    path = _scanned(specializare, 600, BLUE_BGR, tmp_path / "scan.jpg")
    options = ReadOptions(template=specializare, required_ink=ink_of_template_profile)
    (page,) = decode_pages(path, options)
    assert page.image.shape[1] < 2500  # 300 dpi
    (reading,) = read_files([path], options)
    assert reading.status == "ok", reading.reasons
    marked = {
        (q, o): s for q, row in reading.answers.items() for o, s in row.items() if s != "blank"
    }
    assert marked == {("1", "b"): "filled", ("2", "a"): "filled", ("20", "c"): "crossed"}
    assert reading.serial == 3 and reading.variant == "A"
