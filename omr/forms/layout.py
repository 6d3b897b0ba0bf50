"""Bubbles grouped into questions and blocks of questions, as a template declares them.

A question is a run of bubbles of one size on one row, evenly spaced (its options, left
to right); runs apart by more than half a pitch again are other questions. Runs of the
same length starting at the same x, one under the other at an even pitch, make a block.
Questions are numbered by the number printed just left of their run when every run has
one, otherwise band by band (blocks whose rows overlap), left to right, top to bottom.
Options are named by the letter printed inside the bubbles, or above the block's first
row, or A, B, C….
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from omr.forms.pdf_page import Word
from omr.forms.shapes import Outline, of_size

# Bubbles of a row lie within a third of their height of its centre line.
ROW_SHARE = 1 / 3
# Options of a question lie at most 1.5 of its smallest pitch apart, and never more than
# three bubble widths (letters printed far apart in a header are no question).
RUN_GAP, MAX_PITCH_WIDTHS = 1.5, 3.0
# Runs start at the same x (a block's column) to 0.5 mm from one to the next.
SAME_X_MM = 0.5
# A number printed before a question lies within this of its first bubble's left edge.
NUMBER_REACH_MM = 12.0
# An option letter printed above a block's first row lies within this of its top.
HEADER_REACH_MM = 8.0
# A question number as printed: 12, 12., 12), 12:, Q12.
_QUESTION_NUMBER = re.compile(r"[Qq]?(\d{1,4})[.):]?")
# A grid of bubbled digits has a row for each digit, 0–9.
DIGITS = 10


@dataclass(frozen=True)
class Block:
    """Questions ``first``…``last`` in one column: ``centres`` (rows, options, 2) in mm,
    ``size`` and ``fill`` of their bubbles, ``options`` their labels."""

    first: int
    last: int
    options: list[str]
    centres: np.ndarray
    size: tuple[float, float]
    fill: float
    numbered_by_print: bool
    printed_offset: int = 0  # the number printed before a question, less its number

    def lattice(self) -> tuple[tuple[float, float], float, float, float]:
        """The even lattice that best fits the centres: first centre (x, y), option
        pitch, row pitch (mm) and the largest distance of a bubble from it (mm)."""
        rows, options = self.centres.shape[:2]
        option_pitch = float(np.diff(self.centres[:, :, 0], axis=1).mean()) if options > 1 else 1.0
        row_pitch = float(np.diff(self.centres[:, :, 1], axis=0).mean()) if rows > 1 else 1.0
        grid = np.stack(
            np.meshgrid(np.arange(options) * option_pitch, np.arange(rows) * row_pitch), axis=2
        )
        first = (self.centres - grid).reshape(-1, 2).mean(axis=0)
        off = float(np.linalg.norm(self.centres - grid - first, axis=2).max())
        return (float(first[0]), float(first[1])), option_pitch, row_pitch, off


@dataclass(frozen=True)
class DigitGrid:
    """Bubbled digits: ``centres`` (10 digits, columns, 2) in mm, ``size`` of a bubble."""

    centres: np.ndarray
    size: tuple[float, float]

    def lattice(self) -> tuple[tuple[float, float], float, float, float]:
        """First centre (digit 0 of column 1), column pitch, row pitch, largest miss."""
        as_block = Block(0, 0, [], self.centres, self.size, 0.0, False)
        return as_block.lattice()


def _rows(outlines: list[Outline]) -> list[list[Outline]]:
    """Outlines of one size in rows, each sorted left to right."""
    ordered = sorted(outlines, key=lambda o: o.centre[1])
    rows: list[list[Outline]] = []
    for outline in ordered:
        if rows and abs(outline.centre[1] - rows[-1][-1].centre[1]) <= ROW_SHARE * outline.size[1]:
            rows[-1].append(outline)
        else:
            rows.append([outline])
    return [sorted(row, key=lambda o: o.centre[0]) for row in rows]


def _runs(row: list[Outline]) -> list[list[Outline]]:
    """A row split into questions: neighbours at most ``RUN_GAP`` of the smallest pitch."""
    if len(row) < 2:
        return []
    xs = np.array([o.centre[0] for o in row])
    gaps = np.diff(xs)
    limit = min(RUN_GAP * gaps.min(), MAX_PITCH_WIDTHS * row[0].size[0])
    breaks = np.flatnonzero(gaps > limit) + 1
    return [list(run) for run in np.split(np.array(row, dtype=object), breaks) if len(run) >= 2]


def _printed_number(
    run: list[Outline], words: tuple[Word, ...], keep_zero: bool = False
) -> int | None:
    """The number printed just left of a run's first bubble, on its row (a question's
    from 1; ``keep_zero``: a digit row's 0 too)."""
    first = run[0]
    left = first.centre[0] - first.size[0] / 2
    best = None
    for word in words:
        if question_number(word.text) is None:
            continue
        x, y = word.centre
        if (
            abs(y - first.centre[1]) <= first.size[1] / 2
            and 0 <= left - word.box[2] <= NUMBER_REACH_MM
        ) and (best is None or word.box[2] > best.box[2]):
            best = word
    number = question_number(best.text) if best is not None else None
    return None if number is None or (number == 0 and not keep_zero) else number


