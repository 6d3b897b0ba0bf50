"""The specialization exam's practical grades and catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Response

from omr.committee.catalogue import CatalogueRow
from station.api.committee_deps import Committee
from station.committee_schemas import GradeCreate
from station.dependencies import SessionDep
from station.downloads import TableKind, attachment, table_response
from station.services import catalogue
from station.services.exams import get_exam
from station.services.tables import catalogue_table

router = APIRouter(prefix="/exams/{exam_id}", tags=["catalogue"])


@router.post("/practical-grades", status_code=201)
def enter_grade(exam_id: int, body: GradeCreate, session: SessionDep, user: Committee) -> dict:
    """Record one member's practical grade."""
    row = catalogue.enter_grade(
        session, exam=get_exam(session, exam_id), **body.model_dump(), actor=user
    )
    session.commit()
    return {"candidate": row.candidate, "member": row.member, "grade": row.grade}


@router.get("/catalogue", response_model=list[CatalogueRow])
def read_catalogue(exam_id: int, session: SessionDep, _: Committee) -> list[CatalogueRow]:
    """Every candidate's practical, written and final grades and result."""
    return catalogue.catalogue(session, exam=get_exam(session, exam_id))


@router.get("/catalogue.pdf", response_class=Response)
def catalogue_as_pdf(exam_id: int, session: SessionDep, _: Committee) -> Response:
    """The catalogue as PDF."""
    exam = get_exam(session, exam_id)
    return attachment(
        catalogue.catalogue_pdf(session, exam=exam), "application/pdf", f"catalog-{exam.code}.pdf"
    )


@router.get("/catalogue.{kind}", response_class=Response)
def catalogue_as_table(
    exam_id: int, kind: TableKind, session: SessionDep, _: Committee
) -> Response:
    """The catalogue as a table, ``csv`` or ``xlsx``."""
    exam = get_exam(session, exam_id)
    table = catalogue_table(catalogue.catalogue(session, exam=exam))
    return table_response(table, f"catalog-{exam.code}", kind)
