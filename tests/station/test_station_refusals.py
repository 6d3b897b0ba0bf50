"""Every station refusal by its reason code, through the HTTP API (or, where a Pydantic
schema refuses first, through the page that takes the same value as free text and the
service itself); each refusal's ``detail`` is its Romanian message, with no Python repr
or ``None`` in it."""

from __future__ import annotations

import html
import re
import string
from datetime import datetime
from pathlib import Path

import cv2
import pytest
from sqlalchemy import select

from omr.vocabulary.reasons import Reason
from station.errors import StationError
from station.services import contestations, rescans, sheets
from station.services.exams import get_exam
from station.services.users import create_user
from station.storage.models import Reading, User
from tests.station.committee_support import BUBBLE_1B, page_login, schedule, set_clock

GARBAGE = b"\xff\xd8\xff not a jpeg"
MEMBERS = ["Dr. Ana Marin"]


def _romanian(text: str, reason: Reason) -> str:
    """``text`` is ``reason``'s Romanian message: its fixed words, no repr, no None."""
    for literal, *_ in string.Formatter().parse(reason.message_ro):
        assert literal in text, (reason, literal, text)
    for leak in ("None", "Reason.", "'", "[", "{", "}", "\\"):
        assert leak not in text, (reason, leak, text)
    return text


def _refused(response, status: int, reason: str) -> str:  # noqa: ANN001
    """The API refused with ``status`` and ``reason``; its detail (checked Romanian)."""
    body = response.json()
    assert (response.status_code, body.get("reason")) == (status, reason), response.text
    return _romanian(body["detail"], Reason(reason))


def _page_refused(response, status: int, reason: Reason) -> str:  # noqa: ANN001
    """A page refused with ``status`` and showed ``reason``'s message (pages show no code)."""
    assert response.status_code == status, response.text
    shown = re.search(r'id="refusal">(.*?)</p>', response.text, re.S)
    assert shown, response.text
    return _romanian(html.unescape(shown.group(1)), reason)


def _service_refused(call, reason: Reason, status: int = 400) -> str:  # noqa: ANN001
    """The service refuses ``call()`` with ``reason``; the message (checked Romanian)."""
    with pytest.raises(StationError) as refused:
        call()
    assert (refused.value.reason, refused.value.status_code) == (reason, status)
    return _romanian(refused.value.message, reason)


def _user(session, username: str) -> User:  # noqa: ANN001
    return session.scalars(select(User).where(User.username == username)).one()


# --- logins -----------------------------------------------------------------------------


def test_unauthenticated_and_failed_logins(station) -> None:
    token = station.client.post("/api/auth/token", data={"username": "sef1", "password": "sef1"})
    ended = token.json()["access_token"]
    assert (
        station.client.post(
            "/api/auth/logout", headers={"Authorization": f"Bearer {ended}"}
        ).status_code
        == 204
    )
    for headers in (
        {},
        {"Authorization": "Bearer nu-este-un-token"},
        {"Authorization": f"Bearer {ended}"},  # logged out
        {"Authorization": f"Basic {station.tokens['sef1']}"},  # not a bearer token
    ):
        refused = station.client.get("/api/rooms/1", headers=headers)
        assert "token Bearer" in _refused(refused, 401, "not_authenticated"), headers
    for username, password in (("sef1", "gresit"), ("nimeni", "nimeni"), ("sef1", "SEF1")):
        login = {"username": username, "password": password}
        detail = _refused(station.client.post("/api/auth/token", data=login), 401, "login_failed")
        assert detail == "utilizator sau parolă greșită"
    page = station.client.post("/login", data={"username": "sef1", "password": "gresit"})
    assert page.status_code == 401 and "utilizator sau parolă greșită" in page.text
    assert station.client.get("/api/users/me", headers=station.headers("sef1")).status_code == 200


def test_pages_need_a_login_and_their_csrf_token(station) -> None:
    away = station.client.get("/rooms/1", follow_redirects=False)
    assert (away.status_code, away.headers["location"]) == (303, "/login")
    csrf = page_login(station, "sef1")
    for forged in ("fals", "", csrf[:-1]):
        refused = station.client.post(
            "/rooms/1/key/open", data={"csrf": forged}, follow_redirects=False
        )
        message = _page_refused(refused, 403, Reason.CSRF_INVALID)
        assert message == Reason.CSRF_INVALID.message({}, "ro")
    assert station.call("GET", "/api/rooms/1").json()["key_opened"] is False  # nothing done
    opened = station.client.post("/rooms/1/key/open", data={"csrf": csrf}, follow_redirects=False)
    assert opened.status_code == 303, opened.text
    assert station.call("GET", "/api/rooms/1").json()["key_opened"] is True


