"""Killing the station in the middle of a batch loses no scan and reads none twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from omr.printing.answer_sheets import SheetToPrint, write_sheets_pdf
from omr.sheet.qr_identity import make_identity
from omr.sheet.template import load_template
from station.config import Settings
from station.demo import set_up_demo
from station.services.audit import Seal, seal_sessions, verify_chain
from station.services.hotfolder import room_folder
from station.storage.db import make_engine, make_sessions
from station.storage.models import Reading, Room, Scan
from station.storage.schema import upgrade

SHEETS = 14


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _counts(sessions) -> tuple[int, int]:  # noqa: ANN001
    with sessions() as session:
        return (
            session.scalar(select(func.count(Scan.id))),
            session.scalar(select(func.count(Reading.id))),
        )


def _start(data: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "station.cli", "serve", "--data", str(data)]
    return subprocess.Popen(
        [*command, "--port", str(_free_port())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition, timeout: float = 90) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_kill_mid_batch_then_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    settings.prepare()
    engine = make_engine(settings.db_url)
    upgrade(engine)
    sessions = make_sessions(engine)
    seal_sessions(sessions, settings)
    with sessions() as session, session.begin():
        set_up_demo(session, settings)
        folder = room_folder(settings, session.get(Room, 1))
    template = load_template("specializare-asistenti")
    for serial in range(10, 10 + SHEETS - 3):  # blank printed sheets, as PDF "scans"
        identity = make_identity(
            template=template.id,
            template_version=template.version,
            exam="SPEC-2026-RAD",
            serial=serial,
            variant="A",
        )
        write_sheets_pdf(template, [SheetToPrint(identity)], folder / f"extra-{serial}.pdf")

    first = _start(data)
    try:
        _wait(lambda: _counts(sessions)[1] >= 1)
        scans, readings = _counts(sessions)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert readings < SHEETS, "the batch was finished before the kill: nothing tested"

    second = _start(data)
    try:
        _wait(lambda: _counts(sessions) == (SHEETS, SHEETS))
        time.sleep(1.5)  # a few more sweeps and reads: nothing more may arrive
        assert _counts(sessions) == (SHEETS, SHEETS)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    with sessions() as session:
        assert len(set(session.scalars(select(Scan.sha256)))) == SHEETS
        assert len(set(session.scalars(select(Reading.scan_id)))) == SHEETS
        assert verify_chain(session, Seal.of(settings)) == []
    assert sorted(p.name for p in folder.iterdir()) == ["taken"]
    assert len(list((folder / "taken").iterdir())) == SHEETS
