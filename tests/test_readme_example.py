"""README's example without the station runs as written: its command line, in a fresh
folder holding the bundled examples, reads the three sheets and scores them."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _example_command() -> str:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    (command,) = [line.strip() for line in lines if "omr read examples/" in line]
    return command


def test_the_readme_example_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    done = subprocess.run(
        ["bash", "-c", _example_command()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "needs_review (bubbles_unclear)" in done.stderr + done.stdout
    assert (tmp_path / "out" / "readings.json").is_file()
    assert "pending" in done.stdout and "45b" in done.stdout