# --- users, exams, rooms, candidates -------------------------------------------------------


def test_user_refusals(station) -> None:
    head = {"username": "sef3", "password": "parola", "role": "room_head"}
    cases = [
        (head, 400, "room_required", "șef de sală"),
        ({**head, "role": "committee", "room_id": 1}, 400, "room_required", "șef de sală"),
        ({**head, "room_id": 1, "password": "abc"}, 400, "password_too_short", "4 caractere"),
        ({**head, "room_id": 1, "username": "sef1"}, 409, "user_exists", "sef1"),
    ]
    for body, status, reason, named in cases:
        detail = _refused(station.call("POST", "/api/users", "admin", json=body), status, reason)
        assert named in detail, (reason, detail)
    users = [u["username"] for u in station.call("GET", "/api/users", "admin").json()]
    assert users == ["admin", "comisie", "sef1", "sef2"]  # nothing was created
    assert (
        station.call("POST", "/api/users", "admin", json={**head, "room_id": 1}).status_code == 201
    )


def test_role_invalid_is_refused_by_the_schema_then_by_the_service(station, sessions) -> None:
    """``role_invalid`` cannot be reached through the API: ``UserCreate.role`` is a Literal."""
    body = {"username": "rege", "password": "parola", "role": "king"}
    assert station.call("POST", "/api/users", "admin", json=body).status_code == 422
    with sessions() as session:
        message = _service_refused(
            lambda: create_user(session, username="rege", password="parola", role="king"),
            Reason.ROLE_INVALID,
        )
    assert message == "rolul „king” nu există (room_head, committee, admin)"


def test_exam_room_and_candidate_refusals(station) -> None:
    exam = {"code": "EMC-2026", "title": "EMC", "profile": "emc", "template": "emc"}
    other_template = {**exam, "template": "rezidentiat"}
    same_code = {**exam, "code": "SPEC-2026-RAD"}
    no_room = b"number,name\n00999,Nou Candidat\n"
    enrolled = b"number,name,room\n00998,Alt Candidat,SALA-9\n00101,Popescu Ana,SALA-1\n"
    cases = [
        ("POST", "/api/exams", {"json": other_template}, 400, "template_not_in_profile", "emc"),
        ("POST", "/api/exams", {"json": same_code}, 409, "exam_exists", "SPEC-2026-RAD"),
        ("POST", "/api/exams/1/rooms", {"json": {"code": "SALA-1"}}, 409, "room_exists", "SALA-1"),
        (
            "POST",
            "/api/exams/1/candidates",
            {"files": {"file": ("c.csv", no_room)}},
            400,
            "room_missing",
            "00999",
        ),
        (
            "POST",
            "/api/exams/1/candidates",
            {"files": {"file": ("c.csv", enrolled)}},
            409,
            "candidate_exists",
            "00101",
        ),
    ]
    for method, path, arguments, status, reason, named in cases:
        detail = _refused(station.call(method, path, "admin", **arguments), status, reason)
        assert named in detail, (reason, detail)
    rooms = [r["code"] for r in station.call("GET", "/api/exams/1/rooms", "admin").json()]
    assert rooms == ["SALA-1", "SALA-2"]  # SALA-9 of the refused list was not kept
    assert [e["code"] for e in station.call("GET", "/api/exams", "admin").json()] == [
        "SPEC-2026-RAD"
    ]

    # a second exam, with a room and a candidate but no key
    assert station.call("POST", "/api/exams", "admin", json=exam).status_code == 201
    listed = b"number,name,room\n00901,Candidat EMC,SALA-E\n"
    added = station.call(
        "POST", "/api/exams/2/candidates", "admin", files={"file": ("c.csv", listed)}
    )
    assert added.status_code == 201, added.text
    room = added.json()[0]["room_id"]
    scan = [("files", ("s.jpg", GARBAGE))]
    elsewhere = station.call("POST", "/api/exams/2/scans", "admin", files=scan, data={"room_id": 1})
    assert "SALA-1" in _refused(elsewhere, 400, "room_other_exam")
    own_room = station.call("POST", "/api/exams/2/scans", "sef1", files=scan)  # sef1: SALA-1
    assert "EMC-2026" in _refused(own_room, 400, "room_other_exam")
    assert station.call("GET", "/api/rooms/1").json()["received"] == 0  # nothing stored
    _refused(station.call("POST", f"/api/rooms/{room}/key/open", "admin"), 409, "key_missing")
    contest = {"candidate": "00901", "question": 1, "claim": "greșit"}
    _refused(
        station.call("POST", "/api/exams/2/contestations", "comisie", json=contest),
        409,
        "key_missing",
    )
    _refused(station.call("POST", "/api/exams/2/ranking", "comisie"), 409, "key_missing")


