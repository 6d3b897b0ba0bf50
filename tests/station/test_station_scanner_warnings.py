"""What the scanner does to every page (a streak from its glass, a black-and-white mode
that thresholds, a resolution coarser than 150 dpi, a soft scan) is told once for the
room, where the room head looks while scanning, not only on each sheet."""

from __future__ import annotations

from pathlib import Path

import cv2
from scansim.scanner import thresholded, with_streak

from tests.station.committee_support import page_login


def _streaked(example: Path, folder: Path) -> Path:
    """sheet-001 scanned through dust on the feeder's glass: a streak down its middle."""
    image = cv2.imread(str(example / "sheet-001.jpg"))
    path = folder / "streaked-001.jpg"
    streaked = with_streak(image, image.shape[1] // 2, 3, 0.4)
    cv2.imwrite(str(path), streaked, [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


def test_the_room_view_tells_the_streak_and_whether_the_last_page_shows_it(
    station, example: Path, tmp_path: Path
) -> None:
    page_login(station, "sef1")
    station.upload(example / "sheet-002.jpg")
    station.wait_read()
    clean = station.client.get("/rooms/1")
    assert clean.status_code == 200 and 'id="queue"' in clean.text
    assert 'id="streak"' not in clean.text
    station.upload(_streaked(example, tmp_path))
    station.wait_read()
    live = station.client.get("/rooms/1/live").text
    assert "Pagini citite prin dungă: 1 din 2, inclusiv ultima." in live
    assert [warning["code"] for warning in station.sheet(2)["warnings"]] == ["scanner_streak"]
    station.upload(example / "sheet-003.jpg")
    station.wait_read()
    room = station.client.get("/rooms/1").text
    assert "Pagini citite prin dungă: 1 din 3." in room


def test_the_room_view_tells_a_thresholding_scanner(station, example: Path, tmp_path: Path) -> None:
    """A scanner set to black and white by a threshold: a pen's thin lines over fills and
    its light marks are lost, the page is refused, and the room head is told to scan in
    gray or colour."""
    page_login(station, "sef1")
    gray = cv2.imread(str(example / "sheet-001.jpg"), cv2.IMREAD_GRAYSCALE)
    path = tmp_path / "thresholded-001.png"
    cv2.imwrite(str(path), thresholded(gray))
    station.upload(path)
    station.wait_read()
    room = station.client.get("/rooms/1").text
    assert (
        "Pagini refuzate așa: 1 din 1, inclusiv ultima. "
        "Setați scanerul pe gri sau color și scanați foile din nou." in room
    )
    assert "respinse: 1" in room
    sheet = station.sheet(1)
    assert sheet["status"] == "rejected"
    assert [reason["code"] for reason in sheet["reasons"]] == ["scan_thresholded"]
    assert 'id="streak"' not in room


def _room_after_one_scan(station, example: Path, path: Path, scanned) -> str:  # noqa: ANN001
    """The room view after sheet-001 is uploaded as ``scanned`` (a function of its image)
    makes it, written to ``path``."""
    page_login(station, "sef1")
    image = cv2.imread(str(example / "sheet-001.jpg"))
    cv2.imwrite(str(path), scanned(image), [cv2.IMWRITE_JPEG_QUALITY, 90])
    station.upload(path)
    station.wait_read()
    return station.client.get("/rooms/1").text


def test_the_room_view_tells_a_scanner_set_too_coarse(
    station, example: Path, tmp_path: Path
) -> None:
    """A scanner set to 100 dpi: thin lines over fills may be lost, and the room head is
    told to set 200 dpi."""
    room = _room_after_one_scan(
        station,
        example,
        tmp_path / "coarse-001.png",
        lambda image: cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA),
    )
    assert "Scanerul scanează la o rezoluție sub 150 dpi" in room
    assert "Pagini scanate așa: 1 din 1, inclusiv ultima. Setați scanerul la 200 dpi." in room
    assert "scan_coarse" in [warning["code"] for warning in station.sheet(1)["warnings"]]
    assert 'id="streak"' not in room and 'id="thresholded"' not in room


def test_the_room_view_tells_a_soft_scanner(station, example: Path, tmp_path: Path) -> None:
    """A scanner that blurs the page: thin lines over fills may be lost, and the room head
    is told to look at the scanner's glass and focus."""
    room = _room_after_one_scan(
        station,
        example,
        tmp_path / "soft-001.jpg",
        lambda image: cv2.GaussianBlur(image, (0, 0), 3.0),
    )
    assert "Scanarea este neclară" in room
    assert "Pagini scanate așa: 1 din 1, inclusiv ultima. Verificați scanerul" in room
    assert "scan_soft" in [warning["code"] for warning in station.sheet(1)["warnings"]]
    assert 'id="coarse"' not in room
