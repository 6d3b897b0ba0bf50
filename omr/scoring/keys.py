"""Answer keys (``omr.key/1``): per-variant keys, or a master key with permutations.

A key file gives, for each variant (grid type A-D), the correct letters of every
question, either directly or as a master key plus each variant's question permutation
and option mapping. It is validated against the exam profile: every question present
(except annulled ones), the right number of letters for the question's type, letters
that exist (matched case-insensitively). See ``docs/scoring.md`` for the format.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from omr.scoring.documents import require_file
from omr.scoring.profiles import Profile, load_profile, validation_problem
from omr.vocabulary.errors import InputFileError, ScoringError
from omr.vocabulary.reasons import Reason

KEY_SCHEMA = "omr.key/1"
STAGES = ("provisional", "revised", "final")
ANNULLED_WORDS = {"annulled", "anulat", "anulata", "anulată"}


class KeyVersion(BaseModel):
    """One published version of a key: provisional (exam day) → revised → final."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    stage: Literal["provisional", "revised", "final"]
    author: str = Field(min_length=1)
    time: datetime
    reason: str = Field(min_length=1)
    supersedes: int | None = None

    @model_validator(mode="after")
    def _points_back(self) -> KeyVersion:
        if self.stage == "provisional" and self.supersedes is not None:
            raise ValueError("a provisional key supersedes nothing")
        if self.stage != "provisional" and self.supersedes is None:
            raise ValueError(f"a {self.stage} key must name the version it supersedes")
        if self.supersedes is not None and self.supersedes >= self.number:
            raise ValueError("supersedes must name an earlier version number")
        return self


class _VariantMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: dict[int, int] | None = None  # variant question → master question
    options: dict[str, str] | None = None  # variant letter → master letter


class _KeyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: Literal["omr.key/1"] = Field(alias="schema")
    profile: str
    version: KeyVersion | None = None
    master: dict[int, str] | None = None
    variants: dict[str, dict[int, str] | _VariantMapping]
    items: dict[str, dict[int, int]] | None = None  # per-variant keys: question → item
    annulled: list[int] | dict[str, list[int]] = []


@dataclass(frozen=True)
class Origin:
    """Where a variant's question comes from in the master key."""

    question: int
    options: dict[str, str]  # variant letter → master letter


@dataclass(frozen=True)
class VariantKey:
    """The key of one variant: correct letters and annulments by sheet question number."""

    answers: dict[int, frozenset[str]]
    annulled: frozenset[int]
    origins: dict[int, Origin] | None = None  # None for a key given per variant


