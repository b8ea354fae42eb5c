from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher import Encoder, SkillLinker, linking
from matcher.linking import core_phrase
from models import InvalidInput
from parsing import SkillEntry, Taxonomy

SKILLS = {
    "s:communication": "communication",
    "s:teams": "work in teams",
    "s:python": "Python (computer programming)",
    "s:budgets": "manage budgets",
    "s:welding": "use welding equipment",
}


def small(*more: SkillEntry) -> Taxonomy:
    return Taxonomy(
        version="test",
        skills={
            **{
                sid: SkillEntry(id=sid, label=label, kind="skill", source="esco", aliases=())
                for sid, label in SKILLS.items()
            },
            **{e.id: e for e in more},
        },
        titles=[],
    )


def linker(encoder: Encoder, cache: Path, *more: SkillEntry) -> SkillLinker:
    taxonomy = small(*more)
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


def test_a_new_taxonomys_label_vectors_replace_the_old(encoder: Encoder, tmp_path: Path) -> None:
    linker(encoder, tmp_path).label_vectors()
    (old,) = tmp_path.glob("skill-labels-*.npy")
    # Another process writing its file at this moment: not touched.
    writing = tmp_path / f"{old.name}.4242.tmp.npy"
    writing.write_bytes(b"partial")
    extra = SkillEntry(id="s:sql", label="SQL", kind="knowledge", source="esco", aliases=())
    linker(encoder, tmp_path, extra).label_vectors()
    (new,) = tmp_path.glob("skill-labels-????????????????.npy")
    assert new != old
    assert writing.exists()


def test_embedding_the_labels_stops_when_asked(encoder: Encoder, tmp_path: Path) -> None:
    import threading

    stop = threading.Event()
    stop.set()
    assert linker(encoder, tmp_path).label_vectors(stop) is None
    assert not list(tmp_path.glob("skill-labels-*.npy"))


def test_an_alternative_label_draws_its_skill(encoder: Encoder, tmp_path: Path) -> None:
    # "cooperate with colleagues" is the closer preferred label (0.80 against 0.66); the
    # other skill has the phrase itself as an alternative label.
    cooperate = SkillEntry("s:cooperate", "cooperate with colleagues", "skill", "esco", ())
    liaise = SkillEntry("s:liaise", "liaise with colleagues", "skill", "esco", ())
    named = SkillEntry(
        "s:liaise", "liaise with colleagues", "skill", "esco", ("engage with colleagues",)
    )
    without = linker(encoder, tmp_path / "a", cooperate, liaise).link(["engage with colleagues"])
    assert without[0].id == "s:cooperate"
    found = linker(encoder, tmp_path / "b", cooperate, named).link(["engage with colleagues"])[0]
    assert (found.id, found.method) == ("s:liaise", "nearest")


