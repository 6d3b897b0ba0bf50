"""Marks drawn by the thousand: how each kind is read, per sheet, pen and resolution.

    python bench/drawn_marks.py                       # every kind, 3 seeds, 200 dpi
    python bench/drawn_marks.py --kinds tick,line --pens rezidentiat:pencil \\
        --dpi 150,200 --seeds 1-10
    python bench/drawn_marks.py --among-fills --dpi 150,200 --seeds 1-10
    python bench/drawn_marks.py --halftone --kinds ring,half,dot --dpi 150,200,300

Each page holds one mark of a kind in every third question (``fixtures/scansim/drawn.py``,
the drawing ``tests/test_drawn_marks.py`` checks one page of); a ``tick_beside_x`` page
is answered as candidates answer, one fill a question, with a tick over the fill of every
ninth question and an X over a fill diagonally beside it (the ticks are counted; an X
read filled or blank is a silent error too, and the column of blanks read as marks
counts the plain fills read crossed or blank). With ``--among-fills`` the two questions
after each mark are answered with a plain fill each, as a candidate's page holds mostly
plain fills, whose tone the reader takes for the page's pen (on a page of one kind of
mark alone the marks are the pen); the plain fills read crossed or blank are counted with
the blanks. Each page is scanned by the simulator and read; with ``--halftone``,
bi-level, dithered by the scanner, as one page in thirteen of the corpus's families is
(on Bayer's 4 × 4 screen, as theirs; ``--halftone 8``: on its coarser 8 × 8 screen,
which no family holds). A scan thresholded to black and white is refused whole
(``scan_thresholded``): there is nothing of it to read.
Prints, for each kind, sheet, pen and resolution, the states the marks were read as and
how many were read with a state the kind may never have (a silent error), and the blank
bubbles read as anything definite but blank; then the totals. Exits 1 when there is a
silent error. The figures are the simulator's marks, not people's: a way to find classes
of error, not a measure of the reader's accuracy.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

# The simulator lives beside the corpus (fixtures/), not in the library.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from evaluation import STATES  # noqa: E402
from scansim.drawn import (  # noqa: E402
    BLANK,
    HALFTONED,
    NEVER,
    SETTINGS,
    TICK_BESIDE_X,
    read_drawn_page,
    read_drawn_page_among_fills,
    read_ticks_beside_xs_page,
)
from scansim.scanner import ScanSettings  # noqa: E402

from omr.vocabulary.states import MarkState  # noqa: E402

# The bi-level scanners' screens (px): Bayer's 4 × 4 and its coarser 8 × 8.
SCREENS, COARSE = (4, 8), 8
PENS = (
    "specializare-asistenti:ballpoint",
    "emc:ballpoint",
    "rezidentiat:felt-tip",
    "rezidentiat:pencil",
    "specializare-asistenti:dry",
)


def seeds_of(text: str) -> list[int]:
    """``"1-10"`` or ``"3,7"`` → the seeds."""
    if "-" in text:
        first, last = (int(part) for part in text.split("-"))
        return list(range(first, last + 1))
    return [int(part) for part in text.split(",")]


def _scanned(screen: int) -> ScanSettings:
    """How the pages are scanned: gray, or dithered on a ``screen``."""
    return replace(HALFTONED, coarse_screen=screen == COARSE) if screen else SETTINGS


def _page(job: tuple[str, str, str, int, int, bool, ScanSettings]) -> tuple[Counter, int, int]:
    """One page: the marks' states, how many break the kind's rule, blanks read wrong."""
    kind, template, pen, seed, dpi, among_fills, settings = job
    if kind == TICK_BESIDE_X:  # the ticks counted; an X beside one never filled nor blank
        marked, xs, plain = read_ticks_beside_xs_page(template, pen, seed, dpi, settings)
        wrong = sum(state in NEVER["tick"] for state in marked)
        wrong += sum(state in NEVER["x_filled"] for state in xs)
        return Counter(marked), wrong, sum(state in NEVER["fill"] for state in plain)
    plain: list[MarkState] = []
    if among_fills:
        marked, blank, plain = read_drawn_page_among_fills(kind, template, pen, seed, dpi, settings)
    else:
        marked, blank = read_drawn_page(kind, template, pen, seed, dpi, settings)
    wrong = sum(state in NEVER[kind] for state in marked)
    blank_wrong = sum(state not in (BLANK, MarkState.UNCLEAR) for state in blank)
    blank_wrong += sum(state in NEVER["fill"] for state in plain)
    return Counter(marked), wrong, blank_wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    known = (*NEVER, TICK_BESIDE_X)
    parser.add_argument("--kinds", default=",".join(known), help="kinds of mark, comma-separated")
    parser.add_argument("--pens", default=",".join(PENS), help="SHEET:PEN pairs, comma-separated")
    parser.add_argument("--dpi", default="200", help="resolutions, comma-separated")
    parser.add_argument("--seeds", default="1-3", help="FIRST-LAST or a comma-separated list")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--among-fills",
        action="store_true",
        help="answer the two questions after each mark with a plain fill each",
    )
    parser.add_argument(
        "--halftone",
        nargs="?",
        type=int,
        choices=SCREENS,
        const=SCREENS[0],
        default=0,
        help="scan the pages bi-level (dithered, PNG) on a 4 × 4 screen, or an 8 × 8 one",
    )
    args = parser.parse_args(argv)
    kinds = args.kinds.split(",")
    unknown = [kind for kind in kinds if kind not in known]
    if unknown:
        parser.error(f"unknown kinds {unknown}; known: {', '.join(known)}")
    pairs = [tuple(pair.split(":")) for pair in args.pens.split(",")]
    dpis, seeds = [int(dpi) for dpi in args.dpi.split(",")], seeds_of(args.seeds)
    groups = [
        (kind, template, pen, dpi) for dpi in dpis for kind in kinds for template, pen in pairs
    ]
    header = "".join(f"{state.value:>9}" for state in STATES)
    print(f"{'kind':<15}{'sheet':<24}{'pen':<10}{'dpi':>4}{'marks':>7}{header}   silent  blanks")
    total = Counter()
    settings = _scanned(args.halftone)
    with ProcessPoolExecutor(args.jobs) as pool:
        for kind, template, pen, dpi in groups:
            jobs = [(kind, template, pen, seed, dpi, args.among_fills, settings) for seed in seeds]
            states, wrong, blank_wrong = Counter(), 0, 0
            for counts, page_wrong, page_blank_wrong in pool.map(_page, jobs):
                states += counts
                wrong, blank_wrong = wrong + page_wrong, blank_wrong + page_blank_wrong
            marks = sum(states.values())
            row = "".join(f"{states[state]:>9}" for state in STATES)
            print(
                f"{kind:<15}{template:<24}{pen:<10}{dpi:>4}{marks:>7}{row}{wrong:>9}{blank_wrong:>8}",
                flush=True,
            )
            total.update(marks=marks, silent=wrong, blanks=blank_wrong)
    print(
        f"SILENT ERRORS: {total['silent']} of {total['marks']} marks, "
        f"{total['blanks']} blank bubbles read as marks"
    )
    return 1 if total["silent"] or total["blanks"] else 0


if __name__ == "__main__":
    sys.exit(main())
