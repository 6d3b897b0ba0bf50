"""Template loading and validation: every bad template gets the file, the field, a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from omr.sheet.template import TEMPLATES_DIR, load_template, shipped_template_ids
from omr.vocabulary.errors import TemplateError

SPEC = TEMPLATES_DIR / "specializare-asistenti.yaml"


def test_shipped_templates_load() -> None:
    counts = {name: load_template(name).question_count for name in shipped_template_ids()}
    assert counts["specializare-asistenti"] == 50
    assert counts["rezidentiat"] == 200
    assert counts["emc"] == 30


def test_specializare_question_types(specializare) -> None:
    assert specializare.question_type(20).type == "single"
    assert specializare.question_type(21).answers == "2"
    assert specializare.options_of(50) == ["a", "b", "c"]
    assert len(specializare.answer_bubbles()) == 150


def _write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_template_path() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template("no/such/template.yaml")
    assert caught.value.reason == "template_not_found"
    assert "no/such/template.yaml" in caught.value.message


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nquestion_blocks: [\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert caught.value.reason == "template_syntax"
    assert "broken.yaml" in caught.value.message


def _set_block(index: int, **fields):
    def change(data: dict) -> None:
        data["question_blocks"][index].update(fields)

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set_block(0, option_pitch_mm=3), "overlap"),
        (_set_block(1, first_center_mm=[200, 110]), "outside the"),
        (_set_block(1, first=22), "questions 21–21 are missing"),
        (_set_block(0, bubble={"shape": "circle", "size_mm": [5, 4]}), "equal width"),
        (lambda data: data["registration"]["markers"][1].update(id=0), "distinct"),
        (lambda data: data["print"].update(colour="red"), "print.colour"),
        (lambda data: data.update(unknown_field=1), "unknown_field"),
        (lambda data: data["question_types"].pop(), "question_types"),
        (lambda data: data["variant"].update(options=["A", "X"]), "variant.options"),
        (lambda data: data["page"].update(size="B5"), "page.size"),
        (lambda data: data["page"].update(size_mm=[100, 297]), "size_mm alone"),
        (lambda data: data.update(page={"size_mm": [150, 297]}), "outside the"),
    ],
)
def test_bad_layouts_are_refused_with_field_and_reason(tmp_path: Path, change, expected) -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(_write_variant(tmp_path, change))
    assert "bad.yaml" in caught.value.message
    assert expected in caught.value.message
    assert caught.value.reason == "template_invalid"


@pytest.mark.parametrize(
    ("page", "size_mm"),
    [
        ({"size": "Letter"}, (215.9, 279.4)),
        ({"size": "Legal"}, (215.9, 355.6)),
        ({"size": "A3", "orientation": "landscape"}, (420.0, 297.0)),
        ({"size_mm": [216, 330]}, (216.0, 330.0)),
    ],
)
def test_any_page_size(tmp_path: Path, page: dict, size_mm: tuple[float, float]) -> None:
    template = load_template(_write_variant(tmp_path, lambda data: data.update(page=page)))
    assert template.page_size_mm == size_mm
    assert template.page.paper == page.get("size", "custom")
