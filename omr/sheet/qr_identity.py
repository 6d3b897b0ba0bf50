"""The identity printed in every sheet's QR code, and its HMAC tag.

The payload is one ASCII line of ``key=value`` fields separated by ``;``, starting with
the format tag ``OMR1``::

    OMR1;t=specializare-asistenti;v=1;e=SPEC-2026;g=A;s=000123;c=01234;h=5c0f…

``t`` template id, ``v`` template version, ``e`` exam code, ``g`` variant (grid type,
absent when not pre-printed), ``s`` sheet serial, ``c`` candidate code (absent unless
the sheet was pre-personalised), ``h`` the first 24 hex digits of
HMAC-SHA256(secret, payload without ``;h=…``), present when the exam has a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from omr.vocabulary.errors import InputFileError, ScanError
from omr.vocabulary.reasons import Reason

FORMAT_TAG = "OMR1"
TAG_HEX_DIGITS = 24
QR_TEXT_SHOWN = 60  # characters of an unreadable QR text quoted in the message
# An exam code or candidate number in the QR: the station's own codes are at most 64.
MAX_FIELD_CHARS = 64
_FIELDS = (
    ("t", "template"),
    ("v", "template_version"),
    ("e", "exam"),
    ("g", "variant"),
    ("s", "serial"),
    ("c", "candidate"),
)


@dataclass(frozen=True, slots=True)
class SheetIdentity:
    """What a sheet's QR code says about it."""

    template: str
    template_version: int
    exam: str
    serial: int
    variant: str | None = None
    candidate: str | None = None
    tag: str | None = None

    def signed_text(self) -> str:
        """The payload without its tag: the text the HMAC covers."""
        parts = [FORMAT_TAG]
        for key, attribute in _FIELDS:
            value = getattr(self, attribute)
            if value is None:
                continue
            if attribute == "serial":
                value = f"{value:06d}"
            parts.append(f"{key}={value}")
        return ";".join(parts)

    def payload(self) -> str:
        """The full QR text, with the tag when there is one."""
        text = self.signed_text()
        return f"{text};h={self.tag}" if self.tag else text


def compute_tag(signed_text: str, secret: bytes) -> str:
    """The truncated HMAC-SHA256 tag of a payload."""
    digest = hmac.new(secret, signed_text.encode("ascii"), hashlib.sha256).hexdigest()
    return digest[:TAG_HEX_DIGITS]


def make_identity(
    *,
    template: str,
    template_version: int,
    exam: str,
    serial: int,
    variant: str | None = None,
    candidate: str | None = None,
    secret: bytes | None = None,
) -> SheetIdentity:
    """A sheet identity, signed when the exam has a secret.

    Raises
    ------
    InputFileError
        ``identity_field_invalid``: a field too long for the QR, or with ``;``, ``=`` or
        non-ASCII text.
    """
    for name, value in (("exam", exam), ("candidate", candidate), ("variant", variant)):
        if value is not None and (
            ";" in value or "=" in value or not value.isascii() or len(value) > MAX_FIELD_CHARS
        ):
            shown = value if len(value) <= QR_TEXT_SHOWN else value[:QR_TEXT_SHOWN] + "…"
            raise InputFileError(
                Reason.IDENTITY_FIELD_INVALID, field=name, value=shown, limit=MAX_FIELD_CHARS
            )
    identity = SheetIdentity(template, template_version, exam, serial, variant, candidate)
    if secret is None:
        return identity
    tag = compute_tag(identity.signed_text(), secret)
    return SheetIdentity(template, template_version, exam, serial, variant, candidate, tag)


def parse_identity(text: str) -> SheetIdentity:
    """Parse a QR payload.

    Raises
    ------
    ScanError
        ``qr_invalid`` when the text is not an ``OMR1`` payload.
    """
    parts = text.strip().split(";")
    if not parts or parts[0] != FORMAT_TAG:
        raise ScanError(Reason.QR_INVALID, text=text[:QR_TEXT_SHOWN])
    fields: dict[str, str] = {}
    for part in parts[1:]:
        key, separator, value = part.partition("=")
        if not separator or key in fields:
            raise ScanError(Reason.QR_INVALID, text=text[:QR_TEXT_SHOWN])
        fields[key] = value
    try:
        return SheetIdentity(
            template=fields["t"],
            template_version=int(fields["v"]),
            exam=fields["e"],
            serial=int(fields["s"]),
            variant=fields.get("g"),
            candidate=fields.get("c"),
            tag=fields.get("h"),
        )
    except (KeyError, ValueError):
        raise ScanError(Reason.QR_INVALID, text=text[:QR_TEXT_SHOWN]) from None


def tag_is_valid(identity: SheetIdentity, secret: bytes) -> bool:
    """Whether the identity carries the right HMAC tag for ``secret``."""
    if identity.tag is None:
        return False
    return hmac.compare_digest(identity.tag, compute_tag(identity.signed_text(), secret))


def load_secret(path: str | None) -> bytes | None:
    """The exam secret from a file, else from ``OMR_EXAM_SECRET``, else ``None``."""
    if path is not None:
        try:
            secret = Path(path).read_bytes().strip()
        except OSError as error:
            raise InputFileError(
                Reason.SECRET_UNREADABLE, file=str(path), error=error.strerror or str(error)
            ) from None
        if not secret:
            raise InputFileError(Reason.SECRET_UNREADABLE, file=str(path), error="empty file")
        return secret
    value = os.environ.get("OMR_EXAM_SECRET")
    return value.encode() if value else None
