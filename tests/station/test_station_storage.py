"""Uploads streamed and bounded, and a full or failing disk: refused with a reason (507),
nothing half-written linked, leftovers cleared at start, the work resumed once there is
room again."""

from __future__ import annotations

import errno
import io
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from station.app import create_app
from station.services import audit, intake, worker
from station.services.hotfolder import HotFolder, room_folder
from station.storage.models import Refusal, Room, Scan
from tests.station.conftest import MAX_UPLOAD, Station, make_settings, serve
from tests.station.test_station_refusals import _refused

MB = 1024 * 1024


@pytest.fixture
def tight(tmp_path: Path, database_url: str | None) -> Iterator[Station]:
    """A station taking at most 3 files and 3 MB a request, retrying failures at once."""
    settings = replace(
        make_settings(tmp_path / "data", database_url),
        max_request_bytes=3 * MB,
        max_files_per_request=3,
        retry_seconds=0.2,
    )
    with serve(settings) as served:
        yield served


def _scans(station: Station) -> int:
    with station.client.app.state.sessions() as session:
        return session.scalar(select(func.count(Scan.id)))


FULL_DATABASE = OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))


def _full(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _files(*sizes: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (f"f{n}.jpg", bytes(size), "image/jpeg")) for n, size in enumerate(sizes)]


def test_request_bounds_and_the_size_message(tight: Station) -> None:
    big = tight.call("POST", "/api/exams/1/scans", files=_files(MB, MB, MB, MB // 2))
    _refused(big, 413, "request_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b"--x\r\n" + bytes(4 * MB)

    streamed = tight.client.post(
        "/api/exams/1/scans",
        content=chunks(),
        headers={**tight.headers("sef1"), "Content-Type": "multipart/form-data; boundary=x"},
    )
    _refused(streamed, 413, "request_too_large")
    many = tight.call("POST", "/api/exams/1/scans", files=_files(1, 2, 3, 4))
    _refused(many, 413, "files_too_many")
    over = tight.call("POST", "/api/exams/1/scans", files=_files(MAX_UPLOAD + 1))
    assert _refused(over, 413, "file_too_large") == "fișierul are 1.1 MB, peste limita de 1 MB"
    assert _scans(tight) == 0
    assert list(tight.settings.incoming_dir.iterdir()) == []


def test_uploads_are_staged_on_disk_and_leave_nothing_behind(station, example: Path) -> None:
    response = station.upload(example / "sheet-001.jpg", example / "sheet-002.jpg")
    assert response.status_code == 202, response.text
    stored = sorted(path.name for path in station.settings.scans_dir.rglob("*.jpg"))
    assert len(stored) == 2 and list(station.settings.incoming_dir.iterdir()) == []


def test_a_full_disk_refuses_uploads_and_logins_with_507(
    station, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "CHUNK_BYTES", 64 * 1024)
    real_open = Path.open

    def full_on_write(self: Path, mode: str = "r", *args: object, **kwargs: object):  # noqa: ANN202
        if "w" in mode and self.suffix == ".part":
            handle = real_open(self, mode, *args, **kwargs)
            handle.write = _full
            return handle
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_on_write)
    refused = station.upload(example / "sheet-001.jpg")
    assert "discul stației este plin" in _refused(refused, 507, "storage_full")
    assert _scans(station) == 0 and list(station.settings.incoming_dir.iterdir()) == []

    def no_room(*_: object, **__: object) -> None:
        raise FULL_DATABASE

    monkeypatch.setattr(audit, "record", no_room)  # a login writes its audit entry
    login = station.client.post("/api/auth/token", data={"username": "sef1", "password": "sef1"})
    _refused(login, 507, "storage_full")
    page = station.client.post("/login", data={"username": "sef1", "password": "sef1"})
    assert page.status_code == 507 and "discul stației este plin" in page.text


def test_an_overlay_that_cannot_be_written_is_refused_then_drawn_later(
    station, example: Path
) -> None:
    shutil.rmtree(station.settings.overlays_dir)
    station.settings.overlays_dir.write_text("a file where the folder was")
    assert station.upload(example / "sheet-001.jpg").status_code == 202
    station.wait_read()
    sheet = station.sheet(1)
    assert sheet["status"] == "sealed"
    _refused(station.call("GET", "/api/sheets/1/overlay.png"), 507, "storage_full")
    station.settings.overlays_dir.unlink()
    station.settings.overlays_dir.mkdir()
    assert station.call("GET", "/api/sheets/1/overlay.png").content.startswith(b"\x89PNG")
    assert not list(station.settings.overlays_dir.rglob("*.part"))


def test_reading_resumes_by_itself_when_the_disk_has_room(
    tight: Station, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = {"full": True}
    real = worker.read_scan

    def read_scan(*args: object, **kwargs: object) -> int:
        if disk["full"]:
            raise FULL_DATABASE
        return real(*args, **kwargs)

    monkeypatch.setattr(worker, "read_scan", read_scan)
    assert tight.upload(example / "sheet-001.jpg").status_code == 202
    with pytest.raises(AssertionError, match="not read in time"):
        tight.wait_read(timeout=1)
    disk["full"] = False  # space freed: no restart
    assert [sheet["file"] for sheet in tight.wait_read(timeout=30)["sheets"]] == ["sheet-001.jpg"]


def test_leftovers_of_interrupted_intakes_are_cleared_at_start(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", None)
    settings.prepare()
    leftovers = [settings.incoming_dir / "a1.part", settings.scans_dir / "ab" / ".abc.jpg.9.part"]
    for path in leftovers:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half")
    create_app(settings)
    assert not any(path.exists() for path in leftovers)


def test_the_hot_folder_leaves_a_file_in_place_while_the_disk_is_full(
    station, sessions, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted: list[int] = []
    hot = HotFolder(sessions, station.settings, submitted.append)
    with sessions() as session:
        folder = room_folder(station.settings, session.get(Room, 1))
    for leftover in folder.iterdir():
        leftover.unlink()
    scan = folder / "sheet-001.jpg"
    shutil.copy(example / "sheet-001.jpg", scan)
    real_stage = intake.stage

    def full_stage(*_: object, **__: object) -> intake.Staged:
        raise intake.storage_failure(OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(intake, "stage", full_stage)
    hot.sweep(), hot.sweep()
    assert scan.exists() and not (folder / "refused").exists()
    with sessions() as session:
        assert session.scalar(select(func.count(Refusal.id))) == 0
    monkeypatch.setattr(intake, "stage", real_stage)
    hot.sweep(), hot.sweep()
    assert (folder / "taken" / "sheet-001.jpg").exists() and len(submitted) == 1


def test_bytes_in_memory_are_staged_like_a_stream(station) -> None:
    staged = intake.stage(station.settings, name="a.jpg", stream=io.BytesIO(b"abc"), size=3)
    assert staged.part.read_bytes() == b"abc" and staged.size == 3
    staged.discard()
    assert not staged.part.exists()
