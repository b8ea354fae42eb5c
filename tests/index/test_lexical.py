"""The BM25 channel: analysis, per-tenant indexes, eligibility, writes, persistence."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from index import lexical as lexical_module
from index.lexical import LexicalDoc, LexicalIndex, lexical_version, words
from index.vectors import IdSet


def _doc(candidate_id: int, text: str, skills: list[str] | None = None) -> LexicalDoc:
    return LexicalDoc(candidate_id, candidate_id * 10 + 1, text, skills or [])


def test_words_stem_and_drop_stop_words() -> None:
    assert words("Managed the PostgreSQL databases") == ["manag", "postgresql", "databas"]
    assert words("management") == words("managed")


def test_versions_name_the_text_and_the_skills() -> None:
    one = lexical_version("a" * 64, '["esco:sql"]')
    assert one == lexical_version("a" * 64, '["esco:sql"]')
    assert one != lexical_version("b" * 64, '["esco:sql"]')
    assert one != lexical_version("a" * 64, '["esco:sql", "esco:x"]')


def _index(path: Path) -> LexicalIndex:
    index = LexicalIndex(path)
    index.add(
        "acme",
        [
            _doc(1, "Kubernetes operator on GCP, Terraform"),
            _doc(2, "Pastry chef: croissants, bread", ["esco:baking"]),
            _doc(3, "Terraform and Ansible, some Kubernetes"),
        ],
    )
    index.add("globex", [_doc(4, "Kubernetes Kubernetes Kubernetes")])
    return index


def test_search_ranks_by_bm25_within_a_tenant(tmp_path: Path) -> None:
    index = _index(tmp_path)
    hits = index.search("acme", "Kubernetes on GCP", 10)
    assert [i for i, _ in hits] == [1, 3]  # 2 shares no term and is not returned
    assert hits[0][1] > hits[1][1] > 0
    assert [i for i, _ in index.search("globex", "Kubernetes", 10)] == [4]
    assert index.search("initech", "Kubernetes", 10) == []
    assert index.tenants() == ["acme", "globex"]


def test_skills_are_terms_of_their_own(tmp_path: Path) -> None:
    index = _index(tmp_path)
    hits = index.search("acme", "nothing shared", 10, skill_ids=["esco:baking"])
    assert [i for i, _ in hits] == [2]
    # A skill id is not a word: "baking" in a job's text does not meet the skill.
    assert index.search("acme", "esco baking", 10) == []


def test_only_allowed_candidates_and_at_most_k(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert [i for i, _ in index.search("acme", "Kubernetes Terraform", 10, np.array([3]))] == [3]
    assert len(index.search("acme", "Kubernetes Terraform", 1)) == 1
    assert index.search("acme", "Kubernetes", 10, np.array([], dtype=np.int64)) == []


def test_a_large_allowed_set_still_returns_k(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above ID_SET_QUERY_MAX the filter is applied to results fetched in widening rounds:
    # only every tenth candidate is allowed, the best ones are not, and k are still found.
    monkeypatch.setattr(lexical_module, "ID_SET_QUERY_MAX", 10)
    index = LexicalIndex(tmp_path)
    docs = [_doc(i, "kubernetes " * (1 + (i % 7)) + f"filler{i}") for i in range(1, 501)]
    index.add("acme", docs)
    allowed = IdSet(ids=np.arange(10, 501, 10))
    hits = index.search("acme", "kubernetes", 20, allowed)
    assert len(hits) == 20 and all(i % 10 == 0 for i, _ in hits)
    assert hits == index.search("acme", "kubernetes", 20, np.arange(10, 501, 10))
    monkeypatch.setattr(lexical_module, "ID_SET_QUERY_MAX", 4096)
    assert hits == index.search("acme", "kubernetes", 20, allowed)  # the id-set query


def test_writes_replace_and_remove(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.add("acme", [_doc(2, "Kubernetes platform engineer")])
    assert 2 in [i for i, _ in index.search("acme", "Kubernetes", 10)]
    index.remove("acme", [1, 2])
    assert [i for i, _ in index.search("acme", "Kubernetes", 10)] == [3]
    assert index.count("acme") == 1


def test_writes_persist_with_their_versions(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.remove("acme", [2])
    index.close()
    again = LexicalIndex(tmp_path)
    ids, versions = again.versions("acme")
    assert ids.tolist() == [1, 3] and versions.tolist() == [11, 31]
    assert [i for i, _ in again.search("globex", "Kubernetes", 10)] == [4]
    again.drop_tenant("globex")
    assert LexicalIndex(tmp_path).tenants() == ["acme"]


def test_queued_writes_are_not_on_disk_until_committed(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.commit()
    index.add("acme", [_doc(5, "Kubernetes")])
    assert index.pending
    assert LexicalIndex(tmp_path).versions("acme")[0].tolist() == [1, 2, 3]
    index.commit()
    assert not index.pending
    assert LexicalIndex(tmp_path).versions("acme")[0].tolist() == [1, 2, 3, 5]


def test_another_writer_waits_its_turn(tmp_path: Path) -> None:
    # Two indexes on one directory (a command beside the service): tantivy lets one writer
    # hold it at a time; the second waits for the first's commit instead of failing.
    first, second = _index(tmp_path), LexicalIndex(tmp_path)
    first.commit()
    writer = first._shards["acme"].index.writer(lexical_module.WRITER_HEAP, 1)
    second.add("acme", [_doc(6, "Kubernetes")])
    done = threading.Event()
    thread = threading.Thread(target=lambda: (second.commit(), done.set()))
    thread.start()
    assert not done.wait(0.3)
    writer.commit()
    writer.wait_merging_threads()
    thread.join(10)
    assert done.is_set()
    assert 6 in LexicalIndex(tmp_path).versions("acme")[0].tolist()


def test_a_bulk_write_in_parts_replaces_what_it_wrote_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parts of 3 documents, one writer across them; into an empty index no delete is
    # needed, except for an id written again in a later part.
    monkeypatch.setattr(lexical_module, "COMMIT_EVERY", 3)
    index = LexicalIndex(tmp_path)
    index.add("acme", [_doc(i, f"python n{i}") for i in range(1, 8)])
    assert index._shards["acme"].writer is not None  # parts committed, the writer kept
    index.add("acme", [_doc(2, "kubernetes"), _doc(9, "kubernetes")])
    index.remove("acme", [5])
    index.commit()
    assert not index.pending
    assert index.versions("acme")[0].tolist() == [1, 2, 3, 4, 6, 7, 9]
    assert [i for i, _ in index.search("acme", "kubernetes", 10)] == [2, 9]
    assert index.search("acme", "n2", 10) == []
    # Once it holds documents, every write replaces.
    index.add("acme", [_doc(i, "terraform") for i in (1, 3, 4, 6)])
    assert sorted(i for i, _ in index.search("acme", "terraform", 10)) == [1, 3, 4, 6]
    assert index.count("acme") == 7


def test_documents_without_terms_score_nothing(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path)
    index.add("acme", [_doc(1, "a"), _doc(2, "")])
    assert index.search("acme", "anything", 10) == []
    assert index.search("acme", "", 10) == []
