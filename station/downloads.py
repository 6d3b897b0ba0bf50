"""File responses shared by the API and the pages: overlays, slips, minutes, bundles."""

from __future__ import annotations

import json

from fastapi import Response
from fastapi.responses import FileResponse

from station.config import Settings
from station.errors import not_found
from station.services.documents import proces_verbal, result_slip
from station.services.rooms import RoomSummary
from station.services.sheets import SheetView
from station.storage.models import Export


def overlay_response(view: SheetView, settings: Settings) -> FileResponse:
    """The overlay PNG of a sheet."""
    if not view.reading.overlay:
        raise not_found(f"imaginea foii {view.reading.id}")
    return FileResponse(settings.overlays_dir / view.reading.overlay, media_type="image/png")


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def slip_response(view: SheetView, settings: Settings) -> Response:
    """The result slip PDF."""
    return attachment(result_slip(view, settings), "application/pdf", f"fisa-{view.reading.id}.pdf")


def minutes_response(summary: RoomSummary) -> Response:
    """The room's proces-verbal PDF."""
    return attachment(
        proces_verbal(summary), "application/pdf", f"proces-verbal-{summary.room.code}.pdf"
    )


def bundle_response(export: Export, *, csv: bool = False) -> Response:
    """The signed bundle (JSON) or its CSV."""
    name = f"{export.document['exam']}-{export.document['room']}-{export.id}"
    if csv:
        return attachment(export.csv.encode(), "text/csv", f"{name}.csv")
    text = json.dumps(export.document, indent=2, ensure_ascii=False)
    return attachment(text.encode(), "application/json", f"{name}.json")
