"""Mark states and page statuses: declared once, used by the reader, the scorer and the
station alike (values are the strings of ``omr.reading/1``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class MarkState(StrEnum):
    """What the reader (or a person's decision) says of one bubble."""

    BLANK = "blank"  # no candidate ink: not chosen
    FILLED = "filled"  # the circle is filled: chosen
    CROSSED = "crossed"  # a filled circle cut with an X: the whole question scores 0
    UNCLEAR = "unclear"  # the reader cannot decide: a person decides


# The states a person may decide an unclear bubble into (a tuple, and a type for models).
DECIDED_STATES = (MarkState.BLANK, MarkState.FILLED, MarkState.CROSSED)
DecidedState = Literal[MarkState.BLANK, MarkState.FILLED, MarkState.CROSSED]


class PageStatus(StrEnum):
    """What became of one scanned page."""

    OK = "ok"  # read; its score can be final
    NEEDS_REVIEW = "needs_review"  # read; a person must look at it first
    REJECTED = "rejected"  # not read: the reasons say why


# What people read (pages, slips, minutes, overlays): the states in Romanian.
MARK_STATE_RO = {
    MarkState.BLANK: "goală",
    MarkState.FILLED: "marcată",
    MarkState.CROSSED: "anulată cu X",
    MarkState.UNCLEAR: "neclară",
}
PAGE_STATUS_RO = {
    PageStatus.OK: "citită",
    PageStatus.NEEDS_REVIEW: "de verificat",
    PageStatus.REJECTED: "respinsă",
}
