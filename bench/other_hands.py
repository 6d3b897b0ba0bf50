"""Marks drawn by a second hand, made by other means than the corpus's simulator.

    python bench/other_hands.py                 # 4 sheet and pen pairs, 150/200/300 dpi, 4 seeds
    python bench/other_hands.py --sheets emc:felt-tip --dpi 200 --seeds 1-20
    python bench/other_hands.py --sheets rezidentiat-national-2025:ballpoint

The corpus's simulator (``fixtures/scansim/``) lays one fill layer under its strokes, draws
its X's, ticks and slashes with its own geometry and scans them through its own scanner:
a reader can come to match it. This bench shares only the printed sheet with it (the
project's PDF, rasterised by poppler; for ``rezidentiat-national-2025``, the grid page of
the Ministry's own form, read against that template as it has no QR code) and draws
everything else its own way, from the marks issue's ranges rather than the simulator's:

- ink is dye that every pass multiplies in: a ballpoint fill scribbled back and forth
  darkens where its passes overlap, a stroke over a fill darkens it again; a felt-tip
  nearly saturates at one pass; pencil is grey and grainy;
- a fill is parallel passes at any angle, 0.5-0.9 of the pen's width apart, overshooting
  the outline by up to 0.15 radii; an X is two strokes each 25-65° from the horizontal,
  crossing up to a third of the radius off centre, each end 1.1-2.5 radii out, bowed by
  up to a tenth of the radius, 0.3-0.8 mm wide; a slash one such stroke; a tick a short
  stroke down to a vertex low in the bubble and a long one up and out;
- the scanner turns the page up to 1.5°, blurs it by 0.4-1 px, shifts its levels, adds
  noise and writes a JPEG of quality 55-90, grey or colour.

Every question of a page holds one mark: an X over a fill, a slash over a fill, an X over
an empty circle or a tick over a fill, each followed by two plain fills; the other
options stay blank. Prints, for each kind, sheet and resolution, the states read (a page
refused: ``not_read``) and how many break the kind's rule (``NEVER``, as the drawn bench
judges); then each kind's totals over every sheet and resolution, the X's over fills
read `crossed` (the marks issue asks 99.5 %) and the silent errors.
Exits 1 on a silent error. Nothing in the reader was tuned on these pages: they are a
check, not a target. ``--crowded`` puts the marks closer (four questions in seven hold a
mark with strokes, a slash and an X side by side): their arms, up to 2.5 radii long, run
into their neighbours' marks. ``--short-armed`` answers every question with a fill, every
third under an X one of whose ends reaches 1.8-2.2 radii and the other three 1.2-1.3,
barely past a fill's overshoot (``x_short_arms``). ``--imperfect`` answers with the
marks that are no X (:data:`IMPERFECT`): a line within 12° of the horizontal through a
fill, a fill spilling 1.15-1.4 radii out, a fill scribbled in one zigzag with one to
three legs running out to 1.3-1.8 radii, a centre dot 0.25-0.5 of the radius, a part
filled from one side (a quarter to two fifths of the bubble, its passes' width included:
the drawn bench's half fills; the corpus's fills cover three fifths and more, one side
missed, and between the two neither says what a mark is), the outline traced over.
``--soften PX`` blurs every page by a
Gaussian of PX pixels more, as a soft sheet-fed scanner or a photo a little out of focus
does. ``--bilevel dither`` or ``threshold`` writes every page as a scanner's black-and-white
mode does, a PNG: dithered on Bayer's 4 × 4 screen (read by its halftone cells), or
thresholded at mid-grey (refused whole, ``scan_thresholded``: every bubble ``not_read``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# The printed sheet and the judging table live beside the corpus (fixtures/).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from drawn_marks import seeds_of  # noqa: E402
from evaluation import NOT_READ, STATES  # noqa: E402
from scansim.drawn import NEVER, answers_read  # noqa: E402
from scansim.recipes import FORMS  # noqa: E402
from scansim.scanner import dithered, thresholded  # noqa: E402
from scansim.sheets import bubble_of, render_form, render_sheet  # noqa: E402

from omr.sheet.template import Bubble, SheetTemplate, load_template  # noqa: E402
from omr.vocabulary.states import MarkState  # noqa: E402

PAIRS = (
    "specializare-asistenti:ballpoint",
    "rezidentiat:ballpoint",
    "emc:felt-tip",
    "rezidentiat:pencil",
)
# The marks with strokes; on a page, each followed by two plain fills, as a candidate's
# page holds mostly plain fills (whose tone the reader takes for the page's pen).
STROKED = ("x_filled", "slash", "x_empty", "tick")
# Crowded: three plain fills in seven questions, a slash and an X over an empty circle
# side by side.
CROWDED = ("fill", "x_filled", "fill", "slash", "x_empty", "fill", "tick")
# Short-armed: every third fill under an X three of whose arms barely leave it.
SHORT_ARMED = ("fill", "fill", "x_short_arms")
SHORT_ARMS_LABEL = "X over a filled circle, three arms barely out"
# A scanner's black-and-white modes: Bayer's ordered dither, or a threshold at mid-grey
# (a page refused whole: ``scan_thresholded``).
BILEVEL = ("dither", "threshold")
DEFAULT = tuple(k for kind in STROKED for k in (kind, "fill", "fill"))
# Imperfect marks (``--imperfect``): a line through a fill, a fill spilling past the
# outline, a scribbled fill with legs running out, a centre dot, a part filled, a traced
# outline; each followed by two plain fills.
IMPERFECT = ("line", "spill", "scribble", "dot", "half", "ring")
IMPERFECT_LAYOUT = tuple(k for kind in IMPERFECT for k in (kind, "fill", "fill"))
# The states each kind of mark may never be read as: the drawn bench's; an X's for one
# whose arms barely leave its fill, a fill's for one spilling past the outline, a looped
# fill's for a scribbled one.
NEVER_HERE = {
    **NEVER,
    "x_short_arms": NEVER["x_filled"],
    "spill": NEVER["fill"],
    "scribble": NEVER["looped"],
}
# Forms printed by others (no QR code), as their PDF prints them: the page each is read
# from. The national form's grid page, its medicine variant A.
FORMS_OF_OTHERS = {"rezidentiat-national-2025": ("med_A.pdf", 2)}
SUPERSAMPLE = 4  # strokes drawn at 4x and averaged down: sub-pixel edges


@dataclass(frozen=True)
class Ink:
    """A pen: ``absorb`` (B, G, R) the share of light one full pass takes, per channel;
    ``width_mm``; ``grain`` the spread of a pass's strength along it (pencil, dry pens)."""

    absorb: tuple[float, float, float]
    width_mm: float
    grain: float


