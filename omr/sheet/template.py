"""Sheet templates: the one description of a sheet that drives printing and reading.

A template is a YAML file validated into :class:`SheetTemplate`. All coordinates are in
millimetres from the page's top-left corner, x to the right and y downwards. Nothing
else in the project hard-codes a coordinate: the generator draws what the template
declares and the reader measures where the template says, both through
:meth:`SheetTemplate.bubbles`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from omr.sheet.print_look import check_rows, pixels_of
from omr.sheet.timing_tracks import MIN_BARS as MIN_TRACK_BARS
from omr.vocabulary.errors import TemplateError
from omr.vocabulary.reasons import Reason

# Portrait (width, height) of the named paper sizes; Letter and Legal are 8.5 × 11 and
# 8.5 × 14 inches.
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "Letter": (215.9, 279.4),
    "Legal": (215.9, 355.6),
}
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "sheet_templates"
VARIANT_LETTERS = ("A", "B", "C", "D")

Point = tuple[float, float]
Size = tuple[Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Box(_Model):
    """An axis-aligned rectangle: top-left corner and size, in mm."""

    origin_mm: Point
    size_mm: Size

    @property
    def right(self) -> float:
        return self.origin_mm[0] + self.size_mm[0]

    @property
    def bottom(self) -> float:
        return self.origin_mm[1] + self.size_mm[1]


class _NamedBox(_Model):
    name: str
    origin_mm: Point
    size_mm: Size

    @property
    def box(self) -> Box:
        return Box(origin_mm=self.origin_mm, size_mm=self.size_mm)


class PagePart(_NamedBox):
    """A part of the page that may be scanned alone (e.g. one half of a folded A3 sheet).

    A part holds every answer bubble and, with block registration, every block, so a
    scan of the part alone registers and reads like the whole page.
    """


class PageSpec(_Model):
    """The page: a named paper size in an orientation, or ``size_mm`` (width, height as
    the page is read) for any other paper."""

    size: Literal["A4", "A3", "Letter", "Legal"] = "A4"
    orientation: Literal["portrait", "landscape"] = "portrait"
    custom_size_mm: Size | None = Field(default=None, alias="size_mm")
    parts: list[PagePart] = []

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _parts_inside(self) -> PageSpec:
        named = {"size", "orientation"} & self.model_fields_set
        if self.custom_size_mm is not None and named:
            raise ValueError(f"give size_mm alone, without {' or '.join(sorted(named))}")
        for part in self.parts:
            if not _inside_page(part.box, self.size_mm):
                raise ValueError(f"page part {part.name!r} lies outside the page")
        return self

    @property
    def paper(self) -> str:
        """The paper's name (``A4``, ``Letter``, …), ``custom`` for a size in mm."""
        return self.size if self.custom_size_mm is None else "custom"

    @property
    def size_mm(self) -> tuple[float, float]:
        """(width, height) of the page in mm."""
        if self.custom_size_mm is not None:
            return self.custom_size_mm
        short, long = PAGE_SIZES_MM[self.size]
        return (short, long) if self.orientation == "portrait" else (long, short)


class ArucoMarker(_Model):
    id: Annotated[int, Field(ge=0, lt=50)]
    origin_mm: Point


class ArucoRegistration(_Model):
    """Four (or more) ArUco markers; each gives four corners to the homography."""

    kind: Literal["aruco"]
    dictionary: Literal["DICT_4X4_50"] = "DICT_4X4_50"
    size_mm: Annotated[float, Field(gt=0)] = 12.0
    quiet_zone_mm: Annotated[float, Field(ge=0)] = 3.0
    markers: list[ArucoMarker] = Field(min_length=3)

    @model_validator(mode="after")
    def _distinct_ids(self) -> ArucoRegistration:
        ids = [marker.id for marker in self.markers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"marker ids must be distinct, got {ids}")
        return self

    def marker_box(self, marker: ArucoMarker) -> Box:
        """The printed area of one marker."""
        return Box(origin_mm=marker.origin_mm, size_mm=(self.size_mm, self.size_mm))


