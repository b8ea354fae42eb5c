"""The ONNX export shared by the encoder and the job tagger's training script."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher._onnx import INPUTS, export_onnx, quantize_int8
from matcher.encoder import packaged_model_path


def test_a_token_classifier_exports_with_the_logits_torch_gives(tmp_path: Path) -> None:
    # What scripts/train_job_tagger.py ships: a token classifier's logits, exported and then
    # quantised to int8, run by ONNX Runtime on lengths other than the sample it was traced on.
    import onnxruntime as ort
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    torch.manual_seed(0)
    base = packaged_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = AutoModelForTokenClassification.from_pretrained(
        str(base), num_labels=3, local_files_only=True
    ).eval()
    plain, small = tmp_path / "plain.onnx", tmp_path / "int8.onnx"
    export_onnx(model, tokenizer, "logits", "logits", plain)
    assert not model.training  # the exporter gives the model back in the mode it got it
    quantize_int8(plain, small)
    assert small.stat().st_size < plain.stat().st_size / 3
    text = "Must have five years of Python, Kubernetes and PostgreSQL; Kafka is a plus."
    encoded = tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        want = model(**encoded).logits[0].numpy()
    feeds = {name: encoded[name].numpy() for name in INPUTS}
    # int8 moved these logits by at most 0.08.
    for path, tolerance in ((plain, 1e-4), (small, 0.25)):
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        got = session.run(None, feeds)[0][0]
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=tolerance)
