"""What operators rely on: readiness while the pool loads, Prometheus metrics, and JSON logs
with request ids and no personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import service.app
from matcher import Encoder
from models import IndexMismatch
from parsing import Parser
from service import Runtime, Settings, create_app
from service.observability import configure_logging
from tests.documents import RESUME_TEXT
from tests.service.test_api import JOB, assert_error, create


def wait_ready(client: TestClient, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the pool never became ready"
        time.sleep(0.05)


def test_ready_only_once_the_pool_has_loaded(
    settings: Settings, parser: Parser, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_open = Runtime.open

    def slow_open(s: Settings) -> Runtime:
        assert release.wait(120)
        return real_open(s, parser=parser, encoder=encoder)

    monkeypatch.setattr(service.app.Runtime, "open", staticmethod(slow_open))
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {
            "status": "ok",
            "candidates": None,
            "index": None,
            "worker": os.getpid(),
        }
        assert_error(client.get("/readyz"), 503, "not_ready")
        auth = {"Authorization": "Bearer tm_anything"}
        assert_error(client.post("/v1/match", headers=auth, json={"job": JOB}), 503, "not_ready")
        assert client.get("/metrics").text.count("talentmatch_ready 0.0") == 1
        release.set()
        wait_ready(client)
        assert client.get("/readyz").json()["status"] == "ready"
        assert "talentmatch_ready 1.0" in client.get("/metrics").text


def test_a_worker_of_several_takes_connections_only_once_loaded(
    settings: Settings, parser: Parser, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --workers N`: a worker still loading leaves every request to those loaded."""
    real_open = Runtime.open
    opened = threading.Event()

    def slow_open(s: Settings) -> Runtime:
        time.sleep(0.5)
        runtime = real_open(s, parser=parser, encoder=encoder)
        opened.set()
        return runtime

    monkeypatch.setattr(service.app.Runtime, "open", staticmethod(slow_open))
    with TestClient(create_app(settings, serve_once_loaded=True)) as client:
        assert opened.is_set()  # the app started only once the pool was open
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["worker"] == os.getpid()


def test_a_pool_that_fails_to_load_fails_both_probes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_: Settings) -> Runtime:
        raise IndexMismatch("built with another model; run `talentmatch reindex`")

    monkeypatch.setattr(service.app.Runtime, "open", staticmethod(refuse))
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while client.get("/healthz").status_code == 200:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        for path in ("/healthz", "/readyz"):
            response = client.get(path)
            assert_error(response, 503, "not_ready")
            assert "reindex" in response.json()["message"]


def test_metrics_count_requests_by_route_template_and_describe_the_pool(
    client: TestClient, auth: dict[str, str]
) -> None:
    made = create(client, auth, "crm-1", RESUME_TEXT)
    create(client, auth, "crm-2", RESUME_TEXT.replace("Jordan", "Sam"))
    for _ in range(2):
        assert client.post("/v1/match", headers=auth, json={"job": JOB}).status_code == 200
    assert client.get(f"/v1/candidates/{made['candidate_id']}", headers=auth).status_code == 200
    assert client.get("/v1/candidates/by-external-id/nobody", headers=auth).status_code == 404
    text = client.get("/metrics").text
    expected = [
        'talentmatch_http_requests_total{method="POST",route="/v1/match",status="200"} 2.0',
        'talentmatch_http_requests_total{method="GET",route="/v1/candidates/{candidate_id}",'
        'status="200"} 1.0',
        'talentmatch_http_requests_total{method="GET",'
        'route="/v1/candidates/by-external-id/{external_id}",status="404"} 1.0',
        'talentmatch_http_request_duration_seconds_count{method="POST",route="/v1/match"} 2.0',
        'talentmatch_pool_candidates{tenant="acme"} 2.0',
        "talentmatch_index_vectors 2.0",
        "talentmatch_ready 1.0",
    ]
    for line in expected:
        assert line in text, line
    assert 'talentmatch_index_info{built_at="' in text
    assert 'model="sentence-transformers/all-MiniLM-L6-v2+int8"' in text
    # Raw paths (ids, external ids) never become labels.
    assert "nobody" not in text and f"/v1/candidates/{made['candidate_id']}" not in text


@pytest.fixture
def json_logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Reads the service's JSON log lines written so far."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("json", "INFO", stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("uvicorn.access").disabled = False


def test_json_logs_carry_the_request_id_and_no_personal_data(
    client: TestClient,
    auth: dict[str, str],
    key: str,
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    secret = "jordan.secret@example.org"
    made = create(client, auth, secret, RESUME_TEXT)
    given = "0123456789abcdef0123456789abcdef"
    response = client.get(
        f"/v1/candidates/by-external-id/{secret}", headers={**auth, "X-Request-ID": given}
    )
    assert response.status_code == 200 and response.headers["X-Request-ID"] == given
    generated = client.post("/v1/match", headers=auth, json={"job": JOB}).headers["X-Request-ID"]
    assert len(generated) == 32 and generated != given
    client.delete(f"/v1/candidates/{made['candidate_id']}", headers=auth)
    logging.getLogger("talentmatch.test").warning("outside any request")

    recorded = json_logs()
    access = [e for e in recorded if e["logger"] == "talentmatch.access"]
    read = next(e for e in access if e["request_id"] == given)
    assert read["route"] == "/v1/candidates/by-external-id/{external_id}"
    assert (read["method"], read["status"], read["tenant"]) == ("GET", 200, "acme")
    assert read["key"] == key[:10] and read["level"] == "INFO"
    assert isinstance(read["duration_ms"], float)
    assert {"time", "message"} <= set(read)
    assert any(e["request_id"] == generated and e["route"] == "/v1/match" for e in access)
    outside = next(e for e in recorded if e["logger"] == "talentmatch.test")
    assert outside["request_id"] == "-" and outside["level"] == "WARNING"
    # Everything the service logged (the test client's own httpx lines are the caller's).
    everything = json.dumps([e for e in recorded if not str(e["logger"]).startswith("httpx")])
    for trace in (secret, "Jordan Example", "jordan.example@", key):
        assert trace not in everything
