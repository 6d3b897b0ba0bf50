"""The administrator sets up an exam on pages alone: the exam, its rooms and room head,
the candidate list (previewed line by line first), the sealed key and the users; no one
else sees these pages."""

from __future__ import annotations

import re

import pytest

from station.demo import EXAMPLE


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


def test_the_schedule_is_set_on_the_exam_page(station) -> None:  # noqa: ANN001
    csrf = _login(station)
    page = _post(station, "/admin/exams/1/schedule", csrf=csrf, published_at="2026-06-01T10:00")
    assert "programul examenului a fost înregistrat" in page.text
    assert "Publicarea rezultatelor: 01.06.2026 10:00" in page.text