def _ink(kind: str, rng: np.random.Generator) -> Ink:
    """A ``kind`` of pen ("ballpoint", "felt-tip", "pencil"), its strength drawn."""
    if kind == "ballpoint":
        strength = rng.uniform(0.55, 0.8)
        return Ink((0.25 * strength, 0.75 * strength, strength), rng.uniform(0.3, 0.5), 0.1)
    if kind == "felt-tip":
        return Ink((0.9, 0.9, 0.9), rng.uniform(0.6, 0.8), 0.03)
    grey = rng.uniform(0.35, 0.55)  # pencil
    return Ink((grey, grey, grey), rng.uniform(0.4, 0.7), 0.3)


class Sheet:
    """A printed page (float BGR transmittance, 1 white) that strokes multiply into."""

    def __init__(self, image: np.ndarray, dpi: int, rng: np.random.Generator) -> None:
        self.light = image.astype(np.float32) / 255.0
        self.ppm = dpi / 25.4
        self.rng = rng

    def stroke(self, points_mm: np.ndarray, ink: Ink) -> None:
        """One pass of ``ink`` along a polyline (mm): its light taken, over whatever is there."""
        s = SUPERSAMPLE
        px = points_mm * self.ppm
        x0, y0 = np.floor(px.min(axis=0) - 3 * ink.width_mm * self.ppm).astype(int)
        x1, y1 = np.ceil(px.max(axis=0) + 3 * ink.width_mm * self.ppm).astype(int)
        x0, y0 = max(x0, 0), max(y0, 0)
        mask = np.zeros(((y1 - y0) * s, (x1 - x0) * s), np.float32)
        local = np.round((px - [x0, y0]) * s).astype(np.int32)
        thickness = max(1, int(round(ink.width_mm * self.ppm * s)))
        # Strength varies along the stroke: drawn as short segments of their own strength.
        for a, b in zip(local[:-1], local[1:], strict=True):
            strength = float(np.clip(1 + self.rng.normal(0, ink.grain), 0.3, 1.0))
            segment = np.zeros_like(mask)
            cv2.line(segment, tuple(map(int, a)), tuple(map(int, b)), strength, thickness)
            np.maximum(mask, segment, out=mask)
        mask = cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
        region = self.light[y0:y1, x0:x1]
        mask = mask[: region.shape[0], : region.shape[1]]
        region *= 1.0 - mask[..., None] * np.asarray(ink.absorb, np.float32)

    def curve(self, start: np.ndarray, end: np.ndarray, bow_mm: float, ink: Ink) -> None:
        """A stroke from ``start`` to ``end`` (mm), bowed sideways by ``bow_mm`` midway."""
        t = np.linspace(0.0, 1.0, 24)[:, None]
        direction = end - start
        normal = np.array([-direction[1], direction[0]]) / max(np.linalg.norm(direction), 1e-6)
        points = start + t * direction + (4 * t * (1 - t)) * bow_mm * normal
        self.stroke(points, ink)


