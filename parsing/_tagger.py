"""A CRF that marks skill phrases in context (python-crfsuite).

It reads each line of a document as a sequence of tokens with features of the word itself
(form, shape, affixes, how often it occurs in taxonomy labels), of its neighbours, of the
taxonomy match it is part of (if any), and of the section it stands in, and labels each
token B, I or O. It is trained by ``scripts/train_skill_tagger.py`` on data we may ship (the
CC0 dotin résumés, the MIT SkillSpan training split) and shipped in ``parsing/data``.

Résumés and job postings mark skills differently (a résumé names tools, a posting asks for
abilities in verb phrases), so every feature is also given once more prefixed with the kind of
document: the model learns what both kinds share and what is particular to each (feature
augmentation, Daumé III 2007). On the held-out data this raised relaxed F1 from 0.52 to 0.56
on résumés and from 0.59 to 0.63 on postings.

A token is part of a skill phrase when the model's probability that it is (B or I) reaches
``TOKEN_THRESHOLD``: the most probable labelling alone kept precision high and recall low.

Features that depend only on a word are computed once per distinct word and cached, so tagging
costs little more than tokenising.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import pycrfsuite
from spacy.tokens import Doc, Span

from models import Section
from parsing._sections import section_at
from parsing._taxonomy import Taxonomy

MODEL_FILE = "skill_tagger.crfsuite"
CONTEXT = (-2, -1, 1, 2)
MAX_CACHE = 200_000
# Chosen where relaxed F1 was flat on both held-out sets (0.15 to 0.3 differed by < 0.01).
TOKEN_THRESHOLD = 0.2
TokenRange = tuple[int, int]
Kind = Literal["resume", "job"]


class Features:
    """Turns a tokenised document and its taxonomy matches into CRF feature sequences."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        counts: dict[str, int] = {}
        for entry in taxonomy.skills.values():
            for label in (entry.label, *entry.aliases):
                for word in label.lower().split():
                    counts[word] = counts.get(word, 0) + 1
        self._label_words = counts
        self._kinds = {
            sid: e.kind + ("+hot" if e.hot else "") for sid, e in taxonomy.skills.items()
        }
        self._own: dict[str, list[str]] = {}
        self._ctx: dict[str, dict[int, list[str]]] = {}

    def _lexical(self, word: str) -> list[str]:
        own = self._own.get(word)
        if own is None:
            lower = word.lower()
            shape: list[str] = []
            for c in word:
                k = "X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
                if not shape or shape[-1] != k:
                    shape.append(k)
            n = self._label_words.get(lower, 0)
            bucket = "0" if n == 0 else "1" if n < 3 else "2" if n < 20 else "3" if n < 200 else "4"
            own = [
                f"w={lower}",
                f"p3={lower[:3]}",
                f"s3={lower[-3:]}",
                f"s2={lower[-2:]}",
                f"sh={''.join(shape)[:6]}",
                f"len={min(len(word), 8)}",
                f"lex={bucket}",
            ]
            if word.istitle():
                own.append("title")
            if word.isupper() and len(word) > 1:
                own.append("upper")
            if any(c.isdigit() for c in word):
                own.append("digit")
            if len(self._own) < MAX_CACHE:
                self._own[word] = own
                self._ctx[word] = self._context(word, own)
        return own

    @staticmethod
    def _context(word: str, own: list[str]) -> dict[int, list[str]]:
        keep = {"w", "lex"}
        near = {"sh", "title"}
        out: dict[int, list[str]] = {}
        for off in CONTEXT:
            wanted = keep | near if abs(off) == 1 else keep
            out[off] = [f"{off}{f}" for f in own if f.split("=", 1)[0] in wanted]
        return out

    def _context_of(self, word: str, off: int) -> list[str]:
        ctx = self._ctx.get(word)
        if ctx is None:
            return self._context(word, self._lexical(word))[off]
        return ctx[off]

    def sequences(
        self, doc: Doc, matches: Sequence[Span], sections: list[Section], kind: Kind
    ) -> list[tuple[list[int], list[list[str]]]]:
        """(token indices, features) for each line of ``doc``, a document of ``kind``."""
        gaz = ["O"] * len(doc)
        gaz_kind = [""] * len(doc)
        for span in matches:
            for i in range(span.start, span.end):
                gaz[i] = "B" if i == span.start else "I"
                gaz_kind[i] = self._kinds.get(span.label_, "")
        out = []
        for line in _lines(doc):
            section = section_at(sections, doc[line[0]].idx) or "none"
            words = [doc[i].text for i in line]
            lowers = [w.lower() for w in words]
            feats = []
            last = len(line) - 1
            for j, i in enumerate(line):
                f = list(self._lexical(words[j]))
                f += [
                    f"gaz={gaz[i]}",
                    f"gk={gaz_kind[i]}",
                    f"sec={section}",
                    "first" if j == 0 else "last" if j == last else "mid",
                ]
                for off in CONTEXT:
                    k = j + off
                    if 0 <= k <= last:
                        f += self._context_of(words[k], off)
                        f.append(f"{off}gaz={gaz[line[k]]}")
                    else:
                        f.append(f"{off}pad")
                if j > 0:
                    f.append(f"bi-={lowers[j - 1]}|{lowers[j]}")
                if j < last:
                    f.append(f"bi+={lowers[j]}|{lowers[j + 1]}")
                feats.append(f + [f"{kind}:{x}" for x in f])
            out.append((line, feats))
        return out


