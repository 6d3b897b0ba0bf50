"""Ingest: scanner files (PNG, JPEG, TIFF, PDF) to page images.

Every page keeps where it came from (path, page number, the file's sha256). A file that
cannot be decoded yields :class:`PageFailure` values instead of raising, so one bad file
never stops a batch. This is the only place that converts pixels: every later stage
receives a :class:`PageImage` whose ``image`` is ``(H, W)`` or ``(H, W, 3)`` BGR uint8.

A page is decoded at the resolution the reading needs (:class:`ReadingSize`), not finer: a
JPEG by libjpeg-turbo's scaled decoding (1/2, 1/4 or 1/8 of its size: only its entropy
decoding costs the full size), any other page shrunk once, as soon as it is decoded.

Every page is bounded before it is decoded or rendered: its size comes from the image's
header (a TIFF page's from its IFD) or from the PDF's page box at the reading resolution,
and a file's pages are counted up to the limit before the first is decoded.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import simplejpeg
from PIL import ExifTags, Image, ImageOps, ImageSequence, UnidentifiedImageError

from omr.process_memory import page_buffer
from omr.reading.channels import is_bilevel, is_bilevel_sample
from omr.sheet.template import MM_PER_INCH
from omr.vocabulary.reasons import Problem, Reason

MAX_PIXELS = 80_000_000  # an A3 page at 600 dpi is 70 Mpx
# A4's short side at 50 dpi is 413 px, and marker search halves the page down to 600 px:
# below 200 px no sheet can be read; 1 px and 10 px strips break OpenCV's filters.
MIN_SIDE_PX = 200
# An A3 page's long side at 1200 dpi is 19 843 px; a longer side is no scan of a sheet.
MAX_SIDE_PX = 20_000
MAX_PAGES = 500  # pages of one file; a scanner's batch of a room is well under
PDF_DPI = 200  # a PDF page rendered as a 200 dpi scan: 7.9 px/mm, template space's 8
# A PDF page that holds a scan (an image over half the page or more) is rendered at the
# scan's own resolution when that is coarser: rendered at 200 dpi, a 100 dpi scan would be
# upsampled and read as fine as 200 dpi (the stroke levels follow the scan's own pixel).
SCAN_IMAGE_SHARE = 0.5
EXIF_TURNS = range(2, 9)  # the orientations that turn or flip a page
BAND_ROWS = 256  # rows of a decoded page Pillow writes out at once
PDF_RENDER_SECONDS = 60  # one page rendered by pdftoppm; a sheet takes well under 1 s
# What Pillow raises on a damaged file (a truncated TIFF's missing tag is a KeyError, then
# a TypeError "Missing dimensions"; found by the ingest fuzz test).
_PILLOW_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, EOFError)
# The JPEG colour spaces libjpeg-turbo is asked for directly, and the layout wanted of each.
_JPEG_SPACES = {"Gray": "GRAY", "YCbCr": "BGR"}
# What a scanner writes, read by Pillow (a PDF goes to pdftoppm).
RASTER_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
# A file's dpi is the page's when it makes a page of a template's size within a tenth (a
# scan's margins past the sheet, a page cropped to its print); a dpi further off (a
# converter's default, 72 or 96) says nothing of the page.
DPI_SIZE_SLACK = 0.1


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a page came from."""

    path: str
    page: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "page": self.page, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class ReadingSize:
    """The resolution a reading needs: at least ``px_per_mm`` on a page whose long side
    is between ``long_mm`` (shortest, longest): the templates' the page is read against."""

    px_per_mm: float
    long_mm: tuple[float, float]

    def reduction(self, width: int, height: int, dpi: float | None) -> int:
        """By how much (1, 2, 4 or 8) a page of ``width`` × ``height`` px scanned at
        ``dpi`` may be shrunk and keep :attr:`px_per_mm`.

        The page's resolution is its ``dpi`` when that makes a page of a template's size,
        else the least it can be: the longest template's page over the whole scan.
        """
        long_px = max(width, height)
        shortest, longest = self.long_mm
        per_mm = long_px / longest
        at_dpi = long_px / dpi * MM_PER_INCH if dpi else 0.0
        if dpi and shortest * (1 - DPI_SIZE_SLACK) <= at_dpi <= longest * (1 + DPI_SIZE_SLACK):
            per_mm = dpi / MM_PER_INCH
        factor = 1
        while factor < 8 and per_mm / (2 * factor) >= self.px_per_mm:
            factor *= 2
        return factor


