"""The committed scan corpus (``fixtures/scans/``) through the reader, against its truth.

The targets of the accuracy benchmark (``bench/accuracy.py``) as assertions: no silent
error anywhere, every page that must be refused refused for its reason, clean and
typical sheets read bubble for bubble, few typical sheets sent to a person, every hard
sheet exact or flagged, and X's over filled circles read crossed (the rest unclear).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluation import Tally, read_tally

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "scans"
MIN_AGREEMENT = 0.9999
MAX_TYPICAL_FLAGGED = 0.02
MIN_X_CROSSED = 0.995
MAX_CORPUS_BYTES = 40_000_000  # the corpus stays small enough to clone and read in CI

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tally() -> Tally:
    return read_tally(CORPUS)


def test_corpus_has_every_subset(tally: Tally) -> None:
    sizes = {name: len(tally.subset(name).judgements) for name in ("clean", "typical", "hard")}
    assert min(sizes.values()) >= 30 and len(tally.subset("reject").judgements) >= 15
    assert len(tally.judgements) >= 150


def test_corpus_stays_within_its_size() -> None:
    size = sum(path.stat().st_size for path in CORPUS.rglob("*") if path.is_file())
    assert size <= MAX_CORPUS_BYTES, f"{size:,} bytes"


def test_no_silent_errors(tally: Tally) -> None:
    assert tally.silent_errors() == []


def test_reject_pages_are_refused_for_their_reason(tally: Tally) -> None:
    wrong = [(str(j.truth.image), j.status, j.reasons) for j in tally.misrejected()]
    assert wrong == []


def test_clean_and_typical_bubbles_agree(tally: Tally) -> None:
    assert tally.subset("clean", "typical").agreement() >= MIN_AGREEMENT


def test_few_typical_sheets_are_flagged(tally: Tally) -> None:
    typical = tally.subset("typical")
    flagged = [str(j.truth.image) for j in typical.sheets if j.flagged]
    assert len(flagged) <= MAX_TYPICAL_FLAGGED * len(typical.sheets), flagged


def test_hard_sheets_are_exact_or_flagged(tally: Tally) -> None:
    hard = tally.subset("hard")
    neither = [str(j.truth.image) for j in hard.sheets if not (j.exact or j.flagged)]
    assert neither == []


def test_x_over_filled_reads_crossed_or_unclear(tally: Tally) -> None:
    """At least 99.5 % crossed, the rest unclear: never filled or blank."""
    confusion = tally.subset("clean", "typical").confusion()
    row = {got: n for (want, got), n in confusion.items() if want == "crossed"}
    total = sum(row.values())
    assert total > 0 and row.get("crossed", 0) >= MIN_X_CROSSED * total
    assert set(row) <= {"crossed", "unclear"}
