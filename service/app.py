"""The FastAPI application: heavy objects load once in the lifespan."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import errors
from service.routes import probes, v1
from service.runtime import Runtime
from service.settings import Settings

API_VERSION = "0.1.0"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """An app serving the pool of ``settings``; ``runtime`` reuses one already opened."""
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        app.state.runtime = runtime or Runtime.open(settings)
        stop = threading.Event()
        warm = threading.Thread(
            target=app.state.runtime.linker.label_vectors, args=(stop,), name="warm-skill-index"
        )
        if settings.warm_skill_index:
            # About 45 s on first start (then cached): not on the first linking request.
            warm.start()
        try:
            yield
        finally:
            # Stop embedding between chunks and wait: a thread left inside torch when the
            # interpreter exits aborts the process.
            stop.set()
            if warm.is_alive():
                warm.join()
            if own:
                app.state.runtime.close()
            app.state.runtime = None

    app = FastAPI(
        title="talentmatch",
        version=API_VERSION,
        description="Matching and talent rediscovery for recruiting CRMs.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(v1)
    app.include_router(probes)
    return app
