"""A template's bubbles grouped by size, each with its neighbours' footprints (where a
reach sample lies on another bubble or its overshoot) and the printed option letters
near it: worked out once per template.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from omr.reading.marks.bridges import GapSamples, gap_samples
from omr.reading.marks.sampling import (
    NEIGHBOUR_OVERSHOOT,
    NEIGHBOUR_STROKE_MM,
    PRINTED_OUTLINE_RADII,
    REACH_DIRECTIONS,
    REACH_RADII,
    frozen,
    polar_points,
)
from omr.reading.marks.x_shape import X_OFF_CENTRE, X_REACH_MAX, X_SLANT_MAX_DEG, X_SLANT_MIN_DEG
from omr.reading.template_space import per_template
from omr.sheet.bubble_outline import BOX_CORNER, is_box, squared_extent
from omr.sheet.template import (
    MM_PER_PT,
    OPTION_LABEL_EM_SHARE,
    OPTION_LABEL_PT,
    Bubble,
    PrintLooks,
    SheetTemplate,
)

# Neighbouring pairs whose footprints are sampled at once: each pair's (96, 15, 2) float64
# offsets are 23 kB, and a few temporaries of that size are alive at once (64: 8 MB).
FOOTPRINT_PAIRS_AT_ONCE = 64


@dataclass(frozen=True)
class Footprints:
    """Where a neighbour's print or mark may lie across a bubble's reach samples: for
    each pair (``own``, ``other``), sorted by ``own``, the (96, S) samples of ``own``
    inside ``other``'s footprint grown by an overshoot and half a stroke, packed 64 to a
    word (``inside``: (P, W) uint64, see :func:`_packed`); and for each bubble,
    (N, 96, S) its samples on print (``printed``): any neighbour's printed outline (which
    lie inside the footprints) and the option letters printed above the first rows
    (:func:`_on_option_letters`)."""

    own: np.ndarray
    other: np.ndarray
    inside: np.ndarray
    printed: np.ndarray

    def blocked(self, inked: np.ndarray, print_shows: bool, rows: np.ndarray) -> np.ndarray:
        """(R, 96, S) bool for the bubbles ``rows`` (R,) (sorted): samples on the
        footprint of a neighbour that holds ink (``inked``: (N,) bool), or, where the
        print is as dark as ink (``print_shows``: a form printed black, a gray scan), on
        print."""
        shape = self.printed.shape[1:]
        blocked = self.printed[rows] if print_shows else np.zeros((len(rows), *shape), bool)
        wanted = np.zeros(len(inked), bool)
        wanted[rows] = True
        chosen = inked[self.other] & wanted[self.own]
        own = self.own[chosen]
        if own.size:
            starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
            words = np.bitwise_or.reduceat(self.inside[chosen], starts, axis=0)
            bits = np.unpackbits(words.view(np.uint8), axis=1, count=int(np.prod(shape)))
            blocked[np.searchsorted(rows, own[starts])] |= bits.view(bool).reshape(-1, *shape)
        return blocked


def _packed(inside: np.ndarray) -> np.ndarray:
    """(P, ...) bool → (P, W) uint64: each row's bits in order, padded to whole words."""
    packed = np.packbits(inside.reshape(len(inside), int(np.prod(inside.shape[1:]))), axis=1)
    padding = -packed.shape[1] % 8
    return np.ascontiguousarray(np.pad(packed, ((0, 0), (0, padding)))).view(np.uint64)


