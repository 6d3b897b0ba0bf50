"""The fit shared by every kind of registration mark: template mm → image px.

A registration is a homography mapping template millimetres ``(x, y)`` to image pixels
``(x, y)``, whatever the page's rotation (0/90/180/270° and skew), scale and offset; a
page that cannot be registered gives a falsy :class:`~omr.vocabulary.reasons.Problem`
carrying the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from omr.reading.bend import Bend
from omr.vocabulary.reasons import Problem, Reason

# A fit that misses a mark it was made from by a millimetre (a fifth of the smallest
# bubble pitch) took a wrong blob for a mark, or the page is not flat.
MAX_REPROJECTION_ERROR_MM = 1.0
# The models a fit may use: a homography (8 unknowns) needs marks at 4 places or more
# not in a line; an affine map (6) marks at 3; a similarity (4: turn, scale, shift) 2.
Model = Literal["homography", "affine", "similarity"]


@dataclass(frozen=True)
class PageRegistration:
    """A page registered to its template.

    ``homography`` is (3, 3) float64 and maps template mm (x, y) to image px (x, y);
    ``rotation`` is how far the page was turned in the scan (0, 90, 180 or 270°);
    ``outlines`` how many printed bubble outlines the fit was refined on;
    ``unconfirmed``, when the marks found were too few or too far off for a fit of
    their own, is the page's reason unless the printed outlines confirm it;
    ``marks_mm`` and ``marks_px`` (M, 2) the found marks' corners in template mm and in
    image px; ``bend``, for a page that does not lie flat, moves template mm before the
    homography (:mod:`omr.reading.bend`).
    """

    homography: np.ndarray
    method: str
    rotation: int
    marks_found: int
    marks_expected: int
    reprojection_error_mm: float
    px_per_mm: float
    outlines: int = 0
    unconfirmed: Problem | None = None
    marks_mm: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)
    marks_px: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)
    bend: Bend | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return True

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "rotation": self.rotation,
            "marks_found": self.marks_found,
            "marks_expected": self.marks_expected,
            "reprojection_error_mm": round(self.reprojection_error_mm, 3),
            "outlines": self.outlines,
            "bent": self.bend is not None,
            "scan_dpi": round(self.px_per_mm * 25.4),
        }


def rotation_of(homography: np.ndarray) -> int:
    """The page's turn in the scan (0/90/180/270°), from the template's x axis."""
    origin = homography @ np.array([0.0, 0.0, 1.0])
    ahead = homography @ np.array([10.0, 0.0, 1.0])
    dx, dy = ahead[:2] / ahead[2] - origin[:2] / origin[2]
    angle = math.degrees(math.atan2(dy, dx)) % 360
    return int(round(angle / 90.0)) % 4 * 90


def fit_homography(
    template_mm: np.ndarray, image_px: np.ndarray, model: Model = "homography"
) -> tuple[np.ndarray, float, float]:
    """Fit template mm → image px with ``model`` and measure it.

    Returns
    -------
    homography : (3, 3) float64 ndarray
    error_mm : float
        Largest reprojection error, converted to mm.
    px_per_mm : float
        The scan's scale.
    """
    if model == "homography":
        homography, _ = cv2.findHomography(template_mm, image_px, 0)
    elif model == "affine":
        homography = _least_squares_affine(template_mm, image_px)
    else:
        affine, _ = cv2.estimateAffinePartial2D(template_mm, image_px, method=cv2.LMEDS)
        homography = np.vstack([affine, [0.0, 0.0, 1.0]])
    projected = cv2.perspectiveTransform(template_mm.reshape(-1, 1, 2), homography).reshape(-1, 2)
    spread_mm = np.linalg.norm(template_mm - template_mm.mean(axis=0), axis=1).mean()
    spread_px = np.linalg.norm(image_px - image_px.mean(axis=0), axis=1).mean()
    px_per_mm = float(spread_px / spread_mm)
    error_mm = float(np.linalg.norm(projected - image_px, axis=1).max() / px_per_mm)
    return homography, error_mm, px_per_mm


def _least_squares_affine(template_mm: np.ndarray, image_px: np.ndarray) -> np.ndarray:
    """The affine map (as a (3, 3) homography) fitted by least squares on every point.

    An affine map is fitted on 3 marks (their centres alone would determine it; their
    corners overdetermine it): a robust estimator (LMEDS) would fit two of them and
    leave the third out, whose miss (millimetres on a page that is not quite flat) it
    then reports as the fit's error; least squares leaves no mark out and shares the miss
    between them."""
    source = np.asarray(template_mm, dtype=np.float64).reshape(-1, 2)
    target = np.asarray(image_px, dtype=np.float64).reshape(-1, 2)
    design = np.hstack([source, np.ones((len(source), 1))])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])


def registration_from_marks(
    template_mm: np.ndarray,
    image_px: np.ndarray,
    *,
    method: str,
    marks_found: int,
    marks_expected: int,
    model: Model = "homography",
    unconfirmed: Problem | None = None,
) -> PageRegistration | Problem:
    """Fit the homography from matched mark corners and check its accuracy.

    Parameters
    ----------
    template_mm, image_px : (N, 2) float32 ndarray
        The same mark corners in template mm and in image px.
    model : {"homography", "affine", "similarity"}
        What the marks found can determine (see :data:`Model`).
    unconfirmed : Problem, optional
        The page's reason unless the printed outlines confirm the fit (too few marks).

    A homography that misses its marks by more than ``MAX_REPROJECTION_ERROR_MM`` is
    refused; a simpler model may miss them for its simplicity (a slight perspective), so
    the outlines must then confirm it.
    """
    homography, error_mm, px_per_mm = fit_homography(template_mm, image_px, model)
    if error_mm > MAX_REPROJECTION_ERROR_MM:
        inaccurate = Problem(
            Reason.REGISTRATION_INACCURATE,
            detail_ro=f"eroare {error_mm:.2f} mm",
            detail_en=f"error {error_mm:.2f} mm",
        )
        if model == "homography":
            return inaccurate
        unconfirmed = unconfirmed or inaccurate
    return PageRegistration(
        homography=homography,
        method=method,
        rotation=rotation_of(homography),
        marks_found=marks_found,
        marks_expected=marks_expected,
        reprojection_error_mm=error_mm,
        px_per_mm=px_per_mm,
        unconfirmed=unconfirmed,
        marks_mm=template_mm.reshape(-1, 2),
        marks_px=image_px.reshape(-1, 2),
    )
