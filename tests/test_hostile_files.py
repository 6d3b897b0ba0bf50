"""Hostile scanner files: every page bounded before it is decoded, refused with a reason,
in seconds and bounded memory; deep samples scaled, not clipped; one bad page alone."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from reportlab.pdfgen.canvas import Canvas
from scansim.sheets import render_sheet

from omr.reading import ingest
from omr.reading.ingest import PageImage, load_pages
from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.template import load_template
from omr.vocabulary.reasons import Reason, Severity

ROOT = Path(__file__).resolve().parents[1]


def _pdf(path: Path, pages: int, size_inches: float = 8.27) -> Path:
    canvas = Canvas(str(path), pagesize=(size_inches * 72, size_inches * 72))
    for number in range(pages):
        canvas.drawString(10, 10, str(number))
        canvas.showPage()
    canvas.save()
    return path


def _tiff(path: Path, frames: list[Image.Image]) -> Path:
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def _codes(path: Path, **options: int) -> list[tuple[int, str]]:
    return [
        (page.source.page, "read" if page else page.problem.code)
        for page in load_pages(path, **options)
    ]


@pytest.fixture(scope="module")
def sheet() -> np.ndarray:
    """A gray emc sheet at 100 dpi (827 × 1169 px)."""
    return cv2.cvtColor(render_sheet(load_template("emc"), 100), cv2.COLOR_BGR2GRAY)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The issue's hostile files, each with the reason it must be refused with."""
    folder = tmp_path_factory.mktemp("hostile")
    one = folder / "one.png"
    cv2.imwrite(str(one), np.full((1, 1), 255, np.uint8))
    wide, tall = folder / "wide.png", folder / "tall.png"
    cv2.imwrite(str(wide), np.full((10, 60000), 255, np.uint8))
    cv2.imwrite(str(tall), np.full((60000, 10), 255, np.uint8))
    tiny = [Image.new("L", (8, 8), 255) for _ in range(ingest.MAX_PAGES + 1)]
    return {
        "1×1": (one, "image_too_small"),
        "60000×10": (wide, "image_too_long"),
        "10×60000": (tall, "image_too_long"),
        "65-inch PDF page": (_pdf(folder / "huge.pdf", 1, 65), "image_too_large"),
        "PDF of 501 pages": (_pdf(folder / "many.pdf", ingest.MAX_PAGES + 1), "pages_too_many"),
        "TIFF of 501 tiny pages": (_tiff(folder / "many.tiff", tiny), "pages_too_many"),
    }


def test_each_hostile_file_is_refused_before_it_is_decoded(
    hostile: dict[str, tuple[Path, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*_: object) -> np.ndarray:
        raise AssertionError("a page out of bounds was decoded")

    monkeypatch.setattr(ingest, "_rendered", never)
    monkeypatch.setattr(ingest, "_decode", never)
    for name, (path, reason) in hostile.items():
        started = time.perf_counter()
        assert _codes(path) == [(1, reason)], name
        assert time.perf_counter() - started < 10, name


def test_omr_read_refuses_a_batch_of_hostile_files_in_bounded_memory(
    hostile: dict[str, tuple[Path, str]], tmp_path: Path, sheet: np.ndarray
) -> None:
    """One process reads them all (and a good sheet after them): no traceback, each
    refused with its reason, under 10 s a file and 500 MB."""
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), render_sheet(load_template("emc"), 150))
    files = [str(path) for path, _ in hostile.values()] + [str(good)]
    # VmHWM: the peak of this process's own memory (ru_maxrss would carry over the peak of
    # the pytest process it was forked from); no page out of bounds reaches pdftoppm.
    program = (
        "import re, sys; from pathlib import Path; from omr.cli.main import main; "
        "code = main(sys.argv[1:]); status = Path('/proc/self/status').read_text(); "
        "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr); "
        "sys.exit(code)"
    )
    out = tmp_path / "readings.json"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", program, "read", *files, "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    pages = json.loads(out.read_text())["pages"]
    assert [page["reasons"][0]["code"] for page in pages[:-1]] == [
        reason for _, reason in hostile.values()
    ]
    assert pages[-1]["status"] == "ok"
    assert elapsed < 10 * len(files)
    peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    assert peak_mb < 500, peak_mb


def test_the_page_limit_is_configurable(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "three.pdf", 3)
    assert _codes(pdf, max_pages=2) == [(1, "pages_too_many")]
    frames = [Image.new("L", (300, 400), 255) for _ in range(3)]
    tiff = _tiff(tmp_path / "three.tiff", frames)
    assert _codes(tiff, max_pages=2) == [(1, "pages_too_many")]
    assert _codes(tiff, max_pages=3) == [(1, "read"), (2, "read"), (3, "read")]


