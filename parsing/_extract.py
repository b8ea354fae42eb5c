"""Bytes to text: PDF (PDFium, pdfminer.six for what PDFium cannot open), DOCX
(python-docx), TXT and MD."""

from __future__ import annotations

import functools
import io
import logging
import re
import unicodedata
import zipfile
from pathlib import PurePath

import ftfy
from docx import Document as open_docx
from pdfminer.high_level import extract_text_to_fp
from pdfminer.layout import LAParams
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException

from models import (
    BadEncoding,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    FileTooLarge,
    NoTextLayer,
    UnsupportedFormat,
)
from parsing._pdf import Unreadable, pdf_text

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PAGES = 50
PDF_ENGINES = ("pdfium", "pdfminer")
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
DOC_SUFFIXES = {".pdf", ".docx", *TEXT_SUFFIXES}
# DOCX is a zip; refuse archives that inflate beyond this (a zip bomb).
MAX_DOCX_INFLATED = 100 * 1024 * 1024

# A line longer than this with runs of spaces in it is text whose line breaks were lost (a
# form or an export that joined lines with spaces): each run stands where a break was.
LOST_BREAKS_LINE = 200
# The first space of a run of two or more between words (the space first: the regex engine
# then looks only at spaces, twice as fast on long lines as a look-behind first).
RUN_START = re.compile(r" (?<=\S )(?= +\S)")

# Bytes written out as text ("\\xe2\\x80\\xa2", a bullet, as twelve characters): a text that
# went through a bytes repr on its way.
ESCAPED_BYTES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")

# UTF-8 read as Windows-1252 (mojibake): the character each byte from 0x80 up became, and a
# run of whole characters' bytes ("â€¢" for "•", "Â" and a no-break space for a no-break
# space). Windows-1252 leaves five bytes undefined; a decoder that passes them on gives
# the C1 control of that number.
_BYTE_READ_AS = {
    b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0x100)
}
MOJIBAKE_BYTE = {char: bytes([b]) for b, char in _BYTE_READ_AS.items()}
_TAIL = "[" + "".join(re.escape(_BYTE_READ_AS[b]) for b in range(0x80, 0xC0)) + "]"
MOJIBAKE = re.compile(
    "(?:"
    + "|".join(
        f"[{re.escape(_BYTE_READ_AS[first])}-{re.escape(_BYTE_READ_AS[last])}]{_TAIL}{{{n}}}"
        for first, last, n in ((0xC2, 0xDF, 1), (0xE0, 0xEF, 2), (0xF0, 0xF4, 3))
    )
    + ")+"
)
# What is left of a no-break space so read where the text layer kept the "Â" and made the
# space a plain one, which ftfy cannot tell from a word: "HCPCSÂ coding". No word ends in
# "Â". (Whether a word comes before it is asked of the match: a pattern that starts by
# looking behind is tried at every character.)
A_CIRCUMFLEX_BEFORE_SPACE = re.compile(r"\u00c2(?=\s|$)", re.MULTILINE)

# pdfminer logs every odd object it meets at WARNING; those are not ours to report.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def sniff_format(data: bytes, name: str) -> str:
    """Return ``pdf``, ``docx``, ``txt`` or ``md`` from the bytes first, the name second.

    Raises UnsupportedFormat for anything else (images, archives, executables, DOC).
    """
    suffix = PurePath(name).suffix.lower()
    if data.startswith(b"%PDF-") or data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix == ".docx" or b"word/" in data[:4096]:
            return "docx"
        raise UnsupportedFormat(f"{name}: a zip archive that is not a DOCX document")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormat(f"{name}: legacy .doc files are not supported; save as DOCX or PDF")
    if suffix in TEXT_SUFFIXES:
        return "md" if suffix in {".md", ".markdown"} else "txt"
    if suffix in {".pdf", ".docx"}:
        raise CorruptDocument(f"{name}: does not look like a {suffix[1:].upper()} file")
    raise UnsupportedFormat(f"{name}: unsupported file type {suffix!r}; use PDF, DOCX, TXT or MD")


