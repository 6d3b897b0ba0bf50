"""The reading worker: ``reading_threads`` threads take queued scans in arrival order, each
one scan at a time, and have their pages read one by one by ``reading_processes`` reading
processes (:mod:`station.services.reading_pool`): the pages of a large file take turns with
the other rooms' sheets, and the readings are stored here, one transaction a scan.

On start it queues every stored scan without a reading, so a scan received before a
crash is read after the restart; :func:`station.services.reading.read_scan` skips a scan
already read, so none is read twice. A scan whose reading failed (a full disk, a lost
database) is queued again once the queue has been idle for ``retry_seconds``: the work
resumes by itself when the disk has room again. On stop, a scan in hand is left between
two pages, unread: it is read whole after the restart.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from station.config import Settings
from station.services.reading import pending_scans, read_scan
from station.services.reading_pool import ReadingPool
from station.storage.models import Scan

log = logging.getLogger(__name__)


@dataclass
class InHand:
    """The scan being read: its room, its name and the pages read so far."""

    scan_id: int
    room_id: int
    name: str
    pages: int = 0


class ReadingWorker:
    """Background threads over a queue of scan ids, reading in a pool of processes."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.queue: queue.Queue[int | None] = queue.Queue()
        self.current: set[int] = set()  # the scans being read now
        self.in_hand: dict[int, InHand] = {}  # the same, with their rooms and progress
        self.pool = ReadingPool(settings.reading_processes)
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name=f"station-reader-{number}", daemon=True)
            for number in range(max(1, settings.reading_threads))
        ]

    def start(self) -> None:
        """Queue the scans left unread and start reading."""
        self._queue_unread()
        for thread in self._threads:
            thread.start()

    def _queue_unread(self) -> None:
        with self.sessions() as session:
            for scan_id in pending_scans(session):
                self.queue.put(scan_id)

    def submit(self, scan_id: int) -> None:
        """Queue a newly stored scan."""
        self.queue.put(scan_id)

    def stop(self) -> None:
        """Stop reading, the scans in hand left unread after their current pages."""
        self._stopping.set()
        for _ in self._threads:
            self.queue.put(None)
        for thread in self._threads:
            thread.join(timeout=30)
        self.pool.close()

    def waiting(self) -> int:
        """How many scans wait in the queue."""
        return self.queue.qsize()

    def _run(self) -> None:
        failed = False
        while True:
            try:
                scan_id = self.queue.get(timeout=self.settings.retry_seconds if failed else None)
            except queue.Empty:  # idle since a failure: what it left unread is tried again
                failed = not self._retry_unread()
                continue
            if scan_id is None:
                return
            failed = not self._read(scan_id) or failed

    def _read(self, scan_id: int) -> bool:
        """Read one scan; False when it failed (it stays unread)."""
        self.current.add(scan_id)
        try:
            read_scan(
                self.sessions,
                settings=self.settings,
                scan_id=scan_id,
                read=self.pool.read,
                on_scan=self._take,
                on_page=lambda page: self._page_read(scan_id, page),
            )
            return True
        except Exception:  # one bad scan never stops the station
            log.exception("scan %s could not be read", scan_id)
            return False
        finally:
            self.current.discard(scan_id)
            self.in_hand.pop(scan_id, None)

    def _take(self, scan: Scan) -> None:
        """Note the scan in hand, its room and name, before its pages are read."""
        self.in_hand[scan.id] = InHand(scan.id, scan.room_id, scan.original_name)

    def _page_read(self, scan_id: int, page: int) -> bool:
        """Note a scan's progress; False once the station stops (the scan is left)."""
        in_hand = self.in_hand.get(scan_id)
        if in_hand is not None:
            in_hand.pages = page
        return not self._stopping.is_set()

    def reading_in(self, room_id: int) -> InHand | None:
        """A scan of the room being read now, with its progress (None: none is)."""
        return next((h for h in list(self.in_hand.values()) if h.room_id == room_id), None)

    def _retry_unread(self) -> bool:
        """Queue the scans left unread again; False when even that failed."""
        try:
            self._queue_unread()
            return True
        except Exception:
            log.exception("the scans left unread could not be listed")
            return False
