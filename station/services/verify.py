"""Re-derive every score from what is stored, and say what does not match.

``station verify`` reads every stored scan again with the exam's reading options, checks
its bytes against the sha256 it was stored under, checks every reading's marks and every
decision against the hash the audit chain holds for it, checks the chain and its signed
head, and scores each sheet again from the fresh marks, the recorded decisions and the
key version its room opened. Nothing is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.scoring.profiles import load_profile
from omr.scoring.score import ReadingPage, score_sheet
from omr.vocabulary.errors import OmrError
from station.config import Settings
from station.services.audit import Seal, decision_hash, reading_hash, verify_chain
from station.services.exams import answer_key, opened_key
from station.services.reading import read_pages
from station.services.sheets import sheet_view
from station.storage.models import AuditEntry, Decision, Reading, Room, Scan

COMPARED = ("answers", "variant", "candidate", "serial")  # what a second reading must repeat


def verify_station(session: Session, settings: Settings) -> list[str]:
    """Every mismatch between the stored data, the audit chain and the scans read again."""
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    return [
        *verify_chain(session, Seal.of(settings)),
        *_scans(session, settings),
        *_readings(session, entries),
        *_decisions(session, entries),
        *_rederived(session, settings),
    ]


def _scans(session: Session, settings: Settings) -> Iterator[str]:
    for scan in session.scalars(select(Scan).order_by(Scan.id)):
        path = settings.scans_dir / scan.stored_path
        if not path.is_file():
            yield f"scan {scan.id} ({scan.original_name}): the stored file {path} is missing"
            continue
        found = hashlib.sha256(path.read_bytes()).hexdigest()
        if found != scan.sha256:
            yield (
                f"scan {scan.id} ({scan.original_name}): the stored file {path} has sha256 "
                f"{found}, not {scan.sha256}"
            )


def _readings(session: Session, entries: list[AuditEntry]) -> Iterator[str]:
    recorded: dict[int, str | None] = {}
    for entry in entries:
        after = entry.after or {}
        if entry.action == "sheet.read":
            recorded[int(entry.entity.split(":")[1])] = after.get("document")
        elif entry.action == "rescan.scan":
            recorded[int(after["reading"])] = after.get("document")
    for reading in session.scalars(select(Reading).order_by(Reading.id)):
        if reading.id not in recorded:
            yield f"reading {reading.id}: no audit entry records it"
        elif recorded[reading.id] not in (None, reading_hash(reading)):  # None: station 0.1
            yield f"reading {reading.id}: its marks or identity changed after it was read"


def _decisions(session: Session, entries: list[AuditEntry]) -> Iterator[str]:
    hashes: dict[int, str] = {}
    legacy: set[tuple[str, str, str]] = set()  # decisions of station 0.1: sheet, bubble, state
    for entry in entries:
        after = entry.after or {}
        if entry.action == "sheet.decide" and "decision" in after:
            hashes[int(after["decision"])] = after["hash"]
        elif entry.action == "sheet.decide":
            legacy.add((entry.entity, after.get("bubble"), after.get("state")))
        for decided in after.get("decisions", []) if entry.action == "rescan.decide" else []:
            hashes[int(decided["id"])] = decided["hash"]
    for decision in session.scalars(select(Decision).order_by(Decision.id)):
        bubble = f"{decision.question}{decision.option}"
        if decision.id in hashes:
            if hashes[decision.id] != decision_hash(decision):
                yield f"decision {decision.id} (bubble {bubble}): changed after it was recorded"
        elif (f"sheet:{decision.reading_id}", bubble, decision.state) not in legacy:
            yield (
                f"decision {decision.id} (sheet {decision.reading_id}, bubble {bubble}): "
                "no audit entry records it"
            )


def _rederived(session: Session, settings: Settings) -> Iterator[str]:
    for scan in session.scalars(select(Scan).order_by(Scan.id)):
        path = settings.scans_dir / scan.stored_path
        readings = {
            r.page: r for r in session.scalars(select(Reading).where(Reading.scan_id == scan.id))
        }
        if not path.is_file() or not readings:
            continue
        exam = session.get(Room, scan.room_id).exam
        for page, _ in read_pages(path, exam, max_pages=settings.max_pages_per_file):
            reading = readings.get(page.source.page)
            if reading is not None:
                fresh = json.loads(json.dumps(page.as_dict(), default=str))  # as stored
                yield from _compare(session, reading, fresh)


def _compare(session: Session, reading: Reading, fresh: dict) -> Iterator[str]:
    """The stored reading against the same page read again, marks and score."""
    stored = reading.document
    differ = [field for field in COMPARED if stored.get(field) != fresh.get(field)]
    if not differ:
        return
    questions = sorted(
        int(q)
        for q in set(stored.get("answers", {})) | set(fresh.get("answers", {}))
        if stored.get("answers", {}).get(q) != fresh.get("answers", {}).get(q)
    )
    shown = ", ".join(map(str, questions[:10])) + (" …" if len(questions) > 10 else "")
    view = sheet_view(session, reading=reading)
    stored_total = view.score.total if view.score else None
    again = _score_again(session, view, fresh)
    yield (
        f"sheet {reading.id} ({reading.scan.original_name}, page {reading.page}): the scan read "
        f"again differs in {', '.join(differ)}"
        + (f" (questions {shown})" if questions else "")
        + f"; score stored {stored_total or '—'}, re-derived {again or '—'}"
    )


def _score_again(session: Session, view, fresh: dict) -> str | None:  # noqa: ANN001
    """The sheet's score from the marks read again, its decisions and its room's key."""
    key = opened_key(session, room=view.room)
    if key is None or fresh.get("status") == "rejected":
        return None
    profile = load_profile(view.room.exam.profile)
    candidate = view.candidate.number if view.candidate else fresh.get("candidate")
    page = ReadingPage.model_validate({**fresh, "candidate": candidate})
    decisions = {(d.question, d.option): d.state for d in view.decisions}
    try:
        score = score_sheet(page, answer_key(key, profile), profile, decisions)
    except OmrError as error:
        return error.problem.message_en
    return None if score.total is None else str(score.total)
