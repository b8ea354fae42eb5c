"""Tenants, keys and privacy through the HTTP API: what one key may see and change, admin
keys, erasure that leaves no trace, export (right of access) and the audit log. Every test
runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from index import TalentPool
from matcher import Encoder
from models import AuditAction
from parsing import Parser
from service import Runtime, Settings, create_app
from tests.documents import RESUME_TEXT, demo_records
from tests.service.test_api import JOB, assert_error, create

RUNNER_UP = {
    "job_id": "REQ-7",
    "job_title": "Senior Data Engineer",
    "stage": "final_round",
    "outcome": "runner_up",
    "date": "2025-03-10",
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def verdict(
    client: TestClient, auth: dict[str, str], candidate_id: object, status: int = 201
) -> None:
    response = client.post(
        "/v1/feedback",
        headers=auth,
        json={
            "job_id": "REQ-9",
            "job": JOB,
            "items": [{"candidate_id": candidate_id, "verdict": "shortlisted"}],
        },
    )
    assert response.status_code == status, response.text


def test_a_key_sees_and_changes_only_its_tenant(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    mine = create(client, auth, "crm-1", RESUME_TEXT, applications=[RUNNER_UP])
    verdict(client, auth, mine["candidate_id"])
    other = bearer(runtime.store.create_key("globex"))
    cid = mine["candidate_id"]
    for response in (
        client.get(f"/v1/candidates/{cid}", headers=other),
        client.get(f"/v1/candidates/{cid}/export", headers=other),
        client.get("/v1/candidates/by-external-id/crm-1", headers=other),
        client.post(f"/v1/candidates/{cid}/applications", headers=other, json=RUNNER_UP),
        client.delete(f"/v1/candidates/{cid}", headers=other),
    ):
        assert_error(response, 404, "not_found")
    verdict(client, other, cid, status=404)
    assert client.get("/v1/feedback", headers=other).json()["feedback"] == []
    for mode in ("all", "rediscover"):
        body = {"job": JOB, "mode": mode}
        assert client.post("/v1/match", headers=other, json=body).json()["results"] == []
    # Nothing the other key did reached the first tenant's data or its audit log.
    assert client.get(f"/v1/candidates/{cid}", headers=auth).json()["applications"] == [
        {**RUNNER_UP, "job_text": None, "score": None}
    ]
    assert len(client.get("/v1/feedback", headers=auth).json()["feedback"]) == 1
    theirs = client.get("/v1/audit", headers=other).json()["entries"]
    assert [e["action"] for e in theirs] == ["match", "match"]
    assert all(e["candidate_ids"] == [] for e in theirs)
    assert {e["tenant"] for e in client.get("/v1/audit", headers=auth).json()["entries"]} == {
        "acme"
    }


def test_admin_keys_manage_keys_of_any_tenant(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    for response in (
        client.post("/v1/keys", headers=auth, json={"tenant": "globex"}),
        client.get("/v1/keys", headers=auth),
        client.delete("/v1/keys/tm_abcdefg", headers=auth),
    ):
        assert_error(response, 403, "forbidden")
    admin = bearer(runtime.store.create_key("ops", admin=True))
    created = client.post("/v1/keys", headers=admin, json={"tenant": "globex"})
    assert created.status_code == 201
    body = created.json()
    assert body["tenant"] == "globex" and body["admin"] is False
    assert body["key"].startswith(body["prefix"])
    theirs = bearer(body["key"])
    create(client, theirs, "g-1", RESUME_TEXT)
    assert client.get("/v1/candidates/by-external-id/g-1", headers=theirs).status_code == 200
    # A new tenant's key cannot manage keys either.
    assert_error(client.get("/v1/keys", headers=theirs), 403, "forbidden")

    listed = client.get("/v1/keys", headers=admin, params={"tenant": "globex"}).json()["keys"]
    assert [(k["prefix"], k["revoked_at"]) for k in listed] == [(body["prefix"], None)]
    assert "key" not in listed[0]
    assert client.delete(f"/v1/keys/{body['prefix']}", headers=admin).status_code == 204
    assert_error(client.get("/v1/feedback", headers=theirs), 401, "unauthorized")
    assert_error(client.delete(f"/v1/keys/{body['prefix']}", headers=admin), 404, "not_found")
    assert_error(client.delete("/v1/keys/short", headers=admin), 422, "invalid_request")
    for tenant in ("", "a b", "../x", "x" * 65):
        bad = client.post("/v1/keys", headers=admin, json={"tenant": tenant})
        assert_error(bad, 422, "invalid_request")
    assert [(e.action, e.actor, e.detail) for e in runtime.store.audit_log("globex")] == [
        ("key_revoked", admin["Authorization"][7:17], body["prefix"]),
        ("read", body["prefix"], None),
        ("key_created", admin["Authorization"][7:17], body["prefix"]),
    ]


def test_erasure_leaves_no_trace_anywhere(
    client: TestClient,
    auth: dict[str, str],
    runtime: Runtime,
    settings: Settings,
    parser: Parser,
    encoder: Encoder,
) -> None:
    for record in demo_records(limit=4):
        create(client, auth, str(record["id"]), str(record["text"]), applications=[RUNNER_UP])
    victim_text = RESUME_TEXT
    victim = create(
        client,
        auth,
        "erase-me@example.org",
        victim_text,
        applications=[RUNNER_UP],
        tags=["silver-medalist"],
        location="Lisbon",
    )
    vid = int(str(victim["candidate_id"]))
    verdict(client, auth, vid)
    assert client.delete(f"/v1/candidates/{vid}", headers=auth).status_code == 204
    assert_error(client.delete(f"/v1/candidates/{vid}", headers=auth), 404, "not_found")

    def assert_gone(rt: Runtime, app_client: TestClient) -> None:
        for path in (f"/v1/candidates/{vid}", f"/v1/candidates/{vid}/export"):
            assert_error(app_client.get(path, headers=auth), 404, "not_found")
        by_ext = app_client.get("/v1/candidates/by-external-id/erase-me@example.org", headers=auth)
        assert_error(by_ext, 404, "not_found")
        # The victim's own résumé as the job: every mode, every filter that fitted them.
        for body in (
            {"job": {"text": victim_text}, "top_k": 50},
            {"job": {"text": victim_text}, "top_k": 50, "mode": "rediscover"},
            {"job": {"text": victim_text}, "filters": {"tags": ["silver-medalist"]}},
            {"job": {"text": victim_text}, "filters": {"locations": ["Lisbon"]}},
        ):
            shortlist = app_client.post("/v1/match", headers=auth, json=body).json()
            assert vid not in [m["candidate_id"] for m in shortlist["results"]]
            assert "erase-me@example.org" not in str(shortlist)
        pool: TalentPool = rt.matcher.pool
        assert vid not in pool.vectors.ids()
        assert vid not in [i for i, _ in pool.lexical.search("acme", victim_text, 100)]
        assert all(f.candidate_id != vid for f in rt.store.feedback("acme"))
        # No row in any table holds their external id, name, e-mail or résumé text.
        metadata = MetaData()
        metadata.reflect(rt.store.engine)
        with rt.store.engine.connect() as conn:
            held = " ".join(
                str(row) for table in metadata.sorted_tables for row in conn.execute(select(table))
            )
        for trace in ("erase-me@example.org", "Jordan Example", "jordan.example@", "Lisbon"):
            assert trace not in held, trace
        # The audit log keeps only that the id was erased, by whom.
        [erased] = rt.store.audit_log("acme", action=AuditAction.DELETE)
        assert erased.candidate_ids == [vid] and erased.actor == auth["Authorization"][7:17]

    assert_gone(runtime, client)
    runtime.close()
    reopened = Runtime.open(settings, parser=parser, encoder=encoder)
    try:
        with TestClient(create_app(settings, runtime=reopened)) as again:
            assert_gone(reopened, again)
    finally:
        reopened.close()


def test_export_holds_everything_and_is_audited(
    client: TestClient, auth: dict[str, str], key: str
) -> None:
    made = create(
        client,
        auth,
        "crm-42",
        RESUME_TEXT,
        applications=[RUNNER_UP],
        tags=["python"],
        consent={"may_contact": True, "consent_date": "2025-01-02"},
        location="Porto",
    )
    cid = made["candidate_id"]
    verdict(client, auth, cid)
    assert client.get(f"/v1/candidates/{cid}", headers=auth).status_code == 200
    response = client.get(f"/v1/candidates/{cid}/export", headers=auth)
    assert response.status_code == 200
    held = response.json()
    candidate = held["candidate"]
    assert candidate["resume"]["text"] == RESUME_TEXT
    assert candidate["resume"]["contact"]["emails"] == made["emails"]
    assert candidate["applications"][0]["job_id"] == "REQ-7"
    assert candidate["consent"]["consent_date"] == "2025-01-02"
    assert (candidate["tags"], candidate["location"]) == (["python"], "Porto")
    assert [f["verdict"] for f in held["feedback"]] == ["shortlisted"]
    assert held["feedback"][0]["features"]["must_have"] >= 0
    [vector] = held["embeddings"]
    assert vector["model"].startswith("sentence-transformers/all-MiniLM-L6-v2")
    assert len(vector["text_sha256"]) == 64
    # Newest first: this export, the read before it.
    assert [e["action"] for e in held["audit"]][:2] == ["export", "read"]
    assert all(e["actor"] == key[:10] for e in held["audit"])


def test_audit_log_names_who_read_matched_and_erased_which_ids(
    client: TestClient, auth: dict[str, str], key: str
) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    ids = [
        create(client, auth, str(r["id"]), str(r["text"]))["candidate_id"]
        for r in demo_records(limit=3)
    ]
    shortlist = client.post("/v1/match", headers=auth, json={"job": JOB, "top_k": 2}).json()
    client.get(f"/v1/candidates/{ids[0]}", headers=auth)
    client.delete(f"/v1/candidates/{ids[1]}", headers=auth)

    entries = client.get("/v1/audit", headers=auth).json()["entries"]
    assert [e["action"] for e in entries] == ["delete", "read", "match"]
    assert [e["candidate_ids"] for e in entries] == [
        [ids[1]],
        [ids[0]],
        [m["candidate_id"] for m in shortlist["results"]],
    ]
    assert {e["actor"] for e in entries} == {key[:10]}
    assert entries[2]["detail"] == "mode=all top_k=2"
    assert all(dt.datetime.fromisoformat(e["at"]) >= before for e in entries)
    only = client.get("/v1/audit", headers=auth, params={"action": "read"}).json()["entries"]
    assert [e["candidate_ids"] for e in only] == [[ids[0]]]
    about = client.get("/v1/audit", headers=auth, params={"candidate_id": str(ids[1])}).json()
    assert [e["action"] for e in about["entries"]] == ["delete"] + (
        ["match"] if ids[1] in entries[2]["candidate_ids"] else []
    )
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat()
    assert client.get("/v1/audit", headers=auth, params={"since": later}).json()["entries"] == []
    assert_error(client.get("/v1/audit", headers=auth, params={"limit": 0}), 422, "invalid_request")