# --- the room head's sheets --------------------------------------------------------------


@pytest.fixture
def room_one(station, example: Path):  # noqa: ANN201
    """Room 1: sheet 1 (00101), sheet 2 (00102), sheet 3 rejected at reading; key opened."""
    station.upload(example / "sheet-001.jpg", example / "sheet-002.jpg")
    station.wait_read()
    station.call("POST", "/api/exams/1/scans", files=[("files", ("stricat.jpg", GARBAGE))])
    sheets_read = station.wait_read()["sheets"]
    assert [(s["candidate"], s["status"]) for s in sheets_read][2] == (None, "rejected")
    assert [s["candidate"] for s in sheets_read][:2] == ["00101", "00102"]
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    return station


def _pick(station, sheet: int, number: str):  # noqa: ANN001, ANN202
    return station.call("POST", f"/api/sheets/{sheet}/candidate", json={"number": number})


def _decide(station, sheet: int, state: str = "blank"):  # noqa: ANN001, ANN202
    return station.call(
        "POST",
        f"/api/sheets/{sheet}/decisions",
        json={"question": 1, "option": "b", "state": state},
    )


def test_sheet_refusals(room_one) -> None:
    assert "09999" in _refused(_pick(room_one, 1, "09999"), 400, "candidate_unknown")
    taken = _refused(_pick(room_one, 2, "00101"), 409, "candidate_has_sheet")
    assert "00101" in taken and "#1" in taken
    assert "#3" in _refused(_pick(room_one, 3, "00103"), 409, "sheet_rejected")
    assert "#3" in _refused(_decide(room_one, 3), 409, "sheet_rejected")
    assert room_one.sheet(3)["candidate"] is None
    annulled = room_one.call("POST", "/api/sheets/1/annul", json={"reason": "cerneală roșie"})
    assert annulled.status_code == 201, annulled.text
    _refused(_pick(room_one, 1, "00103"), 409, "sheet_annulled")
    _refused(_decide(room_one, 1), 409, "sheet_annulled")
    assert room_one.sheet(1)["candidate"] == "00101" and room_one.sheet(1)["decisions"] == []


def test_decision_state_invalid_through_the_page_and_the_service(room_one, sessions) -> None:
    """The API's ``DecisionCreate.state`` is an enum (422); the page posts free text."""
    assert _decide(room_one, 2, "maybe").status_code == 422
    csrf = page_login(room_one, "sef1")
    form = {"csrf": csrf, "bubble": "1:b", "state": "maybe"}
    page = room_one.client.post("/sheets/2/decisions", data=form, follow_redirects=False)
    assert "blank" in _page_refused(page, 400, Reason.DECISION_STATE_INVALID)
    with sessions() as session:
        message = _service_refused(
            lambda: sheets.decide(
                session,
                reading=session.get(Reading, 2),
                question=1,
                option="b",
                state="maybe",
                note="",
                actor=_user(session, "sef1"),
            ),
            Reason.DECISION_STATE_INVALID,
        )
    assert "filled" in message
    assert room_one.sheet(2)["decisions"] == []


# --- the committee -----------------------------------------------------------------------


def rescan_with_unclear_1b(example: Path, folder: Path) -> Path:
    """sheet-001 scanned again, with a small blue dot in bubble 1b: read as unclear."""
    image = cv2.imread(str(example / "sheet-001.jpg"))
    cv2.circle(image, BUBBLE_1B, 10, (170, 60, 20), -1)
    path = folder / "rescan-neclar.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


@pytest.fixture
def two_rooms(station, example: Path):  # noqa: ANN201
    """Room 1: sheet 1 (00101), sheet 2 rejected; room 2: sheet 3 of no one on its list."""
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    station.call("POST", "/api/exams/1/scans", files=[("files", ("stricat.jpg", GARBAGE))])
    station.wait_read()
    station.call(
        "POST",
        "/api/exams/1/scans",
        "sef2",
        files=[("files", ("sala2.jpg", (example / "sheet-002.jpg").read_bytes()))],
    )
    (sheet,) = station.wait_read(2, "sef2")["sheets"]
    assert (sheet["id"], sheet["candidate"]) == (3, None)
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    return station


def _file(station, **body):  # noqa: ANN001, ANN003, ANN202
    return station.call(
        "POST", "/api/exams/1/rescans", "comisie", json={"reason": "cerere", **body}
    )


