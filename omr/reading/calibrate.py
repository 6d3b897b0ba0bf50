"""Scanner calibration: derive the classifier's thresholds from a scan of the calibration sheet.

The calibration sheet (:mod:`omr.sheet.calibration_sheet`) carries reference bubbles of
known coverage, tone and crosses. The
thresholds of :class:`omr.sheet.calibration.Calibration` are policies stated in those physical
terms — a pixel is ink when at least as dark as a 35 % tone of black, a bubble is blank up to
15 % coverage and filled from 55 % — and a scanner renders them its own way. Calibrating
measures that rendering and writes the thresholds in the scanner's terms. On an ideal
scanner the result equals the default profile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from omr.reading.channels import ScanChannels
from omr.reading.line_spread import line_spread_mm
from omr.reading.marks import (
    InkLevels,
    bubble_layout,
    classify_marks,
    measure_bubbles,
)
from omr.reading.marks.levels import SMUDGE_ABOVE_PAPER
from omr.reading.page_checks import thin_lines_at_risk
from omr.reading.registration.page import register_page
from omr.reading.template_space import warp_to_template
from omr.sheet.calibration import Calibration, load_calibration
from omr.sheet.calibration_sheet import INKS, Kind, calibration_sheet, reference_of
from omr.vocabulary.errors import ExitCode, OmrError
from omr.vocabulary.reasons import Problem, Reason

# The policies, in physical terms: the default profile states them for an ideal scanner,
# whose tones are what they are printed at.
_IDEAL = Calibration()
INK_TONE = _IDEAL.ink_darkness
BLANK_COVERAGE = _IDEAL.blank_max_fill
FILLED_FLOOR_COVERAGE = _IDEAL.filled_min_fill_floor
FILLED_COVERAGE = _IDEAL.filled_min_fill
SMUDGE_TONE = _IDEAL.smudge_darkness
# What a calibration sheet may set, whatever its scan shows: an ink threshold between
# the faintest pencil a scanner tells from paper (the default profile's floor, 15 %) and
# 60 % (past that, a black pen's blurred stroke edges would be paper); a smudge threshold
# between the faintest tone a scan tells from paper (5 %) and the lightest fill's tone
# (30 %). Blank and filled coverage stand apart by more than that 5 % of the interior.
INK_DARKNESS_RANGE = (_IDEAL.ink_darkness_floor, 0.6)
SMUDGE_RANGE, SEPARATION_MIN = (SMUDGE_ABOVE_PAPER, 0.3), SMUDGE_ABOVE_PAPER


def _reference_levels(calibration: Calibration) -> InkLevels:
    """The calibration sheet's references are absolute tones, not a candidate's pen: ink
    from ``ink_darkness``, a reference as dark as that is never a faint fill, and a
    smudge starts at ``smudge_darkness`` over the paper."""
    return InkLevels(
        calibration.ink_darkness / calibration.fill_tone_share,
        calibration.ink_darkness,
        calibration.smudge_darkness,
    )


class CalibrationError(OmrError):
    """The scan cannot give a profile (unreadable, or the references do not separate)."""

    exit_code = ExitCode.failed_pages


def _failed(warnings: list[Problem], detail_en: str, detail_ro: str) -> CalibrationError:
    """The scan's failure to give a profile (``detail_en``, ``detail_ro``), followed by
    what the scan warns of (``warnings``): a streak, a coarse resolution or a soft scan
    is the cause a room head can mend before scanning again (a black-and-white mode
    that thresholds, the one cause of a scan refused whole)."""
    return CalibrationError(
        Reason.CALIBRATION_FAILED,
        detail_en="; ".join([detail_en, *(warning.message for warning in warnings)]),
        detail_ro="; ".join([detail_ro, *(warning.message_ro for warning in warnings)]),
    )


def _curve(
    values: dict[tuple[str, float], list[float]], ink: str
) -> tuple[list[float], list[float]]:
    levels = sorted(level for (name, level) in values if name == ink)
    return levels, [float(np.median(values[(ink, level)])) for level in levels]


def _at(values: dict[tuple[str, float], list[float]], ink: str, level: float) -> float:
    levels, measured = _curve(values, ink)
    return float(np.interp(level, levels, np.maximum.accumulate(measured)))


@dataclass(frozen=True)
class CalibrationResult:
    """A derived profile, how the references read with it, and what the scan of the
    sheet warns of (a streak from the scanner's glass, divided out before measuring; a
    resolution coarser than 150 dpi; a soft scan)."""

    calibration: Calibration
    mismatches: list[str]
    warnings: list[Problem]


def calibrate_from_image(image: np.ndarray, *, name: str = "scanner") -> CalibrationResult:
    """Derive a calibration profile from a scan of the calibration sheet.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The scanned calibration sheet (BGR when colour), any rotation.

    Raises
    ------
    CalibrationError
        When the sheet cannot be registered or its references do not separate blank from
        filled.
    """
    template = calibration_sheet()
    scan = ScanChannels(image)
    unreadable = scan.unreadable()
    if unreadable is not None:
        raise _failed([unreadable], "the scan cannot be read", "scanarea nu poate fi citită")
    warnings = scan.scanner_warnings()
    registration = register_page(scan, template)
    if not registration:
        raise _failed(
            warnings,
            f"not a readable calibration sheet: {registration.message}",
            f"foaia nu poate fi citită: {registration.message_ro}",
        )
    page = warp_to_template(scan, registration.homography, template)
    spread = line_spread_mm(page, template.registration, registration.marks_mm)
    warnings += thin_lines_at_risk(page, spread)
    layout = bubble_layout(template, True)
    bubbles = layout.bubbles
    references = [reference_of(bubble) for bubble in bubbles]

    def measured(calibration: Calibration, kind: Kind, attribute: str):
        values: dict[tuple[str, float], list[float]] = defaultdict(list)
        measure = measure_bubbles(page, layout, calibration, _reference_levels(calibration))
        for index, reference in enumerate(references):
            if reference.kind == kind and reference.ink is not None:
                values[(reference.ink, reference.level)].append(
                    float(getattr(measure, attribute)[index])
                )
        return values

    base = load_calibration()
    darkness = measured(base, "tone", "darkness")
    ink_darkness = _at(darkness, "black", INK_TONE)
    probe = base.model_copy(
        update={"ink_darkness": float(np.clip(ink_darkness, *INK_DARKNESS_RANGE))}
    )
    fill = measured(probe, "coverage", "fill")
    blank_max = max(_at(fill, ink, BLANK_COVERAGE) for ink in INKS)
    floor = min(_at(fill, ink, FILLED_FLOOR_COVERAGE) for ink in INKS)
    filled_min = min(_at(fill, ink, FILLED_COVERAGE) for ink in INKS)
    if not blank_max + SEPARATION_MIN < floor <= filled_min:
        raise _failed(
            warnings,
            f"the references do not separate blank from filled (blank up to {blank_max:.2f}, "
            f"filled from {floor:.2f}): rescan sharper, or check the scanner's settings",
            f"referințele nu despart golul de plin (gol până la {blank_max:.2f}, plin de la "
            f"{floor:.2f}): scanați mai clar sau verificați setările scanerului",
        )
    values = {
        "name": name,
        "ink_darkness": round(float(probe.ink_darkness), 3),
        "blank_max_fill": round(blank_max, 3),
        "filled_min_fill_floor": round(floor, 3),
        "filled_min_fill": round(filled_min, 3),
        "smudge_darkness": round(
            float(np.clip(_at(darkness, "black", SMUDGE_TONE), *SMUDGE_RANGE)), 3
        ),
    }
    calibration = base.model_copy(update=values)
    measure = measure_bubbles(page, layout, calibration, _reference_levels(calibration))
    states = classify_marks(measure, calibration)
    mismatches = [
        f"row {bubble.question} bubble {bubble.option} ({ref.kind} {ref.ink or ''} "
        f"{ref.level:.0%}): read {state.state}, expected {ref.expected_state()}"
        for bubble, ref, state in zip(bubbles, references, states, strict=True)
        if ref.expected_state() not in (None, state.state)
    ]
    return CalibrationResult(
        Calibration.model_validate(calibration.model_dump(by_alias=True)),
        mismatches,
        warnings,
    )
