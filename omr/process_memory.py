"""Large buffers served from memory the process already holds.

Reading a page allocates a few buffers of 4–30 MB (the decoded scan, its ink channel,
the template pages). glibc maps such sizes afresh and unmaps them when freed, so every
page pays for thousands of page faults: on an A4 page at 200 dpi, 2,000 faults and 8 ms
of 36. Raising the threshold for fresh mappings to its limit (32 MB on 64-bit) and
keeping freed memory in the heap lets the next page reuse it: the process keeps its
peak, which it reaches on every page anyway. A decoded scan larger than that limit (an
A3 page at 300 dpi in colour: 52 MB) is mapped afresh all the same, and the kernel zeroes
every page of it (444 page faults, 1.7 ms of system time): :func:`page_buffer` keeps it
instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import threading
import weakref
from functools import cache

import numpy as np

# mallopt(3) parameters, from glibc's malloc.h.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024
TRIM_THRESHOLD = 1024 * 1024 * 1024


class _KeptBuffer:
    """The one page buffer a process keeps (see :func:`page_buffer`).

    The memory is an anonymous mapping of the process. Each claim hands it out through a
    fresh ctypes view, which every array made from the claim (views, reshapes, the
    decoder's output) holds by its ``base`` chain: while a weak reference to that view
    lives, some array of the last page does, and the memory is not handed out again.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.lock = threading.Lock()
        self.memory: mmap.mmap | None = None
        self.handed: weakref.ref[ctypes.Array[ctypes.c_uint8]] | None = None

    def claim(self, size: int) -> np.ndarray | None:
        """``size`` bytes of the kept memory when no array of its last claim lives (else
        a new mapping kept in its place); None when the process keeps no buffers."""
        if not self.enabled:
            return None
        with self.lock:  # claimed before another thread may look
            held = self.handed is not None and self.handed() is not None
            if self.memory is None or len(self.memory) < size or held:
                self.memory = mmap.mmap(-1, size)
            view = (ctypes.c_uint8 * size).from_buffer(self.memory)
            self.handed = weakref.ref(view)
            return np.frombuffer(view, np.uint8)


_kept_buffer = _KeptBuffer()


@cache
def reuse_large_buffers() -> bool:
    """Tune glibc's allocator for page-sized buffers, once per process.

    Returns whether it was tuned (``False`` off glibc, where nothing is changed).
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    _kept_buffer.enabled = tuned
    return tuned


def page_buffer(size: int) -> np.ndarray | None:
    """A writable uint8 buffer of ``size`` bytes to decode a page into, when the heap
    would not keep one of that size (above ``MMAP_THRESHOLD_MAX``) and the process opted
    into :func:`reuse_large_buffers`: the previous page's memory once no array of that page
    is held any more; None otherwise (let the decoder allocate)."""
    if size <= MMAP_THRESHOLD_MAX:
        return None
    return _kept_buffer.claim(size)


def kept_apart(shape: tuple[int, ...], dtype: np.dtype | type) -> np.ndarray:
    """A zeroed array of its own mapping, apart from the heap, for what a process keeps
    for good (a template's derived tables, made while a page is being read): in the
    heap it would split the room a page's buffers leave, and the next page's could not
    fit there again."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape)) * dtype.itemsize
    if size == 0:
        return np.zeros(shape, dtype)
    return np.frombuffer(mmap.mmap(-1, size), dtype).reshape(shape)
