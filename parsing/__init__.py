"""Bytes to records: text extraction, sections, contact fields, titles, skills."""

from parsing._extract import DEFAULT_MAX_BYTES, DOC_SUFFIXES, extract_text, sniff_format
from parsing._tagger import Kind
from parsing._taxonomy import SkillEntry, Taxonomy
from parsing.parser import FREE_PREFIX, Parser, names_product, ordinary_words

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
