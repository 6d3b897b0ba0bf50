"""The pages in real headless Chromium: a room head scans, sees the score, decides a
doubtful bubble and downloads the slip; another room head cannot see that room."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from station.app import create_app
from station.config import Settings
from station.demo import EXAMPLE, set_up_demo

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free port, as its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The demo station (key sealed, empty hot folder) served by uvicorn on a free port;
    one reading thread, so that sheets are numbered in the order they arrive."""
    settings = Settings(data_dir=tmp_path / "data", watch_hot_folder=False, reading_threads=1)
    app = create_app(settings)
    with app.state.sessions() as session, session.begin():
        set_up_demo(session, settings, open_key=False)
    with serving(app) as base:
        yield base


@pytest.fixture
def browser():  # noqa: ANN201
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: install.sh installs the Debian package chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def submit(page, selector: str) -> None:  # noqa: ANN001
    """Clicks ``selector`` and waits for the page it loads: a page with the same parts (a
    sheet's status, a table of items) must not be read before the answer replaces it."""
    with page.expect_navigation():
        page.click(selector)


def _login(page, base: str, user: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", user)
    submit(page, "text=Intră")


def test_room_head_scans_decides_and_downloads_the_slip(served: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page(accept_downloads=True)
    _login(page, served, "sef1")
    assert "sala SALA-1" in page.inner_text("h1")
    submit(page, "#open-key")
    assert "grila a fost deschisă" in page.inner_text("#message")
    page.set_input_files("input[name=files]", str(EXAMPLE / "sheet-003.jpg"))
    page.click("#upload")
    page.wait_for_selector("#queue a", timeout=60_000)
    page.wait_for_function("!document.querySelector('#reading')", timeout=60_000)
    submit(page, "#queue a")
    assert "așteaptă decizie" in page.inner_text("#status")
    assert "provizoriu" in page.inner_text("#score")
    from playwright.sync_api import expect  # a polled page function breaks the CSP

    expect(page.locator("img.overlay")).to_have_js_property("complete", True, timeout=30_000)
    assert page.locator("img.overlay").evaluate("img => img.naturalWidth") > 0
    page.select_option("#unclear select[name=state]", "blank")
    page.fill("#unclear input[name=note]", "confirmat cu candidata")
    submit(page, "#decide-45b")
    assert "finală" in page.inner_text("#status")
    score = page.inner_text("#score")
    assert "din 10.00" in score and "provizoriu" not in score
    assert "sef1" in page.inner_text("#unclear")
    with page.expect_download() as download:
        page.click("#slip")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_another_room_head_cannot_see_the_room(served: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    _login(page, served, "sef2")
    assert "SALA-2" in page.inner_text("h1")
    page.goto(f"{served}/")
    assert "SALA-1" not in page.inner_text("main")
    response = page.goto(f"{served}/rooms/1")
    assert response.status == 403
    assert "nu este sala dumneavoastră" in page.inner_text("#refusal")
    forged = page.request.post(f"{served}/rooms/2/key/open", form={"csrf": "fals"})
    assert forged.status == 403 and "CSRF" in forged.text()
