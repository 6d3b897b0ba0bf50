"""Shared fixtures: rendered sheets are expensive, so they are made once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The scan simulator (fixtures/scansim) renders and marks sheets for the tests, and the
# benches (bench/) make the pages they once found misread.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from omr.sheet.template import SheetTemplate, load_template  # noqa: E402


@pytest.fixture(scope="session")
def specializare() -> SheetTemplate:
    return load_template("specializare-asistenti")


@pytest.fixture(scope="session")
def rezidentiat() -> SheetTemplate:
    return load_template("rezidentiat")
