"""Item analysis: correct shares, point-biserial, option distributions, flags, plots."""

from __future__ import annotations

from pathlib import Path

import pytest
from scoring_support import SPEC, correct_answers, key_doc, marks_of, page, score

from omr.committee.item_analysis import analyse_items, items_csv, plot_items, point_biserial


def cohort():
    """Ten sheets: candidate i gets the first 5*i questions right, the rest blank;
    on question 1 the best four fill c although the key says a."""
    sheets = []
    for i in range(10):
        answers = correct_answers(SPEC)
        for question in range(5 * i + 1, 51):
            answers[str(question)] = marks_of("...", SPEC.options)
        if i >= 6:
            answers["1"] = marks_of("..F", SPEC.options)
        sheets.append(score(page(answers, candidate=f"c{i}"), key_doc(SPEC, annulled=[50])))
    return sheets


def test_point_biserial() -> None:
    assert point_biserial([True, True, False, False], [10, 8, 2, 0]) == pytest.approx(0.970, 1e-3)
    assert point_biserial([True, True], [1, 2]) is None
    assert point_biserial([True, False], [3, 3]) is None


def test_shares_distribution_and_flag() -> None:
    stats = {item.item: item for item in analyse_items(cohort())}
    assert "A50" not in stats  # annulled
    assert list(stats)[:3] == ["A1", "A2", "A3"]
    first = stats["A1"]
    assert first.sheets == 10 and first.correct_share == pytest.approx(0.5)  # c1..c5 right
    assert {o.option: o.filled for o in first.options} == {"a": 5, "b": 0, "c": 4}
    assert first.blank == 1
    assert first.discrimination is not None and first.discrimination < 0
    assert first.flag == "100% of the top group filled c; the key says a"
    assert stats["A40"].flag is None
    assert stats["A40"].discrimination > 0.5


def test_pending_sheets_are_left_out() -> None:
    answers = correct_answers(SPEC)
    answers["2"]["a"] = "unclear"
    assert analyse_items([score(page(answers), key_doc(SPEC))]) == []


def test_csv_and_plots(tmp_path: Path) -> None:
    sheets = cohort()
    stats = analyse_items(sheets)
    lines = items_csv(stats).splitlines()
    assert lines[0].split(",")[:6] == [
        "item",
        "type",
        "key",
        "sheets",
        "correct_share",
        "discrimination",
    ]
    assert len(lines) == 1 + 49
    written = plot_items(stats[:3], [float(s.total) for s in sheets], tmp_path)
    assert [path.name for path in written] == [
        "item-A1.png",
        "item-A2.png",
        "item-A3.png",
        "score-histogram.png",
    ]
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in written)
