"""From an empty station to a contestation, in real headless Chromium and on pages alone:
an administrator sets up a new exam (profile and template, rooms, room head, candidates
CSV previewed then imported, sealed key, time zone, publication and windows, users); the
room head reads a sheet and opens the key; a committee member files a contestation. And
``/docs`` with the network cut."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from station.app import create_app
from station.cli import main as station_main
from station.config import Settings
from station.demo import EXAM_CODE, EXAMPLE
from station.services.deadlines import local_now
from tests.station.test_station_browser import _login, browser, served, serving, submit  # noqa: F401
from tests.station.test_station_room_browser import file_contestation

pytestmark = pytest.mark.browser
CANDIDATES = """number,name,room
00101,Popescu Ana,SALA-1
00102,Ionescu Mihai,SALA-1
00201,Georgescu Ioana,SALA-2
"""


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new station with no exam, no room and one account, its administrator's (made by
    ``station user add``)."""
    data = tmp_path / "data"
    monkeypatch.setattr("sys.stdin", io.StringIO("admin\n"))
    assert station_main(["user", "add", "admin", "--data", str(data)]) == 0
    settings = Settings(data_dir=data, watch_hot_folder=False, reading_threads=1)
    with serving(create_app(settings)) as base:
        yield base


def _fill(page, form: str, **fields: str) -> None:  # noqa: ANN001
    """Fill the named fields of the form ``form`` (a selector)."""
    for name, value in fields.items():
        page.fill(f"{form} input[name={name}]", value)


def _set_up_on_pages(page, base: str, tmp_path: Path) -> None:  # noqa: ANN001
    """The administrator's whole set-up, page by page."""
    _login(page, base, "admin")
    submit(page, "text=Pregătire")
    assert "Niciun examen" in page.inner_text("#exams")
    _fill(page, "#new-exam", code=EXAM_CODE, title="Specializare Radiologie 2026")  # as the sheets
    page.select_option("#new-exam select[name=profile]", "specializare-asistenti")
    page.select_option("#new-exam select[name=template]", "specializare-asistenti")
    submit(page, "text=Creează examenul")
    assert f"examenul {EXAM_CODE} a fost creat" in page.inner_text("#message")
    _fill(page, "#new-room", code="SALA-1", name="Amfiteatrul 1")
    submit(page, "text=Adaugă sala")
    assert "sala SALA-1 a fost adăugată" in page.inner_text("#message")
    page.select_option("#new-room-head select[name=room_id]", label="SALA-1")
    _fill(page, "#new-room-head", full_name="Ion Vasile", username="sefA", password="sefA")
    submit(page, "text=Creează contul șefului de sală")
    assert "Ion Vasile este șeful sălii SALA-1" in page.inner_text("#message")
    csv = tmp_path / "candidati.csv"
    csv.write_text(CANDIDATES, encoding="utf-8")
    page.set_input_files("#candidates input[name=file]", str(csv))
    submit(page, "text=Previzualizează")
    assert "SALA-2 (sală nouă)" in page.inner_text("#preview")
    submit(page, "#confirm button")
    assert "3 candidați importați" in page.inner_text("#message")
    assert "Georgescu Ioana" in page.inner_text("#candidate-list")
    page.set_input_files("#key input[name=file]", str(EXAMPLE / "key.json"))
    submit(page, "text=Încarcă grila")
    assert "grila sigilată nr. 1 a fost încărcată" in page.inner_text("#message")
    submit(page, "#schedule-link")
    page.fill("#time-zone", "Europe/Bucharest")
    submit(page, "text=Schimbă fusul orar")
    assert "fusul orar Europe/Bucharest" in page.inner_text("#message")
    published = local_now() - timedelta(minutes=10)  # the exam's wall-clock time
    page.fill("#published-at", f"{published:%Y-%m-%dT%H:%M}")
    page.check("#contestation-own")
    page.fill("#contestation-closes-hours", "3")
    submit(page, "#save-schedule")
    assert "programul examenului a fost înregistrat" in page.inner_text("#message")
    assert f"{published:%d.%m.%Y %H:%M}" in page.inner_text("#published")
    contestation = page.inner_text("#window-contestation")
    assert "până la 3 ore după publicare" in contestation and "examen" in contestation
    assert f"{published + timedelta(hours=3):%d.%m.%Y %H:%M}" in contestation
    submit(page, "text=Utilizatori")
    _fill(page, "#new-user", username="comisieA", full_name="Dr. Elena Pop", password="comisieA")
    page.select_option("#new-user select[name=role]", "committee")
    submit(page, "text=Creează utilizatorul")
    assert "utilizatorul comisieA a fost creat" in page.inner_text("#message")
    assert "comisie" in page.inner_text("#user-comisieA")


def test_an_administrator_sets_up_an_exam_on_pages_and_a_contestation_is_filed(
    empty: str,
    browser,  # noqa: ANN001, F811
    tmp_path: Path,
) -> None:
    _set_up_on_pages(browser.new_page(), empty, tmp_path)
    room = browser.new_page()
    _login(room, empty, "sefA")
    assert "sala SALA-1" in room.inner_text("h1")
    room.set_input_files("input[name=files]", str(EXAMPLE / "sheet-001.jpg"))
    room.click("#upload")
    room.wait_for_selector("#queue a", timeout=60_000)
    submit(room, "#open-key")
    assert "grila a fost deschisă" in room.inner_text("#message")
    file_contestation(browser.new_page(), empty, "comisieA")


def test_the_api_docs_work_with_the_network_cut(served: str, browser) -> None:  # noqa: ANN001, F811
    context = browser.new_context()
    elsewhere: list[str] = []

    def cut(route) -> None:  # noqa: ANN001
        if route.request.url.startswith(served):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", cut)
    page = context.new_page()
    assert page.goto(f"{served}/docs").status == 200
    page.wait_for_load_state("networkidle")
    operations = page.inner_text("#operations")
    assert (
        "/api/sheets/{sheet_id}/decisions" in operations
        and "/api/users/{user_id}/disable" in operations
    )
    assert page.locator("#operations tr").count() > 40
    assert elsewhere == []  # nothing was asked of the network
    context.close()