def _fill(
    sheet: Sheet,
    bubble: Bubble,
    ink: Ink,
    over: tuple[float, float] = (1.0, 1.15),
    size: float = 1.0,
    upto: float = 1.0,
) -> None:
    """Parallel passes across the bubble at one angle, overlapping, past the outline by
    ``over`` (a range, radii). ``size``: a fill of that share of the bubble's radius,
    about its centre (a centre dot); ``upto``: passes only up to that offset across, -1
    to 1 (a part of the bubble filled)."""
    rng = sheet.rng
    centre, (rx, ry) = np.asarray(bubble.center_mm), np.asarray(bubble.size_mm) / 2 * size
    along, across = _pass_axes(rng)
    pitch = ink.width_mm * rng.uniform(0.5, 0.9)
    scale = np.array([rx, ry]) * rng.uniform(*over)  # the overshooting ellipse, a unit circle
    for offset in np.arange(-1.0, upto + 1e-9, pitch / max(rx, ry)):
        base = offset * max(rx, ry) * across
        exits = _exits(base / scale, along / scale)
        if exits is None:
            continue
        # Each pass stops where the hand turns, a little short of the edge or past it.
        ends = np.array(exits) + rng.uniform(-0.1, 0.1, 2) * rx
        sheet.stroke(centre + base + ends[:, None] * along, ink)


