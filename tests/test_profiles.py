"""Exam profiles: the bundled ones load, bad ones are refused with a reason."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from scoring_support import EMC, REZ, SPEC

from omr.scoring.profiles import Rounding, load_profile, parse_ranges, profiles_dir
from omr.vocabulary.errors import InputFileError


def test_profiles_dir_is_in_the_repository() -> None:
    assert profiles_dir() == Path(__file__).resolve().parent.parent / "sheet_templates" / "profiles"
    assert {path.stem for path in profiles_dir().glob("*.yaml")} >= {
        "specializare-asistenti",
        "rezidentiat",
        "emc",
    }


@pytest.mark.parametrize(
    ("profile", "templates", "maximum", "ink", "options"),
    [
        (SPEC, ["specializare-asistenti"], "10.00", "blue", ["a", "b", "c"]),
        (REZ, ["rezidentiat", "rezidentiat-national-2025"], "950", "black", list("ABCDE")),
        (EMC, ["emc"], "30", "blue", list("ABCDE")),
    ],
)
def test_bundled_profiles(profile, templates, maximum, ink, options) -> None:
    assert profile.templates == templates
    assert profile.maximum == Decimal(maximum)
    assert (profile.ink, profile.options, profile.annulment) == (ink, options, "void")


def test_points_are_exact_decimals() -> None:
    assert SPEC.max_points(1) == Decimal("0.2")
    assert SPEC.max_points(21) == Decimal("0.2")
    assert isinstance(SPEC.question_types[1].rule.per_option, Decimal)
    assert REZ.max_points(50) == 4 and REZ.max_points(51) == 5


@pytest.mark.parametrize(
    ("profile", "total", "correct", "counted", "national", "expected"),
    [
        (SPEC, "6.00", 30, 50, None, True),
        (SPEC, "5.99", 30, 50, None, False),
        (REZ, "570", 0, 200, None, None),
        (REZ, "570", 0, 200, "950", True),
        (REZ, "569.99", 0, 200, "950", False),
        (EMC, "23", 23, 30, None, True),  # 23/30 = 76.7 %
        (EMC, "22", 22, 30, None, False),  # 73.3 %
        (EMC, "0", 0, 0, None, False),
    ],
)
def test_pass_rules(profile, total, correct, counted, national, expected) -> None:
    maximum = None if national is None else Decimal(national)
    assert profile.passes(Decimal(total), correct, counted, maximum) is expected


@pytest.mark.parametrize(
    ("mode", "value", "expected"),
    [("half_up", "7.305", "7.31"), ("half_even", "7.305", "7.30"), ("down", "7.309", "7.30")],
)
def test_rounding(mode: str, value: str, expected: str) -> None:
    assert str(Rounding(places=2, mode=mode).apply(Decimal(value))) == expected


def test_ranges() -> None:
    assert parse_ranges("1-3, 7") == {1, 2, 3, 7}
    with pytest.raises(ValueError):
        parse_ranges("5-2")


def write_profile(tmp_path: Path, edit) -> Path:
    document = yaml.safe_load((profiles_dir() / "specializare-asistenti.yaml").read_text())
    edit(document)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["question_types"][1].update(questions="22-50"), "without gaps"),
        (lambda d: d.update(maximum="9.00"), "maximum is 9.00"),
        (lambda d: d.update(ink="red"), "ink"),
        (lambda d: d["question_types"][0]["rule"].update(kind="best_guess"), "rule"),
        (lambda d: d["question_types"][1].update(key_letters=[1, 2]), "exact key_letters"),
        (lambda d: d["pass"].append({"kind": "absolute"}), "pass.1.absolute.minimum"),
        (lambda d: d.update(options=["a", "A", "c"]), "distinct"),
    ],
)
def test_bad_profiles_are_refused(tmp_path: Path, edit, message: str) -> None:
    with pytest.raises(InputFileError) as caught:
        load_profile(write_profile(tmp_path, edit))
    assert caught.value.reason == "profile_invalid"
    assert message in caught.value.message


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(InputFileError) as caught:
        load_profile(path)
    assert caught.value.reason == "profile_invalid"


def test_unknown_profile() -> None:
    with pytest.raises(InputFileError) as caught:
        load_profile("bacalaureat")
    assert caught.value.reason == "profile_not_found"
    assert "rezidentiat" in caught.value.message
