"""The channels of a scanned page the reader works on, each made once and only if used."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

from omr.reading.streaks import Streak, find_streaks, flat_fielded
from omr.vocabulary.reasons import Problem, Reason

# BGR channels. A drop-out red print (#D2232A) vanishes in red, where pen ink, the black
# markers and the QR stay dark, and is darkest in green, where it is easiest to find.
INK_CHANNEL, PRINT_CHANNEL = 2, 1
# A scanner in black-and-white mode writes tone as the share of black dots in a halftone
# cell, 3–6 px wide at scanning resolutions: averaging over a cell gives the tone back.
HALFTONE_CELL_PX = 4
# Or it thresholds: its black pixels are lines and areas, and those on their edges (beside
# a white pixel) each touch two black others or more, but at a line's ends and in specks:
# under a fifth of them on the families' scans thresholded at mid-grey or by Otsu's
# threshold (the most where a pencil's tone at the threshold broke into specks). A
# halftone's are dots, a third of its edge pixels or more apart (error diffusion; half or
# more on the families' ordered screens), however much solid black the page holds. A
# page with a quarter or more apart may be a halftone's.
DOTS_APART_SHARE = 0.25
# But a pen's fill whose tone lies near the threshold breaks into specks, apart too (up
# to a third of the edge pixels on the other-hands bench's ballpoint and pencil pages). A
# halftone also writes every tone darker than half as white dots among black: lone white
# pixels, 0.11 or more per black pixel inside black (all four neighbours black) on every
# dithered page (the families' 57, Bayer's screen and error diffusion; the other-hands
# bench's 60 on Bayer's), where a threshold leaves solid black areas, and a lone white
# pixel only where its noise broke a mark: 0.007 at most at mid-grey, 0.013 at a dark 96
# of 255, less at lighter ones and by Otsu's (the other-hands bench's pages, 30 to a
# threshold). A halftone's page has 0.035 or more, the two's middle (three times either).
LONE_WHITE_SHARE = 0.035
# A threshold keeps a stroke only where it is darker than the threshold, and nothing on
# the page tells where that lay. One pass of a ballpoint is lighter than its fills, and
# its thinnest line keeps half of that on its middle through a scanner's blur
# (``levels.SINGLE_STROKE_KEPT``): under a mid-grey threshold an X, a tick or a slash
# drawn over a fill is gone, the fill left plain, and a person looking at the scan sees
# no more. A thresholded scan is refused (``scan_thresholded``); a halftone keeps the
# tone, dot by dot, and is read.


@dataclass
class ScanChannels:
    """One decoded page: ``image`` is (H, W) gray or (H, W, 3) BGR uint8.

    ``ink`` (:data:`INK_CHANNEL`) shows pen ink and everything printed black (markers,
    the national form's blocks and print) without the drop-out print: registration and
    measurement work on it. ``gray`` shows everything, for telling a blank or blurred
    page. On a grayscale scan both are the image itself. A bi-level (dithered) scan is
    read by its tone: each pixel the mean of its halftone cell. A thresholded one is not
    read at all (:meth:`unreadable`). Every page read has the scanner's streaks divided
    out (:mod:`omr.reading.streaks`).
    """

    image: np.ndarray
    _ink_levels: list[np.ndarray | None] = field(default_factory=list, init=False, repr=False)
    # The print channel of one px rectangle (left, top, right, bottom) of a colour scan.
    _print_part: tuple[tuple[int, int, int, int], np.ndarray] | None = field(
        default=None, init=False, repr=False
    )
    # px: the halftone cell a bi-level scan's pixels are the mean of (0: a scan that writes
    # its tone itself); every line on the page is read up to a cell broader.
    halftone_cell_px: int = field(default=0, init=False)
    # A bi-level scan written by a threshold, not a halftone (:data:`DOTS_APART_SHARE`,
    # :data:`LONE_WHITE_SHARE`).
    thresholded: bool = field(default=False, init=False)
    # The scanner's streaks down the page, divided out of ``image``.
    streaks: list[Streak] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if is_bilevel(self.image):
            apart, lone_white = halftone_signs(self.image)
            self.thresholded = apart < DOTS_APART_SHARE or lone_white < LONE_WHITE_SHARE
            if self.thresholded:
                return  # nothing of it is read (:meth:`unreadable`)
            self.image = cv2.blur(self.image, (HALFTONE_CELL_PX, HALFTONE_CELL_PX))
            self.halftone_cell_px = HALFTONE_CELL_PX
        # A halftone's cells keep a streak's share of the light.
        self.streaks = find_streaks(self.ink)
        if self.streaks:
            self.image = flat_fielded(self.image, self.streaks)
            self.__dict__.pop("ink", None)

    def unreadable(self) -> Problem | None:
        """Why nothing of this scan can be read with confidence, or None: a black-and-white
        mode that thresholds (:data:`DOTS_APART_SHARE`, :data:`LONE_WHITE_SHARE`) loses a
        pen's thin lines over fills and its light marks, and the room head is told to scan
        in gray or colour."""
        return Problem(Reason.SCAN_THRESHOLDED) if self.thresholded else None

    def scanner_warnings(self) -> list[Problem]:
        """What the scan tells the room head of the scanner: each streak divided out, where
        it lies across the scan (its share of the width, from the left), to clean the
        glass."""
        width = self.image.shape[1]
        return [
            Problem(Reason.SCANNER_STREAK, x_share=(streak.first + streak.last) / 2 / width)
            for streak in self.streaks
        ]

    @property
    def tone_step(self) -> float:
        """The finest difference of tone the page writes: one pixel of a bi-level scan's
        halftone cell (0: a scan that writes its tones itself, in steps finer than its
        flat field)."""
        return 1.0 / self.halftone_cell_px**2 if self.halftone_cell_px else 0.0

    @property
    def is_colour(self) -> bool:
        return self.image.ndim == 3

    @cached_property
    def ink(self) -> np.ndarray:
        return cv2.extractChannel(self.image, INK_CHANNEL) if self.is_colour else self.image

    @cached_property
    def gray(self) -> np.ndarray:
        return cv2.cvtColor(self.image, cv2.COLOR_BGR2GRAY) if self.is_colour else self.image

    def ink_halved(self, times: int) -> np.ndarray:
        """``ink`` halved ``times`` times (each a 2 × 2 mean: OpenCV's vectorised path, a
        4 MP page in 0.3 ms), every level made once: marker search and the stray-ink
        overview share them."""
        levels = self._ink_levels
        if not levels:
            levels.append(self.ink)
        while len(levels) <= times:
            halved = cv2.resize(levels[-1], None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            levels.append(halved)
        return self.ink if times == 0 else levels[times]

    def print_part(self, left: int, top: int, right: int, bottom: int) -> np.ndarray:
        """:data:`PRINT_CHANNEL` of a colour scan's px rectangle, (h, w) uint8, extracted
        once: the last rectangle asked for is kept (the outline search's, which holds
        the bubbles whose print measurement samples next)."""
        bounds = (left, top, right, bottom)
        if self._print_part is None or self._print_part[0] != bounds:
            part = cv2.extractChannel(self.image[top:bottom, left:right], PRINT_CHANNEL)
            self._print_part = (bounds, part)
        return self._print_part[1]

    def kept_print_part(self) -> tuple[np.ndarray, tuple[int, int]] | None:
        """The print part last extracted and its (left, top) px, if any (a view: one
        byte per px, where the scan's own take three)."""
        if self._print_part is None:
            return None
        (left, top, _, _), part = self._print_part
        return part, (left, top)

    def release_ink(self) -> None:
        """Let go of a colour page's full-size ink channel once the page is straightened
        (17 MB of an A3 page at 300 dpi); its halved copies stay, and it is extracted
        again if asked for."""
        if not self.is_colour:
            return
        self.__dict__.pop("ink", None)
        if len(self._ink_levels) > 1:
            self._ink_levels[0] = None
        else:
            self._ink_levels.clear()


# A bi-level scan writes 0 and 255 alone: one sampled pixel in a thousand in between
# allows for a few grays a converter leaves at the page's edge, where a gray scan has
# tens of percent of its pixels in between (every blurred edge, the paper's grain).
GRAYS_ONE_IN = 1000


def is_bilevel(image: np.ndarray) -> bool:
    """Whether a gray page holds only black and white (a sample of its pixels)."""
    if image.ndim != 2 or image.size == 0:
        return False
    return is_bilevel_sample(image[::7, ::7])


def is_bilevel_sample(sample: np.ndarray) -> bool:
    """:func:`is_bilevel` from its sample of a page (every 7th pixel of every 7th row)."""
    grays = int(np.count_nonzero((sample > 0) & (sample < 255)))
    return grays <= sample.size // GRAYS_ONE_IN


_EDGE_NEIGHBOURS = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.uint8)
# Rows counted at a time: the counts' temporaries stay a few MB at any resolution.
STRIP_ROWS = 256


def halftone_signs(bilevel: np.ndarray) -> tuple[float, float]:
    """Two signs of a halftone on a bi-level page: of its black pixels that touch a white
    one across an edge, the share touching at most one black one so (1 where none does):
    line ends and specks on a thresholded page, dots on a dithered one; and its white
    pixels no white one touches across an edge, per black pixel that only black ones
    touch (infinite where none does: a page of light tones alone, as a blank one, tells
    nothing): a halftone's dots in its tones darker than half, none on a thresholded
    page but where noise at the threshold broke a mark."""
    apart = edge = lone_white = inside = 0
    for top in range(0, bilevel.shape[0], STRIP_ROWS):
        # One row more either side, for the neighbours across the strip's edges.
        above, below = max(top - 1, 0), min(top + STRIP_ROWS + 1, bilevel.shape[0])
        black = (bilevel[above:below] == 0).astype(np.uint8)
        white = 1 - black
        touching = cv2.filter2D(black, -1, _EDGE_NEIGHBOURS, borderType=cv2.BORDER_CONSTANT)
        whites = cv2.filter2D(white, -1, _EDGE_NEIGHBOURS, borderType=cv2.BORDER_CONSTANT)
        rows = slice(top - above, top - above + min(STRIP_ROWS, bilevel.shape[0] - top))
        black, white, touching, whites = black[rows], white[rows], touching[rows], whites[rows]
        edge += cv2.countNonZero(black & (touching < 4))
        apart += cv2.countNonZero(black & (touching <= 1))
        lone_white += cv2.countNonZero(white & (whites == 0))
        inside += cv2.countNonZero(black & (touching == 4))
    return (apart / edge if edge else 1.0), (lone_white / inside if inside else np.inf)
