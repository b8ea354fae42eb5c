"""Ranking quality: ours against BM25 alone and dense retrieval alone, on one pool.

The pool is the 300 LiveCareer résumé PDFs (24 categories), ingested with a recorded hiring
history. Two checks, in one run:

(a) category check: each query is the ESCO description of an occupation of one category,
    with its essential skills (three occupations per category, chosen by name before any
    result was seen); relevant = the résumés filed under that category. P@10, nDCG@10 and MAP
    over each system's full ranking of the pool.
(b) rediscovery: for each category a past role (the first occupation) had applicants from
    that category and a few from others: one hired, two runners-up, the rest rejected at
    various stages, dated 2024–2025. The new roles are the category's two other occupations.
    Runner-up recall@10 = the share of the past role's (eligible) runners-up in the new role's
    top 10. About one candidate in ten may not be contacted or is past retention; none may
    ever be returned.

History, consent and retention are drawn with a fixed seed, so every run sees the same pool.
The category labels are a noisy proxy (../shared/data/README.md): compare systems, not
absolute values.

Baselines, on the same texts and eligibility:
- BM25 alone: bm25s (Lucene BM25, English stop words, Snowball stemmer) over résumé texts;
- dense alone: FAISS cosine between the job's and each résumé's MiniLM vector (the pool's
  own vectors, which read up to four 256-word-piece windows of a résumé);
- dense, first 256: the same model on what it reads by itself, a résumé's first 256 word
  pieces (a plain bi-encoder).

Reads ../shared/data; says so and exits 2 when it is missing. PDF text is cached under
~/.cache/talentmatch/bench-text (pdfminer reads these at about 4 pages/s).

Run: python benchmarks/ranking.py [--data DIR] [--json PATH]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402
import numpy as np  # noqa: E402
import Stemmer  # noqa: E402

from benchmarks.gold import esco_job_texts  # noqa: E402
from index import Store, TalentPool  # noqa: E402
from matcher import Encoder, Matcher, profile_text, tuning  # noqa: E402
from matcher.encoder import DEFAULT_PRECISION, DEFAULT_WINDOWS, PRECISIONS  # noqa: E402
from matcher.scoring import FEATURES, WEIGHTS  # noqa: E402
from models import Application, Consent, Match, NewCandidate, Outcome, Stage  # noqa: E402
from parsing import Parser, extract_text  # noqa: E402

TENANT = "bench"
THREADS = 2
SEED = 20261122
TODAY = dt.date(2026, 11, 1)
# Three ESCO occupations per LiveCareer category; the first is also the past role of the
# rediscovery scenario, the other two the new similar roles.
OCCUPATIONS = {
    "ACCOUNTANT": ("accountant", "financial auditor", "bookkeeper"),
    "ADVOCATE": ("lawyer", "legal consultant", "corporate lawyer"),
    "AGRICULTURE": ("agronomist", "agricultural technician", "farm manager"),
    "APPAREL": ("fashion designer", "textile designer", "clothing operations manager"),
    "ARTS": ("art director", "illustrator", "digital artist"),
    "AUTOMOBILE": (
        "vehicle technician",
        "automotive engineer",
        "automotive engineering technician",
    ),
    "AVIATION": ("aircraft pilot", "aircraft maintenance technician", "air traffic controller"),
    "BANKING": ("bank account manager", "bank teller", "loan officer"),
    "BPO": ("call centre agent", "contact centre supervisor", "customer service representative"),
    "BUSINESS-DEVELOPMENT": ("business developer", "sales account manager", "business consultant"),
    "CHEF": ("chef", "cook", "kitchen porter"),
    "CONSTRUCTION": ("construction manager", "civil engineer", "construction general contractor"),
    "CONSULTANT": ("ICT consultant", "business consultant", "business analyst"),
    "DESIGNER": ("graphic designer", "user interface designer", "interior designer"),
    "DIGITAL-MEDIA": ("digital media designer", "web content manager", "3D animator"),
    "ENGINEERING": (
        "mechanical engineer",
        "electrical engineer",
        "mechanical engineering technician",
    ),
    "FINANCE": ("financial analyst", "financial manager", "investment analyst"),
    "FITNESS": ("fitness instructor", "personal trainer", "sports coach"),
    "HEALTHCARE": ("healthcare assistant", "nurse assistant", "front line medical receptionist"),
    "HR": ("human resources manager", "human resources officer", "recruitment consultant"),
    "INFORMATION-TECHNOLOGY": (
        "ICT help desk agent",
        "ICT system administrator",
        "software developer",
    ),
    "PUBLIC-RELATIONS": ("public relations officer", "communication manager", "marketing manager"),
    "SALES": ("sales manager", "sales assistant", "shop manager"),
    "TEACHER": (
        "primary school teacher",
        "secondary school teacher",
        "secondary school teaching assistant",
    ),
}
Ranking = list[str]  # external ids, best first
RECALL_GOAL = 0.9


def occupation_texts(esco: Path) -> dict[str, str]:
    """ESCO occupation label → job text, for every occupation of OCCUPATIONS."""
    return esco_job_texts(esco, {label for labels in OCCUPATIONS.values() for label in labels})


def _extract(path: Path) -> tuple[str, str, str] | None:
    try:
        text, fmt = extract_text(path.read_bytes(), path.name)
    except Exception:  # noqa: BLE001 - a file the parser refuses is left out of the pool
        return None
    return path.stem, text, fmt


def pdf_texts(files: list[Path], cache: Path) -> dict[str, tuple[str, str]]:
    """external id → (text, format), extracted once per file content and cached."""
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[str, str]] = {}
    todo = []
    for path in files:
        key = cache / (hashlib.sha256(path.read_bytes()).hexdigest() + ".json")
        if key.exists():
            item = json.loads(key.read_text())
            out[path.stem] = (item["text"], item["format"])
        else:
            todo.append((path, key))
    if todo:
        with ProcessPoolExecutor(THREADS) as workers:
            for (_, key), got in zip(
                todo, workers.map(_extract, [p for p, _ in todo]), strict=True
            ):
                if got is not None:
                    stem, text, fmt = got
                    key.write_text(json.dumps({"text": text, "format": fmt}))
                    out[stem] = (text, fmt)
    return out


def history(
    category: dict[str, str], jobs: dict[str, str], rng: random.Random
) -> tuple[dict[str, list[Application]], dict[str, Consent], dict[str, list[str]]]:
    """Applications per candidate, consent per candidate, and each category's runners-up."""
    apps: dict[str, list[Application]] = {}
    runners_up: dict[str, list[str]] = {}
    by_cat: dict[str, list[str]] = {}
    for ext, cat in sorted(category.items()):
        by_cat.setdefault(cat, []).append(ext)
    for cat, (past, _, _) in OCCUPATIONS.items():
        mine = rng.sample(by_cat[cat], min(6, len(by_cat[cat])))
        others = rng.sample([e for e in category if category[e] != cat], 2)
        date = TODAY - dt.timedelta(days=rng.randint(60, 700))
        job_id = f"past-{cat.lower()}"
        steps = [(Stage.offer, Outcome.hired)] + [(Stage.final_round, Outcome.runner_up)] * 2
        steps += [(Stage.interviewed, Outcome.rejected), (Stage.screened, Outcome.rejected)]
        steps += [(Stage.applied, Outcome.rejected)] * max(0, len(mine) - len(steps))
        steps = steps[: len(mine)]
        for ext, (stage, outcome) in zip(mine, steps, strict=True):
            apps.setdefault(ext, []).append(
                Application(
                    job_id=job_id,
                    job_title=past[0].upper() + past[1:],
                    job_text=jobs[past],
                    stage=stage,
                    outcome=outcome,
                    score=round(rng.uniform(3.0, 4.8), 1) if stage != Stage.applied else None,
                    date=date,
                )
            )
        runners_up[cat] = [
            e for e, (_, o) in zip(mine, steps, strict=True) if o == Outcome.runner_up
        ]
        for ext in others:
            apps.setdefault(ext, []).append(
                Application(
                    job_id=job_id,
                    job_title=past[0].upper() + past[1:],
                    job_text=jobs[past],
                    stage=Stage.applied,
                    outcome=Outcome.rejected,
                    date=date,
                )
            )
    consent: dict[str, Consent] = {}
    for ext in sorted(category):
        draw = rng.random()
        if draw < 0.05:
            consent[ext] = Consent(may_contact=False)
        elif draw < 0.10:
            consent[ext] = Consent(retention_until=TODAY - dt.timedelta(days=rng.randint(1, 300)))
        else:
            consent[ext] = Consent(retention_until=TODAY + dt.timedelta(days=365))
    return apps, consent, runners_up


