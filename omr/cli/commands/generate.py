"""``omr generate``: print answer sheets as a vector PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from omr.cli.outputs import check_output_file, writing
from omr.printing.answer_sheets import SheetToPrint, write_sheets_pdf
from omr.sheet.candidates import load_candidates
from omr.sheet.qr_identity import load_secret, make_identity
from omr.sheet.template import SheetTemplate, load_template
from omr.vocabulary.errors import ExitCode, InputFileError
from omr.vocabulary.reasons import Reason

# reportlab holds a document's pages until it is saved, about 125 KB a sheet: 2000 sheets
# are 250 MB and 80 s; a larger run is printed as several files.
MAX_SHEETS = 2000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="render printable answer sheets (PDF)")
    parser.add_argument("template", help="template YAML path or shipped template id")
    parser.add_argument("-o", "--output", required=True, type=Path, help="PDF file to write")
    how_many = parser.add_mutually_exclusive_group()
    how_many.add_argument("--count", type=int, default=None, help="number of blank sheets")
    how_many.add_argument(
        "--candidates",
        type=Path,
        help="CSV (number,name[,room]): one pre-personalised sheet per candidate",
    )
    parser.add_argument("--variant", help="grid type printed in the QR (A–D)")
    parser.add_argument("--exam", default="EXAM", help="exam code printed in the QR")
    parser.add_argument("--serial-start", type=int, default=1, help="first sheet serial")
    parser.add_argument(
        "--secret-file",
        help="exam secret for the QR's HMAC tag (default: $OMR_EXAM_SECRET; none: unsigned)",
    )
    parser.set_defaults(run=run)


def _check_variant(template: SheetTemplate, variant: str | None) -> None:
    if variant is None:
        return
    allowed = template.variant.options if template.variant else []
    if variant not in allowed:
        raise InputFileError(
            Reason.VARIANT_INVALID,
            variant=variant,
            template=template.id,
            options=", ".join(allowed) if allowed else "—",
        )


def _check_count(option: str, count: int) -> None:
    if count > MAX_SHEETS:
        raise InputFileError(Reason.COUNT_TOO_LARGE, option=option, count=count, limit=MAX_SHEETS)


def run(args: argparse.Namespace) -> int:
    check_output_file(args.output)
    template = load_template(args.template)
    _check_variant(template, args.variant)
    if args.count is not None and args.count < 1:
        raise InputFileError(Reason.COUNT_INVALID, option="--count", minimum=1)
    _check_count("--count", args.count or 1)
    if args.serial_start < 0:
        raise InputFileError(Reason.COUNT_INVALID, option="--serial-start", minimum=0)
    secret = load_secret(args.secret_file)
    if args.candidates is not None:
        people: list[tuple[str | None, str | None]] = [
            (candidate.number, candidate.name) for candidate in load_candidates(args.candidates)
        ]
        _check_count("--candidates", len(people))
    else:
        people = [(None, None)] * (args.count or 1)
    sheets = [
        SheetToPrint(
            make_identity(
                template=template.id,
                template_version=template.version,
                exam=args.exam,
                serial=args.serial_start + index,
                variant=args.variant,
                candidate=number,
                secret=secret,
            ),
            candidate_name=name,
        )
        for index, (number, name) in enumerate(people)
    ]
    with writing(args.output):
        write_sheets_pdf(template, sheets, args.output)
    print(f"wrote {len(sheets)} sheet(s) of {template.id} to {args.output}")
    return ExitCode.ok
