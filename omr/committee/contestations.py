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


def _target(document: dict, item: str) -> tuple[dict, str]:
    """The answers mapping and question text an item lives in."""
    if "master" in document:
        return document["master"], item
    variant, question = item[0], item[1:]
    if variant not in document["variants"]:
        raise ScoringError(Reason.CONTESTATION_UNKNOWN_QUESTION, variant=variant, question=question)
    return document["variants"][variant], question


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
        answers, question = _target(revised, decision.item)
        if question not in answers:
            raise ScoringError(
                Reason.DECISION_INVALID,
                problem=f"the key has no item {decision.item}",
                problem_ro=f"grila nu are întrebarea {decision.item}",
            )
        if decision.outcome == "changed":
            if not decision.answer:
                raise ScoringError(
                    Reason.DECISION_INVALID,
                    problem=f"item {decision.item}: a changed key needs the new answer",
                    problem_ro=f"întrebarea {decision.item}: o grilă modificată cere noul răspuns",
                )
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
