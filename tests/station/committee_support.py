"""Helpers of the committee tests: a clock, a rescan with a difference, PDF text, a login."""

from __future__ import annotations

import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import cv2

from station.dependencies import get_now

PUBLISHED = datetime(2026, 6, 1, 14, 0)  # the results were displayed at 14:00
BUBBLE_1B = (345, 877)  # bubble 1b of examples/specializare/sheet-001.jpg, in pixels


def set_clock(station, moment: datetime) -> None:  # noqa: ANN001
    """Make every filing happen at ``moment``."""
    station.client.app.dependency_overrides[get_now] = lambda: moment


def schedule(station, **windows) -> None:  # noqa: ANN001, ANN003
    """Record the publication of the results at :data:`PUBLISHED` (as the administrator)."""
    body = {"published_at": PUBLISHED.isoformat(), "windows": windows or None}
    response = station.call("PUT", "/api/exams/1/schedule", "admin", json=body)
    assert response.status_code == 200, response.text


def rescan_with_1b(example: Path, folder: Path) -> Path:
    """sheet-001 scanned again, with bubble 1b now filled in blue."""
    image = cv2.imread(str(example / "sheet-001.jpg"))
    cv2.circle(image, BUBBLE_1B, 19, (170, 60, 20), -1)
    path = folder / "rescan-001.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def pdf_text(content: bytes) -> str:
    """The text of a PDF, after checking that pdftoppm renders each page."""
    assert content.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "doc.pdf"
        pdf.write_bytes(content)
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), f"{folder}/p"], check=True)
        assert list(Path(folder).glob("p*.png")), "pdftoppm rendered no page"
        done = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        )
        return done.stdout


def page_login(station, user: str) -> str:  # noqa: ANN001
    """Log ``user`` in to the pages (the client keeps the cookie); the form CSRF token."""
    response = station.client.post(
        "/login", data={"username": user, "password": user}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    token = re.search(r'name="csrf" value="([^"]+)"', station.client.get("/").text)
    assert token, "no CSRF token on the home page"
    return token.group(1)