@dataclass(frozen=True, slots=True)
class PageImage:
    """A decoded page: ``image`` is (H, W) gray or (H, W, 3) BGR uint8."""

    source: SourceRef
    image: np.ndarray
    dpi: float | None

    @property
    def is_colour(self) -> bool:
        return self.image.ndim == 3


@dataclass(frozen=True, slots=True)
class PageFailure:
    """A page (or whole file) that could not be decoded, and why (falsy)."""

    source: SourceRef
    problem: Problem

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class FileLook:
    """One look at a whole file: its sha256, its pages as :func:`page_count` counts them
    and, for a PDF that pdfinfo measured, pdfinfo's answer. Handed to the reading of each
    of its pages, so that none reads, hashes or measures the whole file again."""

    sha256: str
    pages: int
    pdf_info: dict[str, object] | None = None


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _to_uint8(array: np.ndarray) -> np.ndarray:
    """Samples of any depth scaled to 0–255: 16-bit by its full range (not clipped, not
    stretched), floats in 0–1 by 255, other depths by their own range."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if array.dtype == np.uint16:
        return cv2.convertScaleAbs(array, alpha=255 / 65535)
    values = np.nan_to_num(array.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(values.min()), float(values.max())
    if array.dtype.kind == "f" and low >= 0.0 and high <= 1.0:
        return cv2.convertScaleAbs(values, alpha=255.0)
    return cv2.normalize(values, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


def _normalise(array: np.ndarray) -> np.ndarray:
    """Gray stays (H, W); colour becomes BGR, or gray when all channels are equal."""
    array = _to_uint8(array)
    if array.ndim == 3 and array.shape[2] == 4:
        array = cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    if array.ndim == 3 and array.shape[2] == 3 and _looks_gray(array[::16, ::16]):
        return np.ascontiguousarray(array[..., 1])
    return array


def _looks_gray(sample: np.ndarray) -> bool:
    """Whether a colour page's ``sample`` (every 16th pixel) has its three channels alike
    within a JPEG's rounding: a gray page saved in colour."""
    sample = sample.astype(np.int16)
    return bool(
        np.abs(sample[..., 0] - sample[..., 1]).max() <= 2
        and np.abs(sample[..., 1] - sample[..., 2]).max() <= 2
    )


def _pil_to_page(
    frame: Image.Image, factor: int = 1, loaded: Callable[[], None] | None = None
) -> np.ndarray:
    """A decoded frame as a page array shrunk by ``factor`` (see :func:`_shrunk`), turned
    as its EXIF says and converted once (no copy of a page that needs no turn: Pillow's
    ``exif_transpose`` would make one); ``loaded`` called once the file is read no more."""
    frame.load()
    turned = _turned(frame)
    if loaded is not None:
        loaded()
    if turned:
        frame = ImageOps.exif_transpose(frame)
    if frame.mode in {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}:
        # Deep samples scaled, not clipped to white.
        return _shrunk(_normalise(np.asarray(frame)), factor)
    if frame.mode in {"1", "L"}:
        gray = frame if frame.mode == "L" else frame.convert("L")
        return _shrunk(_normalise(_pixels(gray, "L")), factor)
    colour = frame if frame.mode == "RGB" else frame.convert("RGB")
    if factor > 1 and colour.width % factor == 0 and colour.height % factor == 0:
        page = _colour_shrunk(colour, factor)
        if page is not None:
            return page
    return _shrunk(_normalise(_pixels(colour, "BGR")), factor)


