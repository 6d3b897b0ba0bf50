"""The API router: every resource under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from station.api.routes import (
    audit,
    auth,
    catalogue,
    contestations,
    deadlines,
    exams,
    rescans,
    rooms,
    scans,
    sheets,
    unification,
    users,
)

api_router = APIRouter(prefix="/api")
ROOM = (auth, users, exams, scans, rooms, sheets, audit)
COMMITTEE = (deadlines, rescans, contestations, unification, catalogue)
for module in ROOM + COMMITTEE:
    api_router.include_router(module.router)