def _lines(doc: Doc) -> list[list[int]]:
    """Token indices of each line, without whitespace tokens."""
    lines: list[list[int]] = []
    current: list[int] = []
    for token in doc:
        if token.is_space:
            if "\n" in token.text and current:
                lines.append(current)
                current = []
            continue
        current.append(token.i)
    if current:
        lines.append(current)
    return lines


def bio_to_ranges(tokens: list[int], labels: Iterable[str]) -> list[TokenRange]:
    """Token ranges ``[start, end)`` of the B/I runs in one line's labels."""
    ranges: list[TokenRange] = []
    start = end = -1
    for i, label in zip(tokens, labels, strict=True):
        if label == "B" or (label == "I" and start < 0):
            if start >= 0:
                ranges.append((start, end))
            start, end = i, i + 1
        elif label == "I":
            end = i + 1
        elif start >= 0:
            ranges.append((start, end))
            start = -1
    if start >= 0:
        ranges.append((start, end))
    return ranges


@dataclass(frozen=True, slots=True)
class Tagged:
    """The tagger's reading of a document: skill phrases as token ranges, and for each token
    the probability that it is part of one."""

    ranges: list[TokenRange]
    probability: dict[int, float]


class SkillTagger:
    """The shipped CRF; ``tag`` returns the skill phrases in a document."""

    def __init__(
        self, taxonomy: Taxonomy, model: Path | None = None, threshold: float = TOKEN_THRESHOLD
    ) -> None:
        self.features = Features(taxonomy)
        self.threshold = threshold
        self._tagger = pycrfsuite.Tagger()
        if model is None:
            with resources.as_file(resources.files("parsing") / "data" / MODEL_FILE) as path:
                self._tagger.open(str(path))
        else:
            self._tagger.open(str(model))

    def tag(self, doc: Doc, matches: Sequence[Span], sections: list[Section], kind: Kind) -> Tagged:
        ranges: list[TokenRange] = []
        probability: dict[int, float] = {}
        tagger = self._tagger
        for tokens, feats in self.features.sequences(doc, matches, sections, kind):
            tagger.set(feats)
            begins = [tagger.marginal("B", t) for t in range(len(tokens))]
            inside = [tagger.marginal("I", t) for t in range(len(tokens))]
            labels = []
            for i, b, n in zip(tokens, begins, inside, strict=True):
                probability[i] = b + n
                labels.append("O" if b + n < self.threshold else "B" if b > n else "I")
            ranges += bio_to_ranges(tokens, labels)
        return Tagged(ranges, probability)
