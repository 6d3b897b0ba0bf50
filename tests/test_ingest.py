"""Scanner files in every shape a room meets, and the ``omr read`` command on them."""

from __future__ import annotations

import json
import platform
import resource
import struct
import weakref
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, TiffImagePlugin
from reportlab.pdfgen.canvas import Canvas
from scansim.scanner import dithered, thresholded
from scansim.sheets import fill, render_sheet

from omr import process_memory
from omr.cli.main import main
from omr.process_memory import MMAP_THRESHOLD_MAX, kept_apart, page_buffer, reuse_large_buffers
from omr.reading import ingest
from omr.reading.ingest import _raw_tiff as raw_tiff
from omr.reading.ingest import load_pages
from omr.reading.pipeline import ReadOptions, read_file_page, read_files
from omr.sheet.template import load_template


def _png_header_only(path: Path, width: int, height: int) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))


def _reason(path: Path) -> str:
    (page,) = list(load_pages(path))
    assert not page
    return page.problem.code


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert _reason(path) == "file_empty"


def test_truncated_image(tmp_path: Path) -> None:
    source = tmp_path / "whole.png"
    cv2.imwrite(str(source), render_sheet_small())
    path = tmp_path / "truncated.png"
    path.write_bytes(source.read_bytes()[:3000])
    assert _reason(path) == "file_corrupt"


def test_garbage_file(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"this is not an image at all" * 10)
    assert _reason(path) == "file_corrupt"


def test_huge_image_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    _png_header_only(path, 20000, 20000)
    assert _reason(path) == "image_too_large"


def _pdf_without_pages() -> bytes:
    """A well-formed PDF (with its cross-reference table) whose page tree is empty."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    data, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 3\n0000000000 65535 f \n"
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return data + b"trailer\n<</Size 3/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref


def test_pdf_with_no_pages(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(_pdf_without_pages())
    assert _reason(path) == "pdf_no_pages"


def test_broken_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a PDF body\n%%EOF\n")
    assert _reason(path) == "file_corrupt"


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    postscript = tmp_path / "scan.ps"
    postscript.write_bytes(b"%!PS-Adobe-3.0\n")
    assert _reason(postscript) == "file_type_unsupported"
    assert _reason(tmp_path / "gone.png") == "file_missing"


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    canvas = Canvas(str(path), encrypt="secret-password")
    canvas.drawString(100, 100, "scan")
    canvas.showPage()
    canvas.save()
    assert _reason(path) == "pdf_encrypted"


def render_sheet_small():
    return render_sheet(load_template("emc"), 100)


def _tiff(path: Path, pages: list[np.ndarray], **options) -> Path:
    """``pages`` (BGR) written as one multi-page TIFF, as a scanner's batch."""
    frames = [Image.fromarray(cv2.cvtColor(page, cv2.COLOR_BGR2RGB)) for page in pages]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_lzw", **options)
    return path


def test_multipage_tiff_and_jpeg(tmp_path: Path, specializare) -> None:
    first = render_sheet(specializare, 200, serial=1)
    fill(first, specializare, 3, "c")
    second = render_sheet(specializare, 200, serial=2)
    tiff = _tiff(tmp_path / "batch.tiff", [first, second], dpi=(200, 200))
    jpeg = tmp_path / "third.jpg"
    cv2.imwrite(
        str(jpeg), render_sheet(specializare, 200, serial=3), [cv2.IMWRITE_JPEG_QUALITY, 80]
    )
    readings = list(read_files([tiff, jpeg], ReadOptions()))
    assert [(r.source.page, r.serial, r.status) for r in readings] == [
        (1, 1, "ok"),
        (2, 2, "ok"),
        (1, 3, "ok"),
    ]
    assert readings[0].answers["3"]["c"] == "filled"
    assert readings[0].source.sha256 == readings[1].source.sha256 != readings[2].source.sha256


