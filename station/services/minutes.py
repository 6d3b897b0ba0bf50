"""The committee's proces-verbal documents: their data (JSON for the central committee)
and their PDF, built from that same data so the two never disagree.

- the rescan proces-verbal, per request and as the day's consolidated minutes;
- the contestation proces-verbal of the final key;
- the national classification, full and anonymised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer, Table
from sqlalchemy.orm import Session, object_session

from omr.committee.ranking import INCOMPLETE
from station.services import audit
from station.services.contestations import contested_items
from station.services.documents import TABLE_STYLE, pdf_bytes, signatures, styles
from station.services.publishing import get_publication, publication_changes
from station.services.rescans import COMMITTEE_NOTE, OUTCOMES, RescanView
from station.storage.committee import NationalRanking
from station.storage.models import AnswerKeyVersion, Exam, utcnow
from station.words import RULINGS, local_time, mark_state, shown, wall_time, yes_no


def rescan_record(view: RescanView) -> dict[str, Any]:
    """The figures of one rescan for its proces-verbal."""
    sheet, request, decision = view.original, view.request, view.decision
    room = sheet.room
    return {
        "request": request.id,
        "exam": room.exam.code,
        "session": room.exam.title,
        "room": room.code,
        "candidate": request.candidate,
        "name": sheet.candidate.name if sheet.candidate else None,
        "sheet": sheet.reading.id,
        "serial": sheet.reading.serial,
        "reason": request.reason,
        "filed_at": wall_time(request.filed_at),
        "rescanned_at": wall_time(view.result.rescanned_at) if view.result else None,
        "state": view.state,
        "differences": [
            {"bubble": f"{c.question}{c.option}", "before": c.before, "after": c.after}
            for c in view.changes
        ],
        "room_decisions": [
            {"bubble": f"{d.question}{d.option}", "state": d.state, "by": d.user.full_name}
            for d in sheet.decisions
            if not d.note.startswith(COMMITTEE_NOTE)
        ],
        "score_before": decision.score_before if decision else _total(sheet.score),
        "score_after": decision.score_after if decision else _total(view.score_after),
        "decision": OUTCOMES[decision.outcome] if decision else None,
        "audit_head": audit.head_text(object_session(request)),
        "decision_reason": decision.reason if decision else None,
        "members": decision.members if decision else [],
        "decided_at": wall_time(decision.decided_at) if decision else None,
    }


def _total(score: Any) -> str | None:
    if score is None:
        return None
    return str(score.total if score.total is not None else score.provisional_total)


def _member_signatures(body: ParagraphStyle, members: Sequence[str]) -> list[Table]:
    """A signature line for every member present, three to a row."""
    names = list(members) or ["Președintele comisiei", "Membru"]
    return [signatures(body, names[i : i + 3]) for i in range(0, len(names), 3)]


def _room_decisions(record: dict[str, Any]) -> str:
    decisions = record["room_decisions"]
    return ", ".join(f"{d['bubble']} {mark_state(d['state'])}" for d in decisions) or "—"


def rescan_minutes(records: Sequence[dict[str, Any]], heading: str) -> bytes:
    """The rescan proces-verbal of ``records`` (one request, or a day's requests)."""
    body, title = styles()
    story: list = [Paragraph(f"Proces-verbal de rescanare — {heading}", title)]
    members: list[str] = []
    for record in records:
        story += [
            Spacer(1, 8),
            Paragraph(
                f"<b>Cererea #{record['request']}</b> — examen {record['exam']} "
                f"({record['session']}), sala {record['room']}",
                body,
            ),
            Paragraph(
                f"Candidat {record['candidate']} {record['name'] or ''}; foaia #{record['sheet']}, "
                f"seria {record['serial'] or '—'}. Motivul cererii: {record['reason']}",
                body,
            ),
            Paragraph(
                f"Depusă la {record['filed_at']}; rescanată la {record['rescanned_at'] or '—'}.",
                body,
            ),
        ]
        rows = [["Bula", "Citită inițial", "La rescanare"]] + [
            [d["bubble"], mark_state(d["before"]), mark_state(d["after"])]
            for d in record["differences"]
        ]
        if record["differences"]:
            story.append(Table(rows, repeatRows=1, style=TABLE_STYLE))
        else:
            story.append(Paragraph("Diferențe găsite: niciuna.", body))
        story += [
            Paragraph(
                f"Decizii luate în sală: {_room_decisions(record)}",
                body,
            ),
            Paragraph(
                f"Scor inițial: <b>{record['score_before'] or '—'}</b>; scor după decizie: "
                f"<b>{record['score_after'] or '—'}</b>.",
                body,
            ),
            Paragraph(
                f"Decizia comisiei: <b>{record['decision'] or 'nedecisă'}</b>"
                + (f" — {record['decision_reason']}" if record["decision_reason"] else "")
                + (f" ({record['decided_at']})" if record["decided_at"] else ""),
                body,
            ),
            Paragraph(f"Membrii comisiei prezenți: {', '.join(record['members']) or '—'}", body),
        ]
        members += [m for m in record["members"] if m not in members]
    story += _member_signatures(body, members)
    story += [Paragraph(record["audit_head"], body) for record in records[-1:]]
    return pdf_bytes(story)


def contestation_record(session: Session, *, exam: Exam) -> dict[str, Any]:
    """The figures of the contestation proces-verbal (of the published final key).

    Raises
    ------
    StationError
        ``not_found`` (404) before the final key's publication.
    """
    publication = get_publication(session, exam=exam)
    final = session.get(AnswerKeyVersion, publication.key_id)
    previous = session.get(AnswerKeyVersion, final.supersedes_id)
    items = [
        {
            "item": entry.item,
            "contestations": [
                {
                    "candidate": c.candidate,
                    "variant": c.variant,
                    "question": c.question,
                    "claim": c.claim,
                    "filed_at": wall_time(c.filed_at),
                }
                for c in entry.contestations
            ],
            "outcome": entry.ruling.outcome if entry.ruling else None,
            "answer": entry.ruling.answer if entry.ruling else None,
            "justification": entry.ruling.justification if entry.ruling else None,
            "members": entry.ruling.members if entry.ruling else [],
        }
        for entry in contested_items(session, exam=exam)
    ]
    return {
        "exam": exam.code,
        "session": exam.title,
        "published_at": local_time(publication.published_at, exam.time_zone),
        "key_before": {"number": previous.number, "digest": previous.digest},
        "key_final": {"number": final.number, "digest": final.digest},
        "items": items,
        "annulled": [i["item"] for i in items if i["outcome"] == "annulled"],
        "changed": [i["item"] for i in items if i["outcome"] == "changed"],
        "score_changes": publication_changes(session, publication=publication),
        "audit_head": audit.head_text(session),
    }


def contestation_minutes(record: dict[str, Any]) -> bytes:
    """The contestation proces-verbal: questions, decisions, annulments, effect on scores."""
    body, title = styles()
    story: list = [
        Paragraph(f"Proces-verbal al contestațiilor — {record['session']}", title),
        Paragraph(
            f"Examen {record['exam']}. Grila finală nr. {record['key_final']['number']} "
            f"({record['key_final']['digest']}) înlocuiește grila nr. "
            f"{record['key_before']['number']}; publicată la {record['published_at']}.",
            body,
        ),
        Paragraph(
            f"Întrebări contestate: {len(record['items'])}; cu grila modificată: "
            f"{', '.join(record['changed']) or '—'}; "
            f"anulate: {', '.join(record['annulled']) or '—'}.",
            body,
        ),
    ]
    rows = [["Întrebarea", "Contestații", "Decizia", "Justificare"]] + [
        [
            item["item"],
            str(len(item["contestations"])),
            RULINGS.get(item["outcome"], "nedecisă")
            + (f": {item['answer']}" if item["answer"] else ""),
            Paragraph(item["justification"] or "—", body),
        ]
        for item in record["items"]
    ]
    story += [Spacer(1, 6), Table(rows, repeatRows=1, style=TABLE_STYLE), Spacer(1, 6)]
    changes = record["score_changes"]
    story.append(Paragraph(f"Candidați cu scorul schimbat: {len(changes)}", body))
    if changes:
        rows = [["Candidat", "Sala", "Scor vechi", "Scor nou", "Diferență", "Maxim", "Actul"]] + [
            [
                shown(c["candidate"]),
                shown(c["room"]),
                shown(c["old_total"]),
                shown(c["new_total"]),
                shown(c["delta"]),
                shown(c["new_max"]),
                c.get("act", "grila finală"),
            ]
            for c in changes
        ]
        story.append(Table(rows, repeatRows=1, style=TABLE_STYLE))
    members = sorted({m for item in record["items"] for m in item["members"]})
    story += _member_signatures(body, members)
    story.append(Paragraph(record["audit_head"], body))
    return pdf_bytes(story)


def _domain_line(domain: dict[str, Any]) -> str:
    """A domain's maximum and threshold, or why its ranking is provisional."""
    name = domain["domain"] or "unic"
    if domain.get("provisional"):
        missing = [
            f"{entry['source'].get('path') or '—'} ({entry['candidate'] or 'neidentificată'})"
            for entry in domain["excluded"]
            if entry["why"] in INCOMPLETE
        ]
        return (
            f"Domeniul {name}: CLASAMENT PROVIZORIU — maximul național și promovarea se stabilesc "
            f"după ce toate foile sunt finale și identificate; lipsesc: {', '.join(missing)}"
        )
    threshold = f", pragul {domain['threshold']}" if domain["threshold"] else ""
    return f"Domeniul {name}: maximul național {domain['national_max']}{threshold}"


def ranking_pdf(ranking: NationalRanking, *, names: Mapping[str, str] | None) -> bytes:
    """The national classification per domain: named (``names``: number → name, with the
    domain, score and pass, signed) or anonymised (``names`` None: numbers only)."""
    body, title = styles()
    document = ranking.document
    anonymised = names is None
    kind = "listă anonimizată (numai numerele candidaților)" if anonymised else "clasament nominal"
    zone = object_session(ranking).get(Exam, ranking.exam_id).time_zone
    story: list = [
        Paragraph(f"{document['title']} — {kind}", title),
        Paragraph(
            f"Examen {document['exam']}; săli unificate: {', '.join(document['rooms'])}; "
            f"clasament din {local_time(ranking.created_at, zone)}; "
            f"tipărit la {local_time(utcnow(), zone)}.",
            body,
        ),
    ]
    for domain in document["domains"]:
        story.append(Paragraph(_domain_line(domain), body))
        header = ["Loc", "Nr. candidat", "Punctaj", "Promovat"]
        if not anonymised:
            header[2:2] = ["Nume", "Domeniu"]
        rows: list[list[Any]] = [header]
        for row in domain["ranking"]:
            cells = [row["rank"], row["candidate"], row["total"], yes_no(row["passed"])]
            if not anonymised:
                cells[2:2] = [shown(names.get(row["candidate"])), domain["domain"] or "unic"]
            rows.append(cells)
        story += [Table(rows, repeatRows=1, style=TABLE_STYLE), Spacer(1, 6)]
    if not anonymised:
        story.append(signatures(body, ["Președintele comisiei centrale", "Secretar"]))
    if "audit_head" in document:  # rankings built before the keyed chain carry none
        story.append(Paragraph(document["audit_head"], body))
    return pdf_bytes(story)
