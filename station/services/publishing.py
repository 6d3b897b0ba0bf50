"""The final key: the committee's rulings applied to every sheet of the exam.

Publishing makes the final key version from the key in force and the rulings, opens it
for every room (so every view, slip and export scores with it) and lists every sheet
whose score changed. Nothing is re-read: scores replay the stored marks and decisions.
Publishing again with the same rulings changes nothing, unless a committee act after the
publication (a rescan decision, RULES §2 art. 16 (2): resolved the day after the key)
changed a score: the act adds its row to the changes table and the publication must be
made again (:func:`republish_due`) before the ranking.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omr.scoring.keys import check_succession
from omr.scoring.score import diff_scores
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Reason
from station.errors import StationError, not_found
from station.services import audit
from station.services.contestations import (
    current_rulings,
    exam_sheets,
    key_in_force,
    revised_document,
)
from station.services.phases import check_contestations_closed, publication_of
from station.services.rooms import rooms_of_exam
from station.services.sheets import SheetView
from station.storage.committee import KeyPublication, KeyRepublication, PublicationAmendment
from station.storage.models import AnswerKeyVersion, Exam, KeyOpening, User


def get_publication(session: Session, *, exam: Exam) -> KeyPublication:
    """The final key's publication of ``exam``.

    Raises
    ------
    StationError
        ``not_found`` (404).
    """
    publication = publication_of(session, exam=exam)
    if publication is None:
        raise not_found(f"grila finală a examenului {exam.code}")
    return publication


def _amendments(session: Session, publication: KeyPublication) -> list[PublicationAmendment]:
    return list(
        session.scalars(
            select(PublicationAmendment)
            .where(PublicationAmendment.publication_id == publication.id)
            .order_by(PublicationAmendment.id)
        )
    )


def publication_amendments(
    session: Session, *, publication: KeyPublication
) -> list[PublicationAmendment]:
    """The committee acts after the publication that changed a score, in order."""
    return _amendments(session, publication)


def publication_changes(session: Session, *, publication: KeyPublication) -> list[dict]:
    """The changes table: the publication's own rows, then those of the acts after it."""
    return publication.changes + [
        {**amendment.change, "act": amendment.act}
        for amendment in _amendments(session, publication)
    ]


def republish_due(session: Session, *, publication: KeyPublication) -> list[str]:
    """The acts after the publication (or its last republication) not yet republished."""
    last = session.scalar(
        select(func.max(KeyRepublication.last_amendment_id)).where(
            KeyRepublication.publication_id == publication.id
        )
    )
    return [a.act for a in _amendments(session, publication) if last is None or a.id > last]


def amend_publication(
    session: Session, *, before: SheetView, after: SheetView, act: str, actor: User
) -> None:
    """Record a committee act's score change on the published final key, if any."""
    publication = publication_of(session, exam=before.room.exam)
    if publication is None:
        return
    for row in _changes([before], [after]):
        session.add(
            PublicationAmendment(
                publication_id=publication.id,
                act=act,
                change=json.loads(json.dumps(row, default=str)),
                made_by=actor.id,
            )
        )
    session.flush()


def _republish(session: Session, publication: KeyPublication, actor: User) -> bool:
    """Republish the acts after the publication; whether there were any."""
    acts = republish_due(session, publication=publication)
    if not acts:
        return False
    last = _amendments(session, publication)[-1]
    session.add(
        KeyRepublication(
            publication_id=publication.id, last_amendment_id=last.id, republished_by=actor.id
        )
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="key.republish",
        entity=f"exam:{publication.exam_id}",
        after={"acts": acts, "changes": len(publication_changes(session, publication=publication))},
    )
    return True


def _changes(before: list[SheetView], after: list[SheetView]) -> list[dict]:
    """The changed scores of the final, identified sheets (the others publish nothing)."""
    old = {view.reading.id: view for view in before if view.score is not None}
    pairs = [(old[v.reading.id], v) for v in after if v.status == "final" and v.reading.id in old]
    diffs = diff_scores([was.score for was, _ in pairs], [now.score for _, now in pairs])
    rows = []
    for (_, view), diff in zip(pairs, diffs, strict=True):
        if not diff.changed:
            continue
        delta = None
        if diff.old_total is not None and diff.new_total is not None:
            delta = diff.new_total - diff.old_total
        rows.append(
            {
                "sheet": view.reading.id,
                "room": view.room.code,
                "candidate": diff.candidate,
                "variant": diff.variant,
                "old_total": diff.old_total,
                "new_total": diff.new_total,
                "delta": delta,
                "old_max": diff.old_max,
                "new_max": diff.new_max,
                "questions": [q.question for q in diff.questions],
            }
        )
    return rows


def publish_final_key(
    session: Session, *, exam: Exam, now: datetime, actor: User
) -> tuple[KeyPublication, bool]:
    """Publish the final key at ``now``; returns the publication and whether anything changed.

    Once published, publishing again republishes the committee's acts made after it.

    Raises
    ------
    StationError
        ``key_missing``, ``contestation_window_open`` (409), ``key_already_final`` (409: a
        different final key after the publication), ``key_not_successor``, and the refusals
        of the rulings' key.
    """
    version, key = key_in_force(session, exam=exam)
    document, final = revised_document(
        session, exam=exam, rulings=current_rulings(session, exam=exam), stage="final", actor=actor
    )
    published = publication_of(session, exam=exam)
    if published is not None:
        if published.key_id == version.id and final.digest == version.digest:
            return published, _republish(session, published, actor)
        raise StationError(Reason.KEY_ALREADY_FINAL, status_code=409)
    check_contestations_closed(session, exam=exam, now=now)
    try:
        check_succession(key, final)
    except OmrError as error:
        raise StationError(error.problem, status_code=409) from None
    before = exam_sheets(session, exam=exam)
    new = AnswerKeyVersion(
        exam_id=exam.id,
        number=version.number + 1,
        document=document,
        digest=final.digest,
        supersedes_id=version.id,
        loaded_by=actor.id,
    )
    session.add(new)
    session.flush()
    for room in rooms_of_exam(session, exam_id=exam.id):
        session.add(KeyOpening(room_id=room.id, key_id=new.id, opened_by=actor.id))
    session.flush()
    changes = _changes(before, exam_sheets(session, exam=exam))
    publication = KeyPublication(
        exam_id=exam.id,
        key_id=new.id,
        changes=json.loads(json.dumps(changes, default=str)),
        published_by=actor.id,
    )
    session.add(publication)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="key.publish_final",
        entity=f"exam:{exam.id}",
        before={"key": version.digest, "number": version.number},
        after={"key": new.digest, "number": new.number, "changed_sheets": len(changes)},
    )
    return publication, True
