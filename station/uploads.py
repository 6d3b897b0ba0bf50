"""Uploaded files as both the API and the pages take them: as streams, not bytes.

The multipart parser spools each file to a temporary file as it arrives (the request's
whole size is bounded by :class:`station.edge.BodyLimit`); intake then streams each one to
the data folder, so a request of many large files is never held in memory.
"""

from __future__ import annotations

from fastapi import UploadFile

from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import StationError
from station.services.intake import Received


async def read_upload(file: UploadFile, settings: Settings) -> bytes:
    """A small document's bytes (a bundle, a rescan), at most one past the size limit."""
    return await file.read(settings.max_upload_bytes + 1)


def upload_streams(files: list[UploadFile], settings: Settings) -> list[Received]:
    """Each file's name, stream and size, when there are not too many.

    Raises
    ------
    StationError
        ``files_too_many`` (413).
    """
    if len(files) > settings.max_files_per_request:
        raise StationError(
            Reason.FILES_TOO_MANY,
            status_code=413,
            count=len(files),
            limit=settings.max_files_per_request,
        )
    return [(file.filename or "", file.file, file.size) for file in files]
