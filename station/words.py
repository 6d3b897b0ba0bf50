"""The words people read on the station's pages, slips, minutes and exports: one catalogue.

Reasons come from the registry (``Problem.message_ro``); everything else a person reads
(states, statuses, roles, the rules of a score, yes and no, times) is said here, in
Romanian. English stays in logs, the JSON documents and the CLI. No Python value (``None``,
``True``, a repr) reaches a person: :func:`shown` says what an empty value is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from omr.scoring.windows import Offset, Window
from omr.vocabulary.states import MARK_STATE_RO, PAGE_STATUS_RO, MarkState
from station.storage.models import EXAM_ZONE

NOTHING = "—"
MARK_STATES: dict[str, str] = dict(MARK_STATE_RO)
MARK_SIGNS = {
    MarkState.BLANK: "·",
    MarkState.FILLED: "●",
    MarkState.CROSSED: "⊗",
    MarkState.UNCLEAR: "?",
}
PAGE_STATUSES: dict[str, str] = dict(PAGE_STATUS_RO)
SHEET_STATUSES = {
    "rejected": "respinsă",
    "annulled": "anulată",
    "waiting": "așteaptă decizie",
    "sealed": "citită (grila sigilată)",
    "final": "finală",
}
ROLES = {"room_head": "șef de sală", "committee": "comisie", "admin": "administrator"}
RESCAN_STATES = {"filed": "depusă", "rescanned": "rescanată", "decided": "decisă"}
RESCAN_OUTCOMES = {
    "keep": "păstrat",
    "rescan": "corectat după rescanare",
    "by_hand": "corectat manual",
}
RULINGS = {"rejected": "respinsă", "changed": "grilă modificată", "annulled": "întrebare anulată"}
LINK_METHODS = {"read": "citit de pe foaie", "picked": "ales din lista sălii"}
WINDOW_KINDS = {"contestation": "contestațiile", "rescan": "cererile de rescanare"}
WINDOW_STEPS = {"filing": "depunerea", "resolving": "soluționarea"}

# The rules of omr.scoring.score, as they are written there, and as people read them.
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"blank"), lambda m: "necompletată"),
    (re.compile(r"correct"), lambda m: "corect"),
    (re.compile(r"wrong"), lambda m: "greșit"),
    (re.compile(r"(\d+) correct"), lambda m: f"{m[1]} corecte"),
    (
        re.compile(r"(\d+) correct \+ (\d+) wrong → 0 \(strict\)"),
        lambda m: f"{m[1]} corecte + {m[2]} greșite → 0 (regula strictă)",
    ),
    (re.compile(r"(\d+) correct \+ (\d+) wrong"), lambda m: f"{m[1]} corecte + {m[2]} greșite"),
    (re.compile(r"(\d+) of (\d+) options agree"), lambda m: f"{m[1]} din {m[2]} opțiuni corecte"),
    (re.compile(r"annulled \(void\)"), lambda m: "întrebare anulată (fără punctaj)"),
    (re.compile(r"annulled \(award\)"), lambda m: "întrebare anulată (punctaj acordat)"),
    (re.compile(r"pending: (.+) unclear"), lambda m: f"în așteptare: {_unclear(m[1])}"),
    (re.compile(r"crossed → 0"), lambda m: "anulată cu X → 0"),
    (re.compile(r"(\d+) filled → 0"), lambda m: f"{m[1]} marcate → 0"),
    (re.compile(r"blank → 0"), lambda m: "necompletată → 0"),
    (
        re.compile(r"(\d+) filled → 0 \(fewer than (\d+)\)"),
        lambda m: f"{m[1]} marcate → 0 (mai puțin de {m[2]})",
    ),
]


def _unclear(options: str) -> str:
    letters = options.split()
    return f"{', '.join(letters)} {'neclară' if len(letters) == 1 else 'neclare'}"


def rule(text: str) -> str:
    """A score's rule (``"2 correct"``, ``"3 filled → 0"``, …) in Romanian."""
    for pattern, words in _RULES:
        match = pattern.fullmatch(text)
        if match:
            return words(match)
    return text


def mark_state(state: str | None) -> str:
    """A bubble's state in Romanian (``"filled"`` → ``"marcată"``)."""
    return MARK_STATES.get(state or "", shown(state))


def yes_no(value: bool | None) -> str:
    """``da``, ``nu``, or a dash when not known."""
    return NOTHING if value is None else ("da" if value else "nu")


def shown(value: Any) -> str:
    """A value as a person reads it: a dash for nothing, ``da``/``nu`` for a truth value."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)


def local_time(moment: datetime | None, zone: str = EXAM_ZONE) -> str:
    """A UTC moment as the exam's wall-clock time, ``dd.mm.yyyy HH:MM``."""
    if moment is None:
        return NOTHING
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(ZoneInfo(zone)):%d.%m.%Y %H:%M}"


def wall_time(moment: datetime | None) -> str:
    """A moment already stated in the exam's wall-clock time (a filing, a window)."""
    return NOTHING if moment is None else f"{moment:%d.%m.%Y %H:%M}"


def counted(count: int, one: str, many: str) -> str:
    """``count`` things in Romanian: ``one`` with its article for one („o schimbare”, „un
    candidat”), „3 schimbări”, „20 de schimbări” (from 20 on, unless the last two digits
    are 01–19, the noun takes „de”)."""
    if count == 1:
        return one
    tail = count % 100
    return f"{count} {many}" if count < 20 or 0 < tail < 20 else f"{count} de {many}"


def offset_words(offset: Offset) -> str:
    """A moment after the publication: „publicare”, „2 ore după publicare”, „o zi după
    publicare, ora 16:00”, „ziua publicării, ora 16:00”."""
    hours = f"{offset.hours:g}".replace(".", ",")
    parts = [
        counted(offset.days, "o zi", "zile") if offset.days else "",
        counted(int(hours), "o oră", "ore") if hours.isdigit() and offset.hours else "",
        f"{hours} ore" if not hours.isdigit() else "",
    ]
    after = " și ".join(part for part in parts if part)
    if not after:
        return f"ziua publicării, ora {offset.at}" if offset.at else "publicare"
    return f"{after} după publicare, ora {offset.at}" if offset.at else f"{after} după publicare"


def window_words(window: Window) -> str:
    """A window as people read it: what it bounds, from when, until when."""
    words = (
        f"{WINDOW_STEPS[window.step]}: de la {offset_words(window.opens)} "
        f"până la {offset_words(window.closes)}"
    )
    return words + ("; după termen nu se primește nimic" if window.late == "ignored" else "")
