"""``omr rank``: merge the results files of many rooms and rank the candidates."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from omr.cli.outputs import check_output_file, write_output
from omr.committee.ranking import rank_results
from omr.scoring.profiles import load_profile
from omr.scoring.results import dumps, load_results
from omr.vocabulary.errors import ExitCode, InputFileError
from omr.vocabulary.reasons import Reason


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rank", help="merge results files and rank the candidates")
    parser.add_argument("results", type=Path, nargs="+", help="results JSON of 'omr score'")
    parser.add_argument("--profile", help="exam profile id or YAML (default: the results')")
    parser.add_argument("--json", metavar="FILE|-", help="write the omr.ranking/1 JSON")
    parser.add_argument("--csv", metavar="FILE|-", help="write the ranking as CSV")
    parser.add_argument("--domain", help="rank this domain only (needed when results mix them)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if [args.json, args.csv].count("-") > 1:
        raise InputFileError(Reason.OUTPUT_CONFLICT)
    check_output_file(args.json)
    check_output_file(args.csv)
    files = [load_results(path) for path in args.results]
    named = sorted({score.profile for entries in files for score in entries})
    if args.profile is None and not named:
        raise InputFileError(Reason.RESULTS_EMPTY)
    profile = load_profile(args.profile or named[0])
    ranking = rank_results(files, profile, args.domain)
    if args.json:
        write_output(dumps(ranking.as_document()), args.json)
    if args.csv:
        write_output(ranking.csv(), args.csv)
    if "-" not in (args.json, args.csv):
        sys.stdout.write(ranking.csv())
    for entry in ranking.excluded:
        print(
            f"omr rank: not ranked ({entry.why}): candidate {entry.candidate or '?'}, "
            f"{entry.source.path}",
            file=sys.stderr,
        )
    if ranking.provisional:
        print(
            "omr rank: provisional: no national maximum nor pass result until every sheet "
            "is final and identified",
            file=sys.stderr,
        )
    return ExitCode.ok if not ranking.excluded else ExitCode.failed_pages
