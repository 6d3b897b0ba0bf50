"""Identity of a sheet: QR payload, bubbled candidate number, variant, ink colour."""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from omr.reading.marks import BubbleState
from omr.reading.template_space import TemplatePage
from omr.sheet.qr_identity import SheetIdentity, parse_identity, tag_is_valid
from omr.sheet.template import Box, Bubble, SheetTemplate
from omr.vocabulary.errors import ScanError
from omr.vocabulary.reasons import Problem, Reason
from omr.vocabulary.states import MarkState

# The QR code is looked for in its printed box and 3 mm round it: a registered page is
# off by well under a millimetre, and a decoder needs the code's quiet zone round it.
QR_MARGIN_MM = 3.0


def decode_qr(page: TemplatePage, template: SheetTemplate) -> str | None:
    """The text of the QR code in the template's QR box, or ``None``."""
    if template.qr is None:
        return None
    box = template.qr.box
    margin = Box(
        origin_mm=(box.origin_mm[0] - QR_MARGIN_MM, box.origin_mm[1] - QR_MARGIN_MM),
        size_mm=(box.size_mm[0] + 2 * QR_MARGIN_MM, box.size_mm[1] + 2 * QR_MARGIN_MM),
    )
    # The scan's own pixels first: straightening resamples the modules, and the QR
    # decoder finds a code at any angle itself.
    for straighten in (page.source_crop, page.crop):
        crop = straighten(margin)
        if crop.size == 0:
            continue
        for candidate in (
            crop,
            cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1],
        ):
            results = zxingcpp.read_barcodes(candidate, formats=zxingcpp.BarcodeFormat.QRCode)
            if results:
                return results[0].text
    return None


def check_identity(
    text: str | None, template: SheetTemplate, *, exam: str | None, secret: bytes | None
) -> tuple[SheetIdentity | None, list[Problem]]:
    """Parse and verify the QR text.

    Returns
    -------
    identity, problems
        Another template, version or exam and a forged tag reject the page; an
        unreadable QR needs a person (their severities say so).
    """
    if template.qr is None:
        return None, []
    if text is None:
        return None, [Problem(Reason.QR_UNREADABLE)]
    try:
        identity = parse_identity(text)
    except ScanError as error:
        return None, [error.problem]
    if identity.template != template.id:
        return identity, [
            Problem(Reason.QR_OTHER_TEMPLATE, printed=identity.template, template=template.id)
        ]
    if identity.template_version != template.version:
        return identity, [
            Problem(
                Reason.TEMPLATE_VERSION_OTHER,
                printed=identity.template_version,
                template=template.id,
                expected=template.version,
            )
        ]
    if exam is not None and identity.exam != exam:
        return identity, [Problem(Reason.QR_WRONG_EXAM, printed=identity.exam, exam=exam)]
    if secret is not None and not tag_is_valid(identity, secret):
        return identity, [Problem(Reason.QR_BAD_SIGNATURE)]
    return identity, []


def read_bubbled_field(
    bubbles: list[Bubble], states: list[BubbleState], field: str
) -> dict[int | None, list[tuple[str, str]]]:
    """Group a field's bubbles by column: column → [(option, state)]."""
    columns: dict[int | None, list[tuple[str, str]]] = {}
    for bubble, state in zip(bubbles, states, strict=True):
        if bubble.field == field:
            columns.setdefault(bubble.question, []).append((bubble.option, state.state))
    return columns


def single_choice(options: list[tuple[str, str]]) -> str | None:
    """The one filled option of a column, ``None`` when it is not exactly one."""
    marked = (MarkState.FILLED, MarkState.CROSSED)
    chosen = [option for option, state in options if state in marked]
    undecided = [option for option, state in options if state not in (*marked, MarkState.BLANK)]
    if len(chosen) == 1 and not undecided:
        return chosen[0]
    return None


def read_candidate_number(
    columns: dict[int | None, list[tuple[str, str]]],
) -> tuple[str | None, Problem | None]:
    """The bubbled candidate number; all-blank gives ``(None, None)``."""
    if not columns:
        return None, None
    if all(state == MarkState.BLANK for options in columns.values() for _, state in options):
        return None, None
    digits = []
    for position in sorted(columns, key=lambda key: key or 0):
        digit = single_choice(columns[position])
        if digit is None:
            return None, Problem(Reason.CANDIDATE_NUMBER_UNCLEAR, position=position)
        digits.append(digit)
    return "".join(digits), None


# A fill's median colour is settled by a couple of thousand pixels: two dozen bubbles.
INK_SAMPLE_BUBBLES = 24
# The fill's colour is sampled within 0.6 of the bubble's half-width: inside its
# interior (0.72 of the radius) on circles and on the residency grid's ellipses too
# (4.0 × 3.2 mm: 0.75 of the half-height, 0.7 once the radius is whole pixels at 8 px/mm).
INK_DISC = 0.6
# Ink is a pixel whose channels average under 150 of 255 (40 % under white paper): a
# pen's fill (0.84 of the paper's light absorbed by a ballpoint's, 0.95 by a black
# felt-tip's on the pages measured) passes, the paper and a fill's blurred edge do not.
# Blue paste leaves blue 45-71 levels over red and green on the corpus's blue fills
# (hard sheets' lightest the least), a gray ink (a black pen, pencil) its channels
# within 5 of each other: blue from 25 levels over both, black while the channels lie
# within 35 (a little warm or cool), any other tint a colour of its own.
INK_CHANNEL_MEAN_BELOW, BLUE_OVER, GRAY_WITHIN = 150, 25, 35


def ink_colour(page: TemplatePage, centers_px: np.ndarray, radius_px: float) -> str | None:
    """The dominant ink colour inside the given bubbles: blue, black or other.

    ``None`` on grayscale scans or when there is no ink to look at.
    """
    if not page.is_colour or len(centers_px) == 0:
        return None
    if len(centers_px) > INK_SAMPLE_BUBBLES:  # spread over the page, in reading order
        centers_px = centers_px[np.linspace(0, len(centers_px) - 1, INK_SAMPLE_BUBBLES).astype(int)]
    radius = max(1, int(radius_px * INK_DISC))
    # Every other pixel both ways: the median colour of a fill needs no more.
    ys, xs = np.mgrid[-radius : radius + 1 : 2, -radius : radius + 1 : 2]
    disc = np.stack([xs, ys], -1)[xs**2 + ys**2 <= radius**2]
    points = (centers_px[:, None, :] + disc[None]).reshape(-1, 2)
    pixels = page.sample_colour(points).astype(np.int16)
    dark = pixels[pixels.sum(axis=1) < 3 * INK_CHANNEL_MEAN_BELOW]
    if not len(dark):
        return None
    blue, green, red = np.median(dark, axis=0)
    if blue - max(red, green) >= BLUE_OVER:
        return "blue"
    if max(blue, green, red) - min(blue, green, red) < GRAY_WITHIN:
        return "black"
    return "other"
