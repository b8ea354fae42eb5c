"""A transformer that marks skill phrases in job postings (ONNX Runtime, int8).

all-MiniLM-L6-v2 fine-tuned as a token classifier on the SkillSpan training split by
``scripts/train_job_tagger.py`` and shipped in ``parsing/data`` with the model's own
``tokenizer.json``: tagging needs neither torch nor transformers. On SkillSpan dev it marks
skills far better than the CRF (README "Skills", the benchmark's two columns), but one
forward pass per line costs more than the CRF's whole résumé, so it reads job postings only;
résumés, which must be read at hundreds a second, keep the CRF.

Each line is read on its own, as the sentences it was trained on (in windows of at most
``WINDOW`` word pieces). The model labels words cut at whitespace by their first piece, as it
was trained: the spaCy tokens of one word ("amazon-web-services", "C#/.NET") take the
probabilities of the piece the word starts in, and are in a phrase or out of it together.
Phrases are read from the probabilities as the CRF's are (``tagged_phrases``), and the result
is the CRF's :class:`Tagged`, so what follows is the same for both.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc

from parsing._tagger import Tagged, _layout, tagged_phrases

MODEL_FILE = "job_tagger.onnx"
TOKENIZER_FILE = "job_tagger_tokenizer.json"
LABELS = ("B", "I", "O")
# The model was trained on sentences of at most 128 pieces, [CLS] and [SEP] included.
WINDOW = 126
# A word is part of a skill phrase when P(B) + P(I) reaches this: the model's own even odds
# (0.3 to 0.7 gave relaxed F1 0.682 to 0.695 on the training split's held-out tenth,
# scripts/train_job_tagger.py --validate).
JOB_THRESHOLD = 0.5


class JobTagger:
    """The shipped job-posting tagger; ``tag`` returns the skill phrases in a document.

    Thread-safe: ONNX Runtime sessions may be run from several threads, and the tokenizer's
    settings never change after loading."""

    def __init__(self, folder: Path | None = None, threshold: float = JOB_THRESHOLD) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.threshold = threshold
        with resources.as_file(resources.files("parsing") / "data") as shipped:
            where = folder or shipped
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            self.session = ort.InferenceSession(
                str(where / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
            self.tokenizer: Any = Tokenizer.from_file(str(where / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self._cls = self.tokenizer.token_to_id("[CLS]")
        self._sep = self.tokenizer.token_to_id("[SEP]")

    def piece_probabilities(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(start offset, P(B, I, O)) of every word piece of ``text``, line by line."""
        starts: list[np.ndarray] = []
        probs: list[np.ndarray] = []
        offset = 0
        for line in text.splitlines(keepends=True):
            encoded = self.tokenizer.encode(line, add_special_tokens=False)
            ids = np.array(encoded.ids, dtype=np.int64)
            if len(ids):
                begins = np.array([a for a, _ in encoded.offsets], dtype=np.int64)
                for w in range(0, len(ids), WINDOW):
                    piece = ids[w : w + WINDOW]
                    row = np.concatenate([[self._cls], piece, [self._sep]])[None, :]
                    feeds = {
                        "input_ids": row,
                        "attention_mask": np.ones_like(row),
                        "token_type_ids": np.zeros_like(row),
                    }
                    logits = self.session.run(None, feeds)[0][0, 1:-1]
                    odds = np.exp(logits - logits.max(axis=1, keepdims=True))
                    probs.append(odds / odds.sum(axis=1, keepdims=True))
                    starts.append(begins[w : w + WINDOW] + offset)
            offset += len(line)
        if not starts:
            return np.empty(0, dtype=np.int64), np.empty((0, len(LABELS)))
        return np.concatenate(starts), np.concatenate(probs)

    def tag(self, doc: Doc) -> Tagged:
        tokens, line_starts = _layout(doc)
        if len(tokens) == 0:
            return Tagged([], np.zeros(len(doc)))
        piece_starts, probs = self.piece_probabilities(doc.text)
        chars, lengths = doc.to_array([IDX, LENGTH])[tokens].astype(np.int64).T
        ends = chars + lengths
        # The model was trained on words cut at whitespace, each labelled on its first piece:
        # a token glued to the one before it ("web" and "services" of "amazon-web-services",
        # ".NET" of "C#/.NET") is read with its word, in or out as the word's first piece is.
        glued = np.zeros(len(tokens), dtype=bool)
        glued[1:] = chars[1:] == ends[:-1]
        word_start = chars[np.maximum.accumulate(np.where(glued, 0, np.arange(len(tokens))))]
        # The piece each word starts in: the last piece starting at or before it.
        at = np.clip(np.searchsorted(piece_starts, word_start, side="right") - 1, 0, None)
        if len(piece_starts):
            p_b, p_i = probs[at, 0], probs[at, 1]
        else:
            p_b = p_i = np.zeros(len(tokens))
        # The rest of a word goes on with its phrase; it never begins one.
        p_i = np.where(glued, p_b + p_i, p_i)
        p_b = np.where(glued, 0.0, p_b)
        return tagged_phrases(len(doc), tokens, line_starts, p_b, p_i, self.threshold)


class LazyJobTagger:
    """Loads the job tagger the first time a job is read: processes that read only résumés
    (ingest and re-index workers) never pay its 23 MB."""

    def __init__(self) -> None:
        self._tagger: JobTagger | None = None
        self._lock = threading.Lock()

    def get(self) -> JobTagger:
        with self._lock:
            if self._tagger is None:
                self._tagger = JobTagger()
            return self._tagger
