"""PDF text through PDFium (pypdfium2), with words and lines found from where glyphs sit.

PDFium reads the LiveCareer résumé PDFs about twenty times as fast as pdfminer.six (about
20 ms a two-page résumé against 400 ms; ``stages`` of benchmarks/reindex.py), but its own
text joins words on PDFs that place every glyph with its own text operator and draw no space
(HTML renderers do): "creativeteaching". So the text is rebuilt from each glyph's origin and
box:

- a space goes between two glyphs on one line when the second starts further from the first
  than the first glyph's usual advance on that page (the low percentile of the distances to
  the glyph that follows it), or when their boxes are apart;
- a line ends where the baseline moves, where the next glyph is left of the last, or where a
  gap is wider than a glyph's height (a second column on the same baseline).

Compared with pdfminer.six's text of the 300 LiveCareer PDFs (the words of each document
as a bag, in a one-off script of 2026-12-03, not a benchmark here), the words agree at F1
0.9998 on average, 0.977 at worst.

PDFium is not thread-safe, not even across documents, so every call into it holds one lock;
processes, not threads, read PDFs in parallel.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from numpy.typing import NDArray

from models import CorruptDocument, EncryptedDocument, FileTooLarge

_LOCK = threading.Lock()

# Thresholds in glyph heights (the taller of the two glyphs), fitted on the LiveCareer PDFs
# against pdfminer.six's spacing.
WORD_GAP = 0.10  # start beyond the glyph's usual advance that makes a space
BOX_GAP = 0.08  # distance between two glyph boxes that makes a space, whatever the advance
JOINER_GAP = 0.16  # around "-" and "/", which HTML renderers pad: "year-end", "and/or"
COLUMN_GAP = 1.0  # a gap this wide on one baseline starts another line (another column)
BASELINE_SHIFT = 0.5  # a baseline moved by this much starts another line
ADVANCE_PERCENTILE = 20

_SPACES = np.array([0x20, 0x09, 0xA0, 0x3000])
_NEWLINE = 0x0A
# PDFium reports a hyphen that ends a line as U+0002 (or U+FFFE).
_LINE_END_HYPHENS = np.array([0x02, 0xFFFE])
_JOINERS = np.array([ord("-"), ord("/")])


class Unreadable(Exception):
    """PDFium could not open the file as a PDF; another reader may still."""


@dataclass(frozen=True, slots=True)
class Glyphs:
    """The characters of one page in PDFium's order: code points, origin x and loose
    boxes (left, right, bottom, top) in PDF units."""

    codes: NDArray[np.int64]
    origin: NDArray[np.float64]
    left: NDArray[np.float64]
    right: NDArray[np.float64]
    bottom: NDArray[np.float64]
    top: NDArray[np.float64]


def pdf_text(data: bytes, name: str, max_pages: int) -> tuple[str, int]:
    """``(text, pages)`` of a PDF, pages joined by a newline.

    Raises FileTooLarge (over ``max_pages``), EncryptedDocument, CorruptDocument (no pages),
    and Unreadable when PDFium cannot open it.
    """
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) in (
                pdfium_c.FPDF_ERR_PASSWORD,
                pdfium_c.FPDF_ERR_SECURITY,
            ):
                raise EncryptedDocument(f"{name}: the PDF is password-protected") from exc
            raise Unreadable(str(exc)) from exc
        try:
            pages = len(document)
            if pages > max_pages:
                raise FileTooLarge(f"{name}: more than {max_pages} pages")
            if pages == 0:
                raise CorruptDocument(f"{name}: the PDF has no pages")
            glyphs = [_read_page(document, number) for number in range(pages)]
        finally:
            document.close()
    return "\n".join(page_text(g) for g in glyphs), pages


def _untyped(function: Any, *argtypes: Any) -> Any:
    """The same C function with plain addresses for its pointer arguments, so that a page's
    glyphs are written straight into NumPy arrays (a third faster than ctypes structures)."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    assert address is not None, "PDFium has no such function"
    return ctypes.CFUNCTYPE(ctypes.c_int, *argtypes)(address)


_VOID, _INT = ctypes.c_void_p, ctypes.c_int
_LOOSE_BOX = _untyped(pdfium_c.FPDFText_GetLooseCharBox, _VOID, _INT, _VOID)
_ORIGIN = _untyped(pdfium_c.FPDFText_GetCharOrigin, _VOID, _INT, _VOID, _VOID)


def _read_page(document: pdfium.PdfDocument, number: int) -> Glyphs:
    page = document[number]
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = max(pdfium_c.FPDFText_CountChars(raw), 0)
        codes = _codes(raw, count)
        # FS_RECTF is four floats: left, top, right, bottom.
        boxes = np.zeros((count, 4), np.float32)
        origins = np.zeros((count, 2), np.float64)
        handle = ctypes.cast(raw, ctypes.c_void_p).value
        box_at, origin_at = boxes.ctypes.data, origins.ctypes.data
        for i in range(count):
            _LOOSE_BOX(handle, i, box_at + 16 * i)
            _ORIGIN(handle, i, origin_at + 16 * i, origin_at + 16 * i + 8)
    finally:
        textpage.close()
        page.close()
    wide = boxes.astype(np.float64)
    return Glyphs(codes, origins[:, 0], wide[:, 0], wide[:, 2], wide[:, 3], wide[:, 1])


