"""Rules the profile decides: rounding on the total or per question, the EMC minimum of
questions (004 art. 10 c)), and an undecided bubble on an annulled question."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from scoring_support import EMC, SPEC, correct_answers, key_doc, page

from omr.scoring.keys import build_key
from omr.scoring.profiles import load_profile, profiles_dir
from omr.scoring.score import ReadingPage, score_sheet
from omr.vocabulary.errors import InputFileError


def _eighths(tmp_path: Path, on: str) -> Path:
    """The EMC profile cut to 10 questions of 0.125 points, rounded ``on`` its total or
    each question."""
    document = yaml.safe_load((profiles_dir() / "emc.yaml").read_text())
    document["question_count"], document["maximum"] = 10, "1.25"
    document["question_types"][0].update(questions="1-10", rule={"kind": "all_or_nothing"})
    document["question_types"][0]["rule"]["points"] = "0.125"
    document["rounding"] = {"places": 2, "mode": "half_up", "on": on}
    path = tmp_path / f"eighths-{on}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(("on", "total"), [("total", "1.00"), ("question", "1.04")])
def test_rounding_follows_the_profile(tmp_path: Path, on: str, total: str) -> None:
    profile = load_profile(_eighths(tmp_path, on))
    answers = correct_answers(profile)
    for question in ("9", "10"):
        answers[question] = {option: "blank" for option in profile.options}
    sheet = ReadingPage.model_validate(page(answers, profile=profile))
    score = score_sheet(sheet, build_key(key_doc(profile), profile), profile)
    assert score.total == Decimal(total)  # 8 × 0.125: 1.00 exactly, or 8 × 0.13
    assert str(score.questions[0].points) == ("0.125" if on == "total" else "0.13")


def test_an_emc_test_has_at_least_ten_questions(tmp_path: Path) -> None:
    document = yaml.safe_load((profiles_dir() / "emc.yaml").read_text())
    document["question_count"], document["maximum"] = 8, 8
    document["question_types"][0]["questions"] = "1-8"
    path = tmp_path / "emc-8.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(InputFileError) as caught:
        load_profile(path)
    assert caught.value.reason == "profile_invalid"
    assert "minimum_questions 10" in caught.value.message
    assert EMC.minimum_questions == 10


def test_an_unclear_bubble_on_an_annulled_question_does_not_hold_the_sheet() -> None:
    answers = correct_answers(SPEC)
    answers["5"]["b"] = "unclear"
    sheet = ReadingPage.model_validate(page(answers))
    held = score_sheet(sheet, build_key(key_doc(SPEC), SPEC), SPEC)
    assert held.status == "pending" and [b.question for b in held.pending] == [5]
    annulled = score_sheet(sheet, build_key(key_doc(SPEC, annulled=[5]), SPEC), SPEC)
    assert annulled.status == "final" and annulled.pending == []
    assert annulled.max == annulled.total == SPEC.maximum - SPEC.max_points(5)
