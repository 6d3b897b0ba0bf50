"""Refusals the station shows to a person: a registered reason, an HTTP status and a message.

The station's refusals are shown to Romanian room heads and committee members, so a
refusal's ``message`` is the Romanian message of its :class:`~omr.vocabulary.reasons.Reason`.
"""

from __future__ import annotations

import errno
from typing import Any

from omr.vocabulary.reasons import Language, Problem, Reason


class StationError(Exception):
    """An action the station refuses; ``reason`` is stable, ``message`` is for a person.

    Made from a registered reason and its details, or from a library problem (an
    ``OmrError``'s ``problem``). ``message`` is the Romanian message unless
    ``language`` says otherwise.
    """

    def __init__(
        self,
        reason: Reason | Problem,
        /,
        *,
        status_code: int = 400,
        language: Language = "ro",
        **details: Any,
    ) -> None:
        self.problem = reason if isinstance(reason, Problem) else Problem(reason, **details)
        self.status_code = status_code
        self.message = self.problem.message_ro if language == "ro" else self.problem.message
        super().__init__(self.message)

    @property
    def reason(self) -> Reason:
        return self.problem.code

    def __str__(self) -> str:
        return self.message


def not_found(what: str) -> StationError:
    """The refusal for a missing (or hidden) record."""
    return StationError(Reason.NOT_FOUND, status_code=404, what=what)


def forbidden(why: str) -> StationError:
    """The refusal for an action the user's role or room does not allow."""
    return StationError(Reason.FORBIDDEN, status_code=403, why=why)


# A disk that is full, over its quota, read-only or failing.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
_DISK_FULL_SQLSTATE = "53100"  # PostgreSQL's disk_full


def storage_failure(error: OSError) -> StationError:
    """The refusal for a write the station's disk could not take (full, or failing)."""
    return StationError(
        Reason.STORAGE_FULL, status_code=507, error=error.strerror or type(error).__name__
    )


def disk_failure(error: Exception) -> StationError | None:
    """The refusal for an error that says the disk (or the database's) is full or failing;
    None for any other error."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, OSError) and cause.errno in _DISK_ERRNOS:
        return storage_failure(cause)
    text = str(cause).splitlines()[0] if str(cause) else ""
    if "disk is full" in text or getattr(cause, "sqlstate", None) == _DISK_FULL_SQLSTATE:
        return storage_failure(OSError(errno.ENOSPC, text))
    return None
