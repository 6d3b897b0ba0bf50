"""The audit chain and the storage settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select, text

from station.cli import main as station_main
from station.services import audit
from station.storage.db import canonical_json, make_engine
from station.storage.models import AuditEntry, Reading


def test_tampering_breaks_the_chain(station, sessions, example: Path, capsys) -> None:
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    data = str(station.settings.data_dir)
    database = (
        [] if station.settings.database_url is None else ["--db", station.settings.database_url]
    )
    assert station_main(["audit", "verify", "--data", data, *database]) == 0
    with sessions() as session, session.begin():
        session.execute(text("UPDATE audit_log SET actor = 'intrus' WHERE id = 3"))
    assert station_main(["audit", "verify", "--data", data, *database]) == 1
    assert "entry 3" in capsys.readouterr().err
    check = station.call("GET", "/api/audit/verify", "comisie").json()
    assert not check["intact"] and "entry 3" in check["problems"][0]


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_scans_are_stored_by_hash(station, example: Path) -> None:
    sha = station.upload(example / "sheet-002.jpg").json()["scans"][0]["sha256"]
    stored = station.settings.scans_dir / sha[:2] / f"{sha}.jpg"
    assert stored.read_bytes() == (example / "sheet-002.jpg").read_bytes()


def test_a_reading_is_stored_as_the_text_its_audit_entry_hashes(
    station, sessions, example: Path
) -> None:
    """The document is encoded once: its stored text is the canonical form the chain's
    ``sheet.read`` entry hashed, and it reads back as the same document."""
    station.upload(example / "sheet-001.jpg")
    station.wait_read()
    with sessions() as session:
        stored = session.execute(text("SELECT CAST(document AS TEXT) FROM readings")).scalar_one()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "sheet.read")).one()
        reading = session.scalars(select(Reading)).one()
    assert stored == canonical_json(reading.document)
    digest = hashlib.sha256(stored.encode()).hexdigest()
    assert entry.after["document"] == digest == audit.reading_hash(reading)
