"""The web edge: security headers on every response, path ids bounded to 64 bits, and
malformed requests refused with a reason.

Pages carry no inline script or style (``/static/station.css`` and ``station.js``), so
their Content-Security-Policy allows only the station's own files; the API's
documentation (``/docs``) is a page of the station like any other.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omr.vocabulary.reasons import Reason
from station.errors import StationError

MAX_ID = 2**63 - 1  # the largest id a database row can have
_POLICY = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers() -> list[tuple[bytes, bytes]]:
    """The headers every response carries."""
    return [
        (b"content-security-policy", _POLICY.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]


class SecurityHeaders:
    """ASGI middleware adding :func:`security_headers` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = security_headers()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in added if name not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def bounded_ids(request: Request) -> None:
    """Refuse a numeric path value no row can have (beyond 64 bits) as not found.

    Raises
    ------
    StationError
        ``not_found`` (404).
    """
    for value in request.path_params.values():
        if isinstance(value, str) and value.isdecimal() and int(value) > MAX_ID:
            raise StationError(Reason.NOT_FOUND, status_code=404, what=f"#{value[:30]}")


def request_invalid(error: RequestValidationError) -> StationError:
    """A malformed request (a path value, a form field, a JSON body) as a refusal."""
    first = error.errors()[0] if error.errors() else {}
    field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "cererea"
    return StationError(
        Reason.REQUEST_INVALID,
        status_code=422,
        field=field,
        problem=str(first.get("msg", "")),
    )