def _pass_axes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The unit vectors (mm) a hand's passes run along and are laid across, at an angle
    drawn within 70° of the horizontal."""
    angle = np.radians(rng.uniform(-70, 70))
    along = np.array([np.cos(angle), np.sin(angle)])
    return along, np.array([-along[1], along[0]])


def _scribble(sheet: Sheet, bubble: Bubble, ink: Ink) -> None:
    """A fill scribbled back and forth in one zigzag, each leg a pass of its own, its
    turns 0.95-1.2 of the outline out; one to three legs run on out of the bubble, to
    1.3-1.8 of the outline."""
    rng = sheet.rng
    centre, half = np.asarray(bubble.center_mm), np.asarray(bubble.size_mm) / 2
    along, across = _pass_axes(rng)
    step = ink.width_mm * rng.uniform(0.6, 1.0) / half.max()
    offsets = np.arange(-0.95, 0.95 + 1e-9, step)
    turns = rng.uniform(0.95, 1.2, offsets.size)
    turns[rng.choice(offsets.size, int(rng.integers(1, 4)), replace=False)] = rng.uniform(1.3, 1.8)
    side, points = 1.0, []
    for offset, turn in zip(offsets, turns, strict=True):
        base = offset * half.max() * across
        exits = _exits(base / (half * turn), side * along / (half * turn))
        if exits is None:
            continue
        points.append(centre + base + exits[1] * side * along)
        side = -side
    for start, end in zip(points[:-1], points[1:], strict=True):
        sheet.curve(start, end, rng.uniform(-0.05, 0.05) * half.max(), ink)


def _ring(sheet: Sheet, bubble: Bubble, ink: Ink) -> None:
    """The printed outline traced over, 0.98-1.08 radii out and wavering, from one turn
    short by a tenth to a tenth past one."""
    rng = sheet.rng
    centre, half = np.asarray(bubble.center_mm), np.asarray(bubble.size_mm) / 2
    start, turn = rng.uniform(0, 2 * np.pi), 2 * np.pi * rng.uniform(0.9, 1.1)
    waver = rng.uniform(0, 2 * np.pi)
    for lap in np.arange(0.0, turn, 2 * np.pi):
        t = start + np.linspace(lap, min(lap + 2 * np.pi, turn), 48)
        out = rng.uniform(0.98, 1.08) + 0.03 * np.sin(3 * t + waver)
        sheet.stroke(centre + np.stack([np.cos(t), np.sin(t)], 1) * out[:, None] * half, ink)


def _line_through(
    sheet: Sheet,
    bubble: Bubble,
    crossing: np.ndarray,
    slant_deg: float,
    reaches: tuple[float, float],
    ink: Ink,
) -> None:
    """A stroke through ``crossing`` (radii from the centre) at ``slant_deg`` (up to the
    right positive), its ends ``reaches`` radii from the centre on either side."""
    centre, radius = np.asarray(bubble.center_mm), float(max(bubble.size_mm)) / 2
    unit = _towards(slant_deg)
    ends = []
    for sign, reach in zip((1.0, -1.0), reaches, strict=True):
        _, far = _exits(crossing, sign * unit, reach)
        ends.append(centre + (crossing + sign * far * unit) * radius)
    sheet.curve(ends[0], ends[1], sheet.rng.uniform(-0.1, 0.1) * radius, ink)


def _x(sheet: Sheet, bubble: Bubble, ink: Ink) -> None:
    """An X: a rising and a falling stroke through a crossing up to a third of the radius
    off centre, each 25-65° from the horizontal, each end 1.1-2.5 radii out."""
    rng = sheet.rng
    off = rng.uniform(0, 1 / 3) * _towards(rng.uniform(0, 360))
    for sign in (1.0, -1.0):
        reaches = (rng.uniform(1.1, 2.5), rng.uniform(1.1, 2.5))
        _line_through(sheet, bubble, off, sign * rng.uniform(25, 65), reaches, ink)


def _x_arms_short_but_one(sheet: Sheet, bubble: Bubble, ink: Ink) -> None:
    """An X whose one end reaches 1.8-2.2 radii and whose other three stop 1.2-1.3 radii
    from the centre, a sample or two of the reader's reach past a fill's overshoot (up
    to 1.15 radii) or within it: each stroke 35-55° from the horizontal, crossing within
    0.15 radii of the centre."""
    rng = sheet.rng
    off = rng.uniform(0, 0.15) * _towards(rng.uniform(0, 360))
    long_end = int(rng.integers(4))
    reaches = [
        rng.uniform(1.8, 2.2) if end == long_end else rng.uniform(1.2, 1.3) for end in range(4)
    ]
    for sign, stroke_reaches in zip((1.0, -1.0), (reaches[:2], reaches[2:]), strict=True):
        slant = sign * rng.uniform(35, 55)
        _line_through(sheet, bubble, off, slant, tuple(stroke_reaches), ink)


def _slash(sheet: Sheet, bubble: Bubble, ink: Ink) -> None:
    """One stroke 25-65° from the horizontal, near the centre, ends 1.3-2.2 radii out."""
    rng = sheet.rng
    off = rng.uniform(-0.2, 0.2, 2)
    slant = rng.choice([-1.0, 1.0]) * rng.uniform(25, 65)
    _line_through(sheet, bubble, off, slant, (rng.uniform(1.3, 2.2), rng.uniform(1.3, 2.2)), ink)


def _tick(sheet: Sheet, bubble: Bubble, ink: Ink) -> None:
    """A check mark: a short stroke down to a vertex low in the bubble, a long one up to
    the right and out, its end 1.3-2.2 radii from the centre."""
    rng = sheet.rng
    centre, radius = np.asarray(bubble.center_mm), float(max(bubble.size_mm)) / 2
    vertex = np.array([rng.uniform(-0.3, 0.2), rng.uniform(0.3, 0.7)])
    start = vertex + rng.uniform(0.5, 0.9) * _towards(180 - rng.uniform(30, 70))
    up = _towards(rng.uniform(50, 75))
    _, far = _exits(vertex, up, rng.uniform(1.3, 2.2))
    end = vertex + far * up
    bow = rng.uniform(-0.05, 0.05) * radius
    sheet.curve(centre + start * radius, centre + vertex * radius, bow, ink)
    sheet.curve(centre + vertex * radius, centre + end * radius, bow, ink)


def _line(sheet: Sheet, bubble: Bubble, ink: Ink) -> None:
    """A line through the fill within 12° of the horizontal, near the centre, its ends
    1.3-2.2 radii out."""
    rng = sheet.rng
    off = rng.uniform(-0.2, 0.2, 2)
    _line_through(sheet, bubble, off, rng.uniform(-12, 12), tuple(rng.uniform(1.3, 2.2, 2)), ink)


def _exits(
    point: np.ndarray, direction: np.ndarray, radius: float = 1.0
) -> tuple[float, float] | None:
    """The two ``t`` (nearer first) where ``point + t * direction`` lies ``radius`` from
    the origin; None where the line misses that circle."""
    a, b = float(direction @ direction), 2 * float(point @ direction)
    c = float(point @ point) - radius**2
    if b * b - 4 * a * c <= 0:
        return None
    root = np.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def _towards(degrees: float) -> np.ndarray:
    """(2,) the page's unit vector ``degrees`` up from the right (y grows downwards)."""
    return np.array([np.cos(np.radians(degrees)), -np.sin(np.radians(degrees))])


