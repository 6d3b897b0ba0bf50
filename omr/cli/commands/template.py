"""``omr template from-pdf`` and ``from-omrchecker``: a template of a form printed by others.

It writes a validated template YAML whose comments say what was found and what a person
should check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from omr.cli.outputs import check_output_file
from omr.forms.from_omrchecker import convert_template
from omr.forms.from_pdf import MeasuredForm, measure_form
from omr.forms.writing import write_template
from omr.vocabulary.errors import ExitCode


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("template", help="make a template from another's form")
    kinds = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
    pdf = kinds.add_parser("from-pdf", help="measure a blank form's PDF")
    pdf.add_argument("pdf", type=Path, help="the blank form (PDF)")
    pdf.add_argument("--page", type=int, default=1, help="the page to measure (from 1)")
    pdf.add_argument("-o", "--output", type=Path, required=True, help="template YAML to write")
    pdf.set_defaults(run=run_from_pdf)
    checker = kinds.add_parser("from-omrchecker", help="convert OMRChecker's template.json")
    checker.add_argument("json", type=Path, help="OMRChecker's template.json")
    checker.add_argument(
        "--image",
        type=Path,
        action="append",
        default=[],
        help="a scan of the form, to measure its marks and bubbles on (the first given); "
        "orientation boxes are printed on every one given",
    )
    checker.add_argument("-o", "--output", type=Path, required=True, help="template YAML to write")
    checker.set_defaults(run=run_from_omrchecker)


def run_from_pdf(args: argparse.Namespace) -> int:
    check_output_file(str(args.output))
    return _write(measure_form(args.pdf, args.page), args.output)


def run_from_omrchecker(args: argparse.Namespace) -> int:
    check_output_file(str(args.output))
    return _write(convert_template(args.json, args.image), args.output)


def _write(form: MeasuredForm, output: Path) -> int:
    template = write_template(form.data, form.notes, output)
    count = len(template.all_bubbles)
    print(f"{output}: {count} bubbles; check the comments at its top", file=sys.stderr)
    return ExitCode.ok
