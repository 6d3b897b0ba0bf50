"""Loops a scribbling pen makes past a fill's outline, on drawn pixels: an end whose tip
closes paper past the outline is the fill's own loop; a stroke that runs out and stops,
a groove inside a broad stroke, the crescent inside the outline, paper held against a
neighbour's outline or lying past the tip are not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from omr.reading.marks.loops import Around, looped_ends
from omr.reading.marks.sampling import REACH_RADII, REACH_STEP

PPM = 8.0  # px per mm: 200 dpi
RADIUS = 20.0  # px: a 5 mm bubble
CENTER = np.array([100.0, 100.0], np.float32)
PAPER = 230.0
PEN = 0.7  # the pen's darkness over paper
INK_AT = PEN / 2
OUTLINE = 0.35  # the printed outline's darkness, as dark as ink
REACH_LIMIT = REACH_RADII[-1]  # radii: how far out an end's ink is followed


def _direction(degrees: float) -> np.ndarray:
    return np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])


def _blank_page(fill_radii: float = 1.1) -> np.ndarray:
    """(200, 200) darkness: the printed outline and a fill out to ``fill_radii``."""
    darkness = np.zeros((200, 200), np.float32)
    cv2.circle(darkness, (100, 100), int(RADIUS), OUTLINE, 1, cv2.LINE_AA)
    if fill_radii:
        cv2.circle(darkness, (100, 100), int(RADIUS * fill_radii), PEN, -1, cv2.LINE_AA)
    return darkness


def _ink(darkness: np.ndarray) -> np.ndarray:
    return (PAPER * (1 - np.clip(darkness, 0, 1))).astype(np.uint8)


def _line(darkness: np.ndarray, radii: np.ndarray, width: int, value: float = PEN) -> None:
    """A polyline through ``radii`` (K, 2): points in radii from the centre."""
    points = np.round((CENTER + radii * RADIUS) * 16).astype(np.int32)
    cv2.polylines(darkness, [points], False, value, width, cv2.LINE_AA, 4)


def _loop(
    darkness: np.ndarray, angle: float, far: float, side: float, width: int, value: float = PEN
) -> np.ndarray:
    """A swing out of the fill at ``angle`` to ``far`` radii and back, ``side`` degrees
    either way round, ``value`` dark; its tip (px)."""
    t = np.linspace(0.0, 1.0, 32)
    radius = 0.8 + (far - 0.8) * np.sin(np.pi * t)
    angles = np.radians(angle + side * np.cos(np.pi * t))
    _line(darkness, np.stack([radius * np.cos(angles), radius * np.sin(angles)], 1), width, value)
    return CENTER + far * RADIUS * _direction(angle)


def _ring(darkness: np.ndarray, radii: float, degrees: float) -> None:
    """A small ring of ink (4 px round, 2 px broad) ``radii`` out at ``degrees``: a
    printed digit's or letter's bowl, another mark."""
    centre = np.round(CENTER + radii * RADIUS * _direction(degrees)).astype(int)
    cv2.circle(darkness, tuple(centre.tolist()), 4, PEN, 2, cv2.LINE_AA)


def _around(neighbours: list[tuple[float, float]] = (), reach: float = 0.0) -> Around:
    """The bubble, and ``neighbours`` (px) whose ink runs ``reach`` radii out all round."""
    centres = np.array(neighbours, np.float32).reshape(-1, 2)
    return Around(
        CENTER,
        np.array([RADIUS, RADIUS], np.float32),
        False,
        PAPER,
        centres,
        np.full((len(centres), 2), RADIUS, np.float32),
        np.zeros(len(centres), bool),
        np.full((len(centres), 96), reach, np.float32),
    )


def _looped(
    darkness: np.ndarray,
    tip: np.ndarray,
    reach: float,
    around: Around = None,
    legs: bool = False,
) -> bool:
    """Whether the end at ``tip``, ``reach`` radii out, closes a loop of paper (with
    ``legs``: lies on the line of one, however far its paper runs and the reach's limit
    aside)."""
    (looped,) = looped_ends(
        _ink(darkness),
        around or _around(),
        tip[None].astype(np.float32),
        np.array([reach]),
        (INK_AT,),
        PPM,
        REACH_STEP,
        REACH_LIMIT,
        legs,
    )
    return bool(looped)


@pytest.mark.parametrize("angle", [30.0, 135.0, 250.0])
@pytest.mark.parametrize("width", [3, 5])
@pytest.mark.parametrize("far", [1.6, 1.9])
def test_a_swing_out_of_the_fill_and_back_is_a_loop(angle: float, width: int, far: float) -> None:
    darkness = _blank_page()
    tip = _loop(darkness, angle, far, side=22.0, width=width)
    assert _looped(darkness, tip, far)


@pytest.mark.parametrize("angle", [30.0, 135.0, 250.0])
@pytest.mark.parametrize("width", [3, 5, 8])
def test_a_stroke_that_runs_out_and_stops_is_no_loop(angle: float, width: int) -> None:
    """A tick's arm, a slash's end, an X's stroke: nothing enclosed, however broad the
    line, so it lies on no loop's line either."""
    darkness = _blank_page()
    _line(darkness, np.array([[0.0, 0.0], 1.8 * _direction(angle)]), width)
    tip = CENTER + 1.8 * RADIUS * _direction(angle)
    assert not _looped(darkness, tip, 1.8)
    assert not _looped(darkness, tip, 1.8, legs=True)


