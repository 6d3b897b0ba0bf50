"""The registration marks of a form printed by others, measured on one of its scans.

The scan is straightened into the template's millimetres through OMRChecker's frame (the
whole scan, the paper's four corners against a darker background, or the centres of its
four corner bullseyes) and its solid squarish marks or
bullseyes (:func:`omr.sheet.bullseyes.find_rings`) are measured there.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from omr.forms.omrchecker import Frame
from omr.forms.shapes import Block, print_mask
from omr.sheet.bullseyes import find_rings

# 8 px per mm: a 2.5 mm block spans 20 px, its edges placed to a tenth of a millimetre.
PX_PER_MM = 8.0
# A solid mark on a scan: 1.5–20 mm, at most 4 times as long as wide (a timing track's
# bar: :func:`omr.forms.shapes.with_tracks` finds the tracks among them),
# filling 0.83 of its minimum-area box (a filled circle fills π/4 ≈ 0.79 of it).
MARK_MM, MAX_ASPECT, MARK_FILL = (1.5, 20.0), 4.0, 0.83
# The paper is what is lighter than Otsu's level between it and the background; its
# outline, simplified to within 2 % of its length, has four corners.
OUTLINE_SHARE = 0.02


@dataclass(frozen=True)
class ScanMarks:
    """What a scan shows in template mm: its image (straightened, ``PX_PER_MM``), its
    solid blocks and its bullseyes (centre (x, y), diameter) in mm."""

    image: np.ndarray
    blocks: list[Block]
    rings: list[tuple[float, float, float]]


def _corners(points: np.ndarray) -> np.ndarray:
    """Four points ordered top-left, top-right, bottom-right, bottom-left."""
    total, difference = points.sum(axis=1), points[:, 0] - points[:, 1]
    return np.array(
        [
            points[total.argmin()],
            points[difference.argmax()],
            points[total.argmax()],
            points[difference.argmin()],
        ],
        np.float32,
    )


def _paper_corners(gray: np.ndarray) -> np.ndarray:
    """The four corners of the paper, lighter than the background around it."""
    blurred = cv2.GaussianBlur(gray, (0, 0), 3)
    _, paper = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(outline)
    simple = cv2.approxPolyDP(hull, OUTLINE_SHARE * cv2.arcLength(hull, True), True)
    points = simple.reshape(-1, 2) if len(simple) == 4 else cv2.boxPoints(cv2.minAreaRect(hull))
    return _corners(np.asarray(points, np.float32))


def frame_corners(gray: np.ndarray, crop: str) -> np.ndarray | None:
    """The frame's corners in the scan (top-left first, clockwise); None when its
    bullseyes are not all found."""
    if crop == "scan":
        height, width = gray.shape
        return np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    if crop == "page":
        return _paper_corners(gray)
    centres = np.array([ring.centre for ring in find_rings(gray)], np.float32).reshape(-1, 2)
    if len(centres) < 4:
        return None
    height, width = gray.shape
    image = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    nearest = [centres[np.linalg.norm(centres - corner, axis=1).argmin()] for corner in image]
    return np.array(nearest, np.float32)


def _solid_marks(image: np.ndarray) -> list[Block]:
    """The solid, squarish marks of a straightened scan (boxes in mm)."""
    contours, _ = cv2.findContours(print_mask(image), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    low, high = (v * PX_PER_MM for v in MARK_MM)
    marks = []
    for contour in contours:
        (_, _), (width, height), _ = cv2.minAreaRect(contour)
        short, long = sorted((width, height))
        if not (low <= short and long <= high and long <= MAX_ASPECT * short):
            continue
        if cv2.contourArea(contour) >= MARK_FILL * width * height:
            x, y, w, h = cv2.boundingRect(contour)
            marks.append(Block(tuple(v / PX_PER_MM for v in (x, y, x + w, y + h))))
    return marks


def aspect_of(corners: np.ndarray) -> float:
    """Height to width of the quadrilateral ``corners`` (its opposite sides averaged)."""
    sides = np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)
    return float((sides[1] + sides[3]) / (sides[0] + sides[2]))


def _to_scan(frame: Frame, corners: np.ndarray) -> np.ndarray:
    """(3, 3) from straightened px (template mm × ``PX_PER_MM``) to the scan's px."""
    width, height = frame.size_px
    frame_px = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    frame_mm = cv2.perspectiveTransform(frame_px[None], frame.to_mm)[0]
    return cv2.getPerspectiveTransform(frame_mm * PX_PER_MM, corners)


def print_colour(
    scan: np.ndarray, frame: Frame, corners: np.ndarray, centres_mm: np.ndarray, size_mm: tuple
) -> str:
    """The colour the bubbles' outlines are printed in on the colour ``scan`` (H, W, 3)
    BGR, as ``#RRGGBB``: the median of the darkest of four points on each outline (a
    blurred hairline is lighter than its ink, never of another hue)."""
    half_w, half_h = size_mm[0] / 2, size_mm[1] / 2
    around = np.array([[0, -half_h], [0, half_h], [-half_w, 0], [half_w, 0]])
    points = (centres_mm[:, None, :] + around[None]).reshape(-1, 2) * PX_PER_MM
    at = cv2.perspectiveTransform(points.reshape(1, -1, 2), _to_scan(frame, corners))[0]
    xs = np.clip(np.rint(at[:, 0]).astype(np.intp), 0, scan.shape[1] - 1)
    ys = np.clip(np.rint(at[:, 1]).astype(np.intp), 0, scan.shape[0] - 1)
    samples = scan[ys, xs].reshape(len(centres_mm), 4, 3).astype(np.int32)
    darkest = samples[np.arange(len(samples)), samples.sum(axis=2).argmin(axis=1)]
    blue, green, red = np.median(darkest, axis=0).astype(int)
    return f"#{red:02X}{green:02X}{blue:02X}"


def measure_scan(gray: np.ndarray, frame: Frame, corners: np.ndarray) -> ScanMarks:
    """The scan straightened into template mm through the frame's ``corners`` in it,
    and the marks on it."""
    to_scan = _to_scan(frame, corners)
    size = (int(frame.page_mm[0] * PX_PER_MM), int(frame.page_mm[1] * PX_PER_MM))
    image = cv2.warpPerspective(
        gray, to_scan, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP, borderValue=255
    )
    paper = cv2.morphologyEx(image, cv2.MORPH_CLOSE, np.ones((41, 41), np.uint8))
    image = cv2.divide(image, paper, scale=255)
    blocks = _solid_marks(image)
    rings = [
        (ring.centre[0] / PX_PER_MM, ring.centre[1] / PX_PER_MM, ring.diameter / PX_PER_MM)
        for ring in find_rings(image)
    ]
    return ScanMarks(image, blocks, rings)
