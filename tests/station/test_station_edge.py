"""The web edge: malformed form fields and path ids beyond 64 bits refused with a reason,
security headers on every response, login throttling with growing lock-outs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from omr.vocabulary.reasons import Reason
from station.errors import StationError
from station.services import users
from station.services.throttle import ACCOUNT_TRIES, CLIENT_TRIES, LoginThrottle
from station.web import committee_pages
from tests.station.committee_support import page_login
from tests.station.test_station_refusals import _page_refused, _refused

HUGE = "99999999999999999999999"


def test_a_hand_edited_bubble_field_is_refused(station, example: Path) -> None:
    assert station.upload(example / "sheet-003.jpg").status_code == 202
    station.wait_read()
    csrf = page_login(station, "sef1")
    for bubble in ("x:b", "²:b", ":b", "99999:b"):
        form = {"csrf": csrf, "bubble": bubble, "state": "blank"}
        refused = station.client.post("/sheets/1/decisions", data=form, follow_redirects=False)
        assert bubble in _page_refused(refused, 400, Reason.BUBBLE_INVALID)
    for text in ("²a:blank", "x:blank", "1b:blank, ³c:filled"):
        with pytest.raises(StationError) as refused:
            committee_pages._bubbles(text)
        assert refused.value.reason == Reason.BUBBLE_INVALID


def test_ids_beyond_64_bits_and_malformed_values_are_4xx(station) -> None:
    for path in (f"/api/sheets/{HUGE}", f"/api/rooms/{HUGE}", f"/api/sheets/{HUGE}/overlay.png"):
        _refused(station.call("GET", path), 404, "not_found")
    _refused(station.call("GET", "/api/sheets/abc"), 422, "request_invalid")
    page_login(station, "sef1")
    assert station.client.get(f"/sheets/{HUGE}").status_code == 404
    assert station.client.get("/rooms/x").status_code == 422


def test_security_headers_on_every_response(station) -> None:
    page_login(station, "sef1")
    for path in ("/login", "/", "/rooms/1", "/api/rooms/1", "/static/station.css", "/nowhere"):
        headers = station.client.get(path, headers=station.headers("sef1")).headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    for path in ("/login", "/", "/rooms/1"):
        page = station.client.get(path).text
        inline = r"<script(?![^>]*\ssrc=\"/static/)|<style|\sstyle=|\son\w+="
        assert not re.search(inline, page), path
    assert station.client.get("/docs").headers["x-frame-options"] == "DENY"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _login(station, username: str, password: str):  # noqa: ANN001, ANN202
    return station.client.post("/api/auth/token", data={"username": username, "password": password})


def test_logins_are_throttled_per_account_with_growing_lockouts(station) -> None:
    clock = _Clock()
    station.client.app.state.throttle = LoginThrottle(clock)
    for _ in range(ACCOUNT_TRIES):
        _refused(_login(station, "sef1", "gresit"), 401, "login_failed")
    detail = _refused(_login(station, "sef1", "sef1"), 429, "login_throttled")
    assert "1 s" in detail  # the right password waits too
    page = station.client.post("/login", data={"username": "sef1", "password": "sef1"})
    assert page.status_code == 429
    assert _login(station, "sef2", "sef2").status_code == 200  # other accounts log in
    locked = station.call("GET", "/api/users/lockouts", "admin").json()
    assert [(entry["kind"], entry["key"]) for entry in locked] == [("account", "sef1")]
    assert station.call("GET", "/api/users/lockouts", "sef1").status_code == 403
    clock.now += 2
    _refused(_login(station, "sef1", "gresit"), 401, "login_failed")
    assert "2 s" in _refused(_login(station, "sef1", "sef1"), 429, "login_throttled")
    clock.now += 3
    assert _login(station, "sef1", "sef1").status_code == 200
    assert station.call("GET", "/api/users/lockouts", "admin").json() == []


def test_logins_are_throttled_per_client(station) -> None:
    station.client.app.state.throttle = LoginThrottle(_Clock())
    for number in range(CLIENT_TRIES):
        _refused(_login(station, f"nimeni{number}", "x"), 401, "login_failed")
    _refused(_login(station, "sef2", "sef2"), 429, "login_throttled")


def test_an_unknown_user_costs_a_password_check(station, monkeypatch) -> None:
    checked: list[str] = []
    real = users._HASHER

    class Spy:
        def verify(self, hashed: str, password: str) -> bool:
            checked.append(password)
            return real.verify(hashed, password)

    monkeypatch.setattr(users, "_HASHER", Spy())
    _refused(_login(station, "nimeni", "parola"), 401, "login_failed")
    _refused(_login(station, "sef1", "parola"), 401, "login_failed")
    assert checked == ["parola", "parola"]


def test_the_api_docs_need_no_network(station) -> None:
    """/docs is the station's own page: every operation listed, no script, nothing external."""
    page = station.client.get("/docs")
    assert page.status_code == 200
    assert "/api/sheets/{sheet_id}/decisions" in page.text and "Bearer" in page.text
    assert not re.search(r"<script(?! src=\"/static/)|https?://", page.text)