# A page registers on 3 blocks found (an affine fit of their 12 corners) or 4 and more
# (a homography); a template declares at least 3, and the reader needs as many.
MIN_REGISTRATION_BLOCKS = 3


class SolidBlock(_NamedBox):
    """A registration mark printed on the form, in its box: a solid black rectangle,
    concentric rings around a dot (a bullseye, ``shape: rings``, in a square box), an L
    (``shape: corner``: two solid bars along two sides of its box, meeting at one of its
    corners), or a timing track (``shape: track``: ``bars`` equal solid bars of
    ``bar_mm``, evenly spaced from one end of its box to the other), or a filled disc
    (``shape: disc``, as Auto Multiple Choice prints, in its bounding square). The box's
    corners register the page; a bullseye's and a disc's, placed about their centre."""

    shape: Literal["solid", "rings", "corner", "track", "disc"] = "solid"
    bars: Annotated[int, Field(ge=MIN_TRACK_BARS)] | None = None
    bar_mm: Size | None = None

    @model_validator(mode="after")
    def _bars_for_a_track(self) -> SolidBlock:
        if (self.shape == "track") != (self.bars is not None and self.bar_mm is not None):
            raise ValueError("a track, and only a track, gives bars and bar_mm")
        return self


class BlockRegistration(_Model):
    """Solid printed blocks or bars (forms printed by others carry no ArUco markers).

    When the blocks look the same turned by 180° about their centre, the turn is told by
    ``orientation_boxes``: areas carrying print (e.g. question numbers) whose 180° image
    is blank paper.
    """

    kind: Literal["blocks"]
    blocks: list[SolidBlock] = Field(min_length=MIN_REGISTRATION_BLOCKS)
    orientation_boxes: list[Box] = []

    @model_validator(mode="after")
    def _orientation_decidable(self) -> BlockRegistration:
        if self.point_symmetric and not self.orientation_boxes:
            raise ValueError(
                "the blocks are symmetric under a 180° turn: orientation_boxes are required"
            )
        return self

    @property
    def centre_mm(self) -> Point:
        """Centre of the blocks' bounding box, in mm."""
        boxes = [block.box for block in self.blocks]
        left, right = min(b.origin_mm[0] for b in boxes), max(b.right for b in boxes)
        top, bottom = min(b.origin_mm[1] for b in boxes), max(b.bottom for b in boxes)
        return ((left + right) / 2, (top + bottom) / 2)

    @property
    def point_symmetric(self) -> bool:
        """Whether every block has a block of its size at its 180° image (to 0.5 mm)."""
        cx, cy = self.centre_mm
        turned = [
            (2 * cx - block.box.right, 2 * cy - block.box.bottom, *block.size_mm)
            for block in self.blocks
        ]
        return all(
            any(
                max(abs(a - b) for a, b in zip((*o.origin_mm, *o.size_mm), t, strict=True)) < 0.5
                for o in self.blocks
            )
            for t in turned
        )


Registration = Annotated[ArucoRegistration | BlockRegistration, Field(discriminator="kind")]


class QrSpec(_Model):
    """The identity QR code: a square box, in mm."""

    origin_mm: Point
    size_mm: Annotated[float, Field(gt=0)]

    @property
    def box(self) -> Box:
        return Box(origin_mm=self.origin_mm, size_mm=(self.size_mm, self.size_mm))


class BubbleStyle(_Model):
    """A bubble's printed outline: a circle, an ellipse, or a box (a square or a
    rectangle with sharp corners, as Auto Multiple Choice prints), ``size_mm`` its
    width and height."""

    shape: Literal["circle", "ellipse", "box"] = "circle"
    size_mm: Size = (5.0, 5.0)

    @model_validator(mode="after")
    def _circle_is_round(self) -> BubbleStyle:
        if self.shape == "circle" and self.size_mm[0] != self.size_mm[1]:
            raise ValueError(f"a circle needs equal width and height, got {self.size_mm}")
        return self


