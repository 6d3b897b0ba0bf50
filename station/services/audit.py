"""The audit log: every action appended with actor, time, before/after, in a hash chain.

Each entry's hash covers the previous entry's hash and its own fields, so an edited,
removed or reordered entry breaks the chain at that point (:func:`verify_chain`).
``prev_hash`` is unique: two writers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from station.storage.models import AuditEntry, User, utcnow

GENESIS = "0" * 64


def _digest(
    prev_hash: str, at: datetime, actor: str, action: str, entity: str, before: Any, after: Any
) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), actor, action, entity, before, after],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def actor_name(user: User | None) -> str:
    """The audit actor: the username, or ``system`` for the hot folder and the reader."""
    return user.username if user is not None else "system"


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (committed with the action)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7007)"))
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev_hash = last.hash if last is not None else GENESIS
    at = utcnow()
    name = actor_name(actor)
    before, after = _plain(before), _plain(after)
    entry = AuditEntry(
        at=at,
        actor=name,
        action=action,
        entity=entity,
        before=before,
        after=after,
        prev_hash=prev_hash,
        hash=_digest(prev_hash, at, name, action, entity, before, after),
    )
    session.add(entry)
    session.flush()
    return entry


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON form the database gives back, so the hash is computed on the same data."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def verify_chain(session: Session) -> list[str]:
    """The problems of the chain, in order; an empty list when it is intact."""
    problems = []
    expected = GENESIS
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != expected:
            problems.append(f"entry {entry.id}: does not follow the previous entry")
        digest = _digest(
            entry.prev_hash,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.before,
            entry.after,
        )
        if digest != entry.hash:
            problems.append(f"entry {entry.id} ({entry.action}): content changed after writing")
        expected = entry.hash
    return problems
