"""Per-bubble measurement (:func:`measure_bubbles`), which the classifier
(:mod:`omr.reading.marks.classify`) reads as blank / filled / crossed / unclear.

All work happens in template space (:class:`omr.reading.template_space.TemplatePage`) and is
vectorised over bubbles of the same size: sample offsets are computed once per size,
then gathered for every bubble at once.

Ink is told from paper by this page's own levels: the paper next to each bubble, and the
darkness of the pen the candidate used, measured on the page's marked bubbles. A pixel
is ink when it is darker than halfway from that paper to that pen (a pencil sheet is read
by its pencil), never lighter than the noise floor of paper and scanner.

Measurements per bubble:

- ``fill``: share of the interior (a disc of 0.72 × the bubble radius, so the printed
  outline is excluded) that is ink, the print's own look at each point (the outline's
  blur, a bi-level scan's a halftone cell broader) divided out;
- ``darkness``: mean interior darkness relative to the paper (0 paper, 1 black);
- ``ring``: share of the outline itself as dark as the sheet's pen (the outline traced);
- ``rim``: share of the interior's edge (0.72 radii) that is ink (the print divided
  out, as for ``fill``), all round: a fill
  covers the interior to it; a centre dot or a half fill does not, nor a blob with paper
  all round it, however much of the interior it covers;
- ``gaps``: how many separate stretches of the interior's rim (0.62–0.7 radii), going
  round, are paper (under a fill's texture: a pencil fill's grain is not paper), told
  apart only by ink between them: a fill leaves none or one (a side it missed, however
  its edge wavers there), the strokes of an X over an empty circle two to four;
- ``reach``: for each of 96 directions (``REACH_DIRECTIONS``), how far ink runs without a
  break from inside the interior outwards, in radii (samples on a neighbour's footprint
  never count). Strokes
  that leave a bubble show as directions reaching further than the rest of the mark;
  ``ends`` and ``strokes`` say what they make (:func:`strokes.stroke_ends`);
- ``offset_px``: the local shift found by matching the printed outline (paper is never
  flat), shared by the bubbles of one question.

A box (``bubble.shape: box``) is measured in units of its own outline
(:mod:`omr.sheet.bubble_outline`): the reach, the samples across the outline, the probe
that finds it, the paper beside it and its neighbours' footprints follow the box, so a
fill reaching its corners reaches 1 radius in every direction and an X's arms leaving
through the corners are still ends. The interior, its rim and the chords across it stay
the inscribed ellipse's: every fill of a box covers them (a scribble rounds its corners),
and they lie further from a box's print than from a circle's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from omr.reading.marks.bridges import bridges
from omr.reading.marks.layout import BubbleLayout
from omr.reading.marks.levels import ink_levels
from omr.reading.marks.outline_search import SEARCH_MM, local_paper, refine_offsets
from omr.reading.marks.passes import stroke_over
from omr.reading.marks.print_look import (
    PRINT_LOOK_PERCENTILE,
    darkness_percentiles,
    outline_print_darkness,
    print_shows_at,
    without_print_look,
)
from omr.reading.marks.printed_inside import StoredPrint, without_print
from omr.reading.marks.reach import reach_at
from omr.reading.marks.records import BubbleMeasure, InkLevels
from omr.reading.marks.rings import directions_per_cell, rings
from omr.reading.marks.robust import mean_last
from omr.reading.marks.run_on import run_on_into_neighbours
from omr.reading.marks.sampling import (
    MIDDLE_RADIUS,
    OUTLINE_RADII,
    REACH_DIRECTIONS,
    REACH_RADII,
    RIM_DIRECTIONS,
    RIM_EDGE,
    RIM_RADII,
    disc_points,
    polar_points,
)
from omr.reading.marks.under_xs import under_the_xs
from omr.reading.template_space import TemplatePage, gather
from omr.sheet.calibration import INTERIOR_RADIUS, Calibration

# A fill's texture (pencil grain, a dry pen's streaks) keeps its rim at least 40 % of the
# pen's darkness; the paper left between an X's strokes, blurred, stays under that.
RIM_TEXTURE_SHARE = 0.8


# A bubble's tone is its interior's 75th-percentile pixel: a fill's ink where the
# candidate's strokes overlap, not its streaks. Its grain, the 99th: the darkest a blank
# interior gets by itself (a few pixels of its hundreds); the page's grain is the
# median over its blank bubbles, so a speck of dust on one moves nothing.
TONE_PERCENTILE, GRAIN_PERCENTILE = 75, 99


def measure_bubbles(
    page: TemplatePage,
    layout: BubbleLayout,
    calibration: Calibration,
    levels: InkLevels | None = None,
    line_spread_mm: float = 0.0,
) -> BubbleMeasure:
    """Measure every bubble of a straightened page.

    Parameters
    ----------
    page : TemplatePage
    layout : BubbleLayout
        The bubbles (:func:`layout.bubble_layout`); the result's arrays follow their order.
    calibration : Calibration
    levels : InkLevels, optional
        Fixed levels (a calibration sheet's references are absolute tones, not a
        candidate's pen); by default the page's own (:func:`ink_levels`).
    line_spread_mm : float
        σ (mm) of the scan's blur measured on its print (0: unknown), for the page's own
        levels (:func:`omr.reading.line_spread.line_spread_mm`).
    """
    ppm = page.px_per_mm
    count = len(layout.bubbles)
    at_limit = np.zeros(count, bool)
    search_px = int(round(SEARCH_MM * ppm))
    centers = layout.centers_mm * np.float32(ppm)
    papers = np.ones(count, np.float32)
    groups = []
    for group in layout.groups:
        rx, ry = group.size_mm[0] * ppm / 2, group.size_mm[1] * ppm / 2
        index = group.members
        shifts = refine_offsets(page.sample_printed, centers[index], group, rx, ry, search_px)
        at_limit[index] = np.abs(shifts).max(axis=1) >= search_px
        centers[index] += shifts
        paper = local_paper(page.ink, centers[index], rx, ry, group.box)[:, None]
        papers[index] = paper[:, 0]
        groups.append((group, rx, ry, paper))
    if levels is None and layout.printed_labels:  # print inside bubbles: not the candidate's
        discs = [
            (g.members, disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS), g.size_mm)
            for g, rx, ry, _ in groups
        ]
        looks = layout.printed_looks
        stored = StoredPrint(looks, papers, ppm) if looks else None
        ink = without_print(page.ink, centers, layout.printed_labels, discs, stored)
        page = replace(page, ink=ink)
    darkness = np.zeros(count, np.float32)
    tone = np.zeros(count, np.float32)
    grain = np.zeros(count, np.float32)
    interiors = []  # per group: the interior's darkness, and its pixels sorted
    for group, rx, ry, paper in groups:
        disc = disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
        pixels = gather(page.ink, centers[group.members], disc)
        interior = 1.0 - pixels / paper
        darkness[group.members] = np.clip(interior, 0.0, 1.0).mean(-1)
        ordered = np.sort(pixels, axis=-1, kind="stable")  # a radix sort of bytes
        tone[group.members], grain[group.members] = darkness_percentiles(
            ordered, paper, (TONE_PERCENTILE, GRAIN_PERCENTILE)
        )
        interiors.append((interior, ordered))
    # What the print alone darkens (digits printed inside, a black outline's blur): the
    # lower quartile of each size's bubbles, of which at least a quarter are blank. Fixed
    # levels measure absolute tones: against the paper itself.
    printed = np.zeros(count, np.float32)
    sees_print = levels is None  # the page's own levels: its print measured on it
    if levels is None:
        for group in layout.groups:
            printed[group.members] = np.percentile(darkness[group.members], PRINT_LOOK_PERCENTILE)
        levels = ink_levels(
            darkness - printed,
            tone,
            grain,
            calibration,
            page.tone_step,
            page.scan_pixel_mm,
            line_spread_mm,
        )
    levels = replace(levels, dithered=page.halftone_cell_mm > 0)
    fill = np.zeros(count, np.float32)
    rim = np.zeros(count, np.float32)
    gaps = np.zeros(count, np.int64)
    rim_profile = np.zeros((count, RIM_DIRECTIONS), np.float32)
    overlay = np.zeros(count, np.float32)
    across_passes = np.zeros(count, np.float32)
    reach = np.zeros((count, REACH_DIRECTIONS), np.float32)
    faint_reach = np.zeros((count, REACH_DIRECTIONS), np.float32)
    outlines: list[tuple[np.ndarray, np.ndarray]] = []
    middle = np.zeros(count, np.float32)
    for (group, rx, ry, _), (interior, _) in zip(groups, interiors, strict=True):
        own = without_print_look(interior) if sees_print else interior
        inked = own >= levels.ink_at
        fill[group.members] = inked.mean(-1)
        disc = disc_points(rx * INTERIOR_RADIUS, ry * INTERIOR_RADIUS)
        central = np.hypot(disc[:, 0] / rx, disc[:, 1] / ry) <= MIDDLE_RADIUS
        middle[group.members] = inked[:, central].mean(-1)
    holds_ink = fill > calibration.blank_max_fill
    fill_like = fill >= calibration.filled_min_fill_floor  # the least a fill is read at
    for group, rx, ry, paper in groups:
        outline = polar_points(rx, ry, OUTLINE_RADII, RIM_DIRECTIONS, group.box)
        across = gather(page.ink, centers[group.members], outline)
        outlines.append((group.members, 1.0 - across / paper[..., None]))  # (N, 48, R) darkness
    reached = np.flatnonzero(fill > 0)
    print_darkness = outline_print_darkness(outlines, holds_ink)
    print_shows = print_shows_at(print_darkness, levels.ink_at)
    clear = ~layout.footprints.blocked(holds_ink, print_shows, reached)
    # An option letter printed above a first row is print, set aside as print is where it
    # shows as dark as ink; a fill's overshoot runs on into it through the blur, and at
    # one pass of the pen even a lighter print is that dark: there it is set aside always.
    faint_clear = clear
    lettered = np.isin(reached, layout.letter_rows)
    if not print_shows and lettered.any():
        faint_clear = clear.copy()
        letters = np.searchsorted(layout.letter_rows, reached[lettered])
        faint_clear[lettered] &= ~layout.on_letters[letters]
    clear, faint_clear = clear.transpose(0, 2, 1), faint_clear.transpose(0, 2, 1)
    for (group, rx, ry, paper), (interior, ordered) in zip(groups, interiors, strict=True):
        index = group.members
        over = fill[index] > calibration.blank_max_fill
        if over.any():
            overlay[index[over]], across_passes[index[over]] = stroke_over(
                page,
                centers[index[over]],
                rx,
                ry,
                paper[over],
                interior[over],
                ordered[over],
                levels,
            )
        # The rim's band, and the interior's edge: a fill covers the interior to its edge.
        polar = gather(
            page.ink,
            centers[index],
            polar_points(rx, ry, (*RIM_RADII, RIM_EDGE), RIM_DIRECTIONS),
        )
        edge = 1.0 - polar[..., -1] / paper
        rim[index] = ((without_print_look(edge) if sees_print else edge) >= levels.ink_at).mean(-1)
        # The rim's darkness going round, across its band: its paper stretches and its ink.
        rim_darkness = 1.0 - mean_last(polar[..., :-1], np.float64) / paper
        if sees_print and page.halftone_cell_mm:
            rim_darkness = without_print_look(rim_darkness)
        rim_profile[index] = rim_darkness
        gaps[index] = _paper_stretches(rim_darkness, levels.ink_at)
        marked = index[fill[index] > 0]
        if marked.size:
            # Radius by radius (N, S, D): going round is the inner axis.
            points = polar_points(rx, ry, REACH_RADII, box=group.box).transpose(1, 0, 2)
            samples = gather(page.ink, centers[marked], points)
            marked_paper = paper[fill[index] > 0]
            rows = np.searchsorted(reached, marked)
            reach[marked] = reach_at(samples, marked_paper, levels.ink_at, clear[rows])
            # A fill's strokes seen at one pass of the pen (only a fill may be read filled).
            fills = fill_like[marked]
            if np.isfinite(levels.stroke_at) and fills.any():
                faint_reach[marked[fills]] = reach_at(
                    samples[fills], marked_paper[fills], levels.stroke_at, faint_clear[rows[fills]]
                )
    cells = [directions_per_cell(page.halftone_cell_mm, rx / ppm) for _, rx, _, _ in groups]
    ring, ring_baseline, traced = rings(
        outlines,
        cells,
        fill,
        count,
        levels,
        calibration.blank_max_fill,
        calibration.traced_ring_excess,
    )
    gap_strokes = bridges(
        page,
        centers,
        papers,
        holds_ink,
        fill_like,
        layout.gaps,
        levels.ink_at,
        levels.stroke_at,
        levels.pen,
    )
    run_on = run_on_into_neighbours(
        gap_strokes.onward,
        gap_strokes.onward_darkness,
        gap_strokes.onward_mm,
        outlines,
        ~holds_ink,
        layout.centers_mm,
        layout.radii_mm,
        layout.boxes,
        min(levels.ink_at, levels.stroke_at),
    )
    joins = np.concatenate([gap_strokes.joined, gap_strokes.onward[run_on]])
    onward_lines = gap_strokes.onward[~run_on]
    onward = np.zeros(count, bool)
    onward[onward_lines[:, 0]] = True
    measure = BubbleMeasure(
        fill,
        darkness,
        printed,
        tone,
        ring,
        rim,
        gaps,
        rim_profile,
        overlay,
        reach,
        centers,
        at_limit,
        ring_baseline,
        levels,
        layout.neighbours,
        layout.centers_mm,
        layout.radii_mm,
        np.zeros(count, bool),  # joined once the X's are known (under_the_xs)
        layout.boxes,
        ring_traced=traced,
        middle=middle,
        across=across_passes,
        onward=onward,
        labels_inside=bool(layout.printed_labels),
    )
    return under_the_xs(
        measure, page, papers, calibration, faint_reach, print_darkness, joins, onward_lines
    )


def _paper_stretches(darkness: np.ndarray, ink_at: float) -> np.ndarray:
    """(N, K) rim darkness going round a circle → (N,) separate stretches of paper.

    Paper is under a fill's texture (:data:`RIM_TEXTURE_SHARE` of the ink threshold) for
    three directions (22°) at least: a streak or a notch in a fill is narrower, the paper
    between two arms of an X over an empty circle wider. Only ink separates two stretches:
    a stroke of the page's pen crossing the rim is ink where it is sampled (it spans a
    direction and more), where a fill's texture between two patches of paper left by one
    missed side is not.
    """
    textured = darkness >= ink_at * RIM_TEXTURE_SHARE
    inked = darkness >= ink_at
    paper = ~textured & ~np.roll(textured, -1, axis=-1) & ~np.roll(textured, -2, axis=-1)
    has_paper = paper.any(axis=-1)
    stretches = has_paper.astype(np.int64)  # no ink: one stretch all round
    mixed = np.flatnonzero(has_paper & inked.any(axis=-1))
    if mixed.size:
        inked, paper = inked[mixed], paper[mixed]
        run = np.cumsum(~inked & np.roll(inked, 1, axis=-1), axis=-1)  # runs short of ink
        run = np.where(run == 0, run[:, -1:], run)  # before the first: the last, going round
        holds_paper = np.zeros((len(mixed), darkness.shape[-1] + 1), bool)
        rows, directions = np.nonzero(paper)
        holds_paper[rows, run[rows, directions]] = True
        stretches[mixed] = holds_paper.sum(-1)
    return stretches