class Bm25:
    """The BM25-alone baseline: Lucene BM25 over résumé texts, stemmed, stop words out."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.stemmer = Stemmer.Stemmer("english")
        self.ids = list(texts)
        self.model = bm25s.BM25()
        self.model.index(
            bm25s.tokenize(list(texts.values()), stemmer=self.stemmer, show_progress=False),
            show_progress=False,
        )

    def rank(self, text: str) -> Ranking:
        tokens = bm25s.tokenize(
            [text], stemmer=self.stemmer, return_ids=False, show_progress=False
        )[0]
        scores = self.model.get_scores(tokens)
        order = np.argsort(-scores, kind="stable")
        return [self.ids[i] for i in order]


def ndcg_at(ranking: Ranking, relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, e in enumerate(ranking[:k]) if e in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def average_precision(ranking: Ranking, relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for i, e in enumerate(ranking):
        if e in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / len(relevant) if relevant else 0.0


def category_check(
    systems: dict[str, Callable[[str], Ranking]], jobs: dict[str, str], category: dict[str, str]
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, rank in systems.items():
        p10, ndcg, ap = [], [], []
        for cat, labels in OCCUPATIONS.items():
            relevant = {e for e, c in category.items() if c == cat}
            for label in labels:
                ranking = rank(jobs[label])
                p10.append(sum(e in relevant for e in ranking[:10]) / 10)
                ndcg.append(ndcg_at(ranking, relevant))
                ap.append(average_precision(ranking, relevant))
        out[name] = {
            "p@10": round(statistics.fmean(p10), 3),
            "ndcg@10": round(statistics.fmean(ndcg), 3),
            "map": round(statistics.fmean(ap), 3),
        }
    return out


def rediscovery_check(
    systems: dict[str, Callable[[str], Ranking]],
    jobs: dict[str, str],
    runners_up: dict[str, list[str]],
    eligible: set[str],
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, rank in systems.items():
        found = wanted = ineligible = 0
        for cat, (_, *new_roles) in OCCUPATIONS.items():
            mine = [e for e in runners_up[cat] if e in eligible]
            for label in new_roles:
                ranking = rank(jobs[label])
                found += sum(e in ranking[:10] for e in mine)
                wanted += len(mine)
                ineligible += sum(e not in eligible for e in ranking)
        out[name] = {
            "runner_up_recall@10": round(found / wanted, 3) if wanted else 0.0,
            "runners_up": wanted,
            "ineligible_returned": ineligible,
        }
    return out


def _feature_table(matches: list[Match]) -> tuple[list[str], np.ndarray]:
    """(external ids, feature table), in the order of candidate ids: ties are broken by id,
    never by the ranking being tuned."""
    matches = sorted(matches, key=lambda m: m.candidate_id)
    return [m.external_id for m in matches], tuning.table([m.breakdown.features for m in matches])


def _rank(ids: list[str], rows: np.ndarray, weights: np.ndarray) -> Ranking:
    return [ids[i] for i in np.argsort(-tuning.scores(rows, weights), kind="stable")]


def tune(
    ours_matches: Callable[[str], list[Match]],
    jobs: dict[str, str],
    category: dict[str, str],
    runners_up: dict[str, list[str]],
) -> dict[str, Any]:
    """Coordinate ascent over the weights (matcher.tuning), maximising mean nDCG@10 of the
    category check, less twice the shortfall of mean runner-up recall@10 from 0.9 (the
    goal); two folds of categories (tune on one, score the other), then all categories."""
    tables = {label: _feature_table(ours_matches(jobs[label])) for label in jobs}
    free = tuning.tunable([t for _, t in tables.values()])

    def measure(weights: np.ndarray, cats: list[str]) -> tuple[float, float]:
        ndcg, recall = [], []
        for cat in cats:
            relevant = {e for e, c in category.items() if c == cat}
            for k, label in enumerate(OCCUPATIONS[cat]):
                ranking = _rank(*tables[label], weights)
                ndcg.append(ndcg_at(ranking, relevant))
                if k and runners_up[cat]:
                    top = set(ranking[:10])
                    recall.append(sum(e in top for e in runners_up[cat]) / len(runners_up[cat]))
        return statistics.fmean(ndcg), statistics.fmean(recall) if recall else 1.0

    def objective(cats: list[str]) -> Callable[[np.ndarray], float]:
        def value(weights: np.ndarray) -> float:
            ndcg, recall = measure(weights, cats)
            return ndcg - 2 * max(0.0, RECALL_GOAL - recall)

        return value

    current = tuning.vector(WEIGHTS)
    cats = sorted(OCCUPATIONS)
    folds = []
    for k in range(2):
        tuned_on, held_out = cats[k::2], cats[1 - k :: 2]
        weights = tuning.coordinate_ascent(objective(tuned_on), current, free)
        ndcg, recall = measure(weights, held_out)
        ndcg0, recall0 = measure(current, held_out)
        folds.append(
            {
                "tuned_on": tuned_on,
                "weights": tuning.named(weights),
                "held_out": {"ndcg@10": round(ndcg, 3), "runner_up_recall@10": round(recall, 3)},
                "held_out_current_weights": {
                    "ndcg@10": round(ndcg0, 3),
                    "runner_up_recall@10": round(recall0, 3),
                },
            }
        )
    weights = tuning.coordinate_ascent(objective(cats), current, free)
    ndcg, recall = measure(weights, cats)
    return {
        "tuned": [FEATURES[j] for j in free],
        "folds": folds,
        "weights": tuning.named(weights),
        "all": {"ndcg@10": round(ndcg, 3), "runner_up_recall@10": round(recall, 3)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument(
        "--tune",
        action="store_true",
        help="also tune the scoring weights (two folds of categories, then all)",
    )
    ap.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=DEFAULT_PRECISION,
        help="the encoder's precision (int8: quantised, in ONNX Runtime)",
    )
    ap.add_argument(
        "--windows",
        type=int,
        default=DEFAULT_WINDOWS,
        help="how many 256-word-piece windows of a résumé are embedded",
    )
    args = ap.parse_args()
    folder = args.data / "resumes" / "livecareer-dev"
    esco = args.data / "taxonomy" / "esco-1.1.1"
    if not folder.is_dir() or not esco.is_dir():
        print(
            f"benchmark data not found under {args.data} (needs resumes/livecareer-dev and "
            "taxonomy/esco-1.1.1)",
            file=sys.stderr,
        )
        raise SystemExit(2)

    import torch

    torch.set_num_threads(THREADS)
    with open(folder / "manifest.csv", newline="") as fh:
        category = {row["id"]: row["category"] for row in csv.DictReader(fh)}
    texts = pdf_texts(
        sorted(folder.rglob("*.pdf")), Path.home() / ".cache" / "talentmatch" / "bench-text"
    )
    category = {e: c for e, c in category.items() if e in texts}
    jobs = occupation_texts(esco)
    apps, consent, runners_up = history(category, jobs, random.Random(SEED))
    eligible = {
        e
        for e, c in consent.items()
        if c.may_contact and (c.retention_until is None or c.retention_until >= TODAY)
    }

    parser = Parser()
    encoder = Encoder(threads=THREADS, precision=args.precision, windows=args.windows)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'pool.db'}")
        pool = TalentPool(store, Path(tmp) / "index", model=encoder.key, dim=encoder.dim)
        matcher = Matcher(parser, encoder, pool)
        records = [
            NewCandidate(
                tenant=TENANT,
                external_id=ext,
                resume=parser.parse_resume_text(text, fmt=fmt),
                applications=apps.get(ext, []),
                consent=consent[ext],
            )
            for ext, (text, fmt) in sorted(texts.items())
            if ext in category
        ]
        for start in range(0, len(records), 64):
            matcher.upsert(records[start : start + 64])
        ext_of = {c.id: c.external_id for c in store.iter_candidates(TENANT)}
        bm25 = Bm25({e: texts[e][0] for e in sorted(eligible)})
        everyone = len(records)
        heads = [r for r in records if r.external_id in eligible]
        head_vectors = encoder.encode([profile_text(r.resume) for r in heads])

        cache: dict[tuple[str, bool], list[Match]] = {}

        def ours_matches(text: str, rediscover: bool = False) -> list[Match]:
            key = (text, rediscover)
            if key not in cache:
                shortlist = matcher.match(
                    text, k=everyone, tenant=TENANT, today=TODAY, rediscover=rediscover
                )
                cache[key] = shortlist.results
            return cache[key]

        def dense(text: str) -> Ranking:
            _, vector = matcher.prepare_job(text)
            return [ext_of[i] for i, _ in pool.search(vector, everyone, TENANT, TODAY)]

        def dense_first_window(text: str) -> Ranking:
            _, vector = matcher.prepare_job(text)
            order = np.argsort(-(head_vectors @ vector), kind="stable")
            return [heads[i].external_id for i in order]

        no_history = tuning.vector({**WEIGHTS, "history": 0.0})
        systems: dict[str, Callable[[str], Ranking]] = {
            "ours": lambda text: [m.external_id for m in ours_matches(text)],
            "ours without history": lambda text: _rank(
                *_feature_table(ours_matches(text)), no_history
            ),
            "bm25 alone": bm25.rank,
            "dense alone": dense,
            "dense, first 256": dense_first_window,
        }
        report: dict[str, Any] = {
            "encoder": {"key": encoder.key, "precision": encoder.precision},
            "pool": {
                "resumes": everyone,
                "eligible": len(eligible),
                "queries": 3 * len(OCCUPATIONS),
            },
            "weights": dict(WEIGHTS),
            "category": category_check(systems, jobs, category),
            "rediscovery": rediscovery_check(
                {
                    **systems,
                    "ours, rediscover mode": lambda text: [
                        m.external_id for m in ours_matches(text, rediscover=True)
                    ],
                },
                jobs,
                runners_up,
                eligible,
            ),
        }
        if args.tune:
            reachable = {c: [e for e in r if e in eligible] for c, r in runners_up.items()}
            report["tuning"] = tune(ours_matches, jobs, category, reachable)
        store.close()

    names = list(systems)
    cat = report["category"]
    red = report["rediscovery"]
    print(f"## Ranking on {everyone} LiveCareer résumés ({len(eligible)} eligible)\n")
    print("| check | measure | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for m in ("p@10", "ndcg@10", "map"):
        cells = " | ".join(str(cat[n][m]) for n in names)
        print(f"| category ({report['pool']['queries']} ESCO jobs) | {m} | {cells} |")
    for m in ("runner_up_recall@10", "ineligible_returned"):
        cells = " | ".join(str(red[n][m]) for n in names)
        cells += f" (rediscover mode: {red['ours, rediscover mode'][m]})"
        print(f"| rediscovery ({2 * len(OCCUPATIONS)} new roles) | {m} | {cells} |")
    best = max(cat[n]["ndcg@10"] for n in ("bm25 alone", "dense alone", "dense, first 256"))
    print(f"\nours / better baseline, nDCG@10: {cat['ours']['ndcg@10'] / best:.2f}×")
    print(
        "ours without history: the same candidates and features, re-ranked with the history "
        "weight set to 0 (what the pool's hiring history adds)"
    )
    if "tuning" in report:
        t = report["tuning"]
        print(
            "\n## Weight tuning: coordinate ascent on nDCG@10, keeping runner-up recall@10 at 0.9\n"
        )
        print("| fold | held-out nDCG@10 / recall@10, tuned | with the current weights |")
        print("|---|---|---|")
        for k, f in enumerate(t["folds"]):
            h, c = f["held_out"], f["held_out_current_weights"]
            print(
                f"| {k} | {h['ndcg@10']} / {h['runner_up_recall@10']} | "
                f"{c['ndcg@10']} / {c['runner_up_recall@10']} |"
            )
        for k, f in enumerate(t["folds"]):
            print(f"\nfold {k} weights: {json.dumps(f['weights'])}")
        print(f"\nall categories ({json.dumps(t['all'])}): {json.dumps(t['weights'])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
