"""Login throttling: consecutive failed logins counted per account and per client.

Past a few free tries, each further failure locks the account (or the client) for twice
as long as the one before, up to a quarter of an hour; while locked, a login is refused
before its password is checked, so guessing costs the station no CPU. A success clears
the account's and the client's count. Lock-outs are listed for an administrator.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from omr.vocabulary.reasons import Reason
from station.errors import StationError

log = logging.getLogger(__name__)
ACCOUNT_TRIES = 5  # a person who mistypes five times in a row waits a second, then two…
CLIENT_TRIES = 20  # one room's computer serves several people
MAX_LOCK_SECONDS = 15 * 60
MAX_RECORDS = 10_000  # made-up user names cannot fill the memory


@dataclass
class _Count:
    failures: int = 0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Lockout:
    """An account or a client locked out now."""

    kind: str  # "account" or "client"
    key: str
    failures: int
    seconds_left: int


class LoginThrottle:
    """Failed logins per account and per client, with growing lock-outs."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._counts: OrderedDict[tuple[str, str], _Count] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, *, username: str, client: str) -> None:
        """Refuse a login while its account or its client is locked out.

        Raises
        ------
        StationError
            ``login_throttled`` (429).
        """
        now = self.clock()
        with self._lock:
            until = max(
                self._counts.get(key, _Count()).locked_until
                for key in (("account", username), ("client", client))
            )
        if until > now:
            seconds = math.ceil(until - now)
            raise StationError(Reason.LOGIN_THROTTLED, status_code=429, seconds=seconds)

    def failed(self, *, username: str, client: str) -> None:
        """Count a failed login; lock past the free tries."""
        now = self.clock()
        with self._lock:
            for key, free in (
                (("account", username), ACCOUNT_TRIES),
                (("client", client), CLIENT_TRIES),
            ):
                count = self._counts.pop(key, None) or _Count()
                count.failures += 1
                if count.failures >= free:
                    seconds = min(2 ** (count.failures - free), MAX_LOCK_SECONDS)
                    count.locked_until = now + seconds
                    log.warning("login locked for %s s: %s %s", seconds, *key)
                self._counts[key] = count
            while len(self._counts) > MAX_RECORDS:
                self._counts.popitem(last=False)

    def succeeded(self, *, username: str, client: str) -> None:
        """Clear the counts of a successful login."""
        with self._lock:
            self._counts.pop(("account", username), None)
            self._counts.pop(("client", client), None)

    def lockouts(self) -> list[Lockout]:
        """The accounts and clients locked out now."""
        now = self.clock()
        with self._lock:
            return [
                Lockout(kind, key, count.failures, math.ceil(count.locked_until - now))
                for (kind, key), count in self._counts.items()
                if count.locked_until > now
            ]
