"""The encoder's int8 form: the packaged model exported to ONNX and its weights quantised to
8 bits per output channel (ONNX Runtime's dynamic quantisation), run by ONNX Runtime.

The quantised file is made from the packaged model on first use (a few seconds; needs torch
and onnx) and kept in a cache folder under a name derived from the model's weights, so a new
model never meets an old file. Per-tensor quantisation is not offered: it moves vectors too far
(cosine .93 to the float model, measured for issue 6).
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17


def model_digest(model_path: Path) -> str:
    """A short digest of the model's weights and configuration."""
    digest = hashlib.sha256()
    for name in sorted(p.name for p in model_path.iterdir() if p.is_file()):
        if name.endswith((".safetensors", ".bin", ".json", ".txt")):
            digest.update(name.encode() + b"\x00")
            digest.update((model_path / name).read_bytes())
    return digest.hexdigest()[:16]


def quantized_model(model_path: Path, cache_dir: Path) -> Path:
    """The int8 ONNX file for the model at ``model_path``, made once and cached."""
    import onnxruntime

    stem = f"encoder-{model_digest(model_path)}-ort{onnxruntime.__version__}-int8"
    target = cache_dir / f"{stem}.onnx"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    plain = cache_dir / f".{target.stem}.{os.getpid()}.fp32.onnx"
    partial = cache_dir / f".{target.stem}.{os.getpid()}.onnx"
    try:
        from transformers import AutoModel, AutoTokenizer

        export_onnx(
            AutoModel.from_pretrained(str(model_path), local_files_only=True),
            AutoTokenizer.from_pretrained(str(model_path), local_files_only=True),
            "last_hidden_state",
            "hidden",
            plain,
        )
        quantize_int8(plain, partial)
        # Several processes may make it at once; each renames a whole file into place.
        os.replace(partial, target)
    finally:
        plain.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return target


def export_onnx(model: Any, tokenizer: Any, attribute: str, output: str, out: Path) -> None:
    """A transformers model to ONNX at ``out``: its output ``attribute`` ("last_hidden_state",
    "logits") named ``output``, taking ``INPUTS`` with batch and length left dynamic. Used for
    the encoder and by ``scripts/train_job_tagger.py`` for the job tagger."""
    import torch

    class Output(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            result: torch.Tensor = getattr(
                self.inner(**dict(zip(INPUTS, args, strict=True))), attribute
            )
            return result

    sample = tokenizer(["a job", "a longer job description"], padding=True, return_tensors="pt")
    dynamic = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, output)}
    # The tracer warns about every Python-side shape check in the model; they are constant
    # for this model and the warnings are noise to whoever runs us.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            # In eval mode, the mode the exporter gives back to the model when done.
            Output(model).eval(),
            tuple(sample[name] for name in INPUTS),
            str(out),
            input_names=list(INPUTS),
            output_names=[output],
            dynamic_axes=dynamic,
            opset_version=OPSET,
            dynamo=False,
        )


def quantize_int8(plain: Path, out: Path) -> None:
    """``plain``'s weights quantised to int8 per output channel (ONNX Runtime's dynamic
    quantisation), written to ``out``."""
    # Importing ONNX Runtime's quantisation puts its ``transformers`` folder on sys.path,
    # whose ``models`` package would then shadow ours in every worker process spawned after.
    path = list(sys.path)
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(plain, out, per_channel=True, weight_type=QuantType.QInt8)
    finally:
        sys.path[:] = path


def word_pieces(model_path: Path, max_tokens: int | None = None) -> Any:
    """The model's own fast tokenizer (``tokenizer.json``) with the ``tokenizers`` library
    alone: the same word pieces as transformers' tokenizer, without importing transformers
    (which imports torch, about 200 MB that the int8 path never uses). Truncated to
    ``max_tokens`` (special tokens included), or not at all. Its settings never change
    after this, so threads can share it."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    tokenizer.no_padding()
    if max_tokens is None:
        tokenizer.no_truncation()
    else:
        tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


class OnnxTransformer:
    """Mean-pooled, unit-length sentence vectors from the int8 ONNX model."""

    def __init__(
        self,
        onnx_path: Path,
        model_path: Path,
        max_tokens: int,
        threads: int | None,
    ) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = word_pieces(model_path, max_tokens)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One vector per text, each text run alone.

        Dynamic quantisation scales activations per call: texts batched together would get
        vectors that depend on their neighbours (and on padding). Alone, a text always gets
        the same vector, and on this CPU it is also faster: 30.5 windows a second against
        21.8 in batches of 32 (measured for issue 6)."""
        out = np.empty((len(texts), 0), dtype=np.float32)
        rows: list[npt.NDArray[np.float32]] = []
        for text in texts:
            encoded = self.tokenizer.encode(text)
            feeds = {
                "input_ids": np.array([encoded.ids], dtype=np.int64),
                "attention_mask": np.array([encoded.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([encoded.type_ids], dtype=np.int64),
            }
            hidden = self.session.run(None, feeds)[0][0]
            pooled = hidden.mean(axis=0)
            rows.append((pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32))
        return np.vstack(rows) if rows else out
