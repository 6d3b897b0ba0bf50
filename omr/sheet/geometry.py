"""The geometry contract ``omr.geometry/1``: every printed element's place in mm."""

from __future__ import annotations

from typing import Any

from omr.sheet.template import ArucoRegistration, SheetTemplate

SCHEMA = "omr.geometry/1"


def template_geometry(template: SheetTemplate) -> dict[str, Any]:
    """The template's geometry as a JSON-ready dict (see ``docs/geometry.md``)."""
    width, height = template.page_size_mm
    registration = template.registration
    if isinstance(registration, ArucoRegistration):
        marks = [
            {
                "kind": "aruco",
                "id": marker.id,
                "dictionary": registration.dictionary,
                "origin_mm": list(marker.origin_mm),
                "size_mm": [registration.size_mm, registration.size_mm],
            }
            for marker in registration.markers
        ]
    else:
        marks = [
            {
                "kind": "block",
                "name": block.name,
                "origin_mm": list(block.origin_mm),
                "size_mm": list(block.size_mm),
            }
            for block in registration.blocks
        ]
    zones = [
        {
            "kind": "handwritten",
            "name": box.name,
            "label": box.label,
            "origin_mm": list(box.origin_mm),
            "size_mm": list(box.size_mm),
        }
        for box in template.identification.handwritten
    ]
    zones += [
        {
            "kind": "coded",
            "name": field.name,
            "value": value,
            "origin_mm": list(box.origin_mm),
            "size_mm": list(box.size_mm),
        }
        for field in template.coded_fields
        for value, box in field.positions.items()
    ]
    return {
        "schema": SCHEMA,
        "template": template.id,
        "version": template.version,
        "page": {
            "size": template.page.paper,
            "orientation": template.page.orientation,
            "size_mm": [width, height],
        },
        "registration_marks": marks,
        "qr": None
        if template.qr is None
        else {
            "origin_mm": list(template.qr.origin_mm),
            "size_mm": [template.qr.size_mm, template.qr.size_mm],
        },
        "zones": zones,
        "question_types": [qt.model_dump() for qt in template.question_types],
        "bubbles": [
            {
                "field": bubble.field,
                "question": bubble.question,
                "option": bubble.option,
                "center_mm": [round(bubble.center_mm[0], 3), round(bubble.center_mm[1], 3)],
                "size_mm": list(bubble.size_mm),
                "shape": bubble.shape,
            }
            for bubble in template.bubbles()
        ],
    }
