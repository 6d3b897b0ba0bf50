"""The API router: every resource under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from station.api.routes import audit, auth, exams, rooms, scans, sheets, users

api_router = APIRouter(prefix="/api")
for module in (auth, users, exams, scans, rooms, sheets, audit):
    api_router.include_router(module.router)
