"""Measure page 2 of the national residency answer form and print its sheet template.

The Ministry's PDFs are vector drawings: every bar cell, ellipse and box is a path.
``pdftocairo -svg`` turns page 2 into SVG paths in points (with the page's /Rotate
applied), ``pdftotext -bbox`` gives the printed words with their boxes. From those this
script derives, with no coordinate typed by hand:

- the solid cells (the bars and squares of the timing track) and which of them are the
  same on every form (registration blocks) or change with the variant or the domain
  (coded fields), the file names telling which form is which (``med_A.pdf`` …);
- the 1000 answer ellipses, grouped into blocks of 20 rows, numbered from the printed
  question numbers, and their lattice pitch;
- the handwritten boxes (contest number cells, county, name, score), found as stroked
  rectangles under their printed labels;
- the question-number columns, whose 180° image is blank paper (the bars are symmetric,
  so these tell 0° from 180°).

It checks that the fixed geometry is identical on every form and prints the template
YAML on stdout. See ``docs/national-form.md``.

Usage::

    python tools/measure_national_form.py fixtures/forms/rezidentiat-2025 \
        > sheet_templates/rezidentiat-national-2025.yaml
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in mm

MM_PER_PT = 25.4 / 72
SVG = "{http://www.w3.org/2000/svg}"
PAGE = 2
DOMAINS = {"med": "medicina", "dent": "medicina-dentara", "farm": "farmacie"}
VARIANTS = ("A", "B", "C", "D")
SAME_MM = 0.05  # two measurements of the same printed element agree to this
# The handwritten boxes, by a fragment of the label printed above them (the PDF's font
# encoding mangles Romanian diacritics, so fragments are plain ASCII).
HANDWRITTEN = {
    "contest_number": ("concurs", "Număr concurs (zeci mii, mii, sute, zeci, unități)"),
    "county": ("Jude", "Județ"),
    "name": ("Nume", "Nume, inițialele tatălui, prenume (litere de tipar)"),
    "score": ("SCOR", "SCOR (puncte)"),
}


@dataclass(frozen=True)
class Shape:
    """One drawn path: its bounding box in mm (x0, y0, x1, y1), filled or stroked."""

    box: tuple[float, float, float, float]
    filled: bool
    curved: bool

    @property
    def size(self) -> tuple[float, float]:
        return (self.box[2] - self.box[0], self.box[3] - self.box[1])

    @property
    def center(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


@dataclass(frozen=True)
class Word:
    text: str
    box: tuple[float, float, float, float]


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def read_shapes(pdf: Path) -> list[Shape]:
    """Every path drawn on page 2 (glyph outlines in ``<defs>`` excluded), in mm."""
    root = ET.fromstring(
        _run("pdftocairo", "-svg", "-f", str(PAGE), "-l", str(PAGE), str(pdf), "-")
    )
    surface = next(element for element in root if element.tag == SVG + "g")
    shapes = []
    for path in surface.iter(SVG + "path"):
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", path.get("d", ""))]
        if len(numbers) < 4:
            continue
        points = np.array(numbers).reshape(-1, 2)
        if transform := path.get("transform"):
            a, b, c, d, e, f = (float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", transform))
            points = points @ np.array([[a, b], [c, d]]) + (e, f)
        (x0, y0), (x1, y1) = points.min(axis=0) * MM_PER_PT, points.max(axis=0) * MM_PER_PT
        style = path.get("style", "")
        # Bézier control points of cairo's ellipses touch the bounding box, so the box of
        # the points is the box of the curve.
        shapes.append(Shape((x0, y0, x1, y1), "fill:none" not in style, "C" in path.get("d", "")))
    return shapes


def read_words(pdf: Path) -> list[Word]:
    """The printed words of page 2 with their boxes in mm (display orientation)."""
    html = _run("pdftotext", "-f", str(PAGE), "-l", str(PAGE), "-bbox", str(pdf), "-")
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        Word(text, tuple(float(v) * MM_PER_PT for v in box))  # type: ignore[arg-type]
        for *box, text in re.findall(pattern, html)
    ]


def _most_common_size(shapes: list[Shape]) -> tuple[float, float]:
    """The median size of the shapes of the most common size (to 0.1 mm)."""
    common = Counter(_key(s.size) for s in shapes).most_common(1)[0][0]
    sizes = [s.size for s in shapes if _key(s.size) == common]
    return (float(np.median([w for w, _ in sizes])), float(np.median([h for _, h in sizes])))


def _same_size(shape: Shape, size: tuple[float, float]) -> bool:
    return abs(shape.size[0] - size[0]) < 0.1 and abs(shape.size[1] - size[1]) < 0.1


def solid_cells(shapes: list[Shape]) -> list[Shape]:
    """The solid cells of the timing track: filled straight-edged paths of the common size."""
    filled = [s for s in shapes if s.filled and not s.curved and min(s.size) > 2.0]
    size = _most_common_size(filled)
    return [s for s in filled if _same_size(s, size)]


def answer_ellipses(shapes: list[Shape]) -> list[Shape]:
    """The answer ellipses: outlined curves of the common size, on rows holding 25 of them."""
    outlined = [s for s in shapes if not s.filled and s.curved]
    size = _most_common_size(outlined)
    ellipses = [s for s in outlined if _same_size(s, size)]
    per_row = Counter(round(s.center[1], 1) for s in ellipses)
    return [s for s in ellipses if per_row[round(s.center[1], 1)] >= 25]  # 5 blocks × A–E


def _key(point: tuple[float, float]) -> tuple[float, float]:
    return (round(point[0], 1), round(point[1], 1))


def _lattice(values: list[float]) -> tuple[float, float]:
    """Origin and pitch of sorted distinct coordinates lying on a regular lattice."""
    values = sorted(set(round(v, 3) for v in values))
    steps = np.diff(values)
    pitch = float(np.median(steps[steps < 1.5 * steps.min()]))
    index = np.round((np.array(values) - values[0]) / pitch)
    slope, origin = np.polyfit(index, values, 1)
    return float(origin), float(slope)


@dataclass
class FormMeasure:
    domain: str
    variant: str
    cells: list[Shape]
    ellipses: list[Shape]
    rectangles: list[Shape]
    words: list[Word]


def measure_form(pdf: Path) -> FormMeasure:
    domain, variant = pdf.stem.split("_")
    shapes = read_shapes(pdf)
    rectangles = [s for s in shapes if not s.filled and not s.curved and min(s.size) > 5.0]
    return FormMeasure(
        DOMAINS[domain],
        variant,
        solid_cells(shapes),
        answer_ellipses(shapes),
        rectangles,
        read_words(pdf),
    )


def _check_same(
    forms: list[FormMeasure], what: str, boxes_of: Callable[[FormMeasure], list[Rect]]
) -> None:
    reference = np.array(sorted(boxes_of(forms[0])))
    for form in forms[1:]:
        other = np.array(sorted(boxes_of(form)))
        if other.shape != reference.shape or np.abs(other - reference).max() > SAME_MM:
            sys.exit(f"{what} differ between forms ({form.domain} {form.variant})")


def _runs(cells: list[Shape]) -> list[Rect]:
    """Touching cells of one row merged into bars: boxes (x0, y0, x1, y1) in mm."""
    runs: list[list[float]] = []
    for cell in sorted(cells, key=lambda s: (round(s.box[1], 1), s.box[0])):
        last = runs[-1] if runs else None
        if last and abs(last[1] - cell.box[1]) < SAME_MM and abs(last[2] - cell.box[0]) < SAME_MM:
            last[2] = cell.box[2]
        else:
            runs.append(list(cell.box))
    return [tuple(run) for run in runs]  # type: ignore[misc]


def _block_name(box: Rect, centre: tuple[float, float]) -> str:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    kind = "bar" if box[2] - box[0] > 2 * (box[3] - box[1]) else "square"
    row = "top" if y < centre[1] - 10 else "bottom" if y > centre[1] + 10 else "middle"
    return f"{kind}_{row}_{'left' if x < centre[0] else 'right'}"


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _pair(a: float, b: float) -> str:
    return f"[{_fmt(a)}, {_fmt(b)}]"


def _box_yaml(box: Rect) -> str:
    size = _pair(box[2] - box[0], box[3] - box[1])
    return f"{{origin_mm: {_pair(box[0], box[1])}, size_mm: {size}}}"


def _field_of_row(
    row: float, patterns: dict[tuple[str, str], frozenset]
) -> tuple[str, dict[str, frozenset]]:
    """Which field a row of varying cells encodes, and each value's cells."""
    for axis, name in ((1, "variant"), (0, "domain")):
        codes = {key[axis]: xs for key, xs in patterns.items()}
        if all(patterns[key] == codes[key[axis]] for key in patterns):
            return name, codes
    sys.exit(f"cells in row y={row} mm follow neither the variant nor the domain")


