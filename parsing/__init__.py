"""Bytes to records: text extraction, sections, contact fields, titles, skills.

The names below load on first use (PEP 562), so that a process that only extracts text
(a document-sandbox worker) does not import spaCy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from parsing import _without_torch

_without_torch.install()  # before anything imports spaCy: see parsing/_without_torch.py

if TYPE_CHECKING:
    from parsing._extract import DEFAULT_MAX_BYTES, DOC_SUFFIXES, extract_text, sniff_format
    from parsing._tagger import Kind
    from parsing._taxonomy import SkillEntry, Taxonomy
    from parsing.parser import FREE_PREFIX, Parser, names_product, ordinary_words

_WHERE = {
    "DEFAULT_MAX_BYTES": "parsing._extract",
    "DOC_SUFFIXES": "parsing._extract",
    "extract_text": "parsing._extract",
    "sniff_format": "parsing._extract",
    "Kind": "parsing._tagger",
    "SkillEntry": "parsing._taxonomy",
    "Taxonomy": "parsing._taxonomy",
    "FREE_PREFIX": "parsing.parser",
    "Parser": "parsing.parser",
    "names_product": "parsing.parser",
    "ordinary_words": "parsing.parser",
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DOC_SUFFIXES",
    "FREE_PREFIX",
    "Kind",
    "Parser",
    "SkillEntry",
    "Taxonomy",
    "extract_text",
    "names_product",
    "ordinary_words",
    "sniff_format",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'parsing' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
