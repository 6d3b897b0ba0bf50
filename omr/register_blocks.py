"""Registration on solid printed blocks (forms printed by others, e.g. the national form).

The page is searched on a downscaled copy for solid dark rectangles; those whose shape
matches a template block are candidates. Every pair of candidates, matched to every
pair of template blocks, proposes a similarity transform (any rotation and scale); the
proposal that puts the most template blocks on candidates of their shape wins. When the
blocks look the same turned by 180°, the template's ``orientation_boxes`` (printed text
facing blank paper) decide the turn. The corners of the matched blocks are then measured
on the full-resolution image and fitted with a homography.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from omr.register import (
    PageRegistration,
    RegistrationFailure,
    downscaled,
    registration_from_marks,
)
from omr.template import BlockRegistration, Box, SheetTemplate

# A filled rectangle covers all of its minimum-area box, an ellipse (a candidate's
# filled answer) only π/4 ≈ 0.79 of it: 0.9 keeps rectangles with blurred corners.
MIN_RECTANGULARITY = 0.9
# Printing, scanning and thresholding change a block's measured size by well under 25%.
SIZE_TOLERANCE = 0.25
# A proposal's predicted block centre may be this far off (skew, mild perspective); the
# national form's blocks are at least 40 mm apart, so no block is taken for another.
MATCH_TOLERANCE_MM = 8.0
# 4 blocks give 16 corners for the homography's 8 unknowns; 3 found blocks show the
# page is this form with blocks lost (torn, folded, outside the scan); fewer, another page.
MIN_BLOCKS = 4
MIN_BLOCKS_OF_THIS_FORM = 3
# The scan may show up to 30% more than the page (scanner bed), or a tenth less than
# the smallest part scanned alone (tight crop).
MARGIN_MAX, CROP_MAX = 1.3, 0.9
# Printed digits cover about a tenth of a question-number column (measured on the 2025
# form at 600 dpi: 9–12%); the column must be darker than its 180° image by a quarter
# of that for the turn to count as told.
MIN_ORIENTATION_CONTRAST = 0.025
ORIENTATION_PX_PER_MM = 3.0


@dataclass(frozen=True)
class _Candidates:
    """Solid rectangles found on the downscaled page.

    ``centres`` (N, 2) and ``sizes`` (N, 2) as (long, short) in px, ``axes`` (N,) the
    long side's angle in radians, ``contours`` the N contours (small-image px).
    """

    centres: np.ndarray
    sizes: np.ndarray
    axes: np.ndarray
    contours: list[np.ndarray]


def _solid_rectangles(binary: np.ndarray, min_area_px: float) -> _Candidates:
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    kept, centres, sizes, axes = [], [], [], []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < min_area_px:
            continue
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if w * h == 0 or area / (w * h) < MIN_RECTANGULARITY:
            continue
        axis = np.radians(angle if w >= h else angle + 90.0)
        kept.append(contour)
        centres.append((cx, cy))
        sizes.append((max(w, h), min(w, h)))
        axes.append(axis)
    return _Candidates(
        np.array(centres, float).reshape(-1, 2),
        np.array(sizes, float).reshape(-1, 2),
        np.array(axes, float),
        kept,
    )


def _block_arrays(registration: BlockRegistration) -> tuple[np.ndarray, np.ndarray]:
    """Template block centres (K, 2) and sizes (K, 2) as (long, short), in mm."""
    centres = np.array(
        [
            (b.origin_mm[0] + b.size_mm[0] / 2, b.origin_mm[1] + b.size_mm[1] / 2)
            for b in registration.blocks
        ]
    )
    sizes = np.array([sorted(b.size_mm, reverse=True) for b in registration.blocks])
    return centres, sizes


def _scale_bounds(template: SheetTemplate, long_side_px: int) -> tuple[float, float]:
    """The range of px per mm at which the page (or one of its parts) fills the image."""
    page_long = max(template.page_size_mm)
    part_long = min([max(p.size_mm) for p in template.page.parts] + [page_long])
    return long_side_px / (page_long * MARGIN_MAX), long_side_px / (part_long * CROP_MAX)


def _best_proposal(
    blocks_mm: np.ndarray, block_sizes: np.ndarray, found: _Candidates, bounds: tuple[float, float]
) -> tuple[int, np.ndarray]:
    """The similarity (2, 3) mapping mm → small px that places the most blocks.

    Returns the number of blocks placed and the transform.
    """
    # scale[k, n]: px per mm if candidate n is block k; fits[k, n]: its shape agrees.
    scale = found.sizes[None, :, 0] / block_sizes[:, None, 0]
    other = found.sizes[None, :, 1] / block_sizes[:, None, 1]
    fits = (np.abs(other / scale - 1) < SIZE_TOLERANCE) & (scale > bounds[0]) & (scale < bounds[1])
    best_count, best = 0, np.zeros((2, 3))
    for a, b in zip(*np.nonzero(~np.eye(len(blocks_mm), dtype=bool)), strict=True):
        i, j = (
            grid.ravel() for grid in np.meshgrid(np.flatnonzero(fits[a]), np.flatnonzero(fits[b]))
        )
        i, j = i[i != j], j[i != j]
        if not len(i):
            continue
        d_mm = blocks_mm[b] - blocks_mm[a]
        d_px = found.centres[j] - found.centres[i]
        s = np.hypot(*d_px.T) / np.hypot(*d_mm)
        theta = np.arctan2(d_px[:, 1], d_px[:, 0]) - np.arctan2(d_mm[1], d_mm[0])
        plausible = (
            (np.abs(s / scale[a, i] - 1) < SIZE_TOLERANCE) & (s > bounds[0]) & (s < bounds[1])
        )
        if not plausible.any():
            continue
        s, theta, i = s[plausible], theta[plausible], i[plausible]
        rot = (
            np.stack([np.cos(theta), -np.sin(theta), np.sin(theta), np.cos(theta)], 1) * s[:, None]
        )
        rot = rot.reshape(-1, 2, 2)
        shift = found.centres[i] - rot @ blocks_mm[a]
        predicted = np.einsum("pij,kj->pki", rot, blocks_mm) + shift[:, None, :]
        distance = np.linalg.norm(predicted[:, :, None, :] - found.centres[None, None], axis=3)
        placed = ((distance < MATCH_TOLERANCE_MM * s[:, None, None]) & fits[None]).any(axis=2)
        counts = placed.sum(axis=1)
        winner = int(np.argmax(counts))
        if counts[winner] > best_count:
            best_count = int(counts[winner])
            best = np.hstack([rot[winner], shift[winner][:, None]])
    return best_count, best


def _match(
    to_px: np.ndarray, blocks_mm: np.ndarray, block_sizes: np.ndarray, found: _Candidates
) -> dict[int, int]:
    """Template block → candidate, for the candidates where ``to_px`` puts each block."""
    predicted = cv2.perspectiveTransform(blocks_mm.reshape(-1, 1, 2), to_px).reshape(-1, 2)
    px_per_mm = np.sqrt(abs(np.linalg.det(to_px[:2, :2])))
    matches = {}
    for k, centre in enumerate(predicted):
        distance = np.linalg.norm(found.centres - centre, axis=1)
        scale = found.sizes[:, 0] / block_sizes[k, 0]
        shape_ok = np.abs(found.sizes[:, 1] / block_sizes[k, 1] / scale - 1) < SIZE_TOLERANCE
        ok = shape_ok & (distance < MATCH_TOLERANCE_MM * px_per_mm)
        if ok.any():
            matches[k] = int(np.flatnonzero(ok)[np.argmin(distance[ok])])
    return matches


def _box_darkness(small: np.ndarray, to_px: np.ndarray, boxes: list[Box]) -> float:
    """Mean darkness (0 white … 1 black) of template boxes seen through ``to_px``."""
    values = []
    for box in boxes:
        size = (
            max(1, int(box.size_mm[0] * ORIENTATION_PX_PER_MM)),
            max(1, int(box.size_mm[1] * ORIENTATION_PX_PER_MM)),
        )
        to_box = to_px @ np.array(
            [
                [1 / ORIENTATION_PX_PER_MM, 0, box.origin_mm[0]],
                [0, 1 / ORIENTATION_PX_PER_MM, box.origin_mm[1]],
                [0, 0, 1],
            ]
        )
        patch = cv2.warpPerspective(
            small, to_box, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=255
        )
        values.append(1.0 - patch.mean() / 255.0)
    return float(np.mean(values))


def _orient(
    small: np.ndarray, to_px: np.ndarray, registration: BlockRegistration
) -> np.ndarray | RegistrationFailure:
    """``to_px`` or its 180° twin, whichever shows the orientation boxes' print."""
    if not registration.point_symmetric:
        return to_px
    cx, cy = registration.centre_mm
    twin = to_px @ np.array([[-1.0, 0, 2 * cx], [0, -1.0, 2 * cy], [0, 0, 1]])
    here = _box_darkness(small, to_px, registration.orientation_boxes)
    turned = _box_darkness(small, twin, registration.orientation_boxes)
    if abs(here - turned) < MIN_ORIENTATION_CONTRAST:
        return RegistrationFailure(
            "orientation_unknown",
            "the printed blocks were found but the page's top cannot be told from its bottom "
            "(the question numbers are not where expected): another form or layout?",
        )
    return to_px if here > turned else twin


