"""`endpoint`: validates a route's JSON body with its pydantic model and records the route's
contract; `build_openapi` turns those records into the OpenAPI document, so docs and validation share
one source."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

from flask import Flask, current_app, request
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import FileStorage

from . import errors
from .schemas import ErrorEnvelope

COMPONENT_REF = "#/components/schemas/{model}"


def describe_validation_error(exc: ValidationError) -> tuple[str, list[dict]]:
    details = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in err["loc"]) or "body"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "this field is required"
        elif err["type"] == "extra_forbidden":
            msg = "this field is not accepted"
        details.append({"field": field, "message": msg})
    first = details[0]
    return f"{first['field']}: {first['message']}.", details


def parse_json(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise errors.UnsupportedMediaType("Send the request body as JSON (Content-Type: application/json).")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise errors.InvalidRequest("The request body must be a JSON object.")
    settings = current_app.config["SETTINGS"]
    try:
        return model.model_validate(data, context={"max_message_chars": settings.max_message_chars})
    except ValidationError as exc:
        message, details = describe_validation_error(exc)
        raise errors.InvalidRequest(message, details=details) from None


def multipart_file(what: str) -> FileStorage:
    """The upload in the multipart field `file`; `what` names it in the 400 message ("the file")."""
    if request.mimetype != "multipart/form-data":
        raise errors.UnsupportedMediaType("Send the file as multipart/form-data, in a field named `file`.")
    file = request.files.get("file")
    if file is None:
        raise errors.InvalidRequest(f"file: attach {what} in a multipart field named `file`.")
    return file


def endpoint(
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    query: dict[str, dict] | None = None,
    errors_: tuple[type[errors.ApiError], ...] = (),
    extra_responses: dict[str, dict] | None = None,
    description: str | None = None,
    request_body: dict | None = None,
    access: Literal["public", "user", "admin"] = "user",
) -> Callable:
    """Decorate a view: with `body`, the parsed model is passed as the `body` keyword.
    `request_body` documents a body the view parses itself (multipart uploads), as an OpenAPI requestBody.
    `access` says who may call it; `auth.require` enforces it and the OpenAPI document shows it."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if body is not None:
                kwargs["body"] = parse_json(body)
            return view(*args, **kwargs)

        wrapper.access = access  # type: ignore[attr-defined]
        wrapper.openapi = {  # type: ignore[attr-defined]
            "access": access, "summary": summary, "tag": tag, "body": body, "response": response, "status": status,
            "query": query or {}, "errors": errors_, "extra": extra_responses or {}, "description": description,
            "request_body": request_body,
        }
        return wrapper

    return decorate


def build_openapi(app: Flask, version: str) -> dict:
    components: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict:
        schema = model.model_json_schema(ref_template=COMPONENT_REF)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
        return {"$ref": COMPONENT_REF.format(model=model.__name__)}

    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        spec = getattr(app.view_functions.get(rule.endpoint), "openapi", None)
        if spec is None:
            continue
        path = rule.rule
        params = []
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", f"{{{arg}}}")
            params.append({"name": arg, "in": "path", "required": True, "schema": {"type": "string"}})
        for name, schema in spec["query"].items():
            params.append({"name": name, "in": "query", "required": False, "schema": schema})
        ok: dict[str, Any] = {"description": "Success"}
        if spec["response"] is not None:
            ok["content"] = {"application/json": {"schema": ref(spec["response"])}}
        responses: dict[str, Any] = {str(spec["status"]): ok, **spec["extra"]}
        envelope = ref(ErrorEnvelope)
        guarded = (errors.Unauthorized,) * (spec["access"] != "public") + (errors.Forbidden,) * (spec["access"] == "admin")
        for err in (errors.InvalidRequest, errors.UnsupportedMediaType) * (spec["body"] is not None) + guarded + spec["errors"] + (errors.RateLimited, errors.QuotaExceeded, errors.InternalError):
            entry = responses.setdefault(str(err.status), {"description": "", "content": {"application/json": {"schema": envelope}}})
            codes = [c for c in entry["description"].split(", ") if c]
            if err.code not in codes and "content" in entry and "application/json" in entry["content"]:
                entry["description"] = ", ".join(codes + [err.code])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "summary": spec["summary"], "tags": [spec["tag"]], "operationId": f"{rule.endpoint}_{method.lower()}",
                "parameters": params, "responses": responses,
            }
            if spec["access"] == "public":
                op["security"] = []  # the document's default is the bearer token
            if spec["access"] == "admin":
                op["x-admin-only"] = True
            if spec["description"]:
                op["description"] = spec["description"]
            if spec["request_body"] is not None:
                op["requestBody"] = spec["request_body"]
            if spec["body"] is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(spec["body"])}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "AI Assistant API", "version": version,
                 "description": "Errors always come as `{\"error\": {\"code\", \"message\"}}`. Codes: "
                 + ", ".join(f"`{e.code}` {e.status}" for e in errors.ALL_ERRORS) + "."},
        "paths": paths,
        "security": [{"bearer": []}],
        "components": {"schemas": components, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "A session token from POST /api/auth/login, or a personal API token (`aia_…`)."}}},
    }
