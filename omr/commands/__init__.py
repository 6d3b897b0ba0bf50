"""Subcommands of the ``omr`` command line, one module each."""

from omr.commands import generate, geometry, items, rank, score

COMMAND_MODULES = (generate, geometry, score, rank, items)
