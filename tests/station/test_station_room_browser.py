"""The room head in front of the candidate, in real headless Chromium: the doubtful bubble
decided with the keyboard alone and the slip printed; the room refreshed in place (a
file being picked stays picked); annulling asks for a confirmation; and a committee
member files a contestation on a page."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from station.demo import EXAMPLE
from station.services.deadlines import local_now
from tests.station.test_committee_browser import _headers
from tests.station.test_station_browser import _login, browser, served, submit  # noqa: F401

pytestmark = pytest.mark.browser


def _scan(base: str, *names: str, open_key: bool = True) -> None:
    """The example sheets ``names`` read in SALA-1 (and the key opened), by its room head."""
    headers = _headers(base, "sef1")
    files = [("files", (name, (EXAMPLE / name).read_bytes())) for name in names]
    assert httpx.post(f"{base}/api/exams/1/scans", headers=headers, files=files).status_code == 202
    deadline = time.monotonic() + 60
    while httpx.get(f"{base}/api/rooms/1", headers=headers).json()["unread"]:
        assert time.monotonic() < deadline, "the scans were not read in time"
        time.sleep(0.1)
    if open_key:
        assert httpx.post(f"{base}/api/rooms/1/key/open", headers=headers).status_code == 201


def test_the_keyboard_alone_decides_the_bubble_and_prints_the_slip(served: str, browser) -> None:  # noqa: ANN001, F811
    _scan(served, "sheet-001.jpg", "sheet-003.jpg")
    page = browser.new_page(accept_downloads=True)
    _login(page, served, "sef1")
    page.goto(f"{served}/sheets/1")
    page.keyboard.press("n")  # the next sheet waiting for a decision
    page.wait_for_url("**/sheets/2")
    card = page.inner_text("#bubble-45b")
    assert "cerneală pe" in card and "umplută parțial" in card and "a marcată" in card
    assert page.locator("#bubble-45b img.crop").evaluate("img => img.naturalWidth") == 720
    assert page.input_value("#state-45b") == ""  # nothing decided for the room head
    assert page.evaluate("document.activeElement.id") == "state-45b"
    page.keyboard.press("ArrowDown")  # goală
    page.keyboard.press("Tab")
    page.keyboard.type("confirmat cu candidata")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".score-big")
    assert "finală" in page.inner_text("#status")
    assert "decisă goală" in page.inner_text("#bubble-45b")
    assert page.input_value("#state-45b") == ""  # the form offers no choice of its own
    assert page.evaluate("document.activeElement.id") == "slip"
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "fisa-2.pdf"


def test_the_room_refreshes_in_place_and_annulling_asks_to_confirm(served: str, browser) -> None:  # noqa: ANN001, F811
    page = browser.new_page()
    _login(page, served, "sef1")
    page.evaluate("window.notReloaded = true")
    page.set_input_files("input[name=files]", str(EXAMPLE / "sheet-002.jpg"))
    _scan(served, "sheet-001.jpg", open_key=False)
    page.wait_for_selector("#queue a", timeout=30_000)  # the sheet shows up without a reload
    assert page.evaluate("window.notReloaded")
    assert page.evaluate("document.querySelector('input[name=files]').files.length") == 1
    assert "pagini citite: 1" in page.inner_text("#progress-line")
    submit(page, "#queue a")
    page.fill("#annul-reason", "semn distinctiv")
    page.click("#annul")  # not confirmed: the browser keeps the form
    assert "finală" not in page.inner_text("#status") and "ANULATĂ" not in page.inner_text("main")
    page.check("#annul-confirm")
    submit(page, "#annul")
    assert "anulată" in page.inner_text("#status")
    assert "ANULATĂ: semn distinctiv" in page.inner_text("main")


def test_a_committee_member_files_a_contestation_on_a_page(served: str, browser) -> None:  # noqa: ANN001, F811
    _scan(served, "sheet-001.jpg")
    published = (local_now() - timedelta(minutes=10)).isoformat()
    scheduled = httpx.put(
        f"{served}/api/exams/1/schedule",
        headers=_headers(served, "admin"),
        json={"published_at": published, "windows": None},
    )
    assert scheduled.status_code == 200, scheduled.text
    file_contestation(browser.new_page(), served, "comisie")


def file_contestation(page, base: str, user: str) -> None:  # noqa: ANN001
    """``user`` files a contestation of candidate 00101 on question 21 on the exam's page."""
    _login(page, base, user)
    submit(page, "#committee a")
    page.fill("#contest-candidate", "00101")
    page.fill("#contest-question", "21")
    page.fill("#contest-claim", "răspunsul b este și el corect")
    submit(page, "#file-contestation")
    assert "a fost înregistrată" in page.inner_text("#message")
    assert "răspunsul b este și el corect" in page.inner_text("#items")
