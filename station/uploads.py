"""Uploaded files as both the API and the pages take them: read at most one byte past the
size limit, so an oversized file is refused without being read whole."""

from __future__ import annotations

from fastapi import UploadFile

from station.config import Settings


async def read_upload(file: UploadFile, settings: Settings) -> bytes:
    """The file's bytes, at most one past ``settings.max_upload_bytes``."""
    return await file.read(settings.max_upload_bytes + 1)


async def read_uploads(files: list[UploadFile], settings: Settings) -> list[tuple[str, bytes]]:
    """Each file's name and bytes (see :func:`read_upload`)."""
    return [(file.filename or "", await read_upload(file, settings)) for file in files]
