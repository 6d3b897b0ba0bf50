"""Registration marks printed otherwise than black, shared by the registration tests."""

from __future__ import annotations

import numpy as np

from omr.sheet.template import SheetTemplate


def marks_restyled(
    page: np.ndarray, template: SheetTemplate, style: str, px_per_mm: float
) -> np.ndarray:
    """The registration marks printed black, light (a 45 % grey) or as a 50 % screen of
    2 px dots; or a shadow 55 % deep falling across the page's right half."""
    page = np.array(page)
    if style == "black":
        return page
    if style == "shadow":
        xs = np.arange(page.shape[1]) / page.shape[1]
        gain = 1 - 0.55 * np.clip((xs - 0.5) * 2, 0, 1)
        return np.clip(page * gain[None, :], 0, 255).astype(np.uint8)
    ys, xs = np.mgrid[0 : page.shape[0], 0 : page.shape[1]]
    screen = np.where((ys // 2 + xs // 2) % 2 == 0, 0, 255).astype(np.uint8)
    for block in template.registration.blocks:
        box = block.box
        rows = slice(int(box.origin_mm[1] * px_per_mm), int(box.bottom * px_per_mm) + 1)
        cols = slice(int(box.origin_mm[0] * px_per_mm), int(box.right * px_per_mm) + 1)
        styled = np.full_like(page[rows, cols], 140) if style == "light" else screen[rows, cols]
        page[rows, cols] = np.where(page[rows, cols] < 128, styled, page[rows, cols])
    return page
