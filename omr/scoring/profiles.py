"""Exam profiles: the scoring rules of one exam, loaded from YAML and validated.

A profile names the sheet templates it may score, the option letters, the question
types (question ranges, the rule that scores them, their zeroing rules), the required
ink, the pass rules, the rounding and the annulment policy. Points are ``Decimal``:
the YAML loader turns every number written with a decimal point into a ``Decimal``
straight from its text, so no binary float ever enters the arithmetic.

Rule kinds are a closed set, selected by name in the profile:

``all_or_nothing``
    ``points`` when the filled options are exactly the key (a single-answer question,
    an EMC question), otherwise 0.
``per_correct_option``
    ``per_option`` for each key option filled (the nurses' two-answer questions); a
    filled option outside the key costs nothing (``wrong_mark: literal``) or zeroes the
    question (``wrong_mark: strict``).
``per_option_agreement``
    ``per_option`` for each option whose state agrees with the key: filled and correct,
    or blank and wrong (the residency complement multiplu).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from omr.scoring.windows import Window
from omr.sheet.template import SheetTemplate
from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

PROFILE_SCHEMA = "omr.profile/1"
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}

Points = Annotated[Decimal, Field(ge=0)]
Share = Annotated[Decimal, Field(gt=0, le=1)]


def profiles_dir() -> Path:
    """The folder of the bundled profiles: ``sheet_templates/profiles`` of the repository."""
    return Path(__file__).resolve().parents[2] / "sheet_templates" / "profiles"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AllOrNothing(_Model):
    kind: Literal["all_or_nothing"]
    points: Points


class PerCorrectOption(_Model):
    kind: Literal["per_correct_option"]
    per_option: Points
    wrong_mark: Literal["literal", "strict"] = "literal"


class PerOptionAgreement(_Model):
    kind: Literal["per_option_agreement"]
    per_option: Points


Rule = Annotated[AllOrNothing | PerCorrectOption | PerOptionAgreement, Field(discriminator="kind")]


class Zeroing(_Model):
    """When a question scores 0 whatever the key says."""

    crossed: bool = True  # a crossed circle anywhere in the question
    more_than: int | None = Field(default=None, ge=0)  # more filled circles than this
    fewer_than: int = Field(default=0, ge=0)  # fewer filled circles than this (0: never)


class QuestionType(_Model):
    """A range of questions scored by one rule."""

    name: str
    title: str = ""
    questions: str  # "1-20" or "1-10, 31-40"
    key_letters: tuple[int, int]  # how many letters a key may give: (min, max)
    rule: Rule
    zeroing: Zeroing = Zeroing()

    @field_validator("key_letters", mode="before")
    @classmethod
    def _exact_count(cls, value: object) -> object:
        return (value, value) if isinstance(value, int) else value

    @field_validator("questions")
    @classmethod
    def _ranges(cls, value: str) -> str:
        parse_ranges(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> QuestionType:
        low, high = self.key_letters
        if not 1 <= low <= high:
            raise ValueError(f"key_letters must be 1 <= min <= max, got {self.key_letters}")
        if isinstance(self.rule, PerCorrectOption) and low != high:
            raise ValueError("per_correct_option needs an exact key_letters count")
        return self

    @property
    def numbers(self) -> frozenset[int]:
        """The question numbers of this type."""
        return parse_ranges(self.questions)

    def max_points(self, option_count: int) -> Decimal:
        """The points of a fully correct question of this type."""
        match self.rule:
            case AllOrNothing(points=points):
                return points
            case PerCorrectOption(per_option=per_option):
                return per_option * self.key_letters[1]
            case PerOptionAgreement(per_option=per_option):
                return per_option * option_count


class AbsolutePass(_Model):
    kind: Literal["absolute"]
    minimum: Points


class NationalMaximumPass(_Model):
    kind: Literal["share_of_national_maximum"]
    share: Share


class CorrectSharePass(_Model):
    kind: Literal["share_of_correct_answers"]
    share: Share


PassRule = Annotated[
    AbsolutePass | NationalMaximumPass | CorrectSharePass, Field(discriminator="kind")
]


class Rounding(_Model):
    places: int = Field(default=2, ge=0, le=6)
    mode: Literal["half_up", "half_even", "down"] = "half_up"
    on: Literal["total", "question"] = "total"  # round the sum, or each question first

    def apply(self, value: Decimal) -> Decimal:
        """``value`` rounded to ``places`` decimals (``Decimal("7.3")`` → ``7.30``)."""
        return value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUNDING_MODES[self.mode])


class Profile(_Model):
    """The scoring rules of one exam."""

    schema_: Literal["omr.profile/1"] = Field(alias="schema")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    templates: list[str] = Field(min_length=1)
    options: list[str] = Field(min_length=2)
    ink: Literal["blue", "black"]
    question_count: int = Field(ge=1)
    minimum_questions: int = Field(default=1, ge=1)  # the regulation's least (EMC: 10)
    maximum: Points
    question_types: list[QuestionType] = Field(min_length=1)
    pass_rules: list[PassRule] = Field(alias="pass", min_length=1)
    rounding: Rounding = Rounding()
    annulment: Literal["void", "award"] = "void"
    windows: dict[Literal["contestation", "rescan"], Window] = {}  # after the results

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if self.question_count < self.minimum_questions:
            raise ValueError(
                f"question_count is {self.question_count}, fewer than the "
                f"minimum_questions {self.minimum_questions} the exam's rules require"
            )
        folded = [option.casefold() for option in self.options]
        if len(set(folded)) != len(folded):
            raise ValueError(f"options must be distinct, got {self.options}")
        numbers = [number for qtype in self.question_types for number in qtype.numbers]
        if sorted(numbers) != list(range(1, self.question_count + 1)):
            raise ValueError(
                f"question types must cover 1-{self.question_count} once each, without gaps"
            )
        for qtype in self.question_types:
            if qtype.key_letters[1] > len(self.options):
                raise ValueError(f"type {qtype.name}: key_letters exceeds the option count")
        computed = sum(
            (self.max_points(number) for number in range(1, self.question_count + 1)), Decimal(0)
        )
        if computed != self.maximum:
            raise ValueError(f"maximum is {self.maximum} but the question types add to {computed}")
        return self

    @cached_property
    def types_by_question(self) -> dict[int, QuestionType]:
        """Each question's type by its number (the first type that lists it), found once: a
        sheet's scoring asks for it several times a question."""
        types: dict[int, QuestionType] = {}
        for qtype in self.question_types:
            for number in qtype.numbers:
                types.setdefault(number, qtype)
        return types

    def question_type(self, question: int) -> QuestionType:
        """The type of question number ``question`` (which must exist)."""
        return self.types_by_question[question]

    def has_question(self, question: int) -> bool:
        """Whether the exam has question number ``question``."""
        return 1 <= question <= self.question_count

    def max_points(self, question: int) -> Decimal:
        """The points of question ``question`` answered fully correctly."""
        return self.question_type(question).max_points(len(self.options))

    def passes(
        self, total: Decimal, correct: int, counted: int, national_max: Decimal | None = None
    ) -> bool | None:
        """Whether a final score meets every pass rule (compared exactly, not rounded).

        ``correct`` of ``counted`` questions were answered fully correctly. None while a
        rule needs ``national_max``, the best score of the national ranking.
        """
        verdicts = []
        for rule in self.pass_rules:
            match rule:
                case AbsolutePass(minimum=minimum):
                    verdicts.append(total >= minimum)
                case CorrectSharePass(share=share):
                    verdicts.append(counted > 0 and correct >= share * counted)
                case NationalMaximumPass(share=share):
                    if national_max is None:
                        return None
                    verdicts.append(total >= share * national_max)
        return all(verdicts)

    @cached_property
    def option_labels(self) -> dict[str, str]:
        """The profile's spelling of each option by its letter case-folded."""
        return {option.casefold(): option for option in self.options}

    def option_label(self, letter: str) -> str | None:
        """The profile's spelling of option ``letter`` (any case), or None if unknown."""
        return self.option_labels.get(letter.casefold())


