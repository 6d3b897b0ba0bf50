"""Large buffers served from memory the process already holds.

Reading a page allocates a few buffers of 4–30 MB (the decoded scan, its ink channel,
the template pages). glibc maps such sizes afresh and unmaps them when freed, so every
page pays for thousands of page faults: on an A4 page at 200 dpi, 2,000 faults and 8 ms
of 36. Raising the threshold for fresh mappings to its limit (32 MB on 64-bit) and
keeping freed memory in the heap lets the next page reuse it: the process keeps its
peak, which it reaches on every page anyway.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
from functools import cache

import numpy as np

# mallopt(3) parameters, from glibc's malloc.h.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024
TRIM_THRESHOLD = 1024 * 1024 * 1024


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
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


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
