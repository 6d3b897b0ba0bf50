"""Real scans of forms printed by others (``fixtures/real/``) through the reader.

Under the simulated corpus's rule (``tests/test_corpus.py``): no silent error on any page
that is not refused, and every sheet read exactly or sent to a person. A blank of a form
that the reader reads must read blank and ``ok``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluation import Tally, load_truths, read_tally

from omr.reading.pipeline import ReadOptions, read_files
from omr.sheet.template import load_template
from omr.vocabulary.states import MarkState, PageStatus

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "real"
MIN_SCANS, MIN_FORMS = 10, 4
MAX_CORPUS_BYTES = 8_000_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tally() -> Tally:
    return read_tally(CORPUS)


def _blank(judgement) -> bool:
    return all(b[3] == MarkState.BLANK for b in judgement.truth.expected["bubbles"])


def test_the_corpus_holds_real_scans_of_several_forms(tally: Tally) -> None:
    scans = [j for j in tally.judgements if not _blank(j)]
    assert len(scans) >= MIN_SCANS
    assert len({j.truth.subset for j in scans}) >= MIN_FORMS
    size = sum(path.stat().st_size for path in CORPUS.rglob("*") if path.is_file())
    assert size <= MAX_CORPUS_BYTES, f"{size:,} bytes"


def test_no_silent_errors(tally: Tally) -> None:
    assert tally.silent_errors() == []


def test_every_sheet_is_exact_or_flagged(tally: Tally) -> None:
    neither = [str(j.truth.image) for j in tally.sheets if not (j.exact or j.flagged)]
    assert neither == []


def test_blanks_read_blank_and_ok_where_their_form_is_read(tally: Tally) -> None:
    blanks = [j for j in tally.judgements if _blank(j) and j.status != PageStatus.REJECTED]
    assert blanks, "no blank of a form the reader reads"
    assert [str(j.truth.image) for j in blanks if not j.exact] == []


def test_a_blurred_photo_taken_steeply_is_read(tally: Tally) -> None:
    # Two of its four bullseyes smeared by the camera's move, one 9 mm from where a
    # similarity of the others puts it (omr.sheet.bullseyes.find_blurred_rings).
    (photo,) = [j for j in tally.judgements if j.truth.image.name == "IMG_20201116_150750830.jpg"]
    assert photo.status != PageStatus.REJECTED and photo.exact


def test_scans_at_73_dpi_are_read(tally: Tally) -> None:
    # The timing track's end bars lost, its ends placed the one way the printed outlines
    # confirm; omr-2's lower square 5 px tall. Read, not refused (the corpus test holds
    # them, as every page, to no silent error).
    coarse = [j for j in tally.judgements if j.truth.image.name in ("omr-2.png", "omr-3.png")]
    assert len(coarse) == 2
    assert all(j.status != PageStatus.REJECTED for j in coarse)


def test_a_photographed_photocopy_is_read(tally: Tally) -> None:
    # Its fourth 2 mm square blurred past its edges (7 px across), its blocks' outlines
    # up to 0.9 mm from where the template, measured on a photo of the thick sheet, puts
    # them: the page bent to its four squares and outlines, each bubble aligned on its own.
    (photo,) = [j for j in tally.judgements if j.truth.image.name == "grayscale-80-gsm.jpg"]
    assert photo.status != PageStatus.REJECTED and (photo.exact or photo.flagged)


def test_fills_whose_scribble_loops_out_past_the_outline_read_filled() -> None:
    # Three fills of omr-1 whose pen swung out past the outline and back, enclosing paper
    # (no tick, slash or X does): each end they show is such a loop, on a page whose
    # print drops out (omr.reading.marks.loops).
    (truth,) = [t for t in load_truths(CORPUS) if t.image.name == "omr-1.png"]
    options = ReadOptions(template=load_template(truth.read_options["template"]))
    (reading,) = read_files([truth.image], options)
    looped = [reading.answers[q][option] for q, option in (("72", "C"), ("154", "A"), ("182", "A"))]
    assert looped == [MarkState.FILLED] * 3
