"""Rankings wait for complete data; bundles carry only final, identified sheets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.station.committee_support import (
    page_login,
    pdf_text,
    rescan_with_1b,
    schedule,
    set_clock,
)


def test_a_pending_sheet_keeps_the_ranking_provisional(station, example: Path) -> None:
    station.upload(example / "sheet-001.jpg", example / "sheet-003.jpg")  # 45b unclear on 3
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    assert station.sheet(2)["status"] == "waiting"
    published = station.call("POST", "/api/exams/1/key/publish", "comisie")
    assert published.status_code == 201, published.text
    assert all(change["candidate"] for change in published.json()["changes"])
    export = station.call("POST", "/api/rooms/1/exports").json()
    bundle = station.call("GET", f"/api/exports/{export['id']}.json").json()
    assert [r["candidate"] for r in bundle["results"]] == ["00101"]
    assert [(s["sheet"], s["status"]) for s in bundle["not_scored"]] == [(2, "waiting")]
    imported = station.call(
        "POST",
        "/api/exams/1/bundles",
        "comisie",
        files={
            "file": ("b.json", station.call("GET", f"/api/exports/{export['id']}.json").content)
        },
    )
    assert imported.status_code == 201, imported.text
    ranking = station.call("POST", "/api/exams/1/ranking", "comisie")
    assert ranking.status_code == 201, ranking.text
    (domain,) = ranking.json()["document"]["domains"]
    assert domain["provisional"] and domain["national_max"] is None
    assert [(e["why"], e["candidate"]) for e in domain["excluded"]] == [("pending", "00103")]
    assert [r["passed"] for r in domain["ranking"]] == [None]
    csv = station.call("GET", "/api/exams/1/ranking.csv", "comisie").text.splitlines()
    assert csv[0].split(",")[7] == "provizoriu" and csv[1].split(",")[7] == "da"
    text = pdf_text(station.call("GET", "/api/exams/1/ranking.pdf", "comisie").content)
    assert "CLASAMENT PROVIZORIU" in text and "sheet-003.jpg (00103)" in text
    minutes = pdf_text(station.call("GET", "/api/exams/1/key/proces-verbal.pdf", "comisie").content)
    assert "None" not in minutes


def test_every_document_carries_the_chain_head(station, example: Path) -> None:
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    head = station.call("GET", "/api/audit", "admin").json()[-1]
    printed = f"ultima #{head['id']}, amprenta {head['hash'][:16]}"
    slip = pdf_text(station.call("GET", "/api/sheets/1/slip.pdf").content)
    room = pdf_text(station.call("GET", "/api/rooms/1/proces-verbal.pdf").content)
    assert printed in slip and printed in room
    export = station.call("POST", "/api/rooms/1/exports").json()
    bundle = station.call("GET", f"/api/exports/{export['id']}.json").json()
    assert bundle["audit_head"]["entry"] == head["id"]
    assert bundle["audit_head"]["hash"] == head["hash"]


def test_a_resolving_window_bounds_the_rescan_not_its_filing(
    station, example: Path, tmp_path: Path
) -> None:
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    # 002 art. 16 (2): requests are resolved by the committee the next day from 17:00
    resolving = {"step": "resolving", "opens": {"days": 1, "at": "17:00"}}
    schedule(station, rescan={**resolving, "closes": {"days": 1, "at": "23:59"}})
    set_clock(station, datetime(2026, 6, 1, 15, 0))
    body = {"candidate": "00101", "reason": "citire greșită"}
    assert station.call("POST", "/api/exams/1/rescans", "comisie", json=body).status_code == 201
    path = rescan_with_1b(example, tmp_path)
    files = {"file": (path.name, path.read_bytes())}
    early = station.call("POST", "/api/rescans/1/scan", "comisie", files=files)
    assert (early.status_code, early.json()["reason"]) == (409, "outside_resolving_window")
    assert "se rezolvă între 02.06.2026 17:00 și 02.06.2026 23:59" in early.json()["detail"]
    set_clock(station, datetime(2026, 6, 2, 17, 30))
    assert station.call("POST", "/api/rescans/1/scan", "comisie", files=files).status_code == 201


def test_a_rescan_decided_after_the_final_key_is_republished(
    station, example: Path, tmp_path: Path
) -> None:
    """002 art. 16 (2): rescans are resolved the day after the key, after the contestations;
    a correction then adds its row to the changes table and the key is published again."""
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    body = {"candidate": "00101", "reason": "citire greșită"}
    assert station.call("POST", "/api/exams/1/rescans", "comisie", json=body).status_code == 201
    path = rescan_with_1b(example, tmp_path)
    files = {"file": (path.name, path.read_bytes())}
    assert station.call("POST", "/api/rescans/1/scan", "comisie", files=files).status_code == 201
    published = station.call("POST", "/api/exams/1/key/publish", "comisie")
    assert published.status_code == 201 and published.json()["changes"] == []
    decision = {"outcome": "rescan", "reason": "bula 1b este plină", "members": ["Dr. Ana Marin"]}
    decided = station.call("POST", "/api/rescans/1/decision", "comisie", json=decision)
    assert decided.status_code == 201, decided.text
    publication = station.call("GET", "/api/exams/1/key/publication", "comisie").json()
    assert publication["republish_due"] == ["rescanarea #1"]
    (change,) = publication["changes"]
    assert (change["candidate"], change["old_total"], change["new_total"]) == (
        "00101",
        "9.40",
        "9.20",
    )
    assert change["act"] == "rescanarea #1"
    page_login(station, "comisie")
    page = station.client.get("/committee/exams/1").text
    assert 'id="republish"' in page and "rescanarea #1" in page
    refused = station.call("POST", "/api/exams/1/ranking", "comisie")
    assert (refused.status_code, refused.json()["reason"]) == (409, "republication_due")
    again = station.call("POST", "/api/exams/1/key/publish", "comisie").json()
    assert again["changed"] and again["republish_due"] == []
    assert [c["act"] for c in again["changes"]] == ["rescanarea #1"]
    minutes = pdf_text(station.call("GET", "/api/exams/1/key/proces-verbal.pdf", "comisie").content)
    assert "rescanarea #1" in minutes and "9.20" in minutes
    assert not station.call("POST", "/api/exams/1/key/publish", "comisie").json()["changed"]


def _import_room(station) -> int:  # noqa: ANN001
    export = station.call("POST", "/api/rooms/1/exports").json()
    data = station.call("GET", f"/api/exports/{export['id']}.json").content
    files = {"file": ("b.json", data)}
    imported = station.call("POST", "/api/exams/1/bundles", "comisie", files=files)
    assert imported.status_code == 201, imported.text
    return imported.json()["id"]


def test_a_bundle_imported_before_a_correction_is_superseded(
    station, example: Path, tmp_path: Path
) -> None:
    """A room bundle imported before a rescan decided after the final key holds the old
    marks: the ranking refuses it, and the room's newer bundle supersedes it (audited)."""
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    body = {"candidate": "00101", "reason": "citire greșită"}
    assert station.call("POST", "/api/exams/1/rescans", "comisie", json=body).status_code == 201
    path = rescan_with_1b(example, tmp_path)
    files = {"file": (path.name, path.read_bytes())}
    assert station.call("POST", "/api/rescans/1/scan", "comisie", files=files).status_code == 201
    assert station.call("POST", "/api/exams/1/key/publish", "comisie").status_code == 201
    first = _import_room(station)
    decision = {"outcome": "rescan", "reason": "bula 1b este plină", "members": ["Dr. Ana Marin"]}
    assert station.call("POST", "/api/rescans/1/decision", "comisie", json=decision).is_success
    assert station.call("POST", "/api/exams/1/key/publish", "comisie").json()["changed"]
    stale = station.call("POST", "/api/exams/1/ranking", "comisie")
    assert (stale.status_code, stale.json()["reason"]) == (409, "bundle_stale")
    assert "rescanarea #1" in stale.json()["detail"] and "9.40" in stale.json()["detail"]
    assert _import_room(station) == first  # the room's newer bundle supersedes the old one
    entry = station.call("GET", "/api/audit", "admin").json()[-1]
    assert entry["action"] == "unification.supersede"
    assert entry["before"]["signature"] != entry["after"]["signature"]
    ranking = station.call("POST", "/api/exams/1/ranking", "comisie")
    assert ranking.status_code == 201, ranking.text
    (domain,) = ranking.json()["document"]["domains"]
    assert [(r["candidate"], r["total"]) for r in domain["ranking"]] == [("00101", "9.20")]
