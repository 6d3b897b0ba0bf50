"""The reading pipeline: a stored scan → its readings and candidate links (each placed
page names its overlay, drawn on demand by :mod:`station.services.overlays`).

Pixels are read outside any transaction; the readings of a scan are then written in one
transaction, so a scan is read completely or not at all. A scan that already has
readings is never read again (a restart re-queues only the scans without readings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import cv2
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from omr.reading.ingest import SourceRef
from omr.reading.pipeline import ReadOptions, SheetReading
from omr.scoring.score import ReadingPage
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Problem, Reason
from omr.vocabulary.states import PageStatus
from station.config import Settings
from station.services import audit, page_reading
from station.services.candidates import auto_link
from station.services.page_reading import PageJob, PageRead
from station.storage.db import Encoded
from station.storage.models import Annulment, Exam, Reading, Room, Scan

log = logging.getLogger(__name__)
# What the room view and scoring read of a reading: its summary (migration 0009 back-fills
# the readings stored before with the same fields).
SUMMARY_FIELDS = tuple(ReadingPage.model_fields)


def pending_scans(session: Session, *, room_id: int | None = None) -> list[int]:
    """The ids of stored scans (of a room) that have no reading yet, oldest first."""
    query = select(Scan.id).where(Scan.id.not_in(select(Reading.scan_id))).order_by(Scan.id)
    if room_id is not None:
        query = query.where(Scan.room_id == room_id)
    return list(session.scalars(query))


def read_options(exam: Exam, *, max_pages: int) -> ReadOptions:
    """What the scans of ``exam`` are read against."""
    return page_reading.read_options(exam.template, exam.profile, exam.code, max_pages)


def read_pages(
    path: Path,
    exam: Exam,
    *,
    max_pages: int,
    read: Callable[[PageJob], PageRead] = page_reading.read_page,
) -> Iterator[tuple[SheetReading, bool]]:
    """Read the pages of a stored scan one by one, each by one ``read`` job (a reading
    process's, or in this thread), each with whether it was placed on its template.

    A failure of the reader itself is the reading of the page it failed on, and the last:
    the pages read before it are kept and no two readings claim one page.
    """
    number, pages, look = 1, 1, None
    while number <= pages:
        job = PageJob(str(path), number, exam.template, exam.profile, exam.code, max_pages, look)
        try:
            read_page = read(job)
        except (OmrError, ValueError, OSError, cv2.error, BrokenProcessPool) as error:
            log.exception("reading page %s of %s failed", number, path)
            yield _failed(path, number, str(error)), False
            return
        if read_page.reading is None or read_page.reading.source.page != number:
            yield _failed(path, number, "the file changed while it was read"), False
            return
        pages, look = max(pages, read_page.pages), look or read_page.look
        yield read_page.reading, read_page.placed
        number += 1


def _failed(path: Path, number: int, error: str) -> SheetReading:
    failed = SheetReading(source=SourceRef(str(path), number, ""))
    failed.reasons.append(Problem(Reason.READ_FAILED, error=error))
    return failed


def overlay_name(scan: Scan, page: SheetReading, *, placed: bool) -> str | None:
    """Where the overlay of a read page is kept (relative to the overlays folder); None for
    a page the reader could not place on its template."""
    if not placed:
        return None
    return f"{scan.sha256[:2]}/{scan.sha256}-p{page.source.page}.png"


def _duplicate_serial(session: Session, room: Room, reading: SheetReading) -> str | None:
    """An earlier live reading of the exam with the same sheet serial, named as a refusal
    names it (its id and file; the reading itself is not loaded)."""
    if reading.serial is None or reading.status == PageStatus.REJECTED:
        return None
    annulled = select(Annulment.reading_id)
    first = session.execute(
        select(Reading.id, Scan.original_name)
        .join(Room, Reading.room_id == Room.id)
        .join(Scan, Reading.scan_id == Scan.id)
        .where(
            Room.exam_id == room.exam_id,
            Reading.serial == reading.serial,
            Reading.status != PageStatus.REJECTED,
            Reading.id.not_in(annulled),
        )
        .order_by(Reading.id)
        .limit(1)
    ).first()
    return None if first is None else f"#{first.id} ({first.original_name})"


def summary_of(document: dict[str, Any]) -> dict[str, Any]:
    """The fields of a reading's document that the room view and scoring read."""
    return {name: document[name] for name in SUMMARY_FIELDS if name in document}


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
    document = Encoded(document)  # encoded once: stored, and hashed by the audit chain
    reading = Reading(
        scan_id=scan.id,
        page=page.source.page,
        room_id=room.id,
        status=page.status,
        serial=page.serial,
        document=document,
        summary=summary_of(document),
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
    read: Callable[[PageJob], PageRead] = page_reading.read_page,
    on_scan: Callable[[Scan], None] | None = None,
    on_page: Callable[[int], bool] | None = None,
) -> int:
    """Read one stored scan; returns the number of readings written (0: already read, or
    given up). ``on_scan`` is handed the scan before its pages are read; ``on_page`` is
    told the number of each page once it is read (the batch's progress) and answers
    whether to go on: False leaves the scan unread."""
    with sessions() as session:
        scan = session.get(Scan, scan_id)
        if (
            scan is None
            or session.scalars(select(Reading.id).where(Reading.scan_id == scan_id)).first()
        ):
            return 0
        room = session.get(Room, scan.room_id)  # its exam loaded with it, for the store too
        path = settings.scans_dir / scan.stored_path
    if on_scan is not None:
        on_scan(scan)
    pages, overlays = [], []
    for page, placed in read_pages(
        path, room.exam, max_pages=settings.max_pages_per_file, read=read
    ):
        overlays.append(overlay_name(scan, page, placed=placed))  # drawn when asked for
        pages.append(page)
        if on_page is not None and not on_page(page.source.page):
            return 0
    with sessions() as session, session.begin():
        if session.scalars(select(Reading.id).where(Reading.scan_id == scan_id)).first():
            return 0
        for page, overlay in zip(pages, overlays, strict=True):
            earlier = _duplicate_serial(session, room, page)
            if earlier is not None:
                page.reasons.append(
                    Problem(Reason.DUPLICATE_SERIAL, serial=page.serial, earlier=earlier)
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
