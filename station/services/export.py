"""A room's results as a signed bundle (JSON with the ``omr score`` results, and CSV).

The bundle's ``results`` are :class:`omr.scoring.results.SheetScore` records of the final,
identified sheets, so ``omr rank`` reads a bundle as it reads a results file; every other
sheet is listed in ``not_scored`` with its status, and a ranking waits for it. The
signature is an HMAC-SHA256 with the station's signing key over the canonical JSON of the
bundle without its signature; the CSV is covered through its sha256.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy.orm import Session

from omr.scoring.results import SheetScore, scores_csv
from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import StationError
from station.services import audit
from station.services.exams import opened_key
from station.services.rooms import room_summary
from station.storage.models import Export, Room, User, utcnow

BUNDLE_SCHEMA = "station.bundle/1"


def _canonical(document: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign_bundle(document: dict[str, Any], key: bytes) -> dict[str, Any]:
    """``document`` with its ``signature``."""
    value = hmac.new(key, _canonical(document), hashlib.sha256).hexdigest()
    signature = {"algorithm": "hmac-sha256", "key_id": key_fingerprint(key), "value": value}
    return {**document, "signature": signature}


def key_fingerprint(key: bytes) -> str:
    """The short public name of a signing key (``signature.key_id`` of its bundles)."""
    return hashlib.sha256(key).hexdigest()[:16]


def verify_bundle(document: dict[str, Any], key: bytes) -> bool:
    """Whether the bundle's signature is right for ``key``."""
    signature = document.get("signature") or {}
    expected = hmac.new(key, _canonical(document), hashlib.sha256).hexdigest()
    return hmac.compare_digest(str(signature.get("value", "")), expected)


def export_room(session: Session, *, room: Room, settings: Settings, actor: User) -> Export:
    """Build, sign and store the room's bundle.

    Raises
    ------
    StationError
        ``key_sealed`` (409) while the key is not opened: there is nothing to score.
    """
    key = opened_key(session, room=room)
    if key is None:
        raise StationError(Reason.KEY_SEALED, status_code=409)
    summary = room_summary(session, room=room)
    final = [sheet for sheet in summary.sheets if sheet.status == "final"]
    scores: list[SheetScore] = [sheet.score for sheet in final]
    csv = scores_csv(scores)
    document = {
        "schema": BUNDLE_SCHEMA,
        "exam": room.exam.code,
        "profile": room.exam.profile,
        "room": room.code,
        "exported_at": utcnow().isoformat(),
        "exported_by": actor.username,
        "key": {"digest": key.digest, "number": key.number},
        "results": [score.model_dump(mode="json") for score in scores],
        "not_scored": [
            {
                "sheet": sheet.reading.id,
                "file": sheet.reading.scan.original_name,
                "status": sheet.status,
                "candidate": sheet.candidate.number if sheet.candidate else None,
                "why": sheet.annulment.reason if sheet.annulment else "; ".join(sheet.doubts),
            }
            for sheet in summary.sheets
            if sheet not in final
        ],
        "candidates": [
            {"number": c.number, "name": c.name, "present": c in summary.present}
            for c in summary.candidates
        ],
        "csv_sha256": hashlib.sha256(csv.encode()).hexdigest(),
        "audit_head": audit.head_document(session),
    }
    signed = sign_bundle(document, settings.signing_key())
    export = Export(room_id=room.id, document=signed, csv=csv, created_by=actor.id)
    session.add(export)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="room.export",
        entity=f"room:{room.id}",
        after={
            "export": export.id,
            "sheets": len(scores),
            "signature": signed["signature"]["value"],
        },
    )
    return export
