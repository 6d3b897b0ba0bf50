"""Candidate lists (CSV): the candidates to pre-personalise sheets for, or to seat."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Problem, Reason

REQUIRED_COLUMNS = ("number", "name")


@dataclass(frozen=True, slots=True)
class Candidate:
    number: str
    name: str
    room: str | None = None


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """One line of a candidates CSV: the candidate it names and the ``problem`` that
    refuses the line (None when the line is taken)."""

    line: int
    candidate: Candidate
    problem: Problem | None


def read_candidates(data: bytes, file: str) -> list[CandidateRow]:
    """Every line of a candidates CSV (columns ``number``, ``name``, optional ``room``),
    each with the problem that refuses it: an empty or non-digit number, an empty name
    (``candidate_row_invalid``), a number listed before (``candidate_listed_twice``).

    Raises
    ------
    InputFileError
        ``candidates_invalid`` (not a UTF-8 CSV file), ``candidates_columns_missing``:
        the whole file is refused.
    """
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputFileError(Reason.CANDIDATES_INVALID, file=file, error=str(error)) from None
    header = rows[0].keys() if rows else []
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if not rows or missing:
        raise InputFileError(
            Reason.CANDIDATES_COLUMNS_MISSING,
            file=file,
            missing=", ".join(missing or REQUIRED_COLUMNS),
            required=", ".join(REQUIRED_COLUMNS),
        )
    first_line: dict[str, int] = {}
    lines = []
    for line, row in enumerate(rows, start=2):
        number = (row.get("number") or "").strip()
        name = (row.get("name") or "").strip()
        problem = None
        if not number.isdigit() or not name:
            problem = Problem(Reason.CANDIDATE_ROW_INVALID, file=file, line=line)
        elif number in first_line:
            problem = Problem(
                Reason.CANDIDATE_LISTED_TWICE,
                file=file,
                line=line,
                number=number,
                first_line=first_line[number],
            )
        first_line.setdefault(number, line)
        candidate = Candidate(number, name, (row.get("room") or "").strip() or None)
        lines.append(CandidateRow(line, candidate, problem))
    return lines


def load_candidates(path: Path) -> list[Candidate]:
    """The candidates of a CSV file, refused whole at its first bad line.

    Raises
    ------
    InputFileError
        ``candidates_not_found``, and the reasons of :func:`read_candidates` (the message
        names the file, line and column).
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputFileError(Reason.CANDIDATES_NOT_FOUND, file=str(path)) from None
    rows = read_candidates(data, str(path))
    refused = next((row.problem for row in rows if row.problem is not None), None)
    if refused is not None:
        raise InputFileError(refused.code, **refused.details)
    return [row.candidate for row in rows]