class HandwrittenBox(_Model):
    """A box the candidate writes in; the reader keeps an image crop of it."""

    name: str
    label: str
    origin_mm: Point
    size_mm: Size
    cells: Annotated[int, Field(ge=0)] = 0  # 0: free text, N: N character cells

    @property
    def box(self) -> Box:
        return Box(origin_mm=self.origin_mm, size_mm=self.size_mm)


# The longest number a template bubbles digit by digit (a candidate number, a booklet).
MAX_DIGIT_COLUMNS = 12


class DigitColumns(_Model):
    """Bubbled digits: one column per digit position, bubbles 0–9 top to bottom."""

    columns: Annotated[int, Field(ge=1, le=MAX_DIGIT_COLUMNS)]
    first_center_mm: Point
    column_pitch_mm: Annotated[float, Field(gt=0)]
    row_pitch_mm: Annotated[float, Field(gt=0)]
    bubble: BubbleStyle = BubbleStyle(size_mm=(4.0, 4.0))


class IdentificationZone(_Model):
    handwritten: list[HandwrittenBox] = []
    candidate_number: DigitColumns | None = None


class VariantField(_Model):
    """The grid type: bubbles A–D and/or the value printed in the QR."""

    label: str = "Tip grilă"
    options: list[Literal["A", "B", "C", "D"]] = list(VARIANT_LETTERS)
    in_qr: bool = True
    bubbles_first_center_mm: Point | None = None
    pitch_mm: Annotated[float, Field(gt=0)] = 8.0
    bubble: BubbleStyle = BubbleStyle(size_mm=(4.5, 4.5))

    @property
    def bubbled(self) -> bool:
        return self.bubbles_first_center_mm is not None


class CodedField(_Model):
    """A value printed as solid squares at some of several positions (e.g. the variant).

    Without ``codes`` each position is a value (one square, at the value's position).
    With ``codes`` a value is the set of positions that carry a square, e.g.
    ``{medicina: [p1], farmacie: [p2, p3]}``. Codes must differ; when one code is part
    of another, a square lost from the longer one reads as the shorter one's value.
    """

    name: str
    positions: dict[str, Box] = Field(min_length=2)
    codes: dict[str, list[str]] | None = None

    @model_validator(mode="after")
    def _codes_known(self) -> CodedField:
        for value, cells in self.value_cells().items():
            unknown = cells - set(self.positions)
            if not cells or unknown:
                raise ValueError(f"code {value!r} needs known positions, got {sorted(cells)}")
        codes = list(self.value_cells().values())
        if len(set(codes)) != len(codes):
            raise ValueError(f"coded field {self.name!r}: two values share one code")
        return self

    def value_cells(self) -> dict[str, frozenset[str]]:
        """Each value and the positions that carry a square for it."""
        if self.codes is None:
            return {value: frozenset([value]) for value in self.positions}
        return {value: frozenset(cells) for value, cells in self.codes.items()}


# This project's printer sets each option's letter above the first row of each column of
# a block, centred on its bubbles: its baseline this far above their top, bold, of this
# size (pt). A bold letter a–e or A–E of that size is at most three quarters of an em
# wide and tall (its cap height 0.73 em), from the baseline up.
OPTION_LABEL_GAP_MM, OPTION_LABEL_PT, OPTION_LABEL_EM_SHARE = 1.2, 7.5, 0.75
MM_PER_INCH = 25.4
MM_PER_PT = MM_PER_INCH / 72


