"""The hot folder: a file is taken once it stops growing, exactly once, bad ones kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from station.services import intake
from station.services.hotfolder import HotFolder, room_folder
from station.storage.models import Refusal, Room, Scan


def _scan_count(sessions) -> int:  # noqa: ANN001
    with sessions() as session:
        return session.scalar(select(func.count(Scan.id)))


def test_taken_once_stable_duplicates_and_crash_leftovers(station, sessions, example: Path) -> None:
    submitted: list[int] = []
    hot = HotFolder(sessions, station.settings, submitted.append)
    with sessions() as session:
        folder = room_folder(station.settings, session.get(Room, 1))
    for leftover in folder.iterdir():  # the demo's copies
        leftover.unlink()
    growing = folder / "sheet-001.jpg"
    data = (example / "sheet-001.jpg").read_bytes()
    growing.write_bytes(data[:1000])
    assert hot.sweep() == 0  # first look
    growing.write_bytes(data)
    assert hot.sweep() == 0  # it grew
    assert hot.sweep() == 1 and len(submitted) == 1
    assert (folder / "taken" / "sheet-001.jpg").exists() and not growing.exists()

    shutil.copy(example / "sheet-001.jpg", folder / "copie.jpg")
    hot.sweep(), hot.sweep()
    assert (folder / "refused" / "copie.jpg").exists()
    with sessions() as session:
        refusal = session.scalars(select(Refusal)).one()
        assert refusal.reason == "duplicate_file" and "#1" in refusal.message

    # A crash after storing and before moving: the file is finished, not taken twice.
    with sessions() as session, session.begin():
        room = session.get(Room, 1)
        batch = intake.new_batch(session, room=room, source="hot_folder", actor=None)
        with (example / "sheet-002.jpg").open("rb") as stream:
            intake.receive_file(
                session,
                settings=station.settings,
                batch=batch,
                room=room,
                received=("sheet-002.jpg", stream, None),
                actor=None,
            )
    shutil.copy(example / "sheet-002.jpg", folder / "sheet-002.jpg")
    hot.sweep(), hot.sweep()
    assert (folder / "taken" / "sheet-002.jpg").exists()
    assert _scan_count(sessions) == 2 and len(submitted) == 1
    with sessions() as session:
        assert session.scalar(select(func.count(Refusal.id))) == 1


def test_bad_files_are_stored_and_read_as_rejected(station, sessions) -> None:
    hot = HotFolder(
        sessions, station.settings, lambda scan_id: station.client.app.state.worker.submit(scan_id)
    )
    with sessions() as session:
        folder = room_folder(station.settings, session.get(Room, 1))
    for leftover in folder.iterdir():
        leftover.unlink()
    (folder / "gol.png").write_bytes(b"")
    (folder / "stricat.tif").write_bytes(b"II*\x00garbage")
    (folder / "mare.png").write_bytes(b"\x00" * (station.settings.max_upload_bytes + 1))
    hot.sweep(), hot.sweep()
    status = station.wait_read()
    assert sorted(s["file"] for s in status["sheets"]) == ["gol.png", "stricat.tif"]
    assert {s["status"] for s in status["sheets"]} == {"rejected"}
    assert [r["reason"] for r in status["refused"]] == ["file_too_large"]
    assert (folder / "refused" / "mare.png").exists()
