"""From a scanner file to sheet readings: the whole path in one screen.

decode → pick the template → register → straighten → measure and classify bubbles →
identity (QR, candidate number, variant) → checks (ink, stray marks) → reading.
A page that fails at any stage becomes a ``rejected`` reading with a reason; one bad
page never stops a batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from omr.reading.channels import ScanChannels
from omr.reading.coded_fields import read_coded_fields
from omr.reading.identity import (
    check_identity,
    decode_qr,
    ink_colour,
    read_bubbled_field,
    read_candidate_number,
    single_choice,
)
from omr.reading.ingest import (
    MAX_PAGES,
    FileLook,
    PageFailure,
    PageImage,
    ReadingSize,
    SourceRef,
    load_pages,
)
from omr.reading.line_spread import line_spread_mm
from omr.reading.marks import (
    BubbleMeasure,
    bubble_layout,
    classify_marks,
    measure_bubbles,
)
from omr.reading.page_checks import blank_or_blurred, stray_marks, thin_lines_at_risk
from omr.reading.registration.aruco import MARKERS_PER_SHEET, detect_markers, register_aruco
from omr.reading.registration.bending import bend_on_outlines, may_bend
from omr.reading.registration.blocks import register_by_blocks
from omr.reading.registration.fit import PageRegistration
from omr.reading.registration.outlines import refine_on_outlines
from omr.reading.registration.page import register_page
from omr.reading.template_space import PX_PER_MM, TemplatePage, per_template, warp_to_template
from omr.sheet.calibration import Calibration, load_calibration
from omr.sheet.template import (
    ArucoRegistration,
    Bubble,
    SheetTemplate,
    load_template,
    shipped_template_ids,
)
from omr.vocabulary.reasons import Problem, Reason, page_status
from omr.vocabulary.states import MarkState, PageStatus

SCHEMA = "omr.reading/1"
# A flat, well-registered page has no bubble whose outline sits at the edge of the local
# search (SEARCH_MM); a corner displaced by 1.5 mm puts 3–30 % of them there.
MAX_MISALIGNED_SHARE = 0.02
# A page is decoded at a half, a quarter or an eighth of its size while it keeps the
# straightened page's resolution, as a 200 dpi scan does (7.87 px/mm): a 400 dpi page is
# read at 200 dpi, but a 300 dpi page whole (at 150 dpi its hard sheets read more doubt).
READ_PX_PER_MM = 0.98 * PX_PER_MM


@dataclass
class ReadOptions:
    """What a batch is read against."""

    template: SheetTemplate | None = None  # None: chosen from the markers and the QR
    calibration: Calibration = field(default_factory=load_calibration)
    exam: str | None = None
    secret: bytes | None = None
    # The ink colour a sheet of this template must be marked in (the exam profile's
    # rule, looked up by the caller); None: the colour is not checked.
    required_ink: Callable[[SheetTemplate], str | None] = field(default=lambda _: None)
    max_pages: int = MAX_PAGES  # pages read from one file; a longer file is refused


@dataclass
class SheetReading:
    """What was read from one page (serialised as one entry of ``omr.reading/1``)."""

    source: SourceRef
    template: str | None = None
    template_version: int | None = None
    exam: str | None = None
    variant: str | None = None
    serial: int | None = None
    candidate: str | None = None
    codes: dict[str, str] = field(default_factory=dict)
    reasons: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    bubbles: list[dict[str, Any]] = field(default_factory=list)
    registration: dict[str, Any] | None = None
    crops: dict[str, str] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    page: TemplatePage | None = field(default=None, repr=False)

    @property
    def status(self) -> PageStatus:
        """The gravest severity among the page's reasons decides."""
        return page_status(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.as_dict(),
            "template": self.template,
            "template_version": self.template_version,
            "exam": self.exam,
            "variant": self.variant,
            "serial": self.serial,
            "candidate": self.candidate,
            "codes": self.codes,
            "status": self.status,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "answers": self.answers,
            "bubbles": self.bubbles,
            "registration": self.registration,
            "warnings": [warning.as_dict() for warning in self.warnings],
            "crops": self.crops,
            "timings_ms": {stage: round(ms, 2) for stage, ms in self.timings_ms.items()},
        }

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> SheetReading:
        """A reading stored by :meth:`as_dict` (without its pixels: ``page`` is None)."""
        source = document["source"]
        fields = {name: document[name] for name in _STORED_AS_IS if name in document}
        return cls(
            source=SourceRef(source["path"], source["page"], source["sha256"]),
            reasons=[Problem.from_dict(reason) for reason in document.get("reasons", ())],
            warnings=[Problem.from_dict(warning) for warning in document.get("warnings", ())],
            **fields,
        )


