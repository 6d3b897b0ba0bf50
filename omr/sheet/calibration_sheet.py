"""The calibration sheet's layout: which reference is printed in which bubble.

The sheet (``calibration/calibration-sheet.yaml``) carries rows of reference bubbles
printed with known **coverage** (the share of the measured interior that is inked),
**tone** (how dark a solid fill is) and **crosses**, in blue and in black. Printing draws
them (:mod:`omr.printing.calibration_sheet`); calibrating reads them
(:mod:`omr.reading.calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from omr.sheet.calibration import CALIBRATION_DIR
from omr.sheet.template import Bubble, SheetTemplate, load_template
from omr.vocabulary.states import MarkState

SHEET_PATH = CALIBRATION_DIR / "calibration-sheet.yaml"
INKS = {"blue": "#1E3A9C", "black": "#151515"}
LEVELS = tuple(round(step / 10, 1) for step in range(11))

Kind = Literal["coverage", "tone", "cross_filled", "cross_empty", "blank"]


@dataclass(frozen=True, slots=True)
class Reference:
    """What is printed in one reference bubble."""

    kind: Kind
    ink: str | None
    level: float = 1.0

    def expected_state(self) -> str | None:
        """The state a calibrated reader must give it; ``None`` near a threshold."""
        if self.kind == "blank":
            return MarkState.BLANK
        if self.kind == "cross_filled":
            return MarkState.CROSSED
        if self.kind == "cross_empty":
            return MarkState.UNCLEAR
        if self.kind == "coverage":
            # A segment inked from one side: its edge crosses the interior's rim over a
            # broad arc (a tenth of the interior: 74–90° of the rim band), which neither a
            # stroke across it nor an empty circle shows: up to 40 % a partial fill.
            if self.level == 0:
                return MarkState.BLANK
            if self.level <= 0.4:
                return MarkState.UNCLEAR
            return MarkState.FILLED if self.level >= 0.7 else None
        if self.level <= 0.1:
            return MarkState.BLANK
        return (
            MarkState.UNCLEAR
            if 0.2 <= self.level <= 0.3
            else MarkState.FILLED
            if self.level >= 0.5
            else None
        )


_CROSS_ROW = (
    [Reference("blank", None)]
    + [Reference("cross_filled", ink) for ink in ("blue", "black") for _ in range(3)]
    + [Reference("cross_empty", ink) for ink in ("blue", "black") for _ in range(2)]
)
ROWS: tuple[tuple[str, tuple[Reference, ...]], ...] = (
    ("acoperire, albastru 0–100 %", tuple(Reference("coverage", "blue", v) for v in LEVELS)),
    ("acoperire, negru 0–100 %", tuple(Reference("coverage", "black", v) for v in LEVELS)),
    ("nuanță, albastru 0–100 %", tuple(Reference("tone", "blue", v) for v in LEVELS)),
    ("nuanță, negru 0–100 %", tuple(Reference("tone", "black", v) for v in LEVELS)),
    ("X pe cerc plin / gol", tuple(_CROSS_ROW)),
)


def calibration_sheet() -> SheetTemplate:
    """The calibration sheet's template."""
    return load_template(SHEET_PATH)


def reference_of(bubble: Bubble) -> Reference:
    """The reference printed in a bubble of the calibration sheet (rows repeat)."""
    assert bubble.question is not None
    _, references = ROWS[(bubble.question - 1) % len(ROWS)]
    return references[int(bubble.option) - 1]
