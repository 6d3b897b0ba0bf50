"""Scanner and ink calibration profiles: the thresholds the mark classifier uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from omr.vocabulary.errors import InputFileError
from omr.vocabulary.reasons import Reason

CALIBRATION_DIR = Path(__file__).resolve().parents[2] / "calibration"
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
# A bubble's fill is measured on the disc inside its printed outline: 72 % of its radius
# keeps a 0.2 mm outline and 0.3 mm of registration error out of a 5 mm bubble's interior.
# The calibration sheet's coverage references are printed as shares of the same disc.
INTERIOR_RADIUS = 0.72
# A scanner renders flat paper within ±2 % of its brightness (its flat field).
SCANNER_FLAT_FIELD = 0.02
RETIRED_FIELDS = frozenset({"cross_arm_min", "cross_arms_crossed", "fill_rim_min"})


class Calibration(BaseModel):
    """Thresholds for classifying bubbles (see ``calibration/default.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_: Literal["omr.calibration/1"] = Field("omr.calibration/1", alias="schema")
    name: str = "default"
    ink_darkness: Fraction = 0.35
    ink_darkness_floor: Fraction = 0.15
    blank_max_fill: Fraction = 0.15
    filled_min_fill: Fraction = 0.55
    filled_min_fill_floor: Fraction = 0.42
    fill_tone_share: Fraction = 0.6
    smudge_darkness: Fraction = 0.14
    traced_ring_excess: Fraction = 0.35
    stroke_beyond: Annotated[float, Field(ge=0.05, le=1.0)] = 0.3

    @model_validator(mode="before")
    @classmethod
    def _without_retired_fields(cls, data: object) -> object:
        """Profiles written before strokes were read as ends carry two arm thresholds that
        no longer mean anything, and before the rim a fill reaches was derived from the
        filled threshold, a rim threshold: they are dropped."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in RETIRED_FIELDS}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Calibration:
        if not self.ink_darkness_floor <= self.ink_darkness:
            raise ValueError("need ink_darkness_floor <= ink_darkness")
        if not self.blank_max_fill < self.filled_min_fill_floor <= self.filled_min_fill:
            raise ValueError(
                "need blank_max_fill < filled_min_fill_floor <= filled_min_fill "
                "(a doubt band must separate blank from filled)"
            )
        return self


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Load a calibration profile; ``None`` loads the documented default."""
    path = Path(path) if path is not None else CALIBRATION_DIR / "default.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Calibration.model_validate(data)
    except OSError as error:
        raise InputFileError(
            Reason.CALIBRATION_UNREADABLE, file=str(path), error=error.strerror or str(error)
        ) from None
    except UnicodeDecodeError:
        raise InputFileError(
            Reason.CALIBRATION_UNREADABLE, file=str(path), error="not UTF-8 text"
        ) from None
    except (yaml.YAMLError, ValidationError) as error:
        raise InputFileError(
            Reason.CALIBRATION_INVALID, file=str(path), problem=str(error)
        ) from None
