"""``omr generate`` and ``omr geometry``: what is printed is where the geometry says."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from omr.cli.main import main
from omr.sheet.qr_identity import parse_identity, tag_is_valid

DPI = 150


def _render(pdf: Path, tmp_path: Path, dpi: int = DPI) -> list[np.ndarray]:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "page")], check=True
    )
    return [cv2.imread(str(path)) for path in sorted(tmp_path.glob("page*.png"))]


@pytest.fixture(scope="module")
def three_sheets(tmp_path_factory) -> tuple[list[np.ndarray], bytes]:
    folder = tmp_path_factory.mktemp("generate")
    secret = folder / "secret.txt"
    secret.write_text("exam-secret-2026\n")
    pdf = folder / "s.pdf"
    code = main(
        [
            "generate",
            "specializare-asistenti",
            "--count",
            "3",
            "-o",
            str(pdf),
            "--variant",
            "B",
            "--exam",
            "SPEC-2026",
            "--serial-start",
            "41",
            "--secret-file",
            str(secret),
        ]
    )
    assert code == 0
    return _render(pdf, folder), b"exam-secret-2026"


def test_three_pages_with_four_markers_and_distinct_serials(three_sheets) -> None:
    pages, secret = three_sheets
    assert len(pages) == 3
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50))
    serials = []
    for page in pages:
        _, ids, _ = detector.detectMarkers(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY))
        assert sorted(ids.ravel().tolist()) == [0, 1, 2, 3]
        (qr,) = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
        identity = parse_identity(qr.text)
        assert (identity.template, identity.exam, identity.variant) == (
            "specializare-asistenti",
            "SPEC-2026",
            "B",
        )
        assert tag_is_valid(identity, secret)
        assert not tag_is_valid(identity, b"another exam")
        serials.append(identity.serial)
    assert serials == [41, 42, 43]


@pytest.mark.parametrize("template", ["specializare-asistenti", "rezidentiat", "emc"])
def test_every_bubble_is_printed_where_the_geometry_says(template, tmp_path, capsys) -> None:
    assert main(["geometry", template, "--json"]) == 0
    geometry = json.loads(capsys.readouterr().out)
    assert geometry["schema"] == "omr.geometry/1"
    pdf = tmp_path / "sheet.pdf"
    assert main(["generate", template, "-o", str(pdf)]) == 0
    capsys.readouterr()
    (page,) = _render(pdf, tmp_path, 200)
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    scale = 200 / 25.4
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    for bubble in geometry["bubbles"]:
        cx, cy = (v * scale for v in bubble["center_mm"])
        rx, ry = (v * scale / 2 for v in bubble["size_mm"])
        ring = [
            gray[int(round(cy + ry * np.sin(a))), int(round(cx + rx * np.cos(a)))] for a in angles
        ]
        # A printed outline: most of the ring is dark, the centre and just outside are paper.
        assert np.mean(np.asarray(ring) < 200) > 0.7, bubble
        assert gray[int(round(cy)), int(round(cx))] > 230 or bubble["field"] != "answers", bubble
        outside = gray[int(round(cy)), int(round(cx + rx * 1.25))]
        assert outside > 200, bubble


def _generate(tmp_path: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out.pdf"
    return main(["generate", "specializare-asistenti", "-o", str(out), *extra]), out


def test_candidates_csv_personalises_sheets(tmp_path: Path) -> None:
    csv_path = tmp_path / "candidates.csv"
    csv_path.write_text("number,name,room\n00012,POPESCU ANA,3\n00013,IONESCU ȘTEFAN,3\n")
    code, out = _generate(tmp_path, "--candidates", str(csv_path), "--exam", "E1")
    assert code == 0
    pages = _render(out, tmp_path)
    texts = [zxingcpp.read_barcodes(page)[0].text for page in pages]
    assert [parse_identity(text).candidate for text in texts] == ["00012", "00013"]


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        ("code,name\n1,A\n", "column(s) number missing"),
        ("number,name\n00012,A\n00012,B\n", "listed twice"),
        ("number,name\nabc,A\n", "must be digits"),
        ("number;name\n1;A\n", "error [candidates_columns_missing]"),
        ("number,name\n00012,\n", "error [candidate_row_invalid]"),
        ("number,name\n7,A\n8,B\n7,C\n", "error [candidate_listed_twice]"),
        pytest.param(
            "number,name\n1," + "x" * 200_000 + "\n",
            "error [candidates_invalid]",
            id="field-larger-than-the-csv-limit",
        ),
    ],
)
def test_bad_candidates_csv(tmp_path: Path, capsys, csv_text: str, expected: str) -> None:
    csv_path = tmp_path / "candidates.csv"
    csv_path.write_text(csv_text)
    code, out = _generate(tmp_path, "--candidates", str(csv_path))
    assert code == 2
    error = capsys.readouterr().err
    assert expected in error and "candidates.csv" in error
    assert not out.exists() and not list(tmp_path.glob(".out.pdf*"))


def test_invalid_variant(tmp_path: Path, capsys) -> None:
    code, out = _generate(tmp_path, "--variant", "F")
    assert code == 2
    assert "variant_invalid" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_template(tmp_path: Path, capsys) -> None:
    assert main(["generate", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "template_not_found" in capsys.readouterr().err


def _refused_generations(tmp_path: Path) -> dict[str, list[str]]:
    """The extra arguments of ``omr generate`` refusals, by case; the case names its code."""
    empty_secret = tmp_path / "empty-secret.txt"
    empty_secret.write_text("\n")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("number,name\n00012,ȘTEFAN\n".encode("utf-16"))
    return {
        "count_invalid-count": ["--count", "0"],
        "count_invalid-serial": ["--serial-start", "-1"],
        "secret_unreadable-empty": ["--secret-file", str(empty_secret)],
        "secret_unreadable-folder": ["--secret-file", str(tmp_path)],
        "candidates_not_found": ["--candidates", str(tmp_path / "no-such.csv")],
        "candidates_invalid": ["--candidates", str(utf16)],
        "output_invalid": ["-o", str(tmp_path / "no-such-folder" / "out.pdf")],
    }


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("count_invalid-count", "--count must be at least 1"),
        ("count_invalid-serial", "--serial-start must be at least 0"),
        ("secret_unreadable-empty", "empty-secret.txt: cannot read the exam secret (empty file)"),
        ("secret_unreadable-folder", "cannot read the exam secret (Is a directory)"),
        ("candidates_not_found", "no-such.csv: no such candidates file"),
        ("candidates_invalid", "utf16.csv: not a UTF-8 CSV file"),
        ("output_invalid", "no-such-folder: no such directory"),
    ],
)
def test_generate_refusals_name_their_reason(
    tmp_path: Path, capsys, case: str, expected: str
) -> None:
    reason = case.split("-")[0]
    code, out = _generate(tmp_path, *_refused_generations(tmp_path)[case])
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith(f"omr generate: error [{reason}]: ")
    assert expected in error
    assert "None" not in error
    assert not out.exists() and not list(tmp_path.rglob("*.pdf"))


def test_unreadable_template(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "template.yaml"
    folder.mkdir()
    assert main(["generate", str(folder), "-o", str(tmp_path / "x.pdf")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("omr generate: error [template_unreadable]: ")
    assert "template.yaml: cannot read" in error and "None" not in error
    assert not (tmp_path / "x.pdf").exists()
