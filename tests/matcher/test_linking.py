from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher import Encoder, SkillLinker
from parsing import SkillEntry, Taxonomy

SKILLS = {
    "s:communication": "communication",
    "s:teams": "work in teams",
    "s:python": "Python (computer programming)",
    "s:budgets": "manage budgets",
    "s:welding": "use welding equipment",
}


def small() -> Taxonomy:
    return Taxonomy(
        version="test",
        skills={
            sid: SkillEntry(id=sid, label=label, kind="skill", source="esco", aliases=())
            for sid, label in SKILLS.items()
        },
        titles=[],
    )


def linker(encoder: Encoder, cache: Path) -> SkillLinker:
    taxonomy = small()
    by_label = {e.label.lower(): e for e in taxonomy.skills.values()}
    return SkillLinker(taxonomy, encoder, lambda p: by_label.get(p.lower()), cache)


def test_label_then_nearest_then_free(encoder: Encoder, tmp_path: Path) -> None:
    links = linker(encoder, tmp_path).link(
        [
            "Communication",
            "excellent communication skills .",
            "team player",
            "budget management",
            "quantum chromodynamics lattice simulations",
        ]
    )
    assert [(k.id, k.method) for k in links[:4]] == [
        ("s:communication", "label"),
        ("s:communication", "nearest"),
        ("s:teams", "nearest"),
        ("s:budgets", "nearest"),
    ]
    assert links[1].phrase == "excellent communication skills ."
    assert links[4].method == "free"
    assert links[4].id == "free:quantum chromodynamics lattice simulations"
    assert links[4].score < 0.5 <= links[3].score


def test_label_vectors_are_cached(encoder: Encoder, tmp_path: Path) -> None:
    first = linker(encoder, tmp_path)
    vectors = first.label_vectors()
    cached = list(tmp_path.glob("skill-labels-*.npy"))
    assert len(cached) == 1
    second = linker(encoder, tmp_path)
    np.testing.assert_allclose(second.label_vectors(), vectors, atol=1e-3)
    assert list(tmp_path.glob("skill-labels-*.npy")) == cached


def test_embedding_the_labels_stops_when_asked(encoder: Encoder, tmp_path: Path) -> None:
    import threading

    stop = threading.Event()
    stop.set()
    assert linker(encoder, tmp_path).label_vectors(stop) is None
    assert not list(tmp_path.glob("skill-labels-*.npy"))
