"""Calibration: the printed references give the default profile on an ideal scan and
follow a scanner that renders darker or lighter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from scansim.scanner import thresholded, with_streak
from scansim.sheets import fill, render_sheet, turn

from omr.cli.main import main
from omr.printing.calibration_sheet import write_calibration_sheet
from omr.reading.calibrate import CalibrationError, calibrate_from_image
from omr.reading.ingest import PageImage, SourceRef
from omr.reading.pipeline import ReadOptions, read_page
from omr.sheet.calibration import load_calibration
from omr.vocabulary.errors import InputFileError

THRESHOLDS = (
    "ink_darkness",
    "blank_max_fill",
    "filled_min_fill_floor",
    "filled_min_fill",
    "smudge_darkness",
)


@pytest.fixture(scope="module")
def calibration_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("calibration") / "sheet.pdf"
    write_calibration_sheet(path)
    return path


def _scan(pdf: Path, dpi: int) -> np.ndarray:
    folder = pdf.parent / f"r{dpi}"
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "p")], check=True)
    (png,) = folder.glob("p*.png")
    return cv2.imread(str(png))


def _tone_curve(image: np.ndarray, gamma: float) -> np.ndarray:
    """A scanner that renders mid-tones darker (gamma > 1) or lighter (< 1)."""
    lut = (255 * (np.arange(256) / 255) ** gamma).astype(np.uint8)
    return cv2.LUT(image, lut)


@pytest.mark.parametrize(
    ("dpi", "gray", "turns"), [(150, False, 0), (200, True, 2), (300, False, 1)]
)
def test_ideal_scan_gives_the_default_profile(calibration_pdf, dpi, gray, turns) -> None:
    image = turn(_scan(calibration_pdf, dpi), turns, 3.0)
    if gray:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    result = calibrate_from_image(image)
    assert result.mismatches == []
    default = load_calibration()
    for name in THRESHOLDS:
        assert getattr(result.calibration, name) == pytest.approx(
            getattr(default, name), abs=0.08
        ), name


def test_darker_scanner_profile_reads_its_own_sheets(calibration_pdf, specializare) -> None:
    gamma = 2.2
    result = calibrate_from_image(_tone_curve(_scan(calibration_pdf, 200), gamma))
    assert result.mismatches == []
    default = load_calibration()
    assert result.calibration.ink_darkness > default.ink_darkness + 0.1
    sheet = render_sheet(specializare, 200)
    fill(sheet, specializare, 1, "a")
    fill(sheet, specializare, 2, "b", coverage=0.3)
    fill(sheet, specializare, 3, "c", colour=(60, 60, 60))  # a worn black pen
    reading = read_page(
        PageImage(SourceRef("dark.png", 1, ""), _tone_curve(sheet, gamma), None),
        ReadOptions(template=specializare, calibration=result.calibration),
        [specializare],
    )
    assert reading.answers["1"]["a"] == "filled"
    assert reading.answers["2"]["b"] == "unclear"
    assert reading.answers["3"]["c"] == "filled"
    marked = {
        (q, o) for q, opts in reading.answers.items() for o, s in opts.items() if s != "blank"
    }
    assert marked == {("1", "a"), ("2", "b"), ("3", "c")}


def test_a_streaked_calibration_scan_gives_the_same_profile_and_says_so(
    calibration_pdf, tmp_path, capsys
) -> None:
    """Dust on the feeder's glass streaks the calibration sheet down its references: the
    streak is divided out before they are measured, the profile is the clean scan's, and
    the room head is told to clean the glass before the exam's sheets go through."""
    clean = _scan(calibration_pdf, 200)
    column = clean.shape[1] // 2
    scan = tmp_path / "streaked.png"
    cv2.imwrite(str(scan), with_streak(clean, column, 3, 0.4))
    plain, streaked = calibrate_from_image(clean), calibrate_from_image(cv2.imread(str(scan)))
    assert plain.warnings == []
    assert [warning.code for warning in streaked.warnings] == ["scanner_streak"]
    assert streaked.mismatches == []
    for name in THRESHOLDS:
        assert getattr(streaked.calibration, name) == pytest.approx(
            getattr(plain.calibration, name), abs=0.01
        ), name
    profile = tmp_path / "profile.yaml"
    assert main(["calibrate", str(scan), "-o", str(profile)]) == 0
    assert "warning [scanner_streak]: a vertical streak from the scanner 50% of the width" in (
        capsys.readouterr().err
    )
    assert profile.exists()


def test_a_calibration_scan_coarser_than_150_dpi_says_so(calibration_pdf, tmp_path, capsys) -> None:
    """The calibration sheet is where a scanner set too coarse is caught before the exam:
    the profile is written, and the room head is told to set 200 dpi."""
    scan = tmp_path / "coarse.png"
    cv2.imwrite(str(scan), _scan(calibration_pdf, 100))
    assert calibrate_from_image(_scan(calibration_pdf, 150)).warnings == []
    profile = tmp_path / "profile.yaml"
    assert main(["calibrate", str(scan), "-o", str(profile)]) == 0
    assert "warning [scan_coarse]: scanned at about 100 dpi, under 150 dpi" in (
        capsys.readouterr().err
    )
    assert profile.exists()


