"""The reading pipeline: a stored scan → its readings and candidate links (each placed
page names its overlay, drawn on demand by :mod:`station.services.overlays`).

Pixels are read outside any transaction; the readings of a scan are then written in one
transaction, so a scan is read completely or not at all. A scan that already has
readings is never read again (a restart re-queues only the scans without readings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

import cv2
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from omr.reading.ingest import SourceRef
from omr.reading.pipeline import ReadOptions, SheetReading, read_files
from omr.scoring.profiles import load_profile
from omr.sheet.template import load_template
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Problem, Reason
from omr.vocabulary.states import PageStatus
from station.config import Settings
from station.services import audit
from station.services.candidates import auto_link
from station.storage.models import Annulment, Exam, Reading, Room, Scan

log = logging.getLogger(__name__)


def pending_scans(session: Session, *, room_id: int | None = None) -> list[int]:
    """The ids of stored scans (of a room) that have no reading yet, oldest first."""
    query = select(Scan.id).where(Scan.id.not_in(select(Reading.scan_id))).order_by(Scan.id)
    if room_id is not None:
        query = query.where(Scan.room_id == room_id)
    return list(session.scalars(query))


@lru_cache(maxsize=16)
def _read_options(template: str, profile: str, exam: str, max_pages: int) -> ReadOptions:
    """What an exam's scans are read against, loaded once per exam (not per scan)."""
    ink = load_profile(profile).ink
    return ReadOptions(
        template=load_template(template),
        exam=exam,
        required_ink=lambda _: ink,
        max_pages=max_pages,
    )


def read_options(exam: Exam, *, max_pages: int) -> ReadOptions:
    """What the scans of ``exam`` are read against."""
    return _read_options(exam.template, exam.profile, exam.code, max_pages)


def read_pages(path: Path, exam: Exam, *, max_pages: int) -> Iterator[SheetReading]:
    """Read the pages of a stored scan one by one (each page's image is released once
    the caller moves on: a batch of hundreds of pages is not held in memory).

    A failure of the reader itself is the reading of the page after the last one read,
    so the pages read before it are kept and no two readings claim one page.
    """
    last = 0
    try:
        options = read_options(exam, max_pages=max_pages)
        for reading in read_files([path], options):
            last = reading.source.page
            yield reading
    except (OmrError, ValueError, OSError, cv2.error) as error:
        log.exception("reading %s failed", path)
        failed = SheetReading(source=SourceRef(str(path), last + 1, ""))
        failed.reasons.append(Problem(Reason.READ_FAILED, error=str(error)))
        yield failed


def overlay_name(scan: Scan, page: SheetReading) -> str | None:
    """Where the overlay of a read page is kept (relative to the overlays folder); None for
    a page the reader could not place on its template."""
    if page.page is None:
        return None
    return f"{scan.sha256[:2]}/{scan.sha256}-p{page.source.page}.png"


def _duplicate_serial(session: Session, room: Room, reading: SheetReading) -> Reading | None:
    """An earlier live reading of the exam with the same sheet serial."""
    if reading.serial is None or reading.status == PageStatus.REJECTED:
        return None
    annulled = select(Annulment.reading_id)
    return session.scalars(
        select(Reading)
        .join(Room, Reading.room_id == Room.id)
        .where(
            Room.exam_id == room.exam_id,
            Reading.serial == reading.serial,
            Reading.status != PageStatus.REJECTED,
            Reading.id.not_in(annulled),
        )
        .order_by(Reading.id)
        .limit(1)
    ).first()


def add_reading(
    session: Session,
    *,
    scan: Scan,
    room: Room,
    page: SheetReading,
    overlay: str | None,
    supersedes: Reading | None = None,
) -> Reading:
    """Store one page of a scan as a reading (a rescan's points at the reading it rechecks)."""
    document = page.as_dict()
    document["source"] = {
        "path": scan.original_name,
        "page": page.source.page,
        "sha256": scan.sha256,
    }
    reading = Reading(
        scan_id=scan.id,
        page=page.source.page,
        room_id=room.id,
        status=page.status,
        serial=page.serial,
        document=document,
        overlay=overlay,
        supersedes_id=supersedes.id if supersedes else None,
    )
    session.add(reading)
    session.flush()
    return reading


def read_scan(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    scan_id: int,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Read one stored scan; returns the number of readings written (0: already read).
    ``on_page`` is told the number of each page once it is read (the batch's progress)."""
    with sessions() as session:
        scan = session.get(Scan, scan_id)
        if (
            scan is None
            or session.scalars(select(Reading.id).where(Reading.scan_id == scan_id)).first()
        ):
            return 0
        room = session.get(Room, scan.room_id)
        exam = room.exam
        path = settings.scans_dir / scan.stored_path
    pages, overlays = [], []
    for page in read_pages(path, exam, max_pages=settings.max_pages_per_file):
        overlays.append(overlay_name(scan, page))  # drawn when someone asks for it
        page.page = None  # release the image
        pages.append(page)
        if on_page is not None:
            on_page(page.source.page)
    with sessions() as session, session.begin():
        if session.scalars(select(Reading.id).where(Reading.scan_id == scan_id)).first():
            return 0
        room = session.get(Room, scan.room_id)
        for page, overlay in zip(pages, overlays, strict=True):
            first = _duplicate_serial(session, room, page)
            if first is not None:
                page.reasons.append(
                    Problem(
                        Reason.DUPLICATE_SERIAL,
                        serial=page.serial,
                        earlier=f"#{first.id} ({first.scan.original_name})",
                    )
                )
            reading = add_reading(session, scan=scan, room=room, page=page, overlay=overlay)
            document = reading.document
            audit.record(
                session,
                actor=None,
                action="sheet.read",
                entity=f"sheet:{reading.id}",
                after={
                    "scan": scan.id,
                    "page": reading.page,
                    "status": reading.status,
                    "reasons": [reason["code"] for reason in document["reasons"]],
                    "document": audit.reading_hash(reading),
                },
            )
            auto_link(session, reading=reading, room=room, number=page.candidate)
        return len(pages)
