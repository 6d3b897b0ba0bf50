"""A corpus's scans again as a scanner with dust on its feeder's glass writes them.

    python bench/streaked_scans.py /tmp/fam/tune-g /tmp/streaked-g --seed 5
    python bench/accuracy.py /tmp/streaked-g

Each gray or colour page of ``typical/`` and ``hard/`` gets one or two streaks down the
whole scan: 1-6 columns anywhere but the outer 8 %, each darkened by 8-70 % (dust blocks
that share of the light, on ink and paper alike), their edges blurred by the sensor's
optics (0.6 px), then written as the scanner would, a JPEG of quality 75-92 or a PNG, with
the page's truth beside it. Bi-level pages are left out. The reader finds and divides out
what it can (``omr/reading/streaks.py``); what it misses it reads as before.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

# The simulator lives beside the corpus (fixtures/), not in the library.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from scansim.scanner import with_column_gain  # noqa: E402

from omr.reading.channels import is_bilevel  # noqa: E402

SUBSETS = ("typical", "hard")


def streaked(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``image`` ((H, W) or (H, W, 3) uint8) with one or two streaks down it."""
    width = image.shape[1]
    gain = np.ones(width, np.float32)
    for _ in range(int(rng.integers(1, 3))):
        first = int(rng.uniform(0.08, 0.92) * width)
        gain[first : first + int(rng.integers(1, 7))] *= 1 - rng.uniform(0.08, 0.7)
    return with_column_gain(image, cv2.GaussianBlur(gain[None, :], (0, 0), 0.6)[0])


def write_streaked(source: Path, target: Path, seed: int) -> int:
    """Every gray or colour page of ``source``'s subsets, streaked, into ``target`` with its
    truth; how many."""
    rng = np.random.default_rng(seed)
    written = 0
    for subset in SUBSETS:
        (target / subset).mkdir(parents=True, exist_ok=True)
        for truth_path in sorted((source / subset).glob("*.truth.json")):
            truth = json.loads(truth_path.read_text())
            image = cv2.imread(str(source / subset / truth["image"]), cv2.IMREAD_UNCHANGED)
            if image is None or image.dtype != np.uint8 or is_bilevel(image):
                continue
            image = streaked(image, rng)
            name = Path(truth["image"]).stem
            if rng.random() < 0.5:
                name += ".jpg"
                quality = int(rng.integers(75, 93))
                cv2.imwrite(str(target / subset / name), image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            else:
                name += ".png"
                cv2.imwrite(str(target / subset / name), image)
            truth["image"] = name
            (target / subset / truth_path.name).write_text(json.dumps(truth))
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a corpus folder (typical/, hard/)")
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count = write_streaked(args.source, args.target, args.seed)
    print(f"{count} pages streaked into {args.target}")


if __name__ == "__main__":
    main()
