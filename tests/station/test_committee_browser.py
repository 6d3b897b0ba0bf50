"""The committee's pages in real headless Chromium: a committee member handles a rescan
request from the list to the signed minutes; a room head is kept out."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from station.demo import EXAMPLE
from station.services.deadlines import local_now
from tests.station.committee_support import pdf_text, rescan_with_1b
from tests.station.test_station_browser import _login, browser, served, submit  # noqa: F401

pytestmark = pytest.mark.browser


def _headers(base: str, user: str) -> dict[str, str]:
    token = httpx.post(f"{base}/api/auth/token", data={"username": user, "password": user})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _scan_room_1(base: str) -> None:
    """sheet-001 (candidate 00101) read in SALA-1 and the key opened, by the room head."""
    headers = _headers(base, "sef1")
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
    submit(page, "#committee a")
    assert "Nicio cerere" in page.inner_text("#rescans")
    page.fill("#candidate", "00101")
    page.fill("#reason", "candidatul cere rescanarea")
    submit(page, "#file-rescan")
    assert "depusă" in page.inner_text("#state")
    page.set_input_files("#rescan-file", str(rescan_with_1b(EXAMPLE, tmp_path)))
    submit(page, "#rescan")
    assert "rescanată" in page.inner_text("#state")
    assert "1b" in page.inner_text("#differences")
    assert (page.inner_text("#score-before"), page.inner_text("#score-after")) == ("9.40", "9.20")
    assert page.locator("img.overlay").count() == 2
    from playwright.sync_api import expect  # the rescan's overlay is drawn on demand

    expect(page.locator("img.overlay").nth(1)).to_have_js_property("complete", True)
    assert page.locator("img.overlay").nth(1).evaluate("img => img.naturalWidth") > 0
    page.select_option("#outcome", "rescan")
    page.fill("#decision-reason", "bula 1b este plină")
    page.fill("#members", "Dr. Ana Marin\nDr. Radu Pop")
    submit(page, "#decide")
    assert "corectat după rescanare" in page.inner_text("#decision")
    with page.expect_download() as download:
        page.click("#minutes")
    text = pdf_text(Path(download.value.path()).read_bytes())
    for figure in ("00101", "1b", "9.40", "9.20", "Dr. Ana Marin", "Dr. Radu Pop", "Semnătura"):
        assert figure in text, figure
    submit(page, "h1 a")
    assert "decisă" in page.inner_text("#rescans")


def test_committee_rules_on_contested_items_and_publishes(served: str, browser) -> None:  # noqa: ANN001, F811
    _scan_room_1(served)
    published = (local_now() - timedelta(minutes=30)).isoformat()
    schedule = httpx.put(
        f"{served}/api/exams/1/schedule",
        headers=_headers(served, "admin"),
        json={"published_at": published},
    )
    assert schedule.status_code == 200, schedule.text
    committee = _headers(served, "comisie")
    for question in (5, 21):
        filed = httpx.post(
            f"{served}/api/exams/1/contestations",
            headers=committee,
            json={"candidate": "00101", "question": question, "claim": "greșit"},
        )
        assert filed.status_code == 201, filed.text
    page = browser.new_page()
    _login(page, served, "comisie")
    page.goto(f"{served}/committee/exams/1")
    analysis = page.inner_text("#items tr:nth-child(2)")  # A5, beside its contestation
    assert "grila c; corect 0 % din 1 foi" in analysis and "grila spune c" in analysis
    for row, outcome, answer in ((2, "annulled", ""), (3, "changed", "ab")):
        form = page.locator(f"#items tr:nth-child({row}) form")
        form.locator("select[name=outcome]").select_option(outcome)
        form.locator("input[name=answer]").fill(answer)
        form.locator("input[name=justification]").fill("hotărât")
        form.locator("textarea[name=members]").fill("Dr. Ana Marin")
        form.locator("button").click()
    assert "anulată — hotărât" in page.inner_text("#items tr:nth-child(2)")
    assert "grilă modificată: ab" in page.inner_text("#items tr:nth-child(3)")
    submit(page, "#publish")  # the contestations' two hours are not over
    assert "după închiderea contestațiilor" in page.inner_text("#refusal")
    earlier = (local_now() - timedelta(hours=3)).isoformat()
    httpx.put(
        f"{served}/api/exams/1/schedule",
        headers=_headers(served, "admin"),
        json={"published_at": earlier},
    )
    page.goto(f"{served}/committee/exams/1")
    submit(page, "#publish")
    assert "grila finală a fost publicată: o schimbare de scor" in page.inner_text("#message")
    assert "9.40" in page.inner_text("#changes") and "00101" in page.inner_text("#changes")


def test_a_room_head_cannot_open_the_committee_pages(served: str, browser) -> None:  # noqa: ANN001, F811
    page = browser.new_page()
    _login(page, served, "sef1")
    assert page.goto(f"{served}/committee/exams/1").status == 403
    assert "comisiei" in page.inner_text("#refusal")


def test_committee_unifies_the_rooms(served: str, browser, tmp_path: Path) -> None:  # noqa: ANN001, F811
    _scan_room_1(served)
    admin, committee = _headers(served, "admin"), _headers(served, "comisie")
    published = (local_now() - timedelta(hours=3)).isoformat()  # contestations closed
    httpx.put(f"{served}/api/exams/1/schedule", headers=admin, json={"published_at": published})
    assert httpx.post(f"{served}/api/exams/1/key/publish", headers=committee).status_code == 201
    export = httpx.post(f"{served}/api/rooms/1/exports", headers=_headers(served, "sef1"))
    assert export.status_code == 201, export.text
    bundle = tmp_path / "sala-1.json"
    bundle.write_bytes(
        httpx.get(f"{served}/api/exports/{export.json()['id']}.json", headers=committee).content
    )
    page = browser.new_page(accept_downloads=True)
    _login(page, served, "comisie")
    page.goto(f"{served}/committee/exams/1")
    assert "contestația: de la" in page.inner_text("#windows")
    assert "Niciun pachet" in page.inner_text("#bundles")
    page.set_input_files("#bundle", str(bundle))
    submit(page, "#import-bundle")
    assert "pachetul sălii SALA-1 a fost importat" in page.inner_text("#message")
    assert "SALA-1" in page.inner_text("#bundles")
    page.set_input_files("#bundle", str(bundle))
    submit(page, "#import-bundle")
    assert "deja importată" in page.inner_text("body")  # the same room twice is refused
    page.goto(f"{served}/committee/exams/1")
    submit(page, "#build-ranking")
    assert "un candidat clasat" in page.inner_text("#ranking")
    with page.expect_download() as download:
        page.click("#anonymised-pdf")
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "00101" in text and "9.40" in text
    assert "Popescu" not in text  # candidate numbers only
