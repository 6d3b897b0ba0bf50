"""Scan intake: every file (upload, hot folder, scanner) is stored here, by content hash.

A file is written once under ``scans/<sha[:2]>/<sha><suffix>`` and never overwritten;
the same bytes received again are refused, naming the first scan. Files are read later by
the reading worker (:mod:`station.services.reading`), so intake stays fast.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import StationError
from station.services import audit
from station.services.phases import check_unlocked
from station.storage.models import Batch, Refusal, Room, Scan, User

_SAFE_NAME = re.compile(r"^[\w.\- ()]{1,200}$")


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
    """Refuse a file over the upload limit.

    Raises
    ------
    StationError
        ``file_too_large`` (413).
    """
    if size > settings.max_upload_bytes:
        limit = settings.max_upload_bytes // (1024 * 1024)
        raise StationError(
            Reason.FILE_TOO_LARGE, status_code=413, size_mb=size / 1024 / 1024, limit_mb=limit
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


def _write_once(settings: Settings, sha: str, suffix: str, data: bytes) -> str:
    relative = f"{sha[:2]}/{sha}{suffix}"
    path = settings.scans_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)  # same bytes under the same name: never a different file
    return relative


def store_scan(
    session: Session,
    *,
    settings: Settings,
    batch: Batch,
    room: Room,
    name: str,
    data: bytes,
    actor: User | None,
) -> Scan:
    """Store a received file and its ``Scan`` row (in the caller's transaction).

    Raises
    ------
    StationError
        ``file_name_invalid``, ``file_too_large``, ``duplicate_file`` (409, naming the
        first scan).
    """
    check_file_name(name)
    check_size(len(data), settings)
    sha = hashlib.sha256(data).hexdigest()
    first = find_scan(session, sha256=sha)
    if first is not None:
        raise StationError(
            Reason.DUPLICATE_FILE,
            status_code=409,
            first=f"scanarea #{first.id} ({first.original_name}, "
            f"primită la {first.received_at:%d.%m.%Y %H:%M:%S})",
        )
    stored = _write_once(settings, sha, Path(name).suffix.lower(), data)
    scan = Scan(
        sha256=sha,
        size=len(data),
        original_name=name,
        stored_path=stored,
        source=batch.source,
        room_id=room.id,
        batch_id=batch.id,
        received_by=actor.id if actor else None,
    )
    session.add(scan)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="scan.receive",
        entity=f"scan:{scan.id}",
        after={"sha256": sha, "name": name, "source": batch.source, "room": room.code},
    )
    return scan


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
    files: list[tuple[str, bytes]],
    source: str,
    actor: User | None,
) -> tuple[Batch, list[Scan], list[Refused]]:
    """Store a batch of received files; each bad one is refused and recorded, not raised
    (every one once the final key is published: the rooms are read-only)."""
    batch = new_batch(session, room=room, source=source, actor=actor)
    scans, refusals = [], []
    for name, data in files:
        try:
            check_unlocked(session, exam=room.exam, action="primirea unei scanări")
            scans.append(
                store_scan(
                    session,
                    settings=settings,
                    batch=batch,
                    room=room,
                    name=name,
                    data=data,
                    actor=actor,
                )
            )
        except StationError as error:
            row = refuse_file(
                session, room=room, source=source, name=name, error=error, actor=actor
            )
            refusals.append(Refused(error, row))
    return batch, scans, refusals


def take_uploads(
    session: Session,
    *,
    settings: Settings,
    room: Room,
    files: list[tuple[str, bytes]],
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
