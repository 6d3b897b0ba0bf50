"""The specialization exam's catalogue: the members' practical grades, the written grade
(the final score of the candidate's sheet) and the final average (:mod:`omr.committee.catalogue`).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from reportlab.platypus import Paragraph, Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.committee.catalogue import CatalogueRow, build_catalogue, parse_grade
from omr.scoring.profiles import load_profile
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Reason
from station.errors import StationError, not_found
from station.services import audit
from station.services.contestations import exam_sheets
from station.services.documents import TABLE_STYLE, pdf_bytes, signatures, styles
from station.storage.committee import PracticalGrade
from station.storage.models import Candidate, Exam, User, utcnow
from station.words import local_time


def enter_grade(
    session: Session, *, exam: Exam, candidate: str, member: str, grade: str, actor: User
) -> PracticalGrade:
    """Record one member's grade of a candidate's practical test.

    Raises
    ------
    StationError
        ``not_found`` (candidate), ``members_missing``, ``grade_invalid``.
    """
    known = session.scalars(
        select(Candidate.id).where(Candidate.exam_id == exam.id, Candidate.number == candidate)
    ).first()
    if known is None:
        raise not_found(f"candidatul {candidate}")
    if not member.strip():
        raise StationError(Reason.MEMBERS_MISSING)
    try:
        value = parse_grade(grade)
    except OmrError as error:
        raise StationError(error.problem) from None
    row = PracticalGrade(
        exam_id=exam.id,
        candidate=candidate,
        member=member.strip(),
        grade=str(value),
        entered_by=actor.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="practical.grade",
        entity=f"exam:{exam.id}",
        after={"candidate": candidate, "member": row.member, "grade": row.grade},
    )
    return row


def _practical(session: Session, exam: Exam) -> dict[str, list[Decimal]]:
    """Each candidate's grades, the newest of each member."""
    newest: dict[tuple[str, str], Decimal] = {}
    for row in session.scalars(
        select(PracticalGrade).where(PracticalGrade.exam_id == exam.id).order_by(PracticalGrade.id)
    ):
        newest[(row.candidate, row.member)] = Decimal(row.grade)
    grades: dict[str, list[Decimal]] = defaultdict(list)
    for (candidate, _), grade in newest.items():
        grades[candidate].append(grade)
    return grades


def catalogue(session: Session, *, exam: Exam) -> list[CatalogueRow]:
    """The exam's catalogue: every candidate, graded or still missing a test."""
    written = {
        view.candidate.number: view.score.total
        for view in exam_sheets(session, exam=exam)
        if view.status == "final" and view.candidate is not None
    }
    candidates = session.scalars(
        select(Candidate).where(Candidate.exam_id == exam.id).order_by(Candidate.number)
    )
    return build_catalogue(
        [(c.number, c.name) for c in candidates],
        _practical(session, exam),
        written,
        load_profile(exam.profile),
    )


def catalogue_pdf(session: Session, *, exam: Exam) -> bytes:
    """The catalogue as PDF, signed by the committee, with the chain's head."""
    body, title = styles()
    rows = [["Candidat", "Nume", "Proba practică", "Proba scrisă", "Media finală", "Rezultat"]]
    for row in catalogue(session, exam=exam):
        result = {True: "promovat", False: "nepromovat"}.get(row.passed, "incomplet")
        cells = (row.practical, row.written, row.final)
        rows.append([row.candidate, row.name, *("—" if c is None else str(c) for c in cells)])
        rows[-1].append(result)
    story = [
        Paragraph(f"Catalogul examenului — {exam.title}", title),
        Paragraph(
            f"Examen {exam.code}; media finală este media aritmetică a notelor probei practice "
            f"și probei scrise, cu două zecimale; "
            f"întocmit la {local_time(utcnow(), exam.time_zone)}.",
            body,
        ),
        Table(rows, repeatRows=1, style=TABLE_STYLE),
        signatures(body, ["Președintele comisiei", "Secretar"]),
        Paragraph(audit.head_text(session), body),
    ]
    return pdf_bytes(story)
