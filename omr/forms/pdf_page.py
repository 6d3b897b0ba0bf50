"""One page of a blank form's PDF, as poppler shows it: its image and its printed words.

``pdftoppm`` renders the page as displayed (its ``/Rotate`` applied) and ``pdftotext
-bbox`` gives each word with its box in the same orientation, so the image and the words
share one frame: millimetres from the page's top-left corner.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import cv2
import numpy as np

from omr.sheet.template import MM_PER_PT
from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

# 300 dpi: 11.8 px per mm, a hairline outline (0.085 mm) still darkens its pixel, and
# an outline's centre is placed to a twentieth of a millimetre.
RENDER_DPI = 300
POPPLER_SECONDS = 120
_WORD = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<')


@dataclass(frozen=True)
class Word:
    """A printed word and its box (x0, y0, x1, y1) in mm."""

    text: str
    box: tuple[float, float, float, float]

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


@dataclass(frozen=True)
class FormPage:
    """A rendered page: ``image`` (H, W, 3) BGR uint8 at ``px_per_mm``; ``words``."""

    image: np.ndarray
    px_per_mm: float
    words: tuple[Word, ...]

    @property
    def size_mm(self) -> tuple[float, float]:
        """(width, height) of the page in mm."""
        height, width = self.image.shape[:2]
        return (width / self.px_per_mm, height / self.px_per_mm)


def _poppler(*command: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(command, capture_output=True, timeout=POPPLER_SECONDS, check=True)
    except FileNotFoundError:
        raise InputFileError(Reason.PDF_TOOLS_MISSING, tool=command[0]) from None
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        stderr = getattr(error, "stderr", b"") or b""
        raise InputFileError(
            Reason.FORM_PDF_UNREADABLE,
            file=command[-2],
            error=stderr.decode(errors="replace").strip() or str(error),
        ) from None


def load_form_page(pdf: Path, page: int, dpi: int = RENDER_DPI) -> FormPage:
    """Render page ``page`` (from 1) of ``pdf`` and read its words.

    Raises
    ------
    InputFileError
        ``file_missing``, ``pdf_tools_missing`` or ``form_pdf_unreadable`` (not a PDF,
        no such page).
    """
    if not pdf.is_file():
        raise InputFileError(Reason.FILE_MISSING, error=f"{pdf}: no such file")
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "page")
        _poppler(
            "pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(pdf), prefix
        )
        rendered = sorted(Path(folder).glob("page*.png"))
        if not rendered:
            raise InputFileError(Reason.FORM_PDF_UNREADABLE, file=str(pdf), error=f"no page {page}")
        image = cv2.imread(str(rendered[0]), cv2.IMREAD_COLOR)
    text = _poppler("pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-")
    words = tuple(
        Word(unescape(word), tuple(float(v) * MM_PER_PT for v in box))  # type: ignore[arg-type]
        for *box, word in _WORD.findall(text.stdout.decode(errors="replace"))
    )
    return FormPage(image, dpi / 25.4, words)
