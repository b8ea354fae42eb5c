"""Link any skill phrase — from text, or a tag the CRM sends — to a canonical skill.

Stages: the taxonomy's labels (exact, then alternative, case-insensitive); then the nearest
preferred label by embedding similarity, above a threshold; else a free skill
(``free:<phrase>``), kept rather than dropped.

The nearest label is sought among ESCO's skills and O*NET's named products ("Microsoft
Word", "Alteryx software"), not among O*NET's kinds of software named by ordinary words
("Website development software", "Deployment software"): those drew phrases about doing the
work ("web development", "deploy apps") away from the ESCO skills that name it. They are still
linked by their exact labels.

The label index embeds every preferred label once (22,598 labels, about 45 s on two cores)
and is cached as float16 under the cache folder, keyed by taxonomy, model and labels.
Measured on decorte (benchmarks/skills.py): preferred labels link better than all 110,886
labels (0.52 against 0.47 accuracy), whose alternative labels add near-duplicates of other
skills.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.encoder import Encoder, Vectors
from parsing import FREE_PREFIX, SkillEntry, Taxonomy, names_product, ordinary_words

# Not tuned on the evaluation data: 0.0 to 0.5 linked decorte identically.
NEAREST_THRESHOLD = 0.5
LABEL_CHUNK = 1024


@dataclass(frozen=True, slots=True)
class Link:
    phrase: str
    id: str
    label: str
    method: str  # "label", "nearest" or "free"
    score: float


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
        self._entries = sorted(taxonomy.skills.values(), key=lambda e: e.id)
        ordinary = ordinary_words(taxonomy)
        # Any ESCO skill, and O*NET's named products.
        self._nearest_ok = np.array(
            [e.source == "esco" or names_product(e, ordinary) for e in self._entries], dtype=bool
        )
        self._vectors: Vectors | None = None
        self._lock = threading.Lock()

    def _cache_path(self) -> Path:
        digest = hashlib.sha256()
        digest.update(f"{self.taxonomy.version}\x00{self.encoder.model_id}\x00".encode())
        for entry in self._entries:
            digest.update(f"{entry.id}\x00{entry.label}\x00".encode())
        return self.cache_dir / f"skill-labels-{digest.hexdigest()[:16]}.npy"

    def label_vectors(self, stop: threading.Event | None = None) -> Vectors | None:
        """The preferred labels' vectors, from the cache or embedded once.

        With ``stop``, embedding checks it between chunks and gives up (returning None,
        caching nothing) once it is set: a server shutting down does not wait for it.
        """
        with self._lock:
            if self._vectors is None:
                path = self._cache_path()
                if path.exists():
                    vectors = np.load(path).astype(np.float32)
                else:
                    labels = [e.label for e in self._entries]
                    chunks = []
                    for start in range(0, len(labels), LABEL_CHUNK):
                        if stop is not None and stop.is_set():
                            return None
                        chunks.append(self.encoder.encode(labels[start : start + LABEL_CHUNK]))
                    vectors = np.vstack(chunks) if chunks else np.empty((0, self.encoder.dim))
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npy")
                    np.save(tmp, vectors.astype(np.float16))
                    os.replace(tmp, path)
                if vectors.shape != (len(self._entries), self.encoder.dim):
                    raise ValueError(f"{path}: label vectors of the wrong shape")
                self._vectors = vectors
            return self._vectors

    def link(self, phrases: list[str]) -> list[Link]:
        """One link per phrase, in order."""
        out: list[Link | None] = []
        todo: list[tuple[int, str]] = []
        for phrase in phrases:
            text = " ".join(phrase.strip(" .,;:").split())
            entry = self.by_label(text)
            if entry is not None:
                out.append(Link(phrase, entry.id, entry.label, "label", 1.0))
            else:
                out.append(None)
                todo.append((len(out) - 1, text))
        if todo:
            queries = self.encoder.encode([text for _, text in todo])
            vectors = self.label_vectors()
            assert vectors is not None  # without a stop event it always returns them
            scores = np.where(self._nearest_ok, queries @ vectors.T, -1.0)
            best = scores.argmax(axis=1)
            for (i, text), j, row in zip(todo, best, scores, strict=True):
                score = float(row[j])
                if text and score >= self.threshold:
                    entry = self._entries[int(j)]
                    out[i] = Link(phrases[i], entry.id, entry.label, "nearest", round(score, 4))
                else:
                    out[i] = Link(
                        phrases[i], FREE_PREFIX + text.lower(), text, "free", round(score, 4)
                    )
        return [link for link in out if link is not None]
