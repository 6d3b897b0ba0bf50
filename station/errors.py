"""Refusals the station shows to a person: a stable reason, an HTTP status and a message."""

from __future__ import annotations


class StationError(Exception):
    """An action the station refuses; ``reason`` is stable, ``message`` is for a person."""

    def __init__(self, message: str, *, reason: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


def not_found(what: str) -> StationError:
    """The refusal for a missing (or hidden) record."""
    return StationError(f"{what} nu există", reason="not_found", status_code=404)


def forbidden(message: str) -> StationError:
    """The refusal for an action the user's role or room does not allow."""
    return StationError(message, reason="forbidden", status_code=403)
