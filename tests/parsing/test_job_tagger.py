"""The job-posting tagger (parsing/_job_tagger.py) on real sentences and edge cases."""

from __future__ import annotations

import importlib.util
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import numpy as np

from parsing import Parser
from parsing._job_tagger import WINDOW, JobTagger

JOB = (
    "Senior Data Engineer\n\n"
    "Requirements\n"
    "- 5+ years of Python and SQL; experience with Apache Spark and Airflow.\n"
    "- You build reliable data pipelines and communicate clearly with stakeholders.\n"
    "Nice to have: Kafka, Terraform.\n"
)


def test_a_job_is_read_by_the_transformer_and_a_resume_by_the_crf() -> None:
    parser = Parser()
    parser.parse_resume_text("Jane Doe\n\nSkills\nPython, SQL, Apache Spark\n")
    assert parser.job_tagger is not None and parser.job_tagger._tagger is None
    job = parser.parse_job(JOB)
    found = {s.text: s for s in job.skills}
    assert {"Python", "SQL", "Airflow", "Kafka", "Terraform"} <= set(found), set(found)
    assert "Apache Spark" in {s.label for s in job.skills}
    assert found["Python"].required and not found["Kafka"].required
    assert found["Python"].years == 5
    assert found["Airflow"].years is None  # asked for in the next clause
    assert parser.job_tagger._tagger is not None


def test_every_token_takes_the_piece_it_starts_in(parser: Parser) -> None:
    tagger = JobTagger()
    doc = parser.nlp.make_doc(JOB)
    tagged = tagger.tag(doc)
    assert len(tagged.probability) == len(doc)
    for token in doc:
        if token.is_space:
            assert tagged.probability[token.i] == 0
    for start, end in tagged.ranges:
        assert 0 <= start < end <= len(doc)
        assert all(tagged.probability[i] >= tagger.threshold for i in range(start, end))
    spans = {doc[start:end].text for start, end in tagged.ranges}
    assert "Airflow" in " ".join(spans)


def test_a_line_longer_than_a_window_is_read_whole(parser: Parser) -> None:
    tagger = JobTagger()
    line = "Experience with Python and Kubernetes is required. " * 40
    starts, probs = tagger.piece_probabilities(line + "\nKafka\n")
    pieces = len(tagger.tokenizer.encode(line, add_special_tokens=False).ids)
    assert pieces > 2 * WINDOW
    kafka = len(tagger.tokenizer.encode("Kafka", add_special_tokens=False).ids)
    assert len(starts) == len(probs) == pieces + kafka
    assert (np.diff(starts) > 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    # The last window of the long line still finds its skills.
    doc = parser.nlp.make_doc(line)
    last = [doc[s:e].text for s, e in tagger.tag(doc).ranges if doc[s].idx > len(line) * 0.9]
    assert "Kubernetes" in last


def test_nothing_to_read(parser: Parser) -> None:
    tagger = JobTagger()
    for text in ("", "\n\n  \n", "x"):
        tagged = tagger.tag(parser.nlp.make_doc(text))
        assert tagged.ranges == [] or text == "x"
        assert len(tagged.probability) == len(parser.nlp.make_doc(text))


def test_threads_share_the_tagger(parser: Parser) -> None:
    tagger = JobTagger()
    doc = parser.nlp.make_doc(JOB)
    alone = tagger.tag(doc)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: tagger.tag(doc), range(8)))
    for tagged in results:
        assert tagged.ranges == alone.ranges
        np.testing.assert_allclose(tagged.probability, alone.probability)


def test_a_skill_asked_for_in_a_long_phrase_is_kept(parser: Parser) -> None:
    # Job posts ask for skills in phrases (SkillSpan's gold spans run to 13 words and more);
    # a phrase the taxonomy does not name is kept whole as a free skill, not dropped.
    text = (
        "Responsibilities\n"
        "- Design and implement high-level solutions and technical requirements with our "
        "clients.\n"
    )
    mentions = parser.find_skills(text, kind="job")
    long = [m for m in mentions if len(parser.nlp.make_doc(m.text)) > 8]
    assert any(m.text.startswith("Design and implement") for m in long), mentions
    assert all(text[m.start : m.end] == m.text for m in mentions)


def test_a_word_is_in_a_phrase_whole(parser: Parser) -> None:
    # The model learned words cut at whitespace ("amazon-web-services", "C#/.NET" are one word
    # each in SkillSpan); spaCy cuts them further, and each piece used to be read on its own:
    # "web-services" became a phrase of its own beside "amazon".
    tagger = JobTagger()
    text = "cloud amazon-web-services azure devops automation\nSkills: C#/.NET, CI/CD and T-SQL.\n"
    doc = parser.nlp.make_doc(text)
    ranges = tagger.tag(doc).ranges
    assert ranges
    for start, end in ranges:
        assert start == 0 or doc[start - 1].whitespace_ or doc[start - 1].is_space
        assert doc[end - 1].whitespace_ or end == len(doc) or doc[end].is_space
    phrases = [doc[start:end].text for start, end in ranges]
    assert any("amazon-web-services" in p for p in phrases), phrases


def _training_script() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "train_job_tagger.py"
    spec = importlib.util.spec_from_file_location("train_job_tagger", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_held_out_tenth_shares_no_sentence_with_training() -> None:
    # SkillSpan repeats boilerplate sentences: a repeated one must fall on one side only, or
    # the epochs would be chosen on sentences the model was trained on.
    script = _training_script()
    rows = [
        {"tokens": [f"sentence {k}", "Python"], "tags_skill": ["O", "B"], "tags_knowledge": []}
        for k in range(300)
    ] * 2
    train, held = script.held_out(rows)
    held_texts = [" ".join(row["tokens"]) for row in held]
    assert len(set(held_texts)) == len(held_texts)
    assert not set(held_texts) & {" ".join(row["tokens"]) for row in train}
    assert 10 < len(held) < 60
    assert len(train) + 2 * len(held) == len(rows)


def test_a_word_is_scored_by_its_first_piece() -> None:
    script = _training_script()
    probs = np.arange(15, dtype=float).reshape(5, 3)
    # [CLS], two pieces of word 0, one of word 1, [SEP]; word 2 was truncated away.
    words = script.word_probabilities(probs, [None, 0, 0, 1, None], 3)
    np.testing.assert_array_equal(words, [probs[1], probs[3], [0, 0, 0]])
    # Training labels a word on the same piece.
    assert script.first_pieces([None, 0, 0, 1, 1, 2, None]) == [(1, 0), (3, 1), (5, 2)]


def test_a_skill_alone_on_a_bullet_line_is_kept(parser: Parser) -> None:
    # Read alone, the line "- Docker" gives the tagger no context (it gave Docker 0.02); a
    # line that is nothing but a skill's name is a list item all the same.
    job = parser.parse_job("Data Engineer\n\nRequirements\n- Python\n\nNice to have\n- Docker\n")
    assert {s.text: s.required for s in job.skills} == {"Python": True, "Docker": False}
    # Not when the line says more than the name.
    assert "Docker" not in {s.text for s in parser.find_skills("Docker Inc.\n", kind="job")}