class QuestionBlock(_Model):
    """Consecutive questions laid out in rows, column after column.

    ``first_center_mm`` is the centre of the first option of the first question;
    options run to the right by ``option_pitch_mm``; questions run down by
    ``row_pitch_mm`` for ``rows`` rows, then continue in the next column
    ``column_pitch_mm`` to the right.
    """

    first: Annotated[int, Field(ge=1)]
    last: Annotated[int, Field(ge=1)]
    options: list[str] = Field(min_length=2)
    first_center_mm: Point
    option_pitch_mm: Annotated[float, Field(gt=0)]
    row_pitch_mm: Annotated[float, Field(gt=0)]
    rows: Annotated[int, Field(ge=1)] | None = None
    column_pitch_mm: Annotated[float, Field(gt=0)] | None = None
    bubble: BubbleStyle = BubbleStyle()
    header: str | None = None  # printed above the block, e.g. the question type

    @model_validator(mode="after")
    def _consistent(self) -> QuestionBlock:
        if self.last < self.first:
            raise ValueError(f"last question {self.last} is before first {self.first}")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"option labels must be distinct, got {self.options}")
        count = self.last - self.first + 1
        if self.rows is not None and self.rows < count and self.column_pitch_mm is None:
            raise ValueError("column_pitch_mm is required when the block has several columns")
        return self

    @property
    def rows_per_column(self) -> int:
        """How many questions each column holds."""
        return self.rows or (self.last - self.first + 1)

    @property
    def option_label_baseline_mm(self) -> float:
        """y (mm) of the baseline of the option letters printed above the first row."""
        return self.first_center_mm[1] - self.bubble.size_mm[1] / 2 - OPTION_LABEL_GAP_MM

    def option_labels(self) -> list[tuple[str, Point]]:
        """The option letters this project prints above the first row of each column:
        each letter with the centre of its baseline, (x, y) mm."""
        return [
            (
                option,
                (self.question_center(self.first + start, index)[0], self.option_label_baseline_mm),
            )
            for start in range(0, self.last - self.first + 1, self.rows_per_column)
            for index, option in enumerate(self.options)
        ]

    def question_center(self, question: int, option_index: int) -> Point:
        """Centre of one option bubble of one question of this block, in mm."""
        column, row = divmod(question - self.first, self.rows_per_column)
        x = self.first_center_mm[0] + column * (self.column_pitch_mm or 0.0)
        x += option_index * self.option_pitch_mm
        y = self.first_center_mm[1] + row * self.row_pitch_mm
        return (x, y)


class QuestionType(_Model):
    """A range of questions of one type, printed on the sheet and used for scoring."""

    first: Annotated[int, Field(ge=1)]
    last: Annotated[int, Field(ge=1)]
    type: Literal["single", "multiple"]
    answers: str = "1"  # how many options are correct: "1", "2", "2-4"
    label: str


class TextItem(_Model):
    text: str
    origin_mm: Point  # baseline start of the first line
    size_pt: Annotated[float, Field(gt=0)] = 9.0
    bold: bool = False
    width_mm: Annotated[float, Field(gt=0)] | None = None  # wrap width; None: one line
    align: Literal["left", "center"] = "left"


class LabelledBox(_Model):
    label: str
    origin_mm: Point
    size_mm: Size


class Pictograms(_Model):
    """Examples of a correct fill and of a cancelled (X) fill, next to the instructions."""

    origin_mm: Point
    bubble_mm: Annotated[float, Field(gt=0)] = 5.0
    correct_label: str = "corect"
    cancelled_label: str = "anulat"


# A print drops out of the red channel when it reflects red about as paper does: red
# 170 of 255 or more (salmon and light red prints), where pens of every colour are dark.
DROP_OUT_MIN_RED = 170


class PrintLook(_Model):
    """What the bubbles of size ``size_mm`` printing ``label`` look like on the blank page:
    the bubble's box, centred on it, in ``darkness`` rows (:mod:`omr.sheet.print_look`)."""

    label: str
    size_mm: Size
    darkness: str