# The fields of a stored reading taken back as they are (the others are rebuilt).
_STORED_AS_IS = (
    "template",
    "template_version",
    "exam",
    "variant",
    "serial",
    "candidate",
    "codes",
    "answers",
    "bubbles",
    "registration",
    "crops",
    "timings_ms",
)


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self.last) * 1000
        self.last = now


def _choose_template(
    scan: ScanChannels, options: ReadOptions, candidates: list[SheetTemplate]
) -> tuple[SheetTemplate | None, PageRegistration | Problem]:
    """Register against the given template, or find which shipped template fits.

    A page on which the quick marker search sees no marker at all is first tried
    against the forms registered on printed blocks, before the thorough search.
    """
    if options.template is not None:
        return options.template, register_page(scan, options.template)
    by_blocks = [t for t in candidates if not isinstance(t.registration, ArucoRegistration)]
    failure = Problem(Reason.SHEET_NOT_RECOGNISED)
    detection = detect_markers(scan, quick_only=True)
    if len(detection.corners) < MARKERS_PER_SHEET:
        if not detection.corners:
            for template in by_blocks:
                result = register_by_blocks(scan, template)
                if result:
                    return template, result
                failure = result
            by_blocks = []
        detection = detect_markers(scan)
    best: tuple[int, SheetTemplate] | None = None
    for template in candidates:
        if isinstance(template.registration, ArucoRegistration):
            ids = {marker.id for marker in template.registration.markers}
            overlap = len(ids & detection.corners.keys())
            if overlap and (best is None or overlap > best[0]):
                best = (overlap, template)
    if best is not None:
        return best[1], register_aruco(detection, best[1])
    for template in by_blocks:
        result = register_by_blocks(scan, template)
        if result:
            return template, result
        failure = result
    return None, failure


def _read_identity(
    reading: SheetReading,
    page: TemplatePage,
    template: SheetTemplate,
    states: list,
    options: ReadOptions,
) -> None:
    identity, problems = check_identity(
        decode_qr(page, template), template, exam=options.exam, secret=options.secret
    )
    reading.reasons += problems
    bubbles = template.bubbles()
    if identity is not None:
        reading.exam, reading.serial = identity.exam, identity.serial
        reading.variant, reading.candidate = identity.variant, identity.candidate
    bubbled_variant = None
    variant_columns = read_bubbled_field(bubbles, states, "variant")
    if variant_columns:
        (options_states,) = variant_columns.values()
        if any(state != MarkState.BLANK for _, state in options_states):
            bubbled_variant = single_choice(options_states)
            if bubbled_variant is None:
                reading.reasons.append(Problem(Reason.VARIANT_UNCLEAR))
    if bubbled_variant and reading.variant and bubbled_variant != reading.variant:
        reading.reasons.append(
            Problem(
                Reason.VARIANT_CONFLICT,
                found=bubbled_variant,
                where_en="bubbled",
                where_ro="marcat",
                expected=reading.variant,
            )
        )
    reading.variant = reading.variant or bubbled_variant
    _read_printed_codes(reading, page, template)
    number, problem = read_candidate_number(read_bubbled_field(bubbles, states, "candidate_number"))
    if problem is not None:
        reading.reasons.append(problem)
    elif number and reading.candidate and number != reading.candidate:
        reading.reasons.append(
            Problem(Reason.CANDIDATE_CONFLICT, bubbled=number, printed=reading.candidate)
        )
    reading.candidate = reading.candidate or number


