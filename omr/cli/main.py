"""The ``omr`` command line: one subcommand per module in ``omr.cli.commands``.

Each command module exposes ``add_parser(subparsers)``, which registers its parser
and sets ``run`` (a function of the parsed arguments returning an exit code). This
module is the single boundary where :class:`omr.vocabulary.errors.OmrError` becomes a message on
stderr and an exit code.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from omr.cli.commands import COMMAND_MODULES
from omr.process_memory import reuse_large_buffers
from omr.vocabulary.errors import ExitCode, OmrError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every ``omr`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="omr", description="Print, read and score exam answer sheets."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``omr`` subcommand and return its exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    reuse_large_buffers()  # the command reads pages one after another: reuse their memory
    try:
        return int(args.run(args))
    except OmrError as error:
        print(f"omr {args.command}: error [{error.reason}]: {error.message}", file=sys.stderr)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print("omr: interrupted", file=sys.stderr)
        return int(ExitCode.internal_error)
    except BrokenPipeError:  # the reader of our output went away (`omr reasons | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.ok)


if __name__ == "__main__":
    sys.exit(main())
