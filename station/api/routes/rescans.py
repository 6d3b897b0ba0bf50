"""Rescan requests: filed, rescanned and decided by the committee, with their minutes."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import APIRouter, Response, UploadFile

from station.api.committee_deps import Committee
from station.committee_schemas import RescanCreate, RescanDecisionCreate, RescanRecord
from station.dependencies import Now, SessionDep, SettingsDep
from station.downloads import attachment, rescan_minutes_response, rescan_overlay_response
from station.errors import not_found
from station.services import rescans
from station.services.exams import get_exam
from station.services.minutes import rescan_minutes, rescan_record
from station.services.rescans import RescanView
from station.uploads import read_upload

router = APIRouter(tags=["rescans"])


def record_of(view: RescanView) -> RescanRecord:
    """The API form of a request compared with its rescan."""
    return RescanRecord(
        **rescan_record(view), rescan_sheet=view.result.reading_id if view.result else None
    )


def _view(session: SessionDep, request_id: int) -> RescanView:
    return rescans.rescan_view(session, request=rescans.get_request(session, request_id))


@router.post("/exams/{exam_id}/rescans", response_model=RescanRecord, status_code=201)
def file_request(
    exam_id: int, body: RescanCreate, session: SessionDep, user: Committee, now: Now
) -> RescanRecord:
    """File a rescan request for a sheet (its id) or a candidate (their number)."""
    request = rescans.file_request(
        session, exam=get_exam(session, exam_id), **body.model_dump(), now=now, actor=user
    )
    session.commit()
    return record_of(rescans.rescan_view(session, request=request))


@router.get("/exams/{exam_id}/rescans", response_model=list[RescanRecord])
def list_requests(exam_id: int, session: SessionDep, _: Committee) -> list[RescanRecord]:
    """The exam's requests with their state (filed, rescanned, decided)."""
    exam = get_exam(session, exam_id)
    return [
        record_of(rescans.rescan_view(session, request=r))
        for r in rescans.requests_of(session, exam=exam)
    ]


def day_records(session: SessionDep, exam_id: int, day: dt.date) -> list[dict]:
    """The records of the requests rescanned (or, not yet rescanned, filed) on ``day``."""
    views = rescans.day_views(session, exam=get_exam(session, exam_id), day=day)
    if not views:
        raise not_found(f"o cerere de rescanare în ziua {day:%d.%m.%Y}")
    return [rescan_record(view) for view in views]


@router.get("/exams/{exam_id}/rescans/proces-verbal.pdf", response_class=Response)
def day_minutes(exam_id: int, day: dt.date, session: SessionDep, _: Committee) -> Response:
    """The day's consolidated rescan proces-verbal (PDF)."""
    records = day_records(session, exam_id, day)
    pdf = rescan_minutes(records, f"{records[0]['exam']}, {day:%d.%m.%Y}")
    return attachment(pdf, "application/pdf", f"rescanari-{day}.pdf")


@router.get("/exams/{exam_id}/rescans/proces-verbal.json")
def day_minutes_data(exam_id: int, day: dt.date, session: SessionDep, _: Committee) -> Response:
    """The data of the day's rescan proces-verbal, for the central committee."""
    text = json.dumps(day_records(session, exam_id, day), indent=2, ensure_ascii=False)
    return attachment(text.encode(), "application/json", f"rescanari-{day}.json")


@router.get("/rescans/{request_id}", response_model=RescanRecord)
def read_request(request_id: int, session: SessionDep, _: Committee) -> RescanRecord:
    """The request: both readings compared, scores before and after, the decision."""
    return record_of(_view(session, request_id))


@router.post("/rescans/{request_id}/scan", response_model=RescanRecord, status_code=201)
async def rescan(
    request_id: int,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    user: Committee,
    now: Now,
) -> RescanRecord:
    """The new scan of the sheet: read, compared with the original, linked to it."""
    request = rescans.get_request(session, request_id)
    data = await read_upload(file, settings)
    rescans.rescan(
        session,
        settings=settings,
        request=request,
        name=file.filename or "",
        data=data,
        now=now,
        actor=user,
    )
    session.commit()
    return record_of(rescans.rescan_view(session, request=request))


@router.post("/rescans/{request_id}/decision", response_model=RescanRecord, status_code=201)
def decide(
    request_id: int, body: RescanDecisionCreate, session: SessionDep, user: Committee, now: Now
) -> RescanRecord:
    """The committee's decision: keep, correct to the rescan, or correct by hand."""
    request = rescans.get_request(session, request_id)
    rescans.decide(
        session,
        request=request,
        outcome=body.outcome,
        reason=body.reason,
        bubbles=[bubble.model_dump() for bubble in body.bubbles],
        members=body.members,
        now=now,
        actor=user,
    )
    session.commit()
    return record_of(rescans.rescan_view(session, request=request))


@router.get("/rescans/{request_id}/proces-verbal.pdf", response_class=Response)
def minutes(request_id: int, session: SessionDep, _: Committee) -> Response:
    """The request's rescan proces-verbal (PDF)."""
    return rescan_minutes_response(_view(session, request_id))


@router.get("/rescans/{request_id}/proces-verbal.json")
def minutes_data(request_id: int, session: SessionDep, _: Committee) -> Response:
    """The data of the request's rescan proces-verbal."""
    text = json.dumps(rescan_record(_view(session, request_id)), indent=2, ensure_ascii=False)
    return attachment(text.encode(), "application/json", f"rescanare-{request_id}.json")


@router.get("/rescans/{request_id}/overlay.png", response_class=Response)
def rescan_overlay(
    request_id: int, session: SessionDep, settings: SettingsDep, _: Committee
) -> Response:
    """The overlay of the rescan (the original's is the sheet's overlay)."""
    return rescan_overlay_response(_view(session, request_id), settings)
