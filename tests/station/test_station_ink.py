"""Ink of another colour (art. 34 (3), a possible distinctive sign) holds the sheet until the
room head annuls it (art. 31 (2) g)) or keeps it with a reason."""

from __future__ import annotations

from pathlib import Path

import cv2

from tests.station.committee_support import page_login


def _in_black(example: Path, folder: Path) -> Path:
    """sheet-001 with its blue marks turned black."""
    image = cv2.imread(str(example / "sheet-001.jpg"))
    blue = image[..., 0].astype(int) - image[..., 2].astype(int) > 40
    image[blue] = (40, 40, 40)
    path = folder / "black-001.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def test_a_sheet_in_black_waits_for_the_room_head(station, example: Path, tmp_path: Path) -> None:
    station.upload(_in_black(example, tmp_path), example / "sheet-002.jpg")
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    sheet = station.sheet(1)
    assert sheet["status"] == "waiting"
    assert any("cerneală de altă culoare" in doubt for doubt in sheet["doubts"])
    blank = station.call("POST", "/api/sheets/1/ink/keep", json={"reason": " "})
    assert (blank.status_code, blank.json()["reason"]) == (400, "reason_missing")
    other = station.call("POST", "/api/sheets/2/ink/keep", json={"reason": "x"})
    assert (other.status_code, other.json()["reason"]) == (409, "ink_not_in_doubt")
    kept = station.call(
        "POST", "/api/sheets/1/ink/keep", json={"reason": "pix negru dat de supraveghetor"}
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["status"] == "final" and kept.json()["total"] == "9.40"
    again = station.call("POST", "/api/sheets/1/ink/keep", json={"reason": "x"})
    assert again.json()["reason"] == "ink_not_in_doubt"
    actions = [e["action"] for e in station.call("GET", "/api/audit", "admin").json()]
    assert "sheet.keep_ink" in actions


def test_the_sheet_page_keeps_a_sheet_in_black(station, example: Path, tmp_path: Path) -> None:
    station.upload(_in_black(example, tmp_path))
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    token = page_login(station, "sef1")
    assert 'id="keep-ink"' in station.client.get("/sheets/1").text
    form = {"csrf": token, "reason": "pix negru dat de supraveghetor"}
    unconfirmed = station.client.post("/sheets/1/ink/keep", data=form)
    assert station.sheet(1)["status"] == "waiting", unconfirmed.text
    kept = station.client.post("/sheets/1/ink/keep", data={**form, "confirm": "da"})
    assert "foaia scrisă cu altă cerneală a fost păstrată" in kept.text
    assert 'id="keep-ink"' not in kept.text and station.sheet(1)["status"] == "final"
