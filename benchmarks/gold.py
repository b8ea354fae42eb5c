"""Annotated skill data from ../shared/data/skills-gold, for the benchmark and for training.

- dotin-train résumés (CC0): spans labelled "Tech Tools" and "Job Specific Skills";
- SkillSpan job-posting sentences (MIT): "skill" and "knowledge" spans;
- decorte validation (evaluation only): skill phrases linked to ESCO labels, and the
  sentences they are in.

The dotin résumés are split by a hash of their opening text into a training part (4 in 5) and
a held-out part (1 in 5) that the shipped skill tagger never sees; re-annotations of one
résumé share their opening, so they fall on the same side.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Spans = list[tuple[int, int]]
DOTIN_LABELS = {"Tech Tools", "Job Specific Skills"}
TAG = re.compile(r'<label type="([^"]*)">|</label>|<cv>|</cv>|<\?xml[^>]*\?>')


@dataclass
class Doc:
    text: str
    gold: Spans
    # dotin's other annotations: (start, end, label) of employers, degrees, places…
    others: list[tuple[int, int, str]] = field(default_factory=list)


def load_dotin(folder: Path) -> list[Doc]:
    """Texts with tags removed (entities unescaped), the gold skill spans in them, and their
    other annotated spans."""
    docs = []
    for path in sorted(folder.glob("*.xml"), key=lambda p: int(p.stem)):
        raw = path.read_text(encoding="utf-8")
        out: list[str] = []
        pos = 0
        stack: list[tuple[str, int]] = []
        gold: Spans = []
        others: list[tuple[int, int, str]] = []
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
                span = trim("".join(out), start, pos)
                if span[1] > span[0]:
                    if label in DOTIN_LABELS:
                        gold.append(span)
                    else:
                        others.append((*span, label))
        out.append(html.unescape(raw[last:]))
        docs.append(Doc("".join(out), gold, others))
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


def word_offsets(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each word in the words joined by single spaces."""
    offsets, pos = [], 0
    for word in words:
        offsets.append((pos, pos + len(word)))
        pos += len(word) + 1
    return offsets


def skillspan_doc(row: dict[str, Any]) -> Doc:
    """A SkillSpan sentence (a row of its JSON lines) as text, its words joined by spaces, and
    its gold: the "skill" and the "knowledge" spans, each kept (the two may overlap)."""
    tokens = row["tokens"]
    offsets = word_offsets(tokens)
    gold = [
        (offsets[s][0], offsets[e - 1][1])
        for tags in (row["tags_skill"], row["tags_knowledge"])
        for s, e in bio_spans(tags)
    ]
    return Doc(" ".join(tokens), gold)


def load_skillspan(path: Path) -> list[Doc]:
    """The distinct sentences of a SkillSpan split (it repeats boilerplate sentences)."""
    docs, seen = [], set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            doc = skillspan_doc(json.loads(line))
            if doc.text not in seen:
                seen.add(doc.text)
                docs.append(doc)
    return docs


