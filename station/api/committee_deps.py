"""Dependencies of the committee's routes: who may act, and the clock deadlines use."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends

from station.api.deps import require_role
from station.services.deadlines import local_now
from station.storage.models import User

Committee = Annotated[User, Depends(require_role("committee", "admin"))]


def get_now() -> datetime:
    """The Romanian wall-clock time of a filing (tests override this dependency)."""
    return local_now()


Now = Annotated[datetime, Depends(get_now)]
