"""PDF documents (reportlab): the candidate's result slip and the room's proces-verbal.

Fonts with Romanian diacritics (DejaVu) are registered as the sheet generator does.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import object_session

from omr.printing.answer_sheets import BOLD_FONT, REGULAR_FONT, _register_fonts
from omr.vocabulary.states import MarkState
from station.config import Settings
from station.errors import StationError
from station.services import audit
from station.services.overlays import overlay_file
from station.services.rooms import RoomSummary
from station.services.sheets import SheetView
from station.storage.models import Candidate, utcnow
from station.words import local_time, mark_state, rule, shown

MARKED = (MarkState.FILLED, MarkState.CROSSED)  # the options a candidate chose

TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), REGULAR_FONT, 8),
        ("FONT", (0, 0), (-1, 0), BOLD_FONT, 8),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    _register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR_FONT, fontSize=10, leading=13)
    title = ParagraphStyle("title", fontName=BOLD_FONT, fontSize=14, leading=18, spaceAfter=6)
    return body, title


def pdf_bytes(story: list) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    ).build(story)
    return buffer.getvalue()


def signatures(body: ParagraphStyle, who: Sequence[str]) -> Table:
    cells = [[Paragraph(f"{role}<br/><br/>Semnătura: ____________________", body) for role in who]]
    return Table(cells, colWidths=[180 / len(who) * mm] * len(who), spaceBefore=14)


def _who(candidate: Candidate | None) -> str:
    return f"{candidate.number} {candidate.name}" if candidate else "neidentificat"


def _score_text(view: SheetView) -> str:
    score = view.score
    if score is None:
        return f"scor ascuns: {view.hidden}" if view.hidden else "—"
    if score.total is None:
        return f"provizoriu {score.provisional_total} din {score.max} (în așteptarea deciziilor)"
    return f"{score.total} din {score.max}"


def result_slip(view: SheetView, settings: Settings) -> bytes:
    """The candidate's result slip: overlay thumbnail, marks and points, signature lines."""
    body, title = styles()
    exam, candidate = view.room.exam, view.candidate
    zone = exam.time_zone
    story: list = [
        Paragraph(f"Fișa rezultatului — {exam.title}", title),
        Paragraph(
            f"Examen {exam.code}, sala {view.room.code}; foaia #{view.reading.id} "
            f"(seria {shown(view.reading.serial)}, fișier {view.reading.scan.original_name})",
            body,
        ),
        Paragraph(f"Candidat: {_who(candidate)}", body),
        Paragraph(f"Stare: {view.label}. Scor: <b>{_score_text(view)}</b>", body),
    ]
    story += [Paragraph(f"De lămurit: {doubt}", body) for doubt in view.doubts]
    if view.reading.overlay:
        try:
            thumbnail = overlay_file(settings, view.reading)
        except StationError as error:  # the slip is still given, without its image
            story.append(Paragraph(f"Imaginea foii lipsește: {error.message}", body))
        else:
            story.append(Image(str(thumbnail), width=62 * mm, height=95 * mm, kind="proportional"))
    if view.decisions:
        story.append(Paragraph("Decizii luate în prezența candidatului:", body))
        story += [
            Paragraph(
                f"bula {d.question}{d.option}: {mark_state(d.state)} — {d.user.full_name}, "
                f"{local_time(d.decided_at, zone)}" + (f" ({d.note})" if d.note else ""),
                body,
            )
            for d in view.decisions
        ]
    if view.score is not None and view.score.questions:
        rows = [["Întrebarea", "Marcaje", "Grila", "Puncte", "Regula"]] + [
            [
                str(q.question),
                " ".join(o for o, s in q.marks.items() if s in MARKED)
                + (" (X)" if MarkState.CROSSED in q.marks.values() else ""),
                shown(q.key),
                shown(q.points),
                rule(q.rule),
            ]
            for q in view.score.questions
        ]
        story += [Spacer(1, 4 * mm), Table(rows, repeatRows=1, style=TABLE_STYLE)]
    story.append(signatures(body, ["Candidat", "Șef de sală"]))
    story.append(Paragraph(audit.head_text(object_session(view.reading)), body))
    return pdf_bytes(story)


def proces_verbal(summary: RoomSummary) -> bytes:
    """The room's proces-verbal: candidates present and absent, every sheet and its score."""
    body, title = styles()
    room = summary.room
    counts = summary.counts
    story: list = [
        Paragraph(f"Proces-verbal — {room.exam.title}", title),
        Paragraph(
            f"Examen {room.exam.code}, sala {room.code} ({room.name}); întocmit la "
            f"{local_time(utcnow(), room.exam.time_zone)}",
            body,
        ),
        Paragraph(
            f"Candidați înscriși: {len(summary.candidates)}; prezenți: {len(summary.present)}; "
            f"absenți: {len(summary.absent)}. Foi punctate: {counts.get('final', 0)}; "
            f"în așteptare: {counts.get('waiting', 0) + counts.get('sealed', 0)}; "
            f"anulate: {counts.get('annulled', 0)}; necitibile: {counts.get('rejected', 0)}; "
            f"fișiere refuzate: {len(summary.refusals)}.",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [["Nr.", "Candidat", "Prezență", "Foaia", "Stare", "Scor"]]
    for candidate in summary.candidates:
        sheet = summary.sheet_of(candidate)
        rows.append(
            [
                candidate.number,
                Paragraph(candidate.name, body),
                "prezent" if candidate in summary.present else "absent",
                f"#{sheet.reading.id}" if sheet else "—",
                sheet.label if sheet else "—",
                _score_text(sheet) if sheet else "—",
            ]
        )
    story.append(Table(rows, repeatRows=1, style=TABLE_STYLE))
    others = [s for s in summary.sheets if s.status in ("annulled", "rejected")]
    if others:
        story += [Spacer(1, 4 * mm), Paragraph("Foi anulate și necitibile:", body)]
        for sheet in others:
            why = sheet.annulment.reason if sheet.annulment else "; ".join(sheet.doubts)
            owner = sheet.candidate.number if sheet.candidate else "neidentificat"
            story.append(
                Paragraph(
                    f"#{sheet.reading.id} ({sheet.reading.scan.original_name}, "
                    f"candidat {owner}): {sheet.label} — {why}",
                    body,
                )
            )
    story.append(signatures(body, ["Șef de sală", "Supraveghetor", "Supraveghetor"]))
    story.append(Paragraph(audit.head_text(object_session(room)), body))
    return pdf_bytes(story)
