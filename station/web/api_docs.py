"""The API's documentation at ``/docs``, rendered by the station from its OpenAPI schema:
no script and no file from elsewhere, so it reads the same with the network cut (exam
rooms are often offline; Swagger UI's files would come from a CDN)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from station.web.deps import templates

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema: dict[str, Any]) -> str:
    """A schema as a short type name (``Sheet``, ``list[Candidate]``, ``string``)."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list[{_type(schema.get('items', {}))}]"
    return schema.get("format") or schema.get("type") or "object"


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI schema, in path order, with what a caller needs."""
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": next(iter(operation.get("tags", [])), ""),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "type": _type(p.get("schema", {})),
                            "required": p.get("required", False),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": [(kind, _type(c.get("schema", {}))) for kind, c in body.items()],
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return found


def models(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema's models and their fields."""
    return [
        {
            "name": name,
            "fields": [
                (field, _type(spec), field in model.get("required", []))
                for field, spec in model.get("properties", {}).items()
            ],
        }
        for name, model in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    schema = request.app.openapi()
    return templates.TemplateResponse(
        request,
        "api_docs.html",
        {
            "login": None,
            "title": schema["info"]["title"],
            "operations": operations(schema),
            "models": models(schema),
        },
    )
