"""``omr reasons``: list every reason code with its severity and messages."""

from __future__ import annotations

import argparse
import json
import sys

from omr.vocabulary.errors import ExitCode
from omr.vocabulary.reasons import registry


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reasons", help="list every reason code with its severity and messages"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="write the registry as JSON (code, severity, message_ro, message_en)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    entries = registry()
    if args.json:
        json.dump(entries, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return ExitCode.ok
    code_width = max(len(entry["code"]) for entry in entries)
    severity_width = max(len(entry["severity"]) for entry in entries)
    for entry in entries:
        print(
            f"{entry['code']:<{code_width}}  {entry['severity']:<{severity_width}}  "
            f"{entry['message_en']}"
        )
    return ExitCode.ok
