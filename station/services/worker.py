"""The reading worker: one thread reads queued scans, one at a time, in arrival order.

On start it queues every stored scan without a reading, so a scan received before a
crash is read after the restart; :func:`station.services.reading.read_scan` skips a scan
already read, so none is read twice.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from omr.process_memory import reuse_large_buffers
from station.config import Settings
from station.services.reading import pending_scans, read_scan
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
    """A background thread over a queue of scan ids."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.queue: queue.Queue[int | None] = queue.Queue()
        self.current: int | None = None
        self.in_hand: InHand | None = None
        self._thread = threading.Thread(target=self._run, name="station-reader", daemon=True)

    def start(self) -> None:
        """Queue the scans left unread and start reading."""
        with self.sessions() as session:
            for scan_id in pending_scans(session):
                self.queue.put(scan_id)
        self._thread.start()

    def submit(self, scan_id: int) -> None:
        """Queue a newly stored scan."""
        self.queue.put(scan_id)

    def stop(self) -> None:
        """Finish the scan in hand and stop."""
        self.queue.put(None)
        self._thread.join(timeout=30)

    def waiting(self) -> int:
        """How many scans wait in the queue."""
        return self.queue.qsize()

    def _run(self) -> None:
        reuse_large_buffers()  # pages are read one after another: reuse their memory
        while (scan_id := self.queue.get()) is not None:
            self.current = scan_id
            try:
                self.in_hand = self._in_hand(scan_id)
                read_scan(
                    self.sessions, settings=self.settings, scan_id=scan_id, on_page=self._page_read
                )
            except Exception:  # one bad scan never stops the station
                log.exception("scan %s could not be read", scan_id)
            finally:
                self.current = None
                self.in_hand = None

    def _in_hand(self, scan_id: int) -> InHand | None:
        with self.sessions() as session:
            scan = session.get(Scan, scan_id)
            return scan and InHand(scan_id, scan.room_id, scan.original_name)

    def _page_read(self, page: int) -> None:
        if self.in_hand is not None:
            self.in_hand.pages = page
