"""The room view: the same sheets as the sheet pages assemble one by one, in a fixed number
of queries however many sheets the room has, without the readings' documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, select

from station.services.reading import summary_of
from station.services.rooms import room_summary
from station.services.sheets import SheetView, sheet_view
from station.storage.models import Reading, Room


@contextmanager
def _statements(session) -> Iterator[list[str]]:  # noqa: ANN001
    """The SQL statements ``session`` runs inside the block."""
    engine = session.get_bind()
    seen: list[str] = []

    def _note(_conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", _note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _note)


def _shown(view: SheetView) -> tuple:
    """What the room view and the sheet page show of a sheet."""
    return (
        view.reading.id,
        view.status,
        view.doubts,
        view.hidden,
        view.candidate.number if view.candidate else None,
        view.link_method,
        view.annulment.reason if view.annulment else None,
        [(d.question, d.option, d.state) for d in view.decisions],
        view.score.model_dump() if view.score else None,
    )


def _room_sheets(sessions) -> tuple[list[tuple], list[str]]:  # noqa: ANN001
    """The room's sheets as its view shows them, and the statements the view ran."""
    with sessions() as session:
        room = session.get(Room, 1)
        with _statements(session) as statements:
            sheets = room_summary(session, room=room).sheets
        return [_shown(view) for view in sheets], statements


def _one_by_one(sessions) -> list[tuple]:  # noqa: ANN001
    """The room's sheets as their pages show them."""
    with sessions() as session:
        readings = session.scalars(
            select(Reading).where(Reading.room_id == 1, Reading.supersedes_id.is_(None))
        )
        return [_shown(sheet_view(session, reading=r)) for r in readings]


def _unique(path: Path, folder: Path, number: int) -> Path:
    """A copy of a scan made another file by a byte after its end."""
    copy = folder / f"copie-{number}-{path.name}"
    copy.write_bytes(path.read_bytes() + bytes([number]))
    return copy


def test_the_room_view_shows_each_sheet_as_its_page_does_in_a_fixed_number_of_queries(
    station, sessions, example: Path, tmp_path: Path
) -> None:
    scans = [example / f"sheet-00{n}.jpg" for n in (1, 2, 3)]
    station.upload(*scans)
    station.call("POST", "/api/exams/1/scans", files=[("files", ("gol.png", b""))])
    station.wait_read()
    station.call("POST", "/api/rooms/1/key/open")
    station.call("POST", "/api/sheets/1/annul", json={"reason": "semn distinctiv"})
    decided = {"question": 45, "option": "b", "state": "blank", "note": "confirmat"}
    assert station.call("POST", "/api/sheets/3/decisions", json=decided).status_code == 201
    shown, statements = _room_sheets(sessions)
    assert [sheet[1] for sheet in shown] == ["annulled", "final", "final", "rejected"]
    assert shown == _one_by_one(sessions)

    station.upload(*[_unique(scan, tmp_path, n) for n, scan in enumerate(scans * 2)])
    station.wait_read()
    more, again = _room_sheets(sessions)
    assert len(more) == 10 and more == _one_by_one(sessions)
    assert len(again) == len(statements)
    assert not [s for s in again if "readings.document" in s]
    with sessions() as session:  # what the room view reads is what the reader wrote
        for reading in session.scalars(select(Reading)):
            assert reading.summary == summary_of(reading.document), reading.id
