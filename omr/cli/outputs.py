"""Where the ``omr`` commands write: checked before any work, written or refused with a reason.

A command checks every output it was given before it reads a page, so a mistyped folder
costs nothing; a write that fails anyway (a full disk, no permission) is refused with its
reason, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason


def check_output_file(destination: str | Path | None) -> None:
    """Refuse an output file that cannot be made: its folder missing (or a file), or
    itself a folder. ``None`` and ``-`` (stdout) pass.

    Raises
    ------
    InputFileError
        ``output_invalid``, ``output_is_folder``.
    """
    if destination is None or str(destination) == "-":
        return
    path = Path(destination)
    if not path.parent.is_dir():
        raise InputFileError(Reason.OUTPUT_INVALID, directory=str(path.parent))
    if path.is_dir():
        raise InputFileError(Reason.OUTPUT_IS_FOLDER, path=str(path))


def check_output_folder(destination: Path | None) -> None:
    """Refuse a folder to be made (with its parents) where a file stands in the way.

    Raises
    ------
    InputFileError
        ``output_invalid``.
    """
    if destination is None:
        return
    existing = next(folder for folder in (destination, *destination.parents) if folder.exists())
    if not existing.is_dir():
        raise InputFileError(Reason.OUTPUT_INVALID, directory=str(existing))


@contextmanager
def writing(destination: str | Path) -> Iterator[None]:
    """Refuse a failed write of ``destination`` with its reason.

    Raises
    ------
    InputFileError
        ``output_unwritable`` (a full disk, no permission).
    """
    try:
        yield
    except OSError as error:
        raise InputFileError(
            Reason.OUTPUT_UNWRITABLE, path=str(destination), error=error.strerror or str(error)
        ) from error


def write_output(text: str, destination: str | Path) -> None:
    """Write ``text`` to a file, or to stdout when ``destination`` is ``-`` (see
    :func:`writing` for a failed write)."""
    if str(destination) == "-":
        sys.stdout.write(text)
        return
    with writing(destination):
        Path(destination).write_text(text, encoding="utf-8")
