"""Every API endpoint × every role: who may act, who is refused (401 without a token,
403 for a role or a room that is not theirs)."""

from __future__ import annotations

from pathlib import Path

import pytest

ALL = {"admin", "comisie", "sef1"}
EVERYONE = ALL | {"sef2"}  # endpoints of no particular room
WORKERS = {"admin", "sef1"}
ADMIN = {"admin"}
AUDITORS = {"admin", "comisie"}


def _cases(example: Path) -> list[tuple[str, str, dict, set[str]]]:
    """(method, path, request arguments, users allowed) for room 1 / sheet 1 / export 1."""
    scan = (example / "sheet-002.jpg").read_bytes()
    key = (example / "key.json").read_bytes()
    csv = b"number,name,room\n00999,Nou Candidat,SALA-3\n"
    return [
        ("GET", "/api/users/me", {}, EVERYONE),
        ("GET", "/api/users", {}, ADMIN),
        (
            "POST",
            "/api/users",
            {"json": {"username": "u", "password": "parola", "role": "committee"}},
            ADMIN,
        ),
        ("GET", "/api/exams", {}, EVERYONE),
        (
            "POST",
            "/api/exams",
            {"json": {"code": "X1", "title": "x", "profile": "emc", "template": "emc"}},
            ADMIN,
        ),
        ("GET", "/api/exams/1", {}, EVERYONE),
        ("GET", "/api/exams/1/rooms", {}, EVERYONE),
        ("POST", "/api/exams/1/rooms", {"json": {"code": "SALA-9"}}, ADMIN),
        ("POST", "/api/exams/1/candidates", {"files": {"file": ("c.csv", csv)}}, ADMIN),
        ("GET", "/api/exams/1/keys", {}, EVERYONE),
        ("POST", "/api/exams/1/keys", {"files": {"file": ("k.json", key)}}, ADMIN),
        (
            "POST",
            "/api/exams/1/scans",
            {"files": [("files", ("s.jpg", scan))], "data": {"room_id": "1"}},
            WORKERS,
        ),
        ("GET", "/api/rooms/1", {}, ALL),
        ("GET", "/api/rooms/1/candidates", {}, ALL),
        ("GET", "/api/rooms/1/proces-verbal.pdf", {}, ALL),
        ("GET", "/api/sheets/1", {}, ALL),
        ("GET", "/api/sheets/1/overlay.png", {}, ALL),
        ("GET", "/api/sheets/1/slip.pdf", {}, ALL),
        (
            "POST",
            "/api/sheets/1/decisions",
            {"json": {"question": 45, "option": "b", "state": "blank"}},
            WORKERS,
        ),
        ("POST", "/api/sheets/1/candidate", {"json": {"number": "00103"}}, WORKERS),
        ("GET", "/api/exports/1.json", {}, ALL),
        ("GET", "/api/exports/1.csv", {}, ALL),
        ("GET", "/api/audit", {}, AUDITORS),
        ("GET", "/api/audit/verify", {}, AUDITORS),
        ("POST", "/api/rooms/1/exports", {}, ALL),
        ("POST", "/api/sheets/1/annul", {"json": {"reason": "semn distinctiv"}}, WORKERS),
        ("POST", "/api/rooms/1/key/open", {}, WORKERS),
        ("POST", "/api/auth/logout", {}, EVERYONE),
    ]


@pytest.fixture
def scored(station, example: Path):  # noqa: ANN201
    """Room 1 with sheet 1 (the doubtful sheet 3), its key opened and one export."""
    station.upload(example / "sheet-003.jpg")
    station.wait_read()
    station.call("POST", "/api/rooms/1/key/open")
    station.call("POST", "/api/rooms/1/exports")
    station.client.post("/api/auth/token", data={"username": "sef1", "password": "sef1"})
    return station


def test_every_endpoint_for_every_role(scored, example: Path) -> None:
    for method, path, arguments, allowed in _cases(example):
        nobody = scored.client.request(method, path, **arguments)
        assert nobody.status_code == 401, (method, path)
        for user in ("sef2", "comisie", "admin", "sef1"):
            response = scored.call(method, path, user, **arguments)
            if user in allowed:
                assert response.status_code not in (401, 403), (method, path, user, response.text)
            else:
                assert response.status_code == 403, (method, path, user, response.text)
                assert response.json()["reason"] == "forbidden"


def test_login_refused_with_a_wrong_password(station) -> None:
    response = station.client.post("/api/auth/token", data={"username": "sef1", "password": "nu"})
    assert (
        response.status_code == 401 and response.json()["detail"] == "utilizator sau parolă greșită"
    )


def test_room_head_sees_only_their_room(scored) -> None:
    assert [r["code"] for r in scored.call("GET", "/api/exams/1/rooms", "sef2").json()] == [
        "SALA-2"
    ]
    assert len(scored.call("GET", "/api/exams/1/rooms", "comisie").json()) == 2
    refused = scored.call("GET", "/api/rooms/1", "sef2")
    assert refused.status_code == 403 and "SALA-1" in refused.json()["detail"]
    assert scored.call("GET", "/api/rooms/2", "sef2").status_code == 200