def test_rescan_refusals(two_rooms, example: Path, tmp_path: Path, sessions) -> None:
    _refused(_file(two_rooms), 400, "sheet_not_named")
    _refused(_file(two_rooms, candidate=""), 400, "sheet_not_named")
    assert "#2" in _refused(_file(two_rooms, sheet_id=2), 409, "sheet_rejected")
    assert "#3" in _refused(_file(two_rooms, sheet_id=3), 409, "sheet_unidentified")
    assert two_rooms.call("GET", "/api/exams/1/rescans", "comisie").json() == []
    assert _file(two_rooms, candidate="00101").status_code == 201
    path = rescan_with_unclear_1b(example, tmp_path)
    rescanned = two_rooms.call(
        "POST", "/api/rescans/1/scan", "comisie", files={"file": (path.name, path.read_bytes())}
    )
    assert rescanned.status_code == 201, rescanned.text
    assert rescanned.json()["differences"] == [
        {"bubble": "1b", "before": "blank", "after": "unclear"}
    ]
    decision = {"outcome": "rescan", "reason": "după rescanare", "members": MEMBERS}
    unclear = two_rooms.call("POST", "/api/rescans/1/decision", "comisie", json=decision)
    assert "1b" in _refused(unclear, 400, "rescan_unclear")

    # outcome_invalid: RescanDecisionCreate.outcome is a Literal (422); the page posts text
    wrong = two_rooms.call(
        "POST", "/api/rescans/1/decision", "comisie", json={**decision, "outcome": "maybe"}
    )
    assert wrong.status_code == 422
    csrf = page_login(two_rooms, "comisie")
    form = {"csrf": csrf, "outcome": "maybe", "members": "Dr. Ana Marin", "reason": "r"}
    page = two_rooms.client.post("/committee/rescans/1/decision", data=form, follow_redirects=False)
    assert "decizia" in _page_refused(page, 400, Reason.OUTCOME_INVALID)
    with sessions() as session:
        message = _service_refused(
            lambda: rescans.decide(
                session,
                request=rescans.get_request(session, 1),
                outcome="maybe",
                reason="r",
                bubbles=[],
                members=MEMBERS,
                now=datetime(2026, 6, 1, 15, 0),
                actor=_user(session, "comisie"),
            ),
            Reason.OUTCOME_INVALID,
        )
    assert "keep, rescan, by_hand" in message
    assert two_rooms.call("GET", "/api/rescans/1", "comisie").json()["state"] == "rescanned"
    assert two_rooms.sheet(1)["total"] == "9.40"  # the original stands


def _contest(station, claim: str = "greșit"):  # noqa: ANN001, ANN202
    body = {"candidate": "00101", "question": 3, "claim": claim}
    return station.call("POST", "/api/exams/1/contestations", "comisie", json=body)


def test_committee_preconditions(station, sessions) -> None:
    _refused(station.call("POST", "/api/rooms/1/exports", "comisie"), 409, "key_sealed")
    _refused(station.call("POST", "/api/rooms/1/exports", "sef1"), 409, "key_sealed")
    _refused(_contest(station), 409, "schedule_missing")
    _refused(_contest(station, "  "), 400, "claim_missing")
    schedule(station)
    set_clock(station, datetime(2026, 6, 1, 15, 0))
    _refused(_contest(station, ""), 400, "claim_missing")
    assert station.call("GET", "/api/exams/1/contestations", "comisie").json() == []
    assert _contest(station).status_code == 201

    # outcome_invalid: RulingCreate.outcome is a Literal (422); the page posts text
    ruling = {"outcome": "maybe", "justification": "motivat", "members": MEMBERS}
    path = "/api/exams/1/items/A3/ruling"
    assert station.call("POST", path, "comisie", json=ruling).status_code == 422
    csrf = page_login(station, "comisie")
    form = {"csrf": csrf, "outcome": "maybe", "justification": "j", "members": "Dr. Ana Marin"}
    page = station.client.post(
        "/committee/exams/1/items/A3/ruling", data=form, follow_redirects=False
    )
    assert "răspunsul" in _page_refused(page, 400, Reason.OUTCOME_INVALID)
    with sessions() as session:
        message = _service_refused(
            lambda: contestations.rule_item(
                session,
                exam=get_exam(session, 1),
                item="A3",
                outcome="maybe",
                answer=None,
                justification="motivat",
                members=MEMBERS,
                actor=_user(session, "comisie"),
            ),
            Reason.OUTCOME_INVALID,
        )
    assert "rejected, changed, annulled" in message
    items = station.call("GET", "/api/exams/1/contestations", "comisie").json()
    assert [item["ruling"] for item in items] == [None]

    rejected = station.call("POST", path, "comisie", json={**ruling, "outcome": "rejected"})
    assert rejected.status_code == 201, rejected.text
    set_clock(station, datetime(2026, 6, 1, 16, 1))  # the contestations closed at 16:00
    assert station.call("POST", "/api/exams/1/key/publish", "comisie").status_code == 201
    _refused(station.call("POST", "/api/exams/1/ranking", "comisie"), 409, "bundles_missing")
