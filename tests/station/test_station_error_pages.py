"""Error pages are pages: a missing page and a failure of the station itself answer in
Romanian with their registered reason, never the framework's JSON or a traceback."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from station.app import create_app
from tests.station.conftest import Station, make_settings


def test_a_missing_page_is_a_romanian_page(station: Station) -> None:
    page = station.client.get("/nu-exista")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "pagina cerută nu există" in page.text


def test_a_missing_api_path_stays_json(station: Station) -> None:
    answer = station.client.get("/api/nu-exista")
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/json"


def test_a_failure_of_the_station_is_a_romanian_page(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "data", None))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
    assert page.status_code == 500
    assert "stația nu a putut duce la capăt cererea" in page.text
    assert "RuntimeError" not in page.text and "secret internals" not in page.text
