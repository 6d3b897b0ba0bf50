"""The hot folder: ``hot/<EXAM>/<ROOM>/`` receives the scanner's files.

A file is taken once it is complete: its size and modification time unchanged for
``hot_quiet_seconds`` and its format's own end present
(:func:`station.services.completeness.is_complete`), or unchanged for
``hot_incomplete_seconds`` however it ends. A name the scanner is still writing under
(``.part``, ``.tmp``, ``.crdownload``, a leading ``.`` or ``~``) is left until renamed. The
file is stored through the same intake as an upload
(:func:`station.services.intake.stage`, :func:`~station.services.intake.store_scan`) and
then moved to ``taken/``, or to ``refused/`` with the reason recorded; while the disk is
full it stays where it is. A crash between storing and moving leaves the file in place: on
the next look its hash and name match the stored scan, so it is moved without being taken
twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import StationError
from station.services import intake
from station.services.completeness import is_complete
from station.storage.models import Exam, Room

log = logging.getLogger(__name__)
SOURCE = "hot_folder"
DONE_FOLDERS = ("taken", "refused")
WRITING_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")


def _being_written(path: Path) -> bool:
    """A name a scanner writes under before renaming the finished file."""
    return path.name.startswith((".", "~")) or path.name.lower().endswith(WRITING_SUFFIXES)


def room_folder(settings: Settings, room: Room) -> Path:
    """The hot folder of a room."""
    return settings.hot_dir / room.exam.code / room.code


def _move(path: Path, folder: str) -> None:
    target = path.parent / folder / path.name
    target.parent.mkdir(exist_ok=True)
    stem, number = target.stem, 1
    while target.exists():
        number += 1
        target = target.with_name(f"{stem}-{number}{path.suffix}")
    os.replace(path, target)


class HotFolder:
    """Polls the hot folder; ``on_scan`` receives the id of every scan stored.

    A batch is one file here (an upload's batch holds all its files).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        on_scan: Callable[[int], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.on_scan = on_scan
        self.clock = clock
        # a file's (size, mtime) and since when it has not changed
        self._seen: dict[Path, tuple[tuple[int, int], float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="station-hot-folder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.settings.hot_poll_seconds):
            try:
                self.sweep()
            except Exception:  # the watcher keeps watching
                log.exception("hot folder sweep failed")

    def _ready(self, path: Path) -> bool:
        """Whether ``path`` has stopped changing long enough, and is whole."""
        stat = path.stat()
        state, now = (stat.st_size, stat.st_mtime_ns), self.clock()
        before, since = self._seen.get(path, (None, now))
        if before != state:
            self._seen[path] = (state, now)
            return False
        quiet = now - since
        if quiet >= self.settings.hot_incomplete_seconds:
            return True
        return quiet >= self.settings.hot_quiet_seconds and is_complete(path)

    def _rooms(self) -> list[tuple[Path, int]]:
        """(hot folder, room id) of every room whose folder exists."""
        with self.sessions() as session:
            rooms = session.scalars(select(Room).join(Exam, Room.exam_id == Exam.id))
            return [(room_folder(self.settings, room), room.id) for room in rooms]

    def sweep(self) -> int:
        """Take every file that is complete; returns how many were stored."""
        taken = 0
        for folder, room_id in self._rooms():
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file() and not _being_written(path) and self._ready(path):
                    taken += self._take(path, room_id)
        return taken

    def _take(self, path: Path, room_id: int) -> int:
        """Store one stable file, then move it out of the way (after the commit)."""
        self._seen.pop(path, None)
        outcome, scan_id = "taken", None
        with self.sessions() as session, session.begin():
            room = session.get(Room, room_id)
            try:
                with path.open("rb") as stream:
                    staged = intake.stage(
                        self.settings, name=path.name, stream=stream, size=path.stat().st_size
                    )
                try:
                    first = intake.find_scan(session, sha256=staged.sha256)
                    if first is None or (first.original_name, first.source) != (path.name, SOURCE):
                        batch = intake.new_batch(session, room=room, source=SOURCE, actor=None)
                        scan_id = intake.store_scan(
                            session,
                            settings=self.settings,
                            batch=batch,
                            room=room,
                            staged=staged,
                            actor=None,
                        ).id
                    # else: stored before a crash, not yet moved: finish taking it
                finally:
                    staged.discard()
            except StationError as error:
                if error.reason is Reason.STORAGE_FULL:
                    log.warning("hot folder: %s left in place: %s", path.name, error.problem)
                    return 0  # taken again once the disk has room
                intake.refuse_file(
                    session, room=room, source=SOURCE, name=path.name, error=error, actor=None
                )
                outcome = "refused"
        _move(path, outcome)
        if scan_id is not None:
            self.on_scan(scan_id)
        return int(scan_id is not None)
