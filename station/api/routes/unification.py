"""National unification: room bundles in, the final key applied, the classification out."""

from __future__ import annotations

from fastapi import APIRouter, Response, UploadFile

from station.api.committee_deps import Committee
from station.api.deps import Admin
from station.committee_schemas import (
    BundlePublic,
    RankingPublic,
    TrustedStationCreate,
    TrustedStationPublic,
)
from station.dependencies import SessionDep, SettingsDep
from station.downloads import TableKind, ranking_pdf_response, ranking_table_response
from station.services import unification
from station.services.exams import get_exam
from station.storage.committee import ImportedBundle, NationalRanking, TrustedStation
from station.uploads import read_upload

router = APIRouter(tags=["unification"])


@router.post("/unification/stations", response_model=TrustedStationPublic, status_code=201)
def trust_station(body: TrustedStationCreate, session: SessionDep, admin: Admin) -> TrustedStation:
    """Accept the bundles of a room station, by its signing key (``signing.key``, hex)."""
    station = unification.trust_station(session, key_hex=body.key, label=body.label, actor=admin)
    session.commit()
    return station


@router.post("/exams/{exam_id}/bundles", response_model=BundlePublic, status_code=201)
async def import_bundle(
    exam_id: int, file: UploadFile, session: SessionDep, settings: SettingsDep, user: Committee
) -> ImportedBundle:
    """Import a room's signed bundle (``station.bundle/1`` JSON)."""
    document = unification.parse_bundle(data=await read_upload(file, settings))
    bundle = unification.import_bundle(
        session, exam=get_exam(session, exam_id), document=document, settings=settings, actor=user
    )
    session.commit()
    return bundle


@router.get("/exams/{exam_id}/bundles", response_model=list[BundlePublic])
def list_bundles(exam_id: int, session: SessionDep, _: Committee) -> list[ImportedBundle]:
    """The bundles imported."""
    return unification.bundles_of(session, exam=get_exam(session, exam_id))


@router.post("/exams/{exam_id}/ranking", response_model=RankingPublic, status_code=201)
def build_ranking(exam_id: int, session: SessionDep, user: Committee) -> NationalRanking:
    """Rescore the imported sheets with the final key and rank each domain."""
    ranking = unification.build_ranking(session, exam=get_exam(session, exam_id), actor=user)
    session.commit()
    return ranking


@router.get("/exams/{exam_id}/ranking", response_model=RankingPublic)
def read_ranking(exam_id: int, session: SessionDep, _: Committee) -> NationalRanking:
    """The newest national ranking."""
    return unification.get_ranking(session, exam=get_exam(session, exam_id))


@router.get("/exams/{exam_id}/ranking.pdf", response_class=Response)
def ranking_document(
    exam_id: int, session: SessionDep, _: Committee, anonymised: bool = False
) -> Response:
    """The classification as PDF; ``anonymised``: candidate numbers only, for display."""
    ranking = unification.get_ranking(session, exam=get_exam(session, exam_id))
    return ranking_pdf_response(ranking, anonymised=anonymised)


@router.get("/exams/{exam_id}/ranking.{kind}", response_class=Response)
def ranking_table(
    exam_id: int, kind: TableKind, session: SessionDep, _: Committee, anonymised: bool = False
) -> Response:
    """The classification as a table, ``csv`` or ``xlsx``; ``anonymised``: candidate
    numbers only, for display."""
    ranking = unification.get_ranking(session, exam=get_exam(session, exam_id))
    return ranking_table_response(ranking, anonymised=anonymised, kind=kind)