@dataclass(frozen=True)
class AnswerKey:
    """A validated key for one profile; letters spelt as in the profile."""

    profile: str
    variants: dict[str, VariantKey]
    version: KeyVersion | None = None

    @property
    def digest(self) -> str:
        """A short content hash of the answers and annulments (not of the version)."""
        content = {
            variant: {
                "answers": {str(q): "".join(sorted(a)) for q, a in sorted(vkey.answers.items())},
                "annulled": sorted(vkey.annulled),
            }
            for variant, vkey in sorted(self.variants.items())
        }
        text = json.dumps([self.profile, content], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def for_variant(self, variant: str | None) -> tuple[str, VariantKey]:
        """The key of ``variant``; a sheet without a variant takes a key's only variant.

        Raises
        ------
        ScoringError
            ``variant_without_key`` or ``variant_missing``.
        """
        if variant is None:
            if len(self.variants) == 1:
                return next(iter(self.variants.items()))
            raise ScoringError(Reason.VARIANT_MISSING, count=len(self.variants))
        if variant not in self.variants:
            known = ", ".join(sorted(self.variants))
            raise ScoringError(Reason.VARIANT_WITHOUT_KEY, variant=variant, known=known)
        return variant, self.variants[variant]


def parse_letters(text: str, profile: Profile, where: str, where_ro: str) -> frozenset[str]:
    """The options of ``"ac"``, ``"A, C"`` or ``"a c"``, spelt as in the profile.

    ``where`` and ``where_ro`` name the answer in a refusal (English, Romanian).
    """
    letters = [char for char in text if not char.isspace() and char not in ",;/"]
    labels = [profile.option_label(letter) for letter in letters]
    if None in labels:
        options = " ".join(profile.options)
        raise ScoringError(
            Reason.KEY_LETTER_UNKNOWN,
            where=where,
            where_ro=where_ro,
            text=text,
            problem=f"has a letter that is not an option ({options})",
            problem_ro=f"conține o literă care nu este opțiune ({options})",
        )
    if len(set(labels)) != len(labels):
        raise ScoringError(
            Reason.KEY_LETTER_UNKNOWN,
            where=where,
            where_ro=where_ro,
            text=text,
            problem="repeats a letter",
            problem_ro="repetă o literă",
        )
    return frozenset(label for label in labels if label is not None)


def _check_variant(
    profile: Profile, variant: str, answers: dict[int, frozenset[str]], annulled: set[int]
) -> None:
    for question in sorted(set(answers) | annulled):
        if question in annulled and not profile.has_question(question):
            raise ScoringError(
                Reason.KEY_ANNULLED_UNKNOWN,
                variant=variant,
                questions=str(question),
                count=profile.question_count,
            )
        if not profile.has_question(question):
            raise ScoringError(
                Reason.KEY_QUESTION_UNKNOWN,
                variant=variant,
                question=question,
                count=profile.question_count,
            )
    missing = [
        q for q in range(1, profile.question_count + 1) if q not in answers and q not in annulled
    ]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise ScoringError(
            Reason.KEY_QUESTION_MISSING, variant=variant, count=len(missing), questions=shown
        )
    for question, letters in sorted(answers.items()):
        qtype = profile.question_type(question)
        low, high = qtype.key_letters
        if not low <= len(letters) <= high:
            wanted = str(low) if low == high else f"{low}-{high}"
            raise ScoringError(
                Reason.KEY_LETTER_COUNT,
                variant=variant,
                question=question,
                type=qtype.name,
                given=len(letters),
                wanted=wanted,
            )


def _annulled_for(raw: _KeyFile, variant: str) -> set[int]:
    if isinstance(raw.annulled, dict):
        return set(raw.annulled.get(variant, []))
    return set(raw.annulled)


def _check_annulled(named: set[int], known: set[int], profile: Profile, variant: str) -> None:
    """Refuse annulments of master questions or items the key does not have."""
    unknown = sorted(named - known)
    if unknown:
        raise ScoringError(
            Reason.KEY_ANNULLED_UNKNOWN,
            variant=variant,
            questions=", ".join(map(str, unknown)),
            count=profile.question_count,
        )


def _derive(raw: _KeyFile, profile: Profile, variant: str, mapping: _VariantMapping) -> VariantKey:
    master = raw.master or {}
    questions = mapping.questions or {q: q for q in master}
    if sorted(questions.values()) != sorted(master) or len(questions) != len(master):
        raise ScoringError(
            Reason.KEY_PERMUTATION_INVALID,
            variant=variant,
            problem="the question permutation must use every master question once",
            problem_ro="permutarea întrebărilor trebuie să folosească fiecare întrebare a grilei "
            "principale o singură dată",
        )
    options = {o: o for o in profile.options}
    if mapping.options is not None:
        options = {
            _one_label(profile, src, variant): _one_label(profile, dst, variant)
            for src, dst in mapping.options.items()
        }
    if sorted(options) != sorted(profile.options) or len(set(options.values())) != len(options):
        raise ScoringError(
            Reason.KEY_PERMUTATION_INVALID,
            variant=variant,
            problem="the option mapping must map every option to a distinct one",
            problem_ro="corespondența opțiunilor trebuie să ducă fiecare opțiune în alta, "
            "fiecare o singură dată",
        )
    to_variant = {dst: src for src, dst in options.items()}
    answers = {
        vq: frozenset(
            to_variant[letter]
            for letter in parse_letters(
                master[mq], profile, f"master question {mq}", f"întrebarea {mq} a grilei principale"
            )
        )
        for vq, mq in questions.items()
    }
    master_annulled = _annulled_for(raw, variant)
    _check_annulled(master_annulled, set(master), profile, variant)
    annulled = {vq for vq, mq in questions.items() if mq in master_annulled}
    origins = {vq: Origin(mq, options) for vq, mq in questions.items()}
    return VariantKey(answers, frozenset(annulled), origins)


def _item_origins(raw: _KeyFile, profile: Profile, variant: str) -> dict[int, Origin]:
    """Per-variant keys with an item map: each question's item (options not permuted)."""
    items = (raw.items or {}).get(variant)
    every = range(1, profile.question_count + 1)
    first = next(iter((raw.items or {}).values()), {})
    if (
        items is None
        or sorted(items) != list(every)
        or sorted(items.values()) != sorted(first.values())
        or len(set(items.values())) != len(items)
    ):
        raise ScoringError(
            Reason.KEY_PERMUTATION_INVALID,
            variant=variant,
            problem="the item map must give every question of every variant a distinct item, "
            "the same items in every variant",
            problem_ro="harta întrebărilor trebuie să dea fiecărei întrebări din fiecare "
            "variantă o întrebare comună distinctă, aceleași în toate variantele",
        )
    identity = {option: option for option in profile.options}
    return {question: Origin(item, identity) for question, item in items.items()}


def _per_variant(
    raw: _KeyFile, profile: Profile, variant: str, given: dict[int, str]
) -> VariantKey:
    """A variant's own key; with an item map, ``annulled`` (a list) names items."""
    answers = {
        q: parse_letters(
            text, profile, f"variant {variant}, question {q}", f"varianta {variant}, întrebarea {q}"
        )
        for q, text in given.items()
        if text.strip().casefold() not in ANNULLED_WORDS
    }
    words = {q for q, text in given.items() if text.strip().casefold() in ANNULLED_WORDS}
    if raw.items is None:
        return VariantKey(answers, frozenset(_annulled_for(raw, variant) | words))
    origins = _item_origins(raw, profile, variant)
    if isinstance(raw.annulled, dict):
        annulled = set(raw.annulled.get(variant, []))
    else:
        items = {origin.question for origin in origins.values()}
        _check_annulled(set(raw.annulled), items, profile, variant)
        annulled = {q for q, origin in origins.items() if origin.question in raw.annulled}
    return VariantKey(answers, frozenset(annulled | words), origins)


def _one_label(profile: Profile, letter: str, variant: str) -> str:
    label = profile.option_label(letter)
    if label is None:
        raise ScoringError(
            Reason.KEY_LETTER_UNKNOWN,
            where=f"variant {variant}: option mapping",
            where_ro=f"varianta {variant}: corespondența opțiunilor",
            text=letter,
            problem="is not an option",
            problem_ro="nu este o opțiune",
        )
    return label


def build_key(data: object, profile: Profile, source: str = "key document") -> AnswerKey:
    """Validate a decoded ``omr.key/1`` document against ``profile``.

    ``source`` names the document in a refusal (its file, when it has one).

    Raises
    ------
    InputFileError
        ``key_invalid`` when the document does not have the ``omr.key/1`` shape.
    ScoringError
        ``key_profile_mismatch``, ``key_question_missing``, ``key_question_unknown``,
        ``key_letter_count``, ``key_letter_unknown``, ``key_annulled_unknown``,
        ``key_permutation_invalid``.
    """
    try:
        raw = _KeyFile.model_validate(data)
    except ValidationError as error:
        raise InputFileError(
            Reason.KEY_INVALID, source=source, problem=validation_problem(error)
        ) from None
    if raw.profile != profile.id:
        raise ScoringError(Reason.KEY_PROFILE_MISMATCH, found=raw.profile, expected=profile.id)
    variants: dict[str, VariantKey] = {}
    for variant, given in raw.variants.items():
        if raw.master is not None:
            if raw.items is not None:
                raise InputFileError(
                    Reason.KEY_INVALID,
                    source=source,
                    problem="a master key maps its variants itself; 'items' is for per-variant "
                    "keys",
                )
            if not isinstance(given, _VariantMapping) and given:
                raise InputFileError(
                    Reason.KEY_INVALID,
                    source=source,
                    problem=f"with a master key, variant {variant} gives questions and options",
                )
            mapping = given if isinstance(given, _VariantMapping) else _VariantMapping()
            vkey = _derive(raw, profile, variant, mapping)
        elif isinstance(given, _VariantMapping):
            raise InputFileError(
                Reason.KEY_INVALID,
                source=source,
                problem=f"variant {variant} maps a master key, but there is no 'master'",
            )
        else:
            vkey = _per_variant(raw, profile, variant, given)
        _check_variant(profile, variant, dict(vkey.answers), set(vkey.annulled))
        variants[variant] = vkey
    if not variants:
        raise InputFileError(Reason.KEY_INVALID, source=source, problem="no variants")
    return AnswerKey(profile.id, variants, raw.version)


def read_key_document(path: Path, profile_id: str | None = None) -> dict:
    """The ``omr.key/1`` document of a JSON key file, or of a CSV key file.

    A CSV key has the columns ``variant,question,answer`` (one row per question; the
    answer ``annulled`` annuls it) and takes its profile from ``profile_id``.

    Raises
    ------
    InputFileError
        ``key_not_found``, ``key_invalid`` (bad JSON or CSV), ``key_profile_missing``.
    """
    require_file(path, missing=Reason.KEY_NOT_FOUND)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(
            Reason.KEY_INVALID, source=str(path), problem="not UTF-8 text"
        ) from None
    if path.suffix.lower() != ".csv":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputFileError(
                Reason.KEY_INVALID, source=str(path), problem=f"not valid JSON: {error}"
            ) from None
    if profile_id is None:
        raise InputFileError(Reason.KEY_PROFILE_MISSING, file=str(path))
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or not {"variant", "question", "answer"} <= set(rows[0]):
        raise InputFileError(
            Reason.KEY_INVALID,
            source=str(path),
            problem="a CSV key needs the columns variant,question,answer",
        )
    variants: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows, start=2):
        answers = variants.setdefault(row["variant"].strip(), {})
        question = row["question"].strip()
        if question in answers:
            raise InputFileError(
                Reason.KEY_INVALID,
                source=f"{path}, line {line}",
                problem=f"question {question} given twice",
            )
        answers[question] = row["answer"]
    return {"schema": KEY_SCHEMA, "profile": profile_id, "variants": variants}


