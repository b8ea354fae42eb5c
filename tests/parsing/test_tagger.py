"""The NumPy tagger against python-crfsuite on the same model and the same features."""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import numpy as np
import pycrfsuite
import pytest

from parsing import Kind, Parser
from parsing._scoring import marginals
from parsing._sections import find_sections
from parsing._tagger import NAME, SkillTagger, shape_by_character, word_shape

ROOT = Path(__file__).resolve().parents[2]


def demo_texts(n: int) -> list[str]:
    """Real résumés (the CC0 demo pool), as extracted text."""
    path = ROOT / "service" / "demo" / "pool.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for _, line in zip(range(n), fh, strict=False)]


TEXTS = [
    *demo_texts(6),
    # One long line: its probabilities are computed in blocks, not line by line.
    " ".join(demo_texts(1)[0].split()),
    "Deployed microservices to k8s on GCP with Postgres and Node.js.\n\nSkills: R, C, Go",
    "Must have 5+ years of Java/Scala. Nice to have: experience with Kafka; a plus: Terraform.",
    "x",
    "\n\n  \n",
]


def crfsuite_reading(
    parser: Parser, text: str, kind: Kind
) -> tuple[dict[int, float], list[tuple[int, int]], dict[int, float]]:
    """P(B) + P(I) for each token, the skill phrases, and P(NAME) for each token, as
    python-crfsuite computes them from the feature strings, line by line."""
    assert parser.tagger is not None
    doc = parser.nlp.make_doc(text)
    matches = parser.skill_matches(doc)
    tagger = pycrfsuite.Tagger()
    with resources.as_file(resources.files("parsing") / "data" / "skill_tagger.crfsuite") as path:
        tagger.open(str(path))
    probability: dict[int, float] = {}
    named: dict[int, float] = {}
    ranges: list[tuple[int, int]] = []
    for tokens, feats in parser.tagger.features.sequences(doc, matches, find_sections(text), kind):
        tagger.set(feats)
        start = end = -1
        for t, i in enumerate(tokens):
            b, inside = tagger.marginal("B", t), tagger.marginal("I", t)
            probability[i] = b + inside
            named[i] = tagger.marginal(NAME, t)
            on = b + inside >= parser.tagger.threshold
            if on and (start < 0 or b > inside):
                if start >= 0:
                    ranges.append((start, end))
                start = i
            if on:
                end = i + 1
            elif start >= 0:
                ranges.append((start, end))
                start = -1
        if start >= 0:
            ranges.append((start, end))
    return probability, ranges, named


@pytest.mark.parametrize("kind", ["resume", "job"])
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_tagging_equals_crfsuites(parser: Parser, text: str, kind: Kind) -> None:
    assert parser.tagger is not None
    doc = parser.nlp.make_doc(text)
    ours = parser.tagger.tag(doc, parser.skill_matches(doc), find_sections(text), kind)
    probability, ranges, named = crfsuite_reading(parser, text, kind)
    assert sorted(probability) == [t.i for t in doc if not t.is_space]
    assert ours.named is not None
    for i, p in probability.items():
        assert ours.probability[i] == pytest.approx(p, abs=1e-4), doc[i].text
        assert ours.named[i] == pytest.approx(named[i], abs=1e-4), doc[i].text
    assert not ours.probability[[t.i for t in doc if t.is_space]].any()
    assert ours.ranges == ranges


def test_marginals_of_one_token_sequences_ignore_transitions() -> None:
    scores = np.log(np.array([[1.0, 1.0, 2.0], [3.0, 1.0, 0.0001]]))
    starts = np.array([True, True])
    strong = np.full((3, 3), 5.0)
    strong[0, 1] = -50.0
    p = marginals(scores, starts, strong)
    assert p[0] == pytest.approx([0.25, 0.25, 0.5])
    assert p[1] == pytest.approx([3 / 4.0001, 1 / 4.0001, 0.0001 / 4.0001])


