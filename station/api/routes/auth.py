"""Logins for the API: a bearer token from a username and password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, OAuth2PasswordRequestForm

from station.api.deps import AnyRole, bearer_scheme
from station.dependencies import Client, SessionDep, SettingsDep, ThrottleDep
from station.schemas import Token
from station.services.users import authenticate, close_session, find_session, open_session

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token)
def login(
    session: SessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client: Client,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange a username and password for a bearer token (the only open endpoint);
    repeated failures lock the account or the client out for growing times (429)."""
    user = authenticate(
        session, username=form.username, password=form.password, throttle=throttle, client=client
    )
    token, _ = open_session(session, user=user, kind="token", hours=settings.session_hours)
    session.commit()
    return Token(access_token=token)


@router.post("/logout", status_code=204)
def logout(
    session: SessionDep,
    _: AnyRole,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer_scheme)],
) -> None:
    """End the token's login."""
    login = find_session(session, token=credentials.credentials, kind="token")
    close_session(session, login=login)
    session.commit()