def question_number(text: str) -> int | None:
    """The number a printed question number says: ``12``, ``12.``, ``12)``, ``Q12``…"""
    found = _QUESTION_NUMBER.fullmatch(text)
    return int(found.group(1)) if found else None


def _option_labels(first_row: list[Outline], words: tuple[Word, ...]) -> list[str]:
    """Letters printed inside the bubbles, or above them; else A, B, C…."""
    inside, above = [], []
    for outline in first_row:
        over = _letters(outline, words, inside=False)
        inside.append(_label_inside(outline, words))
        above.append(over[-1] if over else None)
    for labels in (inside, above):
        if None not in labels and len(set(labels)) == len(labels):
            return [str(label) for label in labels]
    return list(string.ascii_uppercase[: len(first_row)])


def _label_inside(outline: Outline, words: tuple[Word, ...]) -> str | None:
    """The one character printed inside an outline, if any."""
    within = _letters(outline, words, inside=True)
    return within[0] if len(within) == 1 else None


def _letters(outline: Outline, words: tuple[Word, ...], inside: bool) -> list[str]:
    """The single characters printed in line with ``outline``'s width: ``inside`` it, or
    above it within ``HEADER_REACH_MM`` (in reading order)."""
    x, y = outline.centre
    w, h = outline.size
    return [
        word.text
        for word in words
        if len(word.text) == 1
        and abs(word.centre[0] - x) < w / 2
        and (
            abs(word.centre[1] - y) < h / 2
            if inside
            else 0 < y - h / 2 - word.box[3] <= HEADER_REACH_MM
        )
    ]


def _row_digits(group: list, words: tuple[Word, ...]) -> list[str | None]:
    """Each row's digit: printed inside every bubble of the row, or just left of it."""
    digits: list[str | None] = []
    for run in group:
        inside = {_label_inside(outline, words) for outline in run}
        number = _printed_number(list(run), words, keep_zero=True)
        if len(inside) == 1 and None not in inside:
            digits.append(inside.pop())
        elif number is not None and number < DIGITS:
            digits.append(str(number))
        else:
            digits.append(None)
    return digits


def _digit_grid(group: list, words: tuple[Word, ...]) -> bool:
    """Whether a group of runs is a grid of bubbled digits: ``DIGITS`` rows, each
    labelled with its digit 0–9 top to bottom (inside its bubbles or before its row),
    one column per digit position (the candidate number)."""
    return len(group) == DIGITS and _row_digits(group, words) == [str(d) for d in range(DIGITS)]


def _row_letters(group: list, words: tuple[Word, ...]) -> list[str | None]:
    """Each row's letter: printed inside every bubble of the row, or just left of it."""
    letters: list[str | None] = []
    for run in group:
        inside = {_label_inside(outline, words) for outline in run}
        first = run[0]
        left = first.centre[0] - first.size[0] / 2
        before = [
            word.text
            for word in words
            if len(word.text) == 1
            and abs(word.centre[1] - first.centre[1]) <= first.size[1] / 2
            and 0 <= left - word.box[2] <= NUMBER_REACH_MM
        ]
        if len(inside) == 1 and None not in inside:
            letters.append(inside.pop())
        elif len(before) == 1:
            letters.append(before[0])
        else:
            letters.append(None)
    return [letter if letter and letter.isalpha() else None for letter in letters]


def options_run_down(
    outlines: list[Outline], sizes: list[tuple[float, float]], words: tuple[Word, ...]
) -> bool:
    """Whether some bubbles carry their option letters row by row (A on one row, B on the
    next…): each question's options run down a column, which a template cannot say."""
    for group in _groups(outlines, sizes):
        letters = _row_letters(group, words)
        if len(group) >= 2 and None not in letters and len(set(letters)) == len(letters):
            return True
    return False


