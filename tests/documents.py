"""Real documents made for the tests: PDFs (fpdf2, pypdf), DOCX (python-docx), text."""

from __future__ import annotations

import gzip
import io
import json
from importlib import resources

from docx import Document
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

RESUME_TEXT = """Jordan Example
Senior Data Engineer
jordan.example@example.org | +1 415 555 0134 | https://github.com/jordan-example

Summary
Data engineer with eight years of experience building batch and streaming pipelines.

Experience
Senior Data Engineer, Acme Analytics    Jan 2019 - Present
Built data pipelines in Python and SQL on Apache Spark and Apache Airflow.
Ran workloads on AWS with Docker and Kubernetes.

Data Analyst, Example Corp    Mar 2015 - Dec 2018
Reporting with Microsoft Excel and Tableau; statistics in R.

Education
BSc Computer Science, 2014

Skills
Python, SQL, Apache Spark, Airflow, AWS, Docker, Kubernetes, R, Git
"""


def pdf_bytes(text: str = RESUME_TEXT, pages: int = 1) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        for line in text.splitlines():
            pdf.cell(
                0,
                5,
                line.encode("latin-1", "replace").decode("latin-1"),
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A page with drawing and no text: what a scan looks like to a text extractor."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    for row in range(20):
        pdf.rect(20, 20 + row * 10, 150, 4, style="F")
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes())).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(text: str = RESUME_TEXT, table: list[list[str]] | None = None) -> bytes:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def demo_records(limit: int | None = None) -> list[dict[str, object]]:
    """The shipped CC0 demo résumés (see service/demo/README.md)."""
    raw = (resources.files("service") / "demo" / "pool.jsonl.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    return [json.loads(line) for line in lines[:limit]]


# The fields DESIGN.md documents for `POST /v1/match` and `talentmatch match --json`.
SHORTLIST_FIELDS = {"results", "took_ms", "job_title", "pool_size", "fair_rerank"}
MATCH_FIELDS = {
    "candidate_id",
    "external_id",
    "score",
    "matched_skills",
    "missing_skills",
    "must_have",
    "nice_to_have",
    "reasons",
    "breakdown",
    "runner_up",
    "stale",
}


def assert_shortlist_shape(body: dict[str, object], results: int) -> list[dict[str, object]]:
    """Check the documented shape; return the results, best first."""
    assert set(body) == SHORTLIST_FIELDS
    found = body["results"]
    assert isinstance(found, list) and len(found) == results
    for match in found:
        assert set(match) >= MATCH_FIELDS
        breakdown = match["breakdown"]
        assert set(breakdown) == {"features", "weights", "points"}
        assert abs(sum(breakdown["points"].values()) - match["score"]) < 0.5
        assert abs(sum(breakdown["weights"].values()) - 1) < 1e-3
        assert set(match["must_have"]) == {"matched", "related", "missing"}
    scores = [m["score"] for m in found]
    assert scores == sorted(scores, reverse=True)
    return found
