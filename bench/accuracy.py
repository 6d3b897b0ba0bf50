"""Accuracy of the reader on a corpus with ground truth (``NAME.truth.json`` per image).

    python bench/accuracy.py fixtures/scans    # or fixtures/real: real scans, subsets by form

Prints, per subset and overall, the bubble-level confusion matrix over the four states,
the share of sheets read exactly and flagged for review, and how many silent errors it
holds: bubbles read with a definite state (anything but ``unclear``) that differs from
their truth, on any page that is not rejected; then the rejection reasons, the row of
X's over filled circles (read crossed, unclear, filled …) and every silent error, one a
line. Exits 1 when there is a silent error, an X over a filled circle read as something
definite other than crossed, or a page that had to be refused was not (for its reason).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The corpus's judge lives beside the simulator (fixtures/), not in the library.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from evaluation import NOT_READ, STATES, Tally, read_tally  # noqa: E402

SUBSETS = ("clean", "typical", "hard", "reject")


def _matrix(tally: Tally) -> str:
    confusion = tally.confusion()
    columns = (*STATES, NOT_READ)
    lines = ["  truth \\ read " + "".join(f"{c:>10}" for c in columns)]
    for want in STATES:
        counts = "".join(f"{confusion.get((want, got), 0):>10}" for got in columns)
        lines.append(f"  {want:<13}" + counts)
    return "\n".join(lines)


def _summary(name: str, tally: Tally) -> str:
    sheets = tally.sheets
    lines = [f"{name}: {len(tally.judgements)} pages"]
    if sheets:
        lines += [
            _matrix(tally),
            f"  bubble agreement {tally.agreement():.4%}; "
            f"sheets exact {tally.share(lambda j: j.exact):.1%}, "
            f"flagged for review {tally.share(lambda j: j.flagged):.1%}; "
            f"silent errors {len(tally.silent_errors())}",
        ]
    rejections = tally.rejections()
    if rejections:
        lines.append(
            "  rejected: " + ", ".join(f"{code} {n}" for code, n in sorted(rejections.items()))
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of images with NAME.truth.json")
    args = parser.parse_args(argv)
    tally = read_tally(args.corpus)
    present = [s for s in SUBSETS if tally.subset(s).judgements]
    others = sorted({j.truth.subset for j in tally.judgements} - set(SUBSETS))
    for subset in [*present, *others]:
        print(_summary(subset, tally.subset(subset)), end="\n\n")
    print(_summary("all", tally), end="\n\n")
    x_row = {got: n for (want, got), n in tally.confusion().items() if want == "crossed"}
    total = sum(x_row.values())
    print(
        "X over a filled circle: "
        + ", ".join(f"{got} {n}" for got, n in sorted(x_row.items()))
        + (f" ({x_row.get('crossed', 0) / total:.2%} crossed)" if total else "")
    )
    x_definite_wrong = sum(n for got, n in x_row.items() if got not in ("crossed", "unclear"))
    silent = tally.silent_errors()
    print(f"SILENT ERRORS: {len(silent)}")
    for image, (field, question, option, want, got) in silent:
        print(f"  {image}: {field} {question}{option} is {want}, read {got}")
    misrejected = tally.misrejected()
    for judgement in misrejected:
        print(
            f"  NOT REFUSED AS EXPECTED: {judgement.truth.image}: expected "
            f"{judgement.truth.expected['reason']}, got {judgement.status} {judgement.reasons}"
        )
    return 1 if silent or misrejected or x_definite_wrong else 0


if __name__ == "__main__":
    sys.exit(main())
