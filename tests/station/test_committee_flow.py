"""The committee's day after, end to end through the API: two rooms scanned, a rescan
decided with a difference, two contestations (one answer changed, one question
annulled), the final key published, changed scores listed, the national ranking built,
and every proces-verbal checked as rendered text; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from tests.station.committee_support import pdf_text, rescan_with_1b, schedule, set_clock

MEMBERS = ["Dr. Ana Marin", "Dr. Radu Pop"]


def _two_rooms(station, example: Path) -> None:  # noqa: ANN001
    station.upload(example / "sheet-001.jpg", example / "sheet-003.jpg")
    station.wait_read()
    station.call(
        "POST",
        "/api/exams/1/scans",
        "sef2",
        files=[("files", ("sala2.jpg", (example / "sheet-002.jpg").read_bytes()))],
    )
    sheet = station.wait_read(2, "sef2")["sheets"][0]
    picked = station.call(
        "POST", f"/api/sheets/{sheet['id']}/candidate", "sef2", json={"number": "00201"}
    )
    assert picked.status_code == 201, picked.text
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    assert station.call("POST", "/api/rooms/2/key/open", "sef2").status_code == 201
    decided = station.call(
        "POST", "/api/sheets/2/decisions", json={"question": 45, "option": "b", "state": "blank"}
    )
    assert decided.json()["status"] == "final"


def _totals(station) -> dict[str, Decimal]:  # noqa: ANN001
    rows = station.call("GET", "/api/rooms/1", "comisie").json()["sheets"]
    rows += station.call("GET", "/api/rooms/2", "comisie").json()["sheets"]
    return {row["candidate"]: Decimal(row["total"]) for row in rows}


def _locked_after_publication(station, tmp_path: Path) -> None:  # noqa: ANN001
    """After the final key the rooms are read-only and the committee takes no new claim."""
    for user, path, body, reason in (
        (
            "sef1",
            "/api/sheets/2/decisions",
            {"question": 45, "option": "b", "state": "filled"},
            "exam_locked",
        ),
        ("sef1", "/api/sheets/1/annul", {"reason": "semn distinctiv"}, "exam_locked"),
        ("sef2", "/api/sheets/3/candidate", {"number": "00202"}, "exam_locked"),
        (
            "comisie",
            "/api/exams/1/contestations",
            {"candidate": "00102", "question": 7, "claim": "grila este greșită"},
            "contestation_after_final_key",
        ),
        (
            "comisie",
            "/api/exams/1/items/A7/ruling",
            {"outcome": "annulled", "justification": "x", "members": MEMBERS},
            "key_already_final",
        ),
    ):
        refused = station.call("POST", path, user, json=body)
        assert (refused.status_code, refused.json()["reason"]) == (409, reason), refused.text
        assert "None" not in refused.json()["detail"]
    late = station.upload(tmp_path / "rescan-001.jpg")  # a room takes no new scan either
    assert (late.status_code, late.json()["reason"]) == (409, "exam_locked")


def test_the_committee_day_after(station, example: Path, tmp_path: Path) -> None:
    _two_rooms(station, example)
    schedule(station)
    set_clock(station, datetime(2026, 6, 1, 15, 0))

    filed = station.call(
        "POST",
        "/api/exams/1/rescans",
        "comisie",
        json={"candidate": "00101", "reason": "candidatul contestă citirea"},
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["state"] == "filed" and filed.json()["sheet"] == 1
    path = rescan_with_1b(example, tmp_path)
    rescanned = station.call(
        "POST", "/api/rescans/1/scan", "comisie", files={"file": (path.name, path.read_bytes())}
    )
    assert rescanned.status_code == 201, rescanned.text
    compared = rescanned.json()
    assert compared["state"] == "rescanned"
    assert compared["differences"] == [{"bubble": "1b", "before": "blank", "after": "filled"}]
    assert (compared["score_before"], compared["score_after"]) == ("9.40", "9.20")
    assert station.sheet(1)["total"] == "9.40"  # the original stands until the decision
    assert len(station.call("GET", "/api/rooms/1").json()["sheets"]) == 2  # not a new sheet
    decided = station.call(
        "POST",
        "/api/rescans/1/decision",
        "comisie",
        json={"outcome": "rescan", "reason": "bula 1b este plină pe foaie", "members": MEMBERS},
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["decision"] == "corectat după rescanare"
    assert station.sheet(1)["total"] == "9.20"
    text = pdf_text(station.call("GET", "/api/rescans/1/proces-verbal.pdf", "comisie").content)
    for figure in ("00101", "1b", "9.40", "9.20", "Dr. Ana Marin", "SALA-1", "01.06.2026 15:00"):
        assert figure in text, figure
    day = station.call("GET", "/api/exams/1/rescans/proces-verbal.pdf?day=2026-06-01", "comisie")
    assert "Cererea #1" in pdf_text(day.content)
    data = station.call(
        "GET", "/api/exams/1/rescans/proces-verbal.json?day=2026-06-01", "comisie"
    ).json()
    assert data[0]["score_after"] == "9.20" and data[0]["members"] == MEMBERS

    for candidate, question in (("00101", 21), ("00201", 21), ("00103", 5)):
        response = station.call(
            "POST",
            "/api/exams/1/contestations",
            "comisie",
            json={"candidate": candidate, "question": question, "claim": "grila este greșită"},
        )
        assert response.status_code == 201, response.text
    items = station.call("GET", "/api/exams/1/contestations", "comisie").json()
    assert [(i["item"], len(i["contestations"])) for i in items] == [("A5", 1), ("A21", 2)]
    assert items[1]["stats"]["key"] == "ac" and items[1]["stats"]["sheets"] == 3
    for item, ruling in (
        ("A21", {"outcome": "changed", "answer": "ab", "justification": "b este corect"}),
        ("A5", {"outcome": "annulled", "justification": "enunț greșit"}),
    ):
        response = station.call(
            "POST",
            f"/api/exams/1/items/{item}/ruling",
            "comisie",
            json={**ruling, "members": MEMBERS},
        )
        assert response.status_code == 201, response.text

    before = _totals(station)
    early = station.call("POST", "/api/exams/1/key/publish", "comisie")  # art. 37 (1): 2 hours
    assert early.status_code == 409 and early.json()["reason"] == "contestation_window_open"
    assert "01.06.2026 16:00" in early.json()["detail"]
    set_clock(station, datetime(2026, 6, 1, 16, 30))
    published = station.call("POST", "/api/exams/1/key/publish", "comisie")
    assert published.status_code == 201, published.text
    _locked_after_publication(station, tmp_path)
    publication = published.json()
    after = _totals(station)
    assert publication["changed"] and publication["key_number"] == 2
    changes = {c["candidate"]: c for c in publication["changes"]}
    assert set(changes) == {c for c in after if after[c] != before[c]} | {"00101", "00103", "00201"}
    for candidate, change in changes.items():
        assert Decimal(change["old_total"]) == before[candidate]
        assert Decimal(change["new_total"]) == after[candidate]
        assert Decimal(change["delta"]) == after[candidate] - before[candidate]
        assert change["new_max"] == "9.80"  # question 5 annulled for everyone
    again = station.call("POST", "/api/exams/1/key/publish", "comisie").json()
    assert not again["changed"] and again["key_number"] == 2 and _totals(station) == after
    text = pdf_text(station.call("GET", "/api/exams/1/key/proces-verbal.pdf", "comisie").content)
    for figure in (
        "A21",
        "A5",
        "întrebare anulată",
        "grilă modificată: ab",
        "9.80",
        *(f"{after[c]}" for c in changes),
        *changes,
    ):
        assert figure in text, figure

    for room, user in ((1, "sef1"), (2, "sef2")):
        export = station.call("POST", f"/api/rooms/{room}/exports", user)
        assert export.status_code == 201, export.text
        bundle = station.call("GET", f"/api/exports/{export.json()['id']}.json", user).content
        imported = station.call(
            "POST", "/api/exams/1/bundles", "comisie", files={"file": ("b.json", bundle)}
        )
        assert imported.status_code == 201, imported.text
    ranking = station.call("POST", "/api/exams/1/ranking", "comisie")
    assert ranking.status_code == 201, ranking.text
    (domain,) = ranking.json()["document"]["domains"]
    assert {r["candidate"]: Decimal(r["total"]) for r in domain["ranking"]} == after
    assert [r["rank"] for r in domain["ranking"]] == [1, 2, 3]
    assert all(r["passed"] == (Decimal(r["total"]) >= 6) for r in domain["ranking"])
    full = station.call("GET", "/api/exams/1/ranking.csv", "comisie").text
    anonymous = station.call("GET", "/api/exams/1/ranking.csv?anonymised=true", "comisie").text
    assert full.startswith("domeniu,loc,candidat,nume") and "sheet-001.jpg" in full
    assert "Popescu Ana" in full
    assert anonymous.splitlines()[0] == "domeniu,loc,candidat,punctaj,maxim,promovat,provizoriu"
    assert "sheet-001" not in anonymous and "Popescu" not in anonymous
    workbook = load_workbook(
        io.BytesIO(station.call("GET", "/api/exams/1/ranking.xlsx", "comisie").content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("domeniu", "loc", "candidat", "nume")
    assert {row[2]: row[4] for row in rows[1:]} == {c: float(t) for c, t in after.items()}
    text = pdf_text(station.call("GET", "/api/exams/1/ranking.pdf", "comisie").content)
    listed = pdf_text(
        station.call("GET", "/api/exams/1/ranking.pdf?anonymised=true", "comisie").content
    )
    for candidate, total in after.items():
        assert candidate in text and f"{total}" in text and candidate in listed

    audit = station.call("GET", "/api/audit/verify", "admin").json()
    assert audit["intact"]
    actions = {e["action"] for e in station.call("GET", "/api/audit", "admin").json()}
    assert {
        "rescan.file",
        "rescan.scan",
        "rescan.decide",
        "contestation.file",
        "contestation.rule",
        "key.publish_final",
        "unification.import",
        "unification.rank",
    } <= actions
