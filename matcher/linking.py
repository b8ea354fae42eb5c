"""Link any skill phrase — from text, or a tag the CRM sends — to a canonical skill.

Stages: the taxonomy's labels (exact, then alternative, case-insensitive); then the nearest
skill by embedding similarity, above a threshold; else a free skill (``free:<phrase>``), kept
rather than dropped.

The nearest skill is ranked by three things, each of which raised linking accuracy on
decorte's annotated job-ad phrases and lowered neither half (tech and house;
benchmarks/skills.py, README "Skills"):

- its similarity: 0.4 of the cosine to its preferred label, 0.4 of the best cosine to any of
  its labels, alternatives included (a phrase close to one alternative is close to its
  skill; the alternatives alone would let ESCO's near-duplicate alternatives of other skills
  win: 0.49 against 0.53 for preferred labels alone), and 0.2 of the cosine to the mean of
  its labels, which weighs what all of them say over any one (decorte 202 → 203 of 289, and
  ESCO's hidden labels, a set no other weight was chosen on, 101 → 107 of 307);
- how common the skill is: ``COMMONNESS_WEIGHT`` times the log of one plus the number of
  ESCO occupations that ask for it, every occupation for a transversal skill (the taxonomy
  counts them so: ESCO relates "work in teams" to none, because it serves all). A job ad
  asking for "solving business problems" means ESCO's "solve problems" more often than
  "propose ICT solutions to business problems";
- an O*NET product ("Timeline software", "Microsoft NetMeeting") is a name: it is linked by
  similarity only when the phrase shares a word with it, so "estimate timelines" does not
  become a product.

A phrase written as an acronym that no label names ("JEE", "PaaS", "B2B", "PKI") embeds as
little more than its letters: its nearest labels were "jell fruits", "paediatrics", "DB2"
and "reiki". It is linked only to a skill with a label that writes it as a word ("HACCP":
"apply HACCP") or whose words it abbreviates ("QA": "quality assurance procedures", "UI":
"design user interface"), among the ``ACRONYM_TOP`` nearest; else it is a free skill. A
product's name that writes it as a word must also spell it out ("Platform as a service
PaaS"): "3DGrid HIPAA Checkup", "API Navigator" and "Creative Solutions CPA Depreciation"
are products for HIPAA, APIs and accountants, not what "HIPAA", "API" or "CPA" names.

The reported ``score`` is the similarity alone, the threshold's measure.

The nearest label is sought among ESCO's skills and O*NET's named products ("Microsoft
Word", "Alteryx software"), not among O*NET's kinds of software named by ordinary words
("Website development software", "Deployment software"): those drew phrases about doing the
work ("web development", "deploy apps") away from the ESCO skills that name it. They are still
linked by their exact labels.

The label index embeds every label of those skills once (108,314 labels, 65 s on two cores
with the int8 encoder, one session a core: ``Encoder.encode_on_cores``) and is cached as
float32 (166 MB) under the cache folder, keyed by taxonomy, model and labels; it is read
memory-mapped, so processes on one machine share it. Writing a new one removes the files of
older taxonomies, models or labels.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.encoder import Encoder, Vectors
from models import InvalidInput, names_a_skill
from parsing import FREE_PREFIX, SkillEntry, Taxonomy, names_product, ordinary_words
from parsing.parser import GENERIC_TAILS

# Not tuned on the evaluation data: 0.0 to 0.5 linked decorte identically.
NEAREST_THRESHOLD = 0.5
LABEL_CHUNK = 1024
# Round values, each raising accuracy on both decorte halves, or one and leaving the other
# (module docstring). The preferred label's cosine weighs what the other two leave.
ALTERNATIVE_WEIGHT = 0.4
CENTROID_WEIGHT = 0.2
COMMONNESS_WEIGHT = 0.01
# Label vectors are scored in blocks of this many rows, straight from the memory-mapped file
# (float32: converting a float16 file made one phrase cost about 110 ms against 30, both
# measured beside a test run).
SCORE_BLOCK = 16384
# Phrases are scored this many at a time: (phrases, labels) float32 scores are held at once.
QUERY_BLOCK = 128
WORD = re.compile(r"[a-z0-9+#]+")
# One word with two capitals or more, of at most six characters: "REST", "PaaS", "B2B",
# "ES6+" (module docstring).
ACRONYM = re.compile(r"(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z0-9]{2,6}[+#]?")
ACRONYM_TOP = 20
LABEL_WORD = re.compile(r"[A-Za-z0-9]+")
CACHE_NAME = re.compile(r"skill-labels-[0-9a-f]{16}\.npy")
# What a phrase says around the skill it names: "knowledge of SQL", "experience with
# Kubernetes", "communication skills". A phrase is linked by what is left.
LEAD = re.compile(
    r"^(?:(?:strong|solid|good|excellent|proven|deep|working|basic|advanced)\s+)?"
    r"(?:knowledge|experience|expertise|proficiency|understanding|familiarity)\s+(?:of|in|with)\s+",
    re.IGNORECASE,
)
# The parser's generic tails of a tagged phrase, and how a CRM tag may end besides.
TAIL = re.compile(
    r"\s+(?:" + "|".join(sorted(GENERIC_TAILS | {"ability", "abilities"})) + ")$", re.IGNORECASE
)
# Punctuation around a phrase ("communication skills .", "Python,"), not a dot that starts a
# name (".NET", ".htaccess").
EDGES = re.compile(r"^(?:[\s,;:?!]|\.(?![A-Za-z0-9]))+|[\s.,;:?!]+$")
PARTED_DOT = re.compile(r"^\s*\.\s+\w")
NAME_STOP_WORDS = frozenset("a an and for from in of on or the to with your our software".split())


@dataclass(frozen=True, slots=True)
class Link:
    phrase: str
    id: str
    label: str
    method: str  # "label", "nearest" or "free"
    score: float
    # The ESCO skill the link is in ESCO's terms (``Taxonomy.esco_concept``), None when ESCO
    # has none.
    esco: str | None = None


class SkillLinker:
    def __init__(
        self,
        taxonomy: Taxonomy,
        encoder: Encoder,
        by_label: Callable[[str], SkillEntry | None],
        cache_dir: Path,
        threshold: float = NEAREST_THRESHOLD,
    ) -> None:
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.by_label = by_label
        self.cache_dir = cache_dir
        self.threshold = threshold
        ordinary = ordinary_words(taxonomy)
        # Any ESCO skill, and O*NET's named products.
        self._entries = sorted(
            (
                e
                for e in taxonomy.skills.values()
                if e.source == "esco" or names_product(e, ordinary)
            ),
            key=lambda e: e.id,
        )
        # Every label of those skills, preferred first: row k names skill owner[k].
        labels: list[str] = [e.label for e in self._entries]
        owner: list[int] = list(range(len(self._entries)))
        for i, entry in enumerate(self._entries):
            seen = {entry.label.lower()}
            for alias in entry.aliases:
                if alias.lower() not in seen:
                    seen.add(alias.lower())
                    labels.append(alias)
                    owner.append(i)
        self._labels = labels
        self._owner = np.array(owner, dtype=np.intp)
        # Alternative labels follow their skill's order: each skill's are one run of rows.
        # Where each run starts among them, and whose it is.
        alternatives = self._owner[len(self._entries) :]
        self._runs = (
            np.flatnonzero(np.r_[True, alternatives[1:] != alternatives[:-1]])
            if len(alternatives)
            else np.empty(0, dtype=np.intp)
        )
        self._run_skills = alternatives[self._runs]
        self._commonness = COMMONNESS_WEIGHT * np.log1p(
            np.array([e.occupations for e in self._entries], dtype=np.float32)
        )
        # O*NET's products, and which of them each word of their names names.
        self._is_product = np.array([e.source != "esco" for e in self._entries], dtype=bool)
        self._products_named: dict[str, list[int]] = {}
        for i in np.flatnonzero(self._is_product).tolist():
            for word in _words(self._entries[i].label):
                self._products_named.setdefault(word, []).append(i)
        self._vectors: Vectors | None = None
        # The length of the sum of each skill's label vectors (``_centroid_norms``).
        self._sum_norms: Vectors | None = None
        self._lock = threading.Lock()

    def _cache_path(self) -> Path:
        digest = hashlib.sha256()
        digest.update(f"{self.taxonomy.version}\x00{self.encoder.model_id}\x00f4\x00".encode())
        for label, i in zip(self._labels, self._owner.tolist(), strict=True):
            digest.update(f"{self._entries[i].id}\x00{label}\x00".encode())
        return self.cache_dir / f"skill-labels-{digest.hexdigest()[:16]}.npy"

    def label_vectors(self, stop: threading.Event | None = None) -> Vectors | None:
        """The labels' vectors (float32, memory-mapped), from the cache or embedded once.

        With ``stop``, embedding checks it between chunks and gives up (returning None,
        caching nothing) once it is set: a server shutting down does not wait for it.
        """
        with self._lock:
            if self._vectors is None:
                path = self._cache_path()
                if not path.exists():
                    made = self.encoder.encode_on_cores(self._labels, chunk=LABEL_CHUNK, stop=stop)
                    if made is None:
                        return None
                    vectors = made
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npy")
                    np.save(tmp, vectors)
                    os.replace(tmp, path)
                    # What older taxonomies, models or labels made is not read again (166 MB
                    # each); another process's file being written has a longer name.
                    for old in path.parent.glob("skill-labels-*.npy"):
                        if old != path and CACHE_NAME.fullmatch(old.name):
                            old.unlink(missing_ok=True)
                vectors = np.load(path, mmap_mode="r")
                if vectors.shape != (len(self._labels), self.encoder.dim) or (
                    vectors.dtype != np.float32
                ):
                    raise ValueError(f"{path}: label vectors of the wrong shape or type")
                self._sum_norms = self._centroid_norms(vectors)
                self._vectors = vectors
            return self._vectors

    def _centroid_norms(self, vectors: Vectors) -> Vectors:
        """Each skill's length of the sum of its labels' vectors: a query's cosine to the
        skill's centroid is its summed cosines to the labels over this, no second matrix.
        Read from the memory-mapped file a block of skills at a time."""
        n = len(self._entries)
        norms = np.empty(n, dtype=np.float32)
        for first in range(0, n, LABEL_CHUNK):
            last = min(first + LABEL_CHUNK, n)
            sums = np.array(vectors[first:last], dtype=np.float32)
            # The runs of this block's skills, and the rows they span.
            a, b = np.searchsorted(self._run_skills, [first, last]).tolist()
            if b > a:
                runs = self._runs[a:b]
                stop = int(self._runs[b]) if b < len(self._runs) else len(vectors) - n
                block = vectors[n + int(runs[0]) : n + stop]
                sums[self._run_skills[a:b] - first] += np.add.reduceat(block, runs - runs[0])
            norms[first:last] = np.linalg.norm(sums, axis=1)
        # A skill whose labels cancel out has no direction: its centroid adds nothing.
        return np.where(norms > 0, norms, np.inf).astype(np.float32)

    def similarities(self, queries: Vectors) -> Vectors:
        """(queries, skills): ``ALTERNATIVE_WEIGHT`` of the best cosine to any of a skill's
        labels, ``CENTROID_WEIGHT`` of the cosine to the mean of its labels, and the rest of
        the cosine to its preferred label."""
        vectors = self.label_vectors()
        assert vectors is not None and self._sum_norms is not None  # no stop event: made
        n = len(self._entries)
        scores = np.hstack(
            [
                queries @ vectors[start : start + SCORE_BLOCK].T
                for start in range(0, len(vectors), SCORE_BLOCK)
            ]
        )
        preferred = scores[:, :n]
        best = preferred.copy()
        centroid = preferred.copy()
        if len(self._runs):
            skills, alternatives = self._run_skills, scores[:, n:]
            best[:, skills] = np.maximum(
                best[:, skills], np.maximum.reduceat(alternatives, self._runs, axis=1)
            )
            centroid[:, skills] += np.add.reduceat(alternatives, self._runs, axis=1)
        centroid /= self._sum_norms
        best *= np.float32(ALTERNATIVE_WEIGHT)
        best += np.float32(CENTROID_WEIGHT) * centroid
        best += np.float32(1 - ALTERNATIVE_WEIGHT - CENTROID_WEIGHT) * preferred
        return best

    def link(self, phrases: list[str]) -> list[Link]:
        """One link per phrase, in order. A phrase without a letter or a digit names no
        skill: ``InvalidInput``, before any is linked."""
        for phrase in phrases:
            if not names_a_skill(phrase):
                raise InvalidInput(f"{phrase!r} has no letter or digit: it names no skill")
        out: list[Link | None] = []
        todo: list[tuple[int, str]] = []
        for phrase in phrases:
            text = " ".join(EDGES.sub("", phrase).split())
            entry = self.by_label(text)
            if entry is None and PARTED_DOT.match(phrase):
                # Tokenised text parts a name from its dot: ". NET" is ".NET".
                entry = self.by_label("." + text)
            if entry is None:
                text = core_phrase(text)
                entry = self.by_label(text)
            if entry is not None:
                out.append(self._link(phrase, entry, "label", 1.0))
            else:
                out.append(None)
                todo.append((len(out) - 1, text))
        for start in range(0, len(todo), QUERY_BLOCK):
            part = todo[start : start + QUERY_BLOCK]
            similar = self.similarities(self.encoder.encode([text for _, text in part]))
            ranked = similar + self._commonness
            for (i, text), row, rank in zip(part, similar, ranked, strict=True):
                # A product is linked only by a phrase with a word of its name.
                unnamed = self._is_product.copy()
                for word in _words(text):
                    unnamed[self._products_named.get(word, [])] = False
                rank[unnamed] = -np.inf
                best = int(rank.argmax())
                # An acronym's skill must spell it: None when none of the nearest does.
                j = self._spelled(text, rank) if ACRONYM.fullmatch(text) else best
                score = float(row[best if j is None else j])
                if text and j is not None and score >= self.threshold:
                    out[i] = self._link(phrases[i], self._entries[j], "nearest", round(score, 4))
                else:
                    out[i] = Link(
                        phrases[i], FREE_PREFIX + text.lower(), text, "free", round(score, 4)
                    )
        return [link for link in out if link is not None]

    def _spelled(self, acronym: str, rank: Vectors) -> int | None:
        """The best ranked of the ``ACRONYM_TOP`` nearest skills that ``acronym`` names
        (``_spells``), None when none does."""
        if len(rank) > ACRONYM_TOP:
            top = np.argpartition(-rank, ACRONYM_TOP)[:ACRONYM_TOP]
            top = top[np.argsort(-rank[top])]
        else:
            top = np.argsort(-rank)
        return next((j for j in top.tolist() if self._spells(acronym, self._entries[j])), None)

    @staticmethod
    def _spells(acronym: str, entry: SkillEntry) -> bool:
        """Whether a label of ``entry`` has words ``acronym`` abbreviates ("quality assurance
        procedures" for "QA"), or writes it as a word: any ESCO skill's ("apply HACCP"), a
        product's only beside words it abbreviates ("Platform as a service PaaS")."""
        letters = acronym.rstrip("+#")

        def abbreviates(words: list[str]) -> bool:
            return letters.isalpha() and letters.lower() in "".join(w[0] for w in words).lower()

        for label in (entry.label, *entry.aliases):
            words = LABEL_WORD.findall(label)
            if letters in words:
                if entry.source == "esco" or abbreviates([w for w in words if w != letters]):
                    return True
            elif abbreviates(words):
                return True
        return False

    def _link(self, phrase: str, entry: SkillEntry, method: str, score: float) -> Link:
        return Link(
            phrase, entry.id, entry.label, method, score, self.taxonomy.esco_concept(entry.id)
        )


def core_phrase(text: str) -> str:
    """``text`` without what surrounds the skill it names: "knowledge of SQL" is "SQL",
    "communication skills" is "communication"; a phrase that is nothing else stays whole."""
    core = TAIL.sub("", LEAD.sub("", text))
    return core if core else text


def _words(text: str) -> frozenset[str]:
    """The content words of a label or phrase, lower-cased ("timelines" is not the product
    "Timeline")."""
    return frozenset(w for w in WORD.findall(text.lower()) if w not in NAME_STOP_WORDS)
