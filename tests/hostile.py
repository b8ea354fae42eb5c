"""A corpus of hostile documents, built in the tests: each is what a careless or malicious
upload can be. ``CORPUS`` maps a case to (file name, builder, HTTP status, error code)."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Callable

from tests.documents import docx_bytes, encrypted_pdf, image_only_pdf, pdf_bytes

WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def pdf(objects: list[bytes]) -> bytes:
    """A well-formed PDF from object bodies (numbered from 1; object 1 is the catalogue)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def one_page_pdf(content: bytes, filters: bytes = b"") -> bytes:
    stream = b"<< /Length %d %s >>\nstream\n" % (len(content), filters) + content + b"\nendstream"
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << >> >>",
            stream,
        ]
    )


def deflated_twice(chunk: bytes, repeat: int) -> bytes:
    """``chunk`` × ``repeat``, deflated, then deflated again: kilobytes that expand to
    gigabytes through a PDF's [/FlateDecode /FlateDecode]."""
    once = zlib.compressobj(1)
    inner = b"".join(once.compress(chunk) for _ in range(repeat)) + once.flush()
    return zlib.compress(inner, 9)


def pdf_bomb() -> bytes:
    """A 10 KB PDF whose one content stream inflates to 768 MiB."""
    return one_page_pdf(
        deflated_twice(b"\0" * (64 << 20), 12), b"/Filter [/FlateDecode /FlateDecode]"
    )


def never_ending_pdf() -> bytes:
    """A 2 KB PDF whose page draws four million lines: minutes of layout analysis."""
    return one_page_pdf(
        deflated_twice(b"0 0 m 1 1 l S\n" * 100_000, 40), b"/Filter [/FlateDecode /FlateDecode]"
    )


def ten_thousand_pages() -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(10_000))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count 10000 >>",
            *[page] * 10_000,
        ]
    )


def docx_bomb() -> bytes:
    """A 5 MB DOCX whose document.xml inflates to 1 GiB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f'<w:document xmlns:w="{WORD_NS}"><w:body><w:p><w:r><w:t>'.encode())
            chunk = b"A" * (64 << 20)
            for _ in range(16):
                fh.write(chunk)
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def billion_laughs_docx() -> bytes:
    """A DOCX whose document.xml defines entities that expand to 10⁹ 'lol's."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        f'<w:document xmlns:w="{WORD_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for item in source.infolist():
            data = source.read(item.filename)
            zf.writestr(item, xml.encode() if item.filename == "word/document.xml" else data)
    return out.getvalue()


def deeply_nested_pdf() -> bytes:
    depth = 200_000
    return (
        b"%PDF-1.4\n1 0 obj\n" + b"[" * depth + b"]" * depth + b"\nendobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def zip_that_is_not_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("notes.txt", "not a Word document")
    return out.getvalue()


def truncated_pdf() -> bytes:
    whole = pdf_bytes()
    return whole[: len(whole) // 2]


ELF_HEADER = b"\x7fELF\x02\x01\x01" + bytes(57)

CORPUS: dict[str, tuple[str, Callable[[], bytes], int, str]] = {
    "truncated PDF": ("cv.pdf", truncated_pdf, 422, "corrupt_document"),
    "PDF without its trailer": ("cv.pdf", lambda: pdf_bytes()[:-200], 422, "corrupt_document"),
    "garbage after a PDF header": (
        "cv.pdf",
        lambda: b"%PDF-1.7\n" + os.urandom(4096),
        422,
        "corrupt_document",
    ),
    "encrypted PDF": ("cv.pdf", encrypted_pdf, 422, "encrypted_document"),
    "PDF decompression bomb (10 KB → 768 MiB)": (
        "cv.pdf",
        pdf_bomb,
        422,
        "document_too_complex",
    ),
    "PDF that takes minutes to lay out": (
        "cv.pdf",
        never_ending_pdf,
        422,
        "document_too_complex",
    ),
    "PDF of 10,000 pages": ("cv.pdf", ten_thousand_pages, 413, "file_too_large"),
    "PDF nested 200,000 deep": ("cv.pdf", deeply_nested_pdf, 422, "corrupt_document"),
    "image-only PDF": ("scan.pdf", image_only_pdf, 422, "no_text_layer"),
    "zip-bomb DOCX (5 MB → 1 GiB)": ("cv.docx", docx_bomb, 413, "file_too_large"),
    "billion-laughs DOCX": ("cv.docx", billion_laughs_docx, 422, "corrupt_document"),
    "zip archive named .docx": ("cv.docx", zip_that_is_not_docx, 422, "corrupt_document"),
    "PNG named .pdf": ("cv.pdf", lambda: b"\x89PNG\r\n\x1a\n" + bytes(64), 422, "corrupt_document"),
    "executable named .txt": ("cv.txt", lambda: ELF_HEADER, 415, "unsupported_format"),
    "legacy .doc": ("cv.doc", lambda: b"\xd0\xcf\x11\xe0" + bytes(512), 415, "unsupported_format"),
    "random bytes": ("cv.txt", lambda: os.urandom(8192), 415, "unsupported_format"),
    "text neither UTF-8 nor Windows-1252": (
        "cv.txt",
        lambda: b"Jordan \x81\x8d\x8f\x90\x9d Example, data engineer\n",
        422,
        "bad_encoding",
    ),
    "damaged UTF-16": ("cv.txt", lambda: b"\xff\xfeJ\x00o\x00r\x00\x00\xd8", 422, "bad_encoding"),
    "empty file": ("cv.pdf", lambda: b"", 422, "empty_document"),
    "blank text file": ("cv.txt", lambda: b" \n\t\n", 422, "empty_document"),
    "over the size limit": ("cv.txt", lambda: b"a" * (10 * 1024 * 1024 + 1), 413, "file_too_large"),
}
