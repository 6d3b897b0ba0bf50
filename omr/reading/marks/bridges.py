"""Strokes across the narrow paper between two bubbles, one of them marked.

Where bubbles stand close (a gap narrower than a radius, as on the residency grid), a
marked neighbour's footprint covers the whole gap, so the reach of a stroke leaving a
bubble cannot be seen there: a line drawn through a fill, between two filled
neighbours or up to a blank neighbour's printed outline, leaves no end of its own.

A fill stays inside its outline and its overshoot; the middle of the gap stays paper, or
holds overshoots: each as broad as its bubble where it leaves it and narrowing to a tip,
two meeting in the gap pinched in the middle (beside a neighbour holding less ink than a
fill is read at, a line run on into it or a half fill, the gap is judged both as beside
a blank neighbour and as beside a marked one). A stroke crosses the gap as a band of one
width, no wider than a pen's: such a band, with paper either side of it at every step
across the middle of the gap, joins the two bubbles, and the fill is in doubt. Its edges
are known to a sample (on a bi-level scan, the line a halftone cell broader), and beside
a blank neighbour across a wide gap to a pixel of the scan where those are coarser (a
150 dpi scan, straightened finer). A pen's line keeps its darkness, but where it runs
over a fill's overshoot, dye over dye, it is darker at that end, and may be broader
there. A line is one pass of the pen, lighter than a fill's ink in a pencil or a dry
pen: beside a blank neighbour it is looked for at one stroke's darkness too, as a stroke
leaving a fill is; between two marked bubbles only at the ink's, for two light
overshoots pinched together are as light as such a line, and so across a gap so narrow
that one fill's overshoot may reach past its middle (between the candidate number's
digits). Across the gap, the band is the ink round the darkest sample, between the paper
on either side of it: a line run into a fill may pass beside that fill's overshoot, or
another arm, with paper between them. Which bubble the line is a stroke of is for the
reader to say once it knows the X's (:func:`joined_bubbles`): an X's arms run on 2.5
radii, across a gap and into the next bubble's overshoot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from omr.reading.template_space import TemplatePage
from omr.sheet.bubble_outline import squared_extent
from omr.sheet.calibration import INTERIOR_RADIUS, SCANNER_FLAT_FIELD

# The middle half of the gap, in 5 steps along it; across it, 21 samples within 0.8 of a
# radius either side of the line between the centres: wide enough to see paper beside a
# felt-tip or pencil line drawn anywhere through the interior and on across the gap,
# while both outlines stay a pen's width away.
ALONG = np.linspace(0.25, 0.75, 5)
ACROSS = np.linspace(-1.0, 1.0, 21)
WINDOW_RADII = 0.8
# The broadest line a pen or a soft pencil draws (1 mm), crossing the gap up to 45° off
# the line between the centres: any broader band is a fill's overshoot.
STROKE_MAX_MM, STROKE_SLANT_MAX_DEG = 1.0, 45.0
STROKE_SLOPE_MAX = float(np.tan(np.radians(STROKE_SLANT_MAX_DEG)))
# Candidates overshoot a bubble by up to a quarter of its radius: on the residency rows
# (a 1 mm gap, 2 mm radii) just to the middle of the gap, the widest overshoot that leaves
# the half past it bare; between the candidate number's digits (0.7 mm, 1.8 mm) past it.
OVERSHOOT_RADII = 0.25
# A stroke keeps its width across the gap (within the scan's blur, two samples, and a
# third of itself); two overshoots meeting there are twice as broad where they leave
# their bubbles as in the middle.
WIDTH_KEPT = 4 / 3
# ...and its darkness: a pen's line is as dark all along, within a quarter (where a
# ballpoint's paste skips or the hand eases); an overshoot fades to paper at its tip.
# On a bi-level scan within a step of the tones it writes (the page's ``tone_step``): read by its
# halftone cells' tone, a line's darkness varies along it by whole steps. (The tests of a
# line over an overshoot below compare darkness with the pen's, not along the line.)
# A line may run over an overshoot at one end (between two marked bubbles either's;
# beside a blank neighbour the fill's own, where the gap is wide: ``bare_half``): darker
# there, at most as a second pass of the pen over the page's pen (the light each lets
# through multiplies), and as broad and as dark all along the half of the gap no
# overshoot reaches.
DARKNESS_KEPT = 0.75
# Two samples of one tone differ by up to twice a scanner's flat field.
FLAT_FIELD = 2 * SCANNER_FLAT_FIELD
# A band's ink is what stands at half its peak (its full width at half maximum, which a
# blurred line keeps); paper beside it lies under half the page's ink threshold, where
# even the faintest ink line's blurred edge has ended.
HALF_MAXIMUM = 0.5


# Past its middle, a wide gap holds no overshoot's body: a line of one width there, run
# on from a fill towards a blank neighbour, may still be an overshooting pass's tip (half
# a pen's width lies beyond the overshoot), so it is asked to run on into the neighbour
# (:mod:`omr.reading.marks.run_on`).
PAST_MIDDLE = ALONG > 0.5


@dataclass(frozen=True)
class GapStrokes:
    """The strokes across the gaps between close bubbles: ``joined`` (J, 2) each marked
    bubble joined to a neighbour by a stroke across the gap, and that neighbour;
    ``onward`` (K, 2) each marked bubble and a blank neighbour across a wide gap, not
    joined, where a pen's line lies alone past the gap's middle, ``onward_darkness``
    (K,) how dark it is there (its least peak), and ``onward_mm`` (K,) how far across
    the line between their centres it lies there (mm, to the right of the
    way from the marked bubble to its neighbour as the page is seen: down the page where
    the neighbour stands to its right)."""

    joined: np.ndarray
    onward: np.ndarray
    onward_darkness: np.ndarray
    onward_mm: np.ndarray


@dataclass(frozen=True)
class GapSamples:
    """The close pairs of a template: ``own`` and ``other`` (P,) bubble indices (each
    pair both ways), ``offsets_mm`` (2, P, 5 × 21) the x and the y from ``own``'s centre
    to the samples across the middle of the gap between them (5 steps along, 21 samples
    across each); ``along_mm`` (P, 5) how far from
    ``own``'s centre each step lies, ``spacing_mm`` (P,) between samples across,
    ``interior_mm`` (P,) how far ``own``'s interior reaches across the line, and
    ``bare_half`` (P,) whether the gap is wide: neither bubble's overshoot (a quarter of
    its radius along the line) reaches past the gap's middle; ``cap_mm`` (P,) the least
    breadth of an overshoot into the gap a step along from its tip: the narrower of the
    two outlines' caps facing each other there (an overshoot is its outline grown, blunter
    still); 0 beside a box, not worked out."""

    own: np.ndarray
    other: np.ndarray
    offsets_mm: np.ndarray
    along_mm: np.ndarray
    spacing_mm: np.ndarray
    interior_mm: np.ndarray
    bare_half: np.ndarray
    cap_mm: np.ndarray


def radius_along(radii: np.ndarray, unit: np.ndarray, box: np.ndarray | bool = False) -> np.ndarray:
    """(P,) how far a bubble's outline (half-axes ``radii`` (P, 2); a box's where ``box``
    (P,), else an ellipse's) lies from its centre in direction ``unit`` (P, 2)."""
    return 1.0 / np.sqrt(squared_extent(unit / radii, box))