def test_a_page_is_released_before_the_next_is_decoded(
    tmp_path: Path, specializare, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch holds one page image at a time when the consumer lets go of it."""
    sheets = [render_sheet(specializare, 150, serial=serial) for serial in (1, 2)]
    tiff = _tiff(tmp_path / "batch.tiff", sheets)
    previous: list[weakref.ref] = []
    alive_while_decoding = []
    decode = ingest._pil_to_page

    def watched(frame: Image.Image, *args) -> np.ndarray:
        alive_while_decoding.append(any(ref() is not None for ref in previous))
        return decode(frame, *args)

    monkeypatch.setattr(ingest, "_pil_to_page", watched)
    readings = read_files([tiff], ReadOptions())
    first = next(readings)
    previous.append(weakref.ref(first.page.source))
    first.page = None
    second = next(readings)
    assert alive_while_decoding == [False, False]
    assert (first.serial, second.serial) == (1, 2)


def test_a_page_read_alone_and_the_pages_counted(tmp_path: Path, specializare) -> None:
    """A file's pages counted from its headers, and one page read without the others (a
    file refused whole counts one page: its failure)."""
    sheets = [render_sheet(specializare, 150, serial=serial) for serial in (1, 2, 3)]
    tiff = _tiff(tmp_path / "batch.tiff", sheets)
    pdf = tmp_path / "two.pdf"
    canvas = Canvas(str(pdf))
    for _ in range(2):
        canvas.drawString(100, 100, "scan")
        canvas.showPage()
    canvas.save()
    garbage = tmp_path / "scan.jpg"
    garbage.write_bytes(b"not an image" * 10)
    assert ingest.page_count(tiff) == 3
    assert ingest.page_count(pdf) == 2
    assert ingest.page_count(tiff, max_pages=2) == 1  # refused as pages_too_many
    assert [ingest.page_count(path) for path in (garbage, tmp_path / "gone.png")] == [1, 1]
    second = read_file_page(tiff, 2, ReadOptions())
    assert (second.source.page, second.serial) == (2, 2)
    assert read_file_page(tiff, 4, ReadOptions()) is None


def _without_timings(reading) -> dict:  # noqa: ANN001
    return {k: v for k, v in reading.as_dict().items() if k != "timings_ms"}


def test_a_file_is_looked_at_once_for_all_its_pages(
    tmp_path: Path, specializare, monkeypatch
) -> None:
    """Each page read with what one look at its file found (hash, pages, a PDF's measures)
    reads as it does alone, and the file is hashed and pdfinfo asked once."""
    sheets = [render_sheet(specializare, 150, serial=serial) for serial in (1, 2, 3)]
    tiff = _tiff(tmp_path / "batch.tiff", sheets)
    pdf = tmp_path / "batch.pdf"
    first, *rest = [Image.fromarray(sheet) for sheet in sheets]
    first.save(pdf, save_all=True, append_images=rest, resolution=150)
    alone = {
        path: [read_file_page(path, n, ReadOptions()) for n in (1, 2, 3)] for path in (tiff, pdf)
    }
    calls = {"_pdf_info": 0, "file_sha256": 0}
    for name in calls:
        real = getattr(ingest, name)

        def counted(*args, _real=real, _name=name):  # noqa: ANN001, ANN202
            calls[_name] += 1
            return _real(*args)

        monkeypatch.setattr(ingest, name, counted)
    for path in (tiff, pdf):
        look = ingest.look_at(path)
        assert look.pages == 3 and (look.pdf_info is not None) == (path == pdf)
        looked = [read_file_page(path, n, ReadOptions(), look) for n in (1, 2, 3)]
        assert [_without_timings(r) for r in looked] == [_without_timings(r) for r in alone[path]]
        assert [r.serial for r in looked] == [1, 2, 3]
    assert calls == {"_pdf_info": 1, "file_sha256": 2}


@pytest.mark.parametrize(("dpi", "rendered", "coarse"), [(100, 100, True), (300, 200, False)])
def test_a_pdf_scan_is_rendered_no_finer_than_its_scan(
    tmp_path: Path, specializare, dpi: int, rendered: int, coarse: bool
) -> None:
    """A scanner's PDF holds its scan as an image over the page: a 100 dpi scan is rendered
    at 100 dpi, not upsampled to 200 (where it would read as fine as a 200 dpi scan and
    its pen lines be looked for at that scan's level), and warns as a 100 dpi image file
    does; a finer scan is rendered at 200 dpi, as a page of print is."""
    pdf = tmp_path / "scan.pdf"
    sheet = cv2.cvtColor(render_sheet(specializare, dpi, serial=3), cv2.COLOR_BGR2RGB)
    Image.fromarray(sheet).save(pdf, resolution=dpi)
    (page,) = load_pages(pdf)
    assert page.dpi == pytest.approx(rendered, abs=1)
    (reading,) = read_files([pdf], ReadOptions())
    assert reading.status == "ok"
    assert ("scan_coarse" in [w.code for w in reading.warnings]) == coarse
    printed = tmp_path / "printed.pdf"
    canvas = Canvas(str(printed))
    canvas.drawImage(str(_png(tmp_path, render_sheet(specializare, 100))), 0, 0, 60, 80)
    canvas.drawString(100, 100, "a form printed, a small picture on it")
    canvas.save()
    (page,) = load_pages(printed)
    assert page.dpi == ingest.PDF_DPI


@pytest.mark.parametrize("dpi", [200, 300])
def test_a_black_and_white_pdf_scan_is_its_own_black_and_white(
    tmp_path: Path, specializare, dpi: int
) -> None:
    """A scanner's black-and-white PDF holds its scan as a one-bit image (CCITT), which
    pdftoppm renders with its edges smoothed into greys: read as a gray scan, a dithered
    page flagged bubbles its own image does not, and a thresholded one was read, its
    pen's thin lines lost. The page is its own black and white again: a dithered one
    reads as the same image in a PNG does, bubble for bubble, at its own resolution; a
    thresholded one is refused (``scan_thresholded``), as its PNG is."""
    sheet = render_sheet(specializare, dpi, serial=4)
    for question, option in ((1, "a"), (2, "b"), (3, "c"), (4, "a")):
        fill(sheet, specializare, question, option)
    gray = cv2.cvtColor(sheet, cv2.COLOR_BGR2GRAY)
    written = {"dithered": dithered(gray), "thresholded": thresholded(gray)}
    for name, bilevel in written.items():
        picture = Image.fromarray(bilevel.astype(np.uint8)).convert("1")
        pdf, png = tmp_path / f"{name}.pdf", tmp_path / f"{name}.png"
        picture.save(pdf, resolution=dpi)
        picture.save(png, dpi=(dpi, dpi))
        (from_pdf,), (from_png,) = load_pages(pdf), load_pages(png)
        assert from_pdf.dpi == pytest.approx(dpi, abs=1)
        assert np.array_equal(from_pdf.image, from_png.image)
        (read_pdf,) = read_files([pdf], ReadOptions())
        (read_png,) = read_files([png], ReadOptions())
        assert [b["state"] for b in read_pdf.bubbles] == [b["state"] for b in read_png.bubbles]
        codes = [reason.code for reason in read_pdf.reasons]
        assert codes == (["scan_thresholded"] if name == "thresholded" else [])
        assert read_pdf.answers == read_png.answers


def _turned_bilevel_pdf(path: Path, upright: np.ndarray, dpi: int) -> Path:
    """A one-page PDF holding ``upright`` (black and white) turned a quarter against the
    clock, one bit a pixel (Flate), on a page whose /Rotate 90 shows it upright: as a
    scanner that fed a sheet sideways writes it."""
    stored = np.rot90(upright)
    height, width = stored.shape
    data = zlib.compress(np.packbits(stored > 0, axis=1).tobytes())
    side_w, side_h = width * 72 / dpi, height * 72 / dpi
    content = f"q {side_w:.2f} 0 0 {side_h:.2f} 0 0 cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {side_w:.2f} {side_h:.2f}] /Rotate 90 "
        "/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 1 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (width, height, len(data), data),
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(pdf)
    return path


def test_a_black_and_white_pdf_scan_fed_sideways_is_its_own_image_turned(
    tmp_path: Path, specializare
) -> None:
    """A page that shows its one-bit image turned (/Rotate 90) is that image turned as the
    page shows it, pixel for pixel: a dithered one reads as its PNG does, a thresholded
    one is refused."""
    gray = cv2.cvtColor(render_sheet(specializare, 200, serial=5), cv2.COLOR_BGR2GRAY)
    for bilevel, refused in ((dithered(gray), False), (thresholded(gray), True)):
        upright = bilevel.astype(np.uint8)
        pdf = _turned_bilevel_pdf(tmp_path / "sideways.pdf", upright, 200)
        (page,) = load_pages(pdf)
        assert np.array_equal(page.image, upright)
        (reading,) = read_files([pdf], ReadOptions())
        assert [reason.code for reason in reading.reasons] == (
            ["scan_thresholded"] if refused else []
        )


def test_a_pdf_pages_own_bilevel_image_is_taken_only_where_it_is_the_page(
    monkeypatch,  # noqa: ANN001
) -> None:
    """The one image a PDF page holds is taken for the page where it is the page as
    rendered, black and white wherever the render left a pixel so: turned as the page
    shows it (its /Rotate), it is turned back. Inverted, or placed elsewhere, the render
    stands, each grey sent to the nearer of black and white."""
    own = np.full((300, 200), 255, np.uint8)
    own[100:140, 50:90] = 0
    own[100:140:2, 60] = 255  # a dither's lone white dots
    rendered = own.copy()
    rendered[140, 50:90] = 100  # an edge the render smoothed
    rendered[100:140:2, 60] = 160
    for shown, expected in (
        (own, own),  # the page as it is
        (np.rot90(own), own),  # the page shows its image turned a quarter
        (255 - own, thresholded(rendered)),  # inverted
        (np.roll(own, 40, axis=1), thresholded(rendered)),  # placed elsewhere
    ):
        monkeypatch.setattr(ingest, "_own_image", lambda path, number, shown=shown: shown)
        page = ingest._bilevel_scan("scan.pdf", 1, rendered)
        assert page.dtype == np.uint8 and np.array_equal(page, expected)


def test_a_pdf_pages_scan_is_bilevel_where_every_image_is_and_it_fits_whole() -> None:
    """A page of one black-and-white scan is rendered at its own resolution, to be made
    black and white again; a page of mixed raster (a black-and-white layer over a gray
    one) is a gray scan; so is a black-and-white scan too large to render whole (an A4
    page at 1200 dpi: 139 megapixels), rendered down at 200 dpi, its dots averaged."""
    a4 = (595.0, 842.0)
    alone = [ingest._PdfImage(1654 * 2339, 200.0, True)]
    scan = ingest._page_scan(alone, a4)
    assert scan is not None and scan.bilevel and ingest._render_dpi(scan) == 200.0
    fine = ingest._page_scan([ingest._PdfImage(3307 * 4677, 400.0, True)], a4)
    assert fine is not None and fine.bilevel and ingest._render_dpi(fine) == 400.0
    mixed = ingest._page_scan([*alone, ingest._PdfImage(827 * 1170, 100.0, False)], a4)
    assert mixed is not None and not mixed.bilevel and ingest._render_dpi(mixed) == 200.0
    huge = ingest._page_scan([ingest._PdfImage(9921 * 14032, 1200.0, True)], a4)
    assert huge is not None and not huge.bilevel and ingest._render_dpi(huge) == 200.0


def _png(folder: Path, image: np.ndarray) -> Path:
    path = folder / "picture.png"
    cv2.imwrite(str(path), image)
    return path


def test_photocopy_and_duplicate_file_are_rejected(tmp_path: Path, specializare) -> None:
    sheet = render_sheet(specializare, 200, serial=9)
    original, copy = tmp_path / "a.png", tmp_path / "b.jpg"
    cv2.imwrite(str(original), sheet)
    cv2.imwrite(str(copy), sheet)  # a different file of the same sheet
    again = tmp_path / "c.png"
    again.write_bytes(original.read_bytes())
    readings = list(read_files([original, copy, again], ReadOptions()))
    assert readings[0].status == "ok"
    assert [r.reasons[-1].code for r in readings[1:]] == ["duplicate_serial", "duplicate_file"]
    assert all(r.status == "rejected" for r in readings[1:])


def test_read_command_writes_json_overlays_and_crops(tmp_path: Path, specializare) -> None:
    sheet = render_sheet(specializare, 200, serial=5, variant="B")
    fill(sheet, specializare, 1, "a")
    scan = tmp_path / "sheet.png"
    cv2.imwrite(str(scan), sheet)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    out = tmp_path / "readings.json"
    code = main(
        ["read", str(scan), str(empty), "--json", str(out), "--overlay", str(tmp_path / "overlays")]
    )
    assert code == 1  # one page rejected
    document = json.loads(out.read_text())
    assert document["schema"] == "omr.reading/1"
    good, bad = document["pages"]
    assert good["status"] == "ok" and good["answers"]["1"] == {
        "a": "filled",
        "b": "blank",
        "c": "blank",
    }
    assert good["variant"] == "B" and good["serial"] == 5
    assert set(good["timings_ms"]) >= {"decode", "registration", "marks", "identity", "overlay"}
    assert bad["status"] == "rejected" and bad["reasons"][0]["code"] == "file_empty"
    assert (tmp_path / "overlays" / "sheet-p1-overlay.png").exists()
    assert Path(good["crops"]["name"]).exists()


def test_read_command_missing_file(tmp_path: Path, capsys) -> None:
    assert main(["read", str(tmp_path / "nothing.png")]) == 2
    assert "file_missing" in capsys.readouterr().err


@pytest.mark.parametrize("template", ["emc", "rezidentiat"])
def test_template_is_chosen_from_the_sheet(tmp_path: Path, template: str) -> None:
    scan = tmp_path / "scan.png"
    cv2.imwrite(str(scan), render_sheet(load_template(template), 150))
    (reading,) = read_files([scan], ReadOptions())
    assert reading.template == template and reading.status == "ok"


def test_the_next_page_reuses_the_memory_of_the_last(tmp_path: Path, specializare) -> None:
    """Page-sized buffers come back from the heap, not from thousands of page faults."""
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc: the allocator is left as it is")
    reuse_large_buffers()  # what the CLI and the station's reading worker opt into
    scan = tmp_path / "sheet.jpg"
    cv2.imwrite(str(scan), render_sheet(specializare, 200, serial=1))
    faults = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        (reading,) = read_files([scan], ReadOptions())
        reading.page = None
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    # A fresh A4 page at 200 dpi is 3,000 4-KiB pages (12 MB) for the scan alone.
    assert faults[-1] < 300, faults


def test_a_page_past_the_heaps_limit_reuses_the_last_ones_memory_once_let_go() -> None:
    """A decoded page too large for the heap to keep (an A3 page at 300 dpi in colour)
    is decoded into the last one's memory, never while an array of that page lives."""
    if not reuse_large_buffers():
        pytest.skip("not glibc: the allocator is left as it is")
    size = MMAP_THRESHOLD_MAX + 4096
    assert page_buffer(MMAP_THRESHOLD_MAX) is None  # the heap keeps it
    first = page_buffer(size)
    assert first is not None and first.size == size
    held = first[:10].reshape(2, 5)  # a view of the page, still in use
    del first
    second = page_buffer(size)
    assert second is not None and not np.shares_memory(second, held)
    address = second.ctypes.data
    del second
    third = page_buffer(size - 1)  # smaller: the same memory
    assert third is not None and third.ctypes.data == address and third.size == size - 1


def test_a_page_still_held_keeps_its_pixels_when_the_next_is_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's decoded scan (held by a result, an overlay) is never written over by the
    next page decoded into the kept memory: its pixels stay what they were."""
    if not reuse_large_buffers():
        pytest.skip("not glibc: the allocator is left as it is")
    monkeypatch.setattr(process_memory, "MMAP_THRESHOLD_MAX", 1024)  # small pages kept too
    first_path, second_path = tmp_path / "first.jpg", tmp_path / "second.jpg"
    cv2.imwrite(str(first_path), np.full((300, 240, 3), 40, np.uint8))
    cv2.imwrite(str(second_path), np.full((300, 240, 3), 220, np.uint8))
    (first,) = list(load_pages(first_path))
    held = first.image[100:110]  # a part of the first page, still in use
    first_pixels = held.copy()
    del first
    (second,) = list(load_pages(second_path))
    assert np.array_equal(held, first_pixels)
    assert int(second.image.mean()) > 200 and not np.shares_memory(second.image, held)


def test_what_a_process_keeps_for_good_is_mapped_apart_from_the_heap() -> None:
    """A template's tables made while a page is read live in their own mapping: zeroed,
    writable, of the shape asked for (an empty one too)."""
    kept = kept_apart((3, 4), np.float32)
    assert kept.shape == (3, 4) and kept.dtype == np.float32 and not kept.any()
    kept[1, 2] = 5.0
    assert kept.sum() == 5.0
    assert kept_apart((0, 4), np.uint8).shape == (0, 4)


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("strip_size", [None, 4096])
def test_an_uncompressed_tiff_reads_as_pillow_unpacks_it(
    tmp_path: Path, mode: str, strip_size: int | None
) -> None:
    """An uncompressed TIFF page, in one strip or many, is copied from the file's bytes to
    the pixels Pillow's own decoding gives (colour as BGR)."""
    rng = np.random.default_rng(18)
    pixels = rng.integers(0, 256, (301, 203, 3), np.uint8)
    image = Image.fromarray(pixels if mode == "RGB" else pixels[..., 1])
    path = tmp_path / "page.tif"
    if strip_size is None:
        image.save(path, dpi=(300, 300))
    else:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(TiffImagePlugin, "WRITE_LIBTIFF", True)
            image.save(path, dpi=(300, 300), strip_size=strip_size)
    assert all(tuple(tile)[0] == "raw" for tile in Image.open(path).tile)
    copied = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest, "_raw_tiff", lambda *a: copied.append(raw_tiff(*a)) or copied[-1])
        (page,) = list(load_pages(path))
    assert copied and copied[0] is not None  # copied from the file's bytes, not by Pillow
    expected = pixels[..., ::-1] if mode == "RGB" else pixels[..., 1]
    assert np.array_equal(page.image, expected)


@pytest.mark.parametrize("compression", ["tiff_lzw", "packbits"])
def test_a_compressed_or_cut_tiff_is_left_to_pillow(tmp_path: Path, compression: str) -> None:
    """A compressed TIFF is decoded by Pillow, to the same pixels; an uncompressed one cut
    short is a damaged file, said so, not a crash."""
    pixels = np.random.default_rng(5).integers(0, 256, (260, 220, 3), np.uint8)
    path = tmp_path / "page.tif"
    Image.fromarray(pixels).save(path, dpi=(300, 300), compression=compression)
    (page,) = list(load_pages(path))
    assert np.array_equal(page.image, pixels[..., ::-1])
    whole = tmp_path / "whole.tif"
    Image.fromarray(pixels).save(whole, dpi=(300, 300))
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    (failure,) = list(load_pages(cut))
    assert not failure and failure.problem.code == "file_corrupt"
