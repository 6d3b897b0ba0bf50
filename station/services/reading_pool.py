"""The reading processes: pages are read outside the station's interpreter, one page a job,
so the pages of the files in hand take turns and the web requests keep the interpreter.

The processes start with the first page (a station that reads nothing starts none), forked
from a server that has the reader imported once; each leaves when the station is gone, even
killed (it watches the station). A process that dies mid-page (killed, out of memory) is
replaced and the page tried once more.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import cv2

from omr.process_memory import reuse_large_buffers
from station.services.page_reading import PageJob, PageRead, read_page

PRELOADED = ["station.services.page_reading"]  # imported once, by the fork server


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOADED)
        return context
    return multiprocessing.get_context("spawn")


def _watch_station() -> None:
    station = multiprocessing.parent_process()  # the station, not the fork server
    if station is not None:
        station.join()  # returns once the station is gone, killed or not
    os._exit(0)


def _start_process() -> None:
    """A reading process: one OpenCV thread, page buffers reused, Ctrl-C left to the
    station, gone with the station."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cv2.setNumThreads(1)
    reuse_large_buffers()
    threading.Thread(target=_watch_station, daemon=True).start()


class ReadingPool:
    """``processes`` reading processes (0: pages are read in the calling thread)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    def read(self, job: PageJob) -> PageRead:
        """Read one page; a process dying under it is replaced and the page tried again
        once (then :class:`BrokenProcessPool` is raised)."""
        if self.processes == 0:
            return read_page(job)
        pool = self._pool()
        try:
            return pool.submit(read_page, job).result()
        except BrokenProcessPool:
            self._forget(pool)
            return self._pool().submit(read_page, job).result()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the reading processes are stopped")
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.processes, mp_context=_context(), initializer=_start_process
                )
            return self._executor

    def _forget(self, broken: ProcessPoolExecutor) -> None:
        """Let go of a broken pool (another thread may have replaced it already)."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the processes once their pages are read."""
        with self._lock:
            executor, self._executor, self._closed = self._executor, None, True
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