@cache
def _neighbourhood(
    centers_mm: tuple[tuple[float, float], ...],
    sizes_mm: tuple[tuple[float, float], ...],
    boxes: tuple[bool, ...],
) -> tuple:
    """Each bubble's reach samples on a neighbour's footprint (:class:`Footprints`), and
    (N, N) bool: which neighbours' X strokes, 2.5 radii long, can reach the bubble's
    overshoot (the same stroke then leaves both).

    Parameters
    ----------
    centers_mm, sizes_mm : tuple of (x, y) and (width, height) in mm, one per bubble
    boxes : tuple of bool, one per bubble: a box (its radii reach √2 out at its corners)
    """
    centers = np.asarray(centers_mm, np.float64).reshape(-1, 2)
    radii = np.asarray(sizes_mm, np.float64).reshape(-1, 2) / 2
    box = np.asarray(boxes, bool).reshape(-1)
    biggest = radii.max(axis=1)
    biggest = np.where(box, BOX_CORNER * biggest, biggest)  # the farthest outline point
    reach = biggest * REACH_RADII[-1]
    grown = radii * NEIGHBOUR_OVERSHOOT + NEIGHBOUR_STROKE_MM
    near = np.concatenate(  # (N, N) by 128 rows: a thousand bubbles' differences are 16 MB
        [
            np.linalg.norm(centers[row : row + 128, None, :] - centers[None, :, :], axis=-1)
            < reach.max() + grown.max()
            for row in range(0, len(centers), 128)
        ]
    )
    np.fill_diagonal(near, False)
    pairs = np.argwhere(near)  # sorted by own
    shape = (REACH_DIRECTIONS, len(REACH_RADII))
    printed = np.zeros((len(centers), *shape), bool)
    touching, insides = [], []
    for start in range(0, len(pairs), FOOTPRINT_PAIRS_AT_ONCE):
        chunk = pairs[start : start + FOOTPRINT_PAIRS_AT_ONCE]
        own, other = chunk.T
        offset = _reach_points(centers[own], radii[own], box[own]) - centers[other, None, None, :]
        boxed = box[other, None, None]
        inside = squared_extent(offset / grown[other, None, None, :], boxed) <= 1.0
        radius = np.sqrt(squared_extent(offset / radii[other, None, None, :], boxed))
        # Each bubble's samples on any neighbour's outline (a chunk's owns are sorted).
        starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
        ring = np.abs(radius - 1.0) <= PRINTED_OUTLINE_RADII
        printed[own[starts]] |= np.logical_or.reduceat(ring, starts, axis=0)
        kept = inside.reshape(len(inside), -1).any(axis=1)
        touching.append(chunk[kept])
        insides.append(_packed(inside[kept]))
    touching_pairs = np.concatenate(touching) if touching else np.zeros((0, 2), np.intp)
    empty = np.zeros((0, *shape), bool)
    footprints = Footprints(
        frozen(touching_pairs[:, 0]),
        frozen(touching_pairs[:, 1]),
        frozen(np.concatenate(insides) if insides else _packed(empty)),
        frozen(printed),
    )
    rows = [_strokes_reaching(centers, biggest, start) for start in range(0, len(centers), 128)]
    return footprints, frozen(np.concatenate(rows))


def _reach_points(centers: np.ndarray, radii: np.ndarray, box: np.ndarray) -> np.ndarray:
    """(n, 96, S, 2) mm: the reach samples of bubbles at ``centers`` (n, 2) of ``radii``
    (n, 2), both mm, boxes where ``box`` (n,)."""
    points = np.empty((len(centers), REACH_DIRECTIONS, len(REACH_RADII), 2))
    for size, boxed in {(tuple(size), bool(b)) for size, b in zip(radii, box, strict=True)}:
        alike = (radii == size).all(axis=1) & (box == boxed)
        points[alike] = centers[alike, None, None, :] + polar_points(*size, REACH_RADII, box=boxed)
    return points


