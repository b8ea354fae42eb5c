"""PDF text through PDFium, on PDFs written the way HTML renderers write résumés: every
glyph placed on its own, no space characters drawn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fpdf import FPDF

from models import CorruptDocument, FileTooLarge
from parsing import extract_text
from tests.documents import RESUME_TEXT, pdf_bytes


def glyph_by_glyph_pdf(lines: list[list[tuple[float, str]]], size: float = 11) -> bytes:
    """Each line is (x in mm, text) runs; every glyph of a run is drawn on its own, and a
    space is only a gap. As in the LiveCareer PDFs, glyphs sit closer than the font's widths
    say (the renderer laid them out with another font), which PDFium's own text reads as
    one word: "Senioraccountantwitha record"."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=size)
    pdf.add_page()
    y = 20.0
    for runs in lines:
        for x, text in runs:
            for char in text:
                if char != " ":
                    pdf.text(x, y, char)
                x += pdf.get_string_width(char) * (0.5 if char == " " else 0.92)
        y += size * 0.5
    return bytes(pdf.output())


def text_of(data: bytes, engine: str = "pdfium") -> str:
    text, fmt = extract_text(data, "cv.pdf", pdf_engine=engine)
    assert fmt == "pdf"
    return text


def test_words_are_spaced_where_no_space_is_drawn() -> None:
    text = text_of(
        glyph_by_glyph_pdf(
            [
                [(20, "Senior accountant with a record of accomplishment")],
                [(20, "Month-end close, reconciliations and/or audits")],
            ]
        )
    )
    assert text.splitlines() == [
        "Senior accountant with a record of accomplishment",
        "Month-end close, reconciliations and/or audits",
    ]


def test_a_second_column_on_the_same_baseline_is_another_line() -> None:
    text = text_of(glyph_by_glyph_pdf([[(20, "Skills"), (90, "Python and SQL")]]))
    assert text.splitlines() == ["Skills", "Python and SQL"]


def test_drawn_spaces_and_lines_are_kept() -> None:
    text = text_of(pdf_bytes())
    assert [line.split() for line in text.splitlines() if line.strip()] == [
        line.split() for line in RESUME_TEXT.splitlines() if line.strip()
    ]


def test_pdfminer_reads_the_same_words() -> None:
    data = pdf_bytes()
    assert text_of(data).split() == text_of(data, "pdfminer").split()


def test_threads_share_pdfium_safely() -> None:
    documents = [
        glyph_by_glyph_pdf([[(20, f"Candidate number {i} knows payroll")]]) for i in range(12)
    ]
    alone = [text_of(d) for d in documents]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(text_of, documents * 3))
    assert together == alone * 3


def test_limits_and_damage_are_reported() -> None:
    with pytest.raises(FileTooLarge):
        extract_text(pdf_bytes(pages=3), "cv.pdf", max_pages=2)
    with pytest.raises(CorruptDocument):
        extract_text(b"%PDF-1.7\n" + b"\x00garbage" * 50, "cv.pdf")
    with pytest.raises(ValueError, match="pdf_engine"):
        extract_text(pdf_bytes(), "cv.pdf", pdf_engine="ocr")