def _turned(frame: Image.Image) -> bool:
    """Whether the frame's EXIF orientation turns or flips the page."""
    return frame.getexif().get(ExifTags.Base.Orientation, 1) in EXIF_TURNS


def _pixels(image: Image.Image, rawmode: str) -> np.ndarray:
    """An L or RGB image's pixels as (H, W) gray or (H, W, 3) ``rawmode`` uint8, written
    out by Pillow a band of rows at a time (its whole-image bytes are joined from parts:
    two copies of the page at once)."""
    channels = len(rawmode)
    pixels = np.empty((image.height, image.width, channels), np.uint8)
    for top, band in _bands(image, rawmode):
        pixels[top : top + len(band)] = band
    return pixels[..., 0] if channels == 1 else pixels


def _bands(image: Image.Image, rawmode: str) -> Iterator[tuple[int, np.ndarray]]:
    """The image's rows ``BAND_ROWS`` at a time: (top row, (rows, W, channels) uint8)."""
    for top in range(0, image.height, BAND_ROWS):
        band = image.crop((0, top, image.width, min(top + BAND_ROWS, image.height)))
        raw = np.frombuffer(band.tobytes("raw", rawmode), np.uint8)
        yield top, raw.reshape(band.height, image.width, len(rawmode))


def _colour_shrunk(image: Image.Image, factor: int) -> np.ndarray | None:
    """``_shrunk(_normalise(_pixels(image, "BGR")), factor)`` of an RGB image whose sides
    ``factor`` divides, the same pixels, without the page at its full size: each band
    shrunk as it is written out (2 × 2 means of the band's are the page's). None for a
    gray page that :func:`_shrunk` keeps whole (bi-level): that one is made whole."""
    small = np.empty((image.height // factor, image.width // factor, 3), np.uint8)
    grays, greens = [], []  # _normalise's and is_bilevel's samples, band by band
    for top, band in _bands(image, "BGR"):
        grays.append(band[-top % 16 :: 16, ::16])
        greens.append(band[-top % 7 :: 7, ::7, 1])
        rows = slice(top // factor, (top + len(band)) // factor)
        small[rows] = cv2.resize(
            band, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA
        )
    if not _looks_gray(np.concatenate(grays)):
        return small
    if is_bilevel_sample(np.concatenate(greens)):
        return None
    return np.ascontiguousarray(small[..., 1])


def _dpi_of(frame: Image.Image) -> float | None:
    dpi = frame.info.get("dpi")
    if dpi and dpi[0]:
        return float(dpi[0])
    return None


def size_problem(page: int, width: int, height: int) -> Problem | None:
    """Why a page of ``width`` × ``height`` px is not decoded, or None when it may be."""
    size = f"{width} × {height} px"
    if width * height > MAX_PIXELS:
        return Problem(Reason.IMAGE_TOO_LARGE, size=size, limit_mp=MAX_PIXELS // 1_000_000)
    if max(width, height) > MAX_SIDE_PX:
        return Problem(Reason.IMAGE_TOO_LONG, page=page, size=size, limit=MAX_SIDE_PX)
    if min(width, height) < MIN_SIDE_PX:
        return Problem(Reason.IMAGE_TOO_SMALL, page=page, size=size, minimum=MIN_SIDE_PX)
    return None


def _frame_count(picture: Image.Image, limit: int) -> int:
    """The file's frames, counted up to ``limit + 1`` from their headers alone."""
    count = 1
    while count <= limit:
        try:
            picture.seek(count)
        except EOFError:
            break
        count += 1
    picture.seek(0)
    return count


def _raster_pages(
    path: str, data: bytes, sha: str, max_pages: int, only: int | None, size: ReadingSize | None
) -> Iterator[PageImage | PageFailure]:
    first = SourceRef(path, 1, sha)
    # The file's bytes live in the stream alone: closed, they are let go (a 300 dpi TIFF's
    # 30 MB, once Pillow holds its page).
    stream = io.BytesIO(data)
    del data
    try:
        picture = Image.open(stream)
        frames = _frame_count(picture, max_pages)
    except Image.DecompressionBombError as error:
        # Pillow's own words are English: only the pixel count it names is kept.
        pixels = max((int(n) for n in re.findall(r"\d+", str(error))), default=0)
        size = f"{pixels // 1_000_000} Mpx"
        yield PageFailure(
            first, Problem(Reason.IMAGE_TOO_LARGE, size=size, limit_mp=MAX_PIXELS // 1_000_000)
        )
        return
    except (UnidentifiedImageError, *_PILLOW_ERRORS) as error:
        yield PageFailure(first, Problem(Reason.FILE_CORRUPT, page=1, error=str(error)))
        return
    if frames > max_pages:
        yield PageFailure(first, Problem(Reason.PAGES_TOO_MANY, pages=frames, limit=max_pages))
        return
    last = frames if only is None else min(only, frames)
    for number, frame in enumerate(ImageSequence.Iterator(picture), start=1):
        if only is not None and number != only:
            continue
        source = SourceRef(path, number, sha)
        refusal = size_problem(number, *frame.size)
        if refusal is not None:
            yield PageFailure(source, refusal)
            continue
        dpi = _dpi_of(frame)
        factor = 1 if size is None else size.reduction(*frame.size, dpi)
        try:
            # Not kept in a local: the page is released while the next one is decoded.
            image = _decode(picture, frame, frames, stream, factor)
            page = PageImage(source, image, dpi and dpi / factor)
            del image
        except (*_PILLOW_ERRORS, cv2.error) as error:
            yield PageFailure(source, Problem(Reason.FILE_CORRUPT, page=number, error=str(error)))
            continue
        if number == last:
            picture.close()  # Pillow's copy of the last page released while it is read
            stream.close()
        yield page
        del page
        if number == last:
            return


def _decode(
    picture: Image.Image, frame: Image.Image, frames: int, stream: io.BytesIO, factor: int
) -> np.ndarray:
    """One frame as a page array shrunk by ``factor`` (libjpeg-turbo through simplejpeg
    decodes a JPEG to BGR twice as fast as OpenCV, to the same pixels; OpenCV decodes
    single PNG images faster than Pillow; an uncompressed TIFF page kept whole is copied
    from the file's bytes). The file's ``stream`` is closed once Pillow holds the page of
    a single-page file it decodes."""
    if frames == 1 and picture.format in {"PNG", "JPEG"} and not _has_exif_turn(frame):
        data = stream.getvalue()  # the bytes themselves, not a copy
        if picture.format == "JPEG":
            array = _jpeg(data, factor)
            if array is not None:
                return _normalise(array)
        array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        if array is None:
            raise OSError("truncated or corrupt image data")
        return _shrunk(_normalise(array), factor)
    if factor == 1 and picture.format == "TIFF" and not _turned(frame):
        array = _raw_tiff(frame, stream.getvalue())
        if array is not None:
            return _normalise(array)
    return _pil_to_page(frame, factor, stream.close if frames == 1 else None)


def _raw_tiff(frame: Image.Image, data: bytes) -> np.ndarray | None:
    """An uncompressed 8-bit RGB or gray TIFF frame from the file's ``data`` as they lie
    (strip by strip, the colour turned to BGR as it is copied): (H, W, 3) BGR or (H, W)
    gray, the pixels Pillow unpacks, without its copy of the page and its band by band
    writing out; None for any other layout (Pillow then decodes it, and says what is
    wrong with a damaged file)."""
    if frame.mode not in {"RGB", "L"}:
        return None
    channels, (width, height) = len(frame.mode), frame.size
    page = np.empty((height, width, channels), np.uint8)
    row = 0
    for codec, extents, offset, args in (tuple(tile)[:4] for tile in frame.tile):
        (left, top, right, bottom) = extents  # by position: Pillow 10's tiles are tuples
        size = (bottom - top) * width * channels
        if (
            codec != "raw"
            or tuple(args) != (frame.mode, 0, 1)  # packed rows, top to bottom
            or (left, top, right) != (0, row, width)
            or offset + size > len(data)
        ):
            return None
        strip = np.frombuffer(data, np.uint8, size, offset).reshape(bottom - top, width, channels)
        if channels == 1:
            page[top:bottom] = strip
        else:
            cv2.cvtColor(strip, cv2.COLOR_RGB2BGR, dst=page[top:bottom])
        row = bottom
    if row != height:
        return None
    return page[..., 0] if channels == 1 else page


def _shrunk(page: np.ndarray, factor: int) -> np.ndarray:
    """``page`` shrunk ``factor`` times (each pixel the mean of its ``factor`` × ``factor``
    block); a bi-level page is kept whole, its halftone cells read as they are scanned."""
    if factor == 1 or is_bilevel(page):
        return page
    return cv2.resize(page, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)


def _jpeg(data: bytes, factor: int) -> np.ndarray | None:
    """A gray or YCbCr JPEG decoded by libjpeg-turbo at 1/``factor`` of its size (its
    DCT scaled): (H, W) gray or (H, W, 3) BGR; None for another colour space or data that
    libjpeg-turbo's strict mode refuses (OpenCV then decodes it, as leniently as ever)."""
    try:
        height, width, space, _ = simplejpeg.decode_jpeg_header(data)
        if space not in _JPEG_SPACES:
            return None
        height, width = -(-height // factor), -(-width // factor)
        array = simplejpeg.decode_jpeg(
            data,
            _JPEG_SPACES[space],
            min_height=height,
            min_width=width,
            buffer=page_buffer(height * width * (1 if space == "Gray" else 3)),
        )
    except ValueError:
        return None
    return array[..., 0] if space == "Gray" else array


def _has_exif_turn(frame: Image.Image) -> bool:
    # A PNG's eXIf chunk comes before its image data (PNG 3rd edition), so the header
    # read has found it; ``getexif`` would otherwise decode the whole image looking.
    if frame.format == "PNG" and "exif" not in frame.info:
        return False
    try:
        return frame.getexif().get(0x0112, 1) != 1
    except (OSError, SyntaxError, ValueError):
        return False


def _pdf_page_pts(info: dict[str, object], number: int) -> tuple[float, float] | None:
    """A page's size in points from pdfinfo's ``Page N size: W x H pts``."""
    parts = str(info.get(f"Page {number:4d} size", "")).split()
    try:
        return float(parts[0]), float(parts[2])
    except (IndexError, ValueError):
        return None


class _PdfImage(NamedTuple):
    """An image a PDF page holds: its pixels, its coarser ppi, and whether it is bi-level
    (one bit a pixel: a scanner's black-and-white mode)."""

    pixels: int
    ppi: float
    bilevel: bool


def _pdf_images(path: str, first: int, last: int) -> dict[int, list[_PdfImage]]:
    """The images pages ``first`` to ``last`` of a PDF hold, by page (one ``pdfimages
    -list`` for them all; none where it fails)."""
    try:
        listed = subprocess.run(
            ["pdfimages", "-list", "-f", str(first), "-l", str(last), path],
            capture_output=True,
            text=True,
            timeout=PDF_RENDER_SECONDS,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    images: dict[int, list[_PdfImage]] = {}
    # page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    for row in listed.splitlines()[2:]:
        fields = row.split()
        try:
            page, kind, width, height = int(fields[0]), fields[2], int(fields[3]), int(fields[4])
            components, bits = int(fields[6]), int(fields[7])
            ppi = min(float(fields[12]), float(fields[13]))
        except (IndexError, ValueError):
            continue
        if kind == "image" and ppi > 0:
            bilevel = components == 1 and bits == 1
            images.setdefault(page, []).append(_PdfImage(width * height, ppi, bilevel))
    return images


def _page_scan(images: list[_PdfImage], page_pts: tuple[float, float]) -> _PdfImage | None:
    """The scan a PDF page holds: the largest of its ``images`` that covers
    ``SCAN_IMAGE_SHARE`` of the page's ``page_pts`` at least (None: a page of print);
    bi-level only where every image on the page is (a page of mixed raster lays a
    black-and-white layer over a gray or colour one: its render is a gray scan); and read
    as a gray scan where, bi-level, it is too large to render whole at its own resolution
    (:func:`_render_dpi`: rendered down, its dots averaged to tones)."""
    page_area = page_pts[0] * page_pts[1] / 72**2  # square inches
    scans = [
        image for image in images if image.pixels / image.ppi**2 >= SCAN_IMAGE_SHARE * page_area
    ]
    if not scans:
        return None
    scan = max(scans)
    whole = size_problem(1, *_page_px(page_pts, scan.ppi)) is None
    return scan._replace(bilevel=all(image.bilevel for image in images) and whole)


def _page_px(page_pts: tuple[float, float], dpi: float) -> tuple[int, int]:
    """A PDF page's size in pixels rendered at ``dpi``."""
    width, height = (round(side / 72 * dpi) for side in page_pts)
    return width, height


def _render_dpi(scan: _PdfImage | None) -> float:
    """The resolution a PDF page is rendered at: ``PDF_DPI``, or the ``scan`` it holds
    where that is coarser (a page of print alone at ``PDF_DPI``); a bi-level scan at its
    own, whole, as a bi-level image file is kept for its halftone cells."""
    if scan is None:
        return float(PDF_DPI)
    return scan.ppi if scan.bilevel else min(float(PDF_DPI), scan.ppi)


def _pdf_info(path: str, max_pages: int) -> dict[str, object]:
    """pdfinfo's answer for the file's first ``max_pages`` pages (its page sizes too)."""
    from pdf2image import pdfinfo_from_path

    return pdfinfo_from_path(path, first_page=1, last_page=max_pages, timeout=PDF_RENDER_SECONDS)


def _pdf_pages(
    path: str, sha: str, max_pages: int, only: int | None, info: dict[str, object] | None
) -> Iterator[PageImage | PageFailure]:
    """The pages of a PDF (``info``: pdfinfo's answer already at hand, else asked for)."""
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    source = SourceRef(path, 1, sha)
    try:
        info = info if info is not None else _pdf_info(path, max_pages)
        pages = int(info.get("Pages", 0))
    except PDFInfoNotInstalledError:
        yield PageFailure(source, Problem(Reason.PDF_UNSUPPORTED))
        return
    except (PDFPageCountError, PDFSyntaxError, ValueError) as error:
        text = str(error).lower()
        if "page count 0" in text:
            yield PageFailure(source, Problem(Reason.PDF_NO_PAGES))
        elif "password" in text or "encrypt" in text:
            yield PageFailure(source, Problem(Reason.PDF_ENCRYPTED))
        else:
            yield PageFailure(source, Problem(Reason.FILE_CORRUPT, page=1, error=str(error)))
        return
    except subprocess.TimeoutExpired:
        yield PageFailure(source, Problem(Reason.FILE_CORRUPT, page=1, error="pdfinfo timed out"))
        return
    if str(info.get("Encrypted", "no")).startswith("yes"):
        yield PageFailure(source, Problem(Reason.PDF_ENCRYPTED))
        return
    if pages < 1:
        yield PageFailure(source, Problem(Reason.PDF_NO_PAGES))
        return
    if pages > max_pages:
        yield PageFailure(source, Problem(Reason.PAGES_TOO_MANY, pages=pages, limit=max_pages))
        return
    wanted = range(1, pages + 1) if only is None else range(only, min(only, pages) + 1)
    images = _pdf_images(path, wanted.start, wanted.stop - 1) if wanted else {}
    for number in wanted:
        page_source = SourceRef(path, number, sha)
        pts = _pdf_page_pts(info, number)
        scan = None
        if pts is None:
            refusal = Problem(Reason.FILE_CORRUPT, page=number, error="no page size")
        else:
            scan = _page_scan(images.get(number, []), pts)
            dpi = _render_dpi(scan)
            refusal = size_problem(number, *_page_px(pts, dpi))
        if refusal is not None:
            yield PageFailure(page_source, refusal)
            continue
        try:
            rendered = _rendered(path, number, dpi)
            if scan is not None and scan.bilevel:
                rendered = _bilevel_scan(path, number, rendered)
            page = PageImage(page_source, rendered, dpi)
        except Exception as error:  # pdftoppm failures surface as several exception types
            yield PageFailure(
                page_source, Problem(Reason.FILE_CORRUPT, page=number, error=str(error))
            )
            continue
        yield page
        del page  # released while the next page is rendered


def _bilevel_scan(path: str, number: int, rendered: np.ndarray) -> np.ndarray:
    """Page ``number`` of a PDF that holds a bi-level scan, black and white as the
    scanner wrote it: pdftoppm smooths the scan's edges into greys even at its own
    resolution (a twentieth of a dithered A4 page's pixels at 200 dpi), and the page would
    be read as a gray scan, its halftone's dots or its threshold's lines untold
    (:mod:`omr.reading.channels`). The file's own image, turned as the page shows it,
    where it is the page as rendered (:func:`_is_the_page`); else the ``rendered`` page
    with each grey sent to the nearer of the two (a dither's edges
    placed within half a pixel: a fiftieth of its pixels flip)."""
    gray = rendered if rendered.ndim == 2 else cv2.cvtColor(rendered, cv2.COLOR_BGR2GRAY)
    own = _own_image(path, number)
    if own is not None:
        for turns in range(4):  # a page may show its image turned (its /Rotate)
            turned = np.rot90(own, turns)
            if _is_the_page(turned, gray):
                return np.ascontiguousarray(turned)
    return cv2.threshold(gray, HALF_WAY_GREY - 1, 255, cv2.THRESH_BINARY)[1]


def _is_the_page(image: np.ndarray, rendered: np.ndarray) -> bool:
    """Whether a PDF page's own bi-level ``image`` is the page ``rendered`` from it (gray):
    its size, to ``ROUNDED_PX``, and its black and white wherever the render left a pixel
    black or white (its smoothing greys edges alone), but for ``AGREEMENT`` of its black
    pixels."""
    if (np.abs(np.subtract(image.shape, rendered.shape)) > ROUNDED_PX).any():
        return False
    rows, columns = np.minimum(image.shape, rendered.shape)
    own, seen = image[:rows, :columns], rendered[:rows, :columns]
    differ = np.count_nonzero(((seen == 0) | (seen == 255)) & (own != seen))
    return bool(differ <= AGREEMENT * max(np.count_nonzero(own == 0), 1))


# The grey half way between black (0) and white (255).
HALF_WAY_GREY = 128
# pdftoppm rounds a page's sides up to whole pixels, from a size in points a writer
# rounded too: a page and its own image may differ by a pixel a side.
ROUNDED_PX = 2
# Where a page's render left a pixel black or white, its own image holds the same: none
# differ, or a few hundred of millions (a pixel's row where the sides were rounded). The
# image turned against its page, or placed elsewhere on it, differs on about as many
# pixels as it holds black (0.9 to 1.6 times on the bench's pages); a hundredth allowed.
AGREEMENT = 0.01


def _own_image(path: str, number: int) -> np.ndarray | None:
    """The one image page ``number`` of a PDF holds, as pdfimages writes it (gray); None
    where it holds several, or pdfimages fails."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            subprocess.run(
                ["pdfimages", "-png", "-f", str(number), "-l", str(number), path, f"{folder}/p"],
                capture_output=True,
                timeout=PDF_RENDER_SECONDS,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        images = list(Path(folder).iterdir())
        return cv2.imread(str(images[0]), cv2.IMREAD_GRAYSCALE) if len(images) == 1 else None


def _rendered(path: str, number: int, dpi: float) -> np.ndarray:
    """Page ``number`` of a PDF rendered by pdftoppm at ``dpi`` to a file and read back by
    OpenCV: the page alone in memory (rendered to a pipe, it is held three times over
    while parsed)."""
    from pdf2image import convert_from_path

    with tempfile.TemporaryDirectory() as folder:
        # The crop box is what pdfinfo measured (the media box may be far larger).
        (rendered,) = convert_from_path(
            path,
            dpi=dpi,
            first_page=number,
            last_page=number,
            use_cropbox=True,
            timeout=PDF_RENDER_SECONDS,
            output_folder=folder,
            paths_only=True,
        )
        page = cv2.imread(rendered, cv2.IMREAD_UNCHANGED)
    if page is None:
        raise OSError("pdftoppm wrote no readable page")
    return _normalise(page)


def look_at(path: str | Path, *, max_pages: int = MAX_PAGES) -> FileLook | None:
    """Read, hash and count the pages of a file once, from its headers alone (no page
    decoded or rendered); None when it cannot be read at all. A file refused as a whole
    (corrupt, longer than ``max_pages``...) counts 1 page: its one failure."""
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    sha, info = file_sha256(data), None
    try:
        if data.startswith(b"%PDF"):
            info = _pdf_info(str(path), max_pages)
            pages = int(info.get("Pages", 0))
        else:
            pages = _frame_count(Image.open(io.BytesIO(data)), max_pages)
    except (
        *_PILLOW_ERRORS,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        PDFInfoNotInstalledError,
        PDFPageCountError,
        PDFSyntaxError,
        subprocess.TimeoutExpired,
    ):
        return FileLook(sha, 1)
    return FileLook(sha, pages if 1 <= pages <= max_pages else 1, info)


def page_count(path: str | Path, *, max_pages: int = MAX_PAGES) -> int:
    """The pages :func:`load_pages` yields for a file (see :func:`look_at`); 1 for a file
    refused as a whole (missing, corrupt, longer than ``max_pages``...), whose one failure
    is its page 1."""
    look = look_at(path, max_pages=max_pages)
    return 1 if look is None else look.pages


def load_pages(
    path: str | Path,
    *,
    max_pages: int = MAX_PAGES,
    only: int | None = None,
    size: ReadingSize | None = None,
    look: FileLook | None = None,
) -> Iterator[PageImage | PageFailure]:
    """Decode every page of a scanner file of at most ``max_pages`` pages (``only``: just
    that page, the others skipped undecoded; a failure of the whole file still yields),
    each image page at ``size`` (None: at the file's own). ``look``: what
    :func:`look_at` found in the file (its hash and its PDF's measures are not taken again).

    Yields
    ------
    PageImage | PageFailure
        One per page (a page out of bounds fails with ``image_too_large``,
        ``image_too_long`` or ``image_too_small``, the others are decoded); a file that
        cannot be opened at all yields one failure with reason ``file_missing``,
        ``file_empty``, ``file_corrupt``, ``image_too_large``, ``pages_too_many``,
        ``pdf_encrypted``, ``pdf_no_pages`` or ``file_type_unsupported``.
    """
    name = str(path)
    if look is not None and look.pdf_info is not None:
        yield from _pdf_pages(name, look.sha256, max_pages, only, look.pdf_info)
        return
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        yield PageFailure(
            SourceRef(name, 1, ""), Problem(Reason.FILE_MISSING, error=error.strerror or str(error))
        )
        return
    sha = file_sha256(data) if look is None else look.sha256
    if not data:
        yield PageFailure(SourceRef(name, 1, sha), Problem(Reason.FILE_EMPTY))
        return
    if data.startswith(b"%PDF"):
        yield from _pdf_pages(name, sha, max_pages, only, None)
    elif Path(path).suffix.lower() in RASTER_SUFFIXES or not data.startswith(b"%"):
        pages = _raster_pages(name, data, sha, max_pages, only, size)
        del data  # the pages hold it while they need it
        yield from pages
    else:
        yield PageFailure(SourceRef(name, 1, sha), Problem(Reason.FILE_TYPE_UNSUPPORTED))
