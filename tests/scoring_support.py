"""Builders of keys, readings and scores shared by the scoring tests."""

from __future__ import annotations

import json
from pathlib import Path

from omr.scoring.keys import build_key
from omr.scoring.profiles import Profile, load_profile
from omr.scoring.results import SheetScore
from omr.scoring.score import ReadingPage, score_sheet

SPEC = load_profile("specializare-asistenti")
REZ = load_profile("rezidentiat")
EMC = load_profile("emc")


def answer_text(profile: Profile, question: int) -> str:
    """A valid key answer: the first option(s), as many as the question type needs."""
    return "".join(profile.options[: profile.question_type(question).key_letters[0]])


def key_doc(profile: Profile, variants: tuple[str, ...] = ("A",), **extra: object) -> dict:
    """A complete ``omr.key/1`` document for ``profile``."""
    answers = {str(q): answer_text(profile, q) for q in range(1, profile.question_count + 1)}
    document = {
        "schema": "omr.key/1",
        "profile": profile.id,
        "variants": {variant: dict(answers) for variant in variants},
    }
    return {**document, **extra}


def blank_answers(profile: Profile) -> dict[str, dict[str, str]]:
    """Every bubble of ``profile`` blank."""
    return {
        str(q): {option: "blank" for option in profile.options}
        for q in range(1, profile.question_count + 1)
    }


def correct_answers(profile: Profile) -> dict[str, dict[str, str]]:
    """The answers of :func:`key_doc` filled in, every other bubble blank."""
    answers = blank_answers(profile)
    for question, marks in answers.items():
        for option in answer_text(profile, int(question)):
            marks[option] = "filled"
    return answers


def page(
    answers: dict,
    *,
    profile: Profile = SPEC,
    candidate: str | None = "0001",
    variant: str | None = "A",
    status: str = "ok",
    sha: str | None = None,
    exam: str | None = "EXAM-1",
    template: str | None = None,
    domain: str | None = None,
) -> dict:
    """One ``omr.reading/1`` page."""
    sha = sha or f"sha-{candidate}"
    return {
        "source": {"path": f"scans/{candidate}.png", "page": 1, "sha256": sha},
        "template": template or profile.templates[0],
        "exam": exam,
        "variant": variant,
        "candidate": candidate,
        "codes": {"domain": domain} if domain else {},
        "status": status,
        "reasons": [],
        "answers": answers if status != "rejected" else {},
        "warnings": [],
    }


def readings_doc(*pages: dict) -> dict:
    return {"schema": "omr.reading/1", "pages": list(pages)}


def write_json(folder: Path, name: str, document: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def score(page_doc: dict, key: dict, profile: Profile = SPEC, **kwargs: object) -> SheetScore:
    """Score one page document with a key document."""
    return score_sheet(
        ReadingPage.model_validate(page_doc), build_key(key, profile), profile, **kwargs
    )


def marks_of(text: str, options: list[str]) -> dict[str, str]:
    """Marks from a compact string, one character per option: ``.`` blank, ``F`` filled,
    ``X`` crossed, ``?`` unclear (``"F.X"`` → a filled, b blank, c crossed)."""
    states = {".": "blank", "F": "filled", "X": "crossed", "?": "unclear"}
    return {option: states[char] for option, char in zip(options, text, strict=True)}
