"""Failures with stable reason codes and exit codes.

Every failure carries a registered :class:`~omr.vocabulary.reasons.Reason` with its
details (stored by the station, asserted by tests, shown in Romanian to people and in
English by the CLI) and an ``exit_code``. Library code raises these; the CLI boundary
maps them to exit codes.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from omr.vocabulary.reasons import Problem, Reason


class ExitCode(IntEnum):
    """Process exit codes of the ``omr`` command."""

    ok = 0
    failed_pages = 1  # the command ran, but some pages were rejected or need review
    bad_input = 2  # a bad argument, template, key, profile or input file
    internal_error = 15


class OmrError(Exception):
    """Base failure: a registered reason with its details, and an exit code."""

    exit_code: ExitCode = ExitCode.bad_input

    def __init__(self, code: Reason, /, **details: Any) -> None:
        self.problem = Problem(code, **details)
        super().__init__(self.problem.message)

    @property
    def reason(self) -> Reason:
        return self.problem.code

    @property
    def message(self) -> str:
        """The English message (the CLI, logs)."""
        return self.problem.message

    def __str__(self) -> str:
        return self.message


class TemplateError(OmrError):
    """A sheet template that cannot be loaded or is inconsistent."""


class InputFileError(OmrError):
    """An input file (candidates CSV, key, readings) that is missing or malformed."""


class ScanError(OmrError):
    """A scanned page that cannot be read; the page is rejected with ``reason``."""

    exit_code = ExitCode.failed_pages


class ScoringError(OmrError):
    """A key, profile or reading that cannot be scored together."""
