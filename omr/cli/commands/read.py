"""``omr read``: read scanned sheets to ``omr.reading/1`` JSON, overlays and crops."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
from rich.progress import Progress

from omr.cli.outputs import check_output_file, check_output_folder, write_output
from omr.reading.overlay import render_overlay
from omr.reading.pipeline import ReadOptions, SheetReading, read_files, readings_document
from omr.scoring.profiles import ink_of_template_profile
from omr.sheet.calibration import load_calibration
from omr.sheet.qr_identity import load_secret
from omr.sheet.template import SheetTemplate, load_template
from omr.vocabulary.errors import ExitCode, InputFileError
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import PageStatus


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("read", help="read scanned sheets")
    parser.add_argument("scans", nargs="+", type=Path, help="PNG, JPEG, TIFF or PDF files")
    parser.add_argument("--template", help="template file or id (default: from the sheet)")
    parser.add_argument("--json", dest="json_out", help="write the readings here ('-': stdout)")
    parser.add_argument("--overlay", type=Path, help="directory for overlay images and crops")
    parser.add_argument("--calibration", type=Path, help="scanner/ink calibration profile")
    parser.add_argument("--exam", help="expected exam code (sheets of another exam are rejected)")
    parser.add_argument(
        "--secret-file", help="exam secret to verify QR signatures (default: $OMR_EXAM_SECRET)"
    )
    parser.set_defaults(run=run)


def _save_images(reading: SheetReading, folder: Path, given: SheetTemplate | None) -> None:
    """The overlay and the handwritten crops of a page; ``given`` is the template the
    batch was read against (``--template``), else the page's shipped template."""
    started = time.perf_counter()
    stem = f"{Path(reading.source.path).stem}-p{reading.source.page}"
    overlay = render_overlay(reading)
    if overlay is not None:
        cv2.imwrite(str(folder / f"{stem}-overlay.png"), overlay)
    if reading.page is not None and reading.template is not None:
        template = given if given is not None else load_template(reading.template)
        for box in template.identification.handwritten:
            path = folder / f"{stem}-{box.name}.png"
            cv2.imwrite(str(path), reading.page.crop(box.box))
            reading.crops[box.name] = str(path)
    reading.timings_ms["overlay"] = (time.perf_counter() - started) * 1000


def _summary(reading: SheetReading) -> str:
    codes = ", ".join(reason.code for reason in reading.reasons)
    where = f"{reading.source.path} p.{reading.source.page}"
    return f"{where}: {reading.status}" + (f" ({codes})" if codes else "")


def run(args: argparse.Namespace) -> int:
    check_output_file(args.json_out)
    check_output_folder(args.overlay)
    for scan in args.scans:
        if not scan.exists():
            raise InputFileError(Reason.FILE_MISSING, error=f"{scan}: no such file")
    options = ReadOptions(
        template=load_template(args.template) if args.template else None,
        calibration=load_calibration(args.calibration),
        exam=args.exam,
        secret=load_secret(args.secret_file),
        required_ink=ink_of_template_profile,
    )
    if args.overlay:
        args.overlay.mkdir(parents=True, exist_ok=True)
    readings = []
    interactive = sys.stderr.isatty()
    with Progress(disable=not interactive, transient=True) as progress:
        task = progress.add_task("reading", total=len(args.scans))
        for reading in read_files(args.scans, options):
            if args.overlay:
                _save_images(reading, args.overlay, options.template)
            reading.page = None  # release the image: batches can be large
            readings.append(reading)
            progress.update(task, completed=len({r.source.path for r in readings}))
            progress.console.print(_summary(reading)) if interactive else print(
                _summary(reading), file=sys.stderr
            )
    document = json.dumps(readings_document(readings), ensure_ascii=False, indent=1)
    if args.json_out:
        write_output(document + "\n", args.json_out)
    # A page that needs review is the normal path (a person decides); a rejected one is not.
    any_rejected = any(reading.status == PageStatus.REJECTED for reading in readings)
    return ExitCode.failed_pages if any_rejected else ExitCode.ok
