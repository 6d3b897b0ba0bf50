"""Romanian for people: every page, PDF and CSV of a station after a whole exam day (a
rejected page, a refused file, an annulled sheet, decisions, a rescan, contestations, the
final key, the ranking) is crawled by following its links, and none shows an English word
of the reader's or the scorer's, a Python value, markup or a raw UTC time."""

from __future__ import annotations

import io
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from openpyxl import load_workbook

from station.downloads import XLSX
from station.words import local_time, rule
from tests.station.committee_support import pdf_text, rescan_with_1b, schedule, set_clock

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "scans"
MEMBERS = ["Dr. Ana Marin", "Dr. Radu Pop"]
ENGLISH = re.compile(
    r"\b(filled|blank|crossed|unclear|wrong|correct|pending|needs_review|status|candidate"
    r"|variant|rejected|annulled|waiting|sealed|score|bubble|flag|top group|the key|of the"
    r"|cannot|instead of|UTC)\b",
    re.IGNORECASE,
)
PYTHON = re.compile(
    r"\b(None|True|False|null)\b|object at 0x|<|\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]\d\d:\d\d\b"
)


class _Text(HTMLParser):
    """What a person reads of a page: its text, and the titles, placeholders and alt texts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        self.parts += [values[a] or "" for a in ("title", "placeholder", "alt") if a in values]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _exam_day(station, example: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """Two rooms read and decided, then the committee's whole day, through the API."""
    refused = FIXTURES / "reject" / "blank-001.jpg"
    station.upload(
        example / "sheet-001.jpg",
        example / "sheet-003.jpg",
        refused,
        names=["sheet-001.jpg", "sheet-003.jpg", "gol.jpg"],
    )
    station.upload(example / "sheet-001.jpg", names=["din-nou.jpg"])  # refused: a duplicate
    station.wait_read()
    station.upload(example / "sheet-002.jpg", user="sef2", names=["sala2.jpg"])
    sheet = station.wait_read(2, "sef2")["sheets"][0]["id"]
    calls = [
        ("sef2", f"/api/sheets/{sheet}/candidate", {"number": "00201"}),
        ("sef1", "/api/rooms/1/key/open", None),
        ("sef2", "/api/rooms/2/key/open", None),
        ("sef1", "/api/sheets/2/decisions", {"question": 45, "option": "b", "state": "blank"}),
        ("sef2", f"/api/sheets/{sheet}/annul", {"reason": "semn distinctiv"}),
    ]
    _post(station, calls)
    gone = {"username": "fost", "password": "fost1", "role": "committee"}
    user = station.call("POST", "/api/users", "admin", json=gone).json()["id"]
    _post(station, [("admin", f"/api/users/{user}/disable", None)])  # „dezactivat la …”
    schedule(station)
    set_clock(station, datetime(2026, 6, 1, 15, 0))
    _post(
        station,
        [
            (
                "comisie",
                "/api/exams/1/rescans",
                {"candidate": "00101", "reason": "candidatul contestă citirea"},
            )
        ],
    )
    path = rescan_with_1b(example, tmp_path)
    scanned = station.call(
        "POST", "/api/rescans/1/scan", "comisie", files={"file": (path.name, path.read_bytes())}
    )
    assert scanned.status_code == 201, scanned.text
    claim = "grila este greșită"
    _post(
        station,
        [
            (
                "comisie",
                "/api/rescans/1/decision",
                {"outcome": "rescan", "reason": "bula 1b este plină", "members": MEMBERS},
            ),
            (
                "comisie",
                "/api/exams/1/contestations",
                {"candidate": "00101", "question": 21, "claim": claim},
            ),
            (
                "comisie",
                "/api/exams/1/items/A21/ruling",
                {
                    "outcome": "changed",
                    "answer": "ab",
                    "justification": "b este corect",
                    "members": MEMBERS,
                },
            ),
        ],
    )
    set_clock(station, datetime(2026, 6, 1, 16, 30))
    _post(station, [("comisie", "/api/exams/1/key/publish", None)])
    for room, user in ((1, "sef1"), (2, "sef2")):
        export = station.call("POST", f"/api/rooms/{room}/exports", user).json()["id"]
        bundle = station.call("GET", f"/api/exports/{export}.json", user).content
        station.call("POST", "/api/exams/1/bundles", "comisie", files={"file": ("b.json", bundle)})
    _post(station, [("comisie", "/api/exams/1/ranking", None)])


def _post(station, calls) -> None:  # noqa: ANN001
    for user, path, body in calls:
        response = station.call("POST", path, user, json=body)
        assert response.status_code in (200, 201), (path, response.text)


def _read(response) -> tuple[str, list[str]]:  # noqa: ANN001
    """A response's text as read by a person, and the links it offers."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(response.content), []
    if kind.startswith(XLSX):
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = (cell for row in sheet.iter_rows(values_only=True) for cell in row)
        return " ".join("" if cell is None else str(cell) for cell in cells), []
    if kind.startswith("text/html"):
        parser = _Text()
        parser.feed(response.text)
        return " ".join(parser.parts), parser.links
    return response.text, []


def _crawl(station, user: str) -> dict[str, str]:  # noqa: ANN001
    """Every page, PDF, CSV and XLSX reachable by links from the home page, as ``user``."""
    client = station.client
    client.cookies.clear()
    client.post("/login", data={"username": user, "password": user})
    seen: dict[str, str] = {}
    todo = ["/", "/rooms/1/live", "/nu-exista", "/api/exams/1/catalogue.csv"]
    while todo:
        url = todo.pop()
        if url in seen or urlsplit(url).netloc or url.endswith(".png") or url == "/docs":
            continue
        response = client.get(url, headers=station.headers(user) if url.startswith("/api") else {})
        text, links = _read(response)
        seen[url] = text
        todo += [urljoin(url, link) for link in links if not link.startswith("#")]
    return seen


def test_every_page_and_document_speaks_romanian(station, example: Path, tmp_path: Path) -> None:
    _exam_day(station, example, tmp_path)
    crawled = {user: _crawl(station, user) for user in ("admin", "sef1")}
    for user, pages in crawled.items():
        for url, text in pages.items():
            for pattern in (ENGLISH, PYTHON):
                found = pattern.search(text)
                context = text[max(0, found.start() - 60) : found.end() + 60] if found else ""
                assert found is None, f"{user} {url}: {found and found.group()!r} in …{context}…"
    pages = crawled["admin"]
    setup = ("/admin/exams", "/admin/exams/1", "/admin/exams/1/schedule", "/admin/users")
    for url in ("/rooms/1/proces-verbal.pdf", "/sheets/2/slip.pdf", "/committee/rescans/1", *setup):
        assert url in pages, sorted(pages)
    named, anonymised = (
        pages[f"/committee/exams/1/ranking.pdf{q}"] for q in ("", "?anonymised=true")
    )
    assert "Popescu Ana" in named and "Popescu" not in anonymised and "00101" in anonymised
    assert "Pagina nu există" in pages["/nu-exista"]


def test_the_rules_and_times_are_said_in_romanian() -> None:
    assert rule("pending: b c unclear") == "în așteptare: b, c neclare"
    assert rule("3 filled → 0") == "3 marcate → 0"
    assert rule("1 correct + 1 wrong → 0 (strict)") == "1 corecte + 1 greșite → 0 (regula strictă)"
    assert local_time(datetime(2026, 6, 1, 12, 0)) == "01.06.2026 15:00"  # summer time: UTC+3
    assert local_time(datetime(2026, 1, 1, 12, 0)) == "01.01.2026 14:00"