def extract_text(
    data: bytes,
    name: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
    pdf_engine: str = "pdfium",
) -> tuple[str, str]:
    """Return ``(text, format)`` of a document.

    PDFs are read with PDFium; one it cannot open is tried with pdfminer.six before it is
    called damaged. ``pdf_engine="pdfminer"`` reads with pdfminer.six alone (the engine this
    project used before, kept for comparison in benchmarks/reindex.py).

    Raises a ParseError subclass: FileTooLarge, UnsupportedFormat, CorruptDocument,
    EncryptedDocument, NoTextLayer, EmptyDocument or BadEncoding.
    """
    if len(data) > max_bytes:
        raise FileTooLarge(f"{name}: {len(data):,} bytes is over the limit of {max_bytes:,}")
    if not data.strip():
        raise EmptyDocument(f"{name}: the file is empty")
    fmt = sniff_format(data, name)
    if pdf_engine not in PDF_ENGINES:
        raise ValueError(f"pdf_engine must be one of {PDF_ENGINES}, not {pdf_engine!r}")
    if fmt == "pdf":
        text = _pdf_text(data, name, max_pages, pdf_engine)
    elif fmt == "docx":
        text = _docx_text(data, name)
    else:
        text = _plain_text(data, name)
    text = normalise_text(text)
    if not text.strip():
        raise EmptyDocument(f"{name}: no text in the document")
    return text, fmt


def normalise_text(text: str) -> str:
    """Unify line ends, drop form feeds and NULs, repair mojibake, read bytes written out as
    text and put back line breaks a text lost (``repair_text``); offsets are taken on the
    result.

    Mojibake is text that was decoded in the wrong encoding on its way: "â€¢" for a bullet,
    "Ã©" for "é", "Â" glued to a word before a no-break space ("VISAÂ®", "withÂ marketing").
    Half of the 300 LiveCareer PDFs (151) carry it in their own text layer. ftfy undoes it (and
    makes ligatures and full-width letters plain), which can change the text's length, so it
    is done here, before any offset is taken; ``repair_text`` reads what is left, and the
    mojibake of a text sent to be read as it is, in place (``decode_mojibake``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    # ftfy drops control characters; a vertical tab is Word's line break.
    text = text.replace("\v", "\n").replace("\x00", "")
    text = ftfy.fix_text(text).replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return repair_text("\n".join(lines).strip("\n") + "\n")


def restore_line_breaks(text: str) -> str:
    """``text`` with its lost line breaks put back, each character where it was: in a line
    of over ``LOST_BREAKS_LINE`` characters, the first space of each run of two or more
    becomes a line break.

    Résumés copied out of a web form or a tool that joins lines come as one long line with
    runs of spaces where the lines ended ("Skills  Python, Java  Education  B.Sc. …"). Read
    as one line, their headings are not seen as headings, and a skill's place in its line
    says nothing. A line of ordinary length, or a long one without such runs, is left as it
    is."""
    if "  " not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if len(line) > LOST_BREAKS_LINE:
            lines[i] = RUN_START.sub("\n", line)
    return "\n".join(lines)


def decode_escaped_bytes(text: str) -> str:
    """``text`` with bytes written out as text read as the characters they encode, each
    character of the rest where it was.

    A résumé that went through a bytes repr on its way comes with "\\xe2\\x80\\xa2" where
    it had a bullet, "\\xe2\\x80\\x9c" where it had a quote: read so, "\\xcd\\xbe VB" hides
    that VB starts an item of a list. A run of such bytes that encodes marks (bullets,
    quotes, dashes; a private-use bullet of a symbol font becomes "•") is written as those
    marks and spaces to its length: an opening mark at its end, next to the word it opens,
    any other at its start. A run that encodes a letter or a digit (the "é" of "Résumé")
    is left as written, so that no word is cut in two, and so is one that is no UTF-8."""
    if "\\x" not in text:
        return text
    return ESCAPED_BYTES.sub(lambda escaped: _escaped_marks(escaped.group(0)), text)


def decode_mojibake(text: str) -> str:
    """``text`` with UTF-8 that was read as Windows-1252 read as the characters it encodes,
    each character of the rest where it was, as ``decode_escaped_bytes`` does: a run that
    encodes marks ("â€¢" a bullet, "â€“" a dash, "Â" and a no-break space) is written as
    those marks and spaces to its length, one that encodes a letter ("Ã©", an "é") is left
    as written. An "Â" that ends a word ("HCPCSÂ coding") becomes a space."""
    if text.isascii():  # four in five of dotin's résumés
        return text
    text = A_CIRCUMFLEX_BEFORE_SPACE.sub(
        lambda a: " " if a.start() and not text[a.start() - 1].isspace() else a.group(0), text
    )
    return MOJIBAKE.sub(lambda run: _mojibake_marks(run.group(0)), text)


@functools.lru_cache(maxsize=4096)
def _escaped_marks(run: str) -> str:
    try:
        chars = bytes.fromhex(run.replace("\\x", "")).decode("utf-8")
    except UnicodeDecodeError:
        return run
    return _marks(run, chars)


@functools.lru_cache(maxsize=4096)
def _mojibake_marks(run: str) -> str:
    try:
        chars = b"".join(MOJIBAKE_BYTE[char] for char in run).decode("utf-8")
    except UnicodeDecodeError:
        return run
    # Letters with accents can look like mojibake too ("Ö" and a no-break space encode a
    # Hebrew accent): what a run stands for must be the punctuation, spaces and symbols
    # that text is made of, not combining marks, unassigned code points or Braille.
    if not all(_typographic(char) for char in chars):
        return run
    return _marks(run, chars)


def _typographic(char: str) -> bool:
    category = unicodedata.category(char)
    if category[0] == "S":
        return not "\u2800" <= char <= "\u28ff"
    return category[0] in "PZ" or category in ("Co", "Cf")


def _marks(run: str, chars: str) -> str:
    """What ``run``, which stands for ``chars``, reads as: those marks padded with spaces to
    the run's length, or the run itself when a letter or a digit is among them."""
    categories = [unicodedata.category(c) for c in chars]
    if any(cat[0] in "LN" for cat in categories):
        return run
    marks = "".join(
        "\u2022" if cat == "Co" else c
        for c, cat in zip(chars, categories, strict=True)
        if cat != "Cc"
    )
    pad = " " * (len(run) - len(marks))
    opening = marks and unicodedata.category(marks[0]) in ("Ps", "Pi")
    return pad + marks if opening else marks + pad


