from __future__ import annotations

import datetime as dt

import pytest

from models import InvalidInput
from parsing import Parser
from tests.documents import RESUME_TEXT, demo_records, docx_bytes, pdf_bytes

TODAY = dt.date(2026, 11, 1)


def test_sections_contact_titles_and_years(parser: Parser) -> None:
    resume = parser.parse_resume_text(RESUME_TEXT, today=TODAY)
    names = [s.name for s in resume.sections]
    assert names == ["header", "summary", "experience", "education", "skills"]
    assert resume.contact.name == "Jordan Example"
    assert resume.contact.emails == ["jordan.example@example.org"]
    assert resume.contact.phones == ["+1 415 555 0134"]
    assert resume.contact.links == ["https://github.com/jordan-example"]
    assert "Senior Data Engineer" in resume.titles
    assert "Data Analyst" in resume.titles
    # Mar 2015 – Dec 2018 and Jan 2019 – Nov 2026, no overlap: 3.75 + 7.83 years.
    assert resume.years_experience == pytest.approx(11.6, abs=0.1)


def test_every_skill_span_slices_the_text_exactly(parser: Parser) -> None:
    for record in demo_records(limit=60):
        text = str(record["text"])
        resume = parser.parse_resume_text(text)
        assert resume.skills, record["id"]
        for skill in resume.skills:
            assert resume.text[skill.start : skill.end] == skill.text


def test_skills_are_canonical_across_sources(parser: Parser) -> None:
    found = {s.text: s for s in parser.find_skills(RESUME_TEXT)}
    # O*NET names the tools ESCO lacks.
    assert found["Kubernetes"].id.startswith("onet:")
    assert found["Docker"].id.startswith("onet:")
    assert found["AWS"].label == "Amazon Web Services AWS software"
    # ESCO's "Python (computer programming)" is written "Python".
    assert found["Python"].label == "Python (computer programming)"
    assert found["SQL"].label == "SQL"
    assert found["R"].label == "R"
    assert found["Microsoft Excel"].id == parser.find_skills("Excel")[0].id


def test_short_labels_match_only_as_written(parser: Parser) -> None:
    texts = [s.text for s in parser.find_skills("Go to the r&d lab. We use R and C daily, or c.")]
    assert "R" in texts and "C" in texts
    assert "r" not in texts and "c" not in texts and "Go" not in texts


def test_longest_label_wins(parser: Parser) -> None:
    skills = parser.find_skills("Experience in machine learning and Apache Spark.")
    assert [s.text for s in skills] == ["machine learning", "Apache Spark"]


def test_skill_sections(parser: Parser) -> None:
    resume = parser.parse_resume_text(RESUME_TEXT)
    sections = {s.text: s.section for s in resume.skills}
    assert sections["Tableau"] == "experience"
    assert sections["Git"] == "skills"


def test_pdf_and_docx_parse_to_the_same_skills(parser: Parser) -> None:
    from_pdf = parser.parse_resume_bytes(pdf_bytes(), "cv.pdf")
    from_docx = parser.parse_resume_bytes(docx_bytes(), "cv.docx")
    assert from_pdf.format == "pdf" and from_docx.format == "docx"
    assert from_pdf.skill_ids() == from_docx.skill_ids()
    assert from_pdf.skill_ids() == parser.parse_resume_text(RESUME_TEXT).skill_ids()


def test_job_must_and_nice_to_have(parser: Parser) -> None:
    job = parser.parse_job(
        "Data Engineer\n\nRequirements\n- Python and SQL\n- Experience with Apache Spark\n"
        "- Kubernetes is a plus\n\nNice to have\n- Terraform\n"
    )
    assert job.title == "Data Engineer"
    required = {s.text for s in job.required()}
    preferred = {s.text for s in job.preferred()}
    assert required == {"Python", "SQL", "Apache Spark"}
    assert preferred == {"Kubernetes", "Terraform"}


def test_job_title_given_wins(parser: Parser) -> None:
    job = parser.parse_job("We need someone who knows Python.", title="Backend Developer")
    assert job.title == "Backend Developer"


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_texts_are_refused(parser: Parser, text: str) -> None:
    with pytest.raises(InvalidInput):
        parser.parse_resume_text(text)
    with pytest.raises(InvalidInput):
        parser.parse_job(text)


def test_huge_text_is_refused(parser: Parser) -> None:
    with pytest.raises(InvalidInput, match="over the limit"):
        parser.find_skills("Python " * 50_000)


@pytest.mark.parametrize(
    ("phrase", "label"),
    [
        ("Python", "Python (computer programming)"),
        ("  python ", "Python (computer programming)"),
        ("Postgres", "PostgreSQL"),
        ("excel", "Microsoft Excel"),
        ("use spreadsheets software", "use spreadsheets software"),
    ],
)
def test_link_skill_by_label(parser: Parser, phrase: str, label: str) -> None:
    entry = parser.link_skill(phrase)
    assert entry is not None and entry.label == label


def test_link_skill_unknown(parser: Parser) -> None:
    assert parser.link_skill("underwater basket weaving for llamas") is None
