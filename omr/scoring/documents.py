"""Input documents (keys, readings, results): one way to find, parse and refuse them."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from omr.scoring.profiles import validation_problem
from omr.vocabulary.errors import InputFileError

T = TypeVar("T")


def require_file(path: Path, *, what: str, reason: str) -> None:
    """Refuse a missing input file with ``{reason}_not_found``."""
    if not path.is_file():
        raise InputFileError(f"no {what} file {path}", reason=f"{reason}_not_found")


def load_json_document(path: Path, adapter: TypeAdapter[T], *, what: str, reason: str) -> T:
    """Parse and validate a JSON input file.

    Raises
    ------
    InputFileError
        ``{reason}_not_found`` for a missing file, ``{reason}_invalid`` for bad JSON or a
        document of another shape (the message names the first problem).
    """
    require_file(path, what=what, reason=reason)
    try:
        return adapter.validate_json(path.read_bytes())
    except ValidationError as error:
        raise InputFileError(
            f"{path}: not a {what} document: {validation_problem(error)}",
            reason=f"{reason}_invalid",
        ) from None
