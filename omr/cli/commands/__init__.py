"""Subcommands of the ``omr`` command line, one module each."""

from omr.cli.commands import (
    calibrate,
    generate,
    geometry,
    items,
    rank,
    read,
    reasons,
    score,
    template,
)

COMMAND_MODULES = (generate, geometry, read, calibrate, score, rank, items, reasons, template)
