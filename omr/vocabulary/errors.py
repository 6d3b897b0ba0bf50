"""Failures with stable reason codes and exit codes.

Every failure the station can meet carries a snake_case ``reason`` (stored by the
station, asserted by tests), an ``exit_code`` for the CLI and a message a room head
understands. Library code raises these; the CLI boundary maps them to exit codes.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the ``omr`` command."""

    ok = 0
    failed_pages = 1  # the command ran, but some pages were rejected or need review
    bad_input = 2  # a bad argument, template, key, profile or input file
    internal_error = 15


class OmrError(Exception):
    """Base failure: a reason code, an exit code and a human-readable message."""

    reason: str = "error"
    exit_code: ExitCode = ExitCode.bad_input

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason

    def __str__(self) -> str:
        return self.message


class TemplateError(OmrError):
    """A sheet template that cannot be loaded or is inconsistent."""

    reason = "template_invalid"


class InputFileError(OmrError):
    """An input file (candidates CSV, key, readings) that is missing or malformed."""

    reason = "input_invalid"


class ScanError(OmrError):
    """A scanned page that cannot be read; the page is rejected with ``reason``."""

    reason = "scan_unreadable"
    exit_code = ExitCode.failed_pages


class ScoringError(OmrError):
    """A key, profile or reading that cannot be scored together."""

    reason = "scoring_invalid"
