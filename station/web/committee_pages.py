"""The committee's pages: rescan requests side by side, contested items, the final key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from station.dependencies import Now, SessionDep, SettingsDep
from station.downloads import (
    TableKind,
    contestation_minutes_response,
    ranking_pdf_response,
    ranking_table_response,
    rescan_minutes_response,
    rescan_overlay_response,
)
from station.errors import StationError, forbidden
from station.services import catalogue, contestations, rescans, unification
from station.services.deadlines import windows_in_force
from station.services.exams import get_exam
from station.services.minutes import contestation_record, rescan_record
from station.services.phases import publication_of
from station.services.publishing import publication_changes, publish_final_key, republish_due
from station.services.tables import catalogue_table
from station.storage.models import AuthSession
from station.uploads import read_upload
from station.web.deps import PageLogin, PostLogin, question_number, templates
from station.web.pages import back
from station.words import counted

router = APIRouter(prefix="/committee", include_in_schema=False)


def require_committee(login: AuthSession) -> None:
    """Only committee members and administrators see and act on these pages.

    Raises
    ------
    StationError
        ``forbidden`` (403).
    """
    if login.user.role not in ("committee", "admin"):
        raise forbidden("doar membrii comisiei sau administratorul au acces aici")


@router.get("/exams/{exam_id}", response_class=HTMLResponse)
def exam_page(
    request: Request, exam_id: int, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_committee(login)
    exam = get_exam(session, exam_id)
    try:
        items = contestations.contested_items(session, exam=exam)
    except StationError:
        items = []  # no key loaded yet: nothing to contest
    publication = publication_of(session, exam=exam)
    return templates.TemplateResponse(
        request,
        "committee.html",
        {
            "login": login,
            "message": mesaj,
            "exam": exam,
            "requests": [
                rescans.rescan_view(session, request=r)
                for r in rescans.requests_of(session, exam=exam)
            ],
            "items": items,
            "publication": publication,
            "changes": publication_changes(session, publication=publication) if publication else [],
            "republish_due": republish_due(session, publication=publication) if publication else [],
            "windows": windows_in_force(session, exam=exam),
            "bundles": unification.bundles_of(session, exam=exam),
            "ranking": unification.latest_ranking(session, exam=exam),
        },
    )


@router.get("/exams/{exam_id}/practical", response_class=HTMLResponse)
def practical_page(
    request: Request, exam_id: int, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_committee(login)
    exam = get_exam(session, exam_id)
    table = catalogue_table(catalogue.catalogue(session, exam=exam))
    return templates.TemplateResponse(
        request,
        "practical.html",
        {"login": login, "message": mesaj, "exam": exam, "table": table},
    )


@router.post("/exams/{exam_id}/practical-grades")
def enter_grade(
    exam_id: int,
    session: SessionDep,
    login: PostLogin,
    candidate: Annotated[str, Form()],
    member: Annotated[str, Form()],
    grade: Annotated[str, Form()],
) -> Response:
    require_committee(login)
    row = catalogue.enter_grade(
        session,
        exam=get_exam(session, exam_id),
        candidate=candidate.strip(),
        member=member,
        grade=grade.strip(),
        actor=login.user,
    )
    session.commit()
    return back(
        f"/committee/exams/{exam_id}/practical",
        f"nota {row.grade} dată de {row.member} candidatului {row.candidate} a fost înregistrată",
    )


@router.post("/exams/{exam_id}/rescans")
def file_request(
    exam_id: int,
    session: SessionDep,
    login: PostLogin,
    now: Now,
    candidate: Annotated[str, Form()],
    reason: Annotated[str, Form()],
) -> Response:
    require_committee(login)
    request = rescans.file_request(
        session,
        exam=get_exam(session, exam_id),
        sheet_id=None,
        candidate=candidate.strip(),
        reason=reason,
        now=now,
        actor=login.user,
    )
    session.commit()
    return back(f"/committee/rescans/{request.id}", f"cererea #{request.id} a fost înregistrată")


@router.post("/exams/{exam_id}/contestations")
def file_contestation(
    exam_id: int,
    session: SessionDep,
    login: PostLogin,
    now: Now,
    candidate: Annotated[str, Form()],
    question: Annotated[str, Form()],
    claim: Annotated[str, Form()],
    variant: Annotated[str, Form()] = "",
) -> Response:
    require_committee(login)
    number = question_number(question.strip(), bubble=question, how="scrieți numărul întrebării")
    contestation = contestations.file_contestation(
        session,
        exam=get_exam(session, exam_id),
        candidate=candidate.strip(),
        variant=variant.strip() or None,
        question=number,
        claim=claim,
        now=now,
        actor=login.user,
    )
    session.commit()
    return back(
        f"/committee/exams/{exam_id}",
        f"contestația candidatului {contestation.candidate} la întrebarea {number} "
        "a fost înregistrată",
    )


@router.get("/rescans/{request_id}", response_class=HTMLResponse)
def rescan_page(
    request: Request, request_id: int, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_committee(login)
    view = rescans.rescan_view(session, request=rescans.get_request(session, request_id))
    return templates.TemplateResponse(
        request,
        "rescan.html",
        {"login": login, "message": mesaj, "view": view, "record": rescan_record(view)},
    )


@router.post("/rescans/{request_id}/scan")
async def rescan(
    request_id: int,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    login: PostLogin,
    now: Now,
) -> Response:
    require_committee(login)
    rescans.rescan(
        session,
        settings=settings,
        request=rescans.get_request(session, request_id),
        name=file.filename or "",
        data=await read_upload(file, settings),
        now=now,
        actor=login.user,
    )
    session.commit()
    return back(f"/committee/rescans/{request_id}", "foaia a fost rescanată")


def _bubbles(text: str) -> list[dict[str, object]]:
    """``"1b:blank, 2a:filled"`` as bubble choices."""
    chosen = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        bubble, _, state = part.partition(":")
        how = "scrieți întrebarea, opțiunea și starea, ca 1b:blank"
        question = question_number(bubble[:-1], bubble=part, how=how)
        chosen.append({"question": question, "option": bubble[-1], "state": state})
    return chosen


@router.post("/rescans/{request_id}/decision")
def decide(
    request_id: int,
    session: SessionDep,
    login: PostLogin,
    now: Now,
    outcome: Annotated[str, Form()],
    members: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    bubbles: Annotated[str, Form()] = "",
) -> Response:
    require_committee(login)
    rescans.decide(
        session,
        request=rescans.get_request(session, request_id),
        outcome=outcome,
        reason=reason,
        bubbles=_bubbles(bubbles),
        members=members.splitlines(),
        now=now,
        actor=login.user,
    )
    session.commit()
    return back(f"/committee/rescans/{request_id}", "decizia comisiei a fost înregistrată")


@router.get("/rescans/{request_id}/proces-verbal.pdf")
def minutes(request_id: int, session: SessionDep, login: PageLogin) -> Response:
    require_committee(login)
    return rescan_minutes_response(
        rescans.rescan_view(session, request=rescans.get_request(session, request_id))
    )


@router.get("/rescans/{request_id}/overlay.png")
def overlay(
    request_id: int, session: SessionDep, settings: SettingsDep, login: PageLogin
) -> Response:
    require_committee(login)
    view = rescans.rescan_view(session, request=rescans.get_request(session, request_id))
    return rescan_overlay_response(view, settings)


@router.post("/exams/{exam_id}/items/{item}/ruling")
def rule_item(
    exam_id: int,
    item: str,
    session: SessionDep,
    login: PostLogin,
    outcome: Annotated[str, Form()],
    justification: Annotated[str, Form()],
    members: Annotated[str, Form()],
    answer: Annotated[str, Form()] = "",
) -> Response:
    require_committee(login)
    contestations.rule_item(
        session,
        exam=get_exam(session, exam_id),
        item=item,
        outcome=outcome,
        answer=answer.strip() or None,
        justification=justification,
        members=members.splitlines(),
        actor=login.user,
    )
    session.commit()
    return back(
        f"/committee/exams/{exam_id}", f"decizia pentru întrebarea {item} a fost înregistrată"
    )


@router.get("/exams/{exam_id}/key/proces-verbal.pdf")
def contestation_minutes(exam_id: int, session: SessionDep, login: PageLogin) -> Response:
    require_committee(login)
    record = contestation_record(session, exam=get_exam(session, exam_id))
    return contestation_minutes_response(record)


@router.post("/exams/{exam_id}/key/publish")
def publish(exam_id: int, session: SessionDep, login: PostLogin, now: Now) -> Response:
    require_committee(login)
    publication, changed = publish_final_key(
        session, exam=get_exam(session, exam_id), now=now, actor=login.user
    )
    session.commit()
    changes = len(publication_changes(session, publication=publication))
    done = counted(changes, "o schimbare de scor", "schimbări de scor")
    message = f"grila finală a fost publicată: {done}" if changed else f"nimic nou: {done}"
    return back(f"/committee/exams/{exam_id}", message)


@router.post("/exams/{exam_id}/bundles")
async def import_bundle(
    exam_id: int, file: UploadFile, session: SessionDep, settings: SettingsDep, login: PostLogin
) -> Response:
    require_committee(login)
    bundle = unification.import_bundle(
        session,
        exam=get_exam(session, exam_id),
        document=unification.parse_bundle(data=await read_upload(file, settings)),
        settings=settings,
        actor=login.user,
    )
    session.commit()
    return back(f"/committee/exams/{exam_id}", f"pachetul sălii {bundle.room} a fost importat")


@router.post("/exams/{exam_id}/ranking")
def build_ranking(exam_id: int, session: SessionDep, login: PostLogin) -> Response:
    require_committee(login)
    unification.build_ranking(session, exam=get_exam(session, exam_id), actor=login.user)
    session.commit()
    return back(f"/committee/exams/{exam_id}", "clasamentul a fost construit")


@router.get("/exams/{exam_id}/ranking.pdf")
def ranking_pdf(
    exam_id: int, session: SessionDep, login: PageLogin, anonymised: bool = False
) -> Response:
    require_committee(login)
    ranking = unification.get_ranking(session, exam=get_exam(session, exam_id))
    return ranking_pdf_response(ranking, anonymised=anonymised)


@router.get("/exams/{exam_id}/ranking.{kind}")
def ranking_table(
    exam_id: int, kind: TableKind, session: SessionDep, login: PageLogin, anonymised: bool = False
) -> Response:
    require_committee(login)
    ranking = unification.get_ranking(session, exam=get_exam(session, exam_id))
    return ranking_table_response(ranking, anonymised=anonymised, kind=kind)
