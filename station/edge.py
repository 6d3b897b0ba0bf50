"""The web edge: security headers on every response, request bodies bounded, path ids
bounded to 64 bits, and malformed requests refused with a reason.

Pages carry no inline script or style (``/static/station.css`` and ``station.js``), so
their Content-Security-Policy allows only the station's own files; the API's
documentation (``/docs``) is a page of the station like any other.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.datastructures import Headers
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


Respond = Callable[[Request, StationError], Response]


class BodyLimit:
    """ASGI middleware refusing a request body over ``limit`` bytes (413,
    ``request_too_large``): from its Content-Length before a byte is read, or as soon as
    the bytes received pass the limit (the rest is never read)."""

    def __init__(self, app: ASGIApp, *, limit: int, respond: Respond) -> None:
        self.app = app
        self.limit = limit
        self.respond = respond

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = StationError(
            Reason.REQUEST_TOO_LARGE, status_code=413, limit_mb=self.limit / 1024 / 1024
        )
        await self.respond(Request(scope), error)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = Headers(scope=scope).get("content-length", "") if scope["type"] == "http" else ""
        if declared.isdecimal() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received, cut = 0, False

        async def counted() -> Message:
            nonlocal received, cut
            message = {"type": "http.disconnect"} if cut else await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                cut = received > self.limit
            return {"type": "http.disconnect"} if cut else message

        async def answered(message: Message) -> None:
            if not cut:  # the app's answer to a cut body is replaced by the refusal
                await send(message)

        try:
            await self.app(scope, counted, answered)
        except Exception:
            if not cut:
                raise
        if cut:
            await self._refuse(scope, receive, send)


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
