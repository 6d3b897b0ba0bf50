"""Printed codes: values given by which template positions carry a solid square.

On the national residency form the variant (A–D) and the domain are printed as black
squares in the timing bars. Each position of a :class:`~omr.sheet.template.CodedField` is
read as inked or not on the page straightened into template space; the set of inked
positions must be exactly one value's code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from omr.reading.template_space import TemplatePage
from omr.sheet.template import Box, CodedField, SheetTemplate
from omr.vocabulary.reasons import Problem, Reason

# Positions are read inside a margin: registration is accepted up to 1 mm off and one
# form's squares are printed 0.4 mm off, so the inner box stays on the printed square.
INNER_MARGIN_MM = 1.0
# Half-way between black print and white paper on an 8-bit scale: a printed square (black
# toner) lies far below it on any scan that shows print, and paper far above (a scan
# whose paper is gray past the middle has no page on it to read).
DARK_BELOW = 128
# A printed square darkens all of its inner box, blank paper none of it.
INKED_FRACTION = 0.5


@dataclass(frozen=True)
class CodedReading:
    """One coded field read from a page.

    ``value`` is ``None`` when ``problem`` is set (``coded_field_missing`` or
    ``coded_field_conflict``); ``fill`` is each position's dark fraction (0–1).
    """

    name: str
    value: str | None
    inked: tuple[str, ...]
    fill: dict[str, float]
    problem: Problem | None = None


def _inner(box: Box) -> Box:
    width, height = box.size_mm
    margin = min(INNER_MARGIN_MM, width / 4, height / 4)
    return Box(
        origin_mm=(box.origin_mm[0] + margin, box.origin_mm[1] + margin),
        size_mm=(width - 2 * margin, height - 2 * margin),
    )


def _dark_fraction(pixels: np.ndarray) -> float:
    return float((pixels < DARK_BELOW).mean()) if pixels.size else 0.0


def read_coded_field(page: TemplatePage, field: CodedField) -> CodedReading:
    """Read one coded field.

    Parameters
    ----------
    page : TemplatePage
        The page in template space; ``page.printed`` is (H, W) uint8.
    field : CodedField

    Returns
    -------
    CodedReading
        The value whose code is exactly the inked positions, or a reason:
        ``coded_field_missing`` (no square, or only part of a code) or
        ``coded_field_conflict`` (squares beyond any one code).
    """
    fill = {name: _dark_fraction(page.crop(_inner(box))) for name, box in field.positions.items()}
    inked = frozenset(name for name, value in fill.items() if value >= INKED_FRACTION)
    shown = tuple(sorted(inked))
    codes = field.value_cells()
    value = next((value for value, cells in codes.items() if cells == inked), None)
    if value is not None:
        return CodedReading(field.name, value, shown, fill)
    if not inked or any(inked < cells for cells in codes.values()):
        problem = Problem(
            Reason.CODED_FIELD_MISSING, field=field.name, inked=", ".join(shown) or "—"
        )
    else:
        problem = Problem(
            Reason.CODED_FIELD_CONFLICT, field=field.name, inked=", ".join(shown) or "—"
        )
    return CodedReading(field.name, None, shown, fill, problem)


def read_coded_fields(page: TemplatePage, template: SheetTemplate) -> dict[str, CodedReading]:
    """Read every coded field of ``template`` on ``page``, by field name."""
    return {field.name: read_coded_field(page, field) for field in template.coded_fields}
