"""What operators see: JSON logs with request ids, and Prometheus metrics.

Logs never hold personal data: a request is logged by its route template
(``/v1/candidates/{candidate_id}``, never the id or an external id), method, status, time,
tenant and key prefix; no query strings, bodies or names.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

from asgi_correlation_id import CorrelationIdFilter
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("talentmatch.access")

# Seconds; a match is ~50–300 ms, an upload with a long PDF can take seconds.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def configure_logging(
    fmt: str = "json", level: str = "INFO", stream: IO[str] | None = None
) -> None:
    """One handler on stderr (or ``stream``) for the whole process: a JSON object a line
    (``json``) or plain text (``text``), each record with the request id it was logged
    under."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setLevel(level.upper())  # also for libraries that set their own loggers' level
    handler.addFilter(CorrelationIdFilter(default_value="-"))
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{correlation_id}{process}",
                style="{",
                rename_fields={
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "correlation_id": "request_id",
                    "process": "pid",  # which worker of `serve --workers N`
                },
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log prints raw paths, which can hold external ids: ours replaces it.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def route_of(scope: Scope) -> str:
    """The template of the route a request was routed to (``/v1/candidates/{candidate_id}``),
    or ``unmatched``: never the raw path."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


class Metrics:
    """The app's Prometheus registry: request counts and latencies by route template, and,
    read at each scrape, readiness, pool size per tenant and the index's version."""

    def __init__(self, state: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry()
        # Under `serve --workers N` each process writes its counts to files in this folder
        # and a scrape, whichever process answers it, adds up every process's.
        shared = os.environ.get(MULTIPROCESS_DIR)
        own = None if shared else self.registry
        self.requests = Counter(
            "talentmatch_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=own,
        )
        self.latency = Histogram(
            "talentmatch_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=own,
        )
        if shared:
            MultiProcessCollector(self.registry, path=shared)  # type: ignore[no-untyped-call]
        self.registry.register(PoolCollector(state))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


class PoolCollector(Collector):
    """Gauges read from the runtime when Prometheus scrapes (None while it loads)."""

    def __init__(self, state: Callable[[], Any]) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily | InfoMetricFamily]:
        runtime = self.state()
        ready = GaugeMetricFamily("talentmatch_ready", "1 once the pool is loaded and serving")
        ready.add_metric([], 0.0 if runtime is None else 1.0)
        yield ready
        if runtime is None:
            return
        pool = runtime.matcher.pool
        sizes = GaugeMetricFamily(
            "talentmatch_pool_candidates", "Candidates stored, by tenant", labels=["tenant"]
        )
        for tenant, count in sorted(pool.store.counts().items()):
            sizes.add_metric([tenant], float(count))
        yield sizes
        vectors = GaugeMetricFamily("talentmatch_index_vectors", "Vectors in the FAISS index")
        vectors.add_metric([], float(pool.count()))
        yield vectors
        manifest = pool.manifest()
        if manifest is not None:
            info = InfoMetricFamily("talentmatch_index", "The index's version: what built it")
            info.add_metric(
                [],
                {
                    "model": manifest.model,
                    "kind": manifest.kind,
                    "faiss_version": manifest.faiss_version,
                    "built_at": manifest.built_at.isoformat(),
                },
            )
            yield info
            built = GaugeMetricFamily(
                "talentmatch_index_built_timestamp_seconds", "When the index file was last saved"
            )
            built.add_metric([], manifest.built_at.timestamp())
            yield built


class ObserveRequests:
    """Time each HTTP request, count it, and log one line about it (no personal data).

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` runs the app in a task of its
    own and streams the response through it, which costs more than a cached match."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            seconds = time.perf_counter() - start
            route = route_of(scope)
            method = scope["method"]
            if route != "/metrics":
                self.metrics.observe(method, route, status, seconds)
            # Set by the caller's dependency (``request.state.caller``), for the log line.
            caller = scope.get("state", {}).get("caller")
            access_log.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "tenant": caller.tenant if caller else None,
                    "key": caller.prefix if caller else None,
                },
            )