class PrintLooks(_Model):
    """The blank page's look of each printed label and bubble size, at ``px_per_mm``:
    the reader knows from it where the print lies inside a bubble when the page's own
    blank bubbles cannot show it (omr.reading.marks.printed_inside)."""

    # 4 px/mm still places a stroke's 0.3 mm; past 20 a look outweighs its template.
    px_per_mm: Annotated[float, Field(ge=4, le=20)]
    looks: list[PrintLook] = Field(min_length=1)

    @model_validator(mode="after")
    def _rows_fit(self) -> PrintLooks:
        seen = set()
        for look in self.looks:
            key = (look.label, tuple(look.size_mm))
            if key in seen:
                raise ValueError(f"label {look.label!r} of {look.size_mm} mm has two looks")
            seen.add(key)
            check_rows(look.darkness, pixels_of(look.size_mm, self.px_per_mm))
        return self

    def of(self, label: str, size_mm: tuple[float, float]) -> PrintLook | None:
        """The look of the bubbles of ``size_mm`` printing ``label``, if stored."""
        for look in self.looks:
            if look.label == label and tuple(look.size_mm) == tuple(size_mm):
                return look
        return None


class PrintSpec(_Model):
    """How the sheet looks on paper. The reader reads back ``colour`` (:attr:`drops_out`),
    ``labels_inside`` and ``looks_inside``."""

    colour: str = Field(default="#D2232A", pattern=r"^#[0-9A-Fa-f]{6}$")
    title: list[TextItem] = []
    instructions: list[TextItem] = []
    pictograms: Pictograms | None = None
    boxes: list[LabelledBox] = []  # score box, signature boxes
    # Each bubble's option letter or digit is printed inside it, as dark as a pen (forms
    # printed by others): the reader takes that print off the page before measuring ink
    # (omr.reading.marks.printed_inside).
    labels_inside: bool = False
    # The option letters stand above the first row of each column where
    # QuestionBlock.option_labels places them, as this project's printer sets them (the
    # sheets it prints): the reader takes them for print, not for a stroke leaving a fill.
    # A form printed by others carries its own print, and leaves this unset.
    option_letters_above: bool = False
    # What that print looks like on the blank page (``omr template from-pdf``, or
    # ``from-omrchecker`` measured on scans).
    looks_inside: PrintLooks | None = None

    @model_validator(mode="after")
    def _looks_of_labels_inside(self) -> PrintSpec:
        if self.looks_inside is not None and not self.labels_inside:
            raise ValueError("looks_inside describes labels printed inside: set labels_inside")
        return self

    @property
    def drops_out(self) -> bool:
        """Whether the print vanishes from a colour scan's red channel (red 170 or more
        of 255, as a red print reflects), leaving pen ink alone there."""
        return int(self.colour[1:3], 16) >= DROP_OUT_MIN_RED


