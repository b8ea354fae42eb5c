"""Skill extraction and linking against annotated data, ours against a naive gazetteer.

- dotin-train résumés (CC0): gold spans labelled "Tech Tools" and "Job Specific Skills";
- SkillSpan dev job-posting sentences (MIT): gold "skill" and "knowledge" spans, identical
  sentences counted once;
- decorte validation sentences: linking a skill phrase to its ESCO skill, where ESCO has one;
- throughput on the dotin texts, one thread.

Span scores: exact (same start and end) and relaxed (any overlap, each gold span used once).
The baseline is the naive extractor the issue describes: a spaCy PhraseMatcher over every
ESCO and O*NET label, case-insensitive, longest match wins.

Reads ../shared/data/skills-gold; says so and exits 2 when it is missing.
Run: python benchmarks/skills.py [--data DIR] [--json PATH]
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402
from spacy.matcher import PhraseMatcher  # noqa: E402
from spacy.tokens import Span  # noqa: E402
from spacy.util import filter_spans  # noqa: E402

from parsing import Parser, Taxonomy  # noqa: E402

Spans = list[tuple[int, int]]
DOTIN_LABELS = {"Tech Tools", "Job Specific Skills"}
TAG = re.compile(r'<label type="([^"]*)">|</label>|<cv>|</cv>|<\?xml[^>]*\?>')


@dataclass
class Doc:
    text: str
    gold: Spans


def load_dotin(folder: Path) -> list[Doc]:
    """Texts with tags removed (entities unescaped) and the gold skill spans in them."""
    docs = []
    for path in sorted(folder.glob("*.xml"), key=lambda p: int(p.stem)):
        raw = path.read_text(encoding="utf-8")
        out: list[str] = []
        pos = 0
        stack: list[tuple[str, int]] = []
        gold: Spans = []
        last = 0
        for m in TAG.finditer(raw):
            chunk = html.unescape(raw[last : m.start()])
            out.append(chunk)
            pos += len(chunk)
            last = m.end()
            if m.group(1) is not None:
                stack.append((m.group(1), pos))
            elif m.group(0) == "</label>" and stack:
                label, start = stack.pop()
                if label in DOTIN_LABELS:
                    gold.append(trim("".join(out), start, pos))
        out.append(html.unescape(raw[last:]))
        docs.append(Doc("".join(out), [g for g in gold if g[1] > g[0]]))
    return docs


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def bio_spans(tags: list[str]) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, tag in enumerate([*tags, "O"]):
        if tag == "O" or tag.startswith("B"):
            if start is not None:
                spans.append((start, i))
                start = None
            if tag.startswith("B"):
                start = i
        elif start is None:
            start = i
    return spans


def load_skillspan(path: Path) -> list[Doc]:
    docs, seen = [], set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            tokens = row["tokens"]
            key = " ".join(tokens)
            if key in seen:
                continue
            seen.add(key)
            offsets, pos = [], 0
            for token in tokens:
                offsets.append((pos, pos + len(token)))
                pos += len(token) + 1
            gold = [
                (offsets[s][0], offsets[e - 1][1])
                for tags in (row["tags_skill"], row["tags_knowledge"])
                for s, e in bio_spans(tags)
            ]
            docs.append(Doc(key, gold))
    return docs


def load_decorte(folder: Path) -> list[tuple[str, str]]:
    """(phrase, ESCO preferred label) where ESCO has the skill."""
    pairs = []
    for path in sorted(folder.glob("*_validation_annotations.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["label"] != "LABEL NOT PRESENT" and row["span"].strip():
                    pairs.append((row["span"].strip(), row["label"].strip()))
    return pairs


def score(docs: list[Doc], extract: Callable[[str], Spans]) -> dict[str, float]:
    tp_exact = tp_relaxed = n_pred = n_gold = 0
    for doc in docs:
        pred = sorted(set(extract(doc.text)))
        gold = sorted(set(doc.gold))
        n_pred += len(pred)
        n_gold += len(gold)
        tp_exact += len(set(pred) & set(gold))
        used = [False] * len(gold)
        for ps, pe in pred:
            for i, (gs, ge) in enumerate(gold):
                if not used[i] and ps < ge and gs < pe:
                    used[i] = True
                    tp_relaxed += 1
                    break
    out: dict[str, float] = {"pred": n_pred, "gold": n_gold}
    for name, tp in (("exact", tp_exact), ("relaxed", tp_relaxed)):
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        out[f"{name}_p"] = round(p, 3)
        out[f"{name}_r"] = round(r, 3)
        out[f"{name}_f1"] = round(2 * p * r / (p + r) if p + r else 0.0, 3)
    return out


class NaiveExtractor:
    """Every ESCO and O*NET label in one case-insensitive PhraseMatcher, longest wins."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.nlp = spacy.blank("en")
        self.nlp.max_length = 2_000_000
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.label_of: dict[str, str] = {}
        for entry in taxonomy.skills.values():
            labels = {entry.label, *entry.aliases}
            self.matcher.add(entry.id, list(self.nlp.tokenizer.pipe(sorted(labels))))
            for label in labels:
                self.label_of.setdefault(label.lower(), entry.id)

    def spans(self, text: str) -> Spans:
        doc = self.nlp.make_doc(text)
        found = [Span(doc, s, e) for _, s, e in self.matcher(doc)]
        return [(s.start_char, s.end_char) for s in filter_spans(found)]

    def link(self, phrase: str) -> str | None:
        return self.label_of.get(phrase.lower())


