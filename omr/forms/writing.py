"""A measured template checked like any other and written as commented YAML."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from omr.forms.shapes import Block
from omr.sheet.template import PAGE_SIZES_MM, SheetTemplate, format_validation_error
from omr.vocabulary.errors import TemplateError
from omr.vocabulary.reasons import Reason

# A printed page is its paper size to a millimetre (PDF boxes are given in points).
PAPER_TOLERANCE_MM = 1.0


def page_spec(size_mm: tuple[float, float]) -> dict:
    """The page as a named paper size in its orientation, or its size in mm."""
    width, height = size_mm
    for name, (short, long) in PAGE_SIZES_MM.items():
        for orientation, (w, h) in (("portrait", (short, long)), ("landscape", (long, short))):
            if abs(w - width) <= PAPER_TOLERANCE_MM and abs(h - height) <= PAPER_TOLERANCE_MM:
                return {"size": name, "orientation": orientation}
    return {"size_mm": [round(width, 2), round(height, 2)]}


def rounded(values: Iterable[float], digits: int = 3) -> list[float]:
    """Values as plain floats rounded to ``digits`` (for YAML)."""
    return [round(float(v), digits) for v in values]


def mark_entry(name: str, mark: Block) -> dict:
    """The template's registration block ``name`` for the printed ``mark``."""
    x0, y0, x1, y1 = mark.box
    return {
        "name": name,
        **({"shape": mark.shape} if mark.shape != "solid" else {}),
        "origin_mm": rounded((x0, y0)),
        "size_mm": rounded((x1 - x0, y1 - y0)),
        **({"bars": mark.bars, "bar_mm": rounded(mark.bar)} if mark.bars else {}),
    }


def slug(text: str) -> str:
    """A template id made of ``text``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "form"


class _FlowLists(yaml.SafeDumper):
    """Mappings in blocks, lists of scalars inline (``[1.5, 2.0]``)."""


def _represent_list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    inline = all(not isinstance(item, dict | list) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=inline)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    """Any text of several lines (a print look's rows) as a literal block, to be read as
    it is laid out."""
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_FlowLists.add_representer(list, _represent_list)
_FlowLists.add_representer(str, _represent_str)


def write_template(data: dict, notes: list[str], path: Path) -> SheetTemplate:
    """Validate ``data`` as a template and write it to ``path``, ``notes`` as comments.

    Raises
    ------
    TemplateError
        ``template_invalid`` with the field and the reason, when ``data`` is no template.
    """
    try:
        template = SheetTemplate.model_validate(data)
    except ValidationError as error:
        raise TemplateError(
            Reason.TEMPLATE_INVALID, file=str(path), problem=format_validation_error(error)
        ) from None
    header = "".join(f"# {note}\n" for note in notes)
    body = yaml.dump(data, Dumper=_FlowLists, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + "# Coordinates in mm from the page's top-left corner.\n" + body)
    return template
