"""The room head's path through the API: upload, sealed scores, key opening, decisions,
candidate, annulment, documents, export; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from omr.cli.main import main as omr_main
from omr.reading.overlay import caption
from station.services import overlays
from station.services.export import verify_bundle
from tests.station.test_station_refusals import _refused


def test_upload_read_sealed_then_scored_and_decided(station, example: Path, tmp_path: Path) -> None:
    response = station.upload(example / "sheet-001.jpg", example / "sheet-003.jpg")
    assert response.status_code == 202, response.text
    assert [scan["original_name"] for scan in response.json()["scans"]] == [
        "sheet-001.jpg",
        "sheet-003.jpg",
    ]
    status = station.wait_read()
    assert [(s["file"], s["candidate"]) for s in status["sheets"]] == [
        ("sheet-001.jpg", "00101"),
        ("sheet-003.jpg", "00103"),
    ]
    sealed = station.sheet(1)
    assert sealed["status"] == "sealed" and sealed["score_hidden"] and sealed["score"] is None

    opened = station.call("POST", "/api/rooms/1/key/open")
    assert opened.status_code == 201, opened.text
    first = station.sheet(1)
    assert first["status"] == "final" and first["total"] == "9.40"
    assert len(first["score"]["questions"]) == 50
    third = station.sheet(2)
    assert third["status"] == "waiting" and third["unclear"] == ["45b"]
    assert third["score"]["total"] is None

    refused = station.call(
        "POST", "/api/sheets/2/decisions", json={"question": 1, "option": "a", "state": "filled"}
    )
    assert refused.status_code == 400 and refused.json()["reason"] == "bubble_not_unclear"
    decided = station.call(
        "POST",
        "/api/sheets/2/decisions",
        json={"question": 45, "option": "b", "state": "blank", "note": "candidatul confirmă"},
    )
    assert decided.status_code == 201, decided.text
    sheet = decided.json()
    assert sheet["status"] == "final" and sheet["total"] is not None
    assert sheet["decisions"][0]["decided_by"] == "sef1"
    line = next(q for q in sheet["score"]["questions"] if q["question"] == 45)
    assert line["decided"] == ["b"] and line["marks"]["b"] == "blank"

    slip = station.call("GET", "/api/sheets/2/slip.pdf")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    overlay = station.call("GET", "/api/sheets/2/overlay.png")
    assert overlay.content.startswith(b"\x89PNG")
    minutes = station.call("GET", "/api/rooms/1/proces-verbal.pdf")
    assert minutes.content.startswith(b"%PDF")

    export = station.call("POST", "/api/rooms/1/exports", "comisie")
    assert export.status_code == 201, export.text
    bundle = export.json()["document"]
    assert verify_bundle(bundle, station.settings.signing_key())
    assert not verify_bundle({**bundle, "room": "SALA-9"}, station.settings.signing_key())
    path = tmp_path / "bundle.json"
    path.write_bytes(station.call("GET", f"/api/exports/{export.json()['id']}.json").content)
    assert omr_main(["rank", str(path), "--json", str(tmp_path / "rank.json")]) == 0
    ranking = json.loads((tmp_path / "rank.json").read_text())
    assert [r["candidate"] for r in ranking["ranking"]] == ["00101", "00103"]
    csv = station.call("GET", f"/api/exports/{export.json()['id']}.csv")
    assert csv.text.startswith("source,page,candidate")

    audit = station.call("GET", "/api/audit/verify", "admin").json()
    assert audit["intact"] and audit["entries"] > 10


def test_refusals(station, example: Path) -> None:
    big = example / "sheet-001.jpg"
    too_large = station.call(
        "POST", "/api/exams/1/scans", files=[("files", ("mare.jpg", b"\xff" * (1024 * 1024 + 1)))]
    )
    assert too_large.status_code == 413 and too_large.json()["reason"] == "file_too_large"
    for name in ("../../etc/passwd.jpg", "/tmp/x.jpg", "..\\x.jpg", ".ascuns.jpg"):
        tricky = station.upload(big, names=[name])
        assert tricky.status_code == 400, name
        assert tricky.json()["reason"] == "file_name_invalid"
    assert station.upload(big).status_code == 202
    again = station.upload(big, names=["alt-nume.jpg"])
    assert again.status_code == 409 and "#1" in again.json()["detail"]
    refused = station.wait_read()["refused"]
    assert [r["reason"] for r in refused][-1] == "duplicate_file"

    station.call("POST", "/api/rooms/1/key/open")
    second_open = station.call("POST", "/api/rooms/1/key/open")
    assert second_open.status_code == 409
    key = (example / "key.json").read_bytes()
    second_key = station.call("POST", "/api/exams/1/keys", "admin", files={"file": ("k.json", key)})
    assert second_key.status_code == 409 and second_key.json()["reason"] == "key_already_opened"


def test_bad_scans_are_stored_with_their_reason(station, example: Path) -> None:
    station.call("POST", "/api/rooms/1/key/open")
    files = [
        ("files", ("stricat.jpg", b"\xff\xd8\xff not a jpeg")),
        ("files", ("gol.png", b"")),
        ("files", ("text.pdf", b"%PDF-1.4 broken")),
    ]
    response = station.call("POST", "/api/exams/1/scans", files=files)
    assert response.status_code == 202 and len(response.json()["scans"]) == 3
    sheets = station.wait_read()["sheets"]
    assert [s["status"] for s in sheets] == ["rejected"] * 3
    reasons = [station.sheet(s["id"])["reasons"][0]["code"] for s in sheets]
    assert reasons[:2] == ["file_corrupt", "file_empty"]
    assert station.call("GET", "/api/rooms/1").status_code == 200  # still serving


def test_duplicate_serial_points_at_the_first(station, example: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copie.jpg"
    buffer = io.BytesIO()
    Image.open(example / "sheet-001.jpg").save(buffer, "JPEG", quality=80)
    copy.write_bytes(buffer.getvalue())
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    station.upload(copy)
    sheets = station.wait_read()["sheets"]
    second = station.sheet(sheets[1]["id"])
    assert second["status"] == "rejected"
    assert second["reasons"][-1]["code"] == "duplicate_serial"
    assert "#1" in second["reasons"][-1]["message"]


def test_annulment_and_replacement(station, example: Path) -> None:
    station.upload(example / "sheet-001.jpg", example / "sheet-002.jpg")
    station.wait_read()
    station.call("POST", "/api/rooms/1/key/open")
    blank = station.call("POST", "/api/sheets/1/annul", json={"reason": "  "})
    assert blank.status_code == 400 and blank.json()["reason"] == "annulment_reason_missing"
    taken = station.call("POST", "/api/sheets/2/candidate", json={"number": "00101"})
    assert taken.status_code == 409 and "#1" in taken.json()["detail"]
    annulled = station.call("POST", "/api/sheets/1/annul", json={"reason": "cerneală roșie"})
    assert annulled.json()["status"] == "annulled"
    again = station.call("POST", "/api/sheets/1/annul", json={"reason": "din nou"})
    assert again.status_code == 409
    replaced = station.call("POST", "/api/sheets/2/candidate", json={"number": "00101"})
    assert replaced.status_code == 201 and replaced.json()["candidate"] == "00101"
    assert replaced.json()["link_method"] == "picked"
    other_room = station.call("POST", "/api/sheets/2/candidate", json={"number": "00201"})
    assert other_room.json()["reason"] == "candidate_other_room"
    status = station.call("GET", "/api/rooms/1").json()
    assert status["counts"] == {"annulled": 1, "final": 1}
    assert "00102" in status["absent"]


def test_overlay_is_drawn_on_demand_naming_the_scan_as_uploaded(
    station, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storing a reading draws nothing; the first request draws the overlay (its caption
    names the file the room head scanned, not the stored path), the next ones get the file."""
    captions = []
    draw = overlays.render_overlay

    def spied(reading, **options):
        captions.append(caption(reading, options.get("name"), options["language"])[0])
        return draw(reading, **options)

    monkeypatch.setattr(overlays, "render_overlay", spied)
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    assert captions == [] and not any(station.settings.overlays_dir.rglob("*.png"))
    first = station.call("GET", "/api/sheets/1/overlay.png")
    again = station.call("GET", "/api/sheets/1/overlay.png")
    assert first.content.startswith(b"\x89PNG") and again.content == first.content
    assert len(captions) == 1 and captions[0].startswith("sheet-001.jpg p.1  stare: citită")


def test_an_overlay_whose_scan_is_gone_is_refused_with_a_reason(station, example: Path) -> None:
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    for scan in station.settings.scans_dir.rglob("*.jpg"):
        scan.unlink()
    _refused(station.call("GET", "/api/sheets/1/overlay.png"), 422, "overlay_unavailable")
    assert not any(station.settings.overlays_dir.rglob("*.png"))
