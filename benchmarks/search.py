"""Vector search at scale: the pool's index against exact search, at 10k, 100k and 1M.

The pool is synthetic but shaped like real embeddings: the MiniLM vectors of the 300
LiveCareer résumés (as the pool embeds them, windows and all) are the anchors; each synthetic
candidate is a mixture of two of them, moved along the difference of two others, renormalised
(uniform random vectors would make any approximate index look bad, and any exact one look
good). The queries are the vectors of 72 ESCO job descriptions. Metadata is seeded too: one
tenant holds 90% of the pool, five others 2% each; 3% may not be contacted, 3% are past
retention.

For each pool size, in one run, both on the same vectors and the same eligibility:
- baseline: exact search (``faiss-flat-ip``, what small pools use);
- ours: the index the pool picks for that size (``auto``: the inverted file over 8-bit codes
  from 50,000 vectors).
It prints build time, index memory, search latency p50/p99 with the main tenant's eligible
ids as the filter (as every match does), the same for a tenant holding 2% of the pool,
recall@100 against exact search, queries per second from four threads on the two cores,
the cost of adding and of erasing one candidate, and the roster's eligibility lookup.

Then, for the largest pool, the whole match as a CRM sees it (see
:mod:`benchmarks.served_pool`): the same pool with a résumé behind each vector, bulk-loaded
into a store and served by ``talentmatch serve`` over loopback; match latency with unseen and
cached job descriptions, matches a second, erasure over the API, the service's memory.
``--no-match`` skips it.

Reads ../shared/data (résumés and ESCO); says so and exits 2 when it is missing. Anchor and
query vectors are cached under ~/.cache/talentmatch/bench-search.

Run: python benchmarks/search.py [--pool N ...] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.pipeline import percentile  # noqa: E402
from benchmarks.ranking import occupation_texts, pdf_texts  # noqa: E402
from benchmarks.served_pool import measure_match, parsed_resumes  # noqa: E402
from index import vectors as backends  # noqa: E402
from index.pool import Roster  # noqa: E402
from matcher import Encoder, profile_text  # noqa: E402
from parsing import Parser  # noqa: E402

SEED = 20261122
TENANTS = ["main"] + [f"other-{i}" for i in range(5)]
TENANT_SHARES = [0.90] + [0.02] * 5
CACHE = Path.home() / ".cache" / "talentmatch" / "bench-search"


def resume_texts(data: Path) -> dict[str, tuple[str, str]]:
    files = sorted((data / "resumes" / "livecareer-dev").rglob("*.pdf"))
    return pdf_texts(files, Path.home() / ".cache" / "talentmatch" / "bench-text")


def anchors(data: Path, encoder: Encoder) -> tuple[np.ndarray, np.ndarray]:
    """(résumé vectors, job vectors), embedded once and cached by their texts and model;
    the résumés in the order of :func:`resume_texts`."""
    texts = resume_texts(data)
    jobs = occupation_texts(data / "taxonomy" / "esco-1.1.1")
    key = hashlib.sha256(
        json.dumps([encoder.key, sorted(texts.items()), sorted(jobs.items())]).encode()
    ).hexdigest()[:16]
    path = CACHE / f"anchors-{key}.npz"
    if path.exists():
        with np.load(path) as cached:
            return cached["resumes"], cached["jobs"]
    parser = Parser()
    profiles = [
        profile_text(parser.parse_resume_text(text, fmt=fmt)) for text, fmt in texts.values()
    ]
    resumes = encoder.encode_documents(profiles)
    job_vectors = encoder.encode([jobs[label] for label in sorted(jobs)])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, resumes=resumes, jobs=job_vectors)
    return resumes, job_vectors


def synthetic_pool(
    base: np.ndarray, n: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` unit vectors, each a mixture of two anchors moved along the difference of two
    others (in chunks, to bound the temporaries); with, for each, the anchor it is mostly
    made of and the one mixed in."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    first, second = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        a, b, c, d = (rng.integers(0, len(base), m) for _ in range(4))
        t = rng.uniform(0.0, 0.5, (m, 1)).astype(np.float32)
        s = rng.uniform(0.1, 0.4, (m, 1)).astype(np.float32)
        x = (1 - t) * base[a] + t * base[b] + s * (base[c] - base[d])
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
        first[start : start + m], second[start : start + m] = a, b
    return out, first, second


def metadata(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tenant index, may be contacted, past retention) for ids 1..n, seeded."""
    rng = np.random.default_rng(seed + 1)
    tenant = rng.choice(len(TENANTS), size=n, p=TENANT_SHARES)
    contact = rng.random(n) >= 0.03
    expired = rng.random(n) < 0.03
    return tenant, contact, expired


