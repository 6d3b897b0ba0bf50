"""Ingest: scanner files (PNG, JPEG, TIFF, PDF) to page images.

Every page keeps where it came from (path, page number, the file's sha256). A file that
cannot be decoded yields :class:`PageFailure` values instead of raising, so one bad file
never stops a batch. This is the only place that converts pixels: every later stage
receives a :class:`PageImage` whose ``image`` is ``(H, W)`` or ``(H, W, 3)`` BGR uint8.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from omr.vocabulary.reasons import Problem, Reason

MAX_PIXELS = 80_000_000  # an A3 page at 600 dpi is 70 Mpx
PDF_DPI = 200
RASTER_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a page came from."""

    path: str
    page: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "page": self.page, "sha256": self.sha256}


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


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _normalise(array: np.ndarray) -> np.ndarray:
    """Gray stays (H, W); colour becomes BGR, or gray when all channels are equal."""
    if array.dtype != np.uint8:
        array = cv2.normalize(array, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 4:
        array = cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    if array.ndim == 3 and array.shape[2] == 3:
        sample = array[::16, ::16].astype(np.int16)
        if np.abs(sample[..., 0] - sample[..., 1]).max() <= 2 and (
            np.abs(sample[..., 1] - sample[..., 2]).max() <= 2
        ):
            return np.ascontiguousarray(array[..., 1])
    return array


def _pil_to_page(frame: Image.Image) -> np.ndarray:
    frame = ImageOps.exif_transpose(frame)
    if frame.mode in {"1", "L", "I;16", "I"}:
        return _normalise(np.asarray(frame.convert("L")))
    return _normalise(cv2.cvtColor(np.asarray(frame.convert("RGB")), cv2.COLOR_RGB2BGR))


def _dpi_of(frame: Image.Image) -> float | None:
    dpi = frame.info.get("dpi")
    if dpi and dpi[0]:
        return float(dpi[0])
    return None


def _raster_pages(path: str, data: bytes, sha: str) -> Iterator[PageImage | PageFailure]:
    try:
        picture = Image.open(io.BytesIO(data))
        frames = getattr(picture, "n_frames", 1)
    except Image.DecompressionBombError as error:
        yield PageFailure(
            SourceRef(path, 1, sha),
            Problem(Reason.IMAGE_TOO_LARGE, size=str(error), limit_mp=MAX_PIXELS // 1_000_000),
        )
        return
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        yield PageFailure(
            SourceRef(path, 1, sha), Problem(Reason.FILE_CORRUPT, page=1, error=str(error))
        )
        return
    for number, frame in enumerate(ImageSequence.Iterator(picture), start=1):
        source = SourceRef(path, number, sha)
        width, height = frame.size
        if width * height > MAX_PIXELS:
            yield PageFailure(
                source,
                Problem(
                    Reason.IMAGE_TOO_LARGE,
                    size=f"{width} × {height} px",
                    limit_mp=MAX_PIXELS // 1_000_000,
                ),
            )
            continue
        try:
            # Not kept in a local: the page is released while the next one is decoded.
            page = PageImage(source, _decode(picture, frame, frames, data), _dpi_of(frame))
        except (OSError, SyntaxError, ValueError, cv2.error) as error:
            yield PageFailure(source, Problem(Reason.FILE_CORRUPT, page=number, error=str(error)))
            continue
        yield page
        del page


def _decode(picture: Image.Image, frame: Image.Image, frames: int, data: bytes) -> np.ndarray:
    """One frame as a page array (OpenCV decodes single PNG and JPEG images faster)."""
    if frames == 1 and picture.format in {"PNG", "JPEG"} and not _has_exif_turn(frame):
        array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        if array is None:
            raise OSError("truncated or corrupt image data")
        return _normalise(array)
    return _pil_to_page(frame)


def _has_exif_turn(frame: Image.Image) -> bool:
    # A PNG's eXIf chunk comes before its image data (PNG 3rd edition), so the header
    # read has found it; ``getexif`` would otherwise decode the whole image looking.
    if frame.format == "PNG" and "exif" not in frame.info:
        return False
    try:
        return frame.getexif().get(0x0112, 1) != 1
    except (OSError, SyntaxError, ValueError):
        return False


def _pdf_pages(path: str, sha: str) -> Iterator[PageImage | PageFailure]:
    from pdf2image import pdfinfo_from_path
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    source = SourceRef(path, 1, sha)
    try:
        info = pdfinfo_from_path(path)
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
    if info.get("Encrypted", "no").startswith("yes"):
        yield PageFailure(source, Problem(Reason.PDF_ENCRYPTED))
        return
    if pages < 1:
        yield PageFailure(source, Problem(Reason.PDF_NO_PAGES))
        return
    for number in range(1, pages + 1):
        page_source = SourceRef(path, number, sha)
        try:
            page = PageImage(page_source, _rendered(path, number), float(PDF_DPI))
        except Exception as error:  # pdftoppm failures surface as several exception types
            yield PageFailure(
                page_source, Problem(Reason.FILE_CORRUPT, page=number, error=str(error))
            )
            continue
        yield page
        del page  # released while the next page is rendered


def _rendered(path: str, number: int) -> np.ndarray:
    from pdf2image import convert_from_path

    (picture,) = convert_from_path(path, dpi=PDF_DPI, first_page=number, last_page=number)
    return _pil_to_page(picture)


def load_pages(path: str | Path) -> Iterator[PageImage | PageFailure]:
    """Decode every page of a scanner file.

    Yields
    ------
    PageImage | PageFailure
        One per page; a file that cannot be opened at all yields one failure with
        reason ``file_missing``, ``file_empty``, ``file_corrupt``, ``image_too_large``,
        ``pdf_encrypted``, ``pdf_no_pages`` or ``file_type_unsupported``.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        yield PageFailure(
            SourceRef(name, 1, ""), Problem(Reason.FILE_MISSING, error=error.strerror or str(error))
        )
        return
    sha = file_sha256(data)
    if not data:
        yield PageFailure(SourceRef(name, 1, sha), Problem(Reason.FILE_EMPTY))
        return
    if data.startswith(b"%PDF"):
        yield from _pdf_pages(name, sha)
    elif Path(path).suffix.lower() in RASTER_SUFFIXES or not data.startswith(b"%"):
        yield from _raster_pages(name, data, sha)
    else:
        yield PageFailure(SourceRef(name, 1, sha), Problem(Reason.FILE_TYPE_UNSUPPORTED))