def repair_text(text: str) -> str:
    """``text`` as the parser reads it, every character where it was: bytes written out as
    text decoded (``decode_escaped_bytes``), lost line breaks put back
    (``restore_line_breaks``), then mojibake read (``decode_mojibake``; after the breaks, so
    that the spaces it pads with are not taken for them)."""
    return decode_mojibake(restore_line_breaks(decode_escaped_bytes(text)))


def _pdf_text(data: bytes, name: str, max_pages: int, engine: str) -> str:
    if engine == "pdfium":
        try:
            text, pages = pdf_text(data, name, max_pages)
        except Unreadable:
            pass
        else:
            if not text.strip():
                raise _no_text_layer(name, pages)
            return text
    return _pdfminer_text(data, name, max_pages)


def _no_text_layer(name: str, pages: int) -> NoTextLayer:
    return NoTextLayer(
        f"{name}: the PDF has {pages} page(s) but no text layer (a scan?); "
        "run OCR first or send the text"
    )


def _pdfminer_text(data: bytes, name: str, max_pages: int) -> str:
    stream = io.BytesIO(data)
    try:
        pages = 0
        for _ in PDFPage.get_pages(stream, check_extractable=False):
            pages += 1
            if pages > max_pages:
                raise FileTooLarge(f"{name}: more than {max_pages} pages")
        if pages == 0:
            raise CorruptDocument(f"{name}: the PDF has no pages")
        out = io.StringIO()
        stream.seek(0)
        # boxes_flow=None keeps reading order by position, which suits one-column résumés
        # and is markedly faster than the default layout analysis.
        extract_text_to_fp(stream, out, laparams=LAParams(boxes_flow=None), codec="utf-8")
    except (PDFEncryptionError, PDFPasswordIncorrect) as exc:
        raise EncryptedDocument(f"{name}: the PDF is password-protected") from exc
    except (
        PDFSyntaxError,
        PSException,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        AssertionError,
        RecursionError,
    ) as exc:
        raise CorruptDocument(f"{name}: the PDF is damaged ({type(exc).__name__})") from exc
    text = out.getvalue()
    if not text.strip():
        raise _no_text_layer(name, pages)
    return text


def _docx_text(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "EncryptedPackage" in archive.namelist():
                raise EncryptedDocument(f"{name}: the document is password-protected")
            inflated = sum(info.file_size for info in archive.infolist())
            if inflated > MAX_DOCX_INFLATED:
                raise FileTooLarge(f"{name}: the document inflates to {inflated:,} bytes")
        document = open_docx(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise CorruptDocument(f"{name}: the DOCX file is damaged") from exc
    except (KeyError, ValueError) as exc:
        raise CorruptDocument(f"{name}: not a valid DOCX document ({exc})") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                if cell.text not in cells:
                    cells.append(cell.text)
            parts.append(" | ".join(cells))
    return "\n".join(parts)


def _plain_text(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadEncoding(f"{name}: damaged UTF-16 text") from exc
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > len(sample) // 100:
        raise UnsupportedFormat(f"{name}: binary data, not a text document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 is what non-UTF-8 résumé text files almost always are.
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise BadEncoding(f"{name}: text is neither UTF-8 nor Windows-1252") from exc
