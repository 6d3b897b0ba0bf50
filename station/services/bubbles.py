"""The doubtful bubbles as the room head judges them in front of the candidate: a large
crop of the scan around each one, beside its neighbours, and what the reader measured,
in words."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from omr.sheet.template import load_template
from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import not_found
from station.services.overlays import overlay_file
from station.services.sheets import SheetView
from station.words import mark_state

ROW_MARGIN = 2.2  # the crop reaches this many bubble pitches beyond the question's row
CROP_WIDTH = 720  # px: the crop is scaled to this width for the page


@dataclass(frozen=True)
class Doubt:
    """One bubble the reader left unclear, and what a person decided (if anyone did)."""

    question: int
    option: str
    measured: str  # the reader's measurements and reasons, in Romanian
    neighbours: str  # the question's other bubbles as read
    decided: str | None  # the newest decision's state, None while undecided


def _bubbles_of(view: SheetView, question: int) -> list[dict]:
    return [
        b
        for b in view.reading.document.get("bubbles", [])
        if b.get("field") == "answers" and b.get("question") == question
    ]


def _measured(bubble: dict) -> str:
    reasons = [Reason(code).message_ro for code in bubble.get("unclear", [])]
    figures = (
        f"cerneală pe {round(100 * bubble['fill'])} % din interior, "
        f"intensitate {round(100 * bubble['darkness'])} %, "
        f"urme de X {round(100 * bubble['cross'])} %"
    )
    return "; ".join([*reasons, figures])


def doubts(view: SheetView) -> list[Doubt]:
    """Every unclear bubble of the sheet, in question order."""
    decided = {(d.question, d.option): d.state for d in view.decisions}
    found = []
    for question, option in view.unclear:
        row = _bubbles_of(view, question)
        bubble = next((b for b in row if b["option"] == option), None)
        others = [f"{b['option']} {mark_state(b['state'])}" for b in row if b["option"] != option]
        found.append(
            Doubt(
                question=question,
                option=option,
                measured=_measured(bubble) if bubble else "—",
                neighbours=", ".join(others) or "—",
                decided=decided.get((question, option)),
            )
        )
    return found


def bubble_crop(view: SheetView, settings: Settings, *, question: int, option: str) -> bytes:
    """A PNG of the overlay around a question's row, the doubtful bubble at its centre.

    Raises
    ------
    StationError
        ``not_found`` (404) without an overlay, or for a bubble the sheet lacks; the
        refusals of :func:`~station.services.overlays.overlay_file` when it cannot be drawn.
    """
    row = _bubbles_of(view, question)
    bubble = next((b for b in row if b["option"] == option), None)
    if not view.reading.overlay or bubble is None:
        raise not_found(f"bula {question}{option} a foii {view.reading.id}")
    with Image.open(overlay_file(settings, view.reading)) as overlay:
        width_mm, height_mm = load_template(view.reading.document["template"]).page_size_mm
        band = overlay.height - round(overlay.width * height_mm / width_mm)  # the caption
        xs = sorted(b["center_px"][0] for b in row)
        pitch = (xs[-1] - xs[0]) / max(1, len(xs) - 1) or 60.0
        y = bubble["center_px"][1]
        left, right = xs[0] - ROW_MARGIN * pitch, xs[-1] + ROW_MARGIN * pitch
        box = (left, y + band - 1.2 * pitch, right, y + band + 1.2 * pitch)
        crop = overlay.crop(tuple(round(v) for v in box)).convert("RGB")
    scale = CROP_WIDTH / crop.width
    crop = crop.resize((CROP_WIDTH, round(crop.height * scale)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    crop.save(buffer, format="PNG")
    return buffer.getvalue()