@cache
def parse_ranges(text: str) -> frozenset[int]:
    """Question numbers of ``"1-20"`` or ``"1-10, 31-40, 45"``."""
    numbers: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise ValueError(f"bad question range {part.strip()!r}") from None
        if not 1 <= low <= high:
            raise ValueError(f"bad question range {part.strip()!r}")
        numbers.update(range(low, high + 1))
    return frozenset(numbers)


class _DecimalLoader(yaml.SafeLoader):
    """A YAML loader that reads numbers with a decimal point as ``Decimal``."""


_DecimalLoader.add_constructor(
    "tag:yaml.org,2002:float",
    lambda loader, node: Decimal(loader.construct_scalar(node)),
)


def validation_problem(error: ValidationError) -> str:
    """The first problem of a Pydantic error as ``field.path: message``."""
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
    return f"{where}: {problem['msg']}"


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a profile by id (from :func:`profiles_dir`) or from a YAML file path.

    Raises
    ------
    InputFileError
        ``profile_not_found`` or ``profile_invalid``, naming the file and the field.
    """
    text = str(name_or_path)
    path = Path(text) if text.endswith((".yaml", ".yml")) else profiles_dir() / f"{text}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in profiles_dir().glob("*.yaml")))
        raise InputFileError(Reason.PROFILE_NOT_FOUND, profile=text, known=known)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader)  # noqa: S506
        return Profile.model_validate(data)
    except yaml.YAMLError as error:
        raise InputFileError(
            Reason.PROFILE_INVALID, file=str(path), problem=f"not valid YAML: {error}"
        ) from None
    except UnicodeDecodeError:
        raise InputFileError(
            Reason.PROFILE_INVALID, file=str(path), problem="not UTF-8 text"
        ) from None
    except ValidationError as error:
        raise InputFileError(
            Reason.PROFILE_INVALID, file=str(path), problem=validation_problem(error)
        ) from None


def ink_of_template_profile(template: SheetTemplate) -> str | None:
    """The ink colour the profile named by ``template`` requires (``None``: no profile).

    The reader takes this rule as :attr:`omr.reading.pipeline.ReadOptions.required_ink`:
    reading never loads exam rules itself.
    """
    return _profile_ink(template.profile) if template.profile else None


@cache
def _profile_ink(name: str) -> str | None:
    """A profile's ink, loaded once per process (as the shipped templates naming it are)."""
    return load_profile(name).ink