def roster_of(n: int, seed: int, today: dt.date) -> Roster:
    """Tenants, consent and retention for ids 1..n, seeded."""
    tenant, contact, expired = metadata(n, seed)
    roster = Roster()
    past, never = today - dt.timedelta(days=1), None
    roster.set(
        [
            (i + 1, TENANTS[tenant[i]], bool(contact[i]), past if expired[i] else never)
            for i in range(n)
        ]
    )
    return roster


def timed(fn: Any, calls: int) -> list[float]:
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def index_mb(index: Any) -> float:
    return round(faiss.serialize_index(index._index).nbytes / 2**20, 1)


def measure_index(
    index: Any, jobs: np.ndarray, filters: tuple[np.ndarray, np.ndarray], *, k: int, calls: int
) -> dict[str, Any]:
    """Latency with the main tenant's and a small tenant's eligible ids, QPS, add, delete."""
    main, small = filters
    first_free = int(index.ids().max()) + 1

    def query(i: int) -> np.ndarray:
        return jobs[i % len(jobs)]

    search = timed(lambda i: index.search(query(i), k, allowed=main), calls)
    selective = timed(lambda i: index.search(query(i), k, allowed=small), calls)
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as workers:
        list(workers.map(lambda i: index.search(query(i), k, allowed=main), range(200)))
    qps = 200 / (time.perf_counter() - started)
    extra = synthetic_pool(jobs, 20, SEED + 7)[0]
    add = timed(lambda i: index.add(np.array([first_free + i]), extra[i : i + 1]), 20)
    delete = timed(lambda i: index.remove(np.array([first_free + i])), 20)
    return {
        "kind": index.kind,
        "params": index.params,
        "index_mb": index_mb(index),
        "search_p50_ms": round(percentile(search, 50), 2),
        "search_p99_ms": round(percentile(search, 99), 2),
        "selective_search_p50_ms": round(percentile(selective, 50), 2),
        "qps": round(qps),
        "add_ms": round(statistics.median(add), 3),
        "delete_ms": round(statistics.median(delete), 3),
    }


