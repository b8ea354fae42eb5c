"""The one place where domain errors become HTTP answers: ``{"code", "message"}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from models import (
    FileTooLarge,
    Forbidden,
    IndexMismatch,
    InvalidInput,
    NotFound,
    NotReady,
    ParseError,
    TalentmatchError,
    Unauthorized,
    UnsupportedFormat,
)

log = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of decides its status.
STATUS: list[tuple[type[TalentmatchError], int]] = [
    (FileTooLarge, 413),
    (UnsupportedFormat, 415),
    (ParseError, 422),
    (InvalidInput, 422),
    (NotFound, 404),
    (Unauthorized, 401),
    (Forbidden, 403),
    (IndexMismatch, 409),
    (NotReady, 503),
]


def status_of(exc: TalentmatchError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 400)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(TalentmatchError)
    async def domain_error(_: Request, exc: TalentmatchError) -> JSONResponse:
        status = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return error_response(status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()[:10]
        ]
        return error_response(422, "invalid_request", "; ".join(problems))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # A body that cannot be decoded at all (bad UTF-8, JSON nested past the
            # parser's depth, broken multipart): the same answer as any invalid body.
            message = f"the body could not be read: {exc.detail}"
            return error_response(422, "invalid_request", message)
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            413: "request_too_large",
        }
        return error_response(
            exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        )

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "the service failed to answer; see its log")
