"""Speed and memory of the reader, beside the floor: what merely decoding the file costs.

    python bench/speed.py [--repeat 25] [--only TEXT] [--station]

Makes marked, scanned sheets with the scan simulator (A4 specialization sheets of 50
questions, A3 national forms; 150 to 600 dpi, colour and gray; JPEG as scanners write
them, PNG, TIFF and a four-page PDF), each file saying its resolution as a scanner's does,
then reads them with OpenCV held to one thread per process, as ``omr read`` does: each page's
template found from its marks (``--station``: against the case's template, as the station
reads a room's scans against its exam's). Per case:

- the time to merely decode the file at its full size and at the reading's size (the
  resolution the reading needs: a 400 or 600 dpi page is decoded at half its size, a
  300 dpi page whole), medians;
- the reading's median, 95th percentile and best wall time from file to reading (decode
  included; on a machine shared with other work the best tells what a reading costs
  undisturbed) and the share of the median above the reading-size decode: the floor;
- the median of each stage of the reading's ``timings_ms``, and the peak resident memory
  of the reading process.

Then sheets per second with 1 and 2 processes (A4, 200 dpi). Figures only; nothing is
asserted. The machine's other work shows in them: run twice.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import cache, partial
from multiprocessing import get_context
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))


STAGES = ("decode", "registration", "warp", "marks", "identity", "checks")
A4, A3 = ("specializare-asistenti", None), ("rezidentiat-national-2025", "med_B")
SHEETS_PER_CASE = 4
PDF_PAGES = 4


@dataclass(frozen=True)
class Case:
    """Sheets of one template scanned alike, written as one kind of file."""

    sheet: tuple[str, str | None]  # template, national form
    dpi: int
    kind: str = "jpg"  # jpg, png, tif or pdf (one file of PDF_PAGES pages)
    gray: bool = False


CASES = {
    "A4 150 dpi colour JPEG": Case(A4, 150),
    "A4 200 dpi colour JPEG": Case(A4, 200),
    "A4 200 dpi gray JPEG": Case(A4, 200, gray=True),
    "A4 300 dpi colour JPEG": Case(A4, 300),
    "A4 600 dpi colour JPEG": Case(A4, 600),
    "A4 200 dpi colour PNG": Case(A4, 200, "png"),
    "A4 300 dpi gray PNG": Case(A4, 300, "png", gray=True),
    "A4 300 dpi colour TIFF": Case(A4, 300, "tif"),
    "A4 200 dpi colour PDF 4p": Case(A4, 200, "pdf"),
    "A3 150 dpi gray JPEG": Case(A3, 150, gray=True),
    "A3 200 dpi colour JPEG": Case(A3, 200),
    "A3 200 dpi gray JPEG": Case(A3, 200, gray=True),
    "A3 300 dpi colour JPEG": Case(A3, 300),
    "A3 300 dpi gray JPEG": Case(A3, 300, gray=True),
    "A3 400 dpi gray JPEG": Case(A3, 400, gray=True),  # at 600 dpi 80.5 Mpx: refused
}


def _scans(case: Case, seeds: range) -> list[bytes]:
    # Imported here: the reading processes, which import this module, do not hold the
    # simulator (a station's reading worker does not), so their peak memory is the reader's.
    from scansim.recipes import Plan, make
    from scansim.scanner import ScanSettings

    template, form = case.sheet
    scans = []
    for seed in seeds:
        settings = ScanSettings(skew_deg=1.5 - seed, noise=1.0, jpeg_quality=80, gray=case.gray)
        plan = Plan("bench", f"s{seed}", template, 500 + seed, dpi=case.dpi, form=form)
        scans.append(make(replace(plan, settings=settings))[0])
    return scans


def _make_files(folder: Path, name: str, case: Case) -> list[Path]:
    """The case's files: one per sheet, or one PDF of them all."""
    count = PDF_PAGES if case.kind == "pdf" else SHEETS_PER_CASE // (2 if case.dpi > 300 else 1)
    scans = _scans(case, range(count))
    stem = folder / name.replace(" ", "-")
    if case.kind == "jpg":
        from scansim.scanner import with_density

        paths = [stem.with_name(f"{stem.name}-{i}.jpg") for i in range(count)]
        for path, data in zip(paths, scans, strict=True):
            path.write_bytes(with_density(data, case.dpi))
        return paths
    pages = [_pillow(data) for data in scans]
    if case.kind == "pdf":
        path = stem.with_suffix(".pdf")
        pages[0].save(path, save_all=True, append_images=pages[1:], resolution=case.dpi)
        return [path]
    paths = [stem.with_name(f"{stem.name}-{i}.{case.kind}") for i in range(count)]
    for path, page in zip(paths, pages, strict=True):
        page.save(path, dpi=(case.dpi, case.dpi))
    return paths


def _pillow(data: bytes) -> Image.Image:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return Image.fromarray(image)


def _one_thread() -> None:
    cv2.setNumThreads(1)