def _block_corners_mm(registration: BlockRegistration, k: int) -> np.ndarray:
    box = registration.blocks[k].box
    x0, y0, x1, y1 = box.origin_mm[0], box.origin_mm[1], box.right, box.bottom
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def _refined_corners(
    gray: np.ndarray, contour: np.ndarray, scale: float, threshold: float, expected: np.ndarray
) -> np.ndarray:
    """A block's 4 corners (4, 2) on the full image, in the order of ``expected`` (4, 2)."""
    x, y, w, h = cv2.boundingRect(contour)
    pad = 2
    x0, y0 = max(0, int((x - pad) / scale)), max(0, int((y - pad) / scale))
    x1 = min(gray.shape[1], int((x + w + pad) / scale) + 1)
    y1 = min(gray.shape[0], int((y + h + pad) / scale) + 1)
    roi = (gray[y0:y1, x0:x1] < threshold).astype(np.uint8)
    contours, _ = cv2.findContours(roi, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    corners = cv2.boxPoints(cv2.minAreaRect(max(contours, key=cv2.contourArea))) + (x0, y0)
    # boxPoints runs round the rectangle; pick the cyclic shift that fits ``expected``.
    shifts = [np.roll(corners, shift, axis=0) for shift in range(4)]
    return min(shifts, key=lambda c: float(np.linalg.norm(c - expected, axis=1).sum()))


def register_by_blocks(
    gray: np.ndarray, template: SheetTemplate
) -> PageRegistration | RegistrationFailure:
    """Register a page on the template's solid printed blocks.

    Parameters
    ----------
    gray : (H, W) uint8 ndarray
        The page, at any rotation (0/90/180/270° and skew), scale and offset; the whole
        page or one of the template's ``page.parts``.
    template : SheetTemplate
        A template with ``registration.kind == "blocks"``.

    Returns
    -------
    PageRegistration or RegistrationFailure
        The homography maps template mm (x, y) to ``gray`` px (x, y). Failures:
        ``wrong_template`` (fewer than 3 blocks in this form's layout: another page,
        such as the cover, or another form), ``registration_marks_not_found``,
        ``orientation_unknown``, ``registration_inaccurate``.
    """
    registration = template.registration
    if not isinstance(registration, BlockRegistration):
        raise TypeError("register_by_blocks needs a template with block registration")
    small, scale = downscaled(gray)
    threshold, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    bounds = _scale_bounds(template, max(small.shape))
    blocks_mm, block_sizes = _block_arrays(registration)
    min_area = (1 - SIZE_TOLERANCE) * block_sizes.prod(axis=1).min() * bounds[0] ** 2
    found = _solid_rectangles(binary, min_area)
    expected = len(registration.blocks)
    count, similarity = _best_proposal(blocks_mm, block_sizes, found, bounds)
    if count < MIN_BLOCKS_OF_THIS_FORM:
        return RegistrationFailure(
            "wrong_template",
            f"the page does not show this form's printed blocks ({count} of {expected} in "
            "place): another page (the cover?) or another form",
        )
    to_small = _orient(small, np.vstack([similarity, (0, 0, 1)]), registration)
    if isinstance(to_small, RegistrationFailure):
        return to_small
    matches = _match(to_small, blocks_mm, block_sizes, found)
    if len(matches) < MIN_BLOCKS:
        return RegistrationFailure(
            "registration_marks_not_found",
            f"only {len(matches)} of the {expected} printed blocks were found; a block may be "
            "torn, inked over or outside the scan",
        )
    to_full = np.diag([1 / scale, 1 / scale, 1.0]) @ to_small
    template_mm, image_px = [], []
    for k, n in sorted(matches.items()):
        corners_mm = _block_corners_mm(registration, k)
        predicted = cv2.perspectiveTransform(corners_mm.reshape(-1, 1, 2), to_full).reshape(-1, 2)
        template_mm.append(corners_mm)
        image_px.append(_refined_corners(gray, found.contours[n], scale, threshold, predicted))
    return registration_from_marks(
        np.concatenate(template_mm).astype(np.float32),
        np.concatenate(image_px).astype(np.float32),
        method="blocks",
        marks_found=len(matches),
        marks_expected=expected,
    )