def coded_fields(
    forms: list[FormMeasure], fixed: set, cell: tuple[float, float], lattice_x: tuple[float, float]
) -> list[str]:
    """YAML lines of the coded fields: the varying cells, grouped by row.

    Each position is a cell of the timing track's column lattice ``lattice_x`` (origin,
    pitch in mm): a square printed a few tenths off (the medicine forms') is snapped.
    """
    by_row: dict[float, dict[tuple[str, str], frozenset]] = defaultdict(dict)
    columns: dict[float, list[float]] = defaultdict(list)
    tops: dict[float, list[float]] = defaultdict(list)
    for form in forms:
        rows: dict[float, set] = defaultdict(set)
        for s in form.cells:
            if _key(s.center) not in fixed:
                rows[round(s.box[1], 1)].add(round(s.center[0], 1))
                columns[round(s.box[1], 1)].append(s.center[0])
                tops[round(s.box[1], 1)].append(s.box[1])
        for row, xs in rows.items():
            by_row[row][(form.domain, form.variant)] = frozenset(xs)
    lines = []
    for row, patterns in sorted(by_row.items()):
        name, codes = _field_of_row(row, patterns)
        origin, pitch = lattice_x
        slots = sorted({round((x - origin) / pitch) for x in columns[row]})
        slot_of = {x: round((x - origin) / pitch) for xs in codes.values() for x in xs}
        one_hot = all(len(xs) == 1 for xs in codes.values())
        lines.append(f"  - name: {name}\n    positions:")
        top = float(np.median(tops[row]))
        names = {slot: f"p{index + 1}" for index, slot in enumerate(slots)}
        for value, xs in codes.items():
            if one_hot:
                names[slot_of[min(xs)]] = value
        for slot in slots:
            x = origin + slot * pitch
            box = (x - cell[0] / 2, top, x + cell[0] / 2, top + cell[1])
            lines.append(f"      {names[slot]}: {_box_yaml(box)}")
        if not one_hot:
            lines.append("    codes:")
            for value, xs in sorted(codes.items()):
                cells_of = ", ".join(names[slot_of[x]] for x in sorted(xs))
                lines.append(f"      {value}: [{cells_of}]")
    return lines


