"""Dependencies of the committee's routes: who may act."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from station.api.deps import require_role
from station.storage.models import User

Committee = Annotated[User, Depends(require_role("committee", "admin"))]