def _read_printed_codes(reading: SheetReading, page: TemplatePage, template: SheetTemplate) -> None:
    """Values printed as squares (the national form's variant and domain)."""
    for name, coded in read_coded_fields(page, template).items():
        if coded.problem is not None:
            reading.reasons.append(coded.problem)
        elif name != "variant":
            reading.codes[name] = coded.value
        elif reading.variant and reading.variant != coded.value:
            reading.reasons.append(
                Problem(
                    Reason.VARIANT_CONFLICT,
                    found=coded.value,
                    where_en="printed squares",
                    where_ro="pătrate tipărite",
                    expected=reading.variant,
                )
            )
        else:
            reading.variant = coded.value


# Ink colours as the Romanian messages say them: the marks look … / … ink.
_MARKS_LOOK_RO = {"blue": "albastre", "black": "negre"}
_INK_RO = {"blue": "albastră", "black": "neagră"}


def _check_ink_and_strays(
    reading: SheetReading,
    page: TemplatePage,
    template: SheetTemplate,
    centers: np.ndarray,
    states: list,
    options: ReadOptions,
) -> None:
    chosen = (MarkState.FILLED, MarkState.CROSSED)  # looked up once: pages hold hundreds
    marked = np.array([state.state in chosen for state in states])
    bubble = template.answer_bubbles()[0]
    colour = ink_colour(page, centers[marked], bubble.size_mm[0] / 2 * page.px_per_mm)
    required = options.required_ink(template)
    if not page.is_colour:
        reading.warnings.append(Problem(Reason.INK_NOT_CHECKED))
    elif required is not None and colour is not None and colour != required:
        reading.warnings.append(
            Problem(
                Reason.INK_COLOUR,
                colour=colour,
                required=required,
                colour_ro=_MARKS_LOOK_RO.get(colour, "de altă culoare"),
                required_ro=_INK_RO.get(required, required),
            )
        )
    reading.warnings += stray_marks(page, template)


def read_page(
    image: PageImage, options: ReadOptions, candidates: list[SheetTemplate]
) -> SheetReading:
    """Read one decoded page."""
    reading = SheetReading(source=image.source)
    clock = _Clock(reading.timings_ms)
    scan = ScanChannels(image.image)
    unreadable = scan.unreadable()
    if unreadable is not None:
        reading.reasons.append(unreadable)
        return reading
    reading.warnings += scan.scanner_warnings()
    template, found = _choose_template(scan, options, candidates)
    registration = found
    if found:
        assert template is not None
        # Registration may have bent the page already (a track's ends told by the outlines).
        registration = (
            found if found.bend is not None else refine_on_outlines(scan, template, found)
        )
        inaccurate = not registration and registration.code == Reason.REGISTRATION_INACCURATE
        if inaccurate and may_bend(found):
            # The marks and the outlines disagree: the page may not lie flat.
            registration = bend_on_outlines(scan, template, found)
    clock.lap("registration")
    if not registration:
        page_problem = blank_or_blurred(scan.gray)
        reading.reasons.append(registration if page_problem is None else page_problem)
        return reading
    assert template is not None
    reading.template, reading.template_version = template.id, template.version
    layout = bubble_layout(template)
    bubbles = layout.bubbles
    page, measure, spread = _straightened_and_measured(scan, template, registration, options, clock)
    share = measure.misaligned_share()
    if share > MAX_MISALIGNED_SHARE and registration.bend is None and may_bend(registration):
        # Bubbles off where one homography puts them: the page may not lie flat.
        bent = bend_on_outlines(scan, template, registration)
        clock.lap("registration")
        if bent:
            registration = bent
            page, measure, spread = _straightened_and_measured(
                scan, template, registration, options, clock
            )
            share = measure.misaligned_share()
    reading.registration = registration.as_dict() | {"blur_mm": round(spread, 3)}
    reading.page = page
    reading.warnings += thin_lines_at_risk(page, spread)
    if share > MAX_MISALIGNED_SHARE:
        reading.reasons.append(
            Problem(
                Reason.REGISTRATION_INACCURATE,
                detail_ro=f"{share:.0%} din bule nu sunt unde le pun marcajele",
                detail_en=f"{share:.0%} of the printed bubbles are not where the marks put them",
            )
        )
        return reading
    states = classify_marks(measure, options.calibration)
    _read_identity(reading, page, template, states, options)
    clock.lap("identity")
    _check_ink_and_strays(reading, page, template, measure.centers_px, states, options)
    clock.lap("checks")
    reading.bubbles = _bubble_records(bubbles, states, measure)
    for index, question, option in _answer_places(template):
        reading.answers.setdefault(question, {})[option] = states[index].state
    undecided = MarkState.UNCLEAR  # looked up once: pages hold hundreds
    unclear = [b for b in reading.bubbles if b["state"] == undecided and b["field"] == "answers"]
    if unclear:
        listed = ", ".join(f"{b['question']}{b['option']}" for b in unclear[:12])
        reading.reasons.append(Problem(Reason.BUBBLES_UNCLEAR, count=len(unclear), bubbles=listed))
    return reading


