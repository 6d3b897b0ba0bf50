"""A specialization exam end to end: written sheets scored, the members' practical grades,
the final average and the catalogue as PDF and CSV (001 art. 17 (2), 28, 38)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from tests.station.committee_support import page_login, pdf_text

GRADES = (
    ("00101", "Dr. Ana Marin", "9"),
    ("00101", "Dr. Radu Pop", "8.50"),
    ("00102", "Dr. Ana Marin", "5"),
    ("00102", "Dr. Radu Pop", "4"),
    ("00102", "Dr. Radu Pop", "6"),  # supersedes his 4
)


def test_the_specialization_catalogue(station, example: Path) -> None:
    station.upload(*(example / f"sheet-00{n}.jpg" for n in (1, 2, 3)))
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    for candidate, member, grade in GRADES:
        body = {"candidate": candidate, "member": member, "grade": grade}
        entered = station.call("POST", "/api/exams/1/practical-grades", "comisie", json=body)
        assert entered.status_code == 201, entered.text
    for body, status, reason in (
        ({"candidate": "00101", "member": "Dr. Pop", "grade": "11"}, 400, "grade_invalid"),
        ({"candidate": "00101", "member": " ", "grade": "9"}, 400, "members_missing"),
        ({"candidate": "09999", "member": "Dr. Pop", "grade": "9"}, 404, "not_found"),
    ):
        refused = station.call("POST", "/api/exams/1/practical-grades", "comisie", json=body)
        assert (refused.status_code, refused.json()["reason"]) == (status, reason)
    body = {"candidate": "00101", "member": "Dr. Pop", "grade": "9"}
    by_room_head = station.call("POST", "/api/exams/1/practical-grades", "sef1", json=body)
    assert (by_room_head.status_code, by_room_head.json()["reason"]) == (403, "forbidden")
    assert station.call("GET", "/api/exams/1/catalogue.csv", "sef1").status_code == 403
    rows = {
        r["candidate"]: r for r in station.call("GET", "/api/exams/1/catalogue", "comisie").json()
    }
    assert (rows["00101"]["practical"], rows["00101"]["written"]) == ("8.75", "9.40")
    assert (rows["00101"]["final"], rows["00101"]["passed"]) == ("9.08", True)
    assert (rows["00102"]["practical"], rows["00102"]["final"]) == ("5.50", "6.55")
    assert rows["00102"]["passed"] is False  # 6.00 needed in each test
    assert rows["00103"]["written"] is None and rows["00103"]["final"] is None  # 45b undecided
    csv = station.call("GET", "/api/exams/1/catalogue.csv", "comisie").text.splitlines()
    assert csv[0] == "candidat,nume,proba practică,proba scrisă,media finală,promovat"
    assert csv[1].startswith("00101,") and csv[1].endswith(",8.75,9.40,9.08,da")
    sheet = load_workbook(
        io.BytesIO(station.call("GET", "/api/exams/1/catalogue.xlsx", "comisie").content)
    ).active
    assert next(sheet.iter_rows(min_row=2, values_only=True))[2:] == (8.75, 9.4, 9.08, "da")
    text = pdf_text(station.call("GET", "/api/exams/1/catalogue.pdf", "comisie").content)
    for figure in ("Catalogul examenului", "9.08", "6.55", "nepromovat", "incomplet", "Jurnalul"):
        assert figure in text, figure


def test_the_practical_page(station, example: Path) -> None:
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    token = page_login(station, "comisie")
    assert 'id="practical"' in station.client.get("/committee/exams/1").text
    for member, grade in (("Dr. Ana Marin", "9"), ("Dr. Radu Pop", "8.50")):
        form = {"csrf": token, "candidate": "00101", "member": member, "grade": grade}
        page = station.client.post("/committee/exams/1/practical-grades", data=form).text
        assert f"nota {grade} dată de {member} candidatului 00101" in page
    refused = station.client.post(
        "/committee/exams/1/practical-grades",
        data={"csrf": token, "candidate": "00101", "member": "Dr. Pop", "grade": "11"},
    )
    assert 'id="refusal"' in refused.text
    catalogue = station.client.get("/committee/exams/1/practical").text
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", catalogue)
    assert any(row.startswith("00101</td>") and "8.75</td><td>9.40" in row for row in rows), rows
