"""Refusals the station shows to a person: a registered reason, an HTTP status and a message.

The station's refusals are shown to Romanian room heads and committee members, so a
refusal's ``message`` is the Romanian message of its :class:`~omr.vocabulary.reasons.Reason`.
"""

from __future__ import annotations

from typing import Any

from omr.vocabulary.reasons import Language, Problem, Reason


class StationError(Exception):
    """An action the station refuses; ``reason`` is stable, ``message`` is for a person."""

    def __init__(self, code: Reason, /, *, status_code: int = 400, **details: Any) -> None:
        self._set(Problem(code, **details), status_code, "ro")

    def _set(self, problem: Problem, status_code: int, language: Language) -> None:
        self.problem = problem
        self.status_code = status_code
        self.message = problem.message_ro if language == "ro" else problem.message
        Exception.__init__(self, self.message)

    @classmethod
    def from_problem(
        cls, problem: Problem, *, status_code: int = 400, language: Language = "ro"
    ) -> StationError:
        """The refusal of a library problem (an ``OmrError``'s ``problem``)."""
        error = cls.__new__(cls)
        error._set(problem, status_code, language)
        return error

    @classmethod
    def recorded(cls, code: str, message: str, *, status_code: int = 400) -> StationError:
        """A refusal recorded earlier, with its stored (Romanian) message."""
        error = cls.__new__(cls)
        error._set(Problem.from_dict({"code": code}), status_code, "ro")
        error.message = message
        Exception.__init__(error, message)
        return error

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