def measure(n: int, resumes: np.ndarray, jobs: np.ndarray, *, k: int, calls: int) -> dict[str, Any]:
    today = dt.date(2026, 11, 22)
    vectors = synthetic_pool(resumes, n, SEED)[0]
    ids = np.arange(1, n + 1, dtype=np.int64)
    roster = roster_of(n, SEED, today)
    # What a write costs the next match: the eligible set made again, and its bitmap.
    lookups = timed(lambda i: roster.eligible("main", today - dt.timedelta(days=i)).bitmap, 20)
    main, small = roster.eligible("main", today), roster.eligible("other-0", today)
    result: dict[str, Any] = {"pool": n, "eligible_lookup_ms": round(statistics.median(lookups), 2)}
    built: dict[str, Any] = {}
    for role, kind in (
        ("exact", backends.FaissIndex.kind),
        ("ours", backends.choose(backends.AUTO, n)),
    ):
        started = time.perf_counter()
        built[role] = backends.build(kind, vectors.shape[1], ids, vectors)
        build_s = round(time.perf_counter() - started, 1)
        result[role] = {"build_s": build_s} | measure_index(
            built[role], jobs, (main, small), k=k, calls=calls
        )
    exact, ours = built["exact"], built["ours"]
    recalls, selective_recalls, found = [], [], []
    for job in jobs:
        truth = exact.search(job, 100, allowed=main)[1][0]
        recalls.append(len(set(truth) & set(ours.search(job, 100, allowed=main)[1][0])) / 100)
        truth_small = exact.search(job, 100, allowed=small)[1][0]
        got_small = ours.search(job, 100, allowed=small)[1][0]
        selective_recalls.append(len(set(truth_small) & set(got_small)) / 100)
        found.append(int((got_small >= 0).sum()))
    result["recall_at_100"] = round(statistics.fmean(recalls), 4)
    result["selective_recall_at_100"] = round(statistics.fmean(selective_recalls), 4)
    result["selective_results_min"] = min(found)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--pool", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--k", type=int, default=200, help="how many a match retrieves (200)")
    ap.add_argument("--calls", type=int, default=300, help="searches timed per measure")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--match-calls", type=int, default=200, help="matches timed per measure (200)")
    ap.add_argument(
        "--no-match", action="store_true", help="skip the served match at the largest pool"
    )
    args = ap.parse_args()
    if not (args.data / "resumes").is_dir():
        print(
            f"{args.data}/resumes not found: this benchmark reads ../shared/data", file=sys.stderr
        )
        raise SystemExit(2)
    faiss.omp_set_num_threads(2)
    encoder = Encoder(threads=2)
    resumes, jobs = anchors(args.data, encoder)
    rows = [measure(n, resumes, jobs, k=args.k, calls=args.calls) for n in sorted(args.pool)]
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "anchors": len(resumes),
        "queries": len(jobs),
        "k": args.k,
        "pools": rows,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    largest = rows[-1]
    report.update(
        pool=largest["pool"],
        search_p50_ms=largest["ours"]["search_p50_ms"],
        recall_at_100=largest["recall_at_100"],
        delete_ms=largest["ours"]["delete_ms"],
        qps=largest["ours"]["qps"],
    )
    served: dict[str, Any] | None = None
    if not args.no_match:
        n = largest["pool"]
        texts = resume_texts(args.data)
        parsed = parsed_resumes(texts, CACHE)
        vectors, first, second = synthetic_pool(resumes, n, SEED)
        key = hashlib.sha256(
            json.dumps([n, SEED, encoder.key, [r.text for r in parsed]]).encode()
            + resumes.tobytes()
        ).hexdigest()[:16]
        served = measure_match(
            n,
            parsed,
            vectors,
            (first, second),
            metadata(n, SEED),
            TENANTS,
            occupation_texts(args.data / "taxonomy" / "esco-1.1.1"),
            model=encoder.key,
            calls=args.match_calls,
            cache_dir=Path.home() / ".cache" / "talentmatch",
            home=CACHE / f"pool-{n}-{key}",
        )
        del vectors
        report["served"] = served
        report.update(
            {k: served[k] for k in ("match_p50_ms", "match_p99_ms", "match_cached_p50_ms")},
            rss_mb=served["rss_mb"],
        )
    print(f"## Vector search, k={args.k}, {len(jobs)} ESCO job vectors as queries\n")
    print(
        "| pool | index | build s | index MB | search p50 / p99 ms | 2% tenant p50 ms "
        "| QPS (4 threads) | add ms | delete ms | recall@100 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        for role in ("exact", "ours"):
            m = r[role]
            recall = (
                "1 (reference)"
                if role == "exact"
                else (f"{r['recall_at_100']:.3f} (2% tenant {r['selective_recall_at_100']:.3f})")
            )
            print(
                f"| {r['pool']:,} | {role}: {m['kind']} {m['params'] or ''} | {m['build_s']} "
                f"| {m['index_mb']} | {m['search_p50_ms']} / {m['search_p99_ms']} "
                f"| {m['selective_search_p50_ms']} | {m['qps']} | {m['add_ms']} "
                f"| {m['delete_ms']} | {recall} |"
            )
    print(
        "\nthe eligible set made again after a write (roster lookup and bitmap), p50 ms: "
        + ", ".join(f"{r['pool']:,}: {r['eligible_lookup_ms']}" for r in rows)
    )
    print(f"peak RSS of this run (all indexes and vectors held): {report['peak_rss_mb']} MB")
    if served is not None:
        print(
            f"\n## The whole match, served: {largest['pool']:,} candidates, over HTTP on "
            "loopback, top 10\n"
        )
        print("| measure | value |\n|---|---|")
        for label, key, unit in (
            ("bulk load into SQLite (none: loaded by an earlier run)", "load_s", "s"),
            ("service start (first: index and BM25 built from the store)", "service_start_s", "s"),
            ("first start of this pool", "first_start", ""),
            ("match p50 / p99, unseen job description", "match", "ms"),
            ("match p50 / p99, the same request again (kept shortlist)", "match_cached", "ms"),
            (
                "match p50 / p99, cached job after a write (shortlist computed)",
                "match_after_write",
                "ms",
            ),
            ("matches a second, 4 clients", "match_qps", ""),
            ("add one candidate (POST, parse and embed) p50", "api_add_ms", "ms"),
            ("added candidates in their job's top 10", "added_found_in_top_10", ""),
            ("erase one candidate (DELETE) p50 / max", "api_delete", "ms"),
            ("erased candidates absent from the next match", "erased_invisible", ""),
            ("service memory: resident / peak", "rss", "MB"),
            ("resident: its own / mapped files", "rss_parts", "MB"),
            ("home on disk (database, index, BM25)", "disk_mb", "MB"),
        ):
            if key in ("match", "match_cached", "match_after_write"):
                value = f"{served[key + '_p50_ms']} / {served[key + '_p99_ms']}"
            elif key == "api_delete":
                value = f"{served['api_delete_ms']} / {served['api_delete_max_ms']}"
            elif key == "rss":
                value = f"{served['rss_mb']} / {served['peak_rss_mb']}"
            elif key == "rss_parts":
                value = f"{served['rss_anon_mb']} / {served['rss_file_mb']}"
            else:
                value = str(served[key])
            print(f"| {label} | {value} {unit} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
