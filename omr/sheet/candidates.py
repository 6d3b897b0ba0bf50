"""Candidate lists (CSV): the candidates to pre-personalise sheets for, or to seat."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

REQUIRED_COLUMNS = ("number", "name")


@dataclass(frozen=True, slots=True)
class Candidate:
    number: str
    name: str
    room: str | None = None


def load_candidates(path: Path) -> list[Candidate]:
    """Read a candidates CSV with columns ``number``, ``name`` and optional ``room``.

    Raises
    ------
    InputFileError
        ``candidates_not_found``; ``candidates_invalid`` (not a UTF-8 CSV file),
        ``candidates_columns_missing``, ``candidate_row_invalid`` (an empty or non-digit
        number, an empty name), ``candidate_listed_twice`` (the message names the file,
        line and column).
    """
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            header = rows[0].keys() if rows else []
    except FileNotFoundError:
        raise InputFileError(Reason.CANDIDATES_NOT_FOUND, file=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputFileError(Reason.CANDIDATES_INVALID, file=str(path), error=str(error)) from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if not rows or missing:
        raise InputFileError(
            Reason.CANDIDATES_COLUMNS_MISSING,
            file=str(path),
            missing=", ".join(missing or REQUIRED_COLUMNS),
            required=", ".join(REQUIRED_COLUMNS),
        )
    candidates: list[Candidate] = []
    first_line: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        number = (row.get("number") or "").strip()
        name = (row.get("name") or "").strip()
        if not number.isdigit() or not name:
            raise InputFileError(Reason.CANDIDATE_ROW_INVALID, file=str(path), line=line)
        if number in first_line:
            raise InputFileError(
                Reason.CANDIDATE_LISTED_TWICE,
                file=str(path),
                line=line,
                number=number,
                first_line=first_line[number],
            )
        first_line[number] = line
        candidates.append(Candidate(number, name, (row.get("room") or "").strip() or None))
    return candidates
