"""The hot folder: a file is taken once it stops growing, exactly once, bad ones kept."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from omr.vocabulary.reasons import Reason
from station.errors import StationError
from station.services import intake
from station.services.completeness import is_complete
from station.services.hotfolder import HotFolder, room_folder
from station.storage.models import Refusal, Room, Scan


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


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
    clock = Clock()
    hot = HotFolder(
        sessions,
        station.settings,
        lambda scan_id: station.client.app.state.worker.submit(scan_id),
        clock=clock,
    )
    with sessions() as session:
        folder = room_folder(station.settings, session.get(Room, 1))
    for leftover in folder.iterdir():
        leftover.unlink()
    (folder / "gol.png").write_bytes(b"")
    (folder / "stricat.tif").write_bytes(b"II*\x00garbage")
    (folder / "mare.png").write_bytes(b"\x00" * (station.settings.max_upload_bytes + 1))
    hot.sweep(), hot.sweep()
    assert (folder / "stricat.tif").exists()  # its IFD lies past its end: not whole yet
    clock.now += station.settings.hot_incomplete_seconds
    hot.sweep()  # still the same after so long: taken, and rejected with its reason
    status = station.wait_read()
    assert sorted(s["file"] for s in status["sheets"]) == ["gol.png", "stricat.tif"]
    assert {s["status"] for s in status["sheets"]} == {"rejected"}
    assert [r["reason"] for r in status["refused"]] == ["file_too_large"]
    assert (folder / "refused" / "mare.png").exists()


def _empty_hot_folder(station, sessions) -> Path:  # noqa: ANN001
    with sessions() as session:
        folder = room_folder(station.settings, session.get(Room, 1))
    for leftover in folder.iterdir():
        leftover.unlink()
    return folder


def test_a_scanner_pausing_mid_file_is_waited_for(station, sessions, example: Path) -> None:
    """A JPEG without its end is not taken however long the scanner pauses (up to the
    incomplete limit); once whole, it is taken after the quiet time."""
    clock = Clock()
    settings = replace(station.settings, hot_quiet_seconds=2.0)
    submitted: list[int] = []
    hot = HotFolder(sessions, settings, submitted.append, clock=clock)
    folder = _empty_hot_folder(station, sessions)
    data = (example / "sheet-001.jpg").read_bytes()
    scan = folder / "scan-0001.jpg"
    scan.write_bytes(data[: len(data) // 2])
    for _ in range(4):  # a 2.5 s pause, looked at every second
        hot.sweep()
        clock.now += 1
    assert hot.sweep() == 0 and scan.exists()
    with scan.open("ab") as rest:
        rest.write(data[len(data) // 2 :])
    hot.sweep()
    clock.now += 1
    assert hot.sweep() == 0  # whole, but not quiet for 2 s yet
    clock.now += 1
    assert hot.sweep() == 1 and (folder / "taken" / "scan-0001.jpg").exists()
    with sessions() as session:
        assert session.scalars(select(Scan.size)).one() == len(data)


def test_a_name_still_being_written_is_left_until_renamed(station, sessions, example: Path) -> None:
    hot = HotFolder(sessions, station.settings, lambda _: None)
    folder = _empty_hot_folder(station, sessions)
    partial = folder / "scan-0002.jpg.part"
    shutil.copy(example / "sheet-001.jpg", partial)
    hot.sweep(), hot.sweep()
    assert partial.exists() and _scan_count(sessions) == 0
    partial.rename(folder / "scan-0002.jpg")
    hot.sweep(), hot.sweep()
    assert _scan_count(sessions) == 1


@pytest.mark.parametrize("kind", ["jpg", "png", "pdf", "tiff"])
def test_each_format_is_whole_only_with_its_end(tmp_path: Path, kind: str) -> None:
    whole = tmp_path / f"whole.{kind}"
    image = Image.new("RGB", (400, 300), "white")
    if kind == "tiff":
        image.save(whole, save_all=True, append_images=[image, image])
    else:
        image.save(whole)
    data = whole.read_bytes()
    assert is_complete(whole)
    for cut in (len(data) // 3, len(data) * 2 // 3, len(data) - 8):
        truncated = tmp_path / f"cut-{cut}.{kind}"
        truncated.write_bytes(data[:cut])
        assert not is_complete(truncated), cut


def test_the_same_bytes_arriving_two_ways_at_once_give_one_scan(
    station, sessions, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hot folder's transaction cannot see the upload's scan yet (its commit comes
    first): the unique hash refuses the second as a duplicate, on SQLite and PostgreSQL."""
    data = (example / "sheet-001.jpg").read_bytes()
    assert station.upload(example / "sheet-001.jpg").status_code == 202
    real_find, looks = intake.find_scan, []

    def not_seen_at_first(session, *, sha256: str) -> Scan | None:  # noqa: ANN001
        looks.append(sha256)
        return None if len(looks) == 1 else real_find(session, sha256=sha256)

    monkeypatch.setattr(intake, "find_scan", not_seen_at_first)
    with sessions() as session, session.begin():
        room = session.get(Room, 1)
        batch = intake.new_batch(session, room=room, source="hot_folder", actor=None)
        with pytest.raises(StationError) as refused:
            intake.receive_file(
                session,
                settings=station.settings,
                batch=batch,
                room=room,
                received=("sheet-001.jpg", io.BytesIO(data), len(data)),
                actor=None,
            )
        assert refused.value.reason == Reason.DUPLICATE_FILE and "#1" in refused.value.message
        assert len(looks) == 2  # the clash itself was caught, after the first look
    assert _scan_count(sessions) == 1
