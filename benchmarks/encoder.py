"""Encoder speed: PyTorch fp32 (the baseline) against the int8 ONNX Runtime form, on the
LiveCareer résumés, with one and four 256-word-piece windows a résumé.

Prints, for each precision: windows a second (embedding résumé windows), résumés a second
with 1 and 4 windows, one job description's latency (p50 of 30), and how close the vectors
are to fp32's (cosine, over the same windows). Ranking quality for each setting is
``benchmarks/ranking.py --precision P --windows W``.

Run: python benchmarks/encoder.py [--data DIR] [--resumes N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.gold import esco_job_texts  # noqa: E402
from benchmarks.ranking import pdf_texts  # noqa: E402
from matcher import Encoder, profile_text  # noqa: E402
from parsing import Parser  # noqa: E402

CORES = os.cpu_count() or 1


def measure(
    encoder: Encoder, profiles: list[str], job: str, reference: np.ndarray | None
) -> dict[str, Any]:
    windows = [piece for text in profiles for piece, _ in encoder.split(text)]
    encoder.encode(windows[:4])  # warm up
    started = time.perf_counter()
    vectors = encoder.encode(windows)
    windows_s = time.perf_counter() - started
    started = time.perf_counter()
    encoder.encode_documents(profiles)
    documents_s = time.perf_counter() - started
    single = []
    for i in range(30):
        begun = time.perf_counter()
        encoder.encode_one(f"{job}\nReference {i}.")
        single.append((time.perf_counter() - begun) * 1000)
    row: dict[str, Any] = {
        "encoder": encoder.key,
        "windows": len(windows),
        "windows_per_s": round(len(windows) / windows_s, 1),
        "resumes_per_s": round(len(profiles) / documents_s, 1),
        "job_p50_ms": round(statistics.median(single), 1),
    }
    if reference is not None:
        cosine = (vectors * reference).sum(axis=1)
        row["cosine_to_fp32"] = {
            "mean": round(float(cosine.mean()), 4),
            "min": round(float(cosine.min()), 4),
        }
    row["_vectors"] = vectors
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--resumes", type=int, default=60)
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    folder = args.data / "resumes" / "livecareer-dev"
    esco = args.data / "taxonomy" / "esco-1.1.1"
    if not folder.is_dir() or not esco.is_dir():
        print(f"benchmark data not found under {args.data}", file=sys.stderr)
        raise SystemExit(2)
    files = sorted(folder.rglob("*.pdf"))
    step = max(1, len(files) // args.resumes)
    texts = pdf_texts(
        files[::step][: args.resumes], Path.home() / ".cache" / "talentmatch" / "bench-text"
    )
    parser = Parser()
    profiles = [profile_text(parser.parse_resume_text(t, fmt=f)) for t, f in texts.values()]
    job = next(iter(esco_job_texts(esco, {"accountant"}).values()))
    rows = []
    reference: dict[int, np.ndarray] = {}  # fp32 vectors of the same windows, by window count
    for precision in ("fp32", "int8"):
        for windows in (1, 4):
            encoder = Encoder(threads=CORES, precision=precision, windows=windows)
            row = measure(encoder, profiles, job, reference.get(windows))
            reference.setdefault(windows, row["_vectors"])
            rows.append(row)
    baseline = rows[0]
    print(f"\n{CORES} cores, {len(profiles)} résumés. Baseline: {baseline['encoder']}.\n")
    print("| encoder | windows/s | résumés/s | job p50 ms | cosine to fp32 (mean / min) |")
    print("|---|---|---|---|---|")
    for row in rows:
        cos = row.get("cosine_to_fp32")
        agreement = f"{cos['mean']} / {cos['min']}" if cos else "ref"
        print(
            f"| {row['encoder']} | {row['windows_per_s']} | {row['resumes_per_s']} | "
            f"{row['job_p50_ms']} | {agreement} |"
        )
    for row in rows:
        del row["_vectors"]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"machine": {"cpus": CORES, "python": platform.python_version()}, "rows": rows},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
