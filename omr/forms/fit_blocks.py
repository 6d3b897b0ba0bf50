"""OMRChecker's bubble blocks fitted to the outlines printed on a scan of the form.

OMRChecker's positions are good enough for its own reading (it thresholds a box around
each bubble) but often a millimetre or more off the printed outlines, and the reader
checks that the outlines lie where the template says. Given a straightened scan of the
form, each block's bubbles are matched with the ring filter of
:mod:`omr.sheet.ring_match`: first the block as a whole (the shift where its outlines
match best together: fills and letters move no whole block), then each outline near
where the shifted block puts it; the block's origin and its two pitches are fitted
through the outlines found (least squares, outliers dropped). The filter weighs only
the outline against the paper around it (a letter printed inside, or a fill, changes
nothing); the bubble size is the one whose filter matches the outlines best. A block
whose outlines are not found keeps OMRChecker's positions, and the template says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import cv2
import numpy as np

from omr.forms.omrchecker import Field, Frame
from omr.sheet.ring_match import LABELLED_INSIDE, best_matches, ring_kernel

# The fit's resolution: 0.25 mm per pixel, as the reader refines its registration.
FIT_PX_PER_MM = 4.0
# A block is shifted by up to 0.45 of its smallest pitch (never onto its neighbour's
# row), each outline looked for within a quarter pitch of where the shifted block puts it.
BLOCK_REACH, BUBBLE_REACH = 0.45, 0.25
# An outline is found when its match reaches a third of the block's median match (a
# filled bubble or a cut-off one does not); a block is fitted when half of its outlines,
# and at least 3, are found and agree with the fit to ``AGREE_MM``.
MIN_MATCH_SHARE, MIN_FOUND_SHARE, MIN_FOUND, AGREE_MM = 0.33, 0.5, 3, 0.4
# A fitted pitch within 15 % of OMRChecker's (beyond, the outlines matched are others).
PITCH_SHARE = 0.15
# Bubble sizes tried: OMRChecker's box scaled by 0.6–1.8 (its boxes are often inside
# the printed outlines, or around them) with the outlines looked for as far as a block
# is shifted, then that size scaled by 0.85–1.15 at the fitted centres (within half a
# millimetre); each scale stretched to aspects 0.8–1.25, sizes kept to 0.05 mm.
SIZE_SHARES, FINE_SHARES = np.arange(0.6, 1.85, 0.05), np.arange(0.85, 1.16, 0.05)
ASPECTS, FINE_REACH_MM, SIZE_STEP_MM = np.arange(0.8, 1.26, 0.05), 0.5, 0.05
# The outlines are looked for twice: about the shifted block, then about its first fit.
FIT_PASSES = 2
# A block of one bubble is looked for within 0.45 of this.
LONE_PITCH_MM = 5.0


@dataclass(frozen=True)
class FittedBlocks:
    """The fields with their centres on the printed outlines (frame px), the bubble size
    (w, h) mm that matches them best, and the names of the blocks left as OMRChecker
    placed them."""

    fields: list[Field]
    size_mm: np.ndarray
    unfitted: list[str]


def _darkness(image: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The straightened scan at ``FIT_PX_PER_MM`` as darkness, 0 paper … 1 black."""
    scale = FIT_PX_PER_MM / px_per_mm
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return 1.0 - small.astype(np.float32) / 255.0


def _lattice(fields: list[Field]) -> tuple[np.ndarray, np.ndarray]:
    """Each bubble's (along, across) index (n, 2) and which page axis runs along."""
    indices = np.array(
        [(i, j) for j, field in enumerate(fields) for i in range(len(field.values))], float
    )
    axis = 0 if fields[0].direction == "horizontal" else 1
    return indices, np.array([axis, 1 - axis])


def _line(index: np.ndarray, value: np.ndarray, usable: np.ndarray) -> np.ndarray | None:
    """``value ≈ a + b · index`` through the usable points, outliers beyond ``AGREE_MM``
    dropped; None when the points cannot fix it."""
    kept = usable.copy()
    for _ in range(3):
        if kept.sum() < 2:
            return None
        design = np.stack([np.ones(kept.sum()), index[kept]], axis=1)
        if np.linalg.matrix_rank(design) < 2:
            coefficients = np.array([np.median(value[kept]), 0.0])
        else:
            coefficients = np.linalg.lstsq(design, value[kept], rcond=None)[0]
        residual = np.abs(coefficients[0] + coefficients[1] * index - value)
        kept = usable & (residual <= AGREE_MM)
    return coefficients if kept.sum() >= MIN_FOUND else None


def _pitch(centres: np.ndarray) -> float:
    """The smallest distance (mm) between two of the bubbles ``centres`` (n, 2) mm."""
    if len(centres) < 2:
        return LONE_PITCH_MM
    distance = np.linalg.norm(centres[:, None] - centres[None, :], axis=2)
    np.fill_diagonal(distance, np.inf)
    return float(distance.min())