def forward_backward(scores: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """P(label) of each token of one sequence, step by step in log space."""
    n = len(scores)
    alpha, beta = np.zeros_like(scores), np.zeros_like(scores)
    alpha[0] = scores[0]
    for t in range(1, n):
        alpha[t] = scores[t] + np.logaddexp.reduce(alpha[t - 1][:, None] + transitions, axis=0)
    for t in range(n - 2, -1, -1):
        beta[t] = np.logaddexp.reduce(transitions + scores[t + 1] + beta[t + 1], axis=1)
    both = alpha + beta
    return np.exp(both - np.logaddexp.reduce(both, axis=1, keepdims=True))


@pytest.mark.parametrize("labels", [3, 6])
@pytest.mark.parametrize("n", [1, 2, 7, 64, 65, 300])
# Lines of about 20 tokens are run side by side; one line of 64 or more, in blocks.
@pytest.mark.parametrize("new_lines", [0.05, 0.0])
def test_marginals_equal_a_step_by_step_forward_backward(
    labels: int, n: int, new_lines: float
) -> None:
    rng = np.random.default_rng(n * labels)
    scores = rng.normal(scale=3.0, size=(n, labels))
    transitions = rng.normal(scale=3.0, size=(labels, labels))
    starts = rng.random(n) < new_lines
    starts[0] = True
    expected = np.concatenate(
        [
            forward_backward(scores[a:b], transitions)
            for a, b in zip(np.flatnonzero(starts), [*np.flatnonzero(starts)[1:], n], strict=True)
        ]
    )
    assert marginals(scores, starts, transitions) == pytest.approx(expected, abs=1e-9)


def test_threads_tagging_at_once_read_the_same(parser: Parser) -> None:
    """Word scores are cached as documents arrive; threads filling the cache together must
    not mix up one word's row with another's."""
    assert parser.tagger is not None
    fresh = SkillTagger(parser.taxonomy)
    texts = demo_texts(24)
    docs = [parser.nlp.make_doc(t) for t in texts]
    args = [
        (d, parser.skill_matches(d), find_sections(t)) for d, t in zip(docs, texts, strict=True)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda a: fresh.tag(*a, "resume"), args))
    alone = [parser.tagger.tag(*a, "resume") for a in args]
    for a, b in zip(together, alone, strict=True):
        assert a.ranges == b.ranges
        assert a.probability == pytest.approx(b.probability)


@pytest.mark.parametrize(
    "word",
    ["Node.js", "C++", "k8s", "ASP.NET", "x--y", "Windows7", "PostgreSQL", "e-mail", "'s", "..."],
)
def test_a_words_shape_is_as_the_model_was_trained_with(word: str) -> None:
    # ASCII words are shaped by a translation table; the model learned shapes made one
    # character at a time.
    assert word_shape(word) == shape_by_character(word)
    assert word_shape("naïve²") == shape_by_character("naïve²") == "xd"


def test_a_full_word_cache_starts_again_and_reads_the_same(
    parser: Parser, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert parser.tagger is not None
    texts = demo_texts(8)
    docs = [parser.nlp.make_doc(t) for t in texts]
    args = [
        (d, parser.skill_matches(d), find_sections(t)) for d, t in zip(docs, texts, strict=True)
    ]
    expected = [parser.tagger.tag(*a, "resume") for a in args]
    monkeypatch.setattr("parsing._tagger.MAX_CACHE", 400)
    small = SkillTagger(parser.taxonomy)
    # Each résumé has more distinct words than fit, so the cache is emptied before each,
    # and the word rows it held are written over.
    for a, want in [*zip(args, expected, strict=True)] * 2:
        got = small.tag(*a, "resume")
        assert got.ranges == want.ranges
        np.testing.assert_allclose(got.probability, want.probability, atol=1e-9)


def test_which_year_a_resume_names_does_not_move_its_reading(parser: Parser) -> None:
    # The line of a LiveCareer résumé whose "Accounting" came and went with the graduation
    # year (benchmarks/fairness.py shifts it by the owner's age); its skills must not.
    def read(year: int) -> tuple[np.ndarray, list[str]]:
        text = (
            "Education\nMaster of Science , Accounting and Financial Management December "
            f"{year} University College, University of Maryland\nSkills\nGeneral Ledger, "
            f"Accounts Payable, SAP (since {year - 4})\n"
        )
        doc = parser._doc(text)
        matches = parser.skill_matches(doc, as_written=True)
        tagged = parser.tagger.tag(doc, matches, find_sections(text), "resume")
        assert tagged.named is not None
        return np.r_[tagged.probability, tagged.named], [s.id for s in parser.find_skills(text)]

    younger, older = read(2020), read(1983)
    np.testing.assert_array_equal(younger[0], older[0])
    assert younger[1] == older[1] and younger[1]
