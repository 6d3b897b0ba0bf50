"""A bounded loopback load test of the station: sustained sheets/s, and the wait of a sheet
queued behind a large file.

    python bench/station_load.py [--sheets 60] [--batch 10] [--large-pages 500]

Starts ``station demo`` on a free loopback port with a fresh data folder, then, through the
HTTP API as the room heads do:

1. uploads ``--sheets`` scans of the example sheets to SALA-1 in batches of ``--batch``
   (each made unique by bytes after its JPEG end) and times them from the first upload to
   the last reading stored: the station's sustained sheets/s, reading and storage included
   (overlays are drawn on demand, not here);
2. uploads a PDF of ``--large-pages`` printed sheets to SALA-1, then at once one scan to
   SALA-2, and times how long that scan waits for its reading.

Figures only; nothing is asserted. The machine's other work shows in them: run twice.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "specializare").glob("sheet-*.jpg"))
# How often the room is looked at: a room head's page every 1.5 s, the bench more often
# (each look lists the room's every sheet: looking every 50 ms cost the station more than
# storing the sheets did).
POLL_SECONDS = 0.2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(data: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-c", "from station.cli import main; main()"]
    args = ["demo", "--data", str(data), "--port", str(port)]
    return subprocess.Popen(
        command + args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _client(port: int, user: str) -> httpx.Client:
    base = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 60
    while True:
        try:
            token = httpx.post(f"{base}/auth/token", data={"username": user, "password": user})
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return httpx.Client(base_url=base, headers=headers, timeout=600)


def _readings(client: httpx.Client, room: int) -> int:
    """The readings stored for a room."""
    return len(client.get(f"/rooms/{room}").json()["sheets"])


def _wait(client: httpx.Client, room: int, readings: int) -> float:
    """The time at which ``room`` has ``readings`` readings."""
    while _readings(client, room) < readings:
        time.sleep(POLL_SECONDS)
    return time.perf_counter()


def _upload(client: httpx.Client, files: list[tuple[str, bytes]], content: str) -> None:
    parts = [("files", (name, data, content)) for name, data in files]
    response = client.post("/exams/1/scans", files=parts)
    response.raise_for_status()


def sustained(client: httpx.Client, sheets: int, batch: int) -> float:
    """Sheets read and stored per second, uploads included."""
    _wait(client, 1, len(EXAMPLES))  # the demo's own, from the hot folder
    already = _readings(client, 1)
    scans = [
        (f"load-{n:04d}.jpg", EXAMPLES[n % len(EXAMPLES)].read_bytes() + n.to_bytes(4, "big"))
        for n in range(sheets)
    ]
    started = time.perf_counter()
    for first in range(0, sheets, batch):
        _upload(client, scans[first : first + batch], "image/jpeg")
    done = _wait(client, 1, already + sheets)
    return sheets / (done - started)


def wait_behind(heads: httpx.Client, other: httpx.Client, pages: int, folder: Path) -> float:
    """Seconds a scan of another room waits while a file of ``pages`` pages is read."""
    from station.demo import EXAM_CODE

    large = folder / "lot.pdf"
    subprocess.run(
        [sys.executable, "-m", "omr", "generate", "specializare-asistenti", "-o", str(large)]
        + ["--count", str(pages), "--exam", EXAM_CODE, "--serial-start", "5000"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _upload(heads, [("lot.pdf", large.read_bytes())], "application/pdf")
    queued = time.perf_counter()
    _upload(other, [("sala2.jpg", EXAMPLES[0].read_bytes() + b"\x00sala2")], "image/jpeg")
    return _wait(other, 2, 1) - queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=60)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--large-pages", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        station = _start(Path(folder) / "data", port)
        try:
            room_one, room_two = _client(port, "sef1"), _client(port, "sef2")
            rate = sustained(room_one, args.sheets, args.batch)
            print(f"sustained: {rate:.1f} sheets/s ({args.sheets} A4 sheets, {args.batch} a batch)")
            waited = wait_behind(room_one, room_two, args.large_pages, Path(folder))
            print(f"a SALA-2 sheet behind a {args.large_pages}-page PDF: read after {waited:.1f} s")
        finally:
            station.terminate()  # the large file is left unread: a kill-proof restart's job
            try:
                station.wait(timeout=10)
            except subprocess.TimeoutExpired:
                station.kill()
                station.wait()


if __name__ == "__main__":
    main()
