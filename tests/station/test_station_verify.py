"""Tamper evidence: ``station verify`` re-derives every score from its stored scan and
names each row or file that does not match; the audit chain is keyed and its head signed."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from station.cli import main as station_main
from station.services import audit
from station.storage.models import AuditEntry, Reading


@pytest.fixture
def decided(station, example: Path):  # noqa: ANN001, ANN201
    """Room 1: sheets 1 and 2 read, the key opened, bubble 45b of sheet 2 decided."""
    station.upload(example / "sheet-001.jpg", example / "sheet-003.jpg")
    station.wait_read()
    assert station.call("POST", "/api/rooms/1/key/open").status_code == 201
    body = {"question": 45, "option": "b", "state": "blank"}
    assert station.call("POST", "/api/sheets/2/decisions", json=body).json()["status"] == "final"
    return station


def _run(station, capsys, *command: str) -> tuple[int, str]:  # noqa: ANN001
    database = (
        [] if station.settings.database_url is None else ["--db", station.settings.database_url]
    )
    code = station_main([*command, "--data", str(station.settings.data_dir), *database])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _execute(sessions, statement: str, **values) -> None:  # noqa: ANN001, ANN003
    with sessions() as session, session.begin():
        session.execute(text(statement), values)


def test_untouched_data_verifies(decided, capsys) -> None:
    code, said = _run(decided, capsys, "verify")
    assert code == 0, said
    assert "2 readings re-derived, station: intact" in said


def test_edited_answers_are_caught(decided, sessions, capsys) -> None:
    with sessions() as session, session.begin():
        reading = session.get(Reading, 1)
        document = json.loads(json.dumps(reading.document))
        document["answers"]["3"] = {"a": "blank", "b": "filled", "c": "blank"}
        reading.document = document
    before = decided.sheet(1)["total"]
    code, said = _run(decided, capsys, "verify")
    assert code == 1
    assert "reading 1: its marks or identity changed" in said
    assert "sheet 1 (sheet-001.jpg, page 1): the scan read again differs in answers" in said
    assert f"score stored {before}" in said and "(questions 3)" in said


def test_an_inserted_decision_is_caught(decided, sessions, capsys) -> None:
    _execute(
        sessions,
        "INSERT INTO decisions (reading_id, question, option, state, note, decided_by, decided_at)"
        " VALUES (1, 7, 'a', 'filled', '', 1, '2026-06-01 10:00:00')",
    )
    code, said = _run(decided, capsys, "verify")
    assert code == 1
    assert "decision 2 (sheet 1, bubble 7a): no audit entry records it" in said


def test_deleting_the_newest_entries_is_caught(decided, sessions, capsys) -> None:
    with sessions() as session:
        newest = session.scalar(text("SELECT max(id) FROM audit_log"))
    _execute(sessions, "DELETE FROM audit_log WHERE id >= :first", first=newest - 1)
    code, said = _run(decided, capsys, "audit", "verify")
    assert code == 1
    assert f"the signed head names entry {newest}" in said
    assert _run(decided, capsys, "verify")[0] == 1


def test_an_entry_edited_and_rehashed_is_caught(decided, sessions, capsys) -> None:
    """Without the station's key, a re-hashed chain does not verify."""
    with sessions() as session, session.begin():
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        previous = audit.GENESIS
        for entry in entries:
            if entry.action == "sheet.decide":
                entry.after = {**entry.after, "state": "filled"}
            entry.prev_hash = previous
            guess = hashlib.sha256(b"someone else's key").digest()
            entry.hash = audit.entry_digest(guess, entry)
            previous = entry.hash
    code, said = _run(decided, capsys, "audit", "verify")
    assert code == 1 and "content changed after writing" in said


def test_a_replaced_scan_is_caught(decided, sessions, example: Path, capsys) -> None:
    with sessions() as session:
        sha, stored = session.execute(
            text("SELECT sha256, stored_path FROM scans WHERE id = 1")
        ).one()
    path = decided.settings.scans_dir / stored
    path.write_bytes((example / "sheet-002.jpg").read_bytes())
    code, said = _run(decided, capsys, "verify")
    assert code == 1
    assert f"scan 1 (sheet-001.jpg): the stored file {path} has sha256" in said
    assert f"not {sha}" in said
    assert "sheet 1 (sheet-001.jpg, page 1): the scan read again differs" in said


def test_the_head_is_signed_with_the_station_key(decided) -> None:
    seal = audit.Seal.of(decided.settings)
    head = audit.read_head(seal)
    body = {k: v for k, v in head.items() if k != "signature"}
    forged = hmac.new(b"x" * 32, audit.content_hash(body).encode(), hashlib.sha256).hexdigest()
    assert head["signature"] != forged and head["legacy"] == 0
    seal.head.write_text(json.dumps({**head, "signature": forged}))
    with decided.client.app.state.sessions() as session:
        assert "does not match its signature" in audit.verify_chain(session, seal)[0]


def test_a_folder_without_a_station_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "signing.key").write_text("00" * 32)
    for command in (["audit", "verify"], ["verify"]):
        assert station_main([*command, "--data", str(tmp_path)]) == 2
        assert f"no database at {tmp_path / 'station.db'}" in capsys.readouterr().err
    assert not (tmp_path / "station.db").exists()


def test_a_deleted_head_is_named_not_re_created(decided, sessions, capsys) -> None:
    seal = audit.Seal.of(decided.settings)
    seal.head.unlink()
    audit.seal_sessions(sessionmaker(bind=sessions.kw["bind"]), decided.settings)  # a restart
    body = {"question": 45, "option": "b", "state": "filled"}
    assert decided.call("POST", "/api/sheets/2/decisions", json=body).status_code == 201
    assert not seal.head.exists()
    code, said = _run(decided, capsys, "audit", "verify")
    assert code == 1
    assert f"the signed head {seal.head} is missing" in said
    assert "content changed" not in said and "1 problem(s)" in said


def test_a_deleted_head_is_re_signed_by_an_administrator(decided, sessions, capsys) -> None:
    seal = audit.Seal.of(decided.settings)
    code, said = _run(decided, capsys, "audit", "resign", "--by", "admin")
    assert (code, "is present: nothing to re-sign" in said) == (1, True)
    seal.head.unlink()
    code, said = _run(decided, capsys, "audit", "resign", "--by", "sef1")
    assert (code, "sef1 is not an administrator" in said) == (1, True)
    assert not seal.head.exists()
    code, said = _run(decided, capsys, "audit", "resign", "--by", "admin")
    assert code == 0, said
    with sessions() as session:
        newest = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (newest.action, newest.actor, newest.before["head"]) == (
        "audit.resign",
        "admin",
        "missing",
    )
    assert f"head re-signed at entry {newest.id} by admin" in said
    code, said = _run(decided, capsys, "audit", "verify")
    assert code == 0 and "chain: intact" in said, said
    body = {"question": 45, "option": "b", "state": "filled"}  # the station signs on after it
    assert decided.call("POST", "/api/sheets/2/decisions", json=body).status_code == 201
    assert _run(decided, capsys, "audit", "verify")[0] == 0


def test_a_broken_chain_is_not_re_signed(decided, sessions, capsys) -> None:
    seal = audit.Seal.of(decided.settings)
    seal.head.unlink()
    _execute(sessions, "UPDATE audit_log SET actor = 'altcineva' WHERE id = 2")
    code, said = _run(decided, capsys, "audit", "resign", "--by", "admin")
    assert code == 1
    assert "the chain does not verify: entry 2" in said and "content changed" in said
    assert not seal.head.exists()