def _codes(raw: Any, count: int) -> NDArray[np.int64]:
    """The page's code points, one per character index: in one call as UTF-16 when that
    gives one unit a character (no surrogate pairs), else a call per character."""
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    units: NDArray[np.int64] = np.frombuffer(memoryview(buffer), np.uint16)[:count].astype(np.int64)
    surrogates = (units >= 0xD800) & (units < 0xE000)
    if written == count + 1 and not surrogates.any():
        return units
    get_unicode = pdfium_c.FPDFText_GetUnicode
    return np.fromiter((get_unicode(raw, i) for i in range(count)), np.int64, count)


def _height_keys(codes: NDArray[np.int64], heights: NDArray[np.float64]) -> NDArray[np.int64]:
    """One integer per (code point, height to a tenth of a unit)."""
    return codes * 1_000_000 + np.clip(np.rint(heights * 10), 0, 999_999).astype(np.int64)


def usual_advances(g: Glyphs) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """For each (code point, glyph height) on the page, as sorted keys of ``_height_keys``
    and values: the low percentile of the distance from its origin to the next glyph's on
    the same line. That is its advance inside a word, since most neighbours are."""
    heights = g.top - g.bottom
    glyph = _is_glyph(g.codes)
    step = g.origin[1:] - g.origin[:-1]
    pair = (
        glyph[:-1]
        & glyph[1:]
        & (np.abs(g.bottom[1:] - g.bottom[:-1]) <= 0.3 * np.maximum(heights[:-1], 1e-3))
        & (step > 0)
    )
    keys = _height_keys(g.codes[:-1][pair], heights[:-1][pair])
    steps = step[pair]
    if not len(keys):
        return keys, steps
    order = np.lexsort((steps, keys))
    keys, steps = keys[order], steps[order]
    unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
    # numpy's default (linear) percentile within each group of sorted steps
    position = (counts - 1) * (ADVANCE_PERCENTILE / 100)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, counts - 1)
    fraction = position - low
    values = steps[first + low] + (steps[first + high] - steps[first + low]) * fraction
    return unique, values


def page_text(g: Glyphs) -> str:
    """One page's text, words and lines placed as described in the module docstring."""
    keep = (g.codes >= 0x20) | (g.codes == _NEWLINE) | np.isin(g.codes, _LINE_END_HYPHENS)
    g = Glyphs(*(column[keep] for column in (g.codes, g.origin, g.left, g.right, g.bottom, g.top)))
    codes = np.where(np.isin(g.codes, _LINE_END_HYPHENS), ord("-"), g.codes)
    newline = codes == _NEWLINE
    space = np.isin(codes, _SPACES)
    at = np.flatnonzero(~newline & ~space)  # the glyphs
    if not len(at):
        return ""
    # Before each glyph: how many newlines PDFium put since the glyph before it, and whether
    # it put a space there.
    newlines_before = np.diff(np.cumsum(newline)[at], prepend=0)
    spaced_before = np.diff(np.cumsum(space)[at], prepend=0) > 0
    cur, last = at[1:], at[:-1]
    heights = g.top - g.bottom
    size = np.maximum(np.maximum(heights[cur], heights[last]), 1e-3)
    box_gap = g.left[cur] - g.right[last]
    new_line = (
        (np.abs(g.bottom[cur] - g.bottom[last]) >= BASELINE_SHIFT * size)
        | (box_gap > COLUMN_GAP * size)
        | (g.left[cur] < g.left[last] - 0.5 * size)
    )
    previous = codes[last]
    joiner = np.isin(previous, _JOINERS) | np.isin(codes[cur], _JOINERS)
    past_advance = _past_advance(g, codes, cur, last, heights, box_gap)
    new_word = (past_advance > np.where(joiner, JOINER_GAP, WORD_GAP) * size) | (
        box_gap > np.where(joiner, JOINER_GAP, BOX_GAP) * size
    )
    # What goes before each glyph: PDFium's newlines, else a newline or a space of ours.
    repeat = newlines_before.copy()
    separator = np.full(len(at), _NEWLINE)
    inner = repeat[1:] == 0
    repeat[1:][inner] = (new_line | spaced_before[1:] | new_word)[inner]
    separator[1:][inner & ~new_line] = ord(" ")
    out = np.empty(len(at) + int(repeat.sum()), np.uint32)
    glyph_at = np.cumsum(repeat + 1) - 1
    is_glyph = np.zeros(len(out), bool)
    is_glyph[glyph_at] = True
    out[glyph_at] = codes[at]
    out[~is_glyph] = np.repeat(separator, repeat)
    return out.tobytes().decode("utf-32-le", errors="replace")


def _past_advance(
    g: Glyphs,
    codes: NDArray[np.int64],
    cur: NDArray[np.int64],
    last: NDArray[np.int64],
    heights: NDArray[np.float64],
    box_gap: NDArray[np.float64],
) -> NDArray[np.float64]:
    """How much further each glyph starts from the one before it than that one's usual
    advance; the distance between their boxes where the advance is not known or the glyph
    before is punctuation (",", ";" are followed by a space nearly always, so their usual
    advance has the space in it)."""
    keys, advances = usual_advances(g)
    if not len(keys):
        return box_gap
    wanted = _height_keys(codes[last], heights[last])
    where = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    kinds, inverse = np.unique(codes[last], return_inverse=True)
    alnum = np.array([chr(int(c)).isalnum() for c in kinds], bool)[inverse]
    step = g.origin[cur] - g.origin[last] - advances[where]
    return np.where((keys[where] == wanted) & alnum, step, box_gap)


def _is_glyph(codes: NDArray[np.int64]) -> NDArray[np.bool_]:
    return (codes >= 0x20) & ~np.isin(codes, _SPACES)
