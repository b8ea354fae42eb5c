"""Train the skill tagger shipped in ``parsing/data/skill_tagger.crfsuite``.

Training data, all of it licensed for redistribution of a model trained on it:
- the dotin-inc résumés (CC0 1.0), training part only: one résumé in five, chosen by a hash
  of its opening (``benchmarks/gold.py``), is held out for the benchmark;
- the SkillSpan training split (MIT): "skill" and "knowledge" spans as one label.
The résumés are read as kind "resume", the job-posting sentences as kind "job".

A skill phrase's tokens are labelled B and I. A résumé's token outside one is labelled by
what else dotin's annotators marked it part of (``OTHER_LABELS``: the name of an employer,
a degree or school, a place or the résumé's owner; a job title; a soft skill), else O.
SkillSpan marks nothing else, so its other tokens are O.

Deterministic: the same data, taxonomy and parameters give the same model. The model card
(``skill_tagger.json``) records a SHA-256 of the training sequences (features and labels):
``--check`` recomputes it without training (about a minute) and fails when the taxonomy, the
features or the data changed since the shipped model was trained.
Run: ``python scripts/train_skill_tagger.py [--data DIR] [--out FILE] [--check]`` (training:
about 2.5 minutes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from benchmarks.gold import Doc, dotin_split, load_dotin, load_skillspan  # noqa: E402
from parsing import Kind, Parser  # noqa: E402
from parsing._extract import repair_text  # noqa: E402
from parsing._scoring import LABELS  # noqa: E402
from parsing._sections import find_sections  # noqa: E402
from parsing._tagger import MODEL_FILE, NAME, SOFT_SKILL, TITLE  # noqa: E402

# L2 weight chosen out of fold (the training part's quarters, each read by a tagger trained on
# the other three; docs/skills-notes.md): relaxed F1 0.551 at 0.01, 0.559 from 0.6 to 1.0,
# 0.553 at 3.0; the L1 weight made little difference from 0.01 to 0.2, and none at all gave
# 0.539.
PARAMS = {"c1": 0.05, "c2": 1.0, "max_iterations": 150, "feature.possible_transitions": True}
# dotin's annotations besides skills, as the tagger's labels (README "Skills", Extraction).
# The names of employers, schools, degrees, places and people are one label: two more labels
# made résumés about a tenth slower to read for no clear gain. Without owners' names, a tagger
# trained on résumés read by their lines took a name atop a résumé ("Shaniqua Battle") for a
# skill list's item (tests/parsing/test_parser.py).
OTHER_LABELS = {
    "Companies worked at": NAME,
    "Degree": NAME,
    "College Name": NAME,
    "Location": NAME,
    "Name": NAME,
    "Designation": TITLE,
    "Soft Skills": SOFT_SKILL,
}


def labels(
    doc_tokens: list[tuple[int, int]],
    gold: list[tuple[int, int]],
    others: Sequence[tuple[int, int, str]] = (),
) -> list[str]:
    """A label for each token (char start, end): B/I from the gold skill spans, else the label
    of another annotated span it is part of (``OTHER_LABELS``), else O."""
    out = ["O"] * len(doc_tokens)
    for start, end, label in others:
        if label in OTHER_LABELS:
            for k in overlapping(doc_tokens, start, end):
                out[k] = OTHER_LABELS[label]
    for start, end in gold:
        for n, k in enumerate(overlapping(doc_tokens, start, end)):
            out[k] = "B" if n == 0 else "I"
    return out


def overlapping(doc_tokens: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """The indices of the tokens (char start, end) that overlap the characters start:end."""
    return [k for k, (s, e) in enumerate(doc_tokens) if s < end and start < e]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "parsing" / "data" / MODEL_FILE)
    ap.add_argument(
        "--check",
        action="store_true",
        help="only compare the training sequences with those of the model card beside --out",
    )
    args = ap.parse_args()
    gold = args.data / "skills-gold"
    if not (gold / "dotin-train").is_dir():
        ap.error(f"no annotated data under {gold}")
    dotin_train, _ = dotin_split(load_dotin(gold / "dotin-train"))
    skillspan = load_skillspan(gold / "skillspan-dev" / "train.json")
    parser = Parser(use_tagger=False)
    features = parser.tagger_features()

    trainer = pycrfsuite.Trainer(verbose=False)
    started = time.perf_counter()
    sequences = 0
    digest = hashlib.sha256()
    docs: list[tuple[Doc, Kind]] = [(d, "resume") for d in dotin_train]
    docs += [(d, "job") for d in skillspan]
    for doc, kind in docs:
        # Read as the parser reads it (the characters stay where they were: the gold spans
        # hold).
        text = repair_text(doc.text)
        spacy_doc = parser.nlp.make_doc(text)
        matches = parser.skill_matches(spacy_doc, as_written=True)
        sections = find_sections(text)
        for tokens, feats in features.sequences(spacy_doc, matches, sections, kind):
            chars = [(spacy_doc[i].idx, spacy_doc[i].idx + len(spacy_doc[i])) for i in tokens]
            tags = labels(chars, doc.gold, doc.others)
            digest.update(json.dumps([feats, tags], sort_keys=True).encode())
            if not args.check:
                trainer.append(pycrfsuite.ItemSequence(feats), tags)
            sequences += 1
    card_path = args.out.with_suffix(".json")
    if args.check:
        shipped = json.loads(card_path.read_text()).get("training_sha256")
        if shipped != digest.hexdigest():
            sys.exit(
                f"{card_path}: trained on other sequences ({shipped}, now {digest.hexdigest()});"
                " retrain: python scripts/train_skill_tagger.py"
            )
        print(f"{card_path}: the {sequences} training sequences are those it was trained on")
        return
    trainer.set_params(PARAMS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(args.out))
    card = {
        "model": args.out.name,
        "trained_on": {
            "dotin_resumes": len(dotin_train),
            "skillspan_sentences": len(skillspan),
            "sequences": sequences,
        },
        "training_sha256": digest.hexdigest(),
        "labels": [*LABELS, *sorted(set(OTHER_LABELS.values()))],
        "taxonomy": parser.taxonomy.version,
        "params": PARAMS,
        "licences": {"dotin": "CC0 1.0", "skillspan": "MIT"},
    }
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(
        f"{args.out}: {sequences} sequences from {len(docs)} documents, "
        f"{args.out.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
