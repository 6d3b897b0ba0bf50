"""Speed and memory of the reader: per-sheet time by stage, throughput, peak memory.

    python bench/speed.py [--repeat 25] [--only TEXT]

Makes marked, scanned sheets with the scan simulator (A4 specialization sheets of 50
questions, A3 national forms; 200 and 300 dpi, colour JPEG as scanners write them),
then reads them with OpenCV held to one thread per process:

- per sheet: median, 95th percentile and best of the wall time from file to reading
  (decode included), and the median of each stage of the reading's ``timings_ms``; on a
  machine shared with other work the best tells what a reading costs undisturbed;
- sheets per second with 1 and 2 processes (A4, 200 dpi);
- peak resident memory of a reading process.

Figures only; nothing is asserted. The machine's other work shows in them: run twice.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from scansim.recipes import Plan, make  # noqa: E402
from scansim.scanner import ScanSettings  # noqa: E402

STAGES = ("decode", "registration", "warp", "marks", "identity", "checks")
CASES = {
    "A4 specialization, 200 dpi": ("specializare-asistenti", None, 200),
    "A4 specialization, 300 dpi": ("specializare-asistenti", None, 300),
    "A3 national form, 200 dpi": ("rezidentiat-national-2025", "med_B", 200),
    "A3 national form, 300 dpi": ("rezidentiat-national-2025", "dent_C", 300),
}
SHEETS_PER_CASE = 4


def _make_sheets(folder: Path, template: str, form: str | None, dpi: int) -> list[Path]:
    paths = []
    for seed in range(SHEETS_PER_CASE):
        settings = ScanSettings(skew_deg=1.5 - seed, noise=1.0, jpeg_quality=80)
        plan = Plan("bench", f"s{seed}", template, 500 + seed, dpi=dpi, form=form)
        plan = replace(plan, settings=settings)
        data, suffix, _ = make(plan)
        path = folder / f"{template}-{dpi}-{seed}{suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _one_thread() -> None:
    import cv2

    cv2.setNumThreads(1)


def _peak_rss_kib() -> int:
    """This process's peak resident memory (VmHWM: unlike ``ru_maxrss``, not inherited
    from the parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _read(paths: list[Path]) -> tuple[list[dict[str, float]], list[float], int]:
    """Read each path; (timings_ms per page, wall ms per page, peak RSS in KiB)."""
    from omr.process_memory import reuse_large_buffers
    from omr.reading.pipeline import ReadOptions, read_files
    from omr.scoring.profiles import ink_of_template_profile

    reuse_large_buffers()  # as the CLI and the station's reading worker do
    options = ReadOptions(required_ink=ink_of_template_profile)
    timings, walls = [], []
    for path in paths:
        started = time.perf_counter()
        (reading,) = read_files([path], options)
        walls.append((time.perf_counter() - started) * 1000)
        assert reading.status != "rejected", (path, reading.reasons)
        timings.append(reading.timings_ms)
        reading.page = None  # as `omr read` and the station do once the overlay is drawn
    return timings, walls, _peak_rss_kib()


def _throughput(paths: list[Path], processes: int, sheets: int) -> float:
    batch = [[paths[i % len(paths)]] for i in range(sheets)]
    with get_context("spawn").Pool(processes, initializer=_one_thread) as pool:
        pool.map(_read, batch[: processes * 2])  # warm up: imports, templates
        started = time.perf_counter()
        pool.map(_read, batch, chunksize=4)
        return sheets / (time.perf_counter() - started)


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="readings of each sheet")
    parser.add_argument("--only", default="", help="the cases whose name holds this text")
    args = parser.parse_args(argv)
    cases = {name: case for name, case in CASES.items() if args.only in name}
    with tempfile.TemporaryDirectory() as folder:
        made = {name: _make_sheets(Path(folder), *case) for name, case in cases.items()}
        print(f"{'case':<28}{'median':>8}{'p95':>8}{'best':>8}  stages (median ms)   peak RSS")
        for name, paths in made.items():
            with get_context("spawn").Pool(1, initializer=_one_thread) as pool:
                pool.apply(_read, (paths,))  # warm up
                timings, walls, rss = pool.apply(_read, (paths * args.repeat,))
            stages = "  ".join(
                f"{stage} {statistics.median(t.get(stage, 0.0) for t in timings):.1f}"
                for stage in STAGES
            )
            print(
                f"{name:<28}{statistics.median(walls):>6.1f}ms{_p95(walls):>6.1f}ms"
                f"{min(walls):>6.1f}ms  "
                f"{stages}   {rss / 1024:.0f} MB"
            )
        a4 = made.get("A4 specialization, 200 dpi", [])
        for processes in (1, 2) if a4 else ():
            rate = _throughput(a4, processes, 60 * processes)
            print(f"A4 200 dpi, {processes} process(es): {rate:.1f} sheets/s")


if __name__ == "__main__":
    main()
