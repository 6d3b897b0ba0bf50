"""Input documents (keys, readings, results): one way to find, parse and refuse them."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from omr.scoring.profiles import validation_problem
from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

T = TypeVar("T")


def require_file(path: Path, *, missing: Reason) -> None:
    """Refuse a missing input file with ``missing`` (a reason naming its ``file``)."""
    if not path.is_file():
        raise InputFileError(missing, file=str(path))


def load_json_document(
    path: Path, adapter: TypeAdapter[T], *, missing: Reason, invalid: Reason
) -> T:
    """Parse and validate a JSON input file.

    Raises
    ------
    InputFileError
        ``missing`` for a missing file, ``invalid`` for bad JSON or a document of another
        shape (its ``problem`` names the first one).
    """
    require_file(path, missing=missing)
    try:
        return adapter.validate_json(path.read_bytes())
    except ValidationError as error:
        raise InputFileError(invalid, file=str(path), problem=validation_problem(error)) from None
