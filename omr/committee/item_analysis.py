"""Item analysis for the committee: how each question behaved across the candidates.

Per item (a question of the master key when the key has one, else a question of one
variant, e.g. ``A17``): the share of final sheets answering it fully correctly, the
point-biserial discrimination against the total, the distribution of filled options,
and a flag when most of the top group (the best 27 % by total) filled an option the
key calls wrong — a likely key error or a flawed question. Annulled questions are left
out. Statistics are descriptive floats; no score is computed here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from omr.scoring.results import QuestionScore, SheetScore, csv_text
from omr.vocabulary.states import MarkState

TOP_GROUP_SHARE = 0.27
FLAG_SHARE = 0.5


class OptionCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    option: str
    in_key: bool
    filled: int
    share: float  # of the sheets answering the item


class ItemStats(BaseModel):
    """The behaviour of one item across the final sheets."""

    model_config = ConfigDict(frozen=True)

    item: str
    type: str
    key: str
    sheets: int
    correct_share: float
    discrimination: float | None  # point-biserial; None when everyone or no one is correct
    options: list[OptionCount]
    blank: int  # sheets with no option filled
    crossed: int  # sheets with a crossed circle
    flag: str | None
    flag_ro: str | None = None  # the same warning for people


@dataclass(frozen=True)
class _Answer:
    total: float
    correct: bool
    filled: frozenset[str]
    crossed: bool


def _item_of(score: SheetScore, line: QuestionScore) -> tuple[str, dict[str, str]]:
    """The item id of a breakdown line and the map of its letters to the item's letters."""
    if line.master is not None:
        return str(line.master.question), line.master.options
    return f"{score.variant or ''}{line.question}", {option: option for option in line.marks}


def point_biserial(correct: Sequence[bool], totals: Sequence[float]) -> float | None:
    """The point-biserial correlation of a right/wrong item with the totals.

    None when the item or the totals do not vary.
    """
    right = np.asarray(correct, dtype=bool)
    values = np.asarray(totals, dtype=float)
    share = right.mean() if right.size else 0.0
    spread = values.std()
    if share in (0.0, 1.0) or spread == 0:
        return None
    gap = values[right].mean() - values[~right].mean()
    return float(gap / spread * math.sqrt(share * (1 - share)))


def _stats(
    item: str, type_: str, key: str, options: list[str], answers: list[_Answer]
) -> ItemStats:
    count = len(answers)
    filled = {option: sum(option in a.filled for a in answers) for option in options}
    ranked = sorted(answers, key=lambda a: a.total, reverse=True)
    top = ranked[: max(1, math.ceil(count * TOP_GROUP_SHARE))]
    top_wrong = {
        option: sum(option in a.filled for a in top) / len(top)
        for option in options
        if option not in key
    }
    worst = max(top_wrong, key=lambda option: (top_wrong[option], option), default=None)
    flag = flag_ro = None
    if worst is not None and top_wrong[worst] > FLAG_SHARE:
        share = round(100 * top_wrong[worst])
        flag = f"{share}% of the top group filled {worst}; the key says {key}"
        flag_ro = f"{share} % din grupul fruntaș au marcat {worst}; grila spune {key}"
    return ItemStats(
        item=item,
        type=type_,
        key=key,
        sheets=count,
        correct_share=sum(a.correct for a in answers) / count,
        discrimination=point_biserial([a.correct for a in answers], [a.total for a in answers]),
        options=[
            OptionCount(option=o, in_key=o in key, filled=filled[o], share=filled[o] / count)
            for o in options
        ],
        blank=sum(not a.filled for a in answers),
        crossed=sum(a.crossed for a in answers),
        flag=flag,
        flag_ro=flag_ro,
    )


def analyse_items(scores: Sequence[SheetScore]) -> list[ItemStats]:
    """Statistics of every non-annulled item over the ``final`` sheets of ``scores``."""
    answers: dict[str, list[_Answer]] = defaultdict(list)
    described: dict[str, tuple[str, str, list[str]]] = {}
    for score in scores:
        if score.status != "final" or score.total is None:
            continue
        for line in score.questions:
            if line.rule.startswith("annulled"):
                continue
            item, letters = _item_of(score, line)
            states = {letters[option]: state for option, state in line.marks.items()}
            answers[item].append(
                _Answer(
                    total=float(score.total),
                    correct=line.points == line.max,
                    filled=frozenset(o for o, state in states.items() if state == MarkState.FILLED),
                    crossed=MarkState.CROSSED in states.values(),
                )
            )
            key = "".join(sorted(letters[option] for option in line.key))
            described[item] = (line.type, key, sorted(states))
    return [_stats(item, *described[item], answers[item]) for item in _natural(list(answers))]


def _natural(items: list[str]) -> list[str]:
    """Items in variant, then numeric question order (``A2`` before ``A10``)."""
    return sorted(items, key=lambda item: (item.rstrip("0123456789"), len(item), item))


def items_csv(stats: Sequence[ItemStats]) -> str:
    """One CSV row per item, with each option's filled share."""
    letters = sorted({option.option for item in stats for option in item.options})
    header = ["item", "type", "key", "sheets", "correct_share", "discrimination"]
    header += ["blank", "crossed", *[f"share_{letter}" for letter in letters], "flag"]
    rows = []
    for item in stats:
        shares = {option.option: round(option.share, 4) for option in item.options}
        rows.append(
            [item.item, item.type, item.key, item.sheets, round(item.correct_share, 4)]
            + [None if item.discrimination is None else round(item.discrimination, 4)]
            + [item.blank, item.crossed, *[shares.get(letter) for letter in letters], item.flag]
        )
    return csv_text(header, rows)


def plot_items(stats: Sequence[ItemStats], totals: Sequence[float], out: Path) -> list[Path]:
    """Write a PNG of each item's option distribution and a histogram of the totals.

    Returns the paths written: ``out/items/item-<id>.png`` and ``out/score-histogram.png``.
    """
    # Figures drawn through the object API need no backend and leave pyplot's global
    # state (and the process) alone.
    from matplotlib.figure import Figure

    (out / "items").mkdir(parents=True, exist_ok=True)
    written = []
    for item in stats:
        figure = Figure(figsize=(4, 3))
        axes = figure.add_subplot()
        labels = [option.option for option in item.options]
        colours = ["tab:green" if option.in_key else "tab:grey" for option in item.options]
        axes.bar(labels, [option.share for option in item.options], color=colours)
        axes.set_ylim(0, 1)
        axes.set_ylabel("share filled")
        rpb = "n/a" if item.discrimination is None else f"{item.discrimination:.2f}"
        axes.set_title(
            f"item {item.item} — key {item.key}\ncorrect {item.correct_share:.0%}, r_pb {rpb}",
            fontsize=9,
            color="tab:red" if item.flag else "black",
        )
        path = out / "items" / f"item-{item.item}.png"
        figure.tight_layout()
        figure.savefig(path, dpi=80)
        written.append(path)
    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    axes.hist(list(totals), bins=min(20, max(1, len(set(totals)))), color="tab:blue")
    axes.set_xlabel("total")
    axes.set_ylabel("sheets")
    axes.set_title(f"Scores of {len(totals)} final sheets")
    path = out / "score-histogram.png"
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return [*written, path]
