"""The channels of a scanned page the reader works on, each made once and only if used."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

# BGR channels. A drop-out red print (#D2232A) vanishes in red, where pen ink, the black
# markers and the QR stay dark, and is darkest in green, where it is easiest to find.
INK_CHANNEL, PRINT_CHANNEL = 2, 1
# A scanner in black-and-white mode writes tone as the share of black dots in a halftone
# cell, 3–6 px wide at scanning resolutions: averaging over a cell gives the tone back.
HALFTONE_CELL_PX = 4


@dataclass
class ScanChannels:
    """One decoded page: ``image`` is (H, W) gray or (H, W, 3) BGR uint8.

    ``ink`` (:data:`INK_CHANNEL`) shows pen ink and everything printed black (markers,
    the national form's blocks and print) without the drop-out print: registration and
    measurement work on it. ``gray`` shows everything, for telling a blank or blurred
    page. On a grayscale scan both are the image itself. A bi-level (dithered) scan is
    read by its tone: each pixel the mean of its halftone cell.
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

    def __post_init__(self) -> None:
        if is_bilevel(self.image):
            self.image = cv2.blur(self.image, (HALFTONE_CELL_PX, HALFTONE_CELL_PX))
            self.halftone_cell_px = HALFTONE_CELL_PX

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
