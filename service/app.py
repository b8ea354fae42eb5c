"""The FastAPI application. The pool loads in a background thread, so that the process
answers /healthz at once and /readyz (503) until it is ready."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import FileTooLarge
from service import errors
from service.observability import Metrics, ObserveRequests
from service.routes import probes, v1
from service.runtime import Runtime
from service.settings import Settings
from service.web import web

API_VERSION = "0.1.0"
log = logging.getLogger(__name__)


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``talentmatch serve --workers N``: settings from
    the environment (the command put its options there)."""
    from service.observability import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings, serve_once_loaded=True)


def create_app(
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    *,
    serve_once_loaded: bool = False,
) -> FastAPI:
    """An app serving the pool of ``settings``; ``runtime`` reuses one already opened.

    The pool loads in a background thread: the process answers at once (/readyz 503 until
    it is loaded). With ``serve_once_loaded`` (a worker of several on one port) it takes no
    connection before, so that the workers already loaded answer every request meanwhile."""
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        opened_or_failed = threading.Event()
        app.state.runtime = runtime
        app.state.startup_error = None

        def load() -> None:
            if app.state.runtime is None:
                try:
                    opened = Runtime.open(settings)
                except Exception as exc:
                    app.state.startup_error = exc
                    log.exception("the talent pool failed to load")
                    opened_or_failed.set()
                    return
                if stop.is_set():  # shut down while loading
                    opened.close()
                    opened_or_failed.set()
                    return
                app.state.runtime = opened
                log.info("talent pool loaded: %d candidates", opened.matcher.pool.count())
            opened_or_failed.set()
            if settings.warm_skill_index and not stop.is_set():
                # About a minute on first start (then cached): not on the first linking request.
                app.state.runtime.linker.label_vectors(stop)

        def follow() -> None:
            while not stop.wait(settings.index_follow_seconds):
                current = app.state.runtime
                if current is None:
                    continue
                try:
                    current.follow_index()
                except Exception:  # the old index keeps serving; the next turn tries again
                    log.exception("could not switch to the re-built index")
                try:
                    # Other processes' writes, for tenants not matched meanwhile too.
                    current.matcher.pool.follow()
                except Exception:  # each match of a tenant follows it again first
                    log.exception("could not follow the writes of other processes")

        loader = threading.Thread(target=load, name="load-pool")
        loader.start()
        follower = threading.Thread(target=follow, name="follow-index", daemon=True)
        if settings.index_follow_seconds > 0:
            follower.start()
        if serve_once_loaded and runtime is None:
            await asyncio.to_thread(opened_or_failed.wait)
        try:
            yield
        finally:
            # Stop embedding between chunks and wait: a thread left inside torch when the
            # interpreter exits aborts the process.
            stop.set()
            loader.join()
            if follower.is_alive():
                follower.join()
            if runtime is None and app.state.runtime is not None:
                app.state.runtime.close()
            app.state.runtime = None

    app = FastAPI(
        title="talentmatch",
        version=API_VERSION,
        description="Matching and talent rediscovery for recruiting CRMs.",
        lifespan=lifespan,
    )
    app.state.runtime = None
    app.state.startup_error = None
    metrics = Metrics(lambda: app.state.runtime)
    app.state.metrics = metrics

    app.add_middleware(ObserveRequests, metrics=metrics)
    # Room for a file at the upload limit and its multipart framing.
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + 256 * 1024)
    # Outermost: every log line of a request carries its id; the response echoes it.
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    errors.install(app)
    app.include_router(v1)
    app.include_router(probes)
    app.include_router(web)
    return app


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes before they are read into memory: a
    declared length over it gets 413 ``request_too_large`` at once; a chunked body that
    grows past it stops being read, and the request fails as unreadable (422)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            response = errors.error_response(
                413, "request_too_large", f"the request body is over {self.limit:,} bytes"
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise FileTooLarge(f"the request body grew over {self.limit:,} bytes")
            return message

        await self.app(scope, counted, send)
