"""Scan intake: every file (upload, hot folder, rescan) is stored here, by content hash.

A received file is streamed to ``incoming/`` (hashed and size-checked as it arrives,
one chunk in memory), then moved once under ``scans/<sha[:2]>/<sha><suffix>`` and never
overwritten; the same bytes received again, by any path or at the same moment, are
refused, naming the first scan. Files are read later by the reading worker
(:mod:`station.services.reading`), so intake stays fast.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import StationError, storage_failure
from station.services import audit
from station.services.phases import check_unlocked
from station.storage.models import Batch, Refusal, Room, Scan, User

_SAFE_NAME = re.compile(r"^[\w.\- ()]{1,200}$")
_MB = 1024 * 1024
CHUNK_BYTES = _MB  # what a received file holds in memory at a time
# A received file: its name, its bytes as a stream, and its size when known beforehand.
Received = tuple[str, BinaryIO, int | None]


def check_file_name(name: str) -> str:
    """``name`` when it is a plain file name.

    Raises
    ------
    StationError
        ``file_name_invalid`` for a path (``../x``, ``/etc/x``, ``C:\\x``), a hidden name or
        characters outside letters, digits, space, ``._-()``.
    """
    plain = PurePosixPath(name).name == name and PureWindowsPath(name).name == name
    if not plain or name.startswith(".") or not _SAFE_NAME.match(name):
        raise StationError(Reason.FILE_NAME_INVALID, name=name)
    return name


def check_size(size: int, settings: Settings) -> None:
    """Refuse a file over the upload limit (its size rounded up to 0.1 MB: a file one byte
    over 40 MB says 40.1 MB, never 40.0).

    Raises
    ------
    StationError
        ``file_too_large`` (413).
    """
    if size > settings.max_upload_bytes:
        raise StationError(
            Reason.FILE_TOO_LARGE,
            status_code=413,
            size_mb=math.ceil(size * 10 / _MB) / 10,
            limit_mb=settings.max_upload_bytes / _MB,
        )


def new_batch(session: Session, *, room: Room, source: str, actor: User | None) -> Batch:
    """A batch of files received together."""
    batch = Batch(room_id=room.id, source=source, created_by=actor.id if actor else None)
    session.add(batch)
    session.flush()
    return batch


def find_scan(session: Session, *, sha256: str) -> Scan | None:
    """The scan stored with this content hash."""
    return session.scalars(select(Scan).where(Scan.sha256 == sha256)).first()


def clear_leftovers(settings: Settings) -> int:
    """Remove what interrupted intakes left (``*.part`` files); returns how many."""
    leftovers = [
        *settings.incoming_dir.glob("*.part"),
        *settings.scans_dir.glob("*/.*.part"),
        *settings.overlays_dir.glob("*/.*.part"),
    ]
    for part in leftovers:
        part.unlink(missing_ok=True)
    return len(leftovers)


@dataclass(frozen=True)
class Staged:
    """A received file written in chunks to the data folder's ``incoming/``, hashed as it
    was written; moved under ``scans/`` when stored, else :meth:`discard` ed."""

    name: str
    part: Path
    sha256: str
    size: int

    def discard(self) -> None:
        """Remove what is left of the staged bytes."""
        self.part.unlink(missing_ok=True)


def stage(settings: Settings, *, name: str, stream: BinaryIO, size: int | None = None) -> Staged:
    """Copy a received stream to disk, one chunk in memory at a time.

    Raises
    ------
    StationError
        ``file_name_invalid``; ``file_too_large`` (413: before a byte is written when
        ``size`` is known, else as soon as the limit is passed); ``storage_full`` (507),
        nothing left behind.
    """
    check_file_name(name)
    if size is not None:
        check_size(size, settings)
    part = settings.incoming_dir / f"{uuid.uuid4().hex}.part"
    digest, written = hashlib.sha256(), 0
    try:
        settings.incoming_dir.mkdir(parents=True, exist_ok=True)
        with part.open("wb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                written += len(chunk)
                check_size(written, settings)
                digest.update(chunk)
                out.write(chunk)
    except OSError as error:
        part.unlink(missing_ok=True)
        raise storage_failure(error) from error
    except StationError:
        part.unlink(missing_ok=True)
        raise
    return Staged(name, part, digest.hexdigest(), written)


def _duplicate(first: Scan) -> StationError:
    return StationError(
        Reason.DUPLICATE_FILE,
        status_code=409,
        first=f"scanarea #{first.id} ({first.original_name}, "
        f"primită la {first.received_at:%d.%m.%Y %H:%M:%S})",
    )


def _place(settings: Settings, staged: Staged) -> str:
    """The staged bytes under ``scans/<sha[:2]>/<sha><suffix>`` (never overwritten)."""
    relative = f"{staged.sha256[:2]}/{staged.sha256}{Path(staged.name).suffix.lower()}"
    path = settings.scans_dir / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.replace(staged.part, path)  # same bytes under the same name: never another file
    except OSError as error:
        raise storage_failure(error) from error
    return relative


def store_scan(
    session: Session,
    *,
    settings: Settings,
    batch: Batch,
    room: Room,
    staged: Staged,
    actor: User | None,
) -> Scan:
    """Store a staged file and its ``Scan`` row (in the caller's transaction).

    The same bytes arriving twice at once (an upload and the hot folder) give one scan:
    the second row breaks the unique hash, and is refused as a duplicate.

    Raises
    ------
    StationError
        ``duplicate_file`` (409, naming the first scan), ``storage_full`` (507).
    """
    first = find_scan(session, sha256=staged.sha256)
    if first is not None:
        raise _duplicate(first)
    scan = Scan(
        sha256=staged.sha256,
        size=staged.size,
        original_name=staged.name,
        stored_path=_place(settings, staged),
        source=batch.source,
        room_id=room.id,
        batch_id=batch.id,
        received_by=actor.id if actor else None,
    )
    try:
        with session.begin_nested():
            session.add(scan)
    except IntegrityError:
        first = find_scan(session, sha256=staged.sha256)
        if first is None:
            raise
        raise _duplicate(first) from None
    audit.record(
        session,
        actor=actor,
        action="scan.receive",
        entity=f"scan:{scan.id}",
        after={
            "sha256": staged.sha256,
            "name": staged.name,
            "source": batch.source,
            "room": room.code,
        },
    )
    return scan


def receive_file(
    session: Session,
    *,
    settings: Settings,
    batch: Batch,
    room: Room,
    received: Received,
    actor: User | None,
) -> Scan:
    """Stage a received file and store it (see :func:`stage` and :func:`store_scan`)."""
    name, stream, size = received
    staged = stage(settings, name=name, stream=stream, size=size)
    try:
        return store_scan(
            session, settings=settings, batch=batch, room=room, staged=staged, actor=actor
        )
    finally:
        staged.discard()


def refuse_file(
    session: Session, *, room: Room, source: str, name: str, error: StationError, actor: User | None
) -> Refusal:
    """Record a file that was not taken, with its reason (shown in the room view)."""
    refusal = Refusal(
        room_id=room.id,
        source=source,
        filename=name[:255],
        reason=error.reason,
        message=error.message,
    )
    session.add(refusal)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="scan.refuse",
        entity=f"room:{room.id}",
        after={"name": name, "reason": error.reason, "message": error.message},
    )
    return refusal


@dataclass(frozen=True)
class Refused:
    """A file not taken: the refusal itself and the row that records it."""

    error: StationError
    row: Refusal


def receive_files(
    session: Session,
    *,
    settings: Settings,
    room: Room,
    files: list[Received],
    source: str,
    actor: User | None,
) -> tuple[Batch, list[Scan], list[Refused]]:
    """Store a batch of received files; each bad one is refused and recorded, not raised
    (every one once the final key is published: the rooms are read-only)."""
    batch = new_batch(session, room=room, source=source, actor=actor)
    scans, refusals = [], []
    for received in files:
        try:
            check_unlocked(session, exam=room.exam, action="primirea unei scanări")
            scans.append(
                receive_file(
                    session,
                    settings=settings,
                    batch=batch,
                    room=room,
                    received=received,
                    actor=actor,
                )
            )
        except StationError as error:
            row = refuse_file(
                session, room=room, source=source, name=received[0], error=error, actor=actor
            )
            refusals.append(Refused(error, row))
    return batch, scans, refusals


def take_uploads(
    session: Session,
    *,
    settings: Settings,
    room: Room,
    files: list[Received],
    actor: User,
    submit: Callable[[int], None],
) -> tuple[Batch, list[Scan], list[Refused]]:
    """Store uploaded files, commit them, and ``submit`` every stored scan for reading."""
    batch, scans, refusals = receive_files(
        session, settings=settings, room=room, files=files, source="upload", actor=actor
    )
    session.commit()
    for scan in scans:
        submit(scan.id)
    return batch, scans, refusals
