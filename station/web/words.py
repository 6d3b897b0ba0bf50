"""The catalogue of words (:mod:`station.words`) as the templates use it: filters, names,
and a last guard that turns an empty value into a dash and a truth value into da/nu."""

from __future__ import annotations

from jinja2 import Environment

from station import words


def _guard(value: object) -> object:
    """A dash for ``None``, da/nu for a truth value; anything else as it is."""
    return words.shown(value) if value is None or isinstance(value, bool) else value


def add_words(env: Environment) -> Environment:
    """``env`` with the catalogue's filters and names, every ``{{ value }}`` shown by
    :func:`station.words.shown` (no ``None``, ``True`` or ``False`` reaches a page)."""
    env.finalize = _guard
    env.filters.update(
        state=words.mark_state,
        rule=words.rule,
        yes_no=words.yes_no,
        local=words.local_time,
        wall=words.wall_time,
        counted=words.counted,
        window=words.window_words,
    )
    env.globals.update(
        ROLES=words.ROLES,
        SHEET_STATUSES=words.SHEET_STATUSES,
        RESCAN_STATES=words.RESCAN_STATES,
        RULINGS=words.RULINGS,
        LINK_METHODS=words.LINK_METHODS,
        MARK_SIGNS=words.MARK_SIGNS,
        MARK_STATES=words.MARK_STATES,
        WINDOW_KINDS=words.WINDOW_KINDS,
        WINDOW_STEPS=words.WINDOW_STEPS,
    )
    return env