def _strokes_reaching(centers: np.ndarray, biggest: np.ndarray, start: int) -> np.ndarray:
    """For the bubbles ``start`` … ``start + 127`` (rows) against every bubble (whose
    outlines reach ``biggest`` (N,) mm out at most): whether its X strokes can reach the
    bubble's overshoot, bool (computed by rows: (N, N) float64 temporaries of a thousand
    bubbles would be 8 MB each)."""
    own = centers[start : start + 128]
    count = len(own)
    distance = np.linalg.norm(own[:, None, :] - centers[None, :, :], axis=-1)  # (n, N)
    # The closest a neighbour's X stroke (from its centre, 2.5 radii long, 25–65° from
    # the horizontal either way) comes to this bubble's centre.
    between = centers[None, :, :] - own[:, None, :]
    line = np.degrees(np.arctan2(between[..., 1], between[..., 0])) % 180
    off = np.minimum(_outside(line, X_SLANT_MIN_DEG), _outside(line, 180 - X_SLANT_MAX_DEG))
    slant = np.radians(off)
    length = X_REACH_MAX * biggest[None, :]
    along = distance * np.cos(slant)
    closest = np.where(
        along <= length,
        distance * np.sin(slant),
        np.hypot(along - length, distance * np.sin(slant)),
    )
    # ... and where it may pass: this bubble's overshoot and half a stroke, the stroke's
    # line shifted by its crossing, up to a third of the neighbour's radius off centre.
    closest_allowed = (
        NEIGHBOUR_OVERSHOOT * biggest[start : start + count, None]
        + NEIGHBOUR_STROKE_MM
        + X_OFF_CENTRE * biggest[None, :]
    )
    within = closest <= closest_allowed
    within[np.arange(count), start + np.arange(count)] = False
    return within


def _outside(angle: np.ndarray, low: float) -> np.ndarray:
    """Degrees from ``angle`` (0–180) to the slants ``low`` to ``low`` plus an X's range of
    slants (40°; 0 within)."""
    high = low + (X_SLANT_MAX_DEG - X_SLANT_MIN_DEG)
    return np.clip(np.maximum(low - angle, angle - high), 0.0, None)


@dataclass(frozen=True)
class SizeGroup:
    """Bubbles of one size and outline (``box``: boxes, else ellipses): ``members``
    index the bubble list; ``order`` lists the positions in ``members`` question by
    question (the options that move together), the questions starting at ``starts``
    and ``sizes`` long."""

    size_mm: tuple[float, float]
    box: bool
    members: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray


@dataclass(frozen=True)
class BubbleLayout:
    """What measuring needs of a template's bubbles, derived once per template:
    ``bubbles`` in the order of every measurement array; ``footprints`` where the reach
    samples meet a neighbour's footprint; ``neighbours`` (N, N) bool, which neighbours'
    X strokes (2.5 radii) can reach a bubble's overshoot; ``radii_mm`` (N, 2) each
    bubble's half-width and half-height; ``boxes`` (N,) bool, the bubbles that are
    boxes; ``gaps`` where to look for a stroke between close bubbles; ``letter_rows``
    (K,) the bubbles whose reach samples meet an option letter printed above the first
    rows, and ``on_letters`` (K, 96, S) bool those samples (:func:`_on_option_letters`;
    also in ``footprints.printed``)."""

    bubbles: tuple[Bubble, ...]
    centers_mm: np.ndarray
    groups: tuple[SizeGroup, ...]
    footprints: Footprints
    neighbours: np.ndarray
    radii_mm: np.ndarray
    boxes: np.ndarray
    gaps: GapSamples
    letter_rows: np.ndarray
    on_letters: np.ndarray
    printed_labels: tuple[str, ...] = ()  # the labels printed inside (print.labels_inside)
    printed_looks: PrintLooks | None = None  # their looks on the blank page (looks_inside)


