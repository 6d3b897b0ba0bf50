"""Every refusal of the committee's work, through the API, and who may act (committee
members and administrators only; deadlines and exceptions: administrators)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from omr.scoring.profiles import load_profile
from station.services.export import sign_bundle
from tests.station.committee_support import page_login, rescan_with_1b, schedule, set_clock

MEMBERS = ["Dr. Ana Marin"]


@pytest.fixture
def scanned(station, example: Path):  # noqa: ANN201
    """Room 1 with sheet 1 of candidate 00101, key opened, results published at 14:00."""
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    station.call("POST", "/api/rooms/1/key/open")
    schedule(station)
    set_clock(station, datetime(2026, 6, 1, 15, 0))
    return station


def _refused(response, status: int, reason: str) -> str:  # noqa: ANN001
    assert (response.status_code, response.json().get("reason")) == (status, reason), response.text
    return response.json()["detail"]


def _file(station, candidate: str = "00101"):  # noqa: ANN001, ANN202
    return station.call(
        "POST", "/api/exams/1/rescans", "comisie", json={"candidate": candidate, "reason": "cerere"}
    )


def _upload(station, path: Path, request: int = 1):  # noqa: ANN001, ANN202
    return station.call(
        "POST",
        f"/api/rescans/{request}/scan",
        "comisie",
        files={"file": (path.name, path.read_bytes())},
    )


def _decide(station, **body):  # noqa: ANN001, ANN003, ANN202
    return station.call(
        "POST", "/api/rescans/1/decision", "comisie", json={"members": MEMBERS, **body}
    )


def test_rescan_refusals(scanned, example: Path, tmp_path: Path) -> None:
    _refused(_file(scanned, "00102"), 409, "sheet_not_scanned")
    _refused(_file(scanned, "09999"), 404, "not_found")
    blank = scanned.call(
        "POST", "/api/exams/1/rescans", "comisie", json={"sheet_id": 1, "reason": " "}
    )
    _refused(blank, 400, "reason_missing")
    assert _file(scanned).status_code == 201
    _refused(_decide(scanned, outcome="keep"), 409, "rescan_missing")
    other = _upload(scanned, example / "sheet-003.jpg")
    assert "serial 3 instead of 1" in _refused(other, 409, "rescan_mismatch")
    garbage = tmp_path / "stricat.jpg"
    garbage.write_bytes(b"\xff\xd8 not an image")
    _refused(_upload(scanned, garbage), 409, "rescan_unreadable")
    assert scanned.call("GET", "/api/rescans/1", "comisie").json()["state"] == "filed"
    assert scanned.call("GET", "/api/rooms/1").json()["received"] == 1  # nothing stored
    rescan = rescan_with_1b(example, tmp_path)
    assert _upload(scanned, rescan).status_code == 201
    _refused(_upload(scanned, rescan), 409, "rescan_done")
    _refused(_decide(scanned, outcome="keep", members=[" "]), 400, "members_missing")
    _refused(_decide(scanned, outcome="by_hand", bubbles=[]), 400, "reason_missing")
    wrong = [{"question": 51, "option": "a", "state": "filled"}]
    _refused(_decide(scanned, outcome="by_hand", reason="x", bubbles=wrong), 400, "bubble_invalid")
    hand = [{"question": 1, "option": "b", "state": "blank"}]
    decided = _decide(scanned, outcome="by_hand", reason="umbră, nu cerneală", bubbles=hand)
    assert decided.status_code == 201 and decided.json()["score_after"] == "9.40"
    _refused(_decide(scanned, outcome="keep"), 409, "rescan_decided")


def test_windows_and_exceptions(scanned) -> None:
    rescan_window = {"opens": {"hours": 3}, "closes": {"hours": 5}}
    schedule(scanned, rescan=rescan_window)
    message = _refused(_file(scanned), 409, "outside_window")
    assert "01.06.2026 17:00" in message and "01.06.2026 19:00" in message
    set_clock(scanned, datetime(2026, 6, 1, 18, 0))
    assert _file(scanned).status_code == 201
    set_clock(scanned, datetime(2026, 6, 1, 16, 30))  # the profile: contestations for 2 hours
    late = scanned.call(
        "POST",
        "/api/exams/1/contestations",
        "comisie",
        json={"candidate": "00101", "question": 3, "claim": "x"},
    )
    assert "01.06.2026 16:00" in _refused(late, 409, "outside_window")
    exception = {"kind": "contestation", "candidate": "00101", "reason": "spitalizat"}
    forbidden = scanned.call("POST", "/api/exams/1/deadline-exceptions", "comisie", json=exception)
    _refused(forbidden, 403, "forbidden")
    unexplained = {**exception, "reason": ""}
    _refused(
        scanned.call("POST", "/api/exams/1/deadline-exceptions", "admin", json=unexplained),
        400,
        "reason_missing",
    )
    granted = scanned.call("POST", "/api/exams/1/deadline-exceptions", "admin", json=exception)
    assert granted.status_code == 201
    accepted = scanned.call(
        "POST",
        "/api/exams/1/contestations",
        "comisie",
        json={"candidate": "00101", "question": 3, "claim": "x"},
    )
    assert accepted.status_code == 201, accepted.text
    bounds = scanned.call("GET", "/api/exams/1/schedule", "comisie").json()["windows"]
    assert [(w["kind"], w["closes"], w["late"]) for w in bounds] == [
        ("contestation", "2026-06-01T16:00:00", "exception"),  # the profile's
        ("rescan", "2026-06-01T19:00:00", "exception"),  # the exam's own
    ]
    bad = {"published_at": "2026-06-01T14:00:00", "windows": {"appeal": {"closes": {"hours": 1}}}}
    _refused(
        scanned.call("PUT", "/api/exams/1/schedule", "admin", json=bad), 400, "windows_invalid"
    )


def _contest(station, question: int, candidate: str = "00101"):  # noqa: ANN001, ANN202
    return station.call(
        "POST",
        "/api/exams/1/contestations",
        "comisie",
        json={"candidate": candidate, "question": question, "claim": "greșit"},
    )


def _rule(station, item: str, **body):  # noqa: ANN001, ANN003, ANN202
    return station.call(
        "POST",
        f"/api/exams/1/items/{item}/ruling",
        "comisie",
        json={"justification": "motivat", "members": MEMBERS, **body},
    )


def test_contestation_and_key_refusals(scanned) -> None:
    _refused(_contest(scanned, 51), 400, "contestation_unknown_question")
    _refused(_contest(scanned, 3, "09999"), 404, "not_found")
    unknown_variant = scanned.call(
        "POST",
        "/api/exams/1/contestations",
        "comisie",
        json={"candidate": "00101", "variant": "Z", "question": 3, "claim": "x"},
    )
    _refused(unknown_variant, 400, "variant_without_key")
    _refused(_rule(scanned, "A3", outcome="rejected"), 404, "item_not_contested")
    assert _rule(scanned, "A3", outcome="annulled").status_code == 201  # art. 16 (4): any item
    _refused(scanned.call("POST", "/api/exams/1/ranking", "comisie"), 409, "key_not_final")
    for question in range(1, 51):
        assert _contest(scanned, question).status_code == 201
    _refused(_rule(scanned, "A5", outcome="changed", answer="ab"), 400, "key_letter_count")
    _refused(
        _rule(scanned, "A5", outcome="annulled", justification=" "), 400, "justification_missing"
    )
    for question in range(1, 50):
        assert _rule(scanned, f"A{question}", outcome="annulled").status_code == 201
    _refused(_rule(scanned, "A50", outcome="annulled"), 400, "key_all_annulled")
    items = scanned.call("GET", "/api/exams/1/contestations", "comisie").json()
    assert items[4]["ruling"]["outcome"] == "annulled" and items[49]["ruling"] is None
    assert _rule(scanned, "A1", outcome="rejected").status_code == 201  # supersedes
    _refused(
        scanned.call("POST", "/api/exams/1/key/publish", "comisie"), 409, "contestation_window_open"
    )
    set_clock(scanned, datetime(2026, 6, 1, 16, 1))
    assert scanned.call("POST", "/api/exams/1/key/publish", "comisie").status_code == 201
    _refused(_rule(scanned, "A2", outcome="rejected"), 409, "key_already_final")
    assert scanned.call("POST", "/api/exams/1/key/publish", "comisie").status_code == 201


def _bundle(station) -> dict:  # noqa: ANN001
    export = station.call("POST", "/api/rooms/1/exports", "comisie").json()
    return station.call("GET", f"/api/exports/{export['id']}.json", "comisie").json()


def _import(station, document: dict):  # noqa: ANN001, ANN202
    data = json.dumps(document).encode()
    return station.call("POST", "/api/exams/1/bundles", "comisie", files={"file": ("b.json", data)})


def test_bundle_refusals(scanned) -> None:
    key = scanned.settings.signing_key()
    bundle = _bundle(scanned)
    _refused(scanned.call("POST", "/api/exams/1/ranking", "comisie"), 409, "key_not_final")
    tampered = {**bundle, "results": [{**bundle["results"][0], "total": "10.00"}]}
    _refused(_import(scanned, tampered), 400, "bundle_signature_invalid")
    _refused(
        _import(scanned, sign_bundle({**bundle, "exam": "ALT-2026"}, key)), 400, "bundle_other_exam"
    )
    _refused(_import(scanned, {"schema": "altceva"}), 400, "bundle_invalid")
    not_json = scanned.call(
        "POST", "/api/exams/1/bundles", "comisie", files={"file": ("b.json", b"{nu")}
    )
    _refused(not_json, 400, "bundle_invalid")
    assert _import(scanned, bundle).status_code == 201
    assert "SALA-1" in _refused(_import(scanned, bundle), 409, "room_already_imported")
    older = sign_bundle({**bundle, "exported_at": "2020-01-01T00:00:00"}, key)
    assert "SALA-1" in _refused(_import(scanned, older), 409, "bundle_not_newer")
    elsewhere = sign_bundle({**bundle, "room": "SALA-9"}, key)
    assert "00101" in _refused(_import(scanned, elsewhere), 409, "candidate_in_two_rooms")
    other_key = bytes(range(32))
    other_station = sign_bundle({**bundle, "room": "SALA-7", "results": []}, other_key)
    _refused(_import(scanned, other_station), 400, "bundle_signature_invalid")
    trust = {"key": other_key.hex(), "label": "stația sălii 7"}
    _refused(
        scanned.call("POST", "/api/unification/stations", "comisie", json=trust), 403, "forbidden"
    )
    _refused(
        scanned.call("POST", "/api/unification/stations", "admin", json={**trust, "key": "nu-hex"}),
        400,
        "key_invalid",
    )
    assert scanned.call("POST", "/api/unification/stations", "admin", json=trust).status_code == 201
    _refused(
        scanned.call("POST", "/api/unification/stations", "admin", json=trust), 409, "station_known"
    )
    assert _import(scanned, other_station).status_code == 201
    rooms = [b["room"] for b in scanned.call("GET", "/api/exams/1/bundles", "comisie").json()]
    assert rooms == ["SALA-1", "SALA-7"]


COMMITTEE = {"admin", "comisie"}
ADMIN = {"admin"}


def _cases(example: Path) -> list[tuple[str, str, dict, set[str]]]:
    scan = (example / "sheet-001.jpg").read_bytes()
    schedule_body = {"published_at": "2026-06-01T14:00:00"}
    exception = {"kind": "rescan", "candidate": "00101", "reason": "motiv"}
    return [
        ("GET", "/api/exams/1/schedule", {}, COMMITTEE),
        ("PUT", "/api/exams/1/schedule", {"json": schedule_body}, ADMIN),
        ("POST", "/api/exams/1/deadline-exceptions", {"json": exception}, ADMIN),
        ("POST", "/api/exams/1/rescans", {"json": {"sheet_id": 1, "reason": "r"}}, COMMITTEE),
        ("GET", "/api/exams/1/rescans", {}, COMMITTEE),
        ("GET", "/api/rescans/1", {}, COMMITTEE),
        ("POST", "/api/rescans/1/scan", {"files": {"file": ("r.jpg", scan)}}, COMMITTEE),
        ("GET", "/api/rescans/1/overlay.png", {}, COMMITTEE),
        (
            "POST",
            "/api/rescans/1/decision",
            {"json": {"outcome": "keep", "members": ["m"]}},
            COMMITTEE,
        ),
        ("GET", "/api/rescans/1/proces-verbal.pdf", {}, COMMITTEE),
        ("GET", "/api/rescans/1/proces-verbal.json", {}, COMMITTEE),
        ("GET", "/api/exams/1/rescans/proces-verbal.pdf?day=2026-06-01", {}, COMMITTEE),
        ("GET", "/api/exams/1/rescans/proces-verbal.json?day=2026-06-01", {}, COMMITTEE),
        (
            "POST",
            "/api/exams/1/contestations",
            {"json": {"candidate": "00101", "question": 2, "claim": "c"}},
            COMMITTEE,
        ),
        ("GET", "/api/exams/1/contestations", {}, COMMITTEE),
        (
            "POST",
            "/api/exams/1/items/A2/ruling",
            {"json": {"outcome": "rejected", "justification": "j", "members": ["m"]}},
            COMMITTEE,
        ),
        ("POST", "/api/exams/1/key/publish", {}, COMMITTEE),
        ("GET", "/api/exams/1/key/publication", {}, COMMITTEE),
        ("GET", "/api/exams/1/key/proces-verbal.pdf", {}, COMMITTEE),
        ("GET", "/api/exams/1/key/proces-verbal.json", {}, COMMITTEE),
        ("POST", "/api/unification/stations", {"json": {"key": "00" * 32, "label": "s"}}, ADMIN),
        ("POST", "/api/exams/1/bundles", {"files": {"file": ("b.json", b"{}")}}, COMMITTEE),
        ("GET", "/api/exams/1/bundles", {}, COMMITTEE),
        ("POST", "/api/exams/1/ranking", {}, COMMITTEE),
        ("GET", "/api/exams/1/ranking", {}, COMMITTEE),
        ("GET", "/api/exams/1/ranking.csv", {}, COMMITTEE),
        ("GET", "/api/exams/1/ranking.pdf?anonymised=true", {}, COMMITTEE),
    ]


def test_every_committee_endpoint_for_every_role(scanned, example: Path) -> None:
    for method, path, arguments, allowed in _cases(example):
        assert scanned.client.request(method, path, **arguments).status_code == 401, path
        for user in ("sef1", "sef2", "comisie", "admin"):
            response = scanned.call(method, path, user, **arguments)
            if user in allowed:
                assert response.status_code not in (401, 403), (method, path, user, response.text)
            else:
                assert response.status_code == 403, (method, path, user, response.text)


def test_the_final_key_waits_for_the_window_in_the_exams_time_zone(station, example: Path) -> None:
    """An exam held in London: its contestation window is 14:00-16:00 London time, so at
    17:00 on the station's (Romanian) clock, 15:00 there, a contestation is still filed and
    the final key is refused; at 18:30 (16:30 there) it is published."""
    csrf = page_login(station, "admin")
    zone = station.client.post(
        "/admin/exams/1/time-zone", data={"csrf": csrf, "time_zone": "Europe/London"}
    )
    assert zone.status_code in (200, 303), zone.text
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    station.call("POST", "/api/rooms/1/key/open")
    schedule(station)
    set_clock(station, datetime(2026, 6, 1, 17, 0))
    assert _contest(station, 3).status_code == 201
    message = _refused(
        station.call("POST", "/api/exams/1/key/publish", "comisie"), 409, "contestation_window_open"
    )
    assert "01.06.2026 16:00" in message and "01.06.2026 15:00" in message
    set_clock(station, datetime(2026, 6, 1, 18, 30))
    assert station.call("POST", "/api/exams/1/key/publish", "comisie").status_code == 201


def test_where_the_rules_ignore_late_requests_no_exception_lets_one_through(scanned) -> None:
    """002 art. 16 (1): late contestations are ignored. A window that says so refuses an
    exception, and one granted before the window said so no longer lets a late one in;
    the residency profile's contestation window is such a one."""
    exception = {"kind": "contestation", "candidate": "00101", "reason": "spitalizat"}
    granted = scanned.call("POST", "/api/exams/1/deadline-exceptions", "admin", json=exception)
    assert granted.status_code == 201, granted.text
    schedule(scanned, contestation={"closes": {"hours": 2}, "late": "ignored"})
    set_clock(scanned, datetime(2026, 6, 1, 16, 30))
    refused = scanned.call("POST", "/api/exams/1/deadline-exceptions", "admin", json=exception)
    assert "nu se ia în considerare" in _refused(refused, 409, "late_ignored")
    late = _contest(scanned, 3)
    assert "01.06.2026 16:00" in _refused(late, 409, "outside_window")
    set_clock(scanned, datetime(2026, 6, 1, 15, 30))
    assert _contest(scanned, 3).status_code == 201  # within the window, as always
    assert load_profile("rezidentiat").windows["contestation"].late == "ignored"
    assert load_profile("specializare-asistenti").windows["contestation"].late == "exception"