@cache
def gap_samples(
    centers_mm: tuple[tuple[float, float], ...],
    sizes_mm: tuple[tuple[float, float], ...],
    boxes: tuple[bool, ...],
) -> GapSamples:
    """Where to look for a stroke between every two bubbles closer than a radius (boxes
    where ``boxes``: their gaps run between their sides)."""
    centers = np.asarray(centers_mm, np.float64).reshape(-1, 2)
    radii = np.asarray(sizes_mm, np.float64).reshape(-1, 2) / 2
    box = np.asarray(boxes, bool).reshape(-1)
    # A gap shorter than the near outline's radius along it (``close`` below) lies
    # between centres under three of the farthest outline points' radii apart (a box's
    # corner, an ellipse's long half-axis): only those pairs are measured.
    farthest = np.where(box, np.hypot(radii[:, 0], radii[:, 1]), radii.max(axis=1)).max()
    pairs = [  # by 128 rows: a thousand bubbles' (N, N, 2) differences would be 16 MB
        np.argwhere(near) + (row, 0)
        for row in range(0, len(centers), 128)
        for distance in [np.linalg.norm(centers[row : row + 128, None] - centers[None], axis=-1)]
        for near in [(distance > 0) & (distance < 3 * farthest)]
    ]
    own, other = np.concatenate(pairs).T if pairs else (np.zeros(0, np.intp),) * 2
    between = centers[other] - centers[own]
    length = np.linalg.norm(between, axis=-1)
    unit = between / length[:, None]
    across = np.stack([-unit[:, 1], unit[:, 0]], axis=-1)
    start = radius_along(radii[own], unit, box[own])
    end = radius_along(radii[other], unit, box[other])
    gap = length - start - end
    close = (gap > 0) & (gap < start)
    own, other, unit, across, start, end, gap = (
        a[close] for a in (own, other, unit, across, start, end, gap)
    )
    sideways = radius_along(radii[own], across, box[own])
    half = WINDOW_RADII * np.minimum(sideways, radius_along(radii[other], across, box[other]))
    along = start[:, None] + gap[:, None] * ALONG[None, :]  # (P, 5) mm from own's centre
    offsets = (
        along[:, :, None, None] * unit[:, None, None, :]
        + (half[:, None] * ACROSS[None, :])[:, None, :, None] * across[:, None, None, :]
    )
    planes = offsets.astype(np.float32).reshape(len(own), ALONG.size * ACROSS.size, 2)
    planes = planes.transpose(2, 0, 1)
    return GapSamples(
        own,
        other,
        np.ascontiguousarray(planes),
        along,
        half * (ACROSS[1] - ACROSS[0]),
        INTERIOR_RADIUS * radius_along(radii[own], across),  # the interior: an ellipse
        gap / 2 >= OVERSHOOT_RADII * np.maximum(start, end),
        np.where(
            box[own] | box[other],
            0.0,
            _cap_breadth(
                np.minimum(_curvature(radii[own], unit), _curvature(radii[other], unit)),
                gap * (ALONG[1] - ALONG[0]),
            ),
        ),
    )


