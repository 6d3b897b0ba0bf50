"""The demo exam: the bundled specialization example, set up so scores show at once.

Users (password = username): ``sef1`` (room head of SALA-1), ``sef2`` (room head of
SALA-2), ``comisie`` (committee member), ``admin`` (administrator).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from station.config import Settings
from station.services import exams
from station.services.hotfolder import room_folder
from station.services.users import create_user
from station.storage.models import Exam

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "specializare"
EXAM_CODE = "SPEC-2026-RAD"
CANDIDATES = """number,name,room
00101,Popescu Ana,SALA-1
00102,Ionescu Mihai,SALA-1
00103,Dumitrescu Ștefania,SALA-1
00104,Țăranu Andrei,SALA-1
00201,Georgescu Ioana,SALA-2
"""
USERS = (
    ("admin", "admin", None),
    ("comisie", "committee", None),
    ("sef1", "room_head", "SALA-1"),
    ("sef2", "room_head", "SALA-2"),
)


def set_up_demo(session: Session, settings: Settings, *, open_key: bool = True) -> Exam:
    """Create the demo exam, its rooms, candidates, users and key; fill SALA-1's hot folder."""
    exam = exams.create_exam(
        session,
        code=EXAM_CODE,
        title="Specializare Radiologie – imagistică medicală 2026",
        profile="specializare-asistenti",
        template="specializare-asistenti",
        actor=None,
    )
    exams.import_candidates(session, exam=exam, csv_bytes=CANDIDATES.encode(), actor=None)
    users = {}
    for username, role, room_code in USERS:
        room = exams.find_room(session, exam=exam, code=room_code) if room_code else None
        users[username] = create_user(
            session, username=username, password=username, role=role, room=room, actor=None
        )
    exams.load_key(
        session, exam=exam, document=(EXAMPLE / "key.json").read_bytes(), actor=users["admin"]
    )
    first_room = "SALA-1"  # a room code, not a reason code
    room = exams.find_room(session, exam=exam, code=first_room)
    if open_key:
        exams.open_key(session, room=room, actor=users["sef1"])
    folder = room_folder(settings, room)
    folder.mkdir(parents=True, exist_ok=True)
    for scan in sorted(EXAMPLE.glob("sheet-*.jpg")):
        shutil.copy(scan, folder / scan.name)
    return exam
