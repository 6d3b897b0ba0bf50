"""The committee's tables as people read them (CSV, XLSX): Romanian headers and values.

The JSON documents keep their English keys and raw values for programs; these tables are
for people (a spreadsheet opened by the committee), so yes and no are ``da``/``nu`` and an
empty value is an empty cell.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.committee.catalogue import CatalogueRow
from omr.scoring.results import csv_text
from station.storage.committee import ImportedBundle, NationalRanking
from station.words import yes_no

Table = tuple[list[str], list[list[Any]]]
DECIMAL = re.compile(r"-?\d+\.\d+")  # a score or grade as text (9.40): a spreadsheet number


def candidate_names(session: Session, *, exam_id: int) -> dict[str, str]:
    """The candidates' names (number → name) the exam's imported room bundles list."""
    bundles = session.scalars(select(ImportedBundle).where(ImportedBundle.exam_id == exam_id))
    return {
        entry["number"]: entry["name"]
        for bundle in bundles
        for entry in bundle.document.get("candidates", [])
    }


def ranking_table(ranking: NationalRanking, *, names: Mapping[str, str] | None) -> Table:
    """The classification: named (``names``: number → name, with variant and source) or
    anonymised (``names`` None: candidate numbers only, for display)."""
    header = ["domeniu", "loc", "candidat", "punctaj", "maxim", "promovat", "provizoriu"]
    if names is not None:
        header[3:3] = ["nume"]
        header += ["varianta", "fișierul"]
    rows = []
    for domain in ranking.document["domains"]:
        for row in domain["ranking"]:
            cells = [domain["domain"], row["rank"], row["candidate"], row["total"], row["max"]]
            cells += [yes_no(row["passed"]), yes_no(domain.get("provisional", False))]
            if names is not None:
                cells[3:3] = [names.get(row["candidate"])]
                cells += [row["variant"], row["source"]["path"]]
            rows.append(cells)
    return header, rows


def catalogue_table(rows: Sequence[CatalogueRow]) -> Table:
    """The specialization exam's catalogue."""
    header = ["candidat", "nume", "proba practică", "proba scrisă", "media finală", "promovat"]
    cells = [[r.candidate, r.name, r.practical, r.written, r.final, yes_no(r.passed)] for r in rows]
    return header, cells


def csv_of(table: Table) -> str:
    """A table as CSV text (an empty cell for nothing)."""
    header, rows = table
    return csv_text(header, [["" if cell == "—" else cell for cell in row] for row in rows])


def xlsx_of(table: Table, sheet: str) -> bytes:
    """A table as an XLSX workbook of one ``sheet``: numbers as numbers (a score a
    spreadsheet can sort and sum), an empty cell for nothing."""
    header, rows = table
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append(header)
    for row in rows:
        worksheet.append([_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or value == "—":
        return None
    if isinstance(value, Decimal) or (isinstance(value, str) and DECIMAL.fullmatch(value)):
        return float(value)
    return value
