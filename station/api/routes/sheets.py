"""A sheet: reading, score, overlay, slip, and the room head's decisions on it."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from station.api.deps import AnyRole, RoomWorker
from station.api.present import sheet_public
from station.dependencies import SessionDep, SettingsDep
from station.downloads import overlay_response, slip_response
from station.schemas import AnnulmentCreate, CandidatePick, DecisionCreate, InkKeep, SheetPublic
from station.services import candidates, sheets
from station.services.access import visible_sheet
from station.services.sheets import SheetView

router = APIRouter(prefix="/sheets", tags=["sheets"])


def _committed(session: Session, view: SheetView) -> SheetPublic:
    """Commit the change and show the sheet as it now is."""
    session.commit()
    return sheet_public(sheets.sheet_view(session, reading=view.reading))


@router.get("/{sheet_id}", response_model=SheetPublic)
def read_sheet(sheet_id: int, session: SessionDep, user: AnyRole) -> SheetPublic:
    """The sheet: reading, warnings, candidate, decisions and score (hidden while sealed)."""
    return sheet_public(visible_sheet(session, user=user, sheet_id=sheet_id))


@router.get("/{sheet_id}/overlay.png", response_class=Response)
def sheet_overlay(
    sheet_id: int, session: SessionDep, settings: SettingsDep, user: AnyRole
) -> Response:
    """The overlay image of what the reader saw."""
    return overlay_response(visible_sheet(session, user=user, sheet_id=sheet_id), settings)


@router.get("/{sheet_id}/slip.pdf", response_class=Response)
def sheet_slip(
    sheet_id: int, session: SessionDep, settings: SettingsDep, user: AnyRole
) -> Response:
    """The candidate's result slip (PDF)."""
    return slip_response(visible_sheet(session, user=user, sheet_id=sheet_id), settings)


@router.post("/{sheet_id}/decisions", response_model=SheetPublic, status_code=201)
def decide(
    sheet_id: int, body: DecisionCreate, session: SessionDep, user: RoomWorker
) -> SheetPublic:
    """Decide an ``unclear`` bubble with the candidate present."""
    view = visible_sheet(session, user=user, sheet_id=sheet_id)
    sheets.decide(session, reading=view.reading, **body.model_dump(), actor=user)
    return _committed(session, view)


@router.post("/{sheet_id}/candidate", response_model=SheetPublic, status_code=201)
def pick_candidate(
    sheet_id: int, body: CandidatePick, session: SessionDep, user: RoomWorker
) -> SheetPublic:
    """Link the sheet to a candidate of the room list."""
    view = visible_sheet(session, user=user, sheet_id=sheet_id)
    candidates.pick_candidate(session, reading=view.reading, number=body.number, actor=user)
    return _committed(session, view)


@router.post("/{sheet_id}/ink/keep", response_model=SheetPublic, status_code=201)
def keep_ink(sheet_id: int, body: InkKeep, session: SessionDep, user: RoomWorker) -> SheetPublic:
    """Keep a sheet in ink of another colour, for a reason (or annul it)."""
    view = visible_sheet(session, user=user, sheet_id=sheet_id)
    sheets.keep_ink(session, reading=view.reading, reason=body.reason, actor=user)
    return _committed(session, view)


@router.post("/{sheet_id}/annul", response_model=SheetPublic, status_code=201)
def annul(
    sheet_id: int, body: AnnulmentCreate, session: SessionDep, user: RoomWorker
) -> SheetPublic:
    """Annul the sheet for a distinctive sign; the candidate's next sheet replaces it."""
    view = visible_sheet(session, user=user, sheet_id=sheet_id)
    sheets.annul(session, reading=view.reading, reason=body.reason, actor=user)
    return _committed(session, view)
