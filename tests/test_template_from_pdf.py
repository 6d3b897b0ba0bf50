"""``omr template from-pdf``: templates measured from blank forms' PDFs.

The national form's committed template was measured from its vector paths; measured from
the rendered page, every one of its 1000 ellipses must land within 0.2 mm. A form drawn
here (Letter paper, circles with their letter printed inside, three solid squares) shows
the command is not fitted to the national form.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from omr.cli.main import main
from omr.forms.from_pdf import measure_form
from omr.sheet.template import load_template

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms" / "rezidentiat-2025"
MAX_ERROR_MM = 0.2


def _centres(template) -> dict[tuple[int | None, str], np.ndarray]:
    return {(b.question, b.option): np.array(b.center_mm) for b in template.answer_bubbles()}


@pytest.mark.parametrize("form", ["med_A", "dent_C", "farm_D"])
def test_national_form_reproduces_the_committed_bubbles(tmp_path: Path, form: str) -> None:
    output = tmp_path / f"{form}.yaml"
    assert (
        main(["template", "from-pdf", str(FORMS / f"{form}.pdf"), "--page", "2", "-o", str(output)])
        == 0
    )
    measured = _centres(load_template(output))
    committed = _centres(load_template("rezidentiat-national-2025"))
    assert measured.keys() == committed.keys() and len(measured) == 1000
    error = max(np.abs(measured[key] - committed[key]).max() for key in committed)
    assert error < MAX_ERROR_MM
    text = output.read_text(encoding="utf-8")
    assert "numbered by the numbers printed before them" in text and "CHECK" in text
    assert not load_template(output).print.labels_inside


def _draw_form(path: Path) -> None:
    """A Letter form: 3 solid corner squares, 12 questions in 2 columns of 6, options
    A–D as 5 mm circles with their letter inside, numbers printed before each row."""
    width, height = 215.9, 279.4
    canvas = Canvas(str(path), pagesize=(width * mm, height * mm))
    for x, y in ((10, 10), (196, 10), (10, 260)):
        canvas.rect(x * mm, (height - y - 8) * mm, 8 * mm, 8 * mm, stroke=0, fill=1)
    canvas.setLineWidth(0.3 * mm)
    for column in range(2):
        for row in range(6):
            question = column * 6 + row + 1
            y = 60 + row * 9
            x0 = 40 + column * 90
            canvas.setFont("Helvetica", 9)
            canvas.drawRightString((x0 - 6) * mm, (height - y - 1.2) * mm, str(question))
            for option, letter in enumerate("ABCD"):
                x = x0 + option * 8
                canvas.circle(x * mm, (height - y) * mm, 2.5 * mm, stroke=1, fill=0)
                canvas.setFont("Helvetica", 7)
                canvas.drawCentredString(x * mm, (height - y - 1.2) * mm, letter)
    canvas.save()


def test_a_form_of_others_with_letters_inside(tmp_path: Path) -> None:
    pdf = tmp_path / "form.pdf"
    _draw_form(pdf)
    form = measure_form(pdf)
    assert form.data["page"] == {"size": "Letter", "orientation": "portrait"}
    assert len(form.data["registration"]["blocks"]) == 3
    blocks = form.data["question_blocks"]
    assert [(b["first"], b["last"], b["options"]) for b in blocks] == [
        (1, 6, ["A", "B", "C", "D"]),
        (7, 12, ["A", "B", "C", "D"]),
    ]
    assert blocks[1]["first_center_mm"] == pytest.approx([130, 60], abs=0.1)
    assert blocks[0]["option_pitch_mm"] == pytest.approx(8, abs=0.02)
    assert blocks[0]["row_pitch_mm"] == pytest.approx(9, abs=0.02)
    assert blocks[0]["bubble"] == {"shape": "circle", "size_mm": pytest.approx([5, 5], abs=0.1)}
    assert form.data["print"]["labels_inside"]


def test_a_page_without_bubbles_is_refused(tmp_path: Path, capsys) -> None:
    pdf = tmp_path / "blank.pdf"
    canvas = Canvas(str(pdf), pagesize=(210 * mm, 297 * mm))
    canvas.rect(20 * mm, 20 * mm, 8 * mm, 8 * mm, stroke=0, fill=1)
    canvas.save()
    assert main(["template", "from-pdf", str(pdf), "-o", str(tmp_path / "t.yaml")]) == 2
    assert "[form_bubbles_not_found]" in capsys.readouterr().err
    assert not (tmp_path / "t.yaml").exists()
