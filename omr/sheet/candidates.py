"""Candidate lists (CSV): the candidates to pre-personalise sheets for, or to seat."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from omr.vocabulary.errors import InputFileError

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
        ``candidates_invalid`` for a missing file or column, an empty or non-digit
        number, or a number listed twice (the message names the file, line and column).
    """
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            header = rows[0].keys() if rows else []
    except FileNotFoundError:
        raise InputFileError(
            f"{path}: no such candidates file", reason="candidates_invalid"
        ) from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputFileError(
            f"{path}: not a UTF-8 CSV file ({error})", reason="candidates_invalid"
        ) from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if not rows or missing:
        raise InputFileError(
            f"{path}: column(s) {', '.join(missing or REQUIRED_COLUMNS)} missing; the header "
            f"must name {', '.join(REQUIRED_COLUMNS)} (and optionally room)",
            reason="candidates_invalid",
        )
    candidates: list[Candidate] = []
    first_line: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        number = (row.get("number") or "").strip()
        name = (row.get("name") or "").strip()
        if not number.isdigit() or not name:
            raise InputFileError(
                f"{path}, line {line}: column number must be digits and name non-empty",
                reason="candidates_invalid",
            )
        if number in first_line:
            raise InputFileError(
                f"{path}, line {line}: column number: candidate {number} is listed twice "
                f"(first on line {first_line[number]})",
                reason="candidates_invalid",
            )
        first_line[number] = line
        candidates.append(Candidate(number, name, (row.get("room") or "").strip() or None))
    return candidates
