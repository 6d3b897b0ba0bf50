"""The reading worker: one thread reads queued scans, one at a time, in arrival order.

On start it queues every stored scan without a reading, so a scan received before a
crash is read after the restart; :func:`station.services.reading.read_scan` skips a scan
already read, so none is read twice.
"""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy.orm import Session, sessionmaker

from omr.process_memory import reuse_large_buffers
from station.config import Settings
from station.services.reading import pending_scans, read_scan

log = logging.getLogger(__name__)


class ReadingWorker:
    """A background thread over a queue of scan ids."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.queue: queue.Queue[int | None] = queue.Queue()
        self.current: int | None = None
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
                read_scan(self.sessions, settings=self.settings, scan_id=scan_id)
            except Exception:  # one bad scan never stops the station
                log.exception("scan %s could not be read", scan_id)
            finally:
                self.current = None