def question_blocks(form: FormMeasure) -> tuple[list[str], tuple[float, float], list[tuple]]:
    """YAML lines of the question blocks, the column lattice, and the number columns.

    The ellipses fall into blocks of consecutive lattice columns (A–E) and rows; each
    block's first question is the number printed left of its top-left ellipse.
    """
    centres = np.array([s.center for s in form.ellipses])
    x0, x_pitch = _lattice(list(centres[:, 0]))
    y0, y_pitch = _lattice(list(centres[:, 1]))
    col = np.round((centres[:, 0] - x0) / x_pitch).astype(int)
    row = np.round((centres[:, 1] - y0) / y_pitch).astype(int)
    numbers = [w for w in form.words if w.text.isdigit()]
    lines, number_columns = [], []
    col_starts = sorted(set(col) - {c + 1 for c in set(col)})
    row_starts = sorted(set(row) - {r + 1 for r in set(row)})
    blocks = []
    for r0 in row_starts:
        rows = sorted(
            r for r in set(row) if r >= r0 and all(k in set(row) for k in range(r0, r + 1))
        )
        for c0 in col_starts:
            cols = [c for c in range(c0, c0 + 5) if c in set(col)]
            x, y = x0 + c0 * x_pitch, y0 + r0 * y_pitch
            mine = [
                w
                for w in numbers
                if x - 4 * x_pitch < w.box[2] < x
                and y0 + (r0 - 0.5) * y_pitch
                < (w.box[1] + w.box[3]) / 2
                < y0 + (rows[-1] + 0.5) * y_pitch
            ]
            first = min(int(w.text) for w in mine)
            blocks.append((first, len(rows), len(cols), x, y))
            number_columns.append(
                (
                    min(w.box[0] for w in mine),
                    min(w.box[1] for w in mine),
                    max(w.box[2] for w in mine),
                    max(w.box[3] for w in mine),
                )
            )
    size = _most_common_size(form.ellipses)
    for first, rows, cols, x, y in sorted(blocks):
        options = ", ".join("ABCDE"[:cols])
        lines.append(
            f"  - {{first: {first}, last: {first + rows - 1}, options: [{options}], "
            f"first_center_mm: {_pair(x, y)}, option_pitch_mm: {_fmt(x_pitch)}, "
            f"row_pitch_mm: {_fmt(y_pitch)}, rows: {rows}, "
            f"bubble: {{shape: ellipse, size_mm: {_pair(*size)}}}}}"
        )
    return lines, (x0, x_pitch), number_columns


def _touching(row: list[Shape], seed: Shape) -> list[Shape]:
    """The run of boxes of ``row`` (sorted by x) that touch one another and ``seed``."""
    start = end = row.index(seed)
    while start > 0 and abs(row[start - 1].box[2] - row[start].box[0]) < 0.1:
        start -= 1
    while end + 1 < len(row) and abs(row[end].box[2] - row[end + 1].box[0]) < 0.1:
        end += 1
    return row[start : end + 1]


