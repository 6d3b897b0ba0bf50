"""The audit log: every action appended with actor, time, before/after, in a keyed chain.

Each entry's hash is an HMAC-SHA256, with a key derived from the station's signing key
(kept in the data folder, outside the database), over the previous entry's hash and its
own fields: an edited, removed or reordered entry breaks the chain at that point, and an
entry cannot be re-hashed without the key (:func:`verify_chain`). After every commit the
chain's head (its newest entry and hash) is signed into ``audit-head.json`` beside the
key, so deleting the newest entries is caught too. Entries written by a station before the
chain was keyed (``legacy`` in the head) keep their bare SHA-256. ``prev_hash`` is unique:
two writers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from station.config import Settings
from station.storage.db import Encoded, canonical_json
from station.storage.models import AuditEntry, Decision, Reading, User, utcnow

GENESIS = "0" * 64
HEAD_FILE = "audit-head.json"
_HEAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Seal:
    """The chain's key and where its signed head is kept."""

    key: bytes
    head: Path

    @classmethod
    def of(cls, settings: Settings) -> Seal:
        """The seal of the station whose data folder ``settings`` names."""
        key = hmac.new(settings.signing_key(), b"station audit chain", hashlib.sha256).digest()
        return cls(key=key, head=settings.data_dir / HEAD_FILE)


def content_hash(value: Any) -> str:
    """The SHA-256 of a JSON value's canonical form (a reading's document, a decision; an
    :class:`Encoded` document's text made once)."""
    body = value.text if isinstance(value, Encoded) else canonical_json(value)
    return hashlib.sha256(body.encode()).hexdigest()


def decision_hash(decision: Decision) -> str:
    """The hash by which a decision enters the chain."""
    return content_hash(
        [decision.reading_id, decision.question, decision.option, decision.state, decision.note]
    )


def reading_hash(reading: Reading) -> str:
    """The hash by which a reading's marks and identity enter the chain."""
    return content_hash(reading.document)


def _digest(
    key: bytes | None,
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    before: Any,
    after: Any,
) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), actor, action, entity, before, after],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    ).encode()
    if key is None:  # an entry of a station from before the keyed chain
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def entry_digest(key: bytes | None, entry: AuditEntry) -> str:
    """The hash a stored entry should have under ``key`` (None: the bare SHA-256)."""
    return _digest(
        key,
        entry.prev_hash,
        entry.at,
        entry.actor,
        entry.action,
        entry.entity,
        entry.before,
        entry.after,
    )


def actor_name(user: User | None) -> str:
    """The audit actor: the username, or ``system`` for the hot folder and the reader."""
    return user.username if user is not None else "system"


def seal_sessions(sessions: sessionmaker[Session], settings: Settings) -> None:
    """Key the chain of every session of ``sessions`` and sign its head after each commit."""
    seal = Seal.of(settings)
    sessions.configure(info={"audit_seal": seal})
    if not seal.head.exists():
        with sessions() as session:
            legacy = _bare_prefix(session)
            if legacy == _count(session):  # empty, or an old station's unkeyed chain
                _write_head(seal, session_head(session), legacy=legacy)
            # else a keyed chain lost its head: it stays missing and verify names it

    @event.listens_for(sessions, "after_commit")
    def _sign(session: Session) -> None:
        written = session.info.pop("audit_written", None)
        if written is not None:
            _write_head(seal, written)

    @event.listens_for(sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("audit_written", None)


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
    seal: Seal = session.info["audit_seal"]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7007)"))
    head = session_head(session)
    prev_hash = head[1] if head is not None else GENESIS
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
        hash=_digest(seal.key, prev_hash, at, name, action, entity, before, after),
    )
    session.add(entry)
    session.flush()
    session.info["audit_written"] = (entry.id, entry.hash)
    return entry


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON form the database gives back, so the hash is computed on the same data."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def session_head(session: Session) -> tuple[int, str] | None:
    """The newest entry's id and hash (None for an empty log)."""
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (last.id, last.hash) if last is not None else None


def head_text(session: Session) -> str:
    """The chain's head as printed on every proces-verbal, result slip and ranking: a
    later deletion or edit of the entries it covers is caught by comparing."""
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    head = session_head(session)
    if head is None:
        return "Jurnalul de audit: gol."
    return f"Jurnalul de audit: {count} intrări; ultima #{head[0]}, amprenta {head[1][:16]}."


