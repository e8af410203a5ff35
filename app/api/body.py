"""Reading a JSON body safely: size cap while streaming, orjson, errors as 413/422."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class HTTPProblem(Exception):
    """An error answer with a status code and a FastAPI-style `detail`."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def too_large(message: str, *, unread_body: bool = False) -> HTTPProblem:
    """A 413. With `unread_body` the answer also closes the connection: otherwise the server
    would go on receiving (and dropping) the rest of a body it refused, for as long as the
    client cares to send it."""
    return HTTPProblem(413, message, {"Connection": "close"} if unread_body else None)


async def read_json(request: Request, max_bytes: int) -> Any:
    """The parsed body. 413 before reading when Content-Length is over `max_bytes`, or as soon
    as the streamed body passes it (a lying or absent length cannot fill memory); 422 for
    JSON that does not parse (including nesting deeper than orjson's limit of 1024)."""
    length = request.headers.get("content-length")
    if length is not None:
        if not (length.isascii() and length.isdigit()):
            raise HTTPProblem(400, "invalid Content-Length header", {"Connection": "close"})
        if int(length) > max_bytes:
            raise too_large(
                f"request body of {length} bytes exceeds the {max_bytes}-byte limit",
                unread_body=True,
            )
    # One growing buffer rather than a list of chunks joined at the end: the peak stays near
    # the body's size instead of twice it.
    body = bytearray()
    async for chunk in request.stream():
        if len(body) + len(chunk) > max_bytes:
            raise too_large(f"request body exceeds the {max_bytes}-byte limit", unread_body=True)
        body += chunk
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HTTPProblem(
            422, [{"loc": ["body"], "msg": f"invalid JSON: {exc}", "type": "json_invalid"}]
        ) from None


def validate(model: type[M], data: Any) -> M:
    """`model.model_validate(data)` with pydantic's errors as a 422 whose `detail` names
    each field's path (`["body", "items", 0, "checks", "math", "gold"]`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        detail = [
            {"loc": ["body", *err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise HTTPProblem(422, detail) from None