def test_a_groove_inside_a_broad_stroke_is_no_loop() -> None:
    """A dry ballpoint's groove along a broad line: paper a pixel wide, enclosed."""
    darkness = _blank_page()
    arm = np.array([[0.0, 0.0], [1.8, 0.0]])
    _line(darkness, arm, 8)
    _line(darkness, np.array([[1.15, 0.0], [1.6, 0.0]]), 1, value=0.0)
    assert np.any(_ink(darkness)[100, 125:130] > PAPER * (1 - INK_AT))  # paper inside ink
    assert not _looped(darkness, CENTER + 1.8 * RADIUS * _direction(0.0), 1.8)


def test_the_crescent_a_short_fill_leaves_inside_the_outline_is_no_loop() -> None:
    """A fill short of an outline printed as dark as ink: the paper between them is
    enclosed, inside the outline; a stroke runs out across it."""
    darkness = _blank_page(fill_radii=0.8)
    cv2.circle(darkness, (100, 100), int(RADIUS), PEN, 2, cv2.LINE_AA)
    _line(darkness, np.array([[0.0, 0.0], [1.2, 0.0]]), 3)
    assert not _looped(darkness, CENTER + 1.2 * RADIUS * _direction(0.0), 1.2)


def test_paper_held_against_a_neighbours_outline_is_no_loop() -> None:
    """A loop that runs on to the next bubble's outline: what it encloses there may be
    the gap between two outlines closed by two strokes."""
    darkness = _blank_page()
    tip = _loop(darkness, 0.0, 1.9, side=22.0, width=3)
    assert _looped(darkness, tip, 1.9)
    assert not _looped(darkness, tip, 1.9, _around([(100.0 + 2.6 * RADIUS, 100.0)]))


def test_paper_closed_in_by_a_neighbours_mark_is_no_loop() -> None:
    """Paper between a neighbour's fill, running far past its outline, and a loop: the
    neighbour's ink, not the loop, may be what closes it."""
    darkness = _blank_page()
    tip = _loop(darkness, 0.0, 1.9, side=22.0, width=3)
    neighbour = [(100.0 + 3.6 * RADIUS, 100.0)]
    assert _looped(darkness, tip, 1.9, _around(neighbour))
    assert not _looped(darkness, tip, 1.9, _around(neighbour, reach=2.2))


