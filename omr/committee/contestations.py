"""Contestations of the key: grouped by question across variants, decided into a new key.

An *item* is what a contestation is about: a master-key question (``"17"``) when the key
has a master — the same question sits at different positions in each variant — else one
variant's question (``"A17"``), as in :mod:`omr.committee.item_analysis`. The committee answers each
contested item (rejected, key changed, question annulled); the decisions produce the next
key version, validated against the profile like any key, so a change that makes a
single-answer question multiple, or an annulment of every question, is refused whole.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from omr.scoring.keys import AnswerKey, KeyVersion, build_key
from omr.scoring.profiles import Profile
from omr.vocabulary.errors import ScoringError
from omr.vocabulary.reasons import Reason


@dataclass(frozen=True, slots=True)
class Contestation:
    """A candidate's claim about one question of their variant."""

    candidate: str
    variant: str
    question: int
    claim: str


@dataclass(frozen=True, slots=True)
class ItemDecision:
    """The committee's answer to a contested item; ``answer`` with ``changed`` only."""

    item: str
    outcome: Literal["rejected", "changed", "annulled"]
    justification: str
    answer: str | None = None


def item_of(key: AnswerKey, variant: str, question: int) -> str:
    """The item a variant's question belongs to.

    Raises
    ------
    ScoringError
        ``variant_without_key``; ``contestation_unknown_question`` for a question the
        exam does not have.
    """
    name, vkey = key.for_variant(variant)
    if question not in vkey.answers and question not in vkey.annulled:
        raise ScoringError(Reason.CONTESTATION_UNKNOWN_QUESTION, variant=name, question=question)
    if vkey.origins is not None:
        return str(vkey.origins[question].question)
    return f"{name}{question}"


def group_contestations(
    key: AnswerKey, contestations: Sequence[Contestation]
) -> dict[str, list[Contestation]]:
    """Contestations by item, items in question order."""
    groups: dict[str, list[Contestation]] = defaultdict(list)
    for contestation in contestations:
        groups[item_of(key, contestation.variant, contestation.question)].append(contestation)
    return dict(sorted(groups.items(), key=lambda entry: (len(entry[0]), entry[0])))


def _positions(document: dict, item: str) -> list[tuple[dict, str]]:
    """The answers mappings and question texts a ruling on ``item`` changes.

    A master key holds the item once; per-variant keys with an item map hold it at its
    position in each variant; without a map the ruling names every variant's position
    (``"A5+B12"``), and one that leaves a variant out is refused.
    """
    if "master" in document:
        return [(document["master"], item)]
    variants = document["variants"]
    if document.get("items"):
        return [
            (variants[variant], str(question))
            for variant, questions in document["items"].items()
            for question, number in questions.items()
            if str(number) == item
        ]
    named = [(part[:1], part[1:]) for part in item.split("+")]
    for variant, question in named:
        if variant not in variants:
            raise ScoringError(
                Reason.CONTESTATION_UNKNOWN_QUESTION, variant=variant, question=question
            )
    missing = sorted(set(variants) - {variant for variant, _ in named})
    if missing or len(named) != len(variants):
        raise ScoringError(
            Reason.RULING_MISSES_VARIANTS,
            item=item,
            missing=", ".join(missing) or "—",
        )
    return [(variants[variant], question) for variant, question in named]


def revise_key(
    document: dict, profile: Profile, decisions: Sequence[ItemDecision], version: KeyVersion
) -> tuple[dict, AnswerKey]:
    """Apply the committee's decisions to a key document: the new document and key.

    Raises
    ------
    ScoringError
        ``decision_invalid`` (a change without an answer, an item the key lacks),
        ``key_all_annulled``, and every refusal of :func:`omr.scoring.keys.build_key` — nothing is
        half-applied: the original document is never modified.
    """
    revised = copy.deepcopy(document)
    annulled_master = list(revised.get("annulled") or [])
    for decision in decisions:
        if decision.outcome == "rejected":
            continue
        positions = _positions(revised, decision.item)
        if not positions or any(question not in answers for answers, question in positions):
            raise ScoringError(
                Reason.DECISION_INVALID,
                problem=f"the key has no item {decision.item}",
                problem_ro=f"grila nu are întrebarea {decision.item}",
            )
        if decision.outcome == "changed" and not decision.answer:
            raise ScoringError(
                Reason.DECISION_INVALID,
                problem=f"item {decision.item}: a changed key needs the new answer",
                problem_ro=f"întrebarea {decision.item}: o grilă modificată cere noul răspuns",
            )
        for answers, question in positions:
            if decision.outcome == "changed":
                answers[question] = decision.answer
            elif "master" in revised:
                annulled_master.append(int(question))
            else:
                answers[question] = "annulled"
    if annulled_master:
        revised["annulled"] = sorted(set(annulled_master))
    revised["version"] = version.model_dump(mode="json")
    key = build_key(revised, profile)
    if any(len(vkey.annulled) >= profile.question_count for vkey in key.variants.values()):
        raise ScoringError(Reason.KEY_ALL_ANNULLED)
    return revised, key
