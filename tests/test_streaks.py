"""A scanner's streak down the page (dust on an automatic feeder's glass) is found, divided
out before the page is read and told to the room head; lines the page itself holds are not
taken for one."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from scansim.scanner import dithered, with_streak

from omr.reading.channels import ScanChannels
from omr.reading.pipeline import ReadOptions, read_files
from omr.reading.streaks import find_streaks, flat_fielded
from omr.sheet.template import load_template
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import MarkState

TYPICAL = Path(__file__).resolve().parents[1] / "fixtures" / "scans" / "typical"


def _page(name: str = "spec-007.jpg") -> np.ndarray:
    image = cv2.imread(str(TYPICAL / name), cv2.IMREAD_UNCHANGED)
    assert image is not None
    return image


def _inkiest_column(image: np.ndarray) -> int:
    """The column of the page's middle half that runs through the most ink: down a column
    of bubbles, through every mark in it."""
    ink = ScanChannels(image).ink.astype(np.float32)
    width = ink.shape[1]
    return width // 4 + int(np.argmin(ink[:, width // 4 : 3 * width // 4].mean(axis=0)))


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "gray"])
@pytest.mark.parametrize(("width", "dip"), [(1, 0.1), (2, 0.3), (3, 0.6), (6, 0.45)])
def test_a_streak_is_found_and_divided_out(colour: bool, width: int, dip: float) -> None:
    page = _page()
    if not colour:
        page = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    first = page.shape[1] // 3
    streaked = with_streak(page, first, width, dip)
    scan = ScanChannels(streaked)
    (streak,) = scan.streaks
    assert streak.first <= first and first + width - 1 <= streak.last <= first + width
    assert streak.dip == pytest.approx(dip, abs=0.05)
    # Ink and paper alike come back: dust darkens them by the same share.
    columns = slice(first, first + width)
    restored = scan.image[:, columns].astype(np.int16) - page[:, columns]
    assert np.median(np.abs(restored)) <= 2
    assert np.percentile(np.abs(restored), 95) <= 8


def test_a_dithered_page_has_its_streak_divided_out_and_a_thresholded_one_not() -> None:
    """In black and white, a halftone's cells keep the streak's share of the light: the
    page's tone has it divided out; a threshold made it black or nothing."""
    gray = cv2.cvtColor(_page(), cv2.COLOR_BGR2GRAY)
    first = gray.shape[1] // 3
    streaked = with_streak(gray, first, 3, 0.4)
    (streak,) = ScanChannels(dithered(streaked)).streaks
    assert streak.first <= first + 2 and first <= streak.last <= first + 6
    thresholded = ScanChannels(np.where(streaked > 128, 255, 0).astype(np.uint8))
    assert thresholded.thresholded and thresholded.streaks == []


def test_a_page_read_through_a_streak_reads_as_without_and_says_so(tmp_path: Path) -> None:
    """The streak down a column of bubbles, every fill and blank in it: each bubble reads
    as it does without it (25 of them read `unclear` before the streak was divided
    out), and the room head is told to clean the glass."""
    template = load_template("specializare-asistenti")
    page = _page()
    column = _inkiest_column(page)
    streaked = with_streak(page, column - 1, 3, 0.45)
    readings = []
    for name, image in (("plain.png", page), ("streaked.png", streaked)):
        cv2.imwrite(str(tmp_path / name), image)
        (reading,) = read_files([tmp_path / name], ReadOptions(template=template))
        readings.append(reading)
    plain, through = readings
    assert Reason.SCANNER_STREAK not in [w.code for w in plain.warnings]
    assert [w.code for w in through.warnings].count(Reason.SCANNER_STREAK) == 1
    states = [(b["question"], b["option"], b["state"]) for b in through.bubbles]
    assert states == [(b["question"], b["option"], b["state"]) for b in plain.bubbles]
    assert through.status == plain.status
    assert MarkState.FILLED in {b["state"] for b in through.bubbles}


def _blank(height: int = 1600, width: int = 1200, level: int = 235) -> np.ndarray:
    rng = np.random.default_rng(5)
    return np.clip(rng.normal(level, 3, (height, width)), 0, 255).astype(np.uint8)


def _printed_line(page: np.ndarray) -> np.ndarray:
    """A rule printed down the page within 6 mm of its top and bottom edges."""
    height = page.shape[0]
    page[height // 50 : height - height // 50, 600:602] = 60
    return page


def _papers_edge(page: np.ndarray) -> np.ndarray:
    """The paper ends at nine tenths of the width, its edge in shadow, the lid white."""
    width = page.shape[1]
    edge = 9 * width // 10
    page[:, edge - 30 : edge] = (page[:, edge - 30 : edge] * np.linspace(1, 0.8, 30)).astype(
        np.uint8
    )
    page[:, edge:] = 252
    return page


def _shadowed_papers_edge(page: np.ndarray) -> np.ndarray:
    """The paper darkening towards its edge at four fifths of the width, its rim darker
    still, the lid white beyond: a narrow dip, but on uneven paper either side."""
    edge = 4 * page.shape[1] // 5
    page[:, edge - 60 : edge] = (page[:, edge - 60 : edge] * np.linspace(1, 0.85, 60)).astype(
        np.uint8
    )
    page[:, edge - 6 : edge] = (page[:, edge - 6 : edge] * 0.85).astype(np.uint8)
    page[:, edge:] = 252
    return page


def _broad_band(page: np.ndarray) -> np.ndarray:
    """A band 20 px broad down the whole page (a fold's shadow)."""
    page[:, 500:520] = (page[:, 500:520] * 0.8).astype(np.uint8)
    return page


def _slanted_line(page: np.ndarray) -> np.ndarray:
    """A line down the whole page slanted by 1° (a page's own line under its skew)."""
    for row in range(page.shape[0]):
        column = 500 + int(row * np.tan(np.radians(1.0)))
        page[row, column : column + 2] = 90
    return page


@pytest.mark.parametrize(
    "made",
    [
        lambda page: page,
        _printed_line,
        _papers_edge,
        _shadowed_papers_edge,
        _broad_band,
        _slanted_line,
    ],
)
def test_what_the_page_holds_is_no_streak(made) -> None:
    page = made(_blank())
    assert find_streaks(page) == []
    assert flat_fielded(page, []) is page
