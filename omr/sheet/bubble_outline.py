"""How far a bubble's printed outline lies from its centre, direction by direction.

The reader samples round a bubble in units of its own outline: 1 is on the outline, in
every direction. A bubble's frame is scaled by its half-width and half-height (``rx``,
``ry``): there a circle or an ellipse is the unit circle, and a box (``shape: box``, a
square or a rectangle with sharp corners) the unit square ``|x|, |y| <= 1``, whose
corners lie √2 out. A direction is an angle in that frame (the point ``(cos θ · rx,
sin θ · ry)`` lies on an ellipse's outline).
"""

from __future__ import annotations

import numpy as np

BOX = "box"  # a template's `bubble.shape` for a box with sharp corners
# A box's corners lie this far out in its own frame: its half-diagonal, in half-sides.
BOX_CORNER = float(np.sqrt(2.0))


def is_box(shape: str) -> bool:
    """Whether a bubble of ``shape`` is a box (sharp corners), not an ellipse."""
    return shape == BOX


def outline_scale(angles: np.ndarray) -> np.ndarray:
    """A box's outline in directions ``angles`` (radians), in its frame: 1 across the
    sides' middles, √2 at the corners (an ellipse's is 1 everywhere)."""
    return 1.0 / np.maximum(np.abs(np.cos(angles)), np.abs(np.sin(angles)))


def squared_extent(offsets: np.ndarray, box: np.ndarray | bool) -> np.ndarray:
    """How far out ``offsets`` (..., 2), in a bubble's frame, lie, squared: 1 on the
    outline. ``box`` (bool, or (...,) bool): which offsets belong to a box, whose extent
    is the larger of ``|x|`` and ``|y|``."""
    squared = (offsets**2).sum(axis=-1)
    if np.any(box):
        squared = np.where(box, (offsets**2).max(axis=-1), squared)
    return squared
