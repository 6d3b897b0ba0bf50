"""The committee's pages in real headless Chromium: a committee member handles a rescan
request from the list to the signed minutes; a room head is kept out."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from station.demo import EXAMPLE
from tests.station.committee_support import pdf_text, rescan_with_1b
from tests.station.test_station_browser import _login, browser, served  # noqa: F401

pytestmark = pytest.mark.browser


def _scan_room_1(base: str) -> None:
    """sheet-001 (candidate 00101) read in SALA-1 and the key opened, by the room head."""
    token = httpx.post(f"{base}/api/auth/token", data={"username": "sef1", "password": "sef1"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    scan = (EXAMPLE / "sheet-001.jpg").read_bytes()
    upload = httpx.post(
        f"{base}/api/exams/1/scans", headers=headers, files=[("files", ("sheet-001.jpg", scan))]
    )
    assert upload.status_code == 202, upload.text
    deadline = time.monotonic() + 60
    while httpx.get(f"{base}/api/rooms/1", headers=headers).json()["counts"] != {"sealed": 1}:
        assert time.monotonic() < deadline, "the scan was not read in time"
        time.sleep(0.1)
    assert httpx.post(f"{base}/api/rooms/1/key/open", headers=headers).status_code == 201


def test_committee_member_handles_a_rescan(served: str, browser, tmp_path: Path) -> None:  # noqa: ANN001, F811
    _scan_room_1(served)
    page = browser.new_page(accept_downloads=True)
    _login(page, served, "comisie")
    page.click("#committee a")
    assert "Nicio cerere" in page.inner_text("#rescans")
    page.fill("#candidate", "00101")
    page.fill("#reason", "candidatul cere rescanarea")
    page.click("#file-rescan")
    assert "depusă" in page.inner_text("#state")
    page.set_input_files("#rescan-file", str(rescan_with_1b(EXAMPLE, tmp_path)))
    page.click("#rescan")
    assert "rescanată" in page.inner_text("#state")
    assert "1b" in page.inner_text("#differences")
    assert (page.inner_text("#score-before"), page.inner_text("#score-after")) == ("9.40", "9.20")
    assert page.locator("img.overlay").count() == 2
    assert page.locator("img.overlay").nth(1).evaluate("img => img.naturalWidth") > 0
    page.select_option("#outcome", "rescan")
    page.fill("#decision-reason", "bula 1b este plină")
    page.fill("#members", "Dr. Ana Marin\nDr. Radu Pop")
    page.click("#decide")
    assert "corectat după rescanare" in page.inner_text("#decision")
    with page.expect_download() as download:
        page.click("#minutes")
    text = pdf_text(Path(download.value.path()).read_bytes())
    for figure in ("00101", "1b", "9.40", "9.20", "Dr. Ana Marin", "Dr. Radu Pop", "Semnătura"):
        assert figure in text, figure
    page.click("h1 a")
    assert "decisă" in page.inner_text("#rescans")


def test_a_room_head_cannot_open_the_committee_pages(served: str, browser) -> None:  # noqa: ANN001, F811
    page = browser.new_page()
    _login(page, served, "sef1")
    assert page.goto(f"{served}/committee/exams/1").status == 403
    assert "comisiei" in page.inner_text("#refusal")
