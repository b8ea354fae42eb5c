"""Bytes to records: text extraction, sections, contact fields, titles, skills."""

from parsing._extract import DEFAULT_MAX_BYTES, DOC_SUFFIXES, extract_text, sniff_format
from parsing._taxonomy import SkillEntry, Taxonomy
from parsing.parser import FREE_PREFIX, Parser

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DOC_SUFFIXES",
    "FREE_PREFIX",
    "Parser",
    "SkillEntry",
    "Taxonomy",
    "extract_text",
    "sniff_format",
]