def test_an_exams_own_window_keeps_the_rules_on_late_requests(station) -> None:
    """A residency exam given its own contestation window (other hours) still ignores
    late contestations: the window says nothing of them, so the profile's rule stands;
    the schedule page says so. ``late: ignored`` bounds filing, never resolving."""
    csrf = page_login(station, "admin")
    created = station.client.post(
        "/admin/exams",
        data={
            "csrf": csrf,
            "code": "REZ-2026",
            "title": "Rezidențiat 2026",
            "profile": "rezidentiat",
            "template": "rezidentiat",
        },
    )
    assert created.status_code in (200, 303), created.text
    own = {"contestation": {"closes": {"hours": 3}}}
    body = {"published_at": "2026-06-01T14:00:00", "windows": own}
    assert station.call("PUT", "/api/exams/2/schedule", "admin", json=body).status_code == 200
    exception = {"kind": "contestation", "candidate": "00101", "reason": "spitalizat"}
    refused = station.call("POST", "/api/exams/2/deadline-exceptions", "admin", json=exception)
    _refused(refused, 409, "late_ignored")
    page = station.client.get("/admin/exams/2/schedule").text
    assert "după termen nu se primește nimic" in page
    listed = station.call("GET", "/api/exams/2/schedule", "comisie").json()["windows"]
    late = {window["kind"]: window["late"] for window in listed}
    assert late == {"contestation": "ignored", "rescan": "exception"}
    resolving = {"rescan": {"step": "resolving", "closes": {"hours": 3}, "late": "ignored"}}
    bad = {"published_at": "2026-06-01T14:00:00", "windows": resolving}
    message = _refused(
        station.call("PUT", "/api/exams/2/schedule", "admin", json=bad), 400, "windows_invalid"
    )
    assert "cererea de rescanare, după termen" in message