def test_a_skill_is_scored_by_its_best_label_its_preferred_and_their_mean(
    encoder: Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Skills are summed a block at a time: blocks of two cut between skills' labels here.
    monkeypatch.setattr(linking, "LABEL_CHUNK", 2)
    more = (
        SkillEntry("s:lead", "lead a team", "skill", "esco", ("manage a team", "team leadership")),
        SkillEntry("s:projects", "project management", "skill", "esco", ("manage projects",)),
        SkillEntry(
            "s:weld", "arc welding", "skill", "esco", ("MIG welding", "TIG welding", "weld")
        ),
    )
    found = linker(encoder, tmp_path, *more)
    queries = encoder.encode(["leading a project team", "welding steel frames"])
    got = found.similarities(queries)
    entries = sorted(small(*more).skills.values(), key=lambda e: e.id)
    for column, entry in enumerate(entries):
        vectors = encoder.encode([entry.label, *entry.aliases])
        cosines = queries @ vectors.T
        mean = vectors.sum(axis=0) / np.linalg.norm(vectors.sum(axis=0))
        expected = 0.4 * cosines[:, 0] + 0.4 * cosines.max(axis=1) + 0.2 * (queries @ mean)
        np.testing.assert_allclose(got[:, column], expected, atol=2e-3, err_msg=entry.label)


def test_a_common_skill_wins_a_tie(encoder: Encoder, tmp_path: Path) -> None:
    # Two skills with the same label: the one more occupations ask for is linked.
    # (The rarer one comes first in the index, so a tie left alone would go to it.)
    rare = SkillEntry("s:plan-1", "plan teamwork", "skill", "esco", (), occupations=1)
    common = SkillEntry("s:plan-2", "plan teamwork", "skill", "esco", (), occupations=90)
    for order in ((rare, common), (common, rare)):
        found = linker(encoder, tmp_path / order[0].id, *order).link(["organise teamwork"])[0]
        assert found.id == "s:plan-2"


def test_a_product_is_linked_only_by_its_name(encoder: Encoder, tmp_path: Path) -> None:
    product = SkillEntry("onet:timeline-software", "Timeline software", "tool", "onet", ())
    estimate = SkillEntry("s:estimate", "estimate duration of work", "skill", "esco", ())
    links = linker(encoder, tmp_path, product, estimate).link(
        ["estimate timelines", "timeline charts"]
    )
    # Closer to the product by its vectors, but "timelines" does not name it.
    assert links[0].id == "s:estimate"
    assert links[1].id == "onet:timeline-software"


def test_a_phrase_is_linked_by_the_skill_it_names(encoder: Encoder, tmp_path: Path) -> None:
    assert core_phrase("knowledge of Python") == "Python"
    assert core_phrase("strong experience with welding") == "welding"
    assert core_phrase("communication skills") == "communication"
    assert core_phrase("skills") == "skills"
    assert core_phrase("experience") == "experience"
    links = linker(encoder, tmp_path).link(["Experience in Manage Budgets", "teamwork skills"])
    assert [(k.id, k.method) for k in links] == [("s:budgets", "label"), ("s:teams", "nearest")]
    assert links[0].phrase == "Experience in Manage Budgets"


def test_a_dot_that_starts_a_name_is_part_of_it(encoder: Encoder, tmp_path: Path) -> None:
    # The punctuation around a phrase goes, the dot of ".NET" stays: without it, "NET" was
    # linked to the nearest skill.
    net = SkillEntry("onet:net", "Microsoft .NET Framework", "tool", "onet", (".NET",))
    by_label = {".net": net}
    links = SkillLinker(small(net), encoder, lambda p: by_label.get(p.lower()), tmp_path).link(
        [".NET", " .NET, ", ". NET", ". net"]
    )
    # Tokenised text parts the dot from the name (decorte writes ". NET").
    assert [(k.id, k.method) for k in links] == [("onet:net", "label")] * 4


def test_a_link_names_its_esco_concept(encoder: Encoder, tmp_path: Path) -> None:
    # ESCO lists "Excel" under "use spreadsheets software"; the taxonomy makes it a tool of
    # its own with that kind as broader, which is what the link is in ESCO's terms.
    kind = SkillEntry("s:sheets", "use spreadsheets software", "skill", "esco", ())
    excel = SkillEntry(
        "onet:excel", "Microsoft Excel", "tool", "onet", ("Excel",), broader=(kind.id,)
    )
    docker = SkillEntry("onet:docker", "Docker", "tool", "onet", ())
    taxonomy = small(kind, excel, docker)
    by_label = {"excel": excel, "docker": docker}
    links = SkillLinker(taxonomy, encoder, lambda p: by_label.get(p.lower()), tmp_path).link(
        ["Excel", "Docker", "budget management", "quantum chromodynamics lattice simulations"]
    )
    assert [(k.id, k.esco) for k in links] == [
        ("onet:excel", "s:sheets"),
        ("onet:docker", None),
        ("s:budgets", "s:budgets"),
        ("free:quantum chromodynamics lattice simulations", None),
    ]


def test_an_acronym_is_linked_only_to_a_skill_it_names(encoder: Encoder, tmp_path: Path) -> None:
    reiki = SkillEntry("s:reiki", "reiki", "skill", "esco", ())
    ui = SkillEntry("s:ui", "design user interface", "skill", "esco", ())
    paas = SkillEntry("onet:paas", "Platform as a service PaaS", "tool", "onet", ())
    paediatrics = SkillEntry("s:paediatrics", "paediatrics", "skill", "esco", ())
    haccp = SkillEntry("s:haccp", "apply HACCP", "skill", "esco", ())
    # O*NET products for HIPAA compliance and for APIs, not HIPAA or APIs themselves.
    checkup = SkillEntry("onet:checkup", "3DGrid HIPAA Checkup", "tool", "onet", ())
    navigator = SkillEntry("onet:navigator", "API Navigator", "tool", "onet", ())
    linking = linker(encoder, tmp_path, reiki, ui, paas, paediatrics, haccp, checkup, navigator)
    # By its vectors alone, "PKI" (public key infrastructure) is nearest to reiki.
    nearest = linking.similarities(encoder.encode(["PKI"]))[0]
    assert linking._entries[int(nearest.argmax())].id == "s:reiki"
    assert nearest.max() >= linking.threshold
    # Each product is its acronym's nearest skill, and writes it as a word.
    nearest_to = {
        phrase: linking._entries[int(row.argmax())].id
        for phrase, row in zip(
            ["HIPAA", "API"], linking.similarities(encoder.encode(["HIPAA", "API"])), strict=True
        )
    }
    assert nearest_to == {"HIPAA": "onet:checkup", "API": "onet:navigator"}
    links = linking.link(["PKI", "UI", "PaaS", "HACCP", "HIPAA", "API", "pki"])
    assert [(k.id, k.method) for k in links[:6]] == [
        ("free:pki", "free"),
        # Its initials, and its name as a word of the product's that spells it out.
        ("s:ui", "nearest"),
        ("onet:paas", "nearest"),
        # Its name as a word of an ESCO skill's.
        ("s:haccp", "nearest"),
        # Not as a word of a product's name that does not spell it out.
        ("free:hipaa", "free"),
        ("free:api", "free"),
    ]
    # Written as a word, it is linked as words are.
    assert links[6].id == "s:reiki"


def test_a_phrase_without_a_letter_or_digit_is_refused(encoder: Encoder, tmp_path: Path) -> None:
    # It was linked as the free skill "free:", labelled "".
    with pytest.raises(InvalidInput, match="names no skill"):
        linker(encoder, tmp_path).link(["Python", " . "])