def _curvature(radii: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """(P,) mm: the radius of curvature of ellipses (half-axes ``radii`` (P, 2)) where
    the direction ``unit`` (P, 2) from their centres meets them."""
    a, b = radii[:, 0], radii[:, 1]
    x, y = (unit * radius_along(radii, unit)[:, None]).T
    return (a**2 * y**2 / b**2 + b**2 * x**2 / a**2) ** 1.5 / (a * b)


def _cap_breadth(curvature: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """(P,) mm: a cap's breadth ``depth`` mm from its apex, its outline's radius of
    curvature there ``curvature``: the chord of that circle."""
    return 2 * np.sqrt(np.maximum(2 * curvature * depth - depth**2, 0.0))


GAP_PAIRS_AT_ONCE = 512  # whose samples are indexed at once: 512 × 105 px indices, 430 kB


def _gap_pixels(
    image: np.ndarray, centers_px: np.ndarray, samples: GapSamples, chosen: np.ndarray, ppm: float
) -> np.ndarray:
    """(P, 5, 21) uint8: ``image`` at the chosen pairs' samples, each the pixel nearest
    its own centre + offset (as :func:`omr.reading.template_space.gather` from a zero
    centre), out of bounds clipped; ``GAP_PAIRS_AT_ONCE`` pairs at a time (no index array of
    every sample at once, x and y apart: contiguous)."""
    xs_mm, ys_mm = samples.offsets_mm
    own, rows = samples.own[chosen], np.flatnonzero(chosen)
    flat, width = image.reshape(-1), image.shape[1]
    pixels = np.empty((len(own), xs_mm.shape[1]), np.uint8)
    for start in range(0, len(own), GAP_PAIRS_AT_ONCE):
        chunk = slice(start, start + GAP_PAIRS_AT_ONCE)
        pairs, at = rows[chunk], own[chunk]
        x = np.rint(centers_px[at, 0, None] + xs_mm[pairs] * ppm).astype(np.intp)
        index = np.rint(centers_px[at, 1, None] + ys_mm[pairs] * ppm).astype(np.intp)
        index *= width
        index += x
        flat.take(index, out=pixels[chunk], mode="clip")
    return pixels.reshape(len(own), len(ALONG), len(ACROSS))


def bridges(
    page: TemplatePage,
    centers_px: np.ndarray,
    paper: np.ndarray,
    inked: np.ndarray,
    fill_like: np.ndarray,
    samples: GapSamples,
    ink_at: float,
    stroke_at: float,
    pen: float,
) -> GapStrokes:
    """Each marked bubble joined to a close neighbour (marked or blank) by a stroke
    across the middle of the gap between them, and that neighbour; each marked bubble
    and a blank neighbour across a wide gap with a pen's line alone past its middle.

    Parameters
    ----------
    centers_px : (N, 2) float refined bubble centres (x, y), template-space px
    paper : (N,) float the paper's brightness beside each bubble
    inked : (N,) bool bubbles holding a mark: those tested, and the blank pairs' gaps
        give the print's darkness
    fill_like : (N,) bool bubbles holding at least the least share a fill is read at:
        beside a neighbour holding less, the gap is judged as beside a blank one too
    ink_at : float darkness (relative to the paper) from which a pixel is ink
    stroke_at : float darkness from which one stroke of the pen is ink, asked for beside a
        blank neighbour across a wide gap only, where it is under ``ink_at`` (infinite on a
        page that does not show its pen)
    pen : float the darkness of the page's pen (relative to the paper)

    The darkness print alone gives each sample (a rule, a letter, an outline's edge) is
    the median over the gaps between blank bubbles, and is set aside.
    """
    none = GapStrokes(np.zeros((0, 2), np.intp), np.zeros((0, 2), np.intp), *np.zeros((2, 0)))
    if not len(samples.own):
        return none
    marked = inked[samples.own]
    blank = ~inked[samples.own] & ~inked[samples.other]
    chosen = marked | blank
    if not marked.any():
        return none
    values = _gap_pixels(page.ink, centers_px, samples, chosen, page.px_per_mm)
    darkness = 1.0 - values / paper[samples.own[chosen]][:, None, None]
    ours = marked[chosen]  # the others are the blank pairs
    strokes = darkness[ours]  # the marked bubbles' gaps, print set aside below
    if blank.any():
        # Each sample's median over the pairs, the pairs contiguous (a faster partition).
        across_pairs = darkness[~ours].reshape(-1, values[0].size).T.copy()
        strokes -= np.median(across_pairs, axis=-1).reshape(values.shape[1:])
    pairs = np.flatnonzero(marked)
    alone = ~fill_like[samples.other[pairs]]
    cell, pixel = page.halftone_cell_mm, page.scan_pixel_mm

    def joined(chosen: np.ndarray | slice, as_alone: np.ndarray, level: float) -> np.ndarray:
        """The ``chosen`` pairs' bands judged as lines, beside a blank neighbour where
        ``as_alone``, their ink from ``level``."""
        return _strokes(
            strokes[chosen],
            samples,
            pairs[chosen],
            as_alone,
            ink_at=level,
            pen=pen,
            halftone_cell_mm=cell,
            scan_pixel_mm=pixel,
            tone_step=page.tone_step,
        )

    stroke = joined(slice(None), alone, ink_at)
    # Beside a blank neighbour across a wide gap, a line lighter than ink (a pencil's, a
    # dry pen's) is looked for at one stroke's darkness too; across a narrow one, a fill's
    # light overshoot may reach as far.
    light = alone & samples.bare_half[pairs] & ~stroke
    if stroke_at < ink_at and light.any():
        stroke[light] = joined(light, alone[light], stroke_at)
    # A neighbour holding ink, less than a fill: a line run on into it, or a half fill
    # that may run over its outline as a fill does. The band is judged both ways.
    either = alone & inked[samples.other[pairs]] & ~stroke
    if either.any():
        stroke[either] = joined(either, np.zeros(int(either.sum()), bool), ink_at)
    joined_pairs = pairs[stroke]
    # Beside a blank neighbour across a wide gap, at the lighter of the two levels.
    onward = alone & samples.bare_half[pairs] & ~inked[samples.other[pairs]] & ~stroke
    darkness, across = _line_past_the_middle(
        strokes[onward], samples, pairs[onward], min(ink_at, stroke_at), cell, pixel, page.tone_step
    )
    line = ~np.isnan(across)
    onward_pairs = pairs[onward][line]
    return GapStrokes(
        np.column_stack([samples.own[joined_pairs], samples.other[joined_pairs]]),
        np.column_stack([samples.own[onward_pairs], samples.other[onward_pairs]]),
        darkness[line],
        across[line],
    )


def joined_bubbles(
    joins: np.ndarray, count: int, set_aside: np.ndarray | None = None
) -> np.ndarray:
    """(N,) bool, of ``count`` bubbles: those :func:`bridges` joined (``joins``) to a
    neighbour by a stroke of their own. A stroke joining a bubble to a neighbour
    ``set_aside`` ((N,) bool: an X, whose arms run on 2.5 radii, across the gap and into
    the next bubble's overshoot) is the neighbour's."""
    own, other = joins.T
    if set_aside is not None:
        own = own[~set_aside[other]]
    result = np.zeros(count, bool)
    result[own] = True
    return result


def _strokes(
    darkness: np.ndarray,
    samples: GapSamples,
    pairs: np.ndarray,
    alone: np.ndarray,
    *,
    ink_at: float,
    pen: float,
    halftone_cell_mm: float,
    scan_pixel_mm: float,
    tone_step: float,
) -> np.ndarray:
    """(P,) bool: the ink across the gap of each of ``pairs`` (indices into ``samples``;
    ``darkness`` (P, steps, across), print set aside) is a stroke through its own bubble;
    ``alone``: the other bubble is judged as blank (it holds no fill). On the page a pixel
    is ink from ``ink_at``, the pen is ``pen`` dark, a bi-level scan's halftone cell is
    ``halftone_cell_mm`` (0: none) and the scan's own pixel ``scan_pixel_mm`` (allowed at
    each edge of a line only beside a blank neighbour across a wide gap), and the finest
    step of the tones it writes ``tone_step``. Only a pair with
    ink at every step across the gap may be joined."""
    joined = np.zeros(len(pairs), bool)
    candidate = _inked_all_across(darkness, ink_at)
    if not candidate.any():
        return joined
    darkness, pairs, alone = darkness[candidate], pairs[candidate], alone[candidate]
    spacing = samples.spacing_mm[pairs][:, None]
    peak, band, width, middle = _band_lines(darkness, spacing, ink_at)
    along, interior = samples.along_mm[pairs], samples.interior_mm[pairs]
    slope, through = _line_of(middle, along)
    # A stroke's width across the gap, at the slant its middles show, and the blur: each
    # edge known to a sample, and on a bi-level scan, read by the tone of its halftone
    # cells, the line a cell broader in all. Beside a blank neighbour across a wide gap
    # each edge is known only to the scan's own pixel where that is coarser (a 150 dpi
    # scan's, 0.17 mm: the page is straightened finer); not between two marked bubbles,
    # where two overshoots pinched together are that much broader than a broad line, nor
    # across a narrow gap, where one fill's overshoot tongue is.
    wide_alone = (alone & samples.bare_half[pairs])[:, None]
    edge = np.where(wide_alone, np.maximum(spacing, scan_pixel_mm), spacing)
    widest = _widest_line(slope[:, None], edge, halftone_cell_mm)
    # Beside a blank neighbour, its width is judged past the step nearest this bubble,
    # where the fill's own overshoot may lie beside it; between two marked bubbles all
    # along (where two overshoots pinch together, the band broadens at both ends).
    width[alone, 0] = width[alone, 1]
    # A line darker at one end runs over an overshoot there: between two marked bubbles
    # either's; beside a blank neighbour this bubble's own, where the gap is wide.
    overshoot = ~alone | (samples.bare_half[pairs] & (peak[:, 0] > peak[:, -1]))
    one_line = (
        (width <= widest).all(axis=-1) | (~alone & _broad_at_one_end(peak, width, widest, pen))
    ) & _one_width(width, spacing)
    # Broad at both ends, over both overshoots: a line where no two caps could meet.
    between_caps = (
        ~alone
        & (samples.cap_mm[pairs] > widest[:, 0])
        & _line_between_overshoots(width, widest, spacing)
    )
    joined[candidate] = (
        band.all(axis=-1)
        & (one_line | between_caps)
        & (
            _darkness_kept(peak, tone_step)
            | (overshoot & _over_an_overshoot(peak, width, spacing, pen))
        )
        & (
            ((np.abs(slope) <= STROKE_SLOPE_MAX) & (np.abs(through) <= interior))
            | _a_line_within(middle, along, interior, halftone_cell_mm / 2)
        )
    )
    return joined


def _line_past_the_middle(
    darkness: np.ndarray,
    samples: GapSamples,
    pairs: np.ndarray,
    ink_at: float,
    halftone_cell_mm: float,
    scan_pixel_mm: float,
    tone_step: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(P,) each: how dark (its least peak) and how far across the line between the
    centres (mm) a pen's line lies past the middle of the gap of each of ``pairs``
    (``darkness`` (P, steps, across), print set aside), beside a blank neighbour across a
    wide gap; NaN where none does. Ink from
    ``ink_at`` at every step across the gap (a stroke leaving the fill), and past the
    middle a band with paper either side, no broader than a pen's line at any slant a
    stroke crosses at (each edge known to a sample or the scan's pixel, on a bi-level
    scan a halftone cell broader), of one width and one darkness (within ``tone_step``),
    within the reach of the bubble's interior across."""
    dark, past = np.full((2, len(pairs)), np.nan)
    if not len(pairs):
        return dark, past
    spacing = samples.spacing_mm[pairs][:, None]
    peak, band, width, middle = _band_lines(darkness[:, PAST_MIDDLE], spacing, ink_at)
    edge = np.maximum(spacing, scan_pixel_mm)
    widest = _widest_line(STROKE_SLOPE_MAX, edge, halftone_cell_mm)
    line = (
        _inked_all_across(darkness, ink_at)
        & band.all(axis=-1)
        & (width <= widest).all(axis=-1)
        & _one_width(width, spacing)
        & _darkness_kept(peak, tone_step)
        & (np.abs(middle) <= samples.interior_mm[pairs][:, None]).all(axis=-1)
    )
    dark[line], past[line] = peak[line].min(axis=-1), middle[line].mean(axis=-1)
    return dark, past


def _inked_all_across(darkness: np.ndarray, ink_at: float) -> np.ndarray:
    """(P,) bool: ink from ``ink_at`` at every step across the gap (``darkness`` (P,
    steps, across)): a stroke leaving the fill may only run so."""
    return (darkness.max(axis=-1) >= ink_at).all(axis=-1)


def _band_lines(
    darkness: np.ndarray, spacing: np.ndarray, ink_at: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """At each step along a gap (``darkness`` (P, steps, across), its samples across
    ``spacing`` (P, 1) mm apart): the band's peak darkness and whether it has paper on
    both sides (:func:`_bands`), its width and how far its middle lies across the line
    between the centres (mm, each (P, steps))."""
    peak, first, last, band = _bands(darkness, ink_at)
    width = (last - first + 1) * spacing
    middle = ((first + last) / 2 - (darkness.shape[-1] - 1) / 2) * spacing
    return peak, band, width, middle


def _widest_line(
    slope: np.ndarray | float, edge: np.ndarray, halftone_cell_mm: float
) -> np.ndarray:
    """How broad (mm) across a gap the broadest pen's line crossing it at ``slope`` lies,
    each edge known to ``edge`` mm, on a bi-level scan a halftone cell broader."""
    return STROKE_MAX_MM * np.hypot(1.0, slope) + 2 * edge + halftone_cell_mm


def _one_width(width: np.ndarray, spacing: np.ndarray) -> np.ndarray:
    """(P,) bool: the band (its width mm at each step, (P, steps)) keeps one width, within
    :data:`WIDTH_KEPT` and two samples (``spacing`` (P, 1) mm apart)."""
    return width.max(axis=-1) <= WIDTH_KEPT * width.min(axis=-1) + 2 * spacing[:, 0]


def _line_between_overshoots(
    width: np.ndarray, widest: np.ndarray, spacing: np.ndarray
) -> np.ndarray:
    """(P,) bool: between two marked bubbles, the band (its width mm at each step, (P,
    steps)) may be a line broadened at both ends by the overshoots it runs over: over the
    steps between the end ones, one width no broader than ``widest`` (P, 1). Where two
    overshoots meet, one of those steps lies a step or more inside one of them, as broad
    as its cap there (``GapSamples.cap_mm``)."""
    between = width[:, 1:-1]
    return (between.max(axis=-1) <= widest[:, 0]) & _one_width(between, spacing)


def _broad_at_one_end(
    peak: np.ndarray, width: np.ndarray, widest: np.ndarray, pen: float
) -> np.ndarray:
    """(P,) bool: between two marked bubbles, the band (at each step its ``peak`` darkness
    and its ``width`` mm, (P, steps)) may be a line of the pen (``pen`` darkness) no
    broader than ``widest`` (P, 1), broadened at one end by an overshoot under it. An
    overshoot reaches half the gap at most: over the half at the band's narrower end the
    line lies alone, no broader than a pen's line and as dark as the pen (a faded tongue
    of a fill is not); and from the middle towards that end the band gets no darker
    (within the flat field), where two overshoots meeting are dark at both ends, pinched
    between."""
    narrower_last = width[:, -1] <= width[:, 0]
    half_width, half_peak = (_half_towards(values, narrower_last) for values in (width, peak))
    return (
        (half_width.max(axis=-1) <= widest[:, 0])
        & (half_peak.min(axis=-1) >= DARKNESS_KEPT * pen)
        & (half_peak[:, -1] <= half_peak[:, 0] + FLAT_FIELD)
    )


def _half_towards(values: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The half of the gap (P, steps // 2 + 1) of ``values`` (P, steps), from its middle
    step towards its last step where ``last`` (P,) bool, else towards its first."""
    middle = values.shape[-1] // 2
    return np.where(last[:, None], values[:, middle:], values[:, middle::-1])


def _darkness_kept(peak: np.ndarray, tone_step: float) -> np.ndarray:
    """(P,) bool: the band (peak darkness at each step, (P, steps)) is as dark all along,
    within ``tone_step``, the finest difference of tone the scan writes."""
    return peak.min(axis=-1) >= DARKNESS_KEPT * peak.max(axis=-1) - tone_step


def _over_an_overshoot(
    peak: np.ndarray, width: np.ndarray, spacing: np.ndarray, pen: float
) -> np.ndarray:
    """(P,) bool: the band (at each step its ``peak`` darkness and its ``width`` mm,
    (P, steps); ``spacing`` (P, 1) mm between samples) may be a line of the pen (``pen``
    darkness) running over an overshoot at one end. An overshoot (a quarter of a radius)
    leaves the half of the gap at the band's lighter end to the line alone: one width
    (within the blur, two samples) and one darkness there, and nothing across the gap
    lighter than it (as two overshoots pinch); at the other end, the line over the
    overshoot is no darker than a second pass of the pen over the pen."""
    lighter_last = peak[:, -1] < peak[:, 0]
    bare_peak, bare_width = (  # the half where the line lies over no overshoot
        _half_towards(values, lighter_last) for values in (peak, width)
    )
    line = peak.min(axis=-1)
    return (
        (bare_width.max(axis=-1) - bare_width.min(axis=-1) <= 2 * spacing[:, 0])
        & (line >= DARKNESS_KEPT * bare_peak.max(axis=-1))
        & (peak.max(axis=-1) <= 1 - (1 - line) * (1 - pen))
    )


def _bands(
    darkness: np.ndarray, ink_at: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """At each step along the gap (``darkness``: (P, steps, across)), its peak darkness,
    the first and last sample (P, steps) of its ink (at half that peak) between the
    paper on either side of the peak, and whether there is paper on both sides. Ink
    beyond that paper (a neighbour's overshoot a line runs past) is not the band's. Where
    that overshoot is the darker (a thin line's peak blurred under a broad overshoot's),
    the band at that step is the overshoot's, and the line is not seen."""
    peak_at = darkness.argmax(axis=-1)[..., None]
    peak = np.take_along_axis(darkness, peak_at, axis=-1)
    ink = darkness >= HALF_MAXIMUM * np.maximum(peak, ink_at)
    paper = darkness < HALF_MAXIMUM * ink_at
    across = np.arange(darkness.shape[-1])
    before = np.where(paper & (across < peak_at), across, -1).max(axis=-1, keepdims=True)
    after = np.where(paper & (across > peak_at), across, across.size).min(axis=-1, keepdims=True)
    ours = ink & (across > before) & (across < after)
    first = ours.argmax(axis=-1)
    last = across.size - 1 - ours[..., ::-1].argmax(axis=-1)
    band = (peak[..., 0] >= ink_at) & (before[..., 0] >= 0) & (after[..., 0] < across.size)
    return peak[..., 0], first, last, band


# The slopes a line through a band's middles is looked for at, up to the steepest a
# stroke crosses a gap at (``STROKE_SLOPE_MAX``) either way, a fiftieth of it apart.
SLOPES = np.linspace(-1.0, 1.0, 101) * STROKE_SLOPE_MAX


def _a_line_within(
    middle: np.ndarray, along: np.ndarray, interior: np.ndarray, slack: float
) -> np.ndarray:
    """(P,) bool: some line no steeper than a stroke crosses the gap at passes within
    ``slack`` mm of every one of a band's middles (``middle`` (P, steps) mm across, at
    ``along`` (P, steps) mm from ``own``'s centre) and through ``own``'s interior
    (``interior`` (P,) mm either side of its centre): on a bi-level scan, whose band
    edges are known to a halftone cell, each middle to half of one (``slack``; 0 on a scan
    that writes its tones: none asked)."""
    if slack <= 0:
        return np.zeros(len(middle), bool)
    offsets = middle[:, None, :] - SLOPES[None, :, None] * along[:, None, :]  # (P, S, steps)
    low = offsets.max(axis=-1) - slack
    high = offsets.min(axis=-1) + slack
    reach = interior[:, None]
    return ((low <= high) & (low <= reach) & (high >= -reach)).any(axis=-1)


def _line_of(middle: np.ndarray, along: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The line through a band's middles (``middle`` (P, steps) mm across the line between
    the centres, at ``along`` (P, steps) mm from ``own``'s centre): its slope (P,) and
    where it passes ``own``'s centre (P,) mm across. A stroke through this bubble passes
    its interior; another bubble's stroke passing by does not."""
    along_c = along - along.mean(axis=-1, keepdims=True)
    slope = (along_c * middle).sum(axis=-1) / (along_c**2).sum(axis=-1)
    return slope, middle.mean(axis=-1) - slope * along.mean(axis=-1)
