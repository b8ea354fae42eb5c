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
from parsing._tagger import SkillTagger

ROOT = Path(__file__).resolve().parents[2]


def demo_texts(n: int) -> list[str]:
    """Real résumés (the CC0 demo pool), as extracted text."""
    path = ROOT / "service" / "demo" / "pool.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for _, line in zip(range(n), fh, strict=False)]


TEXTS = [
    *demo_texts(6),
    "Deployed microservices to k8s on GCP with Postgres and Node.js.\n\nSkills: R, C, Go",
    "Must have 5+ years of Java/Scala. Nice to have: experience with Kafka; a plus: Terraform.",
    "x",
    "\n\n  \n",
]


def crfsuite_probabilities(parser: Parser, text: str, kind: Kind) -> dict[int, float]:
    """P(B) + P(I) for each token, computed by python-crfsuite from the feature strings."""
    assert parser.tagger is not None
    doc = parser.nlp.make_doc(text)
    matches = parser.skill_matches(doc)
    tagger = pycrfsuite.Tagger()
    with resources.as_file(resources.files("parsing") / "data" / "skill_tagger.crfsuite") as path:
        tagger.open(str(path))
    out: dict[int, float] = {}
    for tokens, feats in parser.tagger.features.sequences(doc, matches, find_sections(text), kind):
        tagger.set(feats)
        for t, i in enumerate(tokens):
            out[i] = tagger.marginal("B", t) + tagger.marginal("I", t)
    return out


@pytest.mark.parametrize("kind", ["resume", "job"])
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_probabilities_equal_crfsuites(parser: Parser, text: str, kind: Kind) -> None:
    assert parser.tagger is not None
    doc = parser.nlp.make_doc(text)
    ours = parser.tagger.tag(doc, parser.skill_matches(doc), find_sections(text), kind)
    reference = crfsuite_probabilities(parser, text, kind)
    assert ours.probability.keys() == reference.keys()
    for i, p in reference.items():
        assert ours.probability[i] == pytest.approx(p, abs=1e-4), doc[i].text


def test_marginals_of_one_token_sequences_ignore_transitions() -> None:
    scores = np.log(np.array([[1.0, 1.0, 2.0], [3.0, 1.0, 0.0001]]))
    starts = np.array([True, True])
    strong = np.full((3, 3), 5.0)
    strong[0, 1] = -50.0
    p = marginals(scores, starts, strong)
    assert p[0] == pytest.approx([0.25, 0.25, 0.5])
    assert p[1] == pytest.approx([3 / 4.0001, 1 / 4.0001, 0.0001 / 4.0001])


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
