"""``from-omrchecker --image``: bubble blocks fitted to the outlines printed on the scan,
and the letters printed inside the bubbles taken off before ink is measured."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from omr.forms.from_omrchecker import convert_template
from omr.forms.writing import write_template
from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.template import SheetTemplate

# OMRChecker's frame is the whole 1700 × 2200 px scan: Letter paper, 0.127 mm a pixel.
SIZE_PX, MM_PER_PX = (1700, 2200), 215.9 / 1700
ORIGIN, BUBBLES_GAP, LABELS_GAP, QUESTIONS = (300, 700), 80, 60, 20
# Where the form really prints its bubbles: OMRChecker's box is 30 px from the corner
# at ORIGIN, but the circles lie 9 px right and 7 px up of its centre, their rows 1.5 %
# further apart, and they are 28 px across (with a black outline and a letter inside).
SHIFT_PX, TRUE_LABELS_GAP, RADIUS_PX = (9, -7), 60.9, 14


def _centre(question: int, option: int) -> tuple[float, float]:
    return (
        ORIGIN[0] + 15 + SHIFT_PX[0] + option * BUBBLES_GAP,
        ORIGIN[1] + 15 + SHIFT_PX[1] + (question - 1) * TRUE_LABELS_GAP,
    )


def _form(filled: dict[int, int]) -> np.ndarray:
    """The printed form (a colour scan), ``filled`` question → option inked."""
    page = np.full((SIZE_PX[1], SIZE_PX[0], 3), 255, np.uint8)
    for corner in ((60, 60), (1600, 60), (60, 2100), (1600, 2100)):
        cv2.rectangle(
            page, (corner[0] - 20, corner[1] - 20), (corner[0] + 20, corner[1] + 20), 0, -1
        )
    cv2.putText(page, "ANSWER SHEET", (200, 250), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 4)
    for question in range(1, QUESTIONS + 1):
        for option, letter in enumerate("ABCD"):
            x, y = (int(round(v)) for v in _centre(question, option))
            cv2.circle(page, (x, y), RADIUS_PX, (0, 0, 0), 2, cv2.LINE_AA)
            cv2.putText(page, letter, (x - 7, y + 7), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2)
            if filled.get(question) == option:
                cv2.circle(page, (x, y), RADIUS_PX + 1, (120, 40, 20), -1, cv2.LINE_AA)
    return cv2.GaussianBlur(page, (3, 3), 0)


FILLED = {q: (q * 7) % 4 for q in range(1, QUESTIONS + 1) if q % 5}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SheetTemplate:
    folder = tmp_path_factory.mktemp("checker")
    document = {
        "pageDimensions": list(SIZE_PX),
        "bubbleDimensions": [30, 30],
        "fieldBlocks": {
            "Mcq": {
                "fieldType": "QTYPE_MCQ4",
                "origin": list(ORIGIN),
                "fieldLabels": [f"q1..{QUESTIONS}"],
                "bubblesGap": BUBBLES_GAP,
                "labelsGap": LABELS_GAP,
            }
        },
    }
    (folder / "template.json").write_text(json.dumps(document))
    cv2.imwrite(str(folder / "scan.png"), _form(FILLED))
    form = convert_template(folder / "template.json", [folder / "scan.png"])
    return write_template(form.data, form.notes, folder / "t.yaml")


def test_blocks_are_fitted_to_the_printed_outlines(template: SheetTemplate) -> None:
    (block,) = template.question_blocks
    assert np.allclose(block.first_center_mm, np.array(_centre(1, 0)) * MM_PER_PX, atol=0.15)
    assert block.row_pitch_mm == pytest.approx(TRUE_LABELS_GAP * MM_PER_PX, abs=0.02)
    assert block.option_pitch_mm == pytest.approx(BUBBLES_GAP * MM_PER_PX, abs=0.02)
    assert block.bubble.size_mm[0] == pytest.approx(2 * RADIUS_PX * MM_PER_PX, abs=0.4)
    assert template.print.labels_inside and not template.print.drops_out


@pytest.mark.parametrize("filled", [FILLED, {}], ids=["marked", "blank"])
def test_letters_printed_inside_are_not_ink(
    template: SheetTemplate, filled: dict[int, int], tmp_path: Path
) -> None:
    scan = tmp_path / "page.png"
    cv2.imwrite(str(scan), _form(filled))
    (reading,) = read_files([scan], ReadOptions(template=template))
    states = {(b["question"], b["option"]): b["state"] for b in reading.bubbles}
    expected = {
        (q, letter): "filled" if filled.get(q) == o else "blank"
        for q in range(1, QUESTIONS + 1)
        for o, letter in enumerate("ABCD")
    }
    assert reading.status == "ok" and states == expected