def _peak_rss_kib() -> int:
    """This process's peak resident memory (VmHWM: unlike ``ru_maxrss``, not inherited
    from the parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@cache
def _options(template: str | None):
    """What the pages are read against: ``template`` by its id, or None (found from the
    page's marks); loaded once per process, as the station's reading worker does."""
    from omr.reading.pipeline import ReadOptions
    from omr.scoring.profiles import ink_of_template_profile
    from omr.sheet.template import load_template

    return ReadOptions(
        template=None if template is None else load_template(template),
        required_ink=ink_of_template_profile,
    )


def _decode_ms(paths: list[Path], repeat: int, template: str | None) -> tuple[float, float]:
    """Median ms per page to decode the files (full size, reading's size)."""
    from omr.reading.ingest import load_pages
    from omr.reading.pipeline import decode_pages

    options = _options(template)
    full, reduced = [], []
    for _ in range(repeat):
        for path in paths:
            for times, pages in ((full, load_pages(path)), (reduced, decode_pages(path, options))):
                started = time.perf_counter()
                count = sum(1 for _ in pages)
                times.append((time.perf_counter() - started) * 1000 / count)
    return statistics.median(full), statistics.median(reduced)


def _read(
    paths: list[Path], template: str | None = None
) -> tuple[list[dict[str, float]], list[float], list[float], int]:
    """Read each path (against ``template``, if given); (timings_ms per page, wall ms and
    CPU ms per page, peak RSS in KiB)."""
    from omr.process_memory import reuse_large_buffers
    from omr.reading.pipeline import read_files

    reuse_large_buffers()  # as the CLI and the station's reading worker do
    options = _options(template)
    timings, walls, cpu = [], [], []
    for path in paths:
        started, cpu_started = time.perf_counter(), time.process_time()
        readings = list(read_files([path], options))
        per_page = (time.perf_counter() - started) * 1000 / len(readings)
        cpu_per_page = (time.process_time() - cpu_started) * 1000 / len(readings)
        for reading in readings:
            assert reading.status != "rejected", (path, reading.reasons)
            walls.append(per_page)
            cpu.append(cpu_per_page)
            timings.append(reading.timings_ms)
            reading.page = None  # as `omr read` and the station do once the overlay is drawn
    return timings, walls, cpu, _peak_rss_kib()


def _throughput(paths: list[Path], processes: int, sheets: int, template: str | None) -> float:
    batch = [[paths[i % len(paths)]] for i in range(sheets)]
    read = partial(_read, template=template)
    with get_context("spawn").Pool(processes, initializer=_one_thread) as pool:
        pool.map(read, batch[: processes * 2])  # warm up: imports, templates
        started = time.perf_counter()
        pool.map(read, batch, chunksize=4)
        return sheets / (time.perf_counter() - started)


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


HEADER = (
    f"{'case':<26}{'decode full':>12}{'at reading':>11}{'median':>8}{'p95':>8}{'best':>8}"
    f"{'CPU':>8}{'above floor':>12}   stages (median ms)   peak RSS"
)


def _report(name: str, paths: list[Path], repeat: int, template: str | None) -> str:
    with get_context("spawn").Pool(1, initializer=_one_thread) as pool:
        pool.apply(_read, (paths, template))  # warm up
        timings, walls, cpu, rss = pool.apply(_read, (paths * repeat, template))
    # Apart: decoding at full size would raise the reading process's peak memory.
    with get_context("spawn").Pool(1, initializer=_one_thread) as pool:
        full, reduced = pool.apply(_decode_ms, (paths, max(3, repeat // 3), template))
    median, above = statistics.median(walls), 1 - reduced / statistics.median(walls)
    stages = "  ".join(
        f"{stage} {statistics.median(t.get(stage, 0.0) for t in timings):.1f}" for stage in STAGES
    )
    return (
        f"{name:<26}{full:>10.1f}ms{reduced:>9.1f}ms{median:>6.1f}ms{_p95(walls):>6.1f}ms"
        f"{min(walls):>6.1f}ms{statistics.median(cpu):>6.1f}ms{above:>12.0%}   {stages}"
        f"   {rss / 1024:.0f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="readings of each sheet")
    parser.add_argument("--only", default="", help="the cases whose name holds this text")
    parser.add_argument(
        "--station", action="store_true", help="read against each case's template, as the station"
    )
    args = parser.parse_args(argv)
    cases = {name: case for name, case in CASES.items() if args.only in name}
    with tempfile.TemporaryDirectory() as folder:
        print(HEADER)
        a4: list[Path] = []
        a4_template = None
        for name, case in cases.items():
            paths = _make_files(Path(folder), name, case)
            template = case.sheet[0] if args.station else None
            print(_report(name, paths, args.repeat, template), flush=True)
            if name == "A4 200 dpi colour JPEG":
                a4, a4_template = paths, template
        for processes in (1, 2) if a4 else ():
            rate = _throughput(a4, processes, 60 * processes, a4_template)
            print(f"A4 200 dpi colour JPEG, {processes} process(es): {rate:.1f} sheets/s")


if __name__ == "__main__":
    main()