def throughput(extract: Callable[[str], object], texts: list[str], seconds: float = 5.0) -> float:
    for text in texts[:5]:
        extract(text)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            extract(text)
            done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    gold_dir = args.data / "skills-gold"
    if not (gold_dir / "dotin-train").is_dir():
        print(f"annotated data not found under {gold_dir}", file=sys.stderr)
        raise SystemExit(2)
    import torch

    torch.set_num_threads(1)
    taxonomy = Taxonomy.load()
    naive = NaiveExtractor(taxonomy)
    parser = Parser(taxonomy)

    def ours(text: str) -> Spans:
        return [(s.start, s.end) for s in parser.find_skills(text)]

    def ours_link(phrase: str) -> str | None:
        entry = parser.link_skill(phrase)
        return entry.id if entry else None

    sets = {
        "dotin": load_dotin(gold_dir / "dotin-train"),
        "skillspan": load_skillspan(gold_dir / "skillspan-dev" / "dev.json"),
    }
    report: dict[str, object] = {}
    for name, docs in sets.items():
        report[name] = {
            "docs": len(docs),
            "ours": score(docs, ours),
            "naive": score(docs, naive.spans),
        }
    by_label = {e.label.lower(): e.id for e in taxonomy.skills.values() if e.source == "esco"}
    # Only phrases whose gold ESCO label is an ESCO skill in our taxonomy can be scored.
    pairs = [
        (p, by_label[g.lower()])
        for p, g in load_decorte(gold_dir / "decorte-validation")
        if g.lower() in by_label
    ]

    def accuracy(link: Callable[[str], str | None]) -> float:
        return round(sum(link(phrase) == gold for phrase, gold in pairs) / len(pairs), 3)

    report["linking"] = {
        "pairs": len(pairs),
        "ours": accuracy(ours_link),
        "naive": accuracy(naive.link),
    }
    texts = [d.text for d in sets["dotin"]]
    report["throughput_resumes_per_s"] = {
        "ours": round(throughput(ours, texts), 1),
        "naive": round(throughput(naive.spans, texts), 1),
    }

    print("## Skill extraction (ours vs naive gazetteer, same run)\n")
    print("| data | measure | ours | naive |")
    print("|---|---|---|---|")
    for name in sets:
        r = report[name]
        assert isinstance(r, dict)
        for m in ("exact", "relaxed"):
            for k in ("p", "r", "f1"):
                key = f"{m}_{k}"
                print(
                    f"| {name} ({r['docs']}) | {m} {k.upper()} | {r['ours'][key]} | "
                    f"{r['naive'][key]} |"
                )
    link = report["linking"]
    assert isinstance(link, dict)
    print(
        f"| decorte ({link['pairs']} phrases) | linking accuracy | {link['ours']} | "
        f"{link['naive']} |"
    )
    tp = report["throughput_resumes_per_s"]
    assert isinstance(tp, dict)
    print(f"| dotin | résumés/s, 1 thread | {tp['ours']} | {tp['naive']} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
