"""Timing tracks: rows of equal solid bars at an even pitch along a page's edge.

Bars alike (their long and short sides within ``SIZE_SHARE``) up to ``MAX_GAP`` times
the nearer one's distance to its nearest alike bar apart are linked; the bars of a
chain of linked bars that lie on its pitch (to ``PITCH_SHARE`` of one), ``MIN_BARS`` or
more, are a track. Tracks on one line and one lattice of places (a track broken where
bars were lost, as a coarse scan loses thin ones) are one track. One bar alone looks like
any other: a track registers a page by its two ends (the box round all of its bars), and
is known by how many bars it spans and its pitch (a bar missed at an end shortens it by
one pitch). Scale-free: it serves the printed form in mm and a scan in pixels.
"""

from __future__ import annotations

import numpy as np

# Bars printed alike measure alike within a quarter (thresholding and blur move each
# edge by about a pixel); a bar lies on the pitch within a quarter of it (half-way to the
# half pitch, past which it would be counted at the next place); five bars
# make a track (fewer are a row of boxes); a lost bar or two may lie between two found.
SIZE_SHARE, PITCH_SHARE, MIN_BARS, MAX_GAP = 0.25, 0.25, 5, 2


def _alike(sizes: np.ndarray) -> np.ndarray:
    """(n, n) bool: bars whose long and short sides agree to ``SIZE_SHARE``."""
    ratio = sizes[:, None, :] / np.maximum(sizes[None, :, :], 1e-9)
    return (np.abs(ratio - 1) < SIZE_SHARE).all(axis=2)


def find_tracks(centres: np.ndarray, sizes: np.ndarray) -> list[tuple[np.ndarray, int, float]]:
    """The tracks among bars of ``centres`` (n, 2) and ``sizes`` (n, 2) as (long,
    short): each the indices of its bars found, in order along it, how many bars it
    spans from end to end (a bar missed inside it leaves a gap of two pitches), and its
    pitch."""
    if len(centres) < MIN_BARS:
        return []
    distance = np.linalg.norm(centres[:, None] - centres[None, :], axis=2)
    alike = _alike(sizes)
    np.fill_diagonal(alike, False)
    nearest = np.where(alike, distance, np.inf).min(axis=1)
    reach = (MAX_GAP + PITCH_SHARE) * np.minimum(nearest[:, None], nearest[None, :])
    linked = alike & (distance <= reach)
    labels = np.arange(len(centres))
    for _ in range(len(centres)):  # union by the smallest label, until stable
        merged = np.where(linked, labels[None, :], labels[:, None]).min(axis=1)
        if (merged == labels).all():
            break
        labels = merged[merged]
    pieces = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) >= MIN_BARS:
            track = _on_pitch(centres, members)
            if track is not None:
                pieces.append(track[0])
    joined = (_on_pitch(centres, members) for members in _joined(centres, sizes, pieces))
    return [track for track in joined if track is not None]


def _joined(centres: np.ndarray, sizes: np.ndarray, pieces: list[np.ndarray]) -> list[np.ndarray]:
    """``pieces`` (each a track's bars) joined where one piece's bars, alike the other's
    (their median sides), lie on the other's line and lattice of places (``PITCH_SHARE``
    of a pitch), longest pieces first."""
    tracks: list[np.ndarray] = []
    for piece in sorted(pieces, key=len, reverse=True):
        for n, track in enumerate(tracks):
            medians = np.stack([np.median(sizes[track], axis=0), np.median(sizes[piece], axis=0)])
            if _alike(medians)[0, 1] and _on_lattice(centres, track, piece):
                tracks[n] = np.concatenate([track, piece])
                break
        else:
            tracks.append(piece)
    return tracks


def _on_lattice(centres: np.ndarray, track: np.ndarray, piece: np.ndarray) -> bool:
    """Whether every bar of ``piece`` lies on the line and lattice of places of
    ``track``'s bars (fitted through them), to ``PITCH_SHARE`` of a pitch."""
    points = centres[track]
    mean = points.mean(axis=0)
    axis, normal = np.linalg.svd(points - mean)[2]
    along = (points - mean) @ axis
    places = np.rint((along - along.min()) / np.median(np.abs(np.diff(np.sort(along)))))
    start, pitch = np.polynomial.polynomial.polyfit(places, along, 1)
    other = centres[piece] - mean
    steps = (other @ axis - start) / pitch
    across = np.abs(other @ normal) / abs(pitch)
    return bool((np.maximum(np.abs(steps - np.rint(steps)), across) < PITCH_SHARE).all())


def _on_pitch(centres: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, int, float] | None:
    """The bars of a linked chain that lie on its pitch, in order along it, how many
    bars it spans, and its pitch; None when fewer than ``MIN_BARS`` do.

    Each bar's place is counted from its neighbour's in pitches (the median gap between
    neighbours), then the pitch is fitted through all the places: a pitch measured a
    hundredth off would put a track's 50th bar half a pitch from its place. A bar
    off that lattice, or off the track's line, by more than ``PITCH_SHARE`` of a pitch (a
    square or a dash printed beside the track), or a second one on a place, is left out."""
    points = centres[members] - centres[members].mean(axis=0)
    axis, normal = np.linalg.svd(points)[2]
    along, across = points @ axis, points @ normal
    order = np.argsort(along)
    members, along, across = members[order], along[order], across[order]
    pitch = float(np.median(np.diff(along)))
    if pitch <= 0:
        return None
    places = np.concatenate([[0.0], np.cumsum(np.rint(np.diff(along) / pitch))])
    start, pitch = np.polynomial.polynomial.polyfit(places, along, 1)
    places = np.rint((along - start) / pitch)
    off = np.maximum(
        np.abs((along - start) / pitch - places), np.abs(across - np.median(across)) / pitch
    )
    kept = {}
    for member, place, miss in zip(members, places, off, strict=True):
        if miss < PITCH_SHARE and (place not in kept or miss < kept[place][1]):
            kept[place] = (member, miss)
    if len(kept) < MIN_BARS:
        return None
    first, last = min(kept), max(kept)
    return np.array([kept[p][0] for p in sorted(kept)]), int(last - first) + 1, abs(float(pitch))
