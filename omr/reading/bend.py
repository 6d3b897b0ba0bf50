"""A gently curved page: where template mm lie in the scan, beyond one homography.

A sheet that does not lie flat (a phone photo of a page on cloth, a page curling off
the glass) is no plane: one homography places its bubbles a millimetre or more off. The
page map is the registration's homography after a smooth bend of template space: a
polynomial of low degree in x and y, fitted where the printed outlines and the marks
show the page to lie. A bend is only as good as what it was fitted on: the registration
that fits one also checks it against every outline and mark.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A quadratic bends a page once along each axis (a page curling off the glass, a sheet
# sagging on cloth); it has 6 terms per axis, so a dozen outlines determine it.
DEGREE = 2
TERMS = (DEGREE + 1) * (DEGREE + 2) // 2
# Pixels mapped at a time when a window is straightened (bounds the temporaries).
CHUNK_POINTS = 1 << 16


def _terms(points_mm: np.ndarray, centre: np.ndarray, span: float) -> np.ndarray:
    """(N, T) the monomials x^i y^j (i + j <= ``DEGREE``) of points scaled to about ±1."""
    x, y = ((points_mm - centre) / span).T
    return np.stack([x**i * y**j for i in range(DEGREE + 1) for j in range(DEGREE + 1 - i)], axis=1)


@dataclass(frozen=True)
class Bend:
    """How far (mm) template points move before the homography: ``coefficients`` (T, 2)
    of the monomials of :func:`_terms` about ``centre`` (2,) mm, scaled by ``span`` mm."""

    coefficients: np.ndarray
    centre: np.ndarray
    span: float

    @staticmethod
    def fit(points_mm: np.ndarray, moved_mm: np.ndarray) -> Bend:
        """The bend that moves ``points_mm`` (N, 2) nearest to ``moved_mm`` (N, 2)
        (least squares; N must exceed the number of terms)."""
        centre = points_mm.mean(axis=0)
        span = max(float(np.abs(points_mm - centre).max()), 1.0)
        terms = _terms(points_mm, centre, span)
        coefficients, *_ = np.linalg.lstsq(terms, moved_mm - points_mm, rcond=None)
        return Bend(coefficients, centre, span)

    def moved(self, points_mm: np.ndarray) -> np.ndarray:
        """``points_mm`` (..., 2) bent: (..., 2) mm."""
        flat = points_mm.reshape(-1, 2).astype(np.float64)
        return (flat + _terms(flat, self.centre, self.span) @ self.coefficients).reshape(
            points_mm.shape
        )


def to_source_points(
    points_px: np.ndarray, to_source: np.ndarray, bend: Bend | None, px_per_mm: float
) -> np.ndarray:
    """Template px ``points_px`` (..., 2) at ``px_per_mm`` → scan px (..., 2), float64:
    bent (when ``bend``), then through ``to_source`` (3, 3 template px → scan px)."""
    flat = points_px.reshape(-1, 2).astype(np.float64)
    if bend is not None:
        flat = bend.moved(flat / px_per_mm) * px_per_mm
    mapped = cv2.perspectiveTransform(flat.reshape(-1, 1, 2), to_source)
    return mapped.reshape(points_px.shape)


def remap(
    image: np.ndarray,
    to_source: np.ndarray,
    bend: Bend,
    px_per_mm: float,
    size: tuple[int, int],
    origin: tuple[float, float],
    interpolation: int,
    border: int,
) -> np.ndarray:
    """The template-space window of ``size`` (w, h) px at ``origin`` (x, y) px of the
    bent page: each pixel's centre mapped into ``image`` (``to_source`` maps template px
    to its px)."""
    xs = np.arange(size[0], dtype=np.float64) + origin[0]
    mapped = np.empty((size[1], size[0], 2), np.float32)
    rows = max(1, CHUNK_POINTS // max(size[0], 1))
    for top in range(0, size[1], rows):
        ys = np.arange(top, min(top + rows, size[1]), dtype=np.float64) + origin[1]
        grid = np.stack(np.meshgrid(xs, ys), axis=2)
        mapped[top : top + len(ys)] = to_source_points(grid, to_source, bend, px_per_mm)
    return cv2.remap(
        image,
        mapped[..., 0],
        mapped[..., 1],
        interpolation,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(border,) * 3,
    )
