"""Registration marks of forms printed by others: L-shaped corner marks and timing
tracks, found by ``from-pdf`` on a blank form and by the reader on its scans, printed
black, light or halftoned, under a shadow, turned and skewed."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from printed_support import marks_restyled
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from scansim.sheets import render_form, turn

from omr.forms.from_pdf import measure_form
from omr.forms.writing import write_template
from omr.reading.channels import ScanChannels
from omr.reading.pipeline import ReadOptions, SheetReading, read_files
from omr.reading.registration.blocks import register_by_blocks
from omr.sheet.corner_marks import l_vertex
from omr.sheet.template import SheetTemplate
from omr.sheet.timing_tracks import find_tracks

WIDTH, HEIGHT, DPI = 210.0, 297.0, 200
PX_PER_MM = DPI / 25.4
# The marks' boxes (x, y, size) in mm from the top-left, and the corner the L's bars
# meet at (None: a solid square).
ISSUE_MARKS = [(10, 10, 8, None), (192, 10, 8, None), (10, 279, 8, None), (190, 277, 10, 2)]
FOUR_LS = [(8, 8, 10, 0), (192, 8, 10, 1), (192, 279, 10, 2), (8, 279, 10, 3)]
# Two squares at the top and a timing track down each side: 40 bars of 5 × 1.5 mm,
# 6 mm apart, from 30 mm down.
TRACKED = [(10, 10, 8, None), (192, 10, 8, None)]
BAR, PITCH, BARS = (5.0, 1.5), 6.0, 40
LAYOUTS = {"three squares and an L": ISSUE_MARKS, "four Ls": FOUR_LS, "two tracks": TRACKED}
ARM_MM, QUESTIONS, OPTIONS = 2.5, 12, "ABCD"
FILLED = {q: q % 4 for q in range(1, QUESTIONS + 1)}


def _bubble_mm(question: int, option: int) -> tuple[float, float]:
    return (60 + option * 9, 60 + (question - 1) * 8)


def _draw(path: Path, marks: list, tracks_x: tuple[float, ...] | None = None) -> None:
    """A one-page form: ``marks``, timing tracks at ``tracks_x`` (mm; TRACKED's: down
    each side), a title, 12 numbered questions of 4 circles, each with its letter inside
    (as the issue's form prints them)."""
    canvas = Canvas(str(path), pagesize=(WIDTH * mm, HEIGHT * mm))

    def rect(x: float, y: float, w: float, h: float) -> None:
        canvas.rect(x * mm, (HEIGHT - y - h) * mm, w * mm, h * mm, stroke=0, fill=1)

    for x, y, size, vertex in marks:
        if vertex is None:
            rect(x, y, size, size)
            continue
        top = vertex in (0, 1)
        left = vertex in (0, 3)
        rect(x, y if top else y + size - ARM_MM, size, ARM_MM)
        rect(x if left else x + size - ARM_MM, y, ARM_MM, size)
    if tracks_x is None:
        tracks_x = (8, WIDTH - 8 - BAR[0]) if marks is TRACKED else ()
    for x in tracks_x:
        for n in range(BARS):
            rect(x, 30 + n * PITCH, *BAR)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(40 * mm, (HEIGHT - 30) * mm, "ANSWER SHEET")
    canvas.setLineWidth(0.3 * mm)
    for question in range(1, QUESTIONS + 1):
        y = _bubble_mm(question, 0)[1]
        canvas.setFont("Helvetica", 9)
        canvas.drawRightString(52 * mm, (HEIGHT - y - 1.2) * mm, str(question))
        for option, letter in enumerate(OPTIONS):
            x = _bubble_mm(question, option)[0]
            canvas.circle(x * mm, (HEIGHT - y) * mm, 2.5 * mm, stroke=1, fill=0)
            canvas.setFont("Helvetica", 7)
            canvas.drawCentredString(x * mm, (HEIGHT - y - 1.2) * mm, letter)
    canvas.save()


@pytest.fixture(scope="module", params=list(LAYOUTS))
def form(request, tmp_path_factory) -> tuple[SheetTemplate, np.ndarray]:
    """The template ``from-pdf`` measures, and the blank form rendered (gray)."""
    folder = tmp_path_factory.mktemp("corners")
    pdf = folder / "form.pdf"
    _draw(pdf, LAYOUTS[request.param])
    measured = measure_form(pdf)
    template = write_template(measured.data, measured.notes, folder / "form.yaml")
    gray = cv2.cvtColor(render_form(pdf, 1, DPI), cv2.COLOR_BGR2GRAY)
    return template, gray


def test_l_shapes_are_told_from_squares_rings_and_letters() -> None:
    ell = np.zeros((40, 50), bool)
    ell[:10], ell[:, :8] = True, True
    assert [l_vertex(np.rot90(ell, -k)) for k in range(4)] == [0, 1, 2, 3]
    ring = np.zeros((40, 40), np.uint8)
    cv2.circle(ring, (20, 20), 18, 1, 3)
    assert l_vertex(np.ones((40, 40), bool)) is None and l_vertex(ring > 0) is None


def test_from_pdf_finds_the_marks(form) -> None:
    template, _ = form
    blocks = template.registration.blocks
    corners = [b for b in blocks if b.shape == "corner"]
    tracks = [b for b in blocks if b.shape == "track"]
    assert (len(blocks), len(corners), len(tracks)) in ((4, 1, 0), (4, 4, 0), (4, 0, 2))
    assert template.print.labels_inside
    for block in corners:
        assert max(block.size_mm) == pytest.approx(10, abs=0.3)
    for track in tracks:
        assert track.bars == BARS and track.bar_mm == pytest.approx(BAR, abs=0.1)
        assert track.size_mm[1] == pytest.approx((BARS - 1) * PITCH + BAR[1], abs=0.2)


def test_a_track_is_its_bars_on_their_pitch() -> None:
    # 12 bars 6 mm apart, the sixth missed; a dash like them printed half-way between
    # the eighth and ninth; a square beside the track.
    centres = np.array([(0.0, 6.0 * n) for n in range(12) if n != 5] + [(0.5, 45.0), (50.0, 3.0)])
    sizes = np.array([(5.0, 1.5)] * 12 + [(5.0, 5.0)])
    ((run, count, _),) = find_tracks(centres, sizes)
    assert count == 12 and list(run) == list(range(11))
    assert find_tracks(centres[:4], sizes[:4]) == []


def test_a_long_track_measured_to_an_eighth_of_a_millimetre_is_whole() -> None:
    # 52 bars 5.03 mm apart, their centres measured to 1/8 mm: the gaps read 5, 5.06 or
    # 5.12 mm, their median 5; counted on it, the last bar would lie 1.5 mm (0.3 of a
    # pitch) off its place. A dash past its end, 3 mm off its line, is no bar of it.
    centres = np.round(np.array([(200.0, 15.0 + 5.03 * n) for n in range(52)]) * 8) / 8
    centres = np.vstack([centres, (203.0, 15.0 + 5.03 * 52)])
    sizes = np.array([(4.5, 1.75)] * 53)
    sizes[-1] = (4.0, 1.75)
    ((run, count, _),) = find_tracks(centres, sizes)
    assert count == 52 and list(run) == list(range(52))


def _filled(gray: np.ndarray) -> np.ndarray:
    page = np.array(gray)
    for question, option in FILLED.items():
        x, y = (int(round(v * PX_PER_MM)) for v in _bubble_mm(question, option))
        cv2.circle(page, (x, y), int(2.3 * PX_PER_MM), 40, -1, cv2.LINE_AA)
    return page


@pytest.mark.parametrize("style", ["black", "light", "halftone", "shadow"])
def test_a_scan_registers_on_its_marks(form, style: str, tmp_path: Path) -> None:
    template, gray = form
    scan = turn(marks_restyled(_filled(gray), template, style, PX_PER_MM), 2, 2.0)
    path = tmp_path / "scan.png"
    cv2.imwrite(str(path), scan)
    (reading,) = read_files([path], ReadOptions(template=template))
    assert reading.registration and reading.registration["marks_found"] >= 3, reading.reasons
    states = {(b["question"], b["option"]): b["state"] for b in reading.bubbles}
    assert states == {
        (q, letter): "filled" if FILLED[q] == o else "blank"
        for q in range(1, QUESTIONS + 1)
        for o, letter in enumerate(OPTIONS)
    }


def test_a_track_broken_where_bars_were_lost_is_one_track() -> None:
    # 40 bars 6 mm apart with bars 10–12 and 25–28 lost: three pieces on one lattice.
    lost = {10, 11, 12, 25, 26, 27, 28}
    centres = np.array([(8.0, 30.0 + PITCH * n) for n in range(BARS) if n not in lost])
    sizes = np.array([BAR] * len(centres))
    ((run, count, pitch),) = find_tracks(centres, sizes)
    assert count == BARS and len(run) == BARS - len(lost) and pitch == pytest.approx(PITCH)


def test_a_track_that_lost_bars_at_its_end_and_inside_registers(tmp_path: Path) -> None:
    # The left track's first bar and the right track's 10th to 13th are not printed
    # (a coarse scan loses thin bars): the tracks' ends are fitted through the rest.
    pdf = tmp_path / "form.pdf"
    _draw(pdf, TRACKED)
    measured = measure_form(pdf)
    template = write_template(measured.data, measured.notes, tmp_path / "form.yaml")
    page = _filled(cv2.cvtColor(render_form(pdf, 1, DPI), cv2.COLOR_BGR2GRAY))
    for x, first, last in ((8.0, 0, 0), (WIDTH - 8 - BAR[0], 9, 12)):
        rows = slice(
            int((30 + first * PITCH - 0.5) * PX_PER_MM), int((32 + last * PITCH) * PX_PER_MM)
        )
        page[rows, int((x - 0.5) * PX_PER_MM) : int((x + BAR[0] + 0.5) * PX_PER_MM)] = 255
    path = tmp_path / "scan.png"
    cv2.imwrite(str(path), turn(page, 2, 2.0))
    (reading,) = read_files([path], ReadOptions(template=template))
    assert reading.registration and reading.registration["marks_found"] == 4, reading.reasons
    states = {(b["question"], b["option"]): b["state"] for b in reading.bubbles}
    assert states == {
        (q, letter): "filled" if FILLED[q] == o else "blank"
        for q in range(1, QUESTIONS + 1)
        for o, letter in enumerate(OPTIONS)
    }


def _read_with_first_bar_lost(tmp_path: Path, squares: list) -> SheetReading:
    """A form of ``squares`` and one track down the right edge, filled, its track's first
    bar not printed, scanned turned 2° and read."""
    pdf = tmp_path / "form.pdf"
    _draw(pdf, squares, (WIDTH - 8 - BAR[0],))
    measured = measure_form(pdf)
    template = write_template(measured.data, measured.notes, tmp_path / "form.yaml")
    page = _filled(cv2.cvtColor(render_form(pdf, 1, DPI), cv2.COLOR_BGR2GRAY))
    rows = slice(int(29.5 * PX_PER_MM), int(32 * PX_PER_MM))
    page[rows, int((WIDTH - 8.5 - BAR[0]) * PX_PER_MM) : int((WIDTH - 7.5) * PX_PER_MM)] = 255
    path = tmp_path / "scan.png"
    cv2.imwrite(str(path), turn(page, 2, 2.0))
    (reading,) = read_files([path], ReadOptions(template=template))
    return reading


def test_a_track_whose_lost_end_bar_the_marks_cannot_place_is_no_mark(tmp_path: Path) -> None:
    # Two 3 mm squares down the left edge, one track down the right, its first bar not
    # printed: the squares are too small and too close to one edge to tell which end of
    # the track lost its bar. The page is refused (the track no mark found), or read
    # right; never read a pitch off.
    reading = _read_with_first_bar_lost(tmp_path, [(10, 10, 3, None), (10, 284, 3, None)])
    if reading.reasons and not reading.bubbles:
        assert reading.reasons[0].code == "registration_marks_not_found"
        return
    states = {(b["question"], b["option"]): b["state"] for b in reading.bubbles}
    assert states == {
        (q, letter): "filled" if FILLED[q] == o else "blank"
        for q in range(1, QUESTIONS + 1)
        for o, letter in enumerate(OPTIONS)
    }


def test_a_track_end_the_marks_leave_uncertain_is_placed_by_the_outlines(tmp_path: Path) -> None:
    # The track's first bar not printed, and two squares down the left edge, level with
    # its ends: the marks fit the track either way (0.2 mm), a pitch's shear of the page
    # at its edge apart. Only one placing puts the printed outlines where they are (the
    # other leaves them 1.5–2.4 mm off and, fitted on them, a track end 6 mm off).
    reading = _read_with_first_bar_lost(tmp_path, [(10, 30, 3, None), (10, 262, 3, None)])
    assert reading.registration and reading.registration["marks_found"] == 3, reading.reasons
    assert reading.registration["outlines"] > 0
    states = {(b["question"], b["option"]): b["state"] for b in reading.bubbles}
    assert states == {
        (q, letter): "filled" if FILLED[q] == o else "blank"
        for q in range(1, QUESTIONS + 1)
        for o, letter in enumerate(OPTIONS)
    }


def test_a_coarse_scan_registers_on_a_mark_five_pixels_wide(tmp_path: Path) -> None:
    # Three squares, one 2.5 mm wide, scanned at 52 dpi: 5 px (a 73 dpi scan shows a
    # 2.25 mm square so); all three are needed for the page.
    pdf = tmp_path / "form.pdf"
    _draw(pdf, [(10, 10, 8, None), (192, 10, 8, None), (10, 279, 2.5, None)])
    measured = measure_form(pdf)
    template = write_template(measured.data, measured.notes, tmp_path / "form.yaml")
    page = _filled(cv2.cvtColor(render_form(pdf, 1, DPI), cv2.COLOR_BGR2GRAY))
    coarse = cv2.resize(page, None, fx=52 / DPI, fy=52 / DPI, interpolation=cv2.INTER_AREA)
    registered = register_by_blocks(ScanChannels(coarse), template)
    assert registered and registered.marks_found == 3, registered
