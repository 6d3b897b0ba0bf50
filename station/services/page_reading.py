"""One page of a stored scan read: the job a reading process runs (see
:mod:`station.services.reading_pool`), or the station itself when it reads in its threads.

A job names its exam's template and profile rather than carrying them, so it pickles small;
each process loads what an exam is read against once. A file is read, hashed and measured
once, by its page 1's job: the later pages' jobs carry what that look found.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from omr.reading.ingest import FileLook, look_at
from omr.reading.pipeline import ReadOptions, SheetReading, read_file_page
from omr.scoring.profiles import load_profile
from omr.sheet.template import load_template


@dataclass(frozen=True)
class PageJob:
    """Page ``number`` of the file at ``path``, read for an exam."""

    path: str
    number: int
    template: str
    profile: str
    exam: str
    max_pages: int
    look: FileLook | None = None  # what page 1's job found in the file


@dataclass(frozen=True)
class PageRead:
    """What a job read: the page (None: the file has no such page), whether it was placed
    on its template, and for page 1 the file's page count (0 for the other pages) and what
    its look at the file found (for the later pages' jobs)."""

    reading: SheetReading | None
    placed: bool
    pages: int
    look: FileLook | None = None


@lru_cache(maxsize=16)
def read_options(template: str, profile: str, exam: str, max_pages: int) -> ReadOptions:
    """What an exam's scans are read against, loaded once per exam (not per page)."""
    ink = load_profile(profile).ink
    return ReadOptions(
        template=load_template(template),
        exam=exam,
        required_ink=lambda _: ink,
        max_pages=max_pages,
    )


def read_page(job: PageJob) -> PageRead:
    """Read one page of a file (its pixels released: only the reading is handed back)."""
    options = read_options(job.template, job.profile, job.exam, job.max_pages)
    first = job.number == 1
    look = look_at(job.path, max_pages=job.max_pages) if first else job.look
    reading = read_file_page(job.path, job.number, options, look)
    placed = reading is not None and reading.page is not None
    if reading is not None:
        reading.page = None
    if not first:
        return PageRead(reading, placed, 0)
    return PageRead(reading, placed, 1 if look is None else look.pages, look)
