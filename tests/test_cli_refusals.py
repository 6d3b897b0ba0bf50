"""The CLI refuses bad outputs, over-long values and huge counts with a reason code and
exit 2, before any work and never with a traceback; a failed write is refused too."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from omr.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "examples" / "specializare" / "sheet-001.jpg"
KEY = ROOT / "examples" / "specializare" / "key.json"


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readings") / "readings.json"
    assert main(["read", str(SHEET), "--json", str(path)]) == 0
    return path


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The reason code of a refused command (exit 2)."""
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    return error.split("[", 1)[1].split("]", 1)[0]


def test_outputs_in_a_missing_folder_or_under_a_file(
    tmp_path: Path, readings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        ["read", str(SHEET), "--json", str(missing / "out.json")],
        ["read", str(SHEET), "--overlay", str(a_file / "overlays")],
        ["score", str(readings), "--key", str(KEY), "--csv", str(missing / "out.csv")],
        ["score", str(readings), "--key", str(KEY), "--json", str(missing / "out.json")],
        ["generate", "emc", "-o", str(a_file / "out.pdf")],
        ["calibrate", "--print", "-o", str(missing / "sheet.pdf")],
    ]
    for argv in cases:
        assert _refused(argv, capsys) == "output_invalid", argv
    assert _refused(["read", str(SHEET), "--json", str(tmp_path)], capsys) == "output_is_folder"
    assert not missing.exists()


def test_an_over_long_exam_code_and_a_huge_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheets.pdf"
    long_exam = ["generate", "emc", "-o", str(out), "--exam", "X" * 5000]
    assert _refused(long_exam, capsys) == "identity_field_invalid"
    huge = ["generate", "emc", "-o", str(out), "--count", "100000000"]
    assert _refused(huge, capsys) == "count_too_large"
    assert not out.exists()


def test_a_full_disk_is_refused_with_its_reason(
    tmp_path: Path, readings: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    argv = ["score", str(readings), "--key", str(KEY), "--json", str(tmp_path / "r.json")]
    assert _refused(argv, capsys) == "output_unwritable"


@pytest.mark.parametrize("option", ["--calibration", "--template"])
def test_a_binary_file_given_as_text_is_refused(
    tmp_path: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "profile.yaml"
    binary.write_bytes(SHEET.read_bytes()[:4096])
    code = _refused(["read", str(SHEET), option, str(binary)], capsys)
    assert (
        code
        == {"--calibration": "calibration_unreadable", "--template": "template_unreadable"}[option]
    )


def test_a_binary_key_is_refused(
    tmp_path: Path, readings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "key.json"
    key.write_bytes(b"\xff\xfe\x00garbage")
    assert _refused(["score", str(readings), "--key", str(key)], capsys) == "key_invalid"
    assert json.loads(readings.read_text())["pages"]


def test_overlay_with_a_template_file_of_its_own_id(tmp_path: Path) -> None:
    # A template given by file need not be shipped: the overlay and the crops use it
    # rather than looking its id up among the shipped templates.
    shipped = ROOT / "sheet_templates" / "specializare-asistenti.yaml"
    own = tmp_path / "own.yaml"
    own.write_text(
        shipped.read_text(encoding="utf-8").replace("id: specializare-asistenti", "id: own-copy"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["read", str(SHEET), "--template", str(own), "--overlay", str(out)]) in (0, 1)
    assert (out / "sheet-001-p1-overlay.png").exists()
    assert (out / "sheet-001-p1-name.png").exists()
