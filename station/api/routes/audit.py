"""The audit log, for administrators and the committee."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from station.api.deps import require_role
from station.dependencies import SessionDep, SettingsDep
from station.schemas import AuditCheck, AuditEntryPublic
from station.services.audit import Seal, verify_chain
from station.storage.models import AuditEntry, User

router = APIRouter(prefix="/audit", tags=["audit"])
Auditor = Annotated[User, Depends(require_role("committee", "admin"))]


@router.get("", response_model=list[AuditEntryPublic])
def list_entries(
    session: SessionDep, _: Auditor, after: Annotated[int, Query(ge=0)] = 0
) -> list[AuditEntry]:
    """Entries after id ``after`` (500 at most), oldest first."""
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(500)
        )
    )


@router.get("/verify", response_model=AuditCheck)
def verify(session: SessionDep, settings: SettingsDep, _: Auditor) -> AuditCheck:
    """Check the keyed chain and its signed head."""
    problems = verify_chain(session, Seal.of(settings))
    count = session.query(AuditEntry).count()
    return AuditCheck(entries=count, intact=not problems, problems=problems)
