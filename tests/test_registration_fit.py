"""The fit from matched marks (omr.reading.registration.fit)."""

from __future__ import annotations

import cv2
import numpy as np

from omr.reading.registration.fit import fit_homography


def _square(centre: tuple[float, float], side: float = 5.0) -> np.ndarray:
    x, y = centre
    h = side / 2
    return np.array([[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h]])


def test_three_marks_affine_fit_leaves_none_out() -> None:
    # Three blocks at an A4 page's corners, the third found 2 mm lower than a uniform
    # scale puts it (a page not quite flat, or printed stretched): three marks determine
    # an affine map exactly, so the fit must go through all three. A robust estimator
    # (LMEDS) fitted the first two, left the third out and reported its whole miss.
    template_mm = np.concatenate(
        [_square((10.0, 10.0)), _square((200.0, 10.0)), _square((10.0, 287.0))]
    ).astype(np.float32)
    image_px = template_mm * 8.0 + np.array([50.0, 40.0])
    image_px[8:] += np.array([0.0, 16.0])
    image_px = image_px.astype(np.float32)
    homography, error_mm, px_per_mm = fit_homography(template_mm, image_px, "affine")
    projected = cv2.perspectiveTransform(template_mm.reshape(-1, 1, 2), homography).reshape(-1, 2)
    misses = np.linalg.norm(projected - image_px, axis=1).reshape(3, 4).mean(axis=1) / px_per_mm
    assert misses.max() < 0.05, misses
    assert error_mm < 0.05


def test_three_marks_exactly_affine_fit_exactly() -> None:
    template_mm = np.concatenate(
        [_square((12.0, 9.0)), _square((198.0, 11.0)), _square((14.0, 285.0))]
    ).astype(np.float32)
    affine = np.array([[11.8, -0.2, 30.0], [0.21, 11.8, -20.0]])
    image_px = (template_mm @ affine[:, :2].T + affine[:, 2]).astype(np.float32)
    homography, error_mm, px_per_mm = fit_homography(template_mm, image_px, "affine")
    assert error_mm < 1e-3
    np.testing.assert_allclose(homography[:2], affine, atol=1e-3)
    assert abs(px_per_mm - 11.8) < 0.1
