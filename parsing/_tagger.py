"""A CRF that marks skill phrases in context (python-crfsuite).

It reads each line of a document as a sequence of tokens with features of the word itself
(form, shape, affixes, how often it occurs in taxonomy labels), of its neighbours, of the
taxonomy match it is part of (if any), and of the section it stands in, and labels each
token B or I (of a skill phrase), or what else it is part of in a résumé (the name of an
employer, a school or degree, or a place; a job title; a soft skill), or O. It is trained by
``scripts/train_skill_tagger.py`` on data we may ship (the CC0 dotin résumés, the MIT
SkillSpan training split) and shipped in ``parsing/data``.

Learning what else a token is, rather than lumping it in with O, lets the parser drop a
taxonomy match that the tagger reads as part of a name ("Google" in "Software Engineering
Intern, Google, Mountain View"); the two together raised held-out relaxed F1 on résumés from
0.551 to 0.559.

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

import re
import string
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import pycrfsuite
from spacy.attrs import IDX, IS_SPACE, LOWER, ORTH
from spacy.tokens import Doc, Span

from models import Section
from parsing import _compiled as compiled
from parsing import _scoring
from parsing._blind import YEAR
from parsing._scoring import Floats, Hashes, LinearChain, bigram_keys, marginals
from parsing._sections import section_at, sections_at
from parsing._taxonomy import Taxonomy

MODEL_FILE = "skill_tagger.crfsuite"
CONTEXT = (-2, -1, 1, 2)
# Which of a word's own features it also gives the tokens near it, by the feature's name
# ("w" of "w=python"): its form and how common it is in labels to tokens up to two away,
# its shape and title case to the tokens beside it.
GIVEN_AT: dict[str, tuple[int, ...]] = {
    "w": CONTEXT,
    "lex": CONTEXT,
    "sh": (-1, 1),
    "title": (-1, 1),
}
MAX_CACHE = 200_000
YEAR_WORD = "<year>"
# Chosen out of fold with the tagger's regularisation (scripts/train_skill_tagger.py): its
# softer probabilities gave relaxed F1 0.559, 0.558, 0.562, 0.562, 0.557 at 0.2, 0.25, 0.3,
# 0.35 and 0.4 (0.551 before, at 0.2).
TOKEN_THRESHOLD = 0.3
# The model's labels besides B, I and O: what else a résumé's token may be part of, from
# dotin's other annotations. NAME: the name of an employer, a school or degree, a place or
# a person ("Google" in "Software Engineer, Google, Mountain View", "Mathematics" in "B.Sc.
# Mathematics", the résumé's owner), which is not a skill; a job title; a soft skill.
# Anything else is O.
NAME, TITLE, SOFT_SKILL = "NAME", "TITLE", "SOFT"
TokenRange = tuple[int, int]
Kind = Literal["resume", "job"]
KINDS: tuple[Kind, ...] = get_args(Kind)


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

    def kind_of(self, skill_id: str) -> str:
        """The ``gk`` feature value of a taxonomy match: the skill's kind, "+hot" if hot."""
        return self._kinds.get(skill_id, "")

    def _lexical(self, word: str) -> list[str]:
        own = self._own.get(word)
        if own is None:
            own = self.word_features(word)
            if len(self._own) < MAX_CACHE:
                self._own[word] = own
                self._ctx[word] = self._context(own)
        return own

    def word_features(self, word: str) -> list[str]:
        """The features of ``word`` itself, not cached (the NumPy tagger keeps their weights
        instead); it gives a token near it those that ``given_at`` says, prefixed by the
        offset ("-1w=python")."""
        # Which year a résumé names must not move its skills: they would move with its
        # owner's age (benchmarks/fairness.py shifts graduation years). Every year reads alike.
        lower = YEAR_WORD if YEAR.fullmatch(word) else word.lower()
        shape = word_shape(word)
        n = self._label_words.get(lower, 0)
        bucket = "0" if n == 0 else "1" if n < 3 else "2" if n < 20 else "3" if n < 200 else "4"
        own = [
            f"w={lower}",
            f"p3={lower[:3]}",
            f"s3={lower[-3:]}",
            f"s2={lower[-2:]}",
            f"sh={shape[:6]}",
            f"len={min(len(word), 8)}",
            f"lex={bucket}",
        ]
        if word.istitle():
            own.append("title")
        if word.isupper() and len(word) > 1:
            own.append("upper")
        if "d" in shape:  # a letter's class is X or x, never d
            own.append("digit")
        return own

    @staticmethod
    def _context(own: list[str]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {off: [] for off in CONTEXT}
        for f in own:
            for off in given_at(f):
                out[off].append(f"{off}{f}")
        return out

    def _context_of(self, word: str, off: int) -> list[str]:
        ctx = self._ctx.get(word)
        if ctx is None:
            return self._context(self._lexical(word))[off]
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
            # A bigram with a year is no feature: every year reads alike (``word_features``).
            years = [YEAR.fullmatch(w) is not None for w in words]
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
                if j > 0 and not (years[j - 1] or years[j]):
                    f.append(f"bi-={lowers[j - 1]}|{lowers[j]}")
                if j < last and not (years[j] or years[j + 1]):
                    f.append(f"bi+={lowers[j]}|{lowers[j + 1]}")
                feats.append(f + [f"{kind}:{x}" for x in f])
            out.append((line, feats))
        return out


# A word's shape: upper-case letters X, lower-case x, digits d, other characters themselves,
# each run of one class as one ("Node.js" is Xx.x). ASCII words, nearly all, by a table.
SHAPE_OF = str.maketrans(
    dict.fromkeys(string.ascii_uppercase, "X")
    | dict.fromkeys(string.ascii_lowercase, "x")
    | dict.fromkeys(string.digits, "d")
)


def word_shape(word: str) -> str:
    if word.isascii():
        return "".join([k for k, _ in groupby(word.translate(SHAPE_OF))])
    return shape_by_character(word)


def shape_by_character(word: str) -> str:
    """``word_shape`` of any word, one character at a time."""
    shape: list[str] = []
    for c in word:
        k = "X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
        if not shape or shape[-1] != k:
            shape.append(k)
    return "".join(shape)


def given_at(feature: str) -> tuple[int, ...]:
    """The offsets of ``CONTEXT`` at which a word's own ``feature`` is given to a token."""
    return GIVEN_AT.get(feature.split("=", 1)[0], ())


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


@dataclass(frozen=True, slots=True)
class Tagged:
    """The tagger's reading of a document: skill phrases as token ranges, and for each token
    the probability that it is part of one, and (from a tagger that reads them, else None)
    that it is part of the name of an employer, a school or degree, or a place."""

    ranges: list[TokenRange]
    probability: Floats  # by token of the document; 0 for whitespace
    named: Floats | None = None


class SkillTagger:
    """The shipped CRF; ``tag`` returns the skill phrases in a document.

    Tagging runs on :class:`LinearChain` (NumPy) with scores cached per distinct word, not
    through python-crfsuite, which is used to train and to load the model.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        model: Path | None = None,
        threshold: float = TOKEN_THRESHOLD,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        """``cache_dir``: where the chains read from the model are kept for the next
        process (``parsing._compiled``); None reads them from the model every time."""
        self.features = Features(taxonomy)
        self.threshold = threshold
        if model is None:
            with resources.as_file(resources.files("parsing") / "data" / MODEL_FILE) as path:
                chains = _read_chains(path, cache_dir)
        else:
            chains = _read_chains(model, cache_dir)
        self._chains = {kind: _ByWord(chain) for kind, chain in chains.items()}

    def tag(self, doc: Doc, matches: Sequence[Span], sections: list[Section], kind: Kind) -> Tagged:
        tokens, starts = _layout(doc)
        if len(tokens) == 0:
            return Tagged([], np.zeros(len(doc)), np.zeros(len(doc)))
        by_word = self._chains[kind]
        chain = by_word.chain
        n = len(tokens)
        # Each token's form, lower-cased form and character offset.
        table = doc.to_array([ORTH, LOWER, IDX])[tokens].astype(np.uint64)
        words = by_word.rows(table[:, 0], doc, self.features)  # (n, 5, labels)
        scores = words[:, 0].copy()
        # Where each token's line starts, and its position in the line.
        line_of = np.cumsum(starts) - 1
        firsts = np.flatnonzero(starts)
        # The section each line starts in, "none" (the last row) outside any.
        by_section = np.stack(
            [chain.get(f"sec={s.name}") for s in sections] + [chain.get("sec=none")]
        )
        line_section = sections_at(sections, table[firsts, 2].astype(np.int64))
        scores += by_section[line_section[line_of]]
        line_ends = np.append(firsts[1:] - 1, n - 1)
        position = np.ones(n, dtype=np.intp)
        position[line_ends] = 2
        position[firsts] = 0
        scores += by_word.position[position]
        # Taxonomy matches: B/I/O (0/1/2) and the matched skill's kind.
        gaz = np.full(len(doc), 2, dtype=np.intp)
        gaz_kind = np.broadcast_to(chain.get("gk="), (len(doc), len(chain.labels))).copy()
        for span in matches:
            gaz[span.start] = 0
            gaz[span.start + 1 : span.end] = 1
            gaz_kind[span.start : span.end] = chain.get(f"gk={self.features.kind_of(span.label_)}")
        gaz = gaz[tokens]
        scores += gaz_kind[tokens]
        scores += by_word.gaz[0][gaz]
        at = np.arange(n)
        for row, off in enumerate(CONTEXT, start=1):
            near = np.clip(at + off, 0, n - 1)
            inside = (at + off >= 0) & (at + off < n) & (line_of[near] == line_of)
            seen = words[near, row] + by_word.gaz[off][gaz[near]]
            scores += np.where(inside[:, None], seen, by_word.pad[off])
        if n > 1:
            keys = bigram_keys(table[:-1, 1], table[1:, 1])
            both = chain.bigram_scores(keys)
            both[starts[1:]] = 0.0  # no bigram across a line break
            scores[:-1] += both[:, 0]
            scores[1:] += both[:, 1]
        p = marginals(scores, starts, chain.transitions)
        tagged = tagged_phrases(len(doc), tokens, starts, p[:, 0], p[:, 1], self.threshold)
        named = np.zeros(len(doc))
        if NAME in chain.labels:
            named[tokens] = p[:, chain.labels.index(NAME)]
        return Tagged(tagged.ranges, tagged.probability, named)


def tagged_phrases(
    size: int,
    tokens: npt.NDArray[np.intp],
    starts: npt.NDArray[np.bool_],
    p_b: Floats,
    p_i: Floats,
    threshold: float,
) -> Tagged:
    """The phrases of a document of ``size`` tokens from P(B) and P(I) of its non-space
    ``tokens`` (``starts``: which begin a line). A token is in a phrase when P(B) + P(I)
    reaches ``threshold``; a phrase begins at such a token where the one before is not, or a
    line starts, or B is likelier than I; it ends where the next token does not continue it."""
    skill = p_b + p_i
    on = skill >= threshold
    begins = on & (starts | ~np.roll(on, 1) | (p_b > p_i))
    goes_on = np.append((on & ~begins)[1:], False)
    ends = on & ~goes_on
    ranges = list(zip(tokens[begins].tolist(), (tokens[ends] + 1).tolist(), strict=True))
    probability = np.zeros(size)
    probability[tokens] = skill
    return Tagged(ranges, probability)


def _read_chains(model: Path, cache_dir: Path | None) -> dict[Kind, LinearChain]:
    def build() -> compiled.Arrays:
        crf = pycrfsuite.Tagger()  # only read here: tagging runs on the chains
        crf.open(str(model))
        try:
            arrays: compiled.Arrays = {}
            for kind in KINDS:
                chain = LinearChain.from_tagger(crf, kind, KINDS)
                arrays |= compiled.nested(kind, chain.arrays())
            return arrays
        finally:
            crf.close()

    # By the model and the code that reads it into chains and writes them as arrays.
    fingerprint = compiled.digest(model.read_bytes(), compiled.source_of(_scoring), *KINDS)
    arrays = compiled.load_or_build(cache_dir, "skill-tagger", fingerprint, build)
    return {kind: LinearChain.from_arrays(compiled.part(arrays, kind)) for kind in KINDS}


class _ByWord:
    """A :class:`LinearChain` with its word-level scores cached per word (by spaCy hash):
    for each word, its own features' weights and those it gives its neighbours at each
    offset of ``CONTEXT``.

    A new word's row is the sum of its features' blocks: each feature's weights on the token
    itself and at each offset it is given at (``given_at``), kept per feature, so that the
    rows of a document's new words are one gather and one sum.
    """

    def __init__(self, chain: LinearChain) -> None:
        self.chain = chain
        # Weights of the features that are not words' own: the token's position in its line
        # (first, mid, last), a taxonomy match's B, I, O on the token or a neighbour (by
        # offset, 0 for the token), and a neighbour past the line's edge.
        self.position = np.stack([chain.get(f) for f in ("first", "mid", "last")])
        self.gaz = {
            off: np.stack([chain.get(f"{off or ''}gaz={g}") for g in "BIO"])
            for off in (0, *CONTEXT)
        }
        self.pad = {off: chain.get(f"{off}pad") for off in CONTEXT}
        self._row: dict[int, int] = {}
        self._table = np.zeros((4096, 1 + len(CONTEXT), len(chain.labels)))
        # Block 0 is all zeros: it pads a word with fewer features than the longest, and
        # stands for a feature the model has no weight for at any offset (most new words'
        # "w=" feature), which is not kept.
        offset = re.compile("^(?:" + "|".join(map(str, CONTEXT)) + ")(?=[a-z])")
        self._weighted = frozenset(offset.sub("", name) for name in chain.weights)
        self._block: dict[str, int] = {}
        self._blocks = np.zeros((1024, 1 + len(CONTEXT), len(chain.labels)))
        self._lock = threading.Lock()

    def _block_of(self, feature: str) -> int:
        block = self._block.get(feature)
        if block is None:
            if feature not in self._weighted:
                return 0
            block = len(self._block) + 1
            if block == len(self._blocks):
                self._blocks = np.concatenate([self._blocks, np.zeros_like(self._blocks)])
            self._blocks[block, 0] = self.chain.get(feature)
            for off in given_at(feature):
                self._blocks[block, 1 + CONTEXT.index(off)] = self.chain.get(f"{off}{feature}")
            self._block[feature] = block
        return block

    def rows(self, orths: Hashes, doc: Doc, features: Features) -> Floats:
        """The cached rows, (n, 5, labels), of the words whose hashes are ``orths``."""
        distinct, inverse = np.unique(orths, return_inverse=True)
        with self._lock:
            if len(self._row) + len(distinct) > MAX_CACHE:
                # The feature blocks stay: there are no more than the model has features.
                self._row.clear()
            cached = self._row
            index = np.fromiter(
                (cached.get(h, -1) for h in distinct.tolist()), dtype=np.intp, count=len(distinct)
            )
            new = np.flatnonzero(index < 0)
            if len(new):
                blocks = [
                    [self._block_of(f) for f in features.word_features(doc.vocab.strings[h])]
                    for h in distinct[new].tolist()
                ]
                width = max(map(len, blocks))
                at = np.zeros((len(new), width), dtype=np.intp)
                for k, row in enumerate(blocks):
                    at[k, : len(row)] = row
                first = len(cached)
                if first + len(new) > len(self._table):
                    grown = np.zeros((2 * (first + len(new)), *self._table.shape[1:]))
                    grown[:first] = self._table[:first]
                    self._table = grown
                self._table[first : first + len(new)] = self._blocks[at].sum(axis=1)
                index[new] = np.arange(first, first + len(new))
                cached.update(zip(distinct[new].tolist(), index[new].tolist(), strict=True))
            return self._table[index[inverse]]


def _layout(doc: Doc) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """The indices of the tokens that are not whitespace, and for each whether it starts a
    line: the arrays form of ``_lines``."""
    attrs = doc.to_array([IS_SPACE, ORTH])
    space = attrs[:, 0] == 1
    tokens = np.flatnonzero(~space)
    # A document has few distinct runs of whitespace: look each up once.
    runs = np.unique(attrs[space, 1])
    breaking = [h for h in runs.tolist() if "\n" in doc.vocab.strings[h]]
    breaks = space & np.isin(attrs[:, 1], breaking)
    line = np.cumsum(breaks)[tokens]
    starts = np.ones(len(tokens), dtype=bool)
    starts[1:] = line[1:] != line[:-1]
    return tokens, starts
