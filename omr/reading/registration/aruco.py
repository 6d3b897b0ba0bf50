"""Registration on the ArUco markers printed at our own sheets' corners.

ArUco markers are found on a halved copy (fast), then their corners are refined on
the full image. Each marker's id says which corner it is, so orientation comes for free.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from omr.reading.channels import ScanChannels
from omr.reading.registration.fit import PageRegistration, registration_from_marks
from omr.sheet.template import ArucoRegistration, SheetTemplate
from omr.vocabulary.reasons import Problem, Reason

# 12 mm markers stay 23 px or more (a cell of 4 px) on a page halved down to this.
DETECTION_MIN_LONG_SIDE_PX = 600
# Three markers' 12 corners fit a homography; two (a torn corner, a sheet askew on the
# glass) fit a similarity that the printed bubble outlines must confirm.
MIN_MARKERS, MIN_MARKERS_WITH_OUTLINES = 3, 2


@dataclass(frozen=True)
class MarkerDetection:
    """ArUco markers found on a page: id → (4, 2) float32 corners in image px."""

    corners: dict[int, np.ndarray]


# OpenCV's own least marker outline (3 % of the image's long side): a 12 mm marker's
# 48 mm are 11 % of an A3 scanner bed.
MIN_PERIMETER_SHARE = 0.03
# Corners are refined until a step moves them by under 0.05 px (0.006 mm at 200 dpi), in
# at most 20 steps, in a window of half a marker cell (a side is 6 cells: 4 of code, 2 of
# border), so no other cell's edge falls in it: at least 2 px (a 5 × 5 window, the least
# with an edge on both sides of a corner), at most 12 px (half a cell of a 12 mm marker at
# 300 dpi: 25 px of edge place a corner far under the 0.05 px step; a finer scan's
# wider window would only cost time).
CORNER_CRITERIA = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.05)
CELLS_PER_SIDE, CORNER_WINDOW_PX = 6, (2, 12)


def _detector(
    smallest_window: int, largest_window: int, min_perimeter: float = MIN_PERIMETER_SHARE
) -> cv2.aruco.ArucoDetector:
    parameters = cv2.aruco.DetectorParameters()
    parameters.minMarkerPerimeterRate = min_perimeter
    parameters.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_NONE
    parameters.adaptiveThreshWinSizeMin = smallest_window
    parameters.adaptiveThreshWinSizeMax = largest_window
    parameters.adaptiveThreshWinSizeStep = 10
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    return cv2.aruco.ArucoDetector(dictionary, parameters)


# Markers of 12 mm are 23–47 px on the halved page, a cell 4–8 px. One thresholding
# window of 13 px (two to three cells) finds them on a normal scan in a third of the
# time; when it finds fewer than a sheet's four, windows of 3, 13 and 23 px (a cell, a
# marker, its quiet zone) look again. The quick search also passes over outlines shorter
# than 6 % of the page's long side: a marker's 48 mm are 11 % of an A3 scanner bed, a
# bubble's 14 mm and the print's letters less than 5 % of an A4 page.
_QUICK_DETECTOR = _detector(13, 13, min_perimeter=0.06)
_THOROUGH_DETECTOR = _detector(3, 23)
MARKERS_PER_SHEET = 4


def detect_markers(scan: ScanChannels, *, quick_only: bool = False) -> MarkerDetection:
    """Find ArUco markers on a page, in its ink channel (the markers are black).

    The search runs on the ink halved as often as it stays at least
    ``DETECTION_MIN_LONG_SIDE_PX`` long; ``quick_only`` looks with the quick detector
    only, not again thoroughly when it finds fewer than a sheet's markers.

    Returns
    -------
    MarkerDetection
        Corners in full-resolution pixels, refined to sub-pixel accuracy.
    """
    gray = scan.ink
    times = 0
    while max(gray.shape) >> (times + 1) >= DETECTION_MIN_LONG_SIDE_PX:
        times += 1
    small, scale = scan.ink_halved(times), 0.5**times
    corners, ids, _ = _QUICK_DETECTOR.detectMarkers(small)
    if not quick_only and (ids is None or len(ids) < MARKERS_PER_SHEET):
        corners, ids, _ = _THOROUGH_DETECTOR.detectMarkers(small)
    found: dict[int, np.ndarray] = {}
    if ids is None:
        return MarkerDetection(found)
    for marker_corners, marker_id in zip(corners, ids.ravel(), strict=True):
        points = (marker_corners.reshape(4, 2) / scale).astype(np.float32)
        side = float(np.linalg.norm(points[0] - points[1]))
        least, most = CORNER_WINDOW_PX
        window = max(least, min(most, int(side / (2 * CELLS_PER_SIDE))))
        cv2.cornerSubPix(gray, points, (window, window), (-1, -1), CORNER_CRITERIA)
        found.setdefault(int(marker_id), points)
    return MarkerDetection(found)


def _marker_corners_mm(registration: ArucoRegistration, marker_id: int) -> np.ndarray:
    marker = next(m for m in registration.markers if m.id == marker_id)
    x, y = marker.origin_mm
    size = registration.size_mm
    # ArUco corner order: top-left, top-right, bottom-right, bottom-left.
    return np.array([[x, y], [x + size, y], [x + size, y + size], [x, y + size]], np.float32)


def register_aruco(
    detection: MarkerDetection, template: SheetTemplate
) -> PageRegistration | Problem:
    """Register from ArUco markers already detected on the page (an ArUco template)."""
    registration = template.registration
    assert isinstance(registration, ArucoRegistration)
    template_id = template.id
    expected = {marker.id for marker in registration.markers}
    usable = sorted(expected & detection.corners.keys())
    if len(usable) < min(MIN_MARKERS_WITH_OUTLINES, len(expected)):
        foreign = sorted(detection.corners.keys() - expected)
        if foreign and not usable:
            return Problem(
                Reason.WRONG_TEMPLATE, template=template_id, found=0, expected=len(expected)
            )
        return Problem(Reason.MARKERS_NOT_FOUND, found=len(usable), expected=len(expected))
    too_few = Problem(Reason.MARKERS_NOT_FOUND, found=len(usable), expected=len(expected))
    return registration_from_marks(
        np.concatenate([_marker_corners_mm(registration, i) for i in usable]),
        np.concatenate([detection.corners[i] for i in usable]),
        method="aruco",
        marks_found=len(usable),
        marks_expected=len(expected),
        model="homography" if len(usable) >= MIN_MARKERS else "similarity",
        unconfirmed=too_few if len(usable) < MIN_MARKERS else None,
    )