def _draw(sheet: Sheet, kind: str, bubble: Bubble, ink: Ink) -> None:
    """One mark of ``kind`` (a kind of :data:`STROKED`, of :data:`IMPERFECT`,
    "x_short_arms" or "fill") in ``bubble``."""
    if kind in ("fill", "x_filled", "slash", "tick", "x_short_arms", "line"):
        _fill(sheet, bubble, ink)
    if kind in ("x_filled", "x_empty"):
        _x(sheet, bubble, ink)
    elif kind == "x_short_arms":
        _x_arms_short_but_one(sheet, bubble, ink)
    elif kind == "slash":
        _slash(sheet, bubble, ink)
    elif kind == "tick":
        _tick(sheet, bubble, ink)
    elif kind == "line":
        _line(sheet, bubble, ink)
    elif kind == "spill":
        _fill(sheet, bubble, ink, over=(1.15, 1.4))
    elif kind == "scribble":
        _scribble(sheet, bubble, ink)
    elif kind == "dot":
        _fill(sheet, bubble, ink, size=sheet.rng.uniform(0.25, 0.5))
    elif kind == "half":
        # Passes up to a chord 0.45-0.2 radii short of the centre: 0.22-0.37 of the disc.
        _fill(sheet, bubble, ink, upto=sheet.rng.uniform(-0.45, -0.2))
    elif kind == "ring":
        _ring(sheet, bubble, ink)


