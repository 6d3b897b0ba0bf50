"""Hostile files at the station: a bad page of a multi-page file is refused alone, and a
reader that fails midway keeps the pages read before it, without claiming page 1 twice."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import signal
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from station.config import Settings
from station.services import intake, reading_pool
from station.services.page_reading import PageJob, PageRead
from station.storage.models import Reading, Room, User
from tests.station.conftest import make_settings, serve


def _readings(sessions) -> list[tuple[int, str, list[str]]]:  # noqa: ANN001
    with sessions() as session:
        rows = session.scalars(select(Reading).order_by(Reading.page))
        return [
            (row.page, row.status, [reason["code"] for reason in row.document["reasons"]])
            for row in rows
        ]


def _tiff(example: Path) -> bytes:
    """Two example sheets with a 6000 × 10 strip between them, as one TIFF."""
    first, third = (Image.open(example / name) for name in ("sheet-001.jpg", "sheet-002.jpg"))
    buffer = io.BytesIO()
    strip = Image.new("RGB", (6000, 10), "white")
    first.save(
        buffer, "TIFF", save_all=True, append_images=[strip, third], compression="jpeg", quality=60
    )
    return buffer.getvalue()


def test_a_strip_page_in_a_tiff_gets_its_own_rejected_reading(
    station, sessions, example: Path
) -> None:
    settings = replace(station.settings, max_upload_bytes=10 * 1024 * 1024)  # 3 pages
    with sessions() as session:
        _, (scan,), _ = intake.take_uploads(
            session,
            settings=settings,
            room=session.get(Room, 1),
            files=[("lot.tiff", io.BytesIO(_tiff(example)), None)],
            actor=session.get(User, 1),
            submit=station.client.app.state.worker.submit,
        )
    station.wait_read()
    pages = _readings(sessions)
    assert [(page, status) for page, status, _ in pages][1] == (2, "rejected")
    assert pages[1][2] == ["image_too_small"]
    assert [page for page, status, _ in pages if status != "rejected"] == [1, 3]


def test_a_file_is_looked_at_once_by_its_page_1_job(
    tmp_path: Path, example: Path, monkeypatch
) -> None:
    """Page 1's job reads, hashes and counts the file; the other pages' jobs carry what it
    found, and the pages read as before."""
    real, jobs = reading_pool.read_page, []

    def recorded(job: PageJob) -> PageRead:
        jobs.append(job)
        return real(job)

    monkeypatch.setattr(reading_pool, "read_page", recorded)
    settings = replace(
        make_settings(tmp_path / "data", None),
        reading_processes=0,
        max_upload_bytes=10 * 1024 * 1024,
    )
    data = _tiff(example)
    with serve(settings) as station:
        files = [("files", ("lot.tiff", data, "image/tiff"))]
        assert station.call("POST", "/api/exams/1/scans", files=files).status_code == 202
        station.wait_read()
        pages = _readings(station.client.app.state.sessions)
    assert [job.number for job in jobs] == [1, 2, 3]
    assert jobs[0].look is None and jobs[1].look is jobs[2].look
    assert (jobs[1].look.pages, jobs[1].look.sha256) == (3, hashlib.sha256(data).hexdigest())
    assert [(page, status) for page, status, _ in pages] == [(1, "ok"), (2, "rejected"), (3, "ok")]


def test_a_reader_failing_midway_keeps_the_pages_read(
    tmp_path: Path, example: Path, monkeypatch
) -> None:
    """The page the reader fails on is the file's last reading; the pages before it stay."""
    real = reading_pool.read_page

    def fails_after_the_first(job: PageJob) -> PageRead:
        if job.number > 1:
            raise OSError("the disk went away")
        return replace(real(job), pages=3)

    monkeypatch.setattr(reading_pool, "read_page", fails_after_the_first)
    settings = replace(make_settings(tmp_path / "data", None), reading_processes=0)
    with serve(settings) as station:
        assert station.upload(example / "sheet-001.jpg").status_code == 202
        station.wait_read()
        pages = _readings(station.client.app.state.sessions)
    assert [(page, status) for page, status, _ in pages] == [(1, "ok"), (2, "rejected")]
    assert pages[1][2] == ["read_failed"]


def test_a_large_file_does_not_hold_up_another_rooms_sheet(tmp_path: Path, example: Path) -> None:
    """With two reading threads, a sheet of SALA-2 is read while SALA-1's 12-page file is
    (its pages read one by one in the reading processes)."""
    settings = replace(_large_file_settings(tmp_path), reading_threads=2)
    with serve(settings) as station:
        with station.client.app.state.sessions() as session:
            large = [_twelve_pages(example)]
            submit = station.client.app.state.worker.submit
            for room, user, files in ((1, 1, large), (2, 1, [_scan(example)])):
                intake.take_uploads(
                    session,
                    settings=settings,
                    room=session.get(Room, room),
                    files=files,
                    actor=session.get(User, user),
                    submit=submit,
                )
        other = station.wait_read(room_id=2, user="sef2")
        assert [s["file"] for s in other["sheets"]] == ["sala2.jpg"]
        assert station.call("GET", "/api/rooms/1").json()["reading_now"]  # the file still is
        assert len(station.wait_read(room_id=1)["sheets"]) == 12


def test_a_reading_process_killed_mid_file_is_replaced(tmp_path: Path, example: Path) -> None:
    """The reading processes killed while a 12-page file is read: new ones read the page in
    hand again, and every page is read once."""
    settings = _large_file_settings(tmp_path)
    with serve(settings) as station:
        worker = station.client.app.state.worker
        with worker.sessions() as session:
            intake.take_uploads(
                session,
                settings=settings,
                room=session.get(Room, 1),
                files=[_twelve_pages(example)],
                actor=session.get(User, 1),
                submit=worker.submit,
            )
        deadline = time.monotonic() + 60
        while not any(hand.pages for hand in list(worker.in_hand.values())):
            assert time.monotonic() < deadline, "the file was not read"
            time.sleep(0.01)
        killed = [child.pid for child in multiprocessing.active_children()]
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        pages_then = max(hand.pages for hand in list(worker.in_hand.values()) or [12])
        station.wait_read()
        pages = _readings(station.client.app.state.sessions)
    assert killed and pages_then < 12, "no reading process killed mid-file: nothing tested"
    assert [page for page, _, _ in pages] == list(range(1, 13))
    assert all("read_failed" not in codes for _, _, codes in pages)


def _large_file_settings(tmp_path: Path) -> Settings:
    """Test settings that take a 12-page file."""
    return replace(
        make_settings(tmp_path / "data", None),
        max_upload_bytes=40 * 1024 * 1024,
        max_pages_per_file=20,
    )


def _twelve_pages(example: Path) -> tuple[str, io.BytesIO, None]:
    """A 12-page TIFF of one example sheet, as received."""
    sheet = Image.open(example / "sheet-001.jpg")
    buffer = io.BytesIO()
    sheet.save(buffer, "TIFF", save_all=True, append_images=[sheet] * 11, compression="jpeg")
    return ("lot.tiff", io.BytesIO(buffer.getvalue()), None)


def _scan(example: Path) -> tuple[str, io.BytesIO, None]:
    return ("sala2.jpg", io.BytesIO((example / "sheet-002.jpg").read_bytes()), None)