@per_template
def _answer_places(template: SheetTemplate) -> tuple[tuple[int, str, str], ...]:
    """Each answer bubble's index in :func:`bubble_layout`'s order, its question (as the
    reading's answers name it) and option."""
    return tuple(
        (index, str(bubble.question), bubble.option)
        for index, bubble in enumerate(bubble_layout(template).bubbles)
        if bubble.field == "answers"
    )


def _straightened_and_measured(
    scan: ScanChannels,
    template: SheetTemplate,
    registration: PageRegistration,
    options: ReadOptions,
    clock: _Clock,
) -> tuple[TemplatePage, BubbleMeasure, float]:
    """The page straightened through ``registration``, its bubbles measured, and the
    scan's blur measured on its print (σ, mm; 0 unknown)."""
    page = warp_to_template(scan, registration.homography, template, bend=registration.bend)
    # On the scan's ink, before it is let go.
    spread = line_spread_mm(page, template.registration, registration.marks_mm)
    scan.release_ink()  # rebuilt only if a bend straightens the page again
    clock.lap("warp")
    measure = measure_bubbles(page, bubble_layout(template), options.calibration, None, spread)
    clock.lap("marks")
    return page, measure, spread


def _bubble_records(
    bubbles: Sequence[Bubble], states: list, measure: BubbleMeasure
) -> list[dict[str, Any]]:
    """One ``omr.reading/1`` bubble entry per bubble (rounded in bulk: pages hold
    hundreds)."""
    fill = np.round(measure.fill.astype(np.float64), 3).tolist()
    darkness = np.round(measure.darkness.astype(np.float64), 3).tolist()
    past = np.clip(measure.past, 0, None).max(axis=1)
    cross = np.round(past.astype(np.float64), 3).tolist()
    centers = np.round(measure.centers_px.astype(np.float64), 1).tolist()
    # A page's states share a few confidences (plain ones share their state): each
    # rounded once.
    confidence = {value: round(value, 3) for value in {state.confidence for state in states}}
    return [
        {
            "field": bubble.field,
            "question": bubble.question,
            "option": bubble.option,
            "state": state.state,
            "fill": fill[index],
            "darkness": darkness[index],
            "cross": cross[index],
            "confidence": confidence[state.confidence],
            "unclear": list(state.reasons),
            "center_px": centers[index],
        }
        for index, (bubble, state) in enumerate(zip(bubbles, states, strict=True))
    ]


def _failed(failure: PageFailure) -> SheetReading:
    return SheetReading(source=failure.source, reasons=[failure.problem])


def _timed(
    pages: Iterator[PageImage | PageFailure],
) -> Iterator[tuple[PageImage | PageFailure, float]]:
    """Each decoded page with the milliseconds its decoding took."""
    while True:
        started = time.perf_counter()
        page = next(pages, None)
        if page is None:
            return
        yield page, (time.perf_counter() - started) * 1000
        del page  # released before the next page is decoded


