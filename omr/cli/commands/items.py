"""``omr items``: item analysis of a results file, with plots, for the committee."""

from __future__ import annotations

import argparse
from pathlib import Path

from omr.cli.outputs import check_output_folder, write_output
from omr.committee.item_analysis import analyse_items, items_csv, plot_items
from omr.scoring.results import dumps, load_results
from omr.vocabulary.errors import ExitCode


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("items", help="item analysis of a results file")
    parser.add_argument("results", type=Path, help="results JSON of 'omr score'")
    parser.add_argument("--out", type=Path, required=True, help="folder for the report")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_output_folder(args.out)
    scores = load_results(args.results)
    stats = analyse_items(scores)
    args.out.mkdir(parents=True, exist_ok=True)
    write_output(dumps([item.model_dump(mode="json") for item in stats]), args.out / "items.json")
    write_output(items_csv(stats), args.out / "items.csv")
    totals = [float(score.total) for score in scores if score.total is not None]
    plots = plot_items(stats, totals, args.out)
    flagged = [item for item in stats if item.flag]
    print(f"{len(stats)} items from {len(totals)} final sheets; {len(plots)} plots in {args.out}")
    for item in flagged:
        print(f"item {item.item}: {item.flag}")
    return ExitCode.ok
