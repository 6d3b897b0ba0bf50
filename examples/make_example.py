"""Regenerate the bundled example: three filled specialization sheets and their key.

Run from the repository root: ``python examples/make_example.py``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))

from scansim.sheets import cross, fill, render_sheet, turn  # noqa: E402

from omr.sheet.template import load_template  # noqa: E402

HERE = Path(__file__).resolve().parent / "specializare"
EXAM = "SPEC-2026-RAD"


def main() -> None:
    template = load_template("specializare-asistenti")
    rng = random.Random(2026)
    key = {str(q): rng.choice("abc") for q in range(1, 21)}
    key |= {str(q): "".join(sorted(rng.sample("abc", 2))) for q in range(21, 51)}
    (HERE / "key.json").write_text(
        json.dumps(
            {"schema": "omr.key/1", "profile": "specializare-asistenti", "variants": {"A": key}},
            indent=1,
        )
        + "\n"
    )
    for serial, number, skill in ((1, "00101", 0.9), (2, "00102", 0.6), (3, "00103", 0.75)):
        image = render_sheet(template, 200, serial=serial, variant="A", exam=EXAM)
        for position, digit in enumerate(number, start=1):
            fill(image, template, position, digit, field="candidate_number")
        answers = {}
        for question, correct in key.items():
            chosen = correct if rng.random() < skill else rng.choice(["a", "b", "c", "ab", "bc"])
            answers[question] = chosen[: 1 if int(question) <= 20 else 2]
            for option in answers[question]:
                fill(image, template, int(question), option)
        if serial == 2:
            fill(image, template, 7, "c")
            cross(image, template, 7, "c")  # the candidate cancelled an answer
        if serial == 3:
            untouched = next(o for o in "abc" if o not in answers["45"])
            fill(image, template, 45, untouched, coverage=0.4)  # a half fill: a doubt to resolve
        scan = turn(image, 2 if serial == 3 else 0, 4.0 if serial == 3 else -1.5)
        cv2.imwrite(str(HERE / f"sheet-{serial:03d}.jpg"), scan, [cv2.IMWRITE_JPEG_QUALITY, 85])


if __name__ == "__main__":
    main()