@cache
def _shipped() -> tuple[SheetTemplate, ...]:
    """The shipped templates, loaded and validated once per process."""
    return tuple(load_template(name) for name in shipped_template_ids())


def _candidates(options: ReadOptions) -> list[SheetTemplate]:
    return [options.template] if options.template is not None else list(_shipped())


def decode_pages(
    path: str | Path, options: ReadOptions, only: int | None = None, look: FileLook | None = None
) -> Iterator[PageImage | PageFailure]:
    """The pages of a file (``only``: that page) decoded at the resolution their reading
    needs on the templates ``options`` read against (``look``: see :func:`load_pages`)."""
    longest = [max(template.page_size_mm) for template in _candidates(options)]
    size = ReadingSize(READ_PX_PER_MM, (min(longest), max(longest)))
    return load_pages(path, max_pages=options.max_pages, only=only, size=size, look=look)


def read_files(paths: Iterable[str | Path], options: ReadOptions) -> Iterator[SheetReading]:
    """Read every page of every file; duplicates within the batch are rejected.

    Nothing of a page is kept here once its reading is handed out: a consumer that lets
    go of ``reading.page`` holds one page in memory at a time, however long the batch;
    an entry point that opts into :func:`omr.process_memory.reuse_large_buffers` has the
    next page reuse its memory.
    """
    candidates = _candidates(options)
    batch = _Batch()
    for path in paths:
        for page, decode_ms in _timed(decode_pages(path, options)):
            reading = batch.read(page, decode_ms, options, candidates)
            del page
            yield reading
            del reading


def read_file_page(
    path: str | Path, number: int, options: ReadOptions, look: FileLook | None = None
) -> SheetReading | None:
    """Read page ``number`` of a file alone, the others skipped undecoded (None: the file
    has no such page). A failure of the whole file is the reading of its page 1, whatever
    ``number``; duplicates across pages are the caller's to find. ``look``: what
    :func:`omr.reading.ingest.look_at` found in the file, not taken again."""
    candidates = _candidates(options)
    page, decode_ms = next(_timed(decode_pages(path, options, number, look)), (None, 0.0))
    return None if page is None else _Batch().read(page, decode_ms, options, candidates)


@dataclass
class _Batch:
    """What a batch has seen so far: files by content, sheet serials."""

    files: dict[str, str] = field(default_factory=dict)
    serials: dict[tuple[str | None, str | None, int], str] = field(default_factory=dict)

    def read(
        self,
        page: PageImage | PageFailure,
        decode_ms: float,
        options: ReadOptions,
        candidates: list[SheetTemplate],
    ) -> SheetReading:
        if not page:
            return _failed(page)
        first = self.files.setdefault(page.source.sha256, page.source.path)
        if first != page.source.path:
            return SheetReading(
                source=page.source,
                reasons=[Problem(Reason.DUPLICATE_FILE, first=first)],
            )
        started = time.perf_counter()
        try:
            reading = read_page(page, options, candidates)
        except (cv2.error, ValueError, ArithmeticError, IndexError) as error:
            # A page no stage foresaw is refused alone: the batch goes on.
            return SheetReading(
                source=page.source, reasons=[Problem(Reason.READ_FAILED, error=str(error))]
            )
        reading.timings_ms = {"decode": decode_ms, **reading.timings_ms}
        if reading.serial is not None:
            key = (reading.template, reading.exam, reading.serial)
            where = f"{page.source.path}, p. {page.source.page}"  # read alike in ro and en
            earlier = self.serials.setdefault(key, where)
            if earlier != where:
                reading.reasons.append(
                    Problem(Reason.DUPLICATE_SERIAL, serial=reading.serial, earlier=earlier)
                )
        reading.timings_ms["total"] = decode_ms + (time.perf_counter() - started) * 1000
        return reading


def readings_document(readings: Iterable[SheetReading]) -> dict[str, Any]:
    """The ``omr.reading/1`` document for a batch."""
    return {"schema": SCHEMA, "pages": [reading.as_dict() for reading in readings]}
