from __future__ import annotations

import io
import zipfile

import pytest

from models import (
    BadEncoding,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    FileTooLarge,
    NoTextLayer,
    ParseError,
    UnsupportedFormat,
)
from parsing import extract_text
from parsing._extract import decode_mojibake, normalise_text
from tests.documents import docx_bytes, encrypted_pdf, image_only_pdf, pdf_bytes


def test_pdf_text_is_extracted() -> None:
    text, fmt = extract_text(pdf_bytes(), "cv.pdf")
    assert fmt == "pdf"
    assert "Senior Data Engineer" in text
    assert "Apache Spark" in text


def test_a_pdf_is_recognised_by_its_bytes_whatever_its_name() -> None:
    text, fmt = extract_text(pdf_bytes(), "cv.txt")
    assert fmt == "pdf"
    assert "Kubernetes" in text


def test_docx_paragraphs_and_tables() -> None:
    data = docx_bytes(table=[["Skill", "Years"], ["Terraform", "3"]])
    text, fmt = extract_text(data, "cv.docx")
    assert fmt == "docx"
    assert "Senior Data Engineer" in text
    assert "Terraform | 3" in text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Grüße from Zürich\n".encode(), "Grüße from Zürich"),
        ("Grüße from Zürich\n".encode("cp1252"), "Grüße from Zürich"),
        ("Grüße from Zürich\n".encode("utf-16"), "Grüße from Zürich"),
        (b"\xef\xbb\xbfwith a BOM\n", "with a BOM"),
    ],
)
def test_text_encodings(data: bytes, expected: str) -> None:
    text, fmt = extract_text(data, "cv.txt")
    assert fmt == "txt"
    assert text.strip() == expected


def test_line_ends_are_normalised() -> None:
    text, _ = extract_text(b"a\r\nb\rc\fd", "cv.md")
    assert text == "a\nb\nc\nd\n"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # UTF-8 read as Windows-1252 on its way into a PDF's text layer, as in 240 of the
        # 300 LiveCareer PDFs: a no-break space, a bullet, a dash, a registered sign, an é.
        ("Managed payroll withÂ\u00a0QuickBooks", "Managed payroll with QuickBooks"),
        ("â€¢ Excel â€“ Word", "• Excel – Word"),
        ("audits of VISAÂ® purchasing cards", "audits of VISA® purchasing cards"),
        # The "Â" kept where the no-break space became a plain one: a space in its place.
        ("ICD-10, CPT/HCPCSÂ coding", "ICD-10, CPT/HCPCS  coding"),
        ("Arranged event dÃ©cor", "Arranged event décor"),
        # A ligature and full-width letters are read as plain letters.
        ("ﬁnancial modelling in ｐｙｔｈｏｎ", "financial modelling in python"),
    ],
)
def test_mojibake_is_repaired(written: str, read: str) -> None:
    text, _ = extract_text(written.encode(), "cv.txt")
    assert text.strip() == read


def test_mojibake_in_a_pdfs_text_layer_is_repaired() -> None:
    # The test's PDF font holds Latin-1 only: "Â®" and "Ã©" are in it, "â€¢" is not.
    text, _ = extract_text(pdf_bytes("Audits of VISAÂ® cards\nEvent dÃ©cor"), "cv.pdf")
    assert text == "Audits of VISA® cards\nEvent décor\n"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("\u00e2\u20ac\u00a2 Excel \u00e2\u20ac\u201c Word", "\u2022   Excel \u2013   Word"),
        ("VISA\u00c2\u00ae cards", "VISA\u00ae  cards"),
        ("HCPCS\u00c2 coding", "HCPCS  coding"),
        # An opening quote stands next to the word it opens.
        ("\u00e2\u20ac\u0153quoted", "  \u201cquoted"),
        # A letter stays as written: no word is cut in two.
        ("event d\u00c3\u00a9cor", "event d\u00c3\u00a9cor"),
        # Letters with accents that only look like mojibake: "Ö" and a no-break space
        # would encode a Hebrew accent, "â", a no-break space and "–" a Braille cell.
        ("B\u00d6\u00a0x", "B\u00d6\u00a0x"),
        ("\u00e2\u00a0\u2013", "\u00e2\u00a0\u2013"),
        ("Ärger über Ölpreise", "Ärger über Ölpreise"),
    ],
)
def test_mojibake_is_read_in_place(written: str, read: str) -> None:
    assert decode_mojibake(written) == read
    assert len(read) == len(written)


def test_a_vertical_tab_is_a_line_break() -> None:
    # Text sent as text (a CRM's field) may hold Word's line break; mojibake repair drops
    # control characters, which would join the two words.
    assert normalise_text("Python\x0bJava") == "Python\nJava\n"


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        (b"", "empty.txt", EmptyDocument),
        (b"  \n\t\n", "blank.txt", EmptyDocument),
        (b"\x00\x01\x02\x03binary\x00garbage" * 50, "cv.txt", UnsupportedFormat),
        (b"MZ\x90\x00\x03", "setup.exe", UnsupportedFormat),
        (b"\x89PNG\r\n\x1a\n....", "photo.png", UnsupportedFormat),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", UnsupportedFormat),
        (b"not a pdf at all", "cv.pdf", CorruptDocument),
        (b"%PDF-1.7\n1 0 obj <<>> garbage", "broken.pdf", CorruptDocument),
        (b"PK\x03\x04 truncated zip", "cv.docx", CorruptDocument),
    ],
)
def test_bad_files_raise_typed_errors(data: bytes, name: str, error: type[ParseError]) -> None:
    with pytest.raises(error) as info:
        extract_text(data, name)
    assert name in info.value.message


def test_truncated_pdf_is_corrupt() -> None:
    data = pdf_bytes()
    with pytest.raises(CorruptDocument):
        extract_text(data[: len(data) // 3], "cut.pdf")


def test_encrypted_pdf() -> None:
    with pytest.raises(EncryptedDocument, match="password"):
        extract_text(encrypted_pdf(), "locked.pdf")


def test_pdf_without_text_layer() -> None:
    with pytest.raises(NoTextLayer, match="no text layer"):
        extract_text(image_only_pdf(), "scan.pdf")


def test_size_limit() -> None:
    with pytest.raises(FileTooLarge):
        extract_text(b"x" * 2048, "big.txt", max_bytes=1024)


def test_page_limit() -> None:
    with pytest.raises(FileTooLarge, match="more than 3 pages"):
        extract_text(pdf_bytes(pages=5), "long.pdf", max_pages=3)


def test_zip_that_is_not_a_docx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnsupportedFormat):
        extract_text(out.getvalue(), "archive.zip")


def test_docx_zip_bomb_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (101 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(FileTooLarge, match="inflates"):
        extract_text(out.getvalue(), "bomb.docx")


def test_text_in_neither_utf8_nor_cp1252() -> None:
    # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte.
    with pytest.raises(BadEncoding):
        extract_text(b"caf\x81 au lait\n" * 10, "cv.txt")
