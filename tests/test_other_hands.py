"""Pages of the other-hands bench (``bench/other_hands.py``: marks drawn by other means
than the corpus's simulator, passes of a pen laid side by side) that once read a mark
with a wrong definite state."""

from __future__ import annotations

import pytest
from other_hands import read_page

from omr.vocabulary.states import MarkState


@pytest.mark.parametrize(
    ("sheet", "seed", "dpi"),
    [
        ("specializare-asistenti", 5, 150),
        ("specializare-asistenti", 5, 300),
        ("rezidentiat", 6, 150),
    ],
)
def test_a_ballpoint_tick_across_a_fills_passes_is_never_filled(
    sheet: str, seed: int, dpi: int
) -> None:
    """A tick over a fill whose long arm barely leaves it (1.3 radii from the centre) shows
    inside, where its arms run across the fill's passes, darker than the fill's own lines
    that way: on these pages it read ``filled`` until those lines were looked at."""
    read = read_page(sheet, "ballpoint", seed, dpi)
    assert read["tick"][MarkState.FILLED] == 0
    assert read["tick"][MarkState.UNCLEAR] > 0
    assert read["fill"][MarkState.FILLED] > 0
