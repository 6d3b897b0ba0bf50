"""The blank page's look of the labels printed inside bubbles (``print.looks_inside``):
written by ``omr template from-pdf``, validated, and used by the reader where a page's
own blank bubbles of a label are too few to show their print."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml
from scansim.sheets import render_form, turn
from test_from_pdf_generality import DPI, KINDS, Drawn, Kind, _draw

from omr.cli.main import main
from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.print_look import darkness_of
from omr.sheet.template import SheetTemplate, load_template
from omr.vocabulary.states import MarkState

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "umarfarootaps"
# Five questions and a candidate number of four digits, letters and digits printed inside.
FORM = Kind(id_digits=4, columns=1, rows=5, labels="inside")
# Four questions answered B and one C; the number 1112: three of the four bubbles of
# label '1' and of label 'B' inked, fewer than a quarter of them blank.
ANSWERS = {(1, "B"), (2, "B"), (3, "B"), (4, "B"), (5, "C")}
NUMBER = "1112"
PEN_BGR = (30, 40, 60)  # a blue-black ballpoint's reflectance, of 255


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> tuple[Path, Drawn, SheetTemplate, Path]:
    folder = tmp_path_factory.mktemp("looks")
    pdf = folder / "form.pdf"
    drawn = _draw(FORM, pdf)
    output = folder / "form.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 0
    return pdf, drawn, load_template(output), output


def _scan(
    pdf: Path, drawn: Drawn, share: float, path: Path, answers: set = ANSWERS, number: str = NUMBER
) -> None:
    """The form rendered, ``answers`` and ``number`` inked in discs ``share`` of their
    bubble across (the pen darkens the print under it, which still shows), turned 2°,
    blurred, JPEG."""
    image = render_form(pdf, 1, DPI).astype(np.float32)
    scale = DPI / 25.4
    places = [drawn.answers[key] for key in answers]
    places += [drawn.ids[(column, digit)] for column, digit in enumerate(number)]
    pen = np.ones(image.shape[:2], np.uint8)
    for x, y in places:
        radius = int(drawn.size[0] * share * scale / 2)
        cv2.circle(pen, (round(x * scale), round(y * scale)), radius, 0, -1)
    inked = np.where(pen[..., None] == 0, np.array(PEN_BGR, np.float32) / 255, 1.0)
    page = turn(np.clip(image * inked, 0, 255).astype(np.uint8), 2, 1.0)
    cv2.imwrite(str(path), cv2.GaussianBlur(page, (0, 0), 0.8), [cv2.IMWRITE_JPEG_QUALITY, 85])


def test_from_pdf_stores_each_labels_look(form) -> None:
    _, _, template, output = form
    looks = template.print.looks_inside
    assert looks is not None and looks.px_per_mm == 10
    assert {look.label for look in looks.looks} == set("ABCD0123456789")
    for look in looks.looks:
        darkness = darkness_of(look.darkness)
        assert darkness.shape == (51, 51)
        # Its outline on the box's edge, its label printed at the centre.
        assert darkness[25, :3].max() > 0.8 and darkness[15:35, 15:35].max() > 0.8
    assert "darkness: |\n" in output.read_text()


@pytest.mark.parametrize("share", [1.0, 0.6], ids=["whole", "short_of_the_rim"])
def test_a_label_inked_in_most_of_its_bubbles_is_read(form, tmp_path: Path, share: float) -> None:
    # Measured on the page alone, the print of labels 'B' and '1' was taken for what
    # three quarters of their bubbles hold: the candidate's ink. Fills 3 mm across
    # (short of the interior's rim) were then taken off as print and read blank,
    # certain; whole fills left the blank B's letter, read unclear.
    pdf, drawn, template, _ = form
    scan = tmp_path / "scan.jpg"
    _scan(pdf, drawn, share, scan)
    (reading,) = read_files([scan], ReadOptions(template=template))
    assert reading.status != "rejected", reading.reasons
    inked = {(str(q), o) for q, o in ANSWERS}
    inked |= {(str(column + 1), digit) for column, digit in enumerate(NUMBER)}
    wrong = {}
    for bubble in reading.bubbles:
        want = MarkState.FILLED if (str(bubble["question"]), bubble["option"]) in inked else None
        state = bubble["state"]
        if (want is None and state != MarkState.BLANK) or (
            want is not None and state not in (MarkState.FILLED, MarkState.UNCLEAR)
        ):
            wrong[(bubble["field"], bubble["question"], bubble["option"])] = state
    assert not wrong, wrong
    if share == 1.0:
        assert reading.status == "ok" and reading.candidate == NUMBER, reading.reasons


def test_a_form_alike_turned_stores_its_looks(tmp_path: Path) -> None:
    # Four bullseyes: the orientation boxes are found before the looks are measured.
    # Every question answered A, fills 3 mm across: before, all twenty read blank on a
    # page read ok.
    pdf = tmp_path / "form.pdf"
    drawn = _draw(KINDS["bullseyes"], pdf)
    output = tmp_path / "form.yaml"
    assert main(["template", "from-pdf", str(pdf), "-o", str(output)]) == 0
    template = load_template(output)
    assert template.print.looks_inside is not None
    answered = {(question, "A") for question, _ in drawn.answers}
    scan = tmp_path / "scan.jpg"
    _scan(pdf, drawn, 0.6, scan, answered, "")
    (reading,) = read_files([scan], ReadOptions(template=template))
    states = {(b["question"], b["option"]): b["state"] for b in reading.bubbles}
    assert all(states[key] != MarkState.BLANK for key in answered)
    assert all(states[key] == MarkState.BLANK for key in set(drawn.answers) - answered)


def _every_question_inked(label: str, out: Path) -> set:
    """A real scan's blank with every question's ``label`` pasted from the scan's own
    fills of that label (the nearest, each moved onto its place); the keys pasted."""
    template = load_template(REAL / "template.yaml")
    truth = json.loads((REAL / "scan-type-2.truth.json").read_text())
    filled = {(q, o) for f, q, o, state in truth["expected"]["bubbles"] if state == "filled"}
    (reading,) = read_files([REAL / "scan-type-2.jpg"], ReadOptions(template=template))
    bubbles = [b for b in template.answer_bubbles() if b.option == label]
    mm = np.array([b.center_mm for b in bubbles])
    centres = reading.page.source_points(mm * reading.page.px_per_mm)
    px_per_mm = np.linalg.norm(centres[0] - centres[-1]) / np.linalg.norm(mm[0] - mm[-1])
    donors = [i for i, b in enumerate(bubbles) if (b.question, label) in filled]
    source = cv2.imread(str(REAL / "scan-type-2.jpg"))
    image = cv2.imread(str(REAL / "blank-from-scan-type-2.jpg"))
    for index, bubble in enumerate(bubbles):
        donor = min(donors, key=lambda j: np.linalg.norm(centres[j] - centres[index]))
        half = int(np.ceil(max(bubble.size_mm) * 1.1 * px_per_mm / 2))
        x, y = np.rint(centres[index]).astype(int)
        corner = centres[donor] + (x, y) - centres[index] - half
        moved = np.array([[1.0, 0.0, corner[0]], [0.0, 1.0, corner[1]]])
        size = (2 * half + 1, 2 * half + 1)
        patch = cv2.warpAffine(source, moved, size, flags=cv2.WARP_INVERSE_MAP)
        image[y - half : y + half + 1, x - half : x + half + 1] = patch
    cv2.imwrite(str(out), image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return {(bubble.question, label) for bubble in bubbles}


def test_a_real_scan_with_every_question_answered_alike(tmp_path: Path) -> None:
    # A 200-question sheet scanned at 95 dpi, every question answered D with the
    # candidate's own real fills: read on the page alone, 51 of those fills were unclear
    # and one crossed; with the looks its template measured on the scans, 11 unclear.
    scan = tmp_path / "all-d.jpg"
    inked = _every_question_inked("D", scan)
    (reading,) = read_files([scan], ReadOptions(template=load_template(REAL / "template.yaml")))
    assert reading.status != "rejected", reading.reasons
    wrong = {
        (b["question"], b["option"]): b["state"]
        for b in reading.bubbles
        if b["field"] == "answers"
        and b["state"]
        not in (
            (MarkState.FILLED, MarkState.UNCLEAR)
            if (b["question"], b["option"]) in inked
            else (MarkState.BLANK,)
        )
    }
    assert not wrong, wrong


def _with_looks(output: Path, change) -> dict:
    data = yaml.safe_load(output.read_text())
    change(data["print"])
    return data


def test_a_look_must_fit_its_bubble_and_its_label(form) -> None:
    *_, output = form

    def cut_row(spec: dict) -> None:
        look = spec["looks_inside"]["looks"][0]
        look["darkness"] = "\n".join(look["darkness"].split()[1:])

    def no_labels(spec: dict) -> None:
        spec["labels_inside"] = False

    def unknown_label(spec: dict) -> None:
        spec["looks_inside"]["looks"][0]["label"] = "Z"

    def unknown_level(spec: dict) -> None:
        look = spec["looks_inside"]["looks"][0]
        look["darkness"] = look["darkness"].replace(".", "x", 1)

    for change, message in (
        (cut_row, "50 rows"),
        (no_labels, "set labels_inside"),
        (unknown_label, "prints 'Z'"),
        (unknown_level, "not 'x'"),
    ):
        with pytest.raises(ValueError, match=message):
            SheetTemplate.model_validate(_with_looks(output, change))
