"""Hostile input: every file of the corpus (tests/hostile.py) and every malformed JSON body
gets a clear 4xx with a stable code, the service keeps serving, and nothing stored is lost.
Documents are read in worker processes limited here to 512 MB and 5 s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import Runtime, Settings
from tests.documents import RESUME_TEXT
from tests.hostile import CORPUS
from tests.service.test_api import JOB, assert_error, create


@pytest.fixture
def backend() -> str:
    return "sqlite"  # files never reach the database: one backend is enough


@pytest.fixture
def settings(tmp_path: Path, shared_cache: Path, database_url: str) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        cache_dir=shared_cache,
        warm_skill_index=False,
        parse_memory_mb=512,
        parse_timeout_seconds=5,
        parse_workers=1,
    )


@pytest.fixture
def kept(client: TestClient, auth: dict[str, str]) -> Iterator[dict[str, object]]:
    """A candidate stored before the hostile request, checked after it."""
    before = create(client, auth, "keep-me", RESUME_TEXT)
    yield before
    after = client.get("/v1/candidates/by-external-id/keep-me", headers=auth)
    assert after.status_code == 200 and after.json()["updated_at"] == before["updated_at"]
    assert client.get("/readyz").json()["candidates"] == 1
    shortlist = client.post("/v1/match", headers=auth, json={"job": JOB}).json()
    assert [m["external_id"] for m in shortlist["results"]] == ["keep-me"]


@pytest.mark.parametrize("case", list(CORPUS))
def test_hostile_files_get_a_clear_error_and_the_service_keeps_serving(
    case: str,
    client: TestClient,
    auth: dict[str, str],
    kept: dict[str, object],
    runtime: Runtime,
) -> None:
    name, build, status, code = CORPUS[case]
    response = client.post(
        "/v1/candidates/upload",
        headers=auth,
        files={"file": (name, build(), "application/octet-stream")},
        data={"external_id": "keep-me"},  # would replace the kept candidate if accepted
    )
    assert_error(response, status, code)
    # The worker that hit a limit was replaced: the next document is read as usual.
    fine = client.post(
        "/v1/candidates/upload",
        headers=auth,
        files={"file": ("other.txt", RESUME_TEXT.encode(), "text/plain")},
    )
    assert fine.status_code == 201, fine.text
    client.delete(f"/v1/candidates/{fine.json()['candidate_id']}", headers=auth)


def nested(depth: int) -> bytes:
    return b'{"job": {"text": "x", "deep": ' + b"[" * depth + b"]" * depth + b"}}"


BAD_BODIES: dict[str, tuple[str, bytes, int, str]] = {
    "not JSON": ("/v1/match", b"{not json", 422, "invalid_request"),
    "JSON of the wrong type": ("/v1/match", b"[1, 2, 3]", 422, "invalid_request"),
    "a number for the text": ("/v1/match", b'{"job": {"text": 42}}', 422, "invalid_request"),
    "a string for top_k": (
        "/v1/match",
        b'{"job": {"text": "x"}, "top_k": "ten"}',
        422,
        "invalid_request",
    ),
    "an overflowing number": (
        "/v1/match",
        b'{"job": {"text": "x"}, "top_k": 1e400}',
        422,
        "invalid_request",
    ),
    "NaN": ("/v1/match", b'{"job": {"text": "x"}, "top_k": NaN}', 422, "invalid_request"),
    "nested 100,000 deep": ("/v1/match", nested(100_000), 422, "invalid_request"),
    "invalid UTF-8": ("/v1/match", b'{"job": {"text": "\xff\xfe"}}', 422, "invalid_request"),
    "a 1 MB résumé text": (
        "/v1/candidates",
        json.dumps({"external_id": "big", "text": "a " * 500_000}).encode(),
        422,
        "invalid_request",
    ),
    "a 5,000-character external id": (
        "/v1/candidates",
        json.dumps({"external_id": "x" * 5000, "text": "Python"}).encode(),
        422,
        "invalid_request",
    ),
    "100,000 tags": (
        "/v1/candidates",
        json.dumps({"external_id": "t", "text": "Python", "tags": ["a"] * 100_000}).encode(),
        422,
        "invalid_request",
    ),
    "a body over the limit (11 MB)": (
        "/v1/match",
        b'{"job": {"text": "' + b"a" * (11 * 1024 * 1024) + b'"}}',
        413,
        "request_too_large",
    ),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_malformed_bodies_get_a_clear_error(
    case: str, client: TestClient, auth: dict[str, str], kept: dict[str, object]
) -> None:
    path, body, status, code = BAD_BODIES[case]
    response = client.post(path, headers={**auth, "Content-Type": "application/json"}, content=body)
    assert_error(response, status, code)


def test_a_chunked_body_past_the_limit_stops_being_read(
    client: TestClient, auth: dict[str, str], kept: dict[str, object]
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"job": {"text": "'
        for _ in range(11):
            yield b"a" * (1024 * 1024)
        yield b'"}}'

    response = client.post(
        "/v1/match", headers={**auth, "Content-Type": "application/json"}, content=chunks()
    )
    assert_error(response, 422, "invalid_request")
    assert "could not be read" in response.json()["message"]