def digit_grids(
    outlines: list[Outline], sizes: list[tuple[float, float]], words: tuple[Word, ...]
) -> list[DigitGrid]:
    """The grids of bubbled digits (columns of 0–9 top to bottom) among the bubbles."""
    grids = []
    for group in _groups(outlines, sizes):
        if _digit_grid(group, words):
            centres = np.array([[o.centre for o in run] for run in group], np.float64)
            sizes_mm = np.array([o.size for run in group for o in run])
            grids.append(
                DigitGrid(
                    centres, (float(np.median(sizes_mm[:, 0])), float(np.median(sizes_mm[:, 1])))
                )
            )
    return grids


def _groups(outlines: list[Outline], sizes: list[tuple[float, float]]) -> list[list]:
    """Runs of bubbles of one size and length, one under the other at an even pitch."""
    runs = [
        run
        for size in sizes
        for row in _rows([o for o in outlines if of_size(o, sizes) == size])
        for run in _runs(row)
    ]
    columns: dict[tuple[int, int], list[list[Outline]]] = defaultdict(list)
    column = 0
    runs.sort(key=lambda run: run[0].centre[0])
    for index, run in enumerate(runs):
        if index and run[0].centre[0] - runs[index - 1][0].centre[0] > SAME_X_MM:
            column += 1
        columns[(len(run), column)].append(run)
    groups = []
    for column in columns.values():
        column.sort(key=lambda run: run[0].centre[1])
        ys = np.array([run[0].centre[1] for run in column])
        gaps = np.diff(ys)
        pitch = float(np.median(gaps)) if len(gaps) else 0.0
        breaks = np.flatnonzero(gaps > RUN_GAP * pitch) + 1 if len(gaps) else []
        groups += [list(part) for part in np.split(np.array(column, dtype=object), breaks)]
    return groups


def question_blocks(
    outlines: list[Outline], sizes: list[tuple[float, float]], words: tuple[Word, ...]
) -> list[Block]:
    """The blocks of questions that the bubbles of the given sizes make, numbered (grids
    of bubbled digits are no questions: :func:`digit_grids`)."""
    groups = _groups(outlines, sizes)
    groups = [group for group in groups if not _digit_grid(group, words)]
    numbers = [[_printed_number(list(run), words) for run in group] for group in groups]
    if any(None not in printed for printed in numbers):
        # Where questions carry printed numbers, bubbles in rows that carry none (an
        # example printed in the instructions) are no questions.
        kept = [g for g, printed in enumerate(numbers) if set(printed) != {None}]
        groups, numbers = [groups[g] for g in kept], [numbers[g] for g in kept]
    flat = sorted(n for group in numbers for n in group if n is not None)
    # Numbered by print when every question carries its own number, all in one series.
    by_print = len(flat) == sum(map(len, groups)) and flat == list(
        range(flat[0], flat[0] + len(flat)) if flat else []
    )
    if not by_print:
        order = _reading_order(groups)
        firsts = np.cumsum([1] + [len(groups[g]) for g in order])[:-1]
        parts = [(groups[g], int(first)) for g, first in zip(order, firsts, strict=True)]
    else:
        # A column's questions printed one after the other make a block; numbered
        # across the columns (1, 2, 3 on a row), each question is a block of its own.
        offset = flat[0] - 1
        parts = []
        for group, printed in zip(groups, numbers, strict=True):
            breaks = np.flatnonzero(np.diff(printed) != 1) + 1
            for start, end in zip([0, *breaks], [*breaks, len(group)], strict=True):
                parts.append((group[start:end], printed[start] - offset))
        parts.sort(key=lambda part: part[1])
    blocks = []
    for group, first in parts:
        centres = np.array([[o.centre for o in run] for run in group], np.float64)
        sizes = np.array([o.size for run in group for o in run])
        blocks.append(
            Block(
                first=first,
                last=first + len(group) - 1,
                options=_option_labels(list(group[0]), words),
                centres=centres,
                size=(float(np.median(sizes[:, 0])), float(np.median(sizes[:, 1]))),
                fill=float(np.median([o.fill for run in group for o in run])),
                numbered_by_print=by_print,
                printed_offset=offset if by_print else 0,
            )
        )
    return blocks


def _reading_order(groups: list[list]) -> list[int]:
    """Group indices band by band (groups whose rows overlap), then left to right."""
    spans = [
        (group[0][0].centre[1], group[-1][0].centre[1], group[0][0].centre[0]) for group in groups
    ]
    order = sorted(range(len(groups)), key=lambda g: spans[g][0])
    bands: list[list[int]] = []
    for g in order:
        top, bottom, _ = spans[g]
        if bands and top <= max(spans[h][1] for h in bands[-1]):
            bands[-1].append(g)
        else:
            bands.append([g])
    return [g for band in bands for g in sorted(band, key=lambda g: spans[g][2])]
