"""The BM25 channel: terms, per-tenant models, eligibility, writes."""

from __future__ import annotations

import numpy as np

from index.lexical import SKILL_TERM, LexicalIndex, terms


def test_terms_stem_drop_stop_words_and_add_skills() -> None:
    got = terms("Managed the PostgreSQL databases", ["esco:sql", "esco:sql"])
    assert got == ["manag", "postgresql", "databas", SKILL_TERM + "esco:sql"]
    assert terms("management")[0] == terms("managed")[0]


def _index() -> LexicalIndex:
    index = LexicalIndex()
    index.add(
        "acme",
        [
            (1, terms("Kubernetes operator on GCP, Terraform")),
            (2, terms("Pastry chef: croissants, bread")),
            (3, terms("Terraform and Ansible, some Kubernetes")),
        ],
    )
    index.add("globex", [(4, terms("Kubernetes Kubernetes Kubernetes"))])
    return index


def test_search_ranks_by_bm25_within_a_tenant() -> None:
    index = _index()
    hits = index.search("acme", terms("Kubernetes on GCP"), 10)
    assert [i for i, _ in hits] == [1, 3]  # 2 shares no term and is not returned
    assert hits[0][1] > hits[1][1] > 0
    assert [i for i, _ in index.search("globex", terms("Kubernetes"), 10)] == [4]
    assert index.search("initech", terms("Kubernetes"), 10) == []


def test_only_allowed_candidates_and_at_most_k() -> None:
    index = _index()
    query = terms("Kubernetes Terraform")
    assert [i for i, _ in index.search("acme", query, 10, np.array([3]))] == [3]
    assert len(index.search("acme", query, 1)) == 1


def test_writes_replace_and_remove() -> None:
    index = _index()
    index.add("acme", [(2, terms("Kubernetes platform engineer"))])
    assert 2 in [i for i, _ in index.search("acme", terms("Kubernetes"), 10)]
    index.remove("acme", [1, 2])
    assert [i for i, _ in index.search("acme", terms("Kubernetes"), 10)] == [3]
    assert index.count("acme") == 1


def test_build_makes_every_model_before_the_first_search() -> None:
    index = _index()
    assert all(t.model is None for t in index._tenants.values())
    index.build()
    assert all(t.model is not None for t in index._tenants.values())
    assert [i for i, _ in index.search("acme", terms("Kubernetes GCP"), 10)] == [1, 3]


def test_documents_without_terms_score_nothing() -> None:
    index = LexicalIndex()
    index.add("acme", [(1, terms("a")), (2, [])])
    index.build()
    assert index.search("acme", terms("anything"), 10) == []
