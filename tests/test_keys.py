"""Answer keys: the omr.key/1 JSON, CSV import, master keys, versions, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from scoring_support import REZ, SPEC, correct_answers, key_doc, page, score, write_json

from omr.scoring.keys import build_key, check_succession, load_key
from omr.vocabulary.errors import InputFileError, ScoringError


def version(number: int, stage: str, supersedes: int | None = None) -> dict:
    return {
        "number": number,
        "stage": stage,
        "author": "Comisia centrală",
        "time": "2025-05-15T16:00:00+03:00",
        "reason": "test",
        "supersedes": supersedes,
    }


def test_letters_are_case_insensitive_and_spelt_as_in_the_profile() -> None:
    document = key_doc(SPEC)
    document["variants"]["A"].update({"1": "B", "21": "Ca", "22": "a, c"})
    key = build_key(document, SPEC)
    assert key.variants["A"].answers[1] == {"b"}
    assert key.variants["A"].answers[21] == {"a", "c"} == key.variants["A"].answers[22]


def test_digest_depends_on_answers_not_on_version() -> None:
    plain = build_key(key_doc(SPEC), SPEC)
    versioned = build_key(key_doc(SPEC, version=version(1, "provisional")), SPEC)
    annulled = build_key(key_doc(SPEC, annulled=[3]), SPEC)
    assert plain.digest == versioned.digest != annulled.digest


def edited(change) -> dict:
    document = key_doc(SPEC, ("A", "B"))
    change(document)
    return document


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (edited(lambda d: d["variants"]["A"].update({"3": "ab"})), "key_letter_count"),
        (edited(lambda d: d["variants"]["A"].update({"30": "abc"})), "key_letter_count"),
        (edited(lambda d: d["variants"]["B"].pop("44")), "key_question_missing"),
        (edited(lambda d: d["variants"]["A"].update({"51": "a"})), "key_question_unknown"),
        (edited(lambda d: d["variants"]["A"].update({"5": "d"})), "key_letter_unknown"),
        (edited(lambda d: d["variants"]["A"].update({"5": "bb"})), "key_letter_unknown"),
        (edited(lambda d: d.update(annulled=[51])), "key_annulled_unknown"),
        (edited(lambda d: d.update(annulled={"B": [0]})), "key_annulled_unknown"),
        (edited(lambda d: d.update(profile="rezidentiat")), "key_profile_mismatch"),
    ],
)
def test_keys_that_do_not_fit_the_profile(document: dict, reason: str) -> None:
    with pytest.raises(ScoringError) as caught:
        build_key(document, SPEC)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(schema="omr.key/2"),
        lambda d: d.pop("variants"),
        lambda d: d.update(variants={}),
        lambda d: d.update(version=version(2, "revised")),  # supersedes nothing
        lambda d: d.update(version=version(1, "provisional", 1)),
        lambda d: d["variants"].update(C={"questions": {"1": 1}}),  # no master
    ],
)
def test_malformed_key_documents(change) -> None:
    with pytest.raises(InputFileError) as caught:
        build_key(edited(change), SPEC)
    assert caught.value.reason == "key_invalid"


def test_annulled_question_may_lack_an_answer() -> None:
    document = edited(lambda d: d["variants"]["A"].pop("17"))
    document["annulled"] = {"A": [17]}
    key = build_key(document, SPEC)
    assert key.variants["A"].annulled == {17} and not key.variants["B"].annulled


def master_document() -> dict:
    """Residency master key; variant B reverses the questions within each type and maps
    the letters A→B→C→D→E→A."""
    document = key_doc(REZ)
    master = document["variants"].pop("A")
    master["1"], master["51"] = "C", "BD"
    reverse = {
        **{str(q): 51 - q for q in range(1, 51)},
        **{str(q): 251 - q for q in range(51, 201)},
    }
    shift = {"A": "B", "B": "C", "C": "D", "D": "E", "E": "A"}  # variant letter → master
    document.update(master=master, annulled=[1])
    document["variants"] = {"A": {}, "B": {"questions": reverse, "options": shift}}
    return document


def test_master_key_with_permutation_and_option_mapping() -> None:
    key = build_key(master_document(), REZ)
    assert key.variants["A"].answers[1] == {"C"} and key.variants["A"].annulled == {1}
    variant_b = key.variants["B"]
    assert variant_b.answers[50] == {"B"}  # master 1 is C; variant letter B means master C
    assert variant_b.answers[200] == {"A", "C"}  # master 51 is BD
    assert variant_b.annulled == {50}
    assert variant_b.origins[200].question == 51


def test_variant_b_sheet_scored_through_the_master_key() -> None:
    answers = {str(q): {o: "blank" for o in REZ.options} for q in range(1, 201)}
    answers["200"].update(A="filled", C="filled")
    result = score(page(answers, profile=REZ, variant="B"), master_document(), REZ)
    line = result.questions[199]
    assert (line.key, str(line.points), line.master.question) == ("AC", "5.00", 51)
    assert result.questions[49].rule == "annulled (void)"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["variants"]["B"]["questions"].update({"1": 50, "2": 50}),
        lambda d: d["variants"]["B"]["options"].update(A="C"),
    ],
)
def test_bad_permutations(change) -> None:
    document = master_document()
    change(document)
    with pytest.raises(ScoringError) as caught:
        build_key(document, REZ)
    assert caught.value.reason == "key_permutation_invalid"


def test_permutation_across_question_types_is_a_letter_count_error() -> None:
    document = master_document()
    document["variants"]["B"]["questions"].update({"1": 200, "51": 50})
    with pytest.raises(ScoringError) as caught:
        build_key(document, REZ)
    assert caught.value.reason == "key_letter_count"


def test_annulling_a_question_outside_the_master_key() -> None:
    document = master_document()
    document["annulled"] = [201]
    with pytest.raises(ScoringError) as caught:
        build_key(document, REZ)
    assert caught.value.reason == "key_annulled_unknown"


def write_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "key.csv"
    path.write_text("\n".join(["variant,question,answer", *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_key(tmp_path: Path) -> None:
    rows = [f"A,{q},{'B' if q <= 20 else 'AC'}" for q in range(1, 51)]
    rows[16] = "A,17,ANULAT"
    key, profile = load_key(write_csv(tmp_path, rows), "specializare-asistenti")
    assert profile is not SPEC and profile.id == SPEC.id
    assert key.variants["A"].answers[21] == {"a", "c"}
    assert key.variants["A"].annulled == {17}


@pytest.mark.parametrize(
    ("rows", "profile", "reason"),
    [
        (["A,1,b"], None, "key_profile_missing"),
        (["A,1,b", "A,1,c"], "specializare-asistenti", "key_invalid"),
    ],
)
def test_bad_csv_keys(tmp_path: Path, rows, profile, reason) -> None:
    with pytest.raises(InputFileError) as caught:
        load_key(write_csv(tmp_path, rows), profile)
    assert caught.value.reason == reason


def test_csv_key_without_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "key.csv"
    path.write_text("q,a\n1,b\n")
    with pytest.raises(InputFileError) as caught:
        load_key(path, "specializare-asistenti")
    assert caught.value.reason == "key_invalid"


def test_key_files(tmp_path: Path) -> None:
    key, profile = load_key(write_json(tmp_path, "k.json", key_doc(REZ)))
    assert profile.id == "rezidentiat" and set(key.variants) == {"A"}
    with pytest.raises(InputFileError) as missing:
        load_key(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputFileError) as broken:
        load_key(tmp_path / "bad.json")
    with pytest.raises(ScoringError) as mismatch:
        load_key(tmp_path / "k.json", "emc")
    reasons = (missing.value.reason, broken.value.reason, mismatch.value.reason)
    assert reasons == ("key_not_found", "key_invalid", "key_profile_mismatch")


def test_versions_must_follow_each_other() -> None:
    first = build_key(key_doc(SPEC, version=version(1, "provisional")), SPEC)
    second = build_key(key_doc(SPEC, version=version(2, "revised", 1)), SPEC)
    final = build_key(key_doc(SPEC, version=version(3, "final", 2)), SPEC)
    check_succession(first, second)
    check_succession(second, final)
    for old, new in [(first, final), (final, second)]:
        with pytest.raises(ScoringError) as caught:
            check_succession(old, new)
        assert caught.value.reason == "key_not_successor"
    with pytest.raises(ScoringError) as other:
        check_succession(first, build_key(key_doc(REZ), REZ))
    assert other.value.reason == "key_profile_mismatch"


def test_score_names_the_key_version() -> None:
    result = score(page(correct_answers(SPEC)), key_doc(SPEC, version=version(2, "revised", 1)))
    assert (result.key.number, result.key.stage) == (2, "revised")
