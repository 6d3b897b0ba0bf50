"""The page straightened into template space, where every stage after registration works.

Only what is measured is warped: the bubbles with room for the outline search and the
arms of an X, and the printed codes. Warping costs per output pixel, and on our sheets
these parts are a third of the page. Any other box (a handwritten zone, the QR code
when the scan's own pixels do not decode) and the whole page (overlays) are straightened
on demand, and a coarse overview of the whole page serves the stray-ink check.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import TypeVar

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from omr.reading.bend import Bend, remap, to_source_points
from omr.reading.channels import PRINT_CHANNEL, ScanChannels
from omr.sheet.template import Box, SheetTemplate

# Template space at 8 px/mm (203 dpi): the thinnest pen line (0.3 mm) is 2.4 px, the
# smallest bubble (3.4 mm) 27 px across. Its overview at 2 px/mm shows the print's
# boxes and marks, not strokes.
PX_PER_MM = 8.0
OVERVIEW_PX_PER_MM = 2.0
# Around every bubble: an X's arms reach 1.9 radii, the outline search 0.8 mm more.
BUBBLE_MARGIN_RADII, BUBBLE_MARGIN_MM = 2.0, 1.5
BOX_MARGIN_MM = 4.0  # around the printed codes
BEND_EDGE_PX = 16  # a bent window's edges are mapped at points this far apart
PAPER = 255  # what lies outside the scan is read as paper
SAMPLES_AT_ONCE = 1 << 16  # per take: its index array, 512 kB, stays in cache
# Samples read from each centre's patch when they are at least a third of its pixels
# (the bubbles' alignment search, an X's reach, a stroke across a fill) and half a
# million or more in all (fewer are read as fast from anywhere, as on an A4 page), 256 kB
# of patches at once.
PATCH_FILL, PATCH_SAMPLES_MIN, PATCH_BYTES_AT_ONCE = 1 / 3, 1 << 19, 1 << 18
Result = TypeVar("Result")


def per_template(function: Callable[..., Result]) -> Callable[..., Result]:
    """Cache ``function(template, *args)`` for as long as that template object lives.

    Templates are immutable; what is derived from their geometry is derived once per
    loaded template, not once per page.
    """
    results: dict[tuple, Result] = {}

    @wraps(function)
    def cached(template: SheetTemplate, *args) -> Result:
        key = (id(template), *args)
        if key not in results:
            results[key] = function(template, *args)
            weakref.finalize(template, results.pop, key, None)
        return results[key]

    return cached


def _to_source(homography: np.ndarray, px_per_mm: float) -> np.ndarray:
    """(3, 3) template px → source px."""
    return homography @ np.diag([1.0 / px_per_mm, 1.0 / px_per_mm, 1.0])


def _warp(
    image: np.ndarray,
    to_source: np.ndarray,
    size: tuple[int, int],
    origin=(0, 0),
    interpolation: int = cv2.INTER_LINEAR,
    bend: tuple[Bend, float] | None = None,
    into: np.ndarray | None = None,
) -> np.ndarray:
    """The template-space window of ``size`` (w, h) px at ``origin`` (x, y) px, written
    into ``into`` (a view of that size) when given; ``bend`` the page's bend and the
    template px per mm, when it is bent."""
    if bend is not None:
        return remap(image, to_source, *bend, size, origin, interpolation, PAPER)
    shift = np.array([[1.0, 0, origin[0]], [0, 1.0, origin[1]], [0, 0, 1]])
    return cv2.warpPerspective(
        image,
        to_source @ shift,
        size,
        dst=into,
        flags=interpolation | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(PAPER, PAPER, PAPER),
    )


def measured_boxes(template: SheetTemplate) -> list[tuple[float, float, float, float]]:
    """The template boxes (x0, y0, x1, y1) in mm the reading looks at, with margins."""
    boxes = []
    for bubble in template.all_bubbles:
        grow = max(bubble.size_mm) / 2 * BUBBLE_MARGIN_RADII + BUBBLE_MARGIN_MM
        x, y = bubble.center_mm
        boxes.append((x - grow, y - grow, x + grow, y + grow))
    for box in (box for field in template.coded_fields for box in field.positions.values()):
        x0, y0 = box.origin_mm
        boxes.append(
            (
                x0 - BOX_MARGIN_MM,
                y0 - BOX_MARGIN_MM,
                box.right + BOX_MARGIN_MM,
                box.bottom + BOX_MARGIN_MM,
            )
        )
    return boxes


@per_template
def measured_windows(template: SheetTemplate, px_per_mm: float) -> list[tuple[int, ...]]:
    """Disjoint px windows (x0, y0, x1, y1) covering :func:`measured_boxes`.

    The boxes are painted on a 1 px/mm map; each connected area's bounding box is one
    window (neighbouring bubbles merge into their block).
    """
    width_mm, height_mm = (int(np.ceil(v)) for v in template.page_size_mm)
    occupied = np.zeros((height_mm + 1, width_mm + 1), np.uint8)
    for x0, y0, x1, y1 in measured_boxes(template):
        occupied[max(0, int(y0)) : int(np.ceil(y1)) + 1, max(0, int(x0)) : int(np.ceil(x1)) + 1] = 1
    count, _, stats, _ = cv2.connectedComponentsWithStats(occupied, connectivity=8)
    limit_x, limit_y = int(round(width_mm * px_per_mm)), int(round(height_mm * px_per_mm))
    windows = []
    for x, y, w, h, _ in stats[1:count]:
        windows.append(
            (
                int(x * px_per_mm),
                int(y * px_per_mm),
                min(limit_x, int((x + w) * px_per_mm)),
                min(limit_y, int((y + h) * px_per_mm)),
            )
        )
    return windows


@dataclass(frozen=True, eq=False)
class TemplatePage:
    """A page warped into template space.

    ``ink`` is (H, W) uint8 where a drop-out print vanishes on colour scans (see
    :mod:`omr.reading.channels`); it holds the measured windows (``windows``, px) and paper
    white elsewhere. ``scan`` is the page as scanned, and ``to_source`` (3, 3) maps
    template px to its px. ``print_apart`` tells that the print is found in another channel
    than the ink (a colour scan of a drop-out print). ``bend``, for a page that does not
    lie flat, moves template mm before ``to_source`` (:mod:`omr.reading.bend`).
    Pixel (row, col) = (y_mm, x_mm) × ``px_per_mm``.
    """

    ink: np.ndarray
    px_per_mm: float
    scan: ScanChannels
    to_source: np.ndarray
    windows: tuple[tuple[int, ...], ...] = ()
    print_apart: bool = False
    bend: Bend | None = None

    @property
    def _bent(self) -> tuple[Bend, float] | None:
        return None if self.bend is None else (self.bend, self.px_per_mm)

    def source_points(self, points_px: np.ndarray) -> np.ndarray:
        """Template px ``points_px`` (..., 2) → the scan's px (..., 2), float64."""
        return to_source_points(points_px, self.to_source, self.bend, self.px_per_mm)

    @cached_property
    def printed(self) -> np.ndarray:
        """(H, W) uint8 where the print is darkest, in the measured windows; ``ink`` itself
        unless the print is apart. Straightened on first use."""
        if not self.print_apart:
            return self.ink

        def green(top: int, bottom: int, left: int, right: int) -> np.ndarray:
            return cv2.extractChannel(self.source[top:bottom, left:right], PRINT_CHANNEL)

        # The nearest pixel (half a pixel off at most) serves locating the print.
        return _straighten_windows(
            green,
            self.to_source,
            self.ink.shape,
            self.source.shape,
            self.windows,
            cv2.INTER_NEAREST,
            self._bent,
        )

    def sample_printed(self, centers_px: np.ndarray, offsets_px: np.ndarray) -> np.ndarray:
        """:attr:`printed` at template px ``centers_px`` (N, 2) + ``offsets_px`` (..., 2):
        (N, ...) uint8, nearest pixel.

        When the print is apart, it is read from the scan's own pixels (each centre
        mapped, the offsets turned and scaled as the page is around the centres), which
        costs no straightening: from the print part the registration kept
        (:meth:`ScanChannels.print_part`) when it holds them all, a third of the bytes to
        read; centres too near the scan's edge use :attr:`printed`.
        """
        if not self.print_apart:
            return gather(self.ink, centers_px, offsets_px)
        mapped = self.source_points(centers_px).reshape(-1, 2)
        turn = _jacobian(self.to_source, centers_px.mean(axis=0))
        offsets = offsets_px @ turn.T
        reach = np.abs(offsets).reshape(-1, 2).max(axis=0) + 1
        if not _all_within(mapped, reach, (0, 0), self.source.shape[1::-1]):
            return gather(self.printed, centers_px, offsets_px)
        kept = self.scan.kept_print_part()
        if kept is not None:
            part, origin = kept
            height, width = part.shape
            if _all_within(mapped, reach, origin, (origin[0] + width, origin[1] + height)):
                return _sampled(part, mapped, offsets, origin=origin)
        return _sampled(self.source, mapped, offsets, PRINT_CHANNEL)

    @cached_property
    def scan_pixel_mm(self) -> float:
        """mm: one of the scan's own pixels (the mean of its two sides), at the page's
        middle (a 150 dpi scan's are coarser than the straightened page's)."""
        middle = np.array(self.ink.shape[::-1], np.float64) / 2
        scale = np.sqrt(abs(np.linalg.det(_jacobian(self.to_source, middle))))
        return float(1.0 / (scale * self.px_per_mm))

    @property
    def halftone_cell_mm(self) -> float:
        """mm: the halftone cell a bi-level scan's pixels are the mean of, at the page's
        middle (0: a scan that writes its tone itself)."""
        return self.scan.halftone_cell_px * self.scan_pixel_mm

    @property
    def tone_step(self) -> float:
        """The finest difference of tone the scan writes (:attr:`ScanChannels.tone_step`)."""
        return self.scan.tone_step

    @property
    def source(self) -> np.ndarray:
        """The scan (H', W') or (H', W', 3) BGR uint8."""
        return self.scan.image

    @property
    def is_colour(self) -> bool:
        return self.source.ndim == 3

    @cached_property
    def colour(self) -> np.ndarray | None:
        """The whole page straightened, (H, W, 3) BGR uint8; ``None`` for grayscale scans."""
        return self.straightened() if self.is_colour else None

    def straightened(self) -> np.ndarray:
        """The whole page straightened: (H, W) gray or (H, W, 3) BGR uint8."""
        return _warp(self.source, self.to_source, self.ink.shape[::-1], bend=self._bent)

    def overview(self, px_per_mm: float = OVERVIEW_PX_PER_MM) -> np.ndarray:
        """The whole page's ink channel, coarse: (h, w) uint8 at ``px_per_mm``.

        The scan is halved first (a 2 × 2 mean: cheap, and no thin stroke is skipped)
        while it keeps one and a half of its pixels per overview pixel.
        """
        to_ink = self.to_source @ np.diag([self.px_per_mm / px_per_mm] * 2 + [1])
        times = 0
        while np.sqrt(abs(np.linalg.det(to_ink[:2, :2]))) >= 3:
            times += 1
            # Halved pixel j is the mean of pixels 2j and 2j + 1: its centre is 2j + 0.5.
            to_ink = np.array([[0.5, 0, -0.25], [0, 0.5, -0.25], [0, 0, 1]]) @ to_ink
        ink = self.scan.ink_halved(times)
        size = (
            int(round(self.ink.shape[1] * px_per_mm / self.px_per_mm)),
            int(round(self.ink.shape[0] * px_per_mm / self.px_per_mm)),
        )
        return _warp(ink, to_ink, size, bend=None if self.bend is None else (self.bend, px_per_mm))

    def sample_colour(self, points_px: np.ndarray) -> np.ndarray:
        """The scan's BGR at template px points: (N, 2) (x, y) → (N, 3) uint8."""
        if len(points_px) == 0:
            return np.zeros((0, 3), np.uint8)
        mapped = self.source_points(points_px).reshape(-1, 2)
        xs = np.clip(np.rint(mapped[:, 0]).astype(np.intp), 0, self.source.shape[1] - 1)
        ys = np.clip(np.rint(mapped[:, 1]).astype(np.intp), 0, self.source.shape[0] - 1)
        return self.source[ys, xs].reshape(-1, 3)

    def source_crop(self, box: Box) -> np.ndarray:
        """The scan's own pixels (unresampled) around a template box: (h, w) uint8 gray."""
        corners_mm = np.array(
            [
                [box.origin_mm[0], box.origin_mm[1]],
                [box.right, box.origin_mm[1]],
                [box.right, box.bottom],
                [box.origin_mm[0], box.bottom],
            ]
        )
        corners = self.source_points(corners_mm * self.px_per_mm)
        x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int), 0)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 1
        crop = self.source[y0:y1, x0:x1]
        return cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop

    def to_px(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        return x_mm * self.px_per_mm, y_mm * self.px_per_mm

    def crop(self, box: Box) -> np.ndarray:
        """The ``printed`` pixels of a template box (mm): from the measured windows when
        they hold it, else straightened from the scan now."""
        x0 = max(0, int(round(box.origin_mm[0] * self.px_per_mm)))
        y0 = max(0, int(round(box.origin_mm[1] * self.px_per_mm)))
        x1 = min(self.ink.shape[1], int(round(box.right * self.px_per_mm)))
        y1 = min(self.ink.shape[0], int(round(box.bottom * self.px_per_mm)))
        if x1 <= x0 or y1 <= y0:
            return self.ink[0:0, 0:0]
        if any(
            wx0 <= x0 and wy0 <= y0 and x1 <= wx1 and y1 <= wy1
            for wx0, wy0, wx1, wy1 in self.windows
        ):
            return self.printed[y0:y1, x0:x1]
        window = _warp(self.source, self.to_source, (x1 - x0, y1 - y0), (x0, y0), bend=self._bent)
        return cv2.extractChannel(window, PRINT_CHANNEL) if window.ndim == 3 else window


def warp_to_template(
    scan: ScanChannels,
    homography: np.ndarray,
    template: SheetTemplate,
    px_per_mm: float = PX_PER_MM,
    bend: Bend | None = None,
) -> TemplatePage:
    """Straighten the measured parts of a page into template space.

    ``homography`` (3, 3) maps template mm, moved by ``bend`` when the page is bent, to
    the scan's px.
    """
    width_mm, height_mm = template.page_size_mm
    shape = (int(round(height_mm * px_per_mm)), int(round(width_mm * px_per_mm)))
    to_source = _to_source(homography, px_per_mm)
    windows = tuple(measured_windows(template, px_per_mm))

    def ink(top: int, bottom: int, left: int, right: int) -> np.ndarray:
        return scan.ink[top:bottom, left:right]

    bent = None if bend is None else (bend, px_per_mm)
    return TemplatePage(
        _straighten_windows(ink, to_source, shape, scan.ink.shape, windows, cv2.INTER_LINEAR, bent),
        px_per_mm,
        scan,
        to_source,
        windows,
        # Without a drop-out print the ink channel shows the print too.
        print_apart=scan.is_colour and template.print.drops_out,
        bend=bend,
    )


def _straighten_windows(
    part: Callable[[int, int, int, int], np.ndarray],
    to_source: np.ndarray,
    shape: tuple[int, ...],
    source_shape: tuple[int, ...],
    windows: tuple[tuple[int, ...], ...],
    interpolation: int,
    bend: tuple[Bend, float] | None = None,
) -> np.ndarray:
    """A (H, W) = ``shape`` uint8 template page: paper, and the windows straightened from
    ``part(top, bottom, left, right)``, the one channel of the scan's px rectangle each
    window comes from (only that part of the scan is converted and resampled); ``bend``
    the page's bend and the template px per mm, when it is bent."""
    page = np.full(shape[:2], PAPER, np.uint8)
    for x0, y0, x1, y1 in windows:
        left, top, right, bottom = _source_bounds(to_source, (x0, y0, x1, y1), source_shape, bend)
        to_part = np.array([[1.0, 0, -left], [0, 1.0, -top], [0, 0, 1]]) @ to_source
        window = page[y0:y1, x0:x1]
        source = part(top, bottom, left, right)
        warped = _warp(source, to_part, (x1 - x0, y1 - y0), (x0, y0), interpolation, bend, window)
        if warped is not window:  # OpenCV writes in place only into a view of the right size
            window[...] = warped
    return page


def _jacobian(homography: np.ndarray, point: np.ndarray) -> np.ndarray:
    """(2, 2) derivative of ``homography``'s mapping at ``point`` (x, y)."""
    x, y = float(point[0]), float(point[1])
    (h11, h12, h13), (h21, h22, h23), (h31, h32, h33) = homography
    w = h31 * x + h32 * y + h33
    u, v = (h11 * x + h12 * y + h13) / w, (h21 * x + h22 * y + h23) / w
    return np.array([[h11 - u * h31, h12 - u * h32], [h21 - v * h31, h22 - v * h32]]) / w


def _all_within(
    points: np.ndarray, reach: np.ndarray, low: tuple[int, int], high: tuple[int, int]
) -> bool:
    """Whether every one of ``points`` (N, 2) px lies ``reach`` (2,) px or more inside the
    px rectangle from ``low`` (x, y) to ``high`` (x, y), that one excluded."""
    return not (
        (points.min(axis=0) - low < reach).any() or (points >= np.subtract(high, reach)).any()
    )


def _flat(offsets: np.ndarray, width: int, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Integer offsets (..., 2) as (x, y) px, less ``origin``, → offsets into a flattened
    (H, ``width``) image."""
    rounded = np.rint(offsets).astype(np.intp) - origin
    return rounded[..., 0] + rounded[..., 1] * width


def _sampled(
    image: np.ndarray,
    centers: np.ndarray,
    offsets: np.ndarray,
    channel: int = 0,
    origin: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """``channel`` of (H, W) or (H, W, C) ``image`` at every centre (N, 2) + offset
    (..., 2), both (x, y) px: (N, ...), out of bounds clipped; ``image`` a part of a
    larger one whose px ``origin`` (x, y) is its first (``centers`` are that one's px).

    Centres and offsets are rounded to whole pixels separately, so one flat index per
    offset serves every centre; the centres are taken a few at a time, so no index array
    of every sample is made at once (nor its memory traffic).
    """
    patched = _patch_sampled(image, centers, offsets, channel, origin)
    if patched is not None:
        return patched
    width = image.shape[1]
    channels = image.shape[2] if image.ndim == 3 else 1
    base = _flat(centers, width, origin) * channels + channel
    steps = _flat(offsets, width) * channels
    flat = image.reshape(-1)
    result = np.empty((len(base), *steps.shape), image.dtype)
    rows = max(1, SAMPLES_AT_ONCE // max(steps.size, 1))
    for start in range(0, len(base), rows):
        index = base[start : start + rows].reshape((-1,) + (1,) * steps.ndim) + steps
        flat.take(index, out=result[start : start + rows], mode="clip")
    return result


def _patch_sampled(
    image: np.ndarray,
    centers: np.ndarray,
    offsets: np.ndarray,
    channel: int = 0,
    origin: tuple[int, int] = (0, 0),
) -> np.ndarray | None:
    """:func:`_sampled` of ``image`` (its ``channel``, when it has channels) by each
    centre's patch: the rectangle its offsets span, copied row by row, then the offsets
    taken from it (the same pixels, read in order rather than each from anywhere on the
    page); None where a patch would leave the image, or where the offsets fill too
    little of their rectangle to pay."""
    if len(centers) * offsets.size // 2 < PATCH_SAMPLES_MIN:
        return None
    rounded = np.rint(offsets).astype(np.intp).reshape(-1, 2)
    low = rounded.min(axis=0)
    width, height = rounded.max(axis=0) - low + 1
    if PATCH_FILL * width * height > len(rounded):
        return None
    corners = np.rint(centers).astype(np.intp) - origin + low
    if (
        corners.min() < 0
        or (corners[:, 0] + width > image.shape[1]).any()
        or (corners[:, 1] + height > image.shape[0]).any()
    ):
        return None
    windows = sliding_window_view(image, (int(height), int(width)), axis=(0, 1))
    if image.ndim == 3:
        windows = windows[:, :, channel]
    inside = (rounded[:, 1] - low[1]) * width + (rounded[:, 0] - low[0])
    result = np.empty((len(centers), len(rounded)), image.dtype)
    rows = max(1, PATCH_BYTES_AT_ONCE // int(width * height))
    for start in range(0, len(centers), rows):
        at = corners[start : start + rows]
        patches = windows[at[:, 1], at[:, 0]].reshape(len(at), -1)
        patches.take(inside, axis=1, out=result[start : start + rows])
    return result.reshape(len(centers), *offsets.shape[:-1])


def gather(image: np.ndarray, centers: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sample (H, W) ``image`` at every centre + offset: (N, 2) and (..., 2) → (N, ...)."""
    return _sampled(image, centers, offsets)


def _source_bounds(
    to_source: np.ndarray,
    window: tuple[int, int, int, int],
    shape: tuple[int, ...],
    bend: tuple[Bend, float] | None = None,
) -> tuple[int, int, int, int]:
    """The scan's px rectangle (left, top, right, bottom) a template window maps into,
    with a pixel to spare for interpolation, clipped to the scan (a bent window: its
    edges sampled every ``BEND_EDGE_PX``, since a bent edge bulges between its corners)."""
    x0, y0, x1, y1 = window
    if bend is None:
        edge = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
    else:
        xs = np.linspace(x0, x1, 2 + int((x1 - x0) // BEND_EDGE_PX))
        ys = np.linspace(y0, y1, 2 + int((y1 - y0) // BEND_EDGE_PX))
        edge = np.concatenate(
            [
                np.stack(
                    [
                        xs,
                        np.full_like(xs, y),
                    ],
                    1,
                )
                for y in (y0, y1)
            ]
            + [np.stack([np.full_like(ys, x), ys], 1) for x in (x0, x1)]
        )
    mapped = to_source_points(edge, to_source, *(bend or (None, 1.0)))
    left = int(np.clip(np.floor(mapped[:, 0].min()) - 2, 0, shape[1] - 1))
    top = int(np.clip(np.floor(mapped[:, 1].min()) - 2, 0, shape[0] - 1))
    right = int(np.clip(np.ceil(mapped[:, 0].max()) + 3, left + 1, shape[1]))
    bottom = int(np.clip(np.ceil(mapped[:, 1].max()) + 3, top + 1, shape[0]))
    return left, top, right, bottom
