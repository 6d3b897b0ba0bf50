"""``omr template from-omrchecker`` and the bullseye marks it registers on."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from omr.forms.from_omrchecker import _corner_blocks, convert_template
from omr.forms.omrchecker import expand_labels
from omr.forms.scan_marks import ScanMarks
from omr.forms.shapes import Block
from omr.forms.writing import write_template
from omr.reading.channels import ScanChannels
from omr.reading.registration.blocks import register_by_blocks
from omr.sheet.bullseyes import RADII, find_blurred_rings, find_rings
from omr.sheet.template import SheetTemplate
from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason


def _bullseye(image: np.ndarray, centre: tuple[int, int], diameter: int) -> None:
    for index, share in enumerate(RADII):
        cv2.circle(image, centre, int(share * diameter / 2), 255 * (index % 2), -1, cv2.LINE_AA)


def _checker_json(tmp_path: Path, processors: list[dict]) -> Path:
    document = {
        "pageDimensions": [1700, 2200],
        "bubbleDimensions": [30, 30],
        "preProcessors": processors,
        "fieldBlocks": {
            "Roll": {
                "fieldType": "QTYPE_INT",
                "origin": [1200, 200],
                "fieldLabels": ["r1..3"],
                "bubblesGap": 50,
                "labelsGap": 50,
            },
            "Mcq": {
                "fieldType": "QTYPE_MCQ4",
                "origin": [200, 900],
                "fieldLabels": ["q1..10"],
                "bubblesGap": 60,
                "labelsGap": 50,
            },
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(document))
    return path


def test_labels_expand_as_omrchecker_does() -> None:
    assert expand_labels(["q1..3", "roll"]) == ["q1", "q2", "q3", "roll"]


@pytest.mark.parametrize("diameter", [40, 76, 90])
def test_a_bullseye_near_the_largest_looked_for_is_found(diameter: int) -> None:
    """``MAX_DIAMETER_SHARE``: a mark up to a fifth of the page's short side (100 px of
    500) is looked for; its centre dot grows with it (0.4 of its radius across), and one
    90 px across is found."""
    page = np.full((500, 500), 255, np.uint8)
    _bullseye(page, (250, 250), diameter)
    (ring,) = find_rings(page)
    assert np.allclose(ring.centre, (250, 250), atol=1.5)
    assert abs(ring.diameter - diameter) <= 3


def test_bullseyes_are_found_and_filled_bubbles_are_not() -> None:
    page = np.full((600, 500), 255, np.uint8)
    _bullseye(page, (100, 120), 40)
    cv2.circle(page, (300, 300), 14, 0, -1)  # a filled bubble
    cv2.circle(page, (380, 300), 14, 0, 2)  # a bubble with a letter
    cv2.putText(page, "B", (372, 308), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    (ring,) = find_rings(page)
    assert np.allclose(ring.centre, (100, 120), atol=1.5)
    assert abs(ring.diameter - 40) <= 3


def test_markers_template_registers_on_the_bullseyes_of_its_scan(tmp_path: Path) -> None:
    scan, template = _bullseye_form(tmp_path)
    blocks = template.registration.blocks
    assert [block.shape for block in blocks] == ["rings"] * 4
    assert template.registration.orientation_boxes
    assert template.question_count == 10 and template.identification.candidate_number.columns == 3
    assert len(template.all_bubbles) == 10 * 4 + 3 * 10
    registered = register_by_blocks(ScanChannels(cv2.cvtColor(scan, cv2.COLOR_GRAY2BGR)), template)
    assert registered and registered.marks_found == 4 and registered.rotation == 0
    turned = cv2.rotate(scan, cv2.ROTATE_180)
    registered = register_by_blocks(
        ScanChannels(cv2.cvtColor(turned, cv2.COLOR_GRAY2BGR)), template
    )
    assert registered and registered.rotation == 180


@pytest.mark.parametrize("turns", [0, 2])
def test_print_as_solid_as_a_backing_tells_the_turn_against_noisy_paper(
    tmp_path: Path, turns: int
) -> None:
    # The cells that tell the turn lie in a solid bar, as dark as a scanner's black
    # backing; their 180° images are paper with a scanner's grain, a little dark against
    # the brightest paper around it (a fiftieth): blank all the same.
    scan, template = _bullseye_form(tmp_path)
    grain = cv2.GaussianBlur(np.random.default_rng(5).normal(0, 150, scan.shape), (0, 0), 3)
    noisy = np.rot90(np.clip(scan * 0.92 + grain, 0, 255).astype(np.uint8), turns)
    registered = register_by_blocks(
        ScanChannels(cv2.cvtColor(np.ascontiguousarray(noisy), cv2.COLOR_GRAY2BGR)), template
    )
    assert registered and registered.rotation == 90 * turns


def test_a_template_without_markers_needs_a_scan(tmp_path: Path) -> None:
    path = _checker_json(tmp_path, [{"name": "CropPage", "options": {}}])
    with pytest.raises(InputFileError) as raised:
        convert_template(path)
    assert raised.value.reason == Reason.OMRCHECKER_SCAN_NEEDED


def test_a_broken_file_is_refused_for_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_text("{}")
    with pytest.raises(InputFileError) as raised:
        convert_template(path)
    assert raised.value.reason == Reason.OMRCHECKER_TEMPLATE_INVALID


def test_a_timing_track_is_one_mark_of_the_corners_it_is_nearest() -> None:
    # A track of 52 bars down the right edge, squares at the top left and bottom left.
    bars = [Block((198.4, 14.6 + 5.03 * n, 202.9, 16.4 + 5.03 * n)) for n in range(52)]
    squares = [Block((4.8, 14.9, 8.2, 17.4)), Block((65.5, 271.6, 69.0, 273.9))]
    scan = ScanMarks(np.zeros((1, 1), np.uint8), squares + bars, [])
    entries = _corner_blocks(scan, (210.0, 317.0))
    assert [e.get("shape", "solid") for e in entries] == ["track", "solid", "solid"]
    assert entries[0]["bars"] == 52


def _smeared(image: np.ndarray, centre: tuple[int, int], reach: int, length: int) -> None:
    """The square of ``reach`` px about ``centre`` smeared over ``length`` px along x (a
    phone moved while the photo was taken)."""
    x, y = centre
    line = np.full((1, length), 1 / length, np.float32)
    window = image[y - reach : y + reach, x - reach : x + reach]
    window[:] = cv2.filter2D(window, -1, line, borderType=cv2.BORDER_REPLICATE)


def test_a_blurred_bullseye_is_found_and_bubbles_are_not() -> None:
    page = np.full((600, 500), 255, np.uint8)
    _bullseye(page, (100, 120), 50)
    _smeared(page, (100, 120), 60, 13)  # a quarter of its diameter
    cv2.circle(page, (300, 300), 20, 0, -1)  # a filled bubble
    cv2.circle(page, (380, 300), 20, 0, 2)  # a bubble with a letter
    cv2.putText(page, "B", (370, 310), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    cv2.circle(page, (300, 450), 20, 0, 3)  # a bubble with a ring inside
    cv2.circle(page, (300, 450), 9, 0, -1)
    page = cv2.GaussianBlur(page, (0, 0), 1.0)
    assert find_rings(page) == []  # the rings merged along the smear
    (ring,) = find_blurred_rings(page)
    assert np.allclose(ring.centre, (100, 120), atol=1.5)
    assert abs(ring.diameter - 50) <= 0.25 * 50


BULLSEYE_CENTRES = ((50, 50), (800, 50), (800, 1050), (50, 1050))


def _bullseye_form(tmp_path: Path) -> tuple[np.ndarray, SheetTemplate]:
    """A scan of a form with a bullseye in each corner and a bar of print, and the
    template ``from-omrchecker`` makes of it."""
    path = _checker_json(
        tmp_path,
        [
            {
                "name": "CropOnMarkers",
                "options": {"relativePath": "m.jpg", "sheetToMarkerWidthRatio": 17},
            }
        ],
    )
    scan = np.full((1100, 850), 255, np.uint8)
    for centre in BULLSEYE_CENTRES:
        _bullseye(scan, centre, 40)
    cv2.rectangle(scan, (80, 120), (300, 170), 0, -1)  # print facing blank paper
    image = tmp_path / "scan.png"
    cv2.imwrite(str(image), scan)
    form = convert_template(path, [image])
    template = write_template(form.data, form.notes, tmp_path / "t.yaml")
    return scan, template


def test_blurred_bullseyes_of_a_steep_photo_register_it(tmp_path: Path) -> None:
    scan, template = _bullseye_form(tmp_path)
    # The page seen steeply and turned (its marks where a phone photo of an A4 sheet on
    # cloth shows them, its top a tenth narrower than its bottom) on a darker ground,
    # and the camera moved: the two top bullseyes smeared along x over a third of their
    # width, so that their rings merge.
    marks = np.float32([[50, 50], [800, 50], [800, 1050], [50, 1050]])
    seen = np.float32([[200, 300], [750, 203], [909, 988], [318, 1092]])
    view = cv2.getPerspectiveTransform(marks, seen)
    photo = cv2.warpPerspective(scan, view, (1100, 1200), borderValue=60)
    for x, y in cv2.perspectiveTransform(marks[None, :2], view)[0]:
        _smeared(photo, (int(x), int(y)), 26, 10)
    photo = cv2.GaussianBlur(photo, (0, 0), 1.0)
    assert len(find_rings(photo)) == 2
    registered = register_by_blocks(ScanChannels(cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)), template)
    assert registered and registered.marks_found == 4


def test_a_mark_far_from_where_the_others_put_it_waits_for_the_outlines(tmp_path: Path) -> None:
    scan, template = _bullseye_form(tmp_path)
    # Seen from below its top right corner: that bullseye 11 mm from where a similarity
    # of the other three puts it (more than MATCH_TOLERANCE_MM), the only one near.
    marks = np.float32([[50, 50], [800, 50], [800, 1050], [50, 1050]])
    seen = np.float32([[200, 250], [765, 268], [800, 1050], [200, 1050]])
    view = cv2.getPerspectiveTransform(marks, seen)
    photo = cv2.warpPerspective(scan, view, (1000, 1200), borderValue=60)
    photo = cv2.GaussianBlur(photo, (0, 0), 1.0)
    registered = register_by_blocks(ScanChannels(cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)), template)
    assert registered and registered.marks_found == 4
    assert registered.unconfirmed is not None  # the printed outlines must confirm it
    assert registered.unconfirmed.code == Reason.REGISTRATION_INACCURATE


def test_solid_squares_where_the_bullseyes_belong_are_not_taken_for_them(
    tmp_path: Path,
) -> None:
    _, template = _bullseye_form(tmp_path)
    # Another form: solid squares of the bullseyes' size at their places.
    other = np.full((1100, 850), 255, np.uint8)
    for x, y in BULLSEYE_CENTRES:
        cv2.rectangle(other, (x - 18, y - 18), (x + 18, y + 18), 0, -1)
    cv2.rectangle(other, (80, 120), (300, 170), 0, -1)
    refused = register_by_blocks(ScanChannels(cv2.cvtColor(other, cv2.COLOR_GRAY2BGR)), template)
    assert not refused and refused.code == Reason.REGISTRATION_MARKS_NOT_FOUND
