"""The HTTP API through FastAPI's test client, on the real parser, model, SQLite and FAISS."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher import Encoder
from parsing import Parser
from service import Runtime, Settings, create_app
from tests.documents import (
    RESUME_TEXT,
    assert_shortlist_shape,
    demo_records,
    encrypted_pdf,
    image_only_pdf,
    pdf_bytes,
)

JOB = {
    "text": "Data Engineer\n\nRequirements\n- Python\n- SQL\n- Apache Spark\n\n"
    "Nice to have\n- Kubernetes\n",
    "title": "Data Engineer",
}


def create(
    client: TestClient, auth: dict[str, str], external_id: str, text: str, **extra: object
) -> dict[str, object]:
    response = client.post(
        "/v1/candidates", headers=auth, json={"external_id": external_id, "text": text, **extra}
    )
    assert response.status_code in (200, 201), response.text
    body: dict[str, object] = response.json()
    return body


def assert_error(response: object, status: int, code: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == code and body["message"]


def test_health_readiness_and_schema(client: TestClient) -> None:
    assert client.get("/healthz").json() == {
        "status": "ok",
        "candidates": None,
        "index": None,
        "worker": os.getpid(),
    }
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["candidates"] == 0
    assert ready["index"]["model"] == "sentence-transformers/all-MiniLM-L6-v2+int8"
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/v1/match",
        "/v1/candidates",
        "/v1/candidates/upload",
        "/v1/candidates/{candidate_id}",
        "/v1/candidates/{candidate_id}/applications",
        "/v1/candidates/by-external-id/{external_id}",
    } <= set(paths)


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc"])
def test_calls_without_a_valid_key_are_refused(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post("/v1/match", headers=headers, json={"job": JOB})
    assert_error(response, 401, "unauthorized")


def test_create_upsert_read_and_erase(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/candidates", headers=auth, json={"external_id": "crm-1", "text": RESUME_TEXT}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["external_id"] == "crm-1"
    assert created["name"] == "Jordan Example"
    assert "Python (computer programming)" in [s["label"] for s in created["skills"]]

    again = client.post(
        "/v1/candidates",
        headers=auth,
        json={"external_id": "crm-1", "text": RESUME_TEXT + "\nTerraform\n"},
    )
    assert again.status_code == 200
    assert again.json()["candidate_id"] == created["candidate_id"]

    put = client.put(
        "/v1/candidates/by-external-id/crm-2",
        headers=auth,
        json={"text": str(demo_records(1)[0]["text"])},
    )
    assert put.status_code == 201
    assert (
        client.put(
            "/v1/candidates/by-external-id/crm-2",
            headers=auth,
            json={"text": str(demo_records(1)[0]["text"])},
        ).status_code
        == 200
    )

    cid = created["candidate_id"]
    assert client.get(f"/v1/candidates/{cid}", headers=auth).json()["external_id"] == "crm-1"
    assert (
        client.get("/v1/candidates/by-external-id/crm-1", headers=auth).json()["candidate_id"]
        == cid
    )

    assert client.delete(f"/v1/candidates/{cid}", headers=auth).status_code == 204
    assert_error(client.get(f"/v1/candidates/{cid}", headers=auth), 404, "not_found")
    assert_error(client.delete(f"/v1/candidates/{cid}", headers=auth), 404, "not_found")
    results = client.post("/v1/match", headers=auth, json={"job": JOB}).json()["results"]
    assert cid not in [r["candidate_id"] for r in results]


def test_upload_files(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/candidates/upload",
        headers=auth,
        files={"file": ("Jordan CV.pdf", pdf_bytes(), "application/pdf")},
    )
    assert response.status_code == 201, response.text
    assert response.json()["external_id"] == "Jordan CV"
    assert response.json()["file_name"] == "Jordan CV.pdf"
    named = client.post(
        "/v1/candidates/upload",
        headers=auth,
        data={"external_id": "crm-9"},
        files={"file": ("cv.txt", RESUME_TEXT.encode(), "text/plain")},
    )
    assert named.status_code == 201 and named.json()["external_id"] == "crm-9"


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("cv.pdf", encrypted_pdf(), 422, "encrypted_document"),
        ("scan.pdf", image_only_pdf(), 422, "no_text_layer"),
        ("cv.pdf", b"%PDF-1.4 garbage", 422, "corrupt_document"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", 415, "unsupported_format"),
        ("cv.txt", b"", 422, "empty_document"),
        ("cv.txt", b"a" * (64 * 1024 + 1), 413, "file_too_large"),
    ],
)
def test_bad_uploads_get_clear_errors_and_lose_nothing(
    client: TestClient, auth: dict[str, str], name: str, data: bytes, status: int, code: str
) -> None:
    create(client, auth, "keep-me", RESUME_TEXT)
    response = client.post(
        "/v1/candidates/upload",
        headers=auth,
        files={"file": (name, data, "application/octet-stream")},
    )
    assert_error(response, status, code)
    assert client.get("/v1/candidates/by-external-id/keep-me", headers=auth).status_code == 200
    assert client.get("/readyz").json()["candidates"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"job": {"text": ""}},
        {"job": {"text": "x"}, "top_k": 0},
        {"job": {"text": "x"}, "top_k": 501},
        {"job": {"text": "x"}, "filters": {"nonsense": 1}},
        {"job": "text"},
        {"job": {"text": ["not", "a", "string"]}},
    ],
)
def test_invalid_match_requests(client: TestClient, auth: dict[str, str], body: object) -> None:
    assert_error(client.post("/v1/match", headers=auth, json=body), 422, "invalid_request")


def test_malformed_json(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/match", headers={**auth, "Content-Type": "application/json"}, content=b"{not json"
    )
    assert_error(response, 422, "invalid_request")


def test_match_applications_and_runner_up(client: TestClient, auth: dict[str, str]) -> None:
    for record in demo_records(limit=8):
        create(client, auth, str(record["id"]), str(record["text"]))
    best = create(client, auth, "jordan", RESUME_TEXT)
    app = {
        "job_id": "REQ-7",
        "job_title": "Senior Data Engineer",
        "stage": "final_round",
        "outcome": "runner_up",
        "date": "2025-03-10",
    }
    response = client.post(
        f"/v1/candidates/{best['candidate_id']}/applications", headers=auth, json=app
    )
    assert response.status_code == 201
    assert response.json()["applications"][0]["outcome"] == "runner_up"

    response = client.post("/v1/match", headers=auth, json={"job": JOB, "top_k": 3})
    assert response.status_code == 200
    top = assert_shortlist_shape(response.json(), 3)[0]
    assert top["external_id"] == "jordan"
    assert top["reasons"][0] == "Runner-up for Senior Data Engineer, March 2025"
    assert top["runner_up"] is True
    assert {"Python (computer programming)", "SQL", "Apache Spark"} <= set(top["matched_skills"])


def test_tenants_are_isolated(client: TestClient, auth: dict[str, str], runtime: Runtime) -> None:
    mine = create(client, auth, "crm-1", RESUME_TEXT)
    other = {"Authorization": f"Bearer {runtime.store.create_key('globex')}"}
    assert_error(
        client.get(f"/v1/candidates/{mine['candidate_id']}", headers=other), 404, "not_found"
    )
    assert_error(
        client.delete(f"/v1/candidates/{mine['candidate_id']}", headers=other), 404, "not_found"
    )
    assert client.post("/v1/match", headers=other, json={"job": JOB}).json()["results"] == []
    # The same external id in another tenant is another candidate.
    theirs = create(client, other, "crm-1", RESUME_TEXT)
    assert theirs["candidate_id"] != mine["candidate_id"]


def test_revoked_key(client: TestClient, auth: dict[str, str], key: str, runtime: Runtime) -> None:
    assert client.post("/v1/match", headers=auth, json={"job": JOB}).status_code == 200
    runtime.store.revoke_key(key)
    assert_error(client.post("/v1/match", headers=auth, json={"job": JOB}), 401, "unauthorized")


def test_unknown_route_and_method(client: TestClient, auth: dict[str, str]) -> None:
    assert_error(client.get("/v1/nowhere", headers=auth), 404, "not_found")
    assert_error(client.put("/v1/match", headers=auth), 405, "method_not_allowed")


def test_skills_endpoint(client: TestClient, auth: dict[str, str]) -> None:
    text = "Requirements\n- 5+ years of Java\n- Kubernetes is a plus\n"
    resume = client.post("/v1/skills", headers=auth, json={"text": text}).json()["skills"]
    assert {s["text"] for s in resume} == {"Java", "Kubernetes"}
    assert all(text[s["start"] : s["end"]] == s["text"] for s in resume)
    assert all("required" not in s for s in resume)
    job = client.post("/v1/skills", headers=auth, json={"text": text, "kind": "job"}).json()
    asked = {s["text"]: (s["required"], s["years"]) for s in job["skills"]}
    assert asked == {"Java": (True, 5.0), "Kubernetes": (False, None)}
    assert_error(client.post("/v1/skills", json={"text": text}), 401, "unauthorized")
    assert_error(
        client.post("/v1/skills", headers=auth, json={"text": text, "kind": "cv"}),
        422,
        "invalid_request",
    )


def test_candidate_shows_evidence(client: TestClient, auth: dict[str, str]) -> None:
    body = create(client, auth, "crm-1", RESUME_TEXT)
    assert body["education"] == ["BSc Computer Science, 2014"]
    tableau = next(e for e in body["evidence"] if e["label"] == "Tableau")  # type: ignore[union-attr]
    assert tableau["last_used"] == "2018-12-01"


@pytest.mark.slow
def test_link_crm_tags(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/skills/link",
        headers=auth,
        json={"phrases": ["k8s", "communication skills", "zxqv plorb", "Git"]},
    )
    assert response.status_code == 200, response.text
    links = response.json()["links"]
    assert [(x["label"], x["method"]) for x in links[:2]] == [
        ("Kubernetes", "label"),
        ("communication", "nearest"),
    ]
    # Gibberish is kept as a free skill, with the similarity of the nearest label (0.39).
    assert links[2]["phrase"] == "zxqv plorb" and links[2]["method"] == "free"
    assert 0 < links[2]["score"] < 0.5
    # Each link's ESCO concept: none for Kubernetes (ESCO lacks it) or a free skill, itself
    # for an ESCO skill, the kind that ESCO lists Git under for Git.
    assert links[0]["esco"] is None and links[2]["esco"] is None
    assert links[1]["esco"] == links[1]["id"]
    assert links[3]["id"] == "onet:git" and links[3]["esco"].startswith("esco:")


@pytest.mark.parametrize("body", [{"phrases": []}, {"phrases": [""]}, {"phrases": "JS"}])
def test_link_rejects_bad_requests(client: TestClient, auth: dict[str, str], body: object) -> None:
    assert_error(client.post("/v1/skills/link", headers=auth, json=body), 422, "invalid_request")


def test_link_says_why_a_phrase_names_no_skill(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/v1/skills/link", headers=auth, json={"phrases": ["JS", " . "]})
    assert_error(response, 422, "invalid_request")
    assert (
        response.json()["message"]
        == "phrases.1: a phrase needs a letter or a digit to name a skill"
    )


def test_shutdown_stops_warming_the_skill_index(
    settings: Settings, parser: Parser, encoder: Encoder
) -> None:
    """Leaving the app while its labels are being embedded must not leave a thread in torch."""
    fresh = settings.home / "fresh-cache"
    warm = settings.model_copy(update={"warm_skill_index": True, "cache_dir": fresh})
    runtime = Runtime.open(warm, parser=parser, encoder=encoder)
    try:
        with TestClient(create_app(warm, runtime=runtime)):
            assert any(t.name == "load-pool" for t in threading.enumerate())
        assert not any(t.name == "load-pool" for t in threading.enumerate())
        # Stopped before the end: nothing half-built was cached.
        assert not list(fresh.glob("skill-labels-*.npy"))
    finally:
        runtime.close()


def test_filters_mode_and_feedback(client: TestClient, auth: dict[str, str]) -> None:
    ids = {}
    for i, record in enumerate(demo_records(limit=8)):
        extra = {"tags": ["python"], "location": "Berlin"} if i < 3 else {"location": "Lisbon"}
        ids[str(record["id"])] = create(
            client, auth, str(record["id"]), str(record["text"]), **extra
        )["candidate_id"]
    jordan = create(client, auth, "jordan", RESUME_TEXT, tags=["python"], remote=True)
    assert jordan["tags"] == ["python"] and jordan["remote"] is True

    def match(**body: object) -> list[dict[str, object]]:
        response = client.post("/v1/match", headers=auth, json={"job": JOB, "top_k": 9, **body})
        assert response.status_code == 200, response.text
        return assert_shortlist_shape(response.json(), len(response.json()["results"]))

    tagged = match(filters={"tags": ["python"]})
    assert len(tagged) == 4 and {m["external_id"] for m in tagged} >= {"jordan"}
    berlin = match(filters={"locations": ["berlin"], "tags": ["python"]})
    assert len(berlin) == 3 and "jordan" not in {m["external_id"] for m in berlin}
    assert [m["external_id"] for m in match(filters={"remote": True})] == ["jordan"]
    assert match(filters={"outcomes": ["runner_up"]}) == []
    assert match(mode="rediscover") == []  # nobody has applied to anything yet

    client.post(
        f"/v1/candidates/{jordan['candidate_id']}/applications",
        headers=auth,
        json={
            "job_id": "REQ-7",
            "job_title": "Data Engineer",
            "job_text": JOB["text"],
            "stage": "final_round",
            "outcome": "runner_up",
            "date": "2025-03-10",
        },
    )
    rediscovered = match(mode="rediscover")
    assert [m["external_id"] for m in rediscovered] == ["jordan"]
    assert rediscovered[0]["reasons"][0] == "Runner-up for Data Engineer, March 2025"
    assert match(filters={"outcomes": ["runner_up"]})[0]["external_id"] == "jordan"
    assert_error(
        client.post("/v1/match", headers=auth, json={"job": JOB, "mode": "sometimes"}),
        422,
        "invalid_request",
    )

    # Feedback: stored with the features each candidate had, read back per job.
    first = next(iter(ids.values()))
    body = {
        "job_id": "REQ-8",
        "job": JOB,
        "items": [
            {"candidate_id": jordan["candidate_id"], "verdict": "shortlisted"},
            {"candidate_id": first, "verdict": "rejected", "reason": "no Spark"},
        ],
    }
    response = client.post("/v1/feedback", headers=auth, json=body)
    assert response.status_code == 201, response.text
    stored = response.json()["feedback"]
    assert [f["verdict"] for f in stored] == ["shortlisted", "rejected"]
    assert stored[1]["reason"] == "no Spark"
    assert 0 <= stored[0]["features"]["semantic"] <= 1
    listed = client.get("/v1/feedback", headers=auth, params={"job_id": "REQ-8"}).json()
    assert listed["feedback"] == stored
    assert client.get("/v1/feedback", headers=auth, params={"job_id": "X"}).json() == {
        "feedback": []
    }
    # An unknown candidate: 404, and nothing of the request is stored. An id no candidate
    # can have (ids are 32-bit on PostgreSQL): 422.
    for unknown, status, code in ((99_999, 404, "not_found"), (2**31, 422, "invalid_request")):
        item = {"candidate_id": unknown, "verdict": "hired"}
        bad = {**body, "items": [*body["items"], item]}
        assert_error(client.post("/v1/feedback", headers=auth, json=bad), status, code)
    assert len(client.get("/v1/feedback", headers=auth).json()["feedback"]) == 2
    bad_verdict = {**body, "items": [{"candidate_id": first, "verdict": "maybe"}]}
    assert_error(
        client.post("/v1/feedback", headers=auth, json=bad_verdict), 422, "invalid_request"
    )


def test_weights_file_is_used_and_a_bad_one_refused(
    settings: Settings, parser: Parser, encoder: Encoder, tmp_path: Path
) -> None:
    from matcher import WEIGHTS
    from models import InvalidInput

    path = tmp_path / "weights.json"
    path.write_text(json.dumps({**WEIGHTS, "title": 0.9}))
    runtime = Runtime.open(
        settings.model_copy(update={"weights_file": path}), parser=parser, encoder=encoder
    )
    assert runtime.matcher.weights["title"] == 0.9
    runtime.close()
    path.write_text(json.dumps({"semantic": 1.0}))
    with pytest.raises(InvalidInput, match="exactly these features"):
        Runtime.open(
            settings.model_copy(update={"weights_file": path}), parser=parser, encoder=encoder
        )


def test_blind_setting_is_read_by_the_tenant_and_changed_by_an_admin(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    named = "Latoya Washington\nlatoya.w@example.com\n" + RESUME_TEXT.split("\n", 3)[3]
    created = client.post(
        "/v1/candidates", headers=auth, json={"external_id": "lw", "text": named}
    ).json()
    assert client.get("/v1/settings", headers=auth).json() == {
        "tenant": "acme",
        "blind": True,
        "to_embed": 0,
    }
    change = {"tenant": "acme", "blind": False}
    assert_error(client.put("/v1/settings", headers=auth, json=change), 403, "forbidden")
    admin = {"Authorization": f"Bearer {runtime.store.create_key('ops', admin=True)}"}
    assert_error(
        client.put("/v1/settings", headers=admin, json={"tenant": "acme", "blind": "maybe"}),
        422,
        "invalid_request",
    )
    assert runtime.store.blind("acme")  # a refused change changed nothing
    changed = client.put("/v1/settings", headers=admin, json=change)
    assert changed.status_code == 200
    assert changed.json() == {"tenant": "acme", "blind": False, "to_embed": 1}
    # The keyword channel reads the name at once; the vector waits for the re-index.
    runtime.matcher.pool.flush()
    hits = runtime.matcher.pool.lexical.search("acme", "Latoya Washington", 5)
    assert [i for i, _ in hits] == [created["candidate_id"]]
    log = client.get("/v1/audit", headers=auth, params={"action": "settings_changed"}).json()
    assert [e["detail"] for e in log["entries"]] == ["blind=off"]
