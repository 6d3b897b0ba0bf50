"""``omr geometry``: export a template's geometry as ``omr.geometry/1`` JSON."""

from __future__ import annotations

import argparse
import json
import sys

from omr.sheet.geometry import template_geometry
from omr.sheet.template import load_template
from omr.vocabulary.errors import ExitCode


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("geometry", help="export a template's bubble geometry")
    parser.add_argument("template", help="template YAML path or shipped template id")
    parser.add_argument(
        "--json",
        action="store_true",
        default=True,
        help="write JSON to standard output (the only format)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    geometry = template_geometry(load_template(args.template))
    json.dump(geometry, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return ExitCode.ok
