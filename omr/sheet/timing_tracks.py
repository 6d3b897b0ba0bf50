"""Timing tracks: rows of equal solid bars at an even pitch along a page's edge.

Bars alike (their long and short sides within ``SIZE_SHARE``) up to ``MAX_GAP`` times
the nearer one's distance to its nearest alike bar apart are linked; a chain of linked
bars, evenly spaced (every gap one or ``MAX_GAP`` pitches, to ``PITCH_SHARE`` of one)
and ``MIN_BARS`` long or more, is a track. One bar alone looks like any other: a track
registers a page by its two ends (the box round all of its bars), and is known by how
many bars it spans (a bar missed inside it is no matter; a bar missed at an end makes
it another track). Scale-free: it serves the printed form in mm and a scan in pixels.
"""

from __future__ import annotations

import numpy as np

SIZE_SHARE, PITCH_SHARE, MIN_BARS, MAX_GAP = 0.25, 0.25, 5, 2


def _alike(sizes: np.ndarray) -> np.ndarray:
    """(n, n) bool: bars whose long and short sides agree to ``SIZE_SHARE``."""
    ratio = sizes[:, None, :] / np.maximum(sizes[None, :, :], 1e-9)
    return (np.abs(ratio - 1) < SIZE_SHARE).all(axis=2)


def find_tracks(centres: np.ndarray, sizes: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """The tracks among bars of ``centres`` (n, 2) and ``sizes`` (n, 2) as (long,
    short): each the indices of its bars found, in order along it, and how many bars it
    spans from end to end (a bar missed inside it leaves a gap of two pitches)."""
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
    tracks = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < MIN_BARS:
            continue
        points = centres[members] - centres[members].mean(axis=0)
        axis = np.linalg.svd(points)[2][0]
        ordered = members[np.argsort(points @ axis)]
        gaps = np.linalg.norm(np.diff(centres[ordered], axis=0), axis=1)
        steps = np.rint(gaps / np.median(gaps))
        even = (steps >= 1) & (steps <= MAX_GAP)
        even &= np.abs(gaps / np.median(gaps) - steps) < PITCH_SHARE
        if even.all():
            tracks.append((ordered, int(steps.sum()) + 1))
    return tracks