def handwritten_boxes(form: FormMeasure) -> list[str]:
    """YAML lines of the handwritten boxes: stroked rectangles right under their label."""
    lines = []
    for name, (fragment, label) in HANDWRITTEN.items():
        word = next(w for w in form.words if fragment in w.text)
        below = [
            r
            for r in form.rectangles
            if 0 < r.box[1] - word.box[3] < 4.0 and r.box[0] - 3 < word.box[0] < r.box[2]
        ]
        if not below:
            sys.exit(f"no box under the label {fragment!r}")
        # Cells of a number: equal boxes side by side under one label, e.g. five digits.
        first = min(below, key=lambda r: r.box[0])
        run = [
            r
            for r in form.rectangles
            if abs(r.box[1] - first.box[1]) < 0.1 and _same_size(r, first.size)
        ]
        run = _touching(sorted(run, key=lambda r: r.box[0]), first)
        box = (run[0].box[0], run[0].box[1], run[-1].box[2], run[-1].box[3])
        count = f", cells: {len(run)}" if len(run) > 1 else ""
        lines.append(f'    - {{name: {name}, label: "{label}", {_box_yaml(box)[1:-1]}{count}}}')
    return lines


def _blank(box: Rect, form: FormMeasure) -> bool:
    def meets(other: Rect) -> bool:
        return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]

    return not any(meets(w.box) for w in form.words) and not any(
        meets(s.box) for s in form.cells + form.ellipses
    )


def template_yaml(forms: list[FormMeasure], source: str) -> str:
    """The sheet template of page 2, as YAML text."""
    reference = forms[0]
    _check_same(forms, "answer ellipses", lambda f: [s.box for s in f.ellipses])
    _check_same(forms, "boxes", lambda f: [s.box for s in f.rectangles if s.box[0] > 0])
    fixed = set.intersection(*({_key(s.center) for s in f.cells} for f in forms))
    blocks = _runs([s for s in reference.cells if _key(s.center) in fixed])
    xs = [b[0] for b in blocks] + [b[2] for b in blocks]
    ys = [b[1] for b in blocks] + [b[3] for b in blocks]
    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    block_lines, lattice_x, number_columns = question_blocks(reference)
    cell = _most_common_size(reference.cells)
    # Orientation probes: the number columns whose 180° image, with a millimetre to
    # spare, is blank paper (a two-digit column may face a three-digit one).
    probes = [
        b
        for b in number_columns
        if _blank(
            (
                2 * centre[0] - b[2] - 1,
                2 * centre[1] - b[3] - 1,
                2 * centre[0] - b[0] + 1,
                2 * centre[1] - b[1] + 1,
            ),
            reference,
        )
    ]
    if len(probes) < 2:
        sys.exit("fewer than two question-number columns face blank paper at 180°")
    width, height = 420.0, 297.0
    out = [
        "# National residency answer form, page 2 (the grid page), A3 landscape.",
        f"# Generated by tools/measure_national_form.py from {source};",
        "# see docs/national-form.md. Coordinates in mm from the top-left corner.",
        "id: rezidentiat-national-2025",
        "version: 1",
        "title: Concurs național de rezidențiat 2025 — formular de răspuns, pagina 2",
        "profile: rezidentiat",
        "page:",
        "  size: A3",
        "  orientation: landscape",
        "  # The sheet folds in two; an A4 scanner may be fed the grid half alone.",
        f"  parts: [{{name: grid, {_box_yaml((width / 2, 0, width, height))[1:-1]}}}]",
        "",
        "registration:",
        "  kind: blocks",
        "  blocks:",
    ]
    out += [f"    - {{name: {_block_name(b, centre)}, {_box_yaml(b)[1:-1]}}}" for b in blocks]
    out += ["  # Printed question numbers: their 180° image about the blocks' centre is blank."]
    out += ["  orientation_boxes:"] + [f"    - {_box_yaml(b)}" for b in probes]
    out += ["", "coded_fields:"] + coded_fields(forms, fixed, cell, lattice_x)
    out += ["", "identification:", "  handwritten:"] + handwritten_boxes(reference)
    out += ["", "question_blocks:"] + block_lines
    out += [
        "",
        "question_types:",
        '  - {first: 1, last: 50, type: single, answers: "1", label: "complement simplu"}',
        '  - {first: 51, last: 200, type: multiple, answers: "2-4", label: "complement multiplu"}',
        "",
        "# Printed in black: no drop-out colour, so stray ink cannot be told from print.",
        "print:",
        '  colour: "#000000"',
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", type=Path, help="folder of <domain>_<variant>.pdf forms")
    parser.add_argument("--out", type=Path, help="write the YAML here instead of stdout")
    args = parser.parse_args(argv)
    pdfs = sorted(args.forms.glob("*_[A-D].pdf"))
    if not pdfs:
        parser.error(f"no <domain>_<variant>.pdf in {args.forms}")
    forms = [measure_form(pdf) for pdf in pdfs]
    text = template_yaml(forms, f"{args.forms.name}/ ({len(pdfs)} forms)")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