def load_decorte(
    folder: Path, *, whole_spans: bool = False, part: str = "*"
) -> list[tuple[str, str]]:
    """(phrase, ESCO preferred label) where ESCO has the skill, from every part of the set or
    from one (``part``: "tech" or "house").

    The phrase is the annotated sub-span where the annotators gave one: they split
    "innovation and engineering practices" into "innovation practices" (innovation processes)
    and "engineering practices" (engineering principles), which no single link of the whole
    span could both get right. ``whole_spans`` takes the whole span always (as this
    benchmark did before)."""
    pairs = []
    for path in sorted(folder.glob(f"{part}_validation_annotations.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                span, sub = row["span"].strip(), (row.get("sub_span") or "").strip()
                phrase = span if whole_spans or not sub else sub
                if row["label"] != "LABEL NOT PRESENT" and phrase:
                    pairs.append((phrase, row["label"].strip()))
    return pairs


def load_esco_hidden(esco: Path) -> list[tuple[str, str]]:
    """(hidden label, ESCO preferred label) for ESCO's hidden labels written in ordinary
    lower-case words ("tenacity": show determination, "frustration tolerance": manage
    frustration), a second linking set beside decorte's: the taxonomy leaves hidden labels
    out (as alternatives they linked decorte worse; the benchmark skips the few a curated
    variant names, "self starter"), so they test linking by meaning. Names
    of products ESCO lists as hidden labels of a kind ("Tesseract") are left out: they test
    knowledge of products, not of meaning."""
    pairs = []
    with open(esco / "skills_en.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for hidden in row["hiddenLabels"].splitlines():
                hidden = hidden.strip()
                if hidden and hidden == hidden.lower():
                    pairs.append((hidden, row["preferredLabel"].strip()))
    return pairs


def load_decorte_sentences(folder: Path, part: str = "*") -> list[Doc]:
    """The decorte sentences as documents whose gold is every annotated span, linked to ESCO
    or not ("LABEL NOT PRESENT", "UNDERSPECIFIED": a skill ESCO lacks is still a skill), for
    extraction. Identical sentences are counted once; only sentences with a span are in the
    set.

    The set gives a span's text, not its place (and repeats a span once for each label it
    links to), so each occurrence of the text in its sentence, as whole words, is gold: as
    written, else in any case. Raises ValueError for a span its sentence does not hold."""
    gold: dict[str, set[tuple[int, int]]] = {}
    for path in sorted(folder.glob(f"{part}_validation_annotations.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [(row["sentence"], row["span"].strip()) for row in csv.DictReader(fh)]
        for sentence, span in rows:
            spans = gold.setdefault(sentence, set())
            if not span:
                continue
            # Whole words only: "Java" is not gold inside "JavaScript".
            pattern = rf"(?<!\w){re.escape(span)}(?!\w)"
            found = [m.start() for m in re.finditer(pattern, sentence)] or [
                m.start() for m in re.finditer(pattern, sentence, re.IGNORECASE)
            ]
            if not found:
                raise ValueError(f"{path.name}: {span!r} is not in {sentence!r}")
            spans.update((start, start + len(span)) for start in found)
    return [Doc(sentence, sorted(spans)) for sentence, spans in gold.items()]


def dotin_split(docs: list[Doc]) -> tuple[list[Doc], list[Doc]]:
    """(training part, held-out part) of the dotin résumés."""
    train, held_out = [], []
    for doc in docs:
        key = " ".join(doc.text.split())[:300]
        bucket = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 5
        (held_out if bucket == 0 else train).append(doc)
    return train, held_out


def esco_job_texts(esco: Path, labels: set[str]) -> dict[str, str]:
    """ESCO occupation label → a job text: the label as title, the occupation's description
    and its essential skills (at most 15) as requirements. Raises SystemExit for a label
    ESCO does not have."""
    found: dict[str, tuple[str, str]] = {}
    with open(esco / "occupations_en.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["preferredLabel"] in labels:
                found[row["conceptUri"]] = (row["preferredLabel"], row["description"])
    missing = labels - {label for label, _ in found.values()}
    if missing:
        raise SystemExit(f"ESCO occupations not found: {sorted(missing)}")
    skills: dict[str, str] = {}
    with open(esco / "skills_en.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            skills[row["conceptUri"]] = row["preferredLabel"]
    essential: dict[str, list[str]] = {uri: [] for uri in found}
    with open(esco / "occupationSkillRelations.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["occupationUri"] in essential and row["relationType"] == "essential":
                essential[row["occupationUri"]].append(skills.get(row["skillUri"], ""))
    out = {}
    for uri, (label, description) in found.items():
        must = "\n".join(f"- {s}" for s in essential[uri][:15] if s)
        out[label] = f"{label[0].upper() + label[1:]}\n\n{description}\n\nRequirements\n{must}\n"
    return out
