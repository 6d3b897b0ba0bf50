"""``omr score``, ``omr rank`` and ``omr items`` through the CLI boundary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scoring_support import REZ, SPEC, correct_answers, key_doc, page, readings_doc, write_json

from omr.cli.main import main


@pytest.fixture
def exam(tmp_path: Path) -> Path:
    """A folder with a key, a readings file of two sheets (one pending) and a revised key."""
    answers = correct_answers(SPEC)
    answers["21"] = {"a": "filled", "b": "blank", "c": "filled"}  # key ab: 1 correct + 1 wrong
    answers["22"] = {"a": "filled", "b": "crossed", "c": "blank"}
    pending = correct_answers(SPEC)
    pending["3"]["b"] = "unclear"
    write_json(
        tmp_path, "readings.json", readings_doc(page(answers), page(pending, candidate="0002"))
    )
    write_json(tmp_path, "key.json", key_doc(SPEC))
    write_json(tmp_path, "final.json", key_doc(SPEC, annulled=[22]))
    return tmp_path


def run(*args: object) -> int:
    return main([str(arg) for arg in args])


def test_score_json_output(exam: Path, capsys) -> None:
    assert run("score", exam / "readings.json", "--key", exam / "key.json", "--json", "-") == 0
    sheets = json.loads(capsys.readouterr().out)
    first, second = sheets
    assert {k: first[k] for k in ("candidate", "variant", "status", "total", "max")} == {
        "candidate": "0001",
        "variant": "A",
        "status": "final",
        "total": "9.70",
        "max": "10.00",
    }
    assert first["source"] == {"path": "scans/0001.png", "page": 1, "sha256": "sha-0001"}
    line = first["questions"][20]
    assert (line["key"], line["points"], line["rule"]) == ("ab", "0.10", "1 correct + 1 wrong")
    assert first["questions"][21]["rule"] == "crossed → 0"
    assert (second["status"], second["total"], second["pending"]) == (
        "pending",
        None,
        [{"question": 3, "option": "b"}],
    )


def test_score_csv_and_summary(exam: Path, capsys) -> None:
    out = exam / "scores.csv"
    run("score", exam / "readings.json", "--key", exam / "key.json", "--csv", out)
    rows = out.read_text().splitlines()
    assert rows[1].startswith("scans/0001.png,1,0001,A,final,9.70,9.70,10.00,48,True,0.20")
    assert rows[2].startswith("scans/0002.png,1,0002,A,pending,,9.80,")
    assert "undecided bubbles: 3b" in capsys.readouterr().out


def test_all_final_exits_zero(exam: Path, tmp_path: Path) -> None:
    write_json(tmp_path, "one.json", readings_doc(page(correct_answers(SPEC))))
    assert run("score", tmp_path / "one.json", "--key", exam / "key.json") == 0


def test_diff_with_previous_key(exam: Path, capsys) -> None:
    args = ["score", exam / "readings.json", "--key", exam / "final.json"]
    assert run(*args, "--previous-key", exam / "key.json", "--diff", "-") == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    first = changes[0]
    assert (first["old_total"], first["new_total"]) == ("9.70", "9.70")
    assert (first["old_max"], first["new_max"]) == ("10.00", "9.80")
    assert [q["question"] for q in first["questions"]] == [22]
    assert first["questions"][0]["new_rule"] == "annulled (void)"


def test_rank_and_items(exam: Path, tmp_path: Path, capsys) -> None:
    results = tmp_path / "results.json"
    run("score", exam / "readings.json", "--key", exam / "key.json", "--json", results)
    capsys.readouterr()
    assert run("rank", results, results, "--csv", "-") == 1  # the pending sheet is not ranked
    captured = capsys.readouterr()
    # 002 art. 2 (2): no pass result while a sheet is pending; the ranking is provisional
    assert captured.out.splitlines()[1] == "1,0001,9.70,10.00,,A,EXAM-1,scans/0001.png,True"
    assert "not ranked (pending): candidate 0002" in captured.err
    assert "omr rank: provisional" in captured.err
    assert run("items", results, "--out", tmp_path / "items") == 0
    assert (tmp_path / "items" / "score-histogram.png").is_file()
    assert len(json.loads((tmp_path / "items" / "items.json").read_text())) == 50


def bad_inputs(tmp_path: Path) -> dict[str, list]:
    """Command lines of every refusal, by reason code."""
    answers = correct_answers(SPEC)
    good = write_json(tmp_path, "good.json", readings_doc(page(answers)))
    key = write_json(tmp_path, "key.json", key_doc(SPEC))
    short_key = key_doc(SPEC)
    del short_key["variants"]["A"]["50"]
    results_a = tmp_path / "a.json"
    main(["score", str(good), "--key", str(key), "--json", str(results_a)])
    rez_results = tmp_path / "rez.json"
    rez_readings = write_json(
        tmp_path, "rez-readings.json", readings_doc(page(correct_answers(REZ), profile=REZ))
    )
    main(
        [
            "score",
            str(rez_readings),
            "--key",
            str(write_json(tmp_path, "rk.json", key_doc(REZ))),
            "--json",
            str(rez_results),
        ]
    )
    return {
        "key_profile_mismatch": ["score", good, "--key", key, "--profile", "rezidentiat"],
        "key_question_missing": ["score", good, "--key", write_json(tmp_path, "s.json", short_key)],
        "key_annulled_unknown": [
            "score",
            good,
            "--key",
            write_json(tmp_path, "n.json", key_doc(SPEC, annulled=[60])),
        ],
        "key_letter_count": [
            "score",
            good,
            "--key",
            write_json(
                tmp_path,
                "l.json",
                {**key_doc(SPEC), "variants": {"A": {**key_doc(SPEC)["variants"]["A"], "1": "ab"}}},
            ),
        ],
        "template_mismatch": [
            "score",
            write_json(tmp_path, "t.json", readings_doc(page(answers, template="emc"))),
            "--key",
            key,
        ],
        "variant_without_key": [
            "score",
            write_json(tmp_path, "v.json", readings_doc(page(answers, variant="C"))),
            "--key",
            key,
        ],
        "reading_invalid": ["score", write_json(tmp_path, "r.json", {"schema": "x"}), "--key", key],
        "reading_not_found": ["score", tmp_path / "none.json", "--key", key],
        "key_not_found": ["score", good, "--key", tmp_path / "nokey.json"],
        "profile_not_found": ["score", good, "--key", key, "--profile", "nope"],
        "results_exam_mismatch": ["rank", results_a, rez_results],
        "results_invalid": ["rank", write_json(tmp_path, "bad-results.json", [{"x": 1}])],
        "results_not_found": ["items", tmp_path / "no-results.json", "--out", tmp_path / "o"],
        "output_conflict": ["score", good, "--key", key, "--json", "-", "--csv", "-"],
        "diff_without_previous_key": ["score", good, "--key", key, "--diff", "-"],
        "results_empty": ["rank", write_json(tmp_path, "empty-results.json", [])],
    }


@pytest.mark.parametrize(
    "reason",
    [
        "key_profile_mismatch",
        "key_question_missing",
        "key_annulled_unknown",
        "key_letter_count",
        "template_mismatch",
        "variant_without_key",
        "reading_invalid",
        "reading_not_found",
        "key_not_found",
        "profile_not_found",
        "results_exam_mismatch",
        "results_invalid",
        "results_not_found",
        "output_conflict",
        "diff_without_previous_key",
        "results_empty",
    ],
)
def test_bad_input_exits_2_with_its_reason(tmp_path: Path, capsys, reason: str) -> None:
    args = bad_inputs(tmp_path)[reason]
    capsys.readouterr()
    assert run(*args) == 2
    assert f"error [{reason}]" in capsys.readouterr().err


def test_rank_refuses_results_of_different_keys(tmp_path: Path, capsys) -> None:
    readings = write_json(tmp_path, "r.json", readings_doc(page(correct_answers(SPEC))))
    for name, annulled in [("k1.json", []), ("k2.json", [5])]:
        key = write_json(tmp_path, name, key_doc(SPEC, annulled=annulled))
        run("score", readings, "--key", key, "--json", tmp_path / f"res-{name}")
    assert run("rank", tmp_path / "res-k1.json", tmp_path / "res-k2.json") == 2
    assert "error [results_key_mismatch]" in capsys.readouterr().err


def test_diff_refuses_a_key_that_does_not_supersede(exam: Path, capsys) -> None:
    version = {"author": "x", "time": "2026-01-01T10:00:00", "reason": "r"}
    old = key_doc(SPEC, version={**version, "number": 1, "stage": "provisional"})
    new = key_doc(SPEC, version={**version, "number": 3, "stage": "final", "supersedes": 2})
    args = ["score", exam / "readings.json", "--key", write_json(exam, "new.json", new)]
    assert run(*args, "--previous-key", write_json(exam, "old.json", old)) == 2
    assert "error [key_not_successor]" in capsys.readouterr().err