def _fit_block(
    response: np.ndarray, centres: np.ndarray, indices: np.ndarray, axes: np.ndarray
) -> np.ndarray | None:
    """The block's centres (n, 2) mm on its printed outlines, or None."""
    pitch = _pitch(centres)
    at = np.rint(centres * FIT_PX_PER_MM).astype(np.intp)
    reach = max(1, int(BLOCK_REACH * pitch * FIT_PX_PER_MM))
    span = np.arange(-reach, reach + 1)
    dy, dx = (v.ravel() for v in np.meshgrid(span, span, indexing="ij"))
    xs = np.clip(at[:, 0, None] + dx, 0, response.shape[1] - 1)
    ys = np.clip(at[:, 1, None] + dy, 0, response.shape[0] - 1)
    best = response[ys, xs].sum(axis=0).argmax()
    placed = centres + np.array([dx[best], dy[best]]) / FIT_PX_PER_MM
    for _ in range(FIT_PASSES):
        at = np.rint(placed * FIT_PX_PER_MM).astype(np.intp)
        offset, scores = best_matches(
            response, at, max(1, int(BUBBLE_REACH * pitch * FIT_PX_PER_MM))
        )
        found = at / FIT_PX_PER_MM + offset / FIT_PX_PER_MM
        usable = ~np.isnan(found).any(axis=1)
        usable &= scores >= MIN_MATCH_SHARE * max(float(np.median(scores)), 1e-6)
        if usable.sum() < max(MIN_FOUND, MIN_FOUND_SHARE * len(centres)):
            return None
        fitted = np.empty_like(placed)
        for page_axis in (0, 1):
            lattice = indices[:, int(np.flatnonzero(axes == page_axis)[0])]
            line = _line(lattice, found[:, page_axis], usable)
            given = _line(lattice, centres[:, page_axis], np.ones(len(centres), bool))
            if line is None or abs(line[1] - given[1]) > PITCH_SHARE * abs(given[1]):
                return None
            fitted[:, page_axis] = line[0] + line[1] * lattice
        placed = fitted
    return placed


def _matching(darkness: np.ndarray, size_mm: np.ndarray) -> np.ndarray:
    """The outline filter's response over the page for bubbles of ``size_mm``."""
    kernel = ring_kernel(float(size_mm[0]), float(size_mm[1]), FIT_PX_PER_MM, LABELLED_INSIDE)
    return cv2.filter2D(darkness, cv2.CV_32F, kernel)


def _best_size(
    darkness: np.ndarray,
    centres: np.ndarray,
    size_mm: np.ndarray,
    reach_mm: float,
    shares: np.ndarray,
) -> np.ndarray:
    """The bubble size whose outlines, each looked for within ``reach_mm`` of
    ``centres`` (n, 2) mm, match best: ``size_mm`` scaled by one of ``shares``, then
    stretched to one of ``ASPECTS``."""
    at = np.rint(centres * FIT_PX_PER_MM).astype(np.intp)
    reach = max(1, int(reach_mm * FIT_PX_PER_MM))

    def match(size: np.ndarray) -> float:
        return float(np.median(best_matches(_matching(darkness, size), at, reach)[1]))

    scaled = max((size_mm * share for share in shares), key=match)
    stretched = [scaled * (np.sqrt(a), 1 / np.sqrt(a)) for a in ASPECTS]
    return np.round(max(stretched, key=match) / SIZE_STEP_MM) * SIZE_STEP_MM


def _fitted(
    darkness: np.ndarray, blocks: dict[str, tuple], size_mm: np.ndarray
) -> dict[str, np.ndarray | None]:
    """Every block (centres, lattice indices, axes) fitted to outlines of ``size_mm``."""
    response = _matching(darkness, size_mm)
    return {name: _fit_block(response, *block) for name, block in blocks.items()}


def fit_blocks(
    fields: list[Field], frame: Frame, image: np.ndarray, px_per_mm: float, size_mm: np.ndarray
) -> FittedBlocks:
    """Each OMRChecker block of ``fields`` fitted to the outlines printed on ``image``.

    Parameters
    ----------
    fields : the fields, centres in frame px, in their blocks' order
    frame : OMRChecker's frame on the page
    image : (H, W) uint8 ndarray, the scan straightened into page mm at ``px_per_mm``
    size_mm : (2,) OMRChecker's bubble size in mm
    """
    darkness = _darkness(image, px_per_mm)
    groups = {name: list(group) for name, group in groupby(fields, key=lambda f: f.block)}
    blocks = {
        name: (frame.to_page(np.concatenate([f.centres for f in group])), *_lattice(group))
        for name, group in groups.items()
    }
    centres = np.concatenate([block[0] for block in blocks.values()])
    size = _best_size(darkness, centres, size_mm, BLOCK_REACH * _pitch(centres), SIZE_SHARES)
    fitted = _fitted(darkness, blocks, size)
    found = [centres for centres in fitted.values() if centres is not None]
    if found:
        size = _best_size(darkness, np.concatenate(found), size, FINE_REACH_MM, FINE_SHARES)
        fitted = _fitted(darkness, blocks, size)
    result = []
    for name, group in groups.items():
        centres = fitted[name]
        if centres is None:
            result += group
            continue
        bounds = np.cumsum([0] + [len(f.values) for f in group])
        result += [
            Field(f.block, f.label, f.values, frame.from_page(centres[a:b]), f.direction)
            for f, a, b in zip(group, bounds[:-1], bounds[1:], strict=True)
        ]
    return FittedBlocks(result, size, [name for name, c in fitted.items() if c is None])