def _sheets(*serials: int) -> list[Image.Image]:
    emc = load_template("emc")
    return [Image.fromarray(render_sheet(emc, 100, serial=serial)) for serial in serials]


def strip_batch(path: Path) -> Path:
    """A TIFF of three pages whose second is a 6000 × 10 strip."""
    first, third = _sheets(1, 2)
    return _tiff(path, [first, Image.new("RGB", (6000, 10), "white"), third])


def test_a_strip_page_in_a_tiff_is_refused_alone(tmp_path: Path) -> None:
    tiff = strip_batch(tmp_path / "batch.tiff")
    readings = list(read_files([tiff], ReadOptions(template=load_template("emc"))))
    assert [(r.source.page, r.status) for r in readings] == [
        (1, "ok"),
        (2, "rejected"),
        (3, "ok"),
    ]
    assert readings[1].reasons[0].code == Reason.IMAGE_TOO_SMALL


@pytest.mark.parametrize("depth", ["16-bit", "float"])
def test_deep_gray_samples_are_scaled_not_clipped(
    tmp_path: Path, sheet: np.ndarray, depth: str
) -> None:
    if depth == "16-bit":
        deep = Image.fromarray(sheet.astype(np.uint16) * 257)
    else:
        deep = Image.fromarray(sheet.astype(np.float32) / 255)
    path = tmp_path / "deep.tiff"
    deep.save(path)
    (page,) = load_pages(path)
    assert isinstance(page, PageImage) and page.image.dtype == np.uint8
    assert np.abs(page.image.astype(int) - sheet).max() <= 1
    (reading,) = read_files([path], ReadOptions(template=load_template("emc")))
    assert reading.status == "ok"


_REFUSALS = {reason for reason in Reason if reason.severity is Severity.REJECT}


def _mutated(sheet: np.ndarray, shape: tuple[int, int], depth: str) -> Image.Image:
    """The sheet resized to ``shape`` (rows, columns) with samples of ``depth``."""
    image = cv2.resize(sheet, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    if depth == "16":
        return Image.fromarray(image.astype(np.uint16) * 257)
    if depth == "float":
        return Image.fromarray(image.astype(np.float32) / 255)
    return Image.fromarray(image)


def _write(path: Path, frames: list[Image.Image]) -> None:
    """Frames as a TIFF, or the first as a PNG (16-bit kept) or an 8-bit JPEG."""
    if path.suffix == ".tiff":
        _tiff(path, frames)
    elif path.suffix == ".png" and frames[0].mode == "F":
        deep = (np.asarray(frames[0]) * 65535).astype(np.uint16)
        Image.fromarray(deep).save(path)
    elif path.suffix == ".png":
        frames[0].save(path)
    else:
        frames[0].convert("L").save(path)


@settings(
    max_examples=40,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    height=st.sampled_from([1, 3, 150, 199, 200, 700, 1200]),
    width=st.sampled_from([1, 2, 150, 200, 900, 25000]),
    depth=st.sampled_from(["8", "16", "float"]),
    pages=st.integers(min_value=1, max_value=3),
    container=st.sampled_from(["tiff", "png", "jpg"]),
    cut=st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0)),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=4),
)
def test_ingest_reads_or_refuses_any_mutation_with_a_reason(
    tmp_path: Path,
    sheet: np.ndarray,
    height: int,
    width: int,
    depth: str,
    pages: int,
    container: str,
    cut: float | None,
    flips: list[tuple[float, int]],
) -> None:
    """Sizes, bit depths, page counts and bytes of a valid scan mutated: every page is
    decoded within bounds or refused with a registered reason, fast, never raised."""
    path = tmp_path / f"scan.{container}"
    _write(path, [_mutated(sheet, (height, width), depth) for _ in range(pages)])
    data = bytearray(path.read_bytes())
    for where, value in flips:
        if data:
            data[int(where * (len(data) - 1))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    path.write_bytes(bytes(data))
    started = time.perf_counter()
    for page in load_pages(path):
        if isinstance(page, PageImage):
            height_px, width_px = page.image.shape[:2]
            assert page.image.dtype == np.uint8
            assert min(height_px, width_px) >= ingest.MIN_SIDE_PX
            assert height_px * width_px <= ingest.MAX_PIXELS
        else:
            assert page.problem.code in _REFUSALS
            assert page.problem.message_ro
    assert time.perf_counter() - started < 3