class SheetTemplate(_Model):
    """A sheet layout, validated; coordinates in mm from the page's top-left."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: Annotated[int, Field(ge=1)]
    title: str
    profile: str | None  # the exam profile; None for sheets that are not scored
    page: PageSpec = PageSpec()
    registration: Registration
    qr: QrSpec | None = None
    identification: IdentificationZone = IdentificationZone()
    variant: VariantField | None = None
    coded_fields: list[CodedField] = []
    question_blocks: list[QuestionBlock] = Field(min_length=1)
    question_types: list[QuestionType] = Field(min_length=1)
    print: PrintSpec = PrintSpec()

    @model_validator(mode="after")
    def _check_layout(self) -> SheetTemplate:
        _check_questions(self)
        _check_bubbles(self)
        _check_parts(self)
        _check_looks(self)
        return self

    @property
    def page_size_mm(self) -> tuple[float, float]:
        return self.page.size_mm

    @property
    def question_count(self) -> int:
        return max(block.last for block in self.question_blocks)

    def options_of(self, question: int) -> list[str]:
        """The option labels of one question."""
        for block in self.question_blocks:
            if block.first <= question <= block.last:
                return block.options
        raise KeyError(question)

    def question_type(self, question: int) -> QuestionType:
        """The declared type of one question."""
        for question_type in self.question_types:
            if question_type.first <= question <= question_type.last:
                return question_type
        raise KeyError(question)

    @cached_property
    def all_bubbles(self) -> tuple[Bubble, ...]:
        """Every bubble of the sheet (answers, candidate-number digits, variant), once."""
        return tuple(_iter_bubbles(self))

    def bubbles(self) -> list[Bubble]:
        """Every bubble of the sheet: answers, candidate-number digits, variant."""
        return list(self.all_bubbles)

    def answer_bubbles(self) -> list[Bubble]:
        return [bubble for bubble in self.all_bubbles if bubble.field == "answers"]


@dataclass(frozen=True, slots=True)
class Bubble:
    """One printed bubble in template space.

    ``field`` is ``answers``, ``candidate_number`` or ``variant``; ``question`` is the
    question number (answers) or the digit position from 1 (candidate number), and
    ``None`` for the variant; ``option`` is the label printed in it.
    """

    field: str
    question: int | None
    option: str
    center_mm: Point
    size_mm: tuple[float, float]
    shape: str

    def box(self) -> Box:
        width, height = self.size_mm
        return Box(
            origin_mm=(self.center_mm[0] - width / 2, self.center_mm[1] - height / 2),
            size_mm=(width, height),
        )


def _iter_bubbles(template: SheetTemplate) -> Iterator[Bubble]:
    for block in template.question_blocks:
        for question in range(block.first, block.last + 1):
            for index, option in enumerate(block.options):
                yield Bubble(
                    "answers",
                    question,
                    option,
                    block.question_center(question, index),
                    block.bubble.size_mm,
                    block.bubble.shape,
                )
    digits = template.identification.candidate_number
    if digits is not None:
        x0, y0 = digits.first_center_mm
        for column in range(digits.columns):
            for digit in range(10):
                center = (x0 + column * digits.column_pitch_mm, y0 + digit * digits.row_pitch_mm)
                yield Bubble(
                    "candidate_number",
                    column + 1,
                    str(digit),
                    center,
                    digits.bubble.size_mm,
                    digits.bubble.shape,
                )
    variant = template.variant
    if variant is not None and variant.bubbles_first_center_mm is not None:
        x0, y0 = variant.bubbles_first_center_mm
        for index, letter in enumerate(variant.options):
            yield Bubble(
                "variant",
                None,
                letter,
                (x0 + index * variant.pitch_mm, y0),
                variant.bubble.size_mm,
                variant.bubble.shape,
            )


def _ranges_cover(ranges: list[tuple[int, int]], count: int, what: str) -> None:
    expected = 1
    for first, last in sorted(ranges):
        if first > expected:
            raise ValueError(f"{what}: questions {expected}–{first - 1} are missing")
        if first < expected:
            raise ValueError(f"{what}: question {first} is declared twice")
        expected = last + 1
    if expected - 1 != count:
        raise ValueError(f"{what}: cover questions 1–{expected - 1}, the sheet has {count}")


def _check_questions(template: SheetTemplate) -> None:
    count = max(block.last for block in template.question_blocks)
    _ranges_cover(
        [(block.first, block.last) for block in template.question_blocks],
        count,
        "question_blocks",
    )
    _ranges_cover(
        [(kind.first, kind.last) for kind in template.question_types], count, "question_types"
    )


def _inside_page(box: Box, page: tuple[float, float]) -> bool:
    return (
        box.origin_mm[0] >= 0
        and box.origin_mm[1] >= 0
        and box.right <= page[0]
        and (box.bottom <= page[1])
    )


def _overlap(first: Box, second: Box) -> bool:
    return (
        first.origin_mm[0] < second.right
        and second.origin_mm[0] < first.right
        and first.origin_mm[1] < second.bottom
        and second.origin_mm[1] < first.bottom
    )


def _describe(bubble: Bubble) -> str:
    where = f" question {bubble.question}" if bubble.question is not None else ""
    return f"{bubble.field}{where} option {bubble.option}"


def _check_bubbles(template: SheetTemplate) -> None:
    page = template.page.size_mm
    bubbles = list(_iter_bubbles(template))
    for bubble in bubbles:
        if not _inside_page(bubble.box(), page):
            raise ValueError(
                f"bubble {_describe(bubble)} at {bubble.center_mm} mm lies outside the "
                f"{page[0]:g}×{page[1]:g} mm page"
            )
    # Sort by x so that only neighbours in x are compared (sweep line).
    ordered = sorted(bubbles, key=lambda bubble: bubble.box().origin_mm[0])
    for index, bubble in enumerate(ordered):
        box = bubble.box()
        for other in ordered[index + 1 :]:
            other_box = other.box()
            if other_box.origin_mm[0] >= box.right:
                break
            if _overlap(box, other_box):
                raise ValueError(f"bubbles {_describe(bubble)} and {_describe(other)} overlap")


def _contains(outer: Box, inner: Box) -> bool:
    return (
        outer.origin_mm[0] <= inner.origin_mm[0]
        and outer.origin_mm[1] <= inner.origin_mm[1]
        and inner.right <= outer.right
        and inner.bottom <= outer.bottom
    )


def _check_parts(template: SheetTemplate) -> None:
    """A page part scanned alone must hold every answer bubble and registration block."""
    boxes = [(_describe(bubble), bubble.box()) for bubble in template.answer_bubbles()]
    if isinstance(template.registration, BlockRegistration):
        boxes += [(f"block {b.name!r}", b.box) for b in template.registration.blocks]
    for part in template.page.parts:
        for what, box in boxes:
            if not _contains(part.box, box):
                raise ValueError(f"page part {part.name!r} does not hold {what}")


def _check_looks(template: SheetTemplate) -> None:
    """Each stored look is of a label and size some bubble prints."""
    looks = template.print.looks_inside
    if looks is None:
        return
    printed = {(bubble.option, tuple(bubble.size_mm)) for bubble in template.all_bubbles}
    for look in looks.looks:
        if (look.label, tuple(look.size_mm)) not in printed:
            raise ValueError(
                f"print.looks_inside: no bubble of {look.size_mm} mm prints {look.label!r}"
            )


def format_validation_error(error: ValidationError) -> str:
    """A template's validation error as ``field.path: reason`` items joined by ``; ``."""
    lines = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"{path}: {item['msg']}")
    return "; ".join(lines)


