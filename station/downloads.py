"""File responses shared by the API and the pages: overlays, slips, minutes, bundles, rankings."""

from __future__ import annotations

import json
from typing import Literal

from fastapi import Response
from fastapi.responses import FileResponse
from sqlalchemy.orm import object_session

from station.config import Settings
from station.errors import not_found
from station.services.documents import proces_verbal, result_slip
from station.services.minutes import (
    contestation_minutes,
    ranking_pdf,
    rescan_minutes,
    rescan_record,
)
from station.services.overlays import overlay_file
from station.services.rescans import RescanView
from station.services.rooms import RoomSummary
from station.services.sheets import SheetView
from station.services.tables import Table, candidate_names, csv_of, ranking_table, xlsx_of
from station.storage.committee import NationalRanking
from station.storage.models import Export


def overlay_response(view: SheetView, settings: Settings) -> FileResponse:
    """The overlay PNG of a sheet (drawn the first time it is asked for)."""
    if not view.reading.overlay:
        raise not_found(f"imaginea foii {view.reading.id}")
    return FileResponse(overlay_file(settings, view.reading), media_type="image/png")


TableKind = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def rescan_minutes_response(view: RescanView) -> Response:
    """The request's rescan proces-verbal PDF."""
    request_id = view.request.id
    pdf = rescan_minutes([rescan_record(view)], f"cererea #{request_id}")
    return attachment(pdf, "application/pdf", f"rescanare-{request_id}.pdf")


def rescan_overlay_response(view: RescanView, settings: Settings) -> Response:
    """The overlay PNG of the rescan (the original's is the sheet's overlay)."""
    if view.result is None or not view.result.reading.overlay:
        raise not_found(f"imaginea rescanării {view.request.id}")
    return FileResponse(overlay_file(settings, view.result.reading), media_type="image/png")


def contestation_minutes_response(record: dict) -> Response:
    """The contestation proces-verbal PDF of ``record`` (its data)."""
    return attachment(
        contestation_minutes(record), "application/pdf", f"contestatii-{record['exam']}.pdf"
    )


def _ranking_name(anonymised: bool) -> str:
    return "lista-anonimizata" if anonymised else "clasament"


def _names(ranking: NationalRanking, anonymised: bool) -> dict[str, str] | None:
    """The candidates' names of a named ranking; None for the anonymised list."""
    if anonymised:
        return None
    return candidate_names(object_session(ranking), exam_id=ranking.exam_id)


def table_response(table: Table, name: str, kind: TableKind) -> Response:
    """A committee table as a download: CSV, or an XLSX workbook."""
    if kind == "xlsx":
        return attachment(xlsx_of(table, name), XLSX, f"{name}.xlsx")
    return attachment(csv_of(table).encode(), "text/csv", f"{name}.csv")


def ranking_table_response(
    ranking: NationalRanking, *, anonymised: bool, kind: TableKind
) -> Response:
    """The classification as a table (CSV or XLSX); ``anonymised``: candidate numbers
    only, for display."""
    table = ranking_table(ranking, names=_names(ranking, anonymised))
    return table_response(table, _ranking_name(anonymised), kind)


def ranking_pdf_response(ranking: NationalRanking, *, anonymised: bool) -> Response:
    """The classification as PDF: named (names, domain, score, pass) or anonymised."""
    pdf = ranking_pdf(ranking, names=_names(ranking, anonymised))
    return attachment(pdf, "application/pdf", f"{_ranking_name(anonymised)}.pdf")
