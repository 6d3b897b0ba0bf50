"""Registration: from a page image to the homography into template space.

:func:`register_page` finds the template's registration marks, whatever the page's
rotation (0/90/180/270° and skew), scale and offset, and fits a homography mapping
template millimetres ``(x, y)`` to image pixels ``(x, y)``. A page that cannot be
registered gives a falsy :class:`RegistrationFailure` carrying the reason.

ArUco markers are found on a halved copy (fast), then their corners are refined on
the full image. Each marker's id says which corner it is, so orientation comes for free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from omr.reading.channels import ScanChannels
from omr.sheet.template import ArucoRegistration, SheetTemplate

# 12 mm markers stay 23 px or more (a cell of 4 px) on a page halved down to this.
DETECTION_MIN_LONG_SIDE_PX = 600
MAX_REPROJECTION_ERROR_MM = 1.0
MIN_MARKERS = 3


@dataclass(frozen=True)
class PageRegistration:
    """A page registered to its template.

    ``homography`` is (3, 3) float64 and maps template mm (x, y) to image px (x, y);
    ``rotation`` is how far the page was turned in the scan (0, 90, 180 or 270°).
    """

    homography: np.ndarray
    method: str
    rotation: int
    marks_found: int
    marks_expected: int
    reprojection_error_mm: float
    px_per_mm: float
    found_ids: tuple[int, ...] = field(default=())

    def __bool__(self) -> bool:
        return True

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "rotation": self.rotation,
            "marks_found": self.marks_found,
            "marks_expected": self.marks_expected,
            "reprojection_error_mm": round(self.reprojection_error_mm, 3),
            "scan_dpi": round(self.px_per_mm * 25.4),
        }


@dataclass(frozen=True)
class RegistrationFailure:
    """Why a page could not be registered (falsy)."""

    reason: str
    message: str

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class MarkerDetection:
    """ArUco markers found on a page: id → (4, 2) float32 corners in image px."""

    corners: dict[int, np.ndarray]


def _detector(
    smallest_window: int, largest_window: int, min_perimeter: float = 0.03
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
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.05)
    for marker_corners, marker_id in zip(corners, ids.ravel(), strict=True):
        points = (marker_corners.reshape(4, 2) / scale).astype(np.float32)
        side = float(np.linalg.norm(points[0] - points[1]))
        window = max(2, min(12, int(side / 12)))
        cv2.cornerSubPix(gray, points, (window, window), (-1, -1), criteria)
        found.setdefault(int(marker_id), points)
    return MarkerDetection(found)


def _marker_corners_mm(registration: ArucoRegistration, marker_id: int) -> np.ndarray:
    marker = next(m for m in registration.markers if m.id == marker_id)
    x, y = marker.origin_mm
    size = registration.size_mm
    # ArUco corner order: top-left, top-right, bottom-right, bottom-left.
    return np.array([[x, y], [x + size, y], [x + size, y + size], [x, y + size]], np.float32)


def rotation_of(homography: np.ndarray) -> int:
    """The page's turn in the scan (0/90/180/270°), from the template's x axis."""
    origin = homography @ np.array([0.0, 0.0, 1.0])
    ahead = homography @ np.array([10.0, 0.0, 1.0])
    dx, dy = ahead[:2] / ahead[2] - origin[:2] / origin[2]
    angle = math.degrees(math.atan2(dy, dx)) % 360
    return int(round(angle / 90.0)) % 4 * 90


def fit_homography(
    template_mm: np.ndarray, image_px: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Fit template mm → image px and measure it.

    Returns
    -------
    homography : (3, 3) float64 ndarray
    error_mm : float
        Largest reprojection error, converted to mm.
    px_per_mm : float
        The scan's scale.
    """
    homography, _ = cv2.findHomography(template_mm, image_px, 0)
    projected = cv2.perspectiveTransform(template_mm.reshape(-1, 1, 2), homography).reshape(-1, 2)
    spread_mm = np.linalg.norm(template_mm - template_mm.mean(axis=0), axis=1).mean()
    spread_px = np.linalg.norm(image_px - image_px.mean(axis=0), axis=1).mean()
    px_per_mm = float(spread_px / spread_mm)
    error_mm = float(np.linalg.norm(projected - image_px, axis=1).max() / px_per_mm)
    return homography, error_mm, px_per_mm


def register_aruco(
    detection: MarkerDetection, registration: ArucoRegistration
) -> PageRegistration | RegistrationFailure:
    """Register from ArUco markers already detected on the page."""
    expected = {marker.id for marker in registration.markers}
    usable = sorted(expected & detection.corners.keys())
    if len(usable) < min(MIN_MARKERS, len(expected)):
        foreign = sorted(detection.corners.keys() - expected)
        if foreign and not usable:
            return RegistrationFailure(
                "wrong_template",
                f"the page carries markers {foreign}, not this template's {sorted(expected)}: "
                "it is a sheet of another template",
            )
        return RegistrationFailure(
            "markers_not_found",
            f"only {len(usable)} of {len(expected)} corner markers were found; a corner may be "
            "torn, folded or outside the scan",
        )
    return registration_from_marks(
        np.concatenate([_marker_corners_mm(registration, i) for i in usable]),
        np.concatenate([detection.corners[i] for i in usable]),
        method="aruco",
        marks_found=len(usable),
        marks_expected=len(expected),
        found_ids=tuple(usable),
    )


def registration_from_marks(
    template_mm: np.ndarray,
    image_px: np.ndarray,
    *,
    method: str,
    marks_found: int,
    marks_expected: int,
    found_ids: tuple[int, ...] = (),
) -> PageRegistration | RegistrationFailure:
    """Fit the homography from matched mark corners and check its accuracy.

    Parameters
    ----------
    template_mm, image_px : (N, 2) float32 ndarray
        The same mark corners in template mm and in image px.
    """
    homography, error_mm, px_per_mm = fit_homography(template_mm, image_px)
    if error_mm > MAX_REPROJECTION_ERROR_MM:
        return RegistrationFailure(
            "registration_inaccurate",
            f"the registration marks do not agree (error {error_mm:.2f} mm): the sheet may be "
            "folded, creased or not flat on the scanner",
        )
    return PageRegistration(
        homography=homography,
        method=method,
        rotation=rotation_of(homography),
        marks_found=marks_found,
        marks_expected=marks_expected,
        reprojection_error_mm=error_mm,
        px_per_mm=px_per_mm,
        found_ids=found_ids,
    )


def register_page(
    scan: ScanChannels, template: SheetTemplate, detection: MarkerDetection | None = None
) -> PageRegistration | RegistrationFailure:
    """Register a page to ``template``.

    Parameters
    ----------
    scan : ScanChannels
    template : SheetTemplate
    detection : MarkerDetection, optional
        Markers already found on this page (to avoid detecting twice).
    """
    registration = template.registration
    if isinstance(registration, ArucoRegistration):
        return register_aruco(detection or detect_markers(scan), registration)
    from omr.reading.registration.blocks import register_by_blocks

    return register_by_blocks(scan, template)