def test_a_soft_calibration_scan_says_so(calibration_pdf) -> None:
    """A scanner that blurs (σ 0.32 mm at 200 dpi) is told at the calibration sheet too."""
    soft = cv2.GaussianBlur(_scan(calibration_pdf, 200), (0, 0), 2.5)
    assert [warning.code for warning in calibrate_from_image(soft).warnings] == ["scan_soft"]


def test_a_thresholded_calibration_scan_gives_no_profile(calibration_pdf) -> None:
    """A calibration sheet scanned in black and white by a threshold shows its reference
    tones as black or white: no profile comes of it, and the room head is told why, in
    both languages, before scanning again in gray or colour."""
    gray = cv2.cvtColor(_scan(calibration_pdf, 200), cv2.COLOR_BGR2GRAY)
    with pytest.raises(CalibrationError) as caught:
        calibrate_from_image(thresholded(gray))
    assert caught.value.reason == "calibration_failed"
    assert "a black-and-white scan made by a threshold" in caught.value.message
    assert "setați scanerul pe gri sau color" in caught.value.problem.message_ro


def test_another_sheet_is_refused(specializare) -> None:
    with pytest.raises(CalibrationError) as caught:
        calibrate_from_image(render_sheet(specializare, 150))
    assert caught.value.reason == "calibration_failed"
    assert "not a readable calibration sheet" in caught.value.message
    assert "streak" not in caught.value.message


def test_a_refused_calibration_scan_still_names_its_streak(specializare) -> None:
    """A scan that gives no profile still tells the room head of the dust on the glass,
    in both languages: the glass is cleaned before the sheet is scanned again."""
    page = render_sheet(specializare, 150)
    with pytest.raises(CalibrationError) as caught:
        calibrate_from_image(with_streak(page, page.shape[1] // 3, 3, 0.4))
    assert "not a readable calibration sheet" in caught.value.message
    assert "a vertical streak from the scanner 33% of the width" in caught.value.message
    assert "dungă verticală de la scaner la 33% din lățime" in caught.value.problem.message_ro


def test_command_prints_calibrates_and_the_profile_reads(
    calibration_pdf, tmp_path, specializare
) -> None:
    printed = tmp_path / "cal.pdf"
    assert main(["calibrate", "--print", "-o", str(printed)]) == 0
    scan = tmp_path / "cal.png"
    cv2.imwrite(str(scan), _scan(calibration_pdf, 200))
    profile = tmp_path / "room3.yaml"
    assert main(["calibrate", str(scan), "-o", str(profile), "--name", "room3"]) == 0
    assert load_calibration(profile).name == "room3"
    sheet = tmp_path / "sheet.png"
    cv2.imwrite(str(sheet), render_sheet(specializare, 200))
    assert main(["read", str(sheet), "--calibration", str(profile)]) == 0


def test_blurred_calibration_scan_writes_no_profile(calibration_pdf, tmp_path, capsys) -> None:
    scan = tmp_path / "blurred.png"
    cv2.imwrite(str(scan), cv2.GaussianBlur(_scan(calibration_pdf, 150), (0, 0), 3.5))
    profile = tmp_path / "profile.yaml"
    assert main(["calibrate", str(scan), "-o", str(profile)]) == 1
    assert "calibration_failed" in capsys.readouterr().err
    assert not profile.exists()


def test_command_without_scan_or_print_is_refused(tmp_path, capsys) -> None:
    profile = tmp_path / "profile.yaml"
    assert main(["calibrate", "-o", str(profile)]) == 2
    error = capsys.readouterr().err
    assert error == (
        "omr calibrate: error [scan_missing]: give the scan of the calibration sheet, or --print\n"
    )
    assert not profile.exists()


@pytest.mark.parametrize(
    ("text", "reason", "expected"),
    [
        (None, "calibration_unreadable", "No such file or directory"),
        ("folder", "calibration_unreadable", "Is a directory"),
        ("ink_darkness: 2\n", "calibration_invalid", "ink_darkness"),
        ("blank_max_fill: 0.5\n", "calibration_invalid", "a doubt band must separate"),
        ("name: room3\nthreshold: 0.4\n", "calibration_invalid", "threshold"),
        ("name: [room3\n", "calibration_invalid", "not a valid calibration profile"),
    ],
)
def test_bad_calibration_profiles_are_refused(tmp_path, text, reason, expected) -> None:
    path = tmp_path / "profile.yaml"
    if text == "folder":
        path.mkdir()
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_calibration(path)
    assert caught.value.reason == reason
    message = caught.value.message
    assert message.startswith(f"{path}: ") and expected in message
    assert "None" not in message


def test_read_with_a_bad_calibration_exits_2(tmp_path, capsys, specializare) -> None:
    sheet = tmp_path / "sheet.png"
    cv2.imwrite(str(sheet), render_sheet(specializare, 100))
    profile = tmp_path / "profile.yaml"
    profile.write_text("stroke_beyond: 9\n", encoding="utf-8")
    assert main(["read", str(sheet), "--calibration", str(profile)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"omr read: error [calibration_invalid]: {profile}: ")


def test_a_profile_with_the_retired_thresholds_still_loads(tmp_path) -> None:
    profile = tmp_path / "old.yaml"
    profile.write_text(
        "schema: omr.calibration/1\nname: old\ncross_arm_min: 0.5\ncross_arms_crossed: 3\n"
        "fill_rim_min: 0.4\n",
        encoding="utf-8",
    )
    assert load_calibration(profile).name == "old"
