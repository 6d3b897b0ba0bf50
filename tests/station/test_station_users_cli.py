"""``station user add``: the first administrator of an empty station, from the command
line; the name taken or a short password refused; the act in the audit chain."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from station.app import create_app
from station.cli import main as station_main
from tests.station.conftest import make_settings


def _add(data: Path, monkeypatch: pytest.MonkeyPatch, password: str, *options: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{password}\n"))
    return station_main(["user", "add", *options, "--data", str(data)])


def test_the_first_administrator_of_an_empty_station(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert _add(data, monkeypatch, "parola1", "sef", "--full-name", "Dr. Ion Pop") == 0
    assert "user sef (admin) created" in capsys.readouterr().out
    assert _add(data, monkeypatch, "alta", "sef") == 1
    assert "user sef already exists" in capsys.readouterr().err
    assert _add(data, monkeypatch, "abc", "comisie", "--role", "committee") == 1
    assert "at least 4 characters" in capsys.readouterr().err
    assert station_main(["audit", "verify", "--data", str(data)]) == 0
    with TestClient(create_app(make_settings(data, None))) as client:
        token = client.post("/api/auth/token", data={"username": "sef", "password": "parola1"})
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        me = client.get("/api/users/me", headers=bearer).json()
        assert me["role"] == "admin" and me["full_name"] == "Dr. Ion Pop"
