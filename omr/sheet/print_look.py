"""What the print inside a bubble looks like on the blank page, as a template writes it.

A look is the bubble's box at a few pixels per millimetre, one character a pixel, row by
row: the print's darkness in sixteen steps, ``.`` for paper, ``1``–``9`` and ``a``–``f``
up to black. In a YAML literal block it reads as a picture of the bubble (its outline and
the letter printed in it), so that a person can check it like the rest of the template.
"""

from __future__ import annotations

from functools import cache

import numpy as np

LEVELS = ".123456789abcdef"
_STEPS = len(LEVELS) - 1
_VALUES = np.full(256, -1, np.int16)
_VALUES[np.frombuffer(LEVELS.encode(), np.uint8)] = np.arange(len(LEVELS))


def pixels_of(size_mm: tuple[float, float], px_per_mm: float) -> tuple[int, int]:
    """(rows, columns) of the look of a bubble of ``size_mm`` (width, height)."""
    return round(size_mm[1] * px_per_mm), round(size_mm[0] * px_per_mm)


def encoded(darkness: np.ndarray) -> str:
    """``darkness`` (H, W), 0 (paper) to 1 (black), as the look's rows."""
    steps = np.rint(np.clip(darkness, 0.0, 1.0) * _STEPS).astype(np.intp)
    characters = np.array(list(LEVELS))[steps]
    return "".join("".join(row) + "\n" for row in characters)


def check_rows(text: str, shape: tuple[int, int]) -> None:
    """Raise ``ValueError`` unless ``text`` is ``shape`` (rows, columns) of ``LEVELS``."""
    rows = text.split()
    if len(rows) != shape[0] or any(len(row) != shape[1] for row in rows):
        raise ValueError(
            f"a look of this bubble is {shape[0]} rows of {shape[1]} characters, "
            f"not {len(rows)} rows of {sorted({len(row) for row in rows})}"
        )
    unknown = set("".join(rows)) - set(LEVELS)
    if unknown:
        raise ValueError(f"a look's pixels are among {LEVELS!r}, not {''.join(sorted(unknown))!r}")


@cache
def darkness_of(text: str) -> np.ndarray:
    """The look's rows as darkness (H, W) float32, 0 (paper) to 1 (black)."""
    codes = np.frombuffer("".join(text.split()).encode(), np.uint8)
    values = _VALUES[codes].astype(np.float32) / _STEPS
    values.flags.writeable = False
    return values.reshape(len(text.split()), -1)
