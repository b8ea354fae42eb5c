"""Blind matching per tenant: what is embedded and keyword-searched, and turning it off."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index import Store
from matcher import Encoder, Matcher, profile_text, reindex
from models import NewCandidate
from parsing import Parser
from tests.matcher.helpers import CountingEncoder

RESUME = (
    "Latoya Washington\n"
    "latoya.washington@example.com | (555) 014-2231\n"
    "Summary\n"
    "Restaurant manager; she trained forty servers and ran the floor of a busy bistro.\n"
    "Experience\n"
    "Jan 2015 - Present Restaurant Manager, Bistro Nord\n"
    "Scheduling, cash handling, food safety audits and supplier orders.\n"
)


def add(matcher: Matcher, parser: Parser, tenant: str, n: int = 3) -> list[int]:
    records = [
        NewCandidate(
            tenant=tenant,
            external_id=f"c{k}",
            resume=parser.parse_resume_text(RESUME.replace("Bistro Nord", f"Bistro {k}")),
        )
        for k in range(n)
    ]
    return [c.id for c, _ in matcher.upsert(records)]


def name_hits(matcher: Matcher, tenant: str) -> set[int]:
    matcher.pool.flush()
    return {i for i, _ in matcher.pool.lexical.search(tenant, "Latoya Washington latoya", 10)}


def stored(store: Store, encoder: Encoder, ids: list[int]) -> np.ndarray:
    got, vectors = store.embeddings(encoder.key, encoder.dim, ids)
    assert got.tolist() == sorted(ids)
    return vectors


def test_a_blind_tenant_embeds_and_indexes_the_blind_text(
    matcher: Matcher, parser: Parser, encoder: Encoder
) -> None:
    store = matcher.pool.store
    assert store.blind("acme") and store.blind("initech")
    assert store.set_blind("initech", False)
    blind_ids = add(matcher, parser, "acme")
    open_ids = add(matcher, parser, "initech")
    # The keyword channel: the name finds the candidates of the tenant that must see it only.
    assert name_hits(matcher, "acme") == set()
    assert name_hits(matcher, "initech") == set(open_ids)
    # The vectors: made from each tenant's representation of the same résumés.
    resumes = [c.resume for c in store.candidates_by_id(blind_ids)]
    want = encoder.encode_documents([profile_text(r, blind=True) for r in resumes])
    assert np.allclose(stored(store, encoder, blind_ids), want, atol=1e-5)
    want = encoder.encode_documents([profile_text(r, blind=False) for r in resumes])
    assert np.allclose(stored(store, encoder, open_ids), want, atol=1e-5)
    assert "Latoya" not in profile_text(resumes[0]) and "Latoya" in profile_text(
        resumes[0], blind=False
    )
    # Nothing is stale; the same résumés again embed nothing.
    assert store.ids_without_embedding(encoder.key) == []
    counting = CountingEncoder(encoder)
    again = Matcher(parser, counting, matcher.pool)
    add(again, parser, "acme")
    assert counting.documents == 0


def test_turning_blind_off_reembeds_that_tenant_only(
    matcher: Matcher, parser: Parser, encoder: Encoder, tmp_path: Path
) -> None:
    store = matcher.pool.store
    acme = add(matcher, parser, "acme", n=4)
    initech = add(matcher, parser, "initech", n=2)
    revision = store.revision("acme")
    assert store.set_blind("acme", False)
    assert not store.set_blind("acme", False)  # already off: no change
    assert store.revision("acme") == revision + 1  # kept shortlists are not served again
    assert sorted(store.ids_without_embedding(encoder.key, tenant="acme")) == acme
    assert store.ids_without_embedding(encoder.key, tenant="initech") == []
    counting = CountingEncoder(encoder)
    report = reindex(Matcher(parser, counting, matcher.pool))
    assert report.embedded == 4 and counting.documents == 4
    assert store.ids_without_embedding(encoder.key) == []
    assert name_hits(matcher, "acme") == set(acme)
    assert name_hits(matcher, "initech") == set()
    resumes = [c.resume for c in store.candidates_by_id(acme)]
    want = encoder.encode_documents([profile_text(r, blind=False) for r in resumes])
    assert np.allclose(stored(store, encoder, acme), want, atol=1e-5)
    # And back on: the same again, the other way.
    assert store.set_blind("acme", True)
    assert reindex(Matcher(parser, encoder, matcher.pool)).embedded == 4
    assert name_hits(matcher, "acme") == set()
    assert len(initech) == 2