def load_key(path: Path, profile: str | None = None) -> tuple[AnswerKey, Profile]:
    """A key file (JSON or CSV) and its profile: ``profile`` or else the key's own.

    Raises
    ------
    InputFileError, ScoringError
        As :func:`read_key_document`, :func:`~omr.scoring.profiles.load_profile`, :func:`build_key`.
    """
    document = read_key_document(path, profile)
    named = document.get("profile") if isinstance(document, dict) else None
    if profile is None and not isinstance(named, str):
        raise InputFileError(
            Reason.KEY_INVALID, source=str(path), problem="the key does not name its profile"
        )
    loaded = load_profile(profile if profile is not None else named)
    return build_key(document, loaded, str(path)), loaded


def check_succession(old: AnswerKey, new: AnswerKey) -> None:
    """Refuse a ``new`` key that does not supersede ``old`` (when both carry versions).

    Raises
    ------
    ScoringError
        ``key_not_successor``.
    """
    if old.profile != new.profile:
        raise ScoringError(Reason.KEY_PROFILE_MISMATCH, found=new.profile, expected=old.profile)
    if old.version is None or new.version is None:
        return
    if old.version.stage == "final" or new.version.supersedes != old.version.number:
        raise ScoringError(
            Reason.KEY_NOT_SUCCESSOR,
            new=new.version.number,
            new_stage=new.version.stage,
            old=old.version.number,
            old_stage=old.version.stage,
        )
