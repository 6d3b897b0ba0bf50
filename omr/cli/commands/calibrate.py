"""``omr calibrate``: print the calibration sheet, or derive a profile from its scan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from omr.cli.outputs import check_output_file, write_output
from omr.printing.calibration_sheet import write_calibration_sheet
from omr.reading.calibrate import CalibrationError, calibrate_from_image
from omr.reading.ingest import load_pages
from omr.vocabulary.errors import ExitCode, InputFileError
from omr.vocabulary.reasons import Reason


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibrate", help="print the calibration sheet, or make a scanner profile from its scan"
    )
    parser.add_argument("scan", nargs="?", type=Path, help="scan of the calibration sheet")
    parser.add_argument(
        "--print",
        dest="print_sheet",
        action="store_true",
        help="write the printable calibration sheet to -o instead",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        help="the profile (YAML) to write, or the PDF with --print",
    )
    parser.add_argument("--name", default="scanner", help="a name for the profile")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_output_file(args.output)
    if args.print_sheet:
        write_calibration_sheet(args.output)
        print(f"wrote the calibration sheet to {args.output}")
        return ExitCode.ok
    if args.scan is None:
        raise InputFileError(Reason.SCAN_MISSING)
    page = next(iter(load_pages(args.scan)))
    if not page:
        raise CalibrationError(page.problem.code, **page.problem.details)
    result = calibrate_from_image(page.image, name=args.name)
    for warning in result.warnings:  # told whether the profile is written or not
        print(f"omr calibrate: warning [{warning.code}]: {warning.message}", file=sys.stderr)
    if result.mismatches:
        listed = "\n  ".join(result.mismatches[:20])
        count = len(result.mismatches)
        raise CalibrationError(
            Reason.CALIBRATION_FAILED,
            detail_ro=f"{count} bule de referință sunt citite greșit cu profilul obținut; "
            "profilul nu a fost scris",
            detail_en=f"{count} reference bubble(s) read wrong with the derived profile; "
            f"no profile written:\n  {listed}",
        )
    profile = result.calibration.model_dump(by_alias=True)
    write_output(yaml.safe_dump(profile, sort_keys=False, allow_unicode=True), args.output)
    print(f"wrote profile {args.name} to {args.output}:", file=sys.stderr)
    print(yaml.safe_dump(profile, sort_keys=False), end="")
    return ExitCode.ok