def _scanned(
    sheet: Sheet, rng: np.random.Generator, soften_px: float = 0.0, bilevel: str = ""
) -> tuple[bytes, str]:
    """The page through a scanner: turned, blurred (``soften_px`` more by a soft one),
    levels shifted, noisy, a JPEG; or (``bilevel``, :data:`BILEVEL`) in a black-and-white
    mode, a PNG → the file's data and suffix."""
    image = sheet.light * 255.0
    height, width = image.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-1.5, 1.5), 1.0)
    image = cv2.warpAffine(image, turn, (width, height), borderValue=(255, 255, 255))
    image = cv2.GaussianBlur(image, (0, 0), np.hypot(rng.uniform(0.4, 1.0), soften_px))
    image = image * rng.uniform(0.85, 1.0) + rng.uniform(0, 20)
    image += rng.normal(0, rng.uniform(1, 4), image.shape).astype(np.float32)
    image = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < 0.5 or bilevel:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    quality = int(rng.integers(55, 91))  # drawn either way: a page's marks stay its own
    if bilevel:
        written = dithered(image) if bilevel == "dither" else thresholded(image)
        ok, data = cv2.imencode(".png", written)
        assert ok
        return data.tobytes(), ".png"
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes(), ".jpg"


def read_page(
    sheet_name: str,
    pen: str,
    seed: int,
    dpi: int,
    kinds: tuple[str, ...] = DEFAULT,
    save: str = "",
    soften_px: float = 0.0,
    bilevel: str = "",
) -> dict[str, Counter]:
    """One page of ``sheet_name`` marked with a ``pen`` kind: for each kind of mark, the
    states its marks were read as ("" for blanks; a page refused reads every bubble
    :data:`NOT_READ`); a page with a silent error is written to ``save`` (a folder, ""
    for none) with its list. ``soften_px``: a soft scanner's blur (px, a Gaussian's σ)
    on top of the scanner's own; ``bilevel``: a black-and-white mode (:data:`BILEVEL`)."""
    rng = np.random.default_rng([seed, dpi, len(sheet_name), len(pen)])
    template = load_template(sheet_name)
    sheet = Sheet(_printed(template, dpi, seed), dpi, rng)
    ink = _ink(pen, rng)
    marked = {}
    for question in range(1, template.question_count + 1):
        options = template.options_of(question)
        option = options[int(rng.integers(len(options)))]
        kind = kinds[(question + seed) % len(kinds)]
        _draw(sheet, kind, bubble_of(template, "answers", question, option), ink)
        marked[question] = (option, kind)
    data, suffix = _scanned(sheet, rng, soften_px, bilevel)
    answers = answers_read(data, suffix, None if template.qr else template)
    read: dict[str, Counter] = {}
    wrong = []
    for question in range(1, template.question_count + 1):
        for option in template.options_of(question):
            kind = marked[question][1] if marked[question][0] == option else ""
            state = answers.get(str(question), {}).get(option, NOT_READ)
            read.setdefault(kind, Counter())[state] += 1
            if state in _never(kind):
                wrong.append(f"{question}{option} {kind or 'blank'} read {state.value}")
    if save and wrong:
        name = Path(save) / f"{sheet_name}-{pen}-{dpi}-{seed}"
        name.with_suffix(suffix).write_bytes(data)
        name.with_suffix(".txt").write_text("\n".join(wrong) + "\n")
    return read


def _printed(template: SheetTemplate, dpi: int, serial: int) -> np.ndarray:
    """The printed page at ``dpi``: a sheet of ours with its QR code (``serial``), or the
    page a form printed by others is read from (:data:`FORMS_OF_OTHERS`)."""
    if template.qr:
        return render_sheet(template, dpi, serial=serial, exam="EXAM")
    if template.id not in FORMS_OF_OTHERS:
        raise ValueError(f"{template.id}: no printed page known for a form without a QR code")
    pdf, page = FORMS_OF_OTHERS[template.id]
    return render_form(FORMS / pdf, page, dpi)


