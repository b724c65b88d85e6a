"""The ASGI app: the page, ``GET /api/models`` and ``POST /api/<model>/<verb>``.

Starlette routes the requests; each verb runs in a worker thread (the models are read, never
changed, so requests run side by side), at most ``workers`` at once (one per core by default:
more threads only queue for the interpreter lock, and throughput fell by half to two thirds
with 16 at once, BENCHMARKS.md). Every refusal is JSON ``{"error": "one line"}`` with a
4xx status; an unexpected failure is a 500 with one line, logged with its traceback, and the
server goes on serving.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from seqlab._version import __version__
from seqlab.serve.options import Limits, Options, RequestError
from seqlab.serve.served import Served, Upload

__all__ = ["STATIC", "build_app"]

STATIC = Path(__file__).parent / "static"
JSON_OVERHEAD = 64 * 1024  # bytes a JSON body may hold beyond its text
log = logging.getLogger("seqlab.serve")


def build_app(
    served: list[Served], limits: Limits | None = None, *, workers: int | None = None
) -> Starlette:
    """The app serving ``served`` (see :func:`seqlab.serve.load_served`) within ``limits``.

    ``workers``: requests that run a model at once (default: one per CPU core); the others
    wait their turn. More would not be faster: the models' Python loops share one interpreter
    lock, and threads beyond the cores only take turns at it.
    """
    limits = limits or Limits()
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    limiter = anyio.CapacityLimiter(workers or os.cpu_count() or 1)
    by_name = {s.name: s for s in served}
    listing = {"models": [s.describe() for s in served], "limits": limits.to_json(),
               "version": __version__}  # fmt: skip

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def models(request: Request) -> Response:
        return _json(listing)

    async def call(request: Request) -> Response:
        try:
            s, verb_name, options, upload = await _parse(request, by_name, limits)
            answer = await anyio.to_thread.run_sync(
                s.verbs[verb_name].run, s, options, upload, limiter=limiter
            )
        except RequestError as error:
            return _error(str(error), error.status)
        except ValueError as error:  # the library's own checks: bad input, named
            return _error(str(error), 400)
        except Exception as error:  # noqa: BLE001 - one request fails, the server goes on
            log.exception("%s failed", request.url.path)
            return _error(f"internal error: {type(error).__name__}: {error}", 500)
        return _json({"model": s.name, "verb": verb_name, **answer})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return _error(f"{request.method} {request.url.path}: "
                      f"{'no such page' if status == 404 else 'not allowed here'}",
                      status)  # fmt: skip

    routes = [
        Route("/", page),
        Route("/api/models", models),
        Route("/api/{model}/{verb}", call, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


async def _parse(request: Request, by_name: dict[str, Served], limits: Limits):
    """(served, verb, options, upload) of a call; RequestError for anything wrong with it."""
    name, verb_name = request.path_params["model"], request.path_params["verb"]
    s = by_name.get(name)
    if s is None:
        raise RequestError(f"unknown model {name!r}; this server has: "
                           f"{', '.join(by_name) or 'none'}", 404)  # fmt: skip
    verb = s.verbs.get(verb_name)
    if verb is None:
        raise RequestError(f"{name} ({s.task}) has no verb {verb_name!r}; it has: "
                           f"{', '.join(s.verbs)}", 404)  # fmt: skip
    where = f"{name} {verb_name}"
    if verb.upload:
        data = await _body(request, limits.max_upload_bytes, f"the {verb.upload.upper()} upload")
        query = dict(request.query_params)
        options = Options(query, verb.keys, where, limits, from_query=True)
        upload_name = query.get("name") or f"upload.{verb.upload}"
        return s, verb_name, options, Upload(data, upload_name)
    data = await _body(request, 16 * limits.max_text_chars + JSON_OVERHEAD, "the JSON body")
    try:
        values = json.loads(data) if data.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RequestError(f"{where}: the body is not JSON ({error})") from None
    return s, verb_name, Options(values, verb.keys, where, limits), None


async def _body(request: Request, limit: int, what: str) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(f"{what} is {int(declared):,} bytes; the limit is {limit:,}", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(f"{what} is over the limit of {limit:,} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _finite(obj: Any) -> Any:
    """JSON has no inf or NaN (a browser's JSON.parse refuses them): they become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _json(obj: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(_finite(obj), ensure_ascii=False, allow_nan=False)
    return Response(body, status, media_type="application/json")


def _error(message: str, status: int) -> Response:
    return _json({"error": " ".join(message.split())}, status)
