"""Contestations of the key, the committee's rulings, and the final key's publication."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from station.api.committee_deps import Committee
from station.committee_schemas import (
    ContestationCreate,
    ContestationPublic,
    ContestedItemPublic,
    PublicationPublic,
    RulingCreate,
    RulingPublic,
)
from station.dependencies import Now, SessionDep
from station.downloads import attachment, contestation_minutes_response
from station.services import contestations
from station.services.exams import get_exam
from station.services.minutes import contestation_record
from station.services.publishing import (
    get_publication,
    publication_changes,
    publish_final_key,
    republish_due,
)
from station.storage.committee import Contestation, KeyPublication
from station.storage.models import AnswerKeyVersion

router = APIRouter(prefix="/exams/{exam_id}", tags=["contestations"])


@router.post("/contestations", response_model=ContestationPublic, status_code=201)
def file_contestation(
    exam_id: int, body: ContestationCreate, session: SessionDep, user: Committee, now: Now
) -> Contestation:
    """File a candidate's contestation of one question of their variant."""
    contestation = contestations.file_contestation(
        session, exam=get_exam(session, exam_id), **body.model_dump(), now=now, actor=user
    )
    session.commit()
    return contestation


@router.get("/contestations", response_model=list[ContestedItemPublic])
def contested_items(exam_id: int, session: SessionDep, _: Committee) -> list[ContestedItemPublic]:
    """The contested items across variants, each with its ruling and item analysis."""
    return [
        ContestedItemPublic(
            item=entry.item,
            contestations=[ContestationPublic.model_validate(c) for c in entry.contestations],
            ruling=RulingPublic.model_validate(entry.ruling) if entry.ruling else None,
            stats=entry.stats.model_dump(mode="json") if entry.stats else None,
        )
        for entry in contestations.contested_items(session, exam=get_exam(session, exam_id))
    ]


@router.post("/items/{item}/ruling", response_model=RulingPublic, status_code=201)
def rule_item(
    exam_id: int, item: str, body: RulingCreate, session: SessionDep, user: Committee
) -> RulingPublic:
    """Answer a contested item: rejected, key changed (new answer) or annulled."""
    ruling = contestations.rule_item(
        session, exam=get_exam(session, exam_id), item=item, **body.model_dump(), actor=user
    )
    session.commit()
    return RulingPublic.model_validate(ruling)


def _publication(
    session: SessionDep, publication: KeyPublication, changed: bool
) -> PublicationPublic:
    key = session.get(AnswerKeyVersion, publication.key_id)
    return PublicationPublic(
        key_number=key.number,
        key_digest=key.digest,
        published_at=publication.published_at,
        changed=changed,
        changes=publication_changes(session, publication=publication),
        republish_due=republish_due(session, publication=publication),
    )


@router.post("/key/publish", response_model=PublicationPublic, status_code=201)
def publish(exam_id: int, session: SessionDep, user: Committee, now: Now) -> PublicationPublic:
    """Publish the final key (contestations closed): every sheet recomputed, the changed
    scores listed."""
    publication, changed = publish_final_key(
        session, exam=get_exam(session, exam_id), now=now, actor=user
    )
    session.commit()
    return _publication(session, publication, changed)


@router.get("/key/publication", response_model=PublicationPublic)
def read_publication(exam_id: int, session: SessionDep, _: Committee) -> PublicationPublic:
    """The final key's publication and the scores it changed."""
    return _publication(session, get_publication(session, exam=get_exam(session, exam_id)), False)


def _record(session: SessionDep, exam_id: int) -> dict:
    return contestation_record(session, exam=get_exam(session, exam_id))


@router.get("/key/proces-verbal.pdf", response_class=Response)
def minutes(exam_id: int, session: SessionDep, _: Committee) -> Response:
    """The contestation proces-verbal (PDF)."""
    return contestation_minutes_response(_record(session, exam_id))


@router.get("/key/proces-verbal.json")
def minutes_data(exam_id: int, session: SessionDep, _: Committee) -> Response:
    """The data of the contestation proces-verbal."""
    record = _record(session, exam_id)
    text = json.dumps(record, indent=2, ensure_ascii=False, default=str)
    return attachment(text.encode(), "application/json", f"contestatii-{record['exam']}.json")
