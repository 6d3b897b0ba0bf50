"""``omr score``: score an ``omr.reading/1`` file with a key; optionally diff two keys."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

from omr.cli.outputs import check_output_file, write_output
from omr.scoring.keys import check_succession, load_key
from omr.scoring.results import SheetScore, dumps, results_json, scores_csv
from omr.scoring.score import ScoreChange, diff_scores, load_readings, score_readings
from omr.vocabulary.errors import ExitCode, InputFileError
from omr.vocabulary.reasons import Reason


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score readings with an answer key")
    parser.add_argument("readings", type=Path, help="the omr.reading/1 JSON of 'omr read'")
    parser.add_argument("--key", type=Path, required=True, help="omr.key/1 JSON or CSV key")
    parser.add_argument("--profile", help="exam profile id or YAML (default: the key's)")
    parser.add_argument("--json", metavar="FILE|-", help="write the results JSON")
    parser.add_argument("--csv", metavar="FILE|-", help="write one CSV row per sheet")
    parser.add_argument(
        "--previous-key", type=Path, metavar="KEY", help="the key version --key supersedes"
    )
    parser.add_argument(
        "--diff", metavar="FILE|-", help="with --previous-key: write the changes as JSON"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outputs = [args.json, args.csv, args.diff]
    if outputs.count("-") > 1:
        raise InputFileError(Reason.OUTPUT_CONFLICT)
    if args.diff and not args.previous_key:
        raise InputFileError(Reason.DIFF_WITHOUT_PREVIOUS_KEY)
    for output in outputs:
        check_output_file(output)
    key, profile = load_key(args.key, args.profile)
    pages = load_readings(args.readings)
    scores = score_readings(pages, key, profile)
    if args.json:
        write_output(results_json(scores), args.json)
    if args.csv:
        write_output(scores_csv(scores), args.csv)
    changes = None
    if args.previous_key:
        old_key, _ = load_key(args.previous_key, profile.id)
        check_succession(old_key, key)
        changes = diff_scores(score_readings(pages, old_key, profile), scores)
        if args.diff:
            document = {
                "schema": "omr.diff/1",
                "old_key": old_key.digest,
                "new_key": key.digest,
                "changes": [change.model_dump(mode="json") for change in changes],
            }
            write_output(dumps(document), args.diff)
    if "-" not in outputs:
        print(_summary(scores, changes))
    # A pending sheet is the normal path (a person decides); a rejected reading is not.
    any_rejected = any(score.status == "rejected" for score in scores)
    return ExitCode.failed_pages if any_rejected else ExitCode.ok


def _shown(total: Decimal | None) -> str:
    return "—" if total is None else str(total)


def _summary(scores: list[SheetScore], changes: list[ScoreChange] | None) -> str:
    lines = [f"{'candidate':<10} {'variant':<7} {'status':<8} {'total':>8} {'max':>8}  source"]
    for score in scores:
        lines.append(
            f"{score.candidate or '?':<10} {score.variant or '-':<7} {score.status:<8} "
            f"{_shown(score.total):>8} {score.max!s:>8}  {score.source.path}"
        )
        if score.pending:
            bubbles = ", ".join(f"{b.question}{b.option}" for b in score.pending)
            lines.append(f"{'':<10} undecided bubbles: {bubbles}")
    if changes is not None:
        changed = [change for change in changes if change.changed]
        lines.append(f"\n{len(changed)} of {len(changes)} sheet(s) changed with the new key")
        for change in changed:
            lines.append(
                f"{change.candidate or '?':<10} {_shown(change.old_total)} → "
                f"{_shown(change.new_total)} "
                f"(max {change.old_max} → {change.new_max}); questions "
                + ", ".join(str(q.question) for q in change.questions)
            )
    return "\n".join(lines)