def resolve_template_path(name_or_path: str | Path) -> Path:
    """A template file path, or the path of a shipped template given by its id."""
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        return candidate
    return TEMPLATES_DIR / f"{name_or_path}.yaml"


def load_template(name_or_path: str | Path) -> SheetTemplate:
    """Load and validate a template from a YAML path or a shipped template id.

    Raises
    ------
    TemplateError
        With the file name, the field path and the reason, for a missing file, a YAML
        syntax error or a layout that fails validation.
    """
    path = resolve_template_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(Reason.TEMPLATE_NOT_FOUND, file=str(path)) from None
    except UnicodeDecodeError:
        raise TemplateError(
            Reason.TEMPLATE_UNREADABLE, file=str(path), error="not UTF-8 text"
        ) from None
    except OSError as error:
        raise TemplateError(
            Reason.TEMPLATE_UNREADABLE, file=str(path), error=error.strerror or str(error)
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TemplateError(Reason.TEMPLATE_SYNTAX, file=str(path), error=str(error)) from None
    if not isinstance(data, dict):
        raise TemplateError(
            Reason.TEMPLATE_INVALID, file=str(path), problem="a template must be a YAML mapping"
        )
    try:
        return SheetTemplate.model_validate(data)
    except ValidationError as error:
        raise TemplateError(
            Reason.TEMPLATE_INVALID, file=str(path), problem=format_validation_error(error)
        ) from None


def shipped_template_ids() -> list[str]:
    """Ids of the templates in ``sheet_templates/``."""
    return sorted(path.stem for path in TEMPLATES_DIR.glob("*.yaml"))
