"""The administrator sets up an exam on pages alone: the exam, its rooms and room head,
the candidate list (previewed line by line first), the sealed key and the users; no one
else sees these pages."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from station.demo import EXAMPLE
from station.storage.committee import ExamSchedule


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest) -> None:
    """These pages run on SQLite only: the services under them are tested on both."""
    return None


def _login(station, user: str = "admin") -> str:  # noqa: ANN001
    """Log ``user`` in with the cookie; the CSRF token of their forms."""
    client = station.client
    client.cookies.clear()
    client.post("/login", data={"username": user, "password": user})
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/exams").text)[1]


def _post(station, url: str, **data: str):  # noqa: ANN001, ANN201
    response = station.client.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200, response.text
    return response


def test_an_exam_is_created_and_listed(station) -> None:  # noqa: ANN001
    csrf = _login(station)
    page = _post(
        station,
        "/admin/exams",
        csrf=csrf,
        code="REZ-2026",
        title="Rezidențiat 2026",
        profile="specializare-asistenti",
        template="specializare-asistenti",
    )
    assert "examenul REZ-2026 a fost creat" in page.text
    assert "REZ-2026" in station.client.get("/admin/exams").text
    again = _post(
        station,
        "/admin/exams",
        csrf=csrf,
        code="REZ-2026",
        title="x",
        profile="specializare-asistenti",
        template="specializare-asistenti",
    )
    assert "REZ-2026" in again.text and "există" in again.text


def test_a_room_and_its_head_are_created_on_the_exam_page(station) -> None:  # noqa: ANN001
    csrf = _login(station)
    page = _post(station, "/admin/exams/1/rooms", csrf=csrf, code="SALA-9", name="Amfiteatrul")
    assert "sala SALA-9 a fost adăugată" in page.text and "Amfiteatrul" in page.text
    room = re.search(r'<option value="(\d+)">SALA-9</option>', page.text)[1]
    page = _post(
        station,
        "/admin/exams/1/room-heads",
        csrf=csrf,
        role="room_head",
        room_id=room,
        username="sef9",
        full_name="Ion Vasile",
        password="parola9",
    )
    assert "Ion Vasile este șeful sălii SALA-9" in page.text
    assert "Ion Vasile (sef9)" in station.client.get("/admin/exams/1").text
    assert station.client.post("/login", data={"username": "sef9", "password": "parola9"})


def test_candidates_are_previewed_line_by_line_then_imported(station) -> None:  # noqa: ANN001
    csrf = _login(station)
    bad = "number,name,room\n00901,Ionescu Dan,SALA-9\n00901,Alt Nume,SALA-9\nabc,,SALA-9\n"
    preview = station.client.post(
        "/admin/exams/1/candidates/preview",
        data={"csrf": csrf},
        files={"file": ("lista.csv", bad.encode(), "text/csv")},
    )
    assert preview.status_code == 200
    assert "1 linii de importat, 2 refuzate" in preview.text
    assert "lista.csv, linia 3: candidatul 00901 apare de două ori" in preview.text
    assert "lista.csv, linia 4" in preview.text and 'id="confirm"' not in preview.text
    imported = station.call(  # the import checks as the preview does: its first refused line
        "POST", "/api/exams/1/candidates", "admin", files={"file": ("lista.csv", bad.encode())}
    )
    assert imported.status_code == 400
    assert "lista.csv, linia 3: candidatul 00901 apare de două ori" in imported.text
    good = "number,name,room\n00901,Ionescu Dan,SALA-9\n00902,Mihai Ana,SALA-9\n"
    preview = station.client.post(
        "/admin/exams/1/candidates/preview",
        data={"csrf": csrf},
        files={"file": ("lista.csv", good.encode(), "text/csv")},
    )
    assert "(sală nouă)" in preview.text and 'id="confirm"' in preview.text
    assert "Ionescu Dan" not in station.client.get("/admin/exams/1").text  # nothing stored yet
    text = re.search(r'name="text" value="([^"]*)"', preview.text)[1].replace("&#10;", "\n")
    page = _post(station, "/admin/exams/1/candidates", csrf=csrf, text=text)
    assert "2 candidați importați" in page.text
    assert "Ionescu Dan" in page.text and "SALA-9" in page.text


def test_a_user_is_created_with_a_role(station) -> None:  # noqa: ANN001
    csrf = _login(station)
    page = _post(
        station,
        "/admin/users",
        csrf=csrf,
        username="comisie9",
        full_name="Dr. Elena Pop",
        password="parola9",
        role="committee",
        room_id="",
    )
    assert "utilizatorul comisie9 a fost creat" in page.text
    assert re.search(r"comisie9</td><td>Dr. Elena Pop</td><td>comisie</td>", page.text)
    refused = _post(
        station, "/admin/users", csrf=csrf, username="sef10", password="parola", role="room_head"
    )
    assert "un șef de sală are exact o sală" in refused.text


def test_the_sealed_key_is_loaded_on_the_exam_page(station) -> None:  # noqa: ANN001
    csrf = _login(station)
    key = (EXAMPLE / "key.json").read_bytes()
    page = station.client.post(
        "/admin/exams/1/key",
        data={"csrf": csrf},
        files={"file": ("grila.json", key, "application/json")},
        follow_redirects=True,
    )
    assert "grila sigilată nr. 2 a fost încărcată" in page.text, page.text


def test_only_an_administrator_sees_the_setup_pages(station) -> None:  # noqa: ANN001
    station.client.cookies.clear()
    station.client.post("/login", data={"username": "sef1", "password": "sef1"})
    for url in ("/admin/exams", "/admin/exams/1", "/admin/users"):
        assert station.client.get(url).status_code == 403
    assert "/admin/exams" not in station.client.get("/").text


def test_the_schedule_is_set_in_the_exam_s_time_and_stored_in_utc(station, sessions) -> None:  # noqa: ANN001
    csrf = _login(station)
    page = _post(
        station,
        "/admin/exams/1/schedule",
        csrf=csrf,
        published_at="2026-06-01T10:00",
        rescan_own="da",
        rescan_step="resolving",
        rescan_opens_days="1",
        rescan_opens_at="17:00",
        rescan_closes_days="1",
        rescan_closes_hours="",
        rescan_closes_at="23:59",
    )
    assert "programul examenului a fost înregistrat" in page.text
    assert "Publicarea rezultatelor: 01.06.2026 10:00" in page.text
    rescan = re.sub(
        r"<[^>]+>", " ", re.search(r'id="window-rescan">(.*?)</tr>', page.text, re.S)[1]
    )
    assert "soluționarea: de la o zi după publicare, ora 17:00" in rescan
    assert "02.06.2026 17:00" in rescan and "02.06.2026 23:59" in rescan
    contestation = re.search(r'id="window-contestation">(.*?)</tr>', page.text, re.S)[1]
    assert "profilul specializare-asistenti" in contestation and "01.06.2026 12:00" in contestation
    with sessions() as session:
        assert session.scalars(select(ExamSchedule.published_at)).one() == datetime(2026, 6, 1, 7)
    page = _post(station, "/admin/exams/1/time-zone", csrf=csrf, time_zone="Europe/London")
    assert "fusul orar Europe/London" in page.text
    assert "Publicarea rezultatelor: 01.06.2026 08:00" in page.text  # the same moment
    refused = _post(station, "/admin/exams/1/time-zone", csrf=csrf, time_zone="Europa/Iasi")
    assert "fusul orar „Europa/Iasi” nu există" in refused.text
    refusals = [
        ({"contestation_closes_days": "1,5"}, "zilele: „1.5” nu este un număr întreg"),
        (
            {"contestation_opens_hours": "3", "contestation_closes_hours": "1"},
            "contestația se închide înainte să se deschidă",
        ),
    ]
    for fields, said in refusals:
        schedule = {"published_at": "2026-06-01T10:00", "contestation_own": "da", **fields}
        refused = _post(station, "/admin/exams/1/schedule", csrf=csrf, **schedule)
        assert "ferestre invalide: " in refused.text and said in refused.text
    windows = {"contestation": {"closes": {"at": "25"}}}
    bad = {"published_at": "2026-06-01T10:00", "windows": windows}
    refused = station.call("PUT", "/api/exams/1/schedule", "admin", json=bad)
    assert "contestația, închiderea ora: valoarea „25” nu este acceptată" in refused.text


def test_a_user_is_given_another_role_moved_and_disabled(station) -> None:  # noqa: ANN001
    csrf = _login(station)
    users = station.call("GET", "/api/users", "admin").json()
    ids = {user["username"]: user["id"] for user in users}
    page = _post(
        station, f"/admin/users/{ids['sef1']}/role", csrf=csrf, role="room_head", room_id="2"
    )
    assert "utilizatorul sef1: șef de sală, sala SPEC-2026-RAD / SALA-2" in page.text
    assert station.call("GET", "/api/rooms/1", "sef1").status_code == 403  # moved away
    page = _post(station, f"/admin/users/{ids['comisie']}/role", csrf=csrf, role="room_head")
    assert "un șef de sală are exact o sală" in page.text
    page = _post(station, f"/admin/users/{ids['sef2']}/disable", csrf=csrf)
    assert "trebuie confirmată" in page.text
    page = _post(station, f"/admin/users/{ids['sef2']}/disable", csrf=csrf, confirm="da")
    assert "utilizatorul sef2 a fost dezactivat" in page.text and "dezactivat la" in page.text
    assert station.call("GET", "/api/users/me", "sef2").status_code == 401  # its logins ended
    login = station.client.post("/api/auth/token", data={"username": "sef2", "password": "sef2"})
    assert login.status_code == 403 and "contul sef2 este dezactivat" in login.text
    _login(station)
    own = station.call("POST", f"/api/users/{ids['admin']}/disable", "admin")
    assert own.status_code == 409 and "propriul cont" in own.text
