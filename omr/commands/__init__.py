"""Subcommands of the ``omr`` command line, one module each."""

from omr.commands import generate, geometry

COMMAND_MODULES = (generate, geometry)
