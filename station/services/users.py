"""Users, password hashes (argon2) and login sessions (cookie or bearer token)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from station.errors import StationError, not_found
from station.services import audit
from station.services.throttle import LoginThrottle
from station.storage.models import AuthSession, Room, User, utcnow

ROLES = ("room_head", "committee", "admin")
_HASHER = PasswordHasher()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    room: Room | None = None,
    actor: User | None = None,
) -> User:
    """A new user; a room head must have a room.

    Raises
    ------
    StationError
        ``role_invalid``, ``room_required``, ``password_too_short``, ``user_exists``.
    """
    _check_role(role, room)
    if len(password) < 4:
        raise StationError(Reason.PASSWORD_TOO_SHORT, minimum=4)
    if session.scalars(select(User).where(User.username == username)).first():
        raise StationError(Reason.USER_EXISTS, status_code=409, username=username)
    user = User(
        username=username,
        full_name=full_name or username,
        password_hash=_HASHER.hash(password),
        role=role,
        room_id=room.id if room else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.create",
        entity=f"user:{user.id}",
        after={"username": username, "role": role, "room": room.code if room else None},
    )
    return user


def _check_role(role: str, room: Room | None) -> None:
    """A known role; a room for a room head alone.

    Raises
    ------
    StationError
        ``role_invalid``, ``room_required``.
    """
    if role not in ROLES:
        raise StationError(Reason.ROLE_INVALID, role=role, roles=", ".join(ROLES))
    if (role == "room_head") != (room is not None):
        raise StationError(Reason.ROOM_REQUIRED)


def _not_own(user: User, actor: User) -> None:
    """An administrator leaves their own account as it is (no one would be left to undo it).

    Raises
    ------
    StationError
        ``own_account`` (409).
    """
    if user.id == actor.id:
        raise StationError(Reason.OWN_ACCOUNT, status_code=409)


def _audited(
    session: Session, *, user: User, actor: User, action: str, change: Callable[[], None]
) -> User:
    """Make ``change`` to ``user`` and record it (before and after) in the audit chain."""

    def described() -> dict[str, object]:
        return {"role": user.role, "room": user.room_id, "disabled": user.disabled_at is not None}

    before = described()
    change()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity=f"user:{user.id}",
        before=before,
        after=described(),
    )
    return user


def change_user(session: Session, *, user: User, role: str, room: Room | None, actor: User) -> User:
    """Give ``user`` a role and, for a room head, a room (a room head moves between rooms).

    Raises
    ------
    StationError
        ``role_invalid``, ``room_required``, ``own_account`` (409).
    """
    _check_role(role, room)
    if role != user.role:
        _not_own(user, actor)

    def change() -> None:
        user.role, user.room_id = role, room.id if room else None

    return _audited(session, user=user, actor=actor, action="user.change", change=change)


def disable_user(session: Session, *, user: User, actor: User) -> User:
    """Disable ``user``: their logins end and the account no longer logs in.

    Raises
    ------
    StationError
        ``own_account`` (409).
    """
    _not_own(user, actor)

    def change() -> None:
        user.disabled_at = user.disabled_at or utcnow()
        for login in session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)):
            session.delete(login)

    return _audited(session, user=user, actor=actor, action="user.disable", change=change)


def get_user(session: Session, user_id: int) -> User:
    """The user, or a 404 refusal."""
    user = session.get(User, user_id)
    if user is None:
        raise not_found(f"utilizatorul {user_id}")
    return user


@cache
def _unknown_user_hash() -> str:
    """A hash checked for an unknown user name, so that it costs what a known one does."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def authenticate(
    session: Session, *, username: str, password: str, throttle: LoginThrottle, client: str
) -> User:
    """The user with these credentials, unless the account or the client is locked out.

    Raises
    ------
    StationError
        ``login_throttled`` (429), ``login_failed`` (401).
    """
    throttle.check(username=username, client=client)
    user = session.scalars(select(User).where(User.username == username)).first()
    try:
        if _HASHER.verify(user.password_hash if user else _unknown_user_hash(), password) and user:
            throttle.succeeded(username=username, client=client)
            if user.disabled_at is not None:
                raise StationError(Reason.USER_DISABLED, status_code=403, username=username)
            return user
    except (VerifyMismatchError, InvalidHashError):
        pass
    throttle.failed(username=username, client=client)
    raise StationError(Reason.LOGIN_FAILED, status_code=401)


def open_session(
    session: Session, *, user: User, kind: str, hours: float
) -> tuple[str, AuthSession]:
    """A new login of ``kind`` (cookie or token): the secret token and its row."""
    token = secrets.token_urlsafe(32)
    row = AuthSession(
        token_hash=_token_hash(token),
        csrf=secrets.token_urlsafe(24),
        kind=kind,
        user_id=user.id,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    audit.record(
        session, actor=user, action="user.login", entity=f"user:{user.id}", after={"kind": kind}
    )
    session.flush()
    return token, row


def find_session(session: Session, *, token: str, kind: str) -> AuthSession | None:
    """The live login of ``token``, or None."""
    row = session.scalars(
        select(AuthSession).where(AuthSession.token_hash == _token_hash(token))
    ).first()
    if row is None or row.kind != kind or row.expires_at <= utcnow() or row.user.disabled_at:
        return None
    return row


def close_session(session: Session, *, login: AuthSession) -> None:
    """End a login (logout)."""
    session.delete(login)