def test_a_printed_digits_bowl_a_stroke_runs_past_is_no_loop() -> None:
    """A stroke run out past a question's number printed beside the bubble: the digit's
    bowl is paper enclosed at its tip, within its reach, but off by itself, away from
    the fill (a loop's paper reaches in to the fill's overshoot)."""
    darkness = _blank_page()
    _line(darkness, np.array([[0.0, 0.0], 1.98 * _direction(180.0)]), 3)
    _ring(darkness, 1.92, 187.0)
    assert not _looped(darkness, CENTER + 1.98 * RADIUS * _direction(180.0), 1.98)


def test_an_end_followed_as_far_as_the_reach_is_sampled_shows_no_tip() -> None:
    """A stroke that runs on past the last reach sample may stop anywhere beyond: what
    it encloses there is not known to be its own loop."""
    darkness = _blank_page()
    tip = _loop(darkness, 0.0, 1.9, side=22.0, width=3)
    assert _looped(darkness, tip, 1.9)
    assert not _looped(darkness, tip, REACH_LIMIT)


def test_a_curl_on_a_stroke_that_runs_on_is_no_loop() -> None:
    """A stroke curled once by the fill and run on out: its tip lies well past the paper
    the curl closes, not a line beyond it."""
    darkness = _blank_page()
    _loop(darkness, 0.0, 1.4, side=35.0, width=2)
    _line(darkness, np.array([1.4 * _direction(0.0), 1.98 * _direction(0.0)]), 3)
    assert not _looped(darkness, CENTER + 1.98 * RADIUS * _direction(0.0), 1.98)


def test_paper_enclosed_past_where_the_stroke_stops_is_no_loop() -> None:
    """A small ring of ink beyond a stroke's tip (another mark, a printed letter's bowl):
    the stroke stops short of it."""
    darkness = _blank_page()
    _line(darkness, np.array([[0.0, 0.0], 1.3 * _direction(45.0)]), 3)
    _ring(darkness, 1.7, 45.0)
    assert not _looped(darkness, CENTER + 1.3 * RADIUS * _direction(45.0), 1.3)


def test_a_loop_seen_only_at_a_lighter_level_is_one_there() -> None:
    """Paper a loop encloses is looked for at each level the end was seen at: a light
    pass of the pen, under the ink threshold, encloses it at one pass."""
    darkness = _blank_page()
    tip = _loop(darkness, 60.0, 1.8, side=22.0, width=3, value=0.25)
    ink, around = _ink(darkness), _around()
    tips, reach = tip[None].astype(np.float32), np.array([1.8])
    assert not looped_ends(ink, around, tips, reach, (INK_AT,), PPM, REACH_STEP, REACH_LIMIT)[0]
    assert looped_ends(ink, around, tips, reach, (0.15, INK_AT), PPM, REACH_STEP, REACH_LIMIT)[0]


@pytest.mark.parametrize("width", [3, 5])
def test_a_loops_leg_seen_short_of_its_apex_lies_on_its_line(width: int) -> None:
    """A swing out to 1.9 radii and back, 22° round either side: seen along its leg, 17°
    off its apex, ink runs out only 1.5 radii, short of the paper the loop closes. No
    loop by itself (that paper lies past the end's tip), but the end lies on a loop's
    line: an X's end there may be a scribble's."""
    darkness = _blank_page()
    _loop(darkness, 0.0, 1.9, side=22.0, width=width)
    leg = CENTER + 1.5 * RADIUS * _direction(17.0)
    assert not _looped(darkness, leg, 1.5)
    assert _looped(darkness, leg, 1.5, legs=True)


def test_a_loop_followed_as_far_as_the_reach_is_sampled_lies_on_its_line() -> None:
    """A loop out to 2.05 radii, its end seen to the last reach sample: its tip is not
    known (no loop by itself), but the end runs along a loop's line."""
    darkness = _blank_page()
    _loop(darkness, 0.0, 2.05, side=22.0, width=3)
    end = CENTER + REACH_LIMIT * RADIUS * _direction(0.0)
    assert not _looped(darkness, end, REACH_LIMIT)
    assert _looped(darkness, end, REACH_LIMIT, legs=True)
