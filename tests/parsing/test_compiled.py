"""The parser's derived arrays kept on disk: built once, loaded after, never served stale,
and a parser loaded from them reads text exactly as one built from scratch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from spacy.attrs import LOWER, ORTH
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from parsing import Parser
from parsing import _compiled as compiled
from parsing._phrases import PhraseTable
from parsing._tagger import SkillTagger
from tests.documents import RESUME_TEXT, demo_records


def counted(arrays: compiled.Arrays) -> tuple[list[int], Callable[[], compiled.Arrays]]:
    calls: list[int] = []

    def build() -> compiled.Arrays:
        calls.append(1)
        return arrays

    return calls, build


def test_built_once_then_loaded(tmp_path: Path) -> None:
    calls, build = counted({"a": np.arange(5), "b": np.zeros((2, 3))})
    first = compiled.load_or_build(tmp_path, "thing", "f1", build)
    second = compiled.load_or_build(tmp_path, "thing", "f1", build)
    assert calls == [1]
    assert set(second) == {"a", "b"}
    assert np.array_equal(first["a"], second["a"]) and second["b"].shape == (2, 3)


def test_another_fingerprint_is_built_and_replaces_the_old_file(tmp_path: Path) -> None:
    calls, build = counted({"a": np.arange(3)})
    compiled.load_or_build(tmp_path, "thing", "f1", build)
    compiled.load_or_build(tmp_path, "thing", "f2", build)
    assert calls == [1, 1]
    assert [p.name for p in tmp_path.glob("thing-*.npz")] == ["thing-f2.npz"]


def test_a_damaged_file_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    calls, build = counted({"a": np.arange(3)})
    (tmp_path / "thing-f1.npz").write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING):
        arrays = compiled.load_or_build(tmp_path, "thing", "f1", build)
    assert calls == [1] and np.array_equal(arrays["a"], np.arange(3))
    assert "could not be read" in caplog.text
    # ... and replaced by a whole one.
    assert np.array_equal(compiled.load_or_build(tmp_path, "thing", "f1", build)["a"], [0, 1, 2])
    assert calls == [1]


def test_a_folder_that_cannot_be_written_costs_only_the_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    calls, build = counted({"a": np.arange(3)})
    with caplog.at_level(logging.WARNING):
        arrays = compiled.load_or_build(blocker / "sub", "thing", "f1", build)
    assert calls == [1] and np.array_equal(arrays["a"], np.arange(3))
    assert "each process will build it again" in caplog.text


def test_strings_round_trip() -> None:
    strings = ["", "C++", "naïve", "line\nbreak", "日本語", ""]
    assert compiled.unpack_strings(*compiled.pack_strings(strings)) == strings
    assert compiled.unpack_strings(*compiled.pack_strings([])) == []


def test_phrase_table_finds_what_phrase_matcher_finds(parser: Parser) -> None:
    nlp = parser.nlp
    patterns = {
        "ml": ["machine learning"],
        "learning": ["learning"],
        "c++": ["c++"],
        "sql": ["sql", "t-sql", "sql server"],
        "ms-sql": ["microsoft sql server"],
        "node": ["node.js"],
        "excel": ["ms excel", "excel"],
    }
    texts = [
        RESUME_TEXT,
        "Machine learning, machine learning and deep learning; C++/SQL, T-SQL on "
        "Microsoft SQL Server; Node.js. MS Excel and excel.",
        *(str(r["text"]) for r in demo_records(20)),
        "",
    ]
    for attr, name in ((LOWER, "LOWER"), (ORTH, "ORTH")):
        table = PhraseTable(attr, PhraseTable.build(nlp, attr, patterns))
        spacy_matcher = PhraseMatcher(nlp.vocab, attr=name)
        for label, phrases in patterns.items():
            spacy_matcher.add(label, [nlp.make_doc(p) for p in phrases])
        for text in texts:
            doc = nlp.make_doc(text)
            expected = sorted((nlp.vocab.strings[m], s, e) for m, s, e in spacy_matcher(doc))
            assert sorted(table(doc)) == expected
    doc = nlp.make_doc("Machine learning in SQL Server")
    found = PhraseTable(LOWER, PhraseTable.build(nlp, LOWER, patterns))(doc)
    # Overlapping matches are all reported, by start, shorter first.
    assert found == [("ml", 0, 2), ("learning", 1, 2), ("sql", 3, 4), ("sql", 3, 5)]


def test_a_parser_loaded_from_its_arrays_reads_like_a_new_one(tmp_path: Path) -> None:
    built = Parser(cache_dir=tmp_path)
    assert {p.name.split("-")[1] for p in tmp_path.glob("*.npz")} == {"patterns", "tagger"}
    loaded = Parser(cache_dir=tmp_path)
    for record in demo_records(8):
        text = str(record["text"])
        assert loaded.parse_resume_text(text) == built.parse_resume_text(text)
    assert loaded.link_skill("JS") == built.link_skill("JS")


def test_tagger_chains_survive_the_disk(tmp_path: Path, parser: Parser) -> None:
    fresh = SkillTagger(parser.taxonomy)  # read from the model
    SkillTagger(parser.taxonomy, cache_dir=tmp_path)
    kept = SkillTagger(parser.taxonomy, cache_dir=tmp_path)  # read from the arrays
    for kind, by_word in fresh._chains.items():
        a, b = by_word.chain, kept._chains[kind].chain
        assert a.weights.keys() == b.weights.keys()
        assert all(np.array_equal(a.weights[k], b.weights[k]) for k in a.weights)
        assert np.array_equal(a.transitions, b.transitions)
        assert np.array_equal(a.bigram_keys, b.bigram_keys)
        assert np.array_equal(a.bigram_weights, b.bigram_weights)


def test_skill_matches_keep_what_spacys_filter_spans_keeps(parser: Parser) -> None:
    texts = [RESUME_TEXT, *(str(r["text"]) for r in demo_records(30))]
    for text in texts:
        doc = parser.nlp.make_doc(text)
        spans = [
            Span(doc, start, end, label=label)
            for table in (parser._skills_lower, parser._skills_exact, parser._skills_recased)
            for label, start, end in table(doc)
        ]
        expected = [(s.start, s.end, s.label_) for s in filter_spans(spans)]
        assert [(s.start, s.end, s.label_) for s in parser.skill_matches(doc)] == expected