# A blank bubble may be read blank, or left to a person.
BLANK_NEVER = frozenset(STATES) - {MarkState.BLANK, MarkState.UNCLEAR}
COLUMNS = (*STATES, NOT_READ)


def _never(kind: str) -> frozenset[MarkState]:
    """The states the ``kind`` of mark ("" a blank) may never be read as."""
    return NEVER_HERE[kind] if kind else BLANK_NEVER


def _print_row(kind: str, where: str, states: Counter) -> int:
    """Print the states ``kind`` of mark ("" a blank) was read as ``where`` (sheet, pen and
    resolution); → how many break its rule."""
    wrong = sum(states[state] for state in _never(kind))
    row = "".join(f"{states[state]:>9}" for state in COLUMNS)
    print(f"{kind or 'blank':<13}{where}{row}{wrong:>9}", flush=True)
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sheets", default=",".join(PAIRS), help="SHEET:PEN pairs")
    parser.add_argument("--dpi", default="150,200,300", help="resolutions, comma-separated")
    parser.add_argument("--seeds", default="1-4", help="FIRST-LAST or a comma-separated list")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    layout = parser.add_mutually_exclusive_group()
    layout.add_argument("--crowded", action="store_true", help="marks four questions in seven")
    layout.add_argument(
        "--short-armed", action="store_true", help="X's whose arms barely leave their fills"
    )
    layout.add_argument(
        "--imperfect", action="store_true", help="lines, spills, scribbles, dots, halves, rings"
    )
    parser.add_argument("--save", default="", help="a folder for the pages with silent errors")
    parser.add_argument(
        "--soften", type=float, default=0.0, help="a soft scanner's blur, px (σ) more"
    )
    parser.add_argument(
        "--bilevel", choices=BILEVEL, default="", help="a black-and-white mode, a PNG"
    )
    args = parser.parse_args(argv)
    seeds = seeds_of(args.seeds)
    kinds = (
        CROWDED
        if args.crowded
        else SHORT_ARMED
        if args.short_armed
        else IMPERFECT_LAYOUT
        if args.imperfect
        else DEFAULT
    )
    if args.save:
        Path(args.save).mkdir(parents=True, exist_ok=True)
    pairs = [tuple(pair.split(":")) for pair in args.sheets.split(",")]
    header = "".join(f"{state.value:>9}" for state in STATES) + f"{NOT_READ:>9}"
    print(f"{'kind':<13}{'sheet':<27}{'pen':<10}{'dpi':>4}{header}   silent")
    silent = 0
    grand: dict[str, Counter] = {}  # each kind's states over every sheet and resolution
    with ProcessPoolExecutor(args.jobs) as pool:
        for dpi in (int(d) for d in args.dpi.split(",")):
            for sheet_name, pen in pairs:
                totals: dict[str, Counter] = {}
                jobs = [
                    (sheet_name, pen, seed, dpi, kinds, args.save, args.soften, args.bilevel)
                    for seed in seeds
                ]
                for read in pool.map(read_page, *zip(*jobs, strict=True)):
                    for kind, states in read.items():
                        totals.setdefault(kind, Counter()).update(states)
                for kind in sorted(totals):
                    silent += _print_row(kind, f"{sheet_name:<27}{pen:<10}{dpi:>4}", totals[kind])
                    grand.setdefault(kind, Counter()).update(totals[kind])
    for kind in sorted(grand):
        _print_row(kind, f"{'all':<41}", grand[kind])
    for kind, name in (("x_filled", "X over a filled circle"), ("x_short_arms", SHORT_ARMS_LABEL)):
        xs = grand.get(kind, Counter())
        if xs.total():
            print(
                f"{name}: crossed {xs[MarkState.CROSSED]}, unclear "
                f"{xs[MarkState.UNCLEAR]}, filled {xs[MarkState.FILLED]} "
                f"({xs[MarkState.CROSSED] / xs.total():.2%} crossed)"
            )
    print(f"SILENT ERRORS: {silent}")
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main())