def head_document(session: Session) -> dict[str, Any]:
    """The chain's head as a bundle carries it."""
    entry, digest = session_head(session) or (0, GENESIS)
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return {"entries": count, "entry": entry, "hash": digest}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _bare_prefix(session: Session) -> int:
    """How many entries, from the first, a station wrote before the chain was keyed."""
    count = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if not hmac.compare_digest(entry_digest(None, entry), entry.hash):
            break
        count += 1
    return count


def _signature(seal: Seal, body: dict[str, Any]) -> str:
    return hmac.new(seal.key, content_hash(body).encode(), hashlib.sha256).hexdigest()


def read_head(seal: Seal) -> dict[str, Any] | None:
    """The signed head as stored (None when there is no head file)."""
    try:
        return json.loads(seal.head.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def _write_head(seal: Seal, written: tuple[int, str] | None, legacy: int | None = None) -> None:
    """Sign the head (the newest entry) unless a newer one is already signed; a missing or
    unreadable head is written only at start (``legacy`` given), never re-created after."""
    with _HEAD_LOCK:
        current = read_head(seal) or {}
        if not current and legacy is None:
            return
        if legacy is None:
            legacy = int(current.get("legacy", 0))
        last_id, last_hash = written or (0, GENESIS)
        if current and int(current.get("last_id", 0)) > last_id:
            return
        body = {"last_id": last_id, "hash": last_hash, "legacy": legacy}
        temporary = seal.head.with_suffix(".tmp")
        temporary.write_text(json.dumps({**body, "signature": _signature(seal, body)}))
        temporary.replace(seal.head)


class ResignRefused(Exception):
    """The head cannot be re-signed: it is intact, or the chain does not verify."""


def resign_head(session: Session, seal: Seal, *, actor: User) -> tuple[tuple[int, str], int]:
    """Re-sign a missing or unreadable head over the chain as it stands, once the chain
    itself verifies; the act, by an administrator, is the newest entry. The caller commits,
    then :func:`write_resigned_head` writes the head (the entry, its hash and the unkeyed
    prefix this returns).

    Raises
    ------
    ResignRefused
        The actor is not an administrator, the head is present and readable, or the chain
        has problems.
    """
    if actor.role != "admin":
        raise ResignRefused(f"{actor.username} is not an administrator")
    head = read_head(seal)
    if head:
        raise ResignRefused(f"the signed head {seal.head} is present: nothing to re-sign")
    legacy = _bare_prefix(session)
    problems = [p for p in verify_chain(session, seal) if not p.startswith("the signed head")]
    if problems:
        raise ResignRefused("the chain does not verify: " + "; ".join(problems))
    entry = record(
        session,
        actor=actor,
        action="audit.resign",
        entity="audit:head",
        before={"head": "missing" if head is None else "unreadable", "last": session_head(session)},
        after={"legacy": legacy},
    )
    session.info.pop("audit_written", None)
    return (entry.id, entry.hash), legacy


def write_resigned_head(seal: Seal, written: tuple[int, str], *, legacy: int) -> None:
    """Sign the head again after :func:`resign_head` was committed."""
    _write_head(seal, written, legacy=legacy)


def verify_chain(session: Session, seal: Seal) -> list[str]:
    """The problems of the chain and of its signed head, in order; empty when intact."""
    head = read_head(seal)
    body = {k: v for k, v in (head or {}).items() if k != "signature"}
    problems = []
    if not head:
        problems.append(
            f"the signed head {seal.head} is "
            + ("missing" if head is None else "unreadable")
            + ": it was removed or damaged outside the station, which does not re-create it; "
            "deleted newest entries cannot be ruled out"
        )
    elif not hmac.compare_digest(str(head.get("signature", "")), _signature(seal, body)):
        problems.append(f"the signed head {seal.head} does not match its signature")
    legacy = int(body["legacy"]) if "legacy" in body else _bare_prefix(session)
    expected, newest = GENESIS, (0, GENESIS)
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    for position, entry in enumerate(entries):
        if entry.prev_hash != expected:
            problems.append(f"entry {entry.id}: does not follow the previous entry")
        digest = entry_digest(None if position < legacy else seal.key, entry)
        if not hmac.compare_digest(digest, entry.hash):
            problems.append(f"entry {entry.id} ({entry.action}): content changed after writing")
        expected, newest = entry.hash, (entry.id, entry.hash)
    if head and (body.get("last_id"), body.get("hash")) != newest:
        problems.append(
            f"the newest entry is {newest[0]}, but the signed head names entry "
            f"{body.get('last_id')}: entries were deleted or added outside the station"
        )
    return problems
