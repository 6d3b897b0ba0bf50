"""The reader on synthetic sheets: exact marks whatever the turn, scale and colour."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
from scansim.sheets import BLACK_BGR, cross, fill, render_sheet, turn

from omr.reading.ingest import PageImage, SourceRef
from omr.reading.pipeline import ReadOptions, SheetReading, read_page
from omr.scoring.profiles import ink_of_template_profile
from omr.vocabulary.states import PageStatus

MARKS = {
    ("1", "b"): "filled",
    ("2", "a"): "filled",
    ("20", "c"): "filled",
    ("21", "a"): "filled",
    ("21", "c"): "filled",
    ("22", "b"): "crossed",
    ("50", "b"): "filled",
}


OK, NEEDS_REVIEW, REJECTED = PageStatus.OK, PageStatus.NEEDS_REVIEW, PageStatus.REJECTED


def _expected(template) -> dict[str, dict[str, str]]:
    answers: dict[str, dict[str, str]] = {}
    for bubble in template.answer_bubbles():
        key = (str(bubble.question), bubble.option)
        answers.setdefault(key[0], {})[bubble.option] = MARKS.get(key, "blank")
    return answers


def _mark(image: np.ndarray, template, dpi: int, colour=None) -> np.ndarray:
    kwargs = {"dpi": dpi} | ({"colour": colour} if colour else {})
    for (question, option), state in MARKS.items():
        fill(image, template, int(question), option, **kwargs)
        if state == "crossed":
            cross(image, template, int(question), option, **kwargs)
    for position, digit in enumerate("04217", start=1):
        fill(image, template, position, digit, field="candidate_number", **kwargs)
    return image


@pytest.fixture(scope="module")
def filled_sheets(specializare) -> dict[int, np.ndarray]:
    return {
        dpi: _mark(render_sheet(specializare, dpi, variant="A", serial=7), specializare, dpi)
        for dpi in (150, 200, 300)
    }


def _read(image: np.ndarray, template=None, **options) -> SheetReading:
    candidates = [template] if template is not None else []
    from omr.sheet.template import load_template, shipped_template_ids

    if not candidates:
        candidates = [load_template(name) for name in shipped_template_ids()]
    return read_page(
        PageImage(SourceRef("scan.png", 1, ""), image, None),
        ReadOptions(template=template, required_ink=ink_of_template_profile, **options),
        candidates,
    )


@pytest.mark.parametrize("dpi", [150, 200, 300])
@pytest.mark.parametrize(("turns", "skew"), [(0, 0.0), (1, 15.0), (2, -8.0), (3, -15.0)])
@pytest.mark.parametrize("gray", [False, True])
def test_reads_exact_marks_in_any_orientation(
    filled_sheets, specializare, dpi, turns, skew, gray
) -> None:
    image = turn(filled_sheets[dpi], turns, skew)
    if gray:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    reading = _read(image)
    assert reading.template == "specializare-asistenti"
    assert reading.answers == _expected(specializare)
    assert reading.status == OK, reading.reasons
    assert (reading.candidate, reading.variant, reading.serial) == ("04217", "A", 7)
    assert reading.registration["rotation"] == (360 - 90 * turns) % 360
    assert reading.registration["reprojection_error_mm"] < 0.5


def test_x_over_filled_is_crossed_and_x_over_empty_is_unclear(specializare) -> None:
    image = render_sheet(specializare, 200)
    fill(image, specializare, 5, "a")
    cross(image, specializare, 5, "a")
    cross(image, specializare, 6, "b")
    reading = _read(image, specializare)
    assert reading.answers["5"] == {"a": "crossed", "b": "blank", "c": "blank"}
    assert reading.answers["6"]["b"] == "unclear"
    assert reading.status == NEEDS_REVIEW
    assert [reason.code for reason in reading.reasons] == ["bubbles_unclear"]
    (unclear,) = [b for b in reading.bubbles if b["state"] == "unclear"]
    assert unclear["unclear"] == ["x_over_empty"]


@pytest.mark.parametrize(("coverage", "expected"), [(0.35, "unclear"), (0.85, "filled")])
def test_partial_fill(specializare, coverage, expected) -> None:
    image = render_sheet(specializare, 200)
    fill(image, specializare, 30, "c", coverage=coverage)
    assert _read(image, specializare).answers["30"]["c"] == expected


def test_black_ink_on_blue_exam_is_a_warning(specializare) -> None:
    image = _mark(render_sheet(specializare, 200), specializare, 200, colour=BLACK_BGR)
    reading = _read(image, specializare)
    assert reading.status == OK
    assert "ink_colour" in [warning.code for warning in reading.warnings]


@pytest.mark.parametrize(
    ("dpi", "shrunk", "told"),
    [(100, 1.0, 100), (120, 1.0, 120), (150, 1.0, None), (150, 0.92, None), (300, 1.0, None)],
)
def test_a_scan_coarser_than_150_dpi_is_told(specializare, dpi, shrunk, told) -> None:
    """A scanner set coarser than the 150 dpi the stroke levels are derived at is told, with
    the resolution measured on the page; a 150 dpi scan of a page a printer shrank to fit
    its margins (by 8 %) is not, nor a finer one. The page is read all the same."""
    image = _mark(render_sheet(specializare, dpi, variant="A", serial=7), specializare, dpi)
    if shrunk != 1.0:
        small = cv2.resize(image, None, fx=shrunk, fy=shrunk, interpolation=cv2.INTER_AREA)
        image = np.full_like(image, 255)
        image[: small.shape[0], : small.shape[1]] = small
    reading = _read(image, specializare)
    coarse = [w for w in reading.warnings if w.code == "scan_coarse"]
    assert reading.status == OK
    assert [w.details["dpi"] for w in coarse] == ([] if told is None else [told])


@pytest.mark.parametrize(("blur_px", "told"), [(0.0, None), (1.0, None), (2.5, 0.32)])
def test_a_soft_scan_is_told(filled_sheets, specializare, blur_px, told) -> None:
    """A scan that blurs its print past the spread at which a pen's thinnest line keeps half
    its darkness (σ 0.22 mm) is told, with the blur measured on its markers; a sharp one,
    or one a pixel soft, is not. The page is read all the same, and its reading records
    the blur measured."""
    image = filled_sheets[200]
    if blur_px:
        image = cv2.GaussianBlur(image, (0, 0), blur_px)
    reading = _read(image, specializare)
    soft = [w.details["blur_mm"] for w in reading.warnings if w.code == "scan_soft"]
    assert reading.status == OK
    assert soft == ([] if told is None else [pytest.approx(told, abs=0.02)])
    # The blur measured is recorded, told or not (the sharp render's own: under a pixel).
    blur_mm = reading.registration["blur_mm"]
    if blur_px:
        assert blur_mm == pytest.approx(blur_px * 25.4 / 200, abs=0.02)
    else:
        assert 0 < blur_mm < 25.4 / 200


def test_grayscale_says_ink_not_checked(filled_sheets, specializare) -> None:
    gray = cv2.cvtColor(filled_sheets[200], cv2.COLOR_BGR2GRAY)
    assert "ink_not_checked" in [w.code for w in _read(gray, specializare).warnings]


def test_stray_mark_in_the_margin_is_a_warning(specializare) -> None:
    image = render_sheet(specializare, 200)
    cv2.circle(image, (1500, 1800), 30, (160, 60, 20), -1)  # ink beside the answer grid
    reading = _read(image, specializare)
    assert "stray_mark" in [warning.code for warning in reading.warnings]
    assert reading.status == OK


@pytest.mark.parametrize("dpi", [150, 200])
@pytest.mark.parametrize(
    ("mark", "size_mm", "warned"),
    [("line", 3.0, True), ("blot", 2.0, True), ("line", 1.0, False), ("blot", 1.0, False)],
)
def test_a_stray_mark_is_the_size_of_a_fill(specializare, dpi, mark, size_mm, warned) -> None:
    """A pen line 3 mm long or a 2 mm blot beside the grid is worth a room head's look
    (its ink grown by half a millimetre covers 6 mm²); a 1 mm speck or slip is not."""
    image = render_sheet(specializare, dpi)
    px_per_mm = dpi / 25.4
    x, y = round(190 * px_per_mm), round(229 * px_per_mm)  # right of the answer grid
    if mark == "line":
        end = (round(x + size_mm * px_per_mm), y)
        cv2.line(image, (x, y), end, (160, 60, 20), round(0.5 * px_per_mm))  # a 0.5 mm pen
    else:
        cv2.circle(image, (x, y), round(size_mm / 2 * px_per_mm), (160, 60, 20), -1)
    warnings = [warning.code for warning in _read(image, specializare).warnings]
    assert ("stray_mark" in warnings) is warned


def test_another_template_is_rejected(rezidentiat, specializare) -> None:
    image = render_sheet(rezidentiat, 150)
    reading = _read(image, specializare)
    assert reading.status == REJECTED
    assert reading.reasons[0].code == "wrong_template"


def test_wrong_exam_and_forged_signature(specializare) -> None:
    image = render_sheet(specializare, 200, exam="SPEC-2025", secret=b"s1")
    wrong_exam = _read(image, specializare, exam="SPEC-2026")
    assert wrong_exam.status == REJECTED and wrong_exam.reasons[0].code == "qr_wrong_exam"
    forged = _read(image, specializare, secret=b"another secret")
    assert forged.status == REJECTED and forged.reasons[0].code == "qr_bad_signature"
    genuine = _read(image, specializare, secret=b"s1", exam="SPEC-2025")
    assert genuine.status == OK


def test_variant_conflict_needs_review(specializare) -> None:
    image = render_sheet(specializare, 200, variant="A")
    fill(image, specializare, None, "C", field="variant")
    reading = _read(image, specializare)
    assert "variant_conflict" in [reason.code for reason in reading.reasons]
    assert reading.status == NEEDS_REVIEW


def _hide_markers(image: np.ndarray, template, indices, dpi: int = 200) -> np.ndarray:
    """A copy with the markers ``indices`` and their quiet zones painted paper white."""
    hidden = image.copy()
    registration = template.registration
    for index in indices:
        box = registration.marker_box(registration.markers[index])
        pad = registration.quiet_zone_mm
        grown = type(box)(
            origin_mm=(box.origin_mm[0] - pad, box.origin_mm[1] - pad),
            size_mm=(box.size_mm[0] + 2 * pad, box.size_mm[1] + 2 * pad),
        )
        rows, columns = _box_px(grown, dpi)
        hidden[rows, columns] = 255
    return hidden


@pytest.mark.parametrize("hidden", list(itertools.combinations(range(4), 2)))
def test_two_markers_hidden_still_read(filled_sheets, specializare, hidden) -> None:
    # The two markers left give a similarity; the printed outlines make it exact.
    image = turn(_hide_markers(filled_sheets[200], specializare, hidden), 1, 4.0)
    reading = _read(image, specializare)
    assert reading.status == OK, _codes(reading)
    assert reading.registration["marks_found"] == 2
    assert reading.registration["outlines"] >= 100
    assert reading.answers == _expected(specializare)


def test_one_marker_alone_is_refused(filled_sheets, specializare) -> None:
    reading = _read(_hide_markers(filled_sheets[200], specializare, (0, 1, 2)), specializare)
    assert reading.status == REJECTED
    assert reading.reasons[0].code == "markers_not_found"


def test_top_edge_cut_off_reads_without_its_qr(filled_sheets, specializare) -> None:
    image = filled_sheets[200].copy()
    height, width = image.shape[:2]
    cut = np.array([[0, 0], [width, 0], [width, int(height * 0.12)], [0, int(height * 0.12)]])
    cv2.fillPoly(image, [cut], (255, 255, 255))  # the whole top edge with both markers
    reading = _read(image, specializare)
    assert _codes(reading) == ["qr_unreadable"]
    assert reading.answers == _expected(specializare)


def test_one_corner_missing_still_reads(filled_sheets, specializare) -> None:
    image = filled_sheets[200].copy()
    cv2.fillPoly(image, [np.array([[0, 0], [260, 0], [0, 260]])], (255, 255, 255))
    reading = _read(image, specializare)
    assert reading.status == OK
    assert reading.registration["marks_found"] == 3
    assert reading.answers == _expected(specializare)


def test_blank_page_and_back_of_sheet(specializare, filled_sheets) -> None:
    blank = np.full((2339, 1654, 3), 250, np.uint8)
    assert _read(blank, specializare).reasons[0].code == "blank_page"
    back = cv2.flip(filled_sheets[200], 1)  # seen through the paper: faint and mirrored
    back = cv2.addWeighted(back, 0.08, np.full_like(back, 250), 0.92, 0)
    reading = _read(back, specializare)
    assert reading.status == REJECTED and reading.reasons[0].code == "blank_page"


def test_heavy_blur_is_rejected(filled_sheets, specializare) -> None:
    blurred = cv2.GaussianBlur(filled_sheets[150], (0, 0), 9)
    reading = _read(blurred, specializare)
    assert reading.status == REJECTED
    assert reading.reasons[0].code == "image_blurred"


def _box_px(box, dpi: int = 200) -> tuple[slice, slice]:
    scale = dpi / 25.4
    return (
        slice(int(box.origin_mm[1] * scale), int(box.bottom * scale)),
        slice(int(box.origin_mm[0] * scale), int(box.right * scale)),
    )


def _codes(reading: SheetReading) -> list[str]:
    return [reason.code for reason in reading.reasons]


def test_unreadable_qr_needs_review(specializare) -> None:
    image = render_sheet(specializare, 200)
    image[_box_px(specializare.qr.box)] = 255
    reading = _read(image, specializare)
    assert reading.status == NEEDS_REVIEW and _codes(reading) == ["qr_unreadable"]


def test_foreign_qr_is_rejected(specializare) -> None:
    import zxingcpp

    image = render_sheet(specializare, 200)
    rows, columns = _box_px(specializare.qr.box)
    side = min(rows.stop - rows.start, columns.stop - columns.start)
    code = zxingcpp.create_barcode("https://example.org/not-a-sheet", zxingcpp.BarcodeFormat.QRCode)
    foreign = cv2.resize(
        np.asarray(code.to_image(scale=4)), (side, side), interpolation=cv2.INTER_NEAREST
    )
    image[rows.start : rows.start + side, columns.start : columns.start + side] = foreign[..., None]
    reading = _read(image, specializare)
    assert reading.status == REJECTED and _codes(reading)[0] == "qr_invalid"


def test_candidate_number_doubts(specializare) -> None:
    image = render_sheet(specializare, 200)
    fill(image, specializare, 1, "3", field="candidate_number")
    fill(image, specializare, 1, "5", field="candidate_number")
    reading = _read(image, specializare)
    assert "candidate_number_unclear" in _codes(reading) and reading.candidate is None
    printed = render_sheet(specializare, 200, candidate="11111")
    for position in range(1, 6):
        fill(printed, specializare, position, "2", field="candidate_number")
    reading = _read(printed, specializare)
    assert "candidate_conflict" in _codes(reading) and reading.status == NEEDS_REVIEW


def test_two_variant_bubbles_are_unclear(specializare) -> None:
    image = render_sheet(specializare, 200)
    fill(image, specializare, None, "A", field="variant")
    fill(image, specializare, None, "B", field="variant")
    reading = _read(image, specializare)
    assert "variant_unclear" in _codes(reading) and reading.variant is None


def test_moved_marker_makes_registration_inaccurate(specializare) -> None:
    image = render_sheet(specializare, 200)
    marker = specializare.registration.marker_box(specializare.registration.markers[2])
    rows, columns = _box_px(marker)
    patch = image[rows, columns].copy()
    image[rows, columns] = 255
    shift = int(3 * 200 / 25.4)  # the corner moved 3 mm, as on a folded sheet
    image[rows.start - shift : rows.stop - shift, columns] = patch
    reading = _read(image, specializare)
    assert reading.status == REJECTED and _codes(reading) == ["registration_inaccurate"]


def test_smudge_traced_outline_and_single_stroke_are_unclear(specializare) -> None:
    image = render_sheet(specializare, 200)
    (x0, y0), (rx, _) = _center(specializare, 10, "a")
    cv2.circle(image, (x0, y0), rx, (200, 200, 200), -1)  # an erasure left a gray smudge
    (x1, y1), (rx, _) = _center(specializare, 11, "b")
    cv2.circle(image, (x1, y1), rx, (170, 60, 20), 3)  # the outline traced in blue
    fill(image, specializare, 12, "c")
    (x2, y2), (rx, _) = _center(specializare, 12, "c")
    reach = int(rx * 1.8 * 0.71)
    cv2.line(image, (x2 - reach, y2 - reach), (x2 + reach, y2 + reach), (170, 60, 20), 4)
    reading = _read(image, specializare)
    unclear = {
        (b["question"], b["option"]): b["unclear"]
        for b in reading.bubbles
        if b["state"] == "unclear"
    }
    assert unclear == {
        (10, "a"): ["smudge"],
        (11, "b"): ["outline_traced"],
        (12, "c"): ["possible_cross"],
    }


@pytest.mark.parametrize("pen", [(170, 60, 20), (40, 40, 40)], ids=["blue", "black"])
def test_traced_outline_on_a_grayscale_scan_is_unclear(filled_sheets, specializare, pen) -> None:
    """In gray the red print is dark too: only a pen darker than the print tells."""
    image = filled_sheets[200].copy()
    (x, y), (rx, _) = _center(specializare, 11, "b")
    cv2.circle(image, (x, y), rx, pen, 3)
    reading = _read(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), specializare)
    unclear = {(b["question"], b["option"]): b["unclear"] for b in reading.bubbles if b["unclear"]}
    assert unclear == {(11, "b"): ["outline_traced"]}


def test_grayscale_says_stray_marks_not_checked(filled_sheets, specializare) -> None:
    gray = cv2.cvtColor(filled_sheets[200], cv2.COLOR_BGR2GRAY)
    codes = [warning.code for warning in _read(gray, specializare).warnings]
    assert "stray_marks_not_checked" in codes


def _center(template, question: int, option: str, dpi: int = 200):
    scale = dpi / 25.4
    (bubble,) = [
        b for b in template.answer_bubbles() if (b.question, b.option) == (question, option)
    ]
    center = (int(round(bubble.center_mm[0] * scale)), int(round(bubble.center_mm[1] * scale)))
    return center, (int(bubble.size_mm[0] * scale / 2), int(bubble.size_mm[1] * scale / 2))