@per_template
def bubble_layout(template: SheetTemplate, answers_only: bool = False) -> BubbleLayout:
    """The layout of every bubble of ``template`` (or of its answer bubbles alone)."""
    bubbles = tuple(template.answer_bubbles() if answers_only else template.all_bubbles)
    by_size: dict[tuple[tuple[float, float], bool], list[int]] = defaultdict(list)
    for index, bubble in enumerate(bubbles):
        by_size[(bubble.size_mm, is_box(bubble.shape))].append(index)
    groups = []
    for (size_mm, box), members in by_size.items():
        questions: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for position, member in enumerate(members):
            questions[(bubbles[member].field, bubbles[member].question)].append(position)
        sizes = np.array([len(positions) for positions in questions.values()])
        groups.append(
            SizeGroup(
                size_mm,
                box,
                np.asarray(members),
                np.concatenate([np.asarray(positions) for positions in questions.values()]),
                np.concatenate([[0], np.cumsum(sizes)[:-1]]),
                sizes,
            )
        )
    centers_mm = tuple(b.center_mm for b in bubbles)
    sizes_mm = tuple(b.size_mm for b in bubbles)
    boxes = tuple(is_box(b.shape) for b in bubbles)
    centers = np.array(centers_mm, np.float32).reshape(-1, 2)
    radii = np.array(sizes_mm, np.float32).reshape(-1, 2) / 2
    box = frozen(np.array(boxes, bool))
    letters = (
        [xy for block in template.question_blocks for _, xy in block.option_labels()]
        if template.print.option_letters_above
        else []
    )
    footprints, neighbours = _neighbourhood(centers_mm, sizes_mm, boxes)
    on_letters = _on_option_letters(
        np.array(letters, np.float64).reshape(-1, 2), centers, radii, box
    )
    letter_rows = np.flatnonzero(on_letters.any(axis=(1, 2)))
    if letter_rows.size:
        footprints = replace(footprints, printed=frozen(footprints.printed | on_letters))
    return BubbleLayout(
        bubbles,
        centers,
        tuple(groups),
        footprints,
        neighbours,
        radii,
        box,
        gap_samples(centers_mm, sizes_mm, boxes),
        frozen(letter_rows),
        frozen(on_letters[letter_rows]),
        tuple(b.option for b in bubbles) if template.print.labels_inside else (),
        template.print.looks_inside,
    )


# A printed letter's edge blurred by the scan (0.15 mm either way) and a pixel of the
# page's straightening: a letter's box grown by this much holds its print.
LETTER_MARGIN_MM = 0.3


def _on_option_letters(
    letters: np.ndarray, centers: np.ndarray, radii: np.ndarray, box: np.ndarray
) -> np.ndarray:
    """(N, 96, S) bool: the reach samples of the bubbles at ``centers`` (N, 2) of ``radii``
    (N, 2), boxes where ``box``, that lie on an option letter whose baseline is centred at
    one of ``letters`` (L, 2), all mm (:meth:`QuestionBlock.option_labels`): the letter's
    box, three quarters of an em wide and tall, grown by :data:`LETTER_MARGIN_MM`."""
    on = np.zeros((len(centers), REACH_DIRECTIONS, len(REACH_RADII)), bool)
    if not len(letters):
        return on
    em = OPTION_LABEL_PT * MM_PER_PT
    half_width = OPTION_LABEL_EM_SHARE * em / 2 + LETTER_MARGIN_MM
    top, bottom = OPTION_LABEL_EM_SHARE * em + LETTER_MARGIN_MM, LETTER_MARGIN_MM
    reach = np.where(box, BOX_CORNER, 1.0) * radii.max(axis=1) * REACH_RADII[-1]
    offset = letters[None, :, :] - centers[:, None, :]  # (N, L, 2): each letter from each bubble
    near = (
        (np.abs(offset[..., 0]) <= reach[:, None] + half_width)
        & (offset[..., 1] <= reach[:, None] + top)  # a letter below the bubble
        & (offset[..., 1] >= -reach[:, None] - bottom)  # one above it
    )
    reaching = np.flatnonzero(near.any(axis=1))
    for index, points in zip(
        reaching, _reach_points(centers[reaching], radii[reaching], box[reaching]), strict=True
    ):
        for x, y in letters[near[index]]:
            on[index] |= (
                (np.abs(points[..., 0] - x) <= half_width)
                & (points[..., 1] >= y - top)
                & (points[..., 1] <= y + bottom)
            )
    return on
