"""The annotated data the skills benchmark reads (benchmarks/gold.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks.gold import load_decorte_sentences, load_esco_hidden

FIELDS = ["sentence", "span", "sub_span", "label"]
# Real rows of decorte's house validation set.
SENTENCE = (
    "Strong knowledge of HTML and CSS ( LESS SCSS PostCSS ) Solid understanding of Angular "
    "React or similar JS frameworks"
)


def write(folder: Path, part: str, rows: list[tuple[str, str, str]]) -> None:
    with open(folder / f"{part}_validation_annotations.csv", "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(FIELDS)
        for sentence, span, label in rows:
            out.writerow([sentence, span, "", label])


def spans_of(doc_text: str, gold: list[tuple[int, int]]) -> list[str]:
    return [doc_text[s:e] for s, e in gold]


def test_every_annotated_span_is_gold_where_it_stands(tmp_path: Path) -> None:
    write(
        tmp_path,
        "house",
        [
            (SENTENCE, "CSS", "CSS"),
            (SENTENCE, "SCSS", "LABEL NOT PRESENT"),  # a skill ESCO lacks is still a skill
            (SENTENCE, "JS", "JavaScript"),
            (SENTENCE, "JS", "JavaScript"),  # one span, repeated in the set
            ("SQL experience is a plus but not required", "sql", "SQL"),  # another case
        ],
    )
    docs = load_decorte_sentences(tmp_path)
    assert [d.text for d in docs] == [SENTENCE, "SQL experience is a plus but not required"]
    # "CSS" is a word of its own; the "CSS" inside "SCSS" and "PostCSS" is not gold.
    assert spans_of(docs[0].text, docs[0].gold) == ["CSS", "SCSS", "JS"]
    assert docs[0].gold[0] == (SENTENCE.index("CSS"), SENTENCE.index("CSS") + 3)
    assert docs[1].gold == [(0, 3)]


def test_a_span_in_two_places_is_gold_in_both(tmp_path: Path) -> None:
    sentence = "Java developers wanted: Java 8 or later"
    write(tmp_path, "tech", [(sentence, "Java", "Java (computer programming)")])
    (doc,) = load_decorte_sentences(tmp_path)
    assert doc.gold == [(0, 4), (24, 28)]


def test_parts_are_read_alone_or_together(tmp_path: Path) -> None:
    write(tmp_path, "tech", [("Experience with Docker", "Docker", "Docker")])
    write(tmp_path, "house", [("Team player", "Team player", "work in teams")])
    assert [d.text for d in load_decorte_sentences(tmp_path, "tech")] == ["Experience with Docker"]
    assert len(load_decorte_sentences(tmp_path)) == 2


def test_a_span_its_sentence_does_not_hold_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "tech", [("Experience with Docker", "Kubernetes", "Kubernetes")])
    with pytest.raises(ValueError, match="'Kubernetes' is not in"):
        load_decorte_sentences(tmp_path)


def test_esco_hidden_labels_in_ordinary_words_are_read_with_their_skill(tmp_path: Path) -> None:
    # Rows as ESCO's skills_en.csv writes them (fields cut to those read), hidden labels real.
    with open(tmp_path / "skills_en.csv", "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["conceptUri", "preferredLabel", "altLabels", "hiddenLabels"])
        out.writerow(["s1", "show initiative", "be proactive", "self starter\ngreat initiative"])
        out.writerow(["s2", "use spreadsheets software", "", "Gnumeric\nLibreOffice Calc"])
        out.writerow(["s3", "manage frustration", "", ""])
    assert load_esco_hidden(tmp_path) == [
        ("self starter", "show initiative"),
        ("great initiative", "show initiative"),
    ]
