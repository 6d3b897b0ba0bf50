"""Overlays drawn on demand: a reading names its overlay when it is stored, and the file is
drawn the first time someone asks for it, from the stored scan and the stored reading.

Storing a reading thus costs no drawing and no PNG. The file is written whole (a part file
renamed), so a name never leads to half an image; a page the reader could not place has no
overlay at all.
"""

from __future__ import annotations

import logging
import os
import tempfile
from contextlib import suppress
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy.orm import object_session

from omr.reading.overlay import render_overlay
from omr.reading.pipeline import SheetReading, decode_pages, read_page
from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import StationError, storage_failure
from station.services.reading import read_options
from station.storage.models import Reading, Room

log = logging.getLogger(__name__)


def overlay_file(settings: Settings, reading: Reading) -> Path:
    """The overlay PNG of a stored reading, drawn and written the first time it is asked for.

    Raises ``StationError``: ``overlay_unavailable`` (422) when the stored scan no longer
    gives the page, ``storage_full`` (507) when the overlay cannot be written.
    """
    assert reading.overlay is not None
    path = settings.overlays_dir / reading.overlay
    if not path.is_file():
        _write_whole(path, _draw(settings, reading))
    return path


def _draw(settings: Settings, reading: Reading) -> np.ndarray:
    """The overlay of ``reading``: its page placed again from the stored scan, marked with
    what was stored (its reasons and bubbles as read), captioned in Romanian."""
    scan = reading.scan
    exam = object_session(reading).get(Room, reading.room_id).exam
    options = read_options(exam, max_pages=settings.max_pages_per_file)
    path = settings.scans_dir / scan.stored_path
    image = next(decode_pages(path, options, only=reading.page), None)
    if image is None:
        raise _unavailable(f"{scan.stored_path} has no page {reading.page}")
    if not image:  # the stored file no longer gives the page
        raise _unavailable(image.problem.message)
    try:
        placed = read_page(image, options, [options.template]).page
    except (cv2.error, ValueError, ArithmeticError, IndexError) as error:
        log.exception("%s p.%s not placed again", scan.original_name, reading.page)
        raise _unavailable(str(error)) from error
    if placed is None:
        raise _unavailable("the page is no longer placed on its template")
    stored = SheetReading.from_dict(reading.document)
    stored.page = placed
    drawn = render_overlay(stored, name=scan.original_name, language="ro")
    assert drawn is not None  # its page is set
    return drawn


def _unavailable(error: str) -> StationError:
    return StationError(Reason.OVERLAY_UNAVAILABLE, status_code=422, error=error)


def _write_whole(path: Path, image: np.ndarray) -> None:
    """Write a PNG by a part file of its own renamed (two requests may draw it at once)."""
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise _unavailable("PNG encoding failed")
    partial: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        partial = Path(name)
        with os.fdopen(handle, "wb") as file:
            file.write(encoded.tobytes())
        os.replace(partial, path)
    except OSError as error:
        log.exception("overlay %s not written", path.name)
        if partial is not None:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
        raise storage_failure(error) from error
