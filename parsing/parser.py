"""Documents to :class:`Resume` and :class:`Job` records."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.about import __version__ as SPACY_VERSION
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LOWER, NORM, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from models import InvalidInput, Job, JobSkill, Resume, Section, SkillMention
from parsing import _compiled as compiled
from parsing import _evidence as evidence
from parsing import _phrases
from parsing._blind import blind_text, may_stand_in_name, name_spans
from parsing._extract import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PAGES,
    extract_text,
    normalise_text,
    repair_text,
)
from parsing._fields import (
    find_contact,
    guess_name,
    in_address,
    labels_contact,
    stated_years,
    years_of_experience,
)
from parsing._job_tagger import TOKENIZER_FILE, LazyJobTagger
from parsing._phrases import PhraseTable
from parsing._sections import find_sections, section_at
from parsing._tagger import Features, Kind, SkillTagger, Tagged
from parsing._taxonomy import SkillEntry, Taxonomy

# Labels this short, or written in capitals, match case-sensitively: "R", "C", "SQL", "AWS".
CASE_SENSITIVE_MAX_LEN = 3
# What a name written apart has between its parts ("Mongo DB", "Java-Script", "Node.js"),
# and how long a name must be without them to be linked so.
COMPACT_DROP = re.compile(r"[\s.\-]+")
COMPACT_MIN_CHARS = 5
# A word's own prefixes, written apart: "multi-task" is a word, not the product Multitask.
BOUND_PREFIXES = frozenset({"anti", "multi", "non", "pre", "re", "semi", "sub"})
# Labels that are English function words or résumé boilerplate rather than skills.
STOP_LABELS = {
    "it",
    "be",
    "do",
    "as",
    "is",
    "on",
    "in",
    "at",
    "to",
    "or",
    "and",
    "the",
    "make",
    "work",
    "use",
    "lead",
    "process",
    "manage",
    "support",
    "plan",
    "report",
    "present",
    "design",
    "test",
    "build",
    "run",
    "sell",
    "write",
    "read",
    "speak",
    "teach",
    "drive",
    "communication",
    "languages",
    "experience",
    "skills",
    "management",
    "education",
}
MAX_TEXT_CHARS = 200_000
# Tokenisation (see skill_tokenizer): what opens, closes and splits a whitespace-free chunk.
TOKEN_PREFIX = re.compile(r"""^[\[({"'“‘«•·*>~–—]""")
TOKEN_SUFFIX = re.compile(r"""[\])}"'”’»,;:!?.…]$""")
TOKEN_INFIX = re.compile(
    r"""(?<=[A-Za-z0-9])[-–—,:;=<>|](?=[A-Za-z0-9])"""  # T-SQL, Python,Java, Skills:Python
    r"""|(?<=\S)/(?=\S)"""  # TCP/IP, C#/.NET
    r"""|(?<=[a-z])\.(?=[A-Z])"""  # a lost space: "Java.Next"
    r"""|(?<=#)(?=\.[A-Za-z])"""  # C# on .NET: "C#.NET" is "C#" and ".NET"
    r"""|(?<=[A-Za-z0-9#+])[\[\]()](?=[A-Za-z0-9])"""  # C#(2 years), Eclipse[Pydev plugin]
)
FREE_PREFIX = "free:"
# spaCy's tokenizer caches how it split each whitespace-free chunk, up to 10,000 by default:
# a few hundred résumés hold more distinct chunks than that. Bounded, about 10 MB at most.
TOKEN_CACHE = 200_000
LEXICAL_ATTRS = (LOWER, NORM, IS_SPACE, IS_PUNCT)
GENERIC_TAILS = {"skills", "skill", "experience", "knowledge", "expertise", "proficiency"}
EDGE_PUNCTUATION = ".,;:!?\"'"
HOBBY_SECTIONS = {"interests"}
LIST_CONNECTORS = {",", "/", "and", "or", "&", "|", ";"}
# What stands between the items of a list, besides line breaks: separators and bullets.
LIST_ITEM_EDGES = {",", ";", "|", "•", "·", "*", "-", "–", "▪", "◦", "○", "●"}
NEGATION_CUES = {"no", "not", "without", "never", "lack", "lacks", "lacking", "unfamiliar"}
NEGATION_WINDOW = 5
FUNCTION_WORDS = {"at", "in", "on", "to", "the", "a", "an", "with", "for", "of", "and"}
# The words a tagged phrase's edges are trimmed of: spaCy's English stop words, less those
# that are part of skills' names ("Six Sigma", "Full Stack", "Front End", "make decisions").
EDGE_WORDS = STOP_WORDS - {
    *"one two three four five six eight nine ten eleven twelve fifteen twenty forty".split(),
    *"fifty sixty hundred first third back bottom front full top side part name call".split(),
    *"show move put give get go keep make made take see say serious empty whole well".split(),
    "amount",
}
SENTENCE_ENDS = {".", ";", "!", "?", "•", ":"}
WORD = re.compile(r"[A-Za-z+#]+")
# A tagged phrase the taxonomy does not name is kept as a free skill up to this many tokens.
# Job posts ask for skills in phrases ("design and build data pipelines in the cloud"): 99.5%
# of the skill and knowledge spans in SkillSpan's training split have at most 13 words. At 8,
# 53 phrases the job tagger marked in SkillSpan dev were dropped (relaxed F1 0.717, against
# 0.728 at 16); the résumé tagger's phrases are shorter (dotin scored the same at both).
MAX_FREE_TOKENS = 16
# A taxonomy match of a general skill ("project management", "computer science") that the
# tagger did not mark is kept when the tagger gives one of its tokens at least this
# probability of being part of a skill: "Computer Science" the degree is dropped, skills the
# tagger was merely unsure of are kept. Chosen for each tagger, whose odds differ in scale: for
# the résumé CRF out of fold on dotin (relaxed F1 0.562 at 0.05, 0.565 at 0.1, 0.563 at 0.15,
# 0.565 at 0.2, 0.564 at 0.3: fewer unmarked matches kept, more of them right); the job
# tagger's at 0.05 (SkillSpan dev 0.746 there, 0.747 at 0.1, but "CI/CD" in a SkillSpan post
# gets 0.06).
# A named product ("GCP", "SAP", "Apache Spark") in a résumé needs no support, unless its name
# is an ambiguous word or the tagger reads it as part of a name (NAMED_SUPPORT), or more as
# part of a name than as a skill (``_more_a_name``; out of fold 0.570 without that, 0.574).
MATCH_SUPPORT = 0.1
JOB_MATCH_SUPPORT = 0.05
# A taxonomy match the tagger did not mark is dropped when it gives one of its tokens at least
# this probability of being part of a name: of an employer, a school or degree, a place or a
# person.
NAMED_SUPPORT = 0.3
# In a hobbies section a phrase is a skill only when the tagger is sure of it: a pastime the
# tagger half-reads as a skill ("swimming" at 0.23 under "Hobbies") stays a pastime.
HOBBY_SUPPORT = 0.5
# A phrase the taxonomy does not name that is one ordinary English word ("Team", "Server",
# "Designer", "Business") needs the tagger's even odds, or to be listed with another skill
# ("Analytics, Research"), as an ambiguous taxonomy match does: the résumé tagger marks a
# token from ``TOKEN_THRESHOLD``, well under even odds, and a lone word it is unsure of is
# most often a heading, a title or part of a name. The job tagger marks from 0.5 itself.
FREE_WORD_SUPPORT = 0.5
# The two-letter codes of the US states and Canada's provinces and territories: after a place
# and a comma they are part of it ("Montreal, QC"), whatever else the letters spell (quality
# control).
REGION_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH"
    " NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
    " AB BC MB NB NL NS NT NU ON PE QC SK YT".split()
)
# What ends the item before the years a skills list gives it (``_items_with_years``).
ITEM_START = re.compile(r"[,;:|•()]|\n\s*\n")
SOFTWARE_SUFFIX = re.compile(r"\s+software$", re.IGNORECASE)
ROMAN = re.compile(r"[ivx]+")
SENIORITY = {
    "senior",
    "sr",
    "sr.",
    "junior",
    "jr",
    "jr.",
    "lead",
    "principal",
    "staff",
    "chief",
    "head",
    "associate",
    "assistant",
    "deputy",
    "trainee",
    "graduate",
    "intern",
}
TITLE_SUFFIXES = ("ist", "er", "or", "ant", "ian", "ect", "ive")


def label_mode(label: str, *, preferred: bool) -> str | None:
    """How a taxonomy label is matched: ``lower`` (any case), ``exact`` (as written, or in
    capitals) or None (never: too ambiguous to mean a skill on its own)."""
    if not label or label.lower() in STOP_LABELS:
        return None
    single = " " not in label and "-" not in label
    if len(label) <= CASE_SENSITIVE_MAX_LEN:
        # "SQL", "C#", "k8s" are names; "it", "ms" are words.
        named = label != label.lower() or not label.isalpha()
        return "exact" if (len(label) >= 2 or label in {"C", "R"}) and named else None
    if single and label != label.lower():
        # "Excel", "Access", "Swift", "AWS": product names are written with capitals.
        return "exact"
    if single and not preferred:
        # Lower-case one-word alternative labels ("current", "recovery") are mostly noise.
        return None
    return "lower"


class Parser:
    """Holds the spaCy pipeline and the taxonomy matchers; load once, reuse for every call."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        *,
        use_tagger: bool = True,
        job_tagger: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        """``use_tagger=False`` finds skills with the taxonomy alone (for training the
        tagger, and as a reference in the benchmark). ``job_tagger=False`` reads job
        postings with the CRF too (the benchmark's comparison; by default they are read by
        the transformer of ``parsing._job_tagger``). ``cache_dir`` keeps what is derived
        from the taxonomy and the tagger's model for the next process to load in
        milliseconds (``parsing._compiled``; by default under ``~/.cache/talentmatch``)."""
        self.taxonomy = taxonomy or Taxonomy.load()
        self.nlp = spacy.blank("en")
        # A word spaCy has not seen gets its lexical attributes computed once, all 23 of
        # English's by default; only these are read here (a third of the cost of a new word).
        vocab: Any = self.nlp.vocab  # spaCy's stubs do not declare lex_attr_getters
        vocab.lex_attr_getters = {a: vocab.lex_attr_getters[a] for a in LEXICAL_ATTRS}
        self.nlp.tokenizer = skill_tokenizer(self.nlp.vocab)
        self.nlp.max_length = MAX_TEXT_CHARS + 1000
        self.cache_dir = compiled.default_cache_dir() if cache_dir is None else cache_dir
        self._build_skill_matchers(self.cache_dir)
        self.tagger = SkillTagger(self.taxonomy, cache_dir=self.cache_dir) if use_tagger else None
        self.job_tagger = LazyJobTagger() if use_tagger and job_tagger else None
        self._products = frozenset(
            sid for sid, e in self.taxonomy.skills.items() if names_product(e, self._ordinary_words)
        )
        # Titles are looked up as lower-cased token n-grams in a set: 75k titles build in
        # well under a second, where a PhraseMatcher over them took 8 s to build.
        self._titles = {
            " ".join(label.lower().split())
            for label, _ in self.taxonomy.titles
            if len(label.split()) >= 2 or label.lower().endswith(TITLE_SUFFIXES)
        }
        # Every title's word prefixes ("senior", "senior data"), True where one is a title.
        self._title_prefixes: dict[str, bool] = {}
        for title in self._titles:
            words = title.split()
            for n in range(1, len(words)):
                self._title_prefixes.setdefault(" ".join(words[:n]), False)
        self._title_prefixes.update(dict.fromkeys(self._titles, True))
        self._title_words = frozenset(w for t in self._titles for w in t.split())

    # -- building -------------------------------------------------------------------------
    def _build_skill_matchers(self, cache_dir: Path | None) -> None:
        # Kept on disk by the taxonomy's digest and the source of this module (the
        # tokenizer and the rules below) and of the phrase tables: any changed, the
        # patterns are built again.
        fingerprint = compiled.digest(
            self.taxonomy.digest,
            compiled.source_of(sys.modules[__name__], _phrases),
            SPACY_VERSION,
            _vocabulary_file().read_bytes(),
        )
        arrays = compiled.load_or_build(
            cache_dir if self.taxonomy.digest else None,
            "skill-patterns",
            fingerprint,
            self._skill_pattern_arrays,
        )
        self._skills_lower = PhraseTable(LOWER, compiled.part(arrays, "lower"))
        self._skills_exact = PhraseTable(ORTH, compiled.part(arrays, "exact"))
        labels = compiled.get_strings(arrays, "by_label")
        ids = compiled.get_strings(arrays, "by_label_ids")
        skills = self.taxonomy.skills
        self._by_label: dict[str, SkillEntry] = {
            label: skills[i] for label, i in zip(labels, ids, strict=True)
        }
        compact = compiled.get_strings(arrays, "by_compact")
        compact_ids = compiled.get_strings(arrays, "by_compact_ids")
        self._by_compact: dict[str, SkillEntry] = {
            key: skills[i] for key, i in zip(compact, compact_ids, strict=True)
        }
        written = compiled.get_strings(arrays, "by_written")
        written_ids = compiled.get_strings(arrays, "by_written_ids")
        self._by_written: dict[str, SkillEntry] = {
            label: skills[i] for label, i in zip(written, written_ids, strict=True)
        }
        self._ordinary_words = frozenset(compiled.get_strings(arrays, "ordinary"))
        # Names matched in other cases than as written, and those of them written with
        # capitals alone (``_skill_pattern_arrays``).
        self._skills_recased = PhraseTable(LOWER, compiled.part(arrays, "recased"))
        self._plain_names = frozenset(compiled.get_strings(arrays, "plain_names"))

    def _skill_pattern_arrays(self) -> compiled.Arrays:
        # One pattern means one skill: the skill it names, before one that lists it as an
        # alternative ("SQL" is the skill SQL, not an alias of database management systems).
        # Exact-case patterns are owned case-sensitively: "Spark" (the Apache tool) and
        # "SPARK" (ESCO's Ada dialect) are two patterns.
        owner: dict[tuple[str, str], tuple[int, str]] = {}
        for entry in self.taxonomy.skills.values():
            for label in {a.strip() for a in (entry.label, *entry.aliases)}:
                mode = label_mode(label, preferred=label == entry.label)
                if mode is None:
                    continue
                rank = 0 if label == entry.label else 1
                patterns = {label, label.upper()} if mode == "exact" else {label.lower()}
                for pattern in patterns:
                    key = (mode, pattern)
                    if key not in owner or (rank, entry.id) < owner[key]:
                        owner[key] = (rank, entry.id)
        tables: dict[str, dict[str, list[str]]] = {"lower": {}, "exact": {}, "recased": {}}
        for (mode, pattern), (_, skill_id) in owner.items():
            tables[mode].setdefault(skill_id, []).append(pattern)
        # A name matched as written is matched in any case too when its lower-case form is
        # no English word: résumés list "javascript", "Mysql", "kubernetes". Never over a
        # label of its own, nor for two skills' names, nor for "excel", "spark" or "java".
        # Written in capitals or with one alone ("Kubernetes", "PEET", "Multitask"), it may
        # be a word or a surname all the same ("multitask", "Peet"): it is read so only when
        # ESCO names it or O*NET marks it a hot technology, and then is ambiguous
        # (``_ambiguous``).
        ordinary = ordinary_words(self.taxonomy)
        english = ordinary | english_words()
        recased: dict[str, set[str]] = {}
        plain: dict[str, bool] = {}  # each name recased: written with capitals alone?
        for (mode, pattern), (_, skill_id) in owner.items():
            lower = pattern.lower()
            if (
                mode == "exact"
                and len(pattern) > CASE_SENSITIVE_MAX_LEN
                and " " not in pattern
                and "-" not in pattern
                and lower not in english
            ):
                cased = pattern.isalpha() and (pattern.istitle() or pattern.isupper())
                entry = self.taxonomy.skills[skill_id]
                if cased and not (entry.source == "esco" or entry.hot):
                    continue
                recased.setdefault(lower, set()).add(skill_id)
                plain[lower] = plain.get(lower, True) and cased
        for lower, ids in recased.items():
            if len(ids) == 1 and ("lower", lower) not in owner:
                tables["recased"].setdefault(ids.pop(), []).append(lower)
            else:
                del plain[lower]
        by_label: dict[str, str] = {}
        for (_, pattern), (_, skill_id) in sorted(owner.items(), key=lambda kv: kv[1]):
            by_label.setdefault(" ".join(pattern.lower().split()), skill_id)
        # The exact-case patterns as written, for linking as extraction reads them.
        by_written = {
            " ".join(pattern.split()): skill_id
            for (mode, pattern), (_, skill_id) in owner.items()
            if mode == "exact"
        }
        arrays: compiled.Arrays = {}
        for mode, attr in (("lower", LOWER), ("exact", ORTH), ("recased", LOWER)):
            arrays |= compiled.nested(mode, PhraseTable.build(self.nlp, attr, tables[mode]))
        compiled.put_strings(arrays, "by_label", list(by_label))
        compiled.put_strings(arrays, "by_label_ids", list(by_label.values()))
        # Each label's compact form, for a name written apart ("Mongo DB", "elastic search",
        # "Java-Script"): one skill's alone, long enough to be a name (".NET" is "net"), and
        # no English word.
        compact: dict[str, set[str]] = {}
        for label, skill_id in by_label.items():
            compact.setdefault(compact_name(label), set()).add(skill_id)
        by_compact = {
            key: ids.pop()
            for key, ids in compact.items()
            if len(ids) == 1 and len(key) >= COMPACT_MIN_CHARS and key not in english
        }
        compiled.put_strings(arrays, "by_compact", list(by_compact))
        compiled.put_strings(arrays, "by_compact_ids", list(by_compact.values()))
        compiled.put_strings(arrays, "by_written", list(by_written))
        compiled.put_strings(arrays, "by_written_ids", list(by_written.values()))
        compiled.put_strings(arrays, "ordinary", sorted(ordinary))
        compiled.put_strings(arrays, "plain_names", sorted(w for w, p in plain.items() if p))
        return arrays

    # -- linking --------------------------------------------------------------------------
    def link_skill(self, phrase: str) -> SkillEntry | None:
        """The canonical skill a phrase names: by preferred label, then alternative label
        (case-insensitive, whitespace folded), then a name written apart ("Mongo DB",
        "elastic search": ``compact_name``); None when no label matches. A name that
        extraction matches only as written is linked so too: "Spark" is Apache Spark, "SPARK"
        ESCO's Ada dialect."""
        folded = " ".join(phrase.split())
        lowered = folded.lower()
        entry = self._by_written.get(folded) or self._by_label.get(lowered)
        if entry is None and COMPACT_DROP.split(lowered, 1)[0] not in BOUND_PREFIXES:
            entry = self._by_compact.get(compact_name(lowered))
        return entry

    # -- skills ---------------------------------------------------------------------------
    def find_skills(
        self,
        text: str,
        sections: list[Section] | None = None,
        kind: Kind = "resume",
        *,
        doc: Doc | None = None,
    ) -> list[SkillMention]:
        """Skills in ``text``, a résumé or a job description (``kind``);
        ``text[m.start:m.end] == m.text`` for every mention.

        The tagger marks skill phrases in context (the CRF in a résumé, the transformer of
        ``parsing._job_tagger`` in a job posting); each is linked to the taxonomy match it
        covers, else by its label, else kept as a free skill (id ``free:<phrase>``). Taxonomy
        matches the tagger did not mark are kept when it gives them some support
        (``MATCH_SUPPORT``) or, in a job posting, are listed with another skill ("Preferred:
        Tableau, Power BI"), unless they are ambiguous on their own (a short or capitalised
        single word: "C", "Go", "Chef", "Excel"), which must also be listed with another skill,
        and dropped where the résumé tagger reads them as part of the name of an employer, a
        school, a place or a person ("Google" in "Software Engineering Intern, Google,
        Mountain View").
        ``doc``: ``text`` already tokenised, when the caller has it. A text whose line
        breaks were lost, or that holds bytes written out as text ("\\xe2\\x80\\xa2") or
        mojibake ("â€¢"), is read repaired (``repair_text``; the parse methods' text is so
        already).
        """
        lined = text
        if doc is None or sections is None:
            lined = repair_text(text)
            doc = doc if doc is not None else self._doc(lined)
            sections = sections if sections is not None else find_sections(lined)
        matches, written = self._matches(doc)
        if self.tagger is None:
            found = [(m.start, m.end, m.label_) for m in matches]
        else:
            tagged = (
                self.job_tagger.get().tag(doc)
                if kind == "job" and self.job_tagger is not None
                else self.tagger.tag(doc, written, sections, kind)
            )

            def spans(names: Collection[str]) -> list[tuple[int, int]]:
                return [(sec.start, sec.end) for sec in sections if sec.name in names]

            def within(spans: list[tuple[int, int]], token: int) -> bool:
                return any(start <= doc[token].idx < end for start, end in spans)

            # In a hobbies section a taxonomy match is a pastime, unless the tagger is sure
            # it is a skill in context (HOBBY_SUPPORT).
            hobbies = spans(HOBBY_SECTIONS)
            outside = [m for m in matches if not within(hobbies, m.start)]
            sure = [
                (start, end)
                for start, end in tagged.ranges
                if not within(hobbies, start)
                or tagged.probability[start:end].max() >= HOBBY_SUPPORT
            ]
            # A taxonomy match that is a whole item of a list in a résumé's skills section
            # ("Skills: accounts payable, financial statements, CPR, first aid") is the
            # candidate's own claim, kept whatever the tagger makes of the list.
            lists = spans({"skills"}) if kind == "resume" else []
            claimed = {m.start for m in outside if within(lists, m.start) and _list_item(doc, m)}
            years_of: set[int] = set()
            if kind == "job":
                # A skill a job states years of ("3+ years of SQL", "SQL (3+ years)", "SQL:
                # 3+ years") is asked for outright, whatever the job tagger makes of it;
                # even an ambiguous word ("3 to 5 years in Go").
                years_of = {
                    m.start
                    for m in outside
                    if evidence.years_stated_for(lined, m.start_char, m.end_char) is not None
                }
                claimed |= years_of
            found = self._combine(
                doc,
                outside,
                replace(tagged, ranges=sure),
                job=kind == "job",
                claimed=claimed,
                years_of=years_of,
                with_years=_items_with_years(doc, lined, lists),
            )
        mentions = []
        for start, end, skill_id in found:
            span = doc[start:end]
            first, last = span.start_char, _trim_end(text, span.start_char, span.end_char)
            label = (
                self.taxonomy.skills[skill_id].label
                if skill_id in self.taxonomy.skills
                else " ".join(text[first:last].split())
            )
            mentions.append(
                SkillMention(
                    id=skill_id,
                    label=label,
                    text=text[first:last],
                    start=first,
                    end=last,
                    section=section_at(sections, span.start_char),
                )
            )
        if kind == "resume":
            # A word of the candidate's name is no skill of theirs, whatever it spells: "JOHN
            # DOE" is not design of experiments (DOE), "MARY COMET" no MASINT tool. A skill
            # that is the whole "name" stays: that was a headline ("BUSINESS DEVELOPMENT").
            # Read in the repaired text, as the sections are: a résumé whose line breaks
            # were lost has its name on a line of its own only there.
            name = guess_name(lined, sections, self._reads_as_title)
            if may_stand_in_name((lined[m.start : m.end] for m in mentions), name):
                named = name_spans(lined, name)
                mentions = [
                    m
                    for m in mentions
                    if not any(
                        a <= m.start and m.end <= b and (m.start, m.end) != (a, b) for a, b in named
                    )
                ]
        # Nor is a word of an e-mail address or a link, or the name of a service that labels
        # one ("LinkedIn: https://…", "Skype: hrdk.dubal").
        return [
            m
            for m in mentions
            if not labels_contact(text, m.end) and not in_address(text, m.start, m.end)
        ]

    def _combine(
        self,
        doc: Doc,
        matches: list[Span],
        tagged: Tagged,
        *,
        job: bool = False,
        claimed: AbstractSet[int] = frozenset(),
        years_of: AbstractSet[int] = frozenset(),
        with_years: Sequence[tuple[int, int]] = (),
    ) -> list[tuple[int, int, str]]:
        """The skills of ``doc``: the tagger's phrases, each linked (to the taxonomy match it
        covers, else by label, else free), and the taxonomy matches it did not mark that
        stand on their own (``find_skills``); ``job``: ``doc`` is a job posting;
        ``claimed``: the first tokens of matches kept whatever the tagger says, unless
        ambiguous or read as part of a name; ``years_of``: those of them kept even when
        ambiguous, because the text states years of them ("3+ years of Go");
        ``with_years``: (start, end) of the items of a skills list that give their years
        ("DB2 (4 years)"), each a skill where nothing else is found in it."""
        at: dict[int, Span] = {i: m for m in matches for i in range(m.start, m.end)}
        used: set[int] = set()
        found: list[tuple[int, int, str]] = []
        unsure: list[tuple[int, int, str]] = []  # lone ordinary words (FREE_WORD_SUPPORT)
        # "Google" in "Software Engineer, Google, Mountain View": a name the tagger reads as
        # an employer's, a school's or a place's is not a skill of its own, nor the region
        # after a place it reads so ("QC" in "Montreal, QC", which the tagger took for
        # quality control in a dotin résumé's page headers).
        named: set[int] = (
            set(np.flatnonzero(tagged.named >= NAMED_SUPPORT).tolist())
            if tagged.named is not None
            else set()
        )
        places = {
            i + 2
            for i in named
            if i + 2 < len(doc) and doc[i + 1].text == "," and doc[i + 2].text in REGION_CODES
        }
        named |= places
        for start, end in tagged.ranges:
            start, end = _trimmed(doc, start, end)
            if start == end or (end - start == 1 and start in places):
                continue
            inside = {m.start: m for i in range(start, end) if (m := at.get(i)) is not None}
            ids = {m.label_ for m in inside.values()}
            used |= set(inside)
            if len(inside) == 1:
                (match,) = inside.values()
                if others := self._other_conjuncts(doc, start, end, match):
                    # "SQL and distributed systems": the skill, and what it is listed with.
                    found.append((match.start, match.end, match.label_))
                    found += others
                else:
                    # A phrase with part of a skill's name has all of it: "Spark" of "Apache
                    # Spark".
                    found.append((min(start, match.start), max(end, match.end), match.label_))
            elif len(ids) == 1:
                found.append((start, end, ids.pop()))
            elif ids:
                # "Java/Scala": one phrase to the tagger, two skills to the taxonomy.
                found += [(m.start, m.end, m.label_) for m in inside.values()]
            else:
                # A comma parts the items of a list the tagger read as one phrase
                # ("operating a forklift, inventory counts").
                for a, b in _parts(doc, start, end, {","}):
                    if (free := self._free_skill(doc[a:b])) is None:
                        continue
                    lone_word = b - a == 1 and doc[a].lower_ in self._ordinary_words
                    if lone_word and tagged.probability[a] < FREE_WORD_SUPPORT:
                        unsure.append((a, b, free))
                    else:
                        found.append((a, b, free))
        rest = [
            m
            for m in matches
            if m.start not in used and not any(i in named for i in range(m.start, m.end))
        ]
        skill_tokens = {i for start, end, _ in found for i in range(start, end)}
        skill_tokens |= {i for m in rest for i in range(m.start, m.end)}
        skill_tokens |= {i for start, end, _ in unsure for i in range(start, end)}
        support = JOB_MATCH_SUPPORT if job else MATCH_SUPPORT
        found += [
            (m.start, m.end, m.label_)
            for m in rest
            if not self._ambiguous(m)
            and (
                tagged.probability[m.start : m.end].max() >= support
                or (not job and m.label_ in self._products and not _more_a_name(tagged, m))
                # A line that is nothing but a skill's name is a list item ("- Docker"): the
                # job tagger, reading the line alone, has no context to support it, nor for
                # a job line's value after its label ("Tools: Tableau").
                or _alone_on_line(doc, m, ":" if job else "")
                or m.start in claimed
                # Nor a list ("Preferred: Tableau, Power BI, Looker"), which it reads as
                # nothing: trained on sentences, it gives the words of a bare list no odds.
                or (job and _listed_with(doc, m, skill_tokens))
            )
        ]
        # An ambiguous word listed with another skill is one too: "R and C", "Chef, Puppet";
        # and so is one a job states years of ("3 to 5 years in Go").
        found += [
            (m.start, m.end, m.label_)
            for m in rest
            if self._ambiguous(m) and (_listed_with(doc, m, skill_tokens) or m.start in years_of)
        ]
        found += [
            (start, end, free)
            for start, end, free in unsure
            if _listed_with(doc, doc[start:end], skill_tokens)
        ]
        taken = {i for start, end, _ in found for i in range(start, end)}
        for start, end in with_years:
            if taken.isdisjoint(range(start, end)):
                whole = at.get(start)
                if whole is not None and (whole.start, whole.end) == (start, end):
                    found.append((start, end, whole.label_))
                elif (free := self._free_skill(doc[start:end])) is not None:
                    # Some list their job titles there too ("ENGINEER (4 years)").
                    words = [t.text for t in doc[start:end] if not t.is_space]
                    if self._title_in_words(words) != " ".join(words):
                        found.append((start, end, free))
        found.sort()
        kept: list[tuple[int, int, str]] = []
        for item in found:
            if not kept or item[0] >= kept[-1][1]:
                # An ambiguous word that opens a sentence as a word does is dropped ("Excel
                # at customer service"), unless it is listed with another skill: "Operating
                # systems: Windows and Linux" (a dotin line).
                if _negated(doc, item[0]) or (
                    item[1] - item[0] == 1
                    and self._ambiguous(doc[item[0] : item[1]])
                    and _reads_as_word(doc, item[0])
                    and not _listed_with(doc, doc[item[0] : item[1]], skill_tokens)
                ):
                    continue
                kept.append(item)
        return kept

    def _other_conjuncts(
        self, doc: Doc, start: int, end: int, match: Span
    ) -> list[tuple[int, int, str]]:
        """When a tagged phrase lists ``match`` whole with phrases of two words or more ("SQL
        and distributed systems", "Kafka, stream processing"), those phrases, each a skill of
        its own; else none (not "verbal and written communication", whose words share a
        noun)."""
        parts = _parts(doc, start, end, LIST_CONNECTORS)
        if (match.start, match.end) not in parts or len(parts) < 2:
            return []
        others = []
        for a, b in parts:
            if (a, b) == (match.start, match.end):
                continue
            free = self._free_skill(doc[a:b]) if b - a >= 2 else None
            if free is None:
                return []
            others.append((a, b, free))
        return others

    def _ambiguous(self, match: Span) -> bool:
        """A one-word match that may well not be a skill where it stands: very short ("C",
        "Go", "IT", but not "C#": a sign makes it no word and no initials), an ordinary
        English word ("Chef", "Access", "Spring"), or a name written with capitals alone read
        in another case ("kubernetes", "perl")."""
        if len(match) > 1:
            return False
        text = match.text
        return (
            (len(text) <= 2 and text.isalnum())
            or text.lower() in self._ordinary_words
            or self._plain_name_recased(match)
        )

    def _plain_name_recased(self, match: Span) -> bool:
        """A name written with capitals alone ("Kubernetes", "Perl") read in another case
        ("kubernetes", "perl"): it may be a word or a surname."""
        return match.text.lower() in self._plain_names and match.text not in self._by_written

    def _free_skill(self, span: Span) -> str | None:
        """The id of a phrase the taxonomy does not name as a whole: by label, else free."""
        phrase = span.text
        text = " ".join(phrase[: _trim_end(phrase, 0, len(phrase))].split())
        if len(span) > MAX_FREE_TOKENS or not any(c.isalpha() for c in text) or len(text) < 2:
            return None
        entry = self.link_skill(text)
        return entry.id if entry is not None else FREE_PREFIX + text.lower()

    def tagger_features(self) -> Features:
        return Features(self.taxonomy)

    def skill_matches(self, doc: Doc, *, as_written: bool = False) -> list[Span]:
        """Taxonomy matches in ``doc`` (``label_`` is the skill id), longest first wins.
        ``as_written``: without the names matched in other cases than the taxonomy writes
        them ("mysql", "Jira"), as the résumé tagger reads them, as it was trained to."""
        return self._matches(doc)[1 if as_written else 0]

    def _matches(self, doc: Doc) -> tuple[list[Span], list[Span]]:
        """(every taxonomy match, the matches as written), each longest first."""
        written = [m for table in (self._skills_lower, self._skills_exact) for m in table(doc)]
        recased = self._skills_recased(doc)
        every = _longest_first(doc, written + recased)
        return every, _longest_first(doc, written) if recased else every

    def _doc(self, text: str) -> Doc:
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInput(
                f"text of {len(text):,} characters is over the limit of {MAX_TEXT_CHARS:,}"
            )
        return self.nlp.make_doc(text)

    # -- titles ---------------------------------------------------------------------------
    def find_titles(
        self,
        text: str,
        sections: list[Section],
        name: str | None = None,
        *,
        doc: Doc | None = None,
    ) -> list[str]:
        """Job titles from the header and the experience section, first seen first; the
        line that is the person's ``name`` is none ("Tucker Snyder" is no tucker).
        ``doc``: ``text`` already tokenised, when the caller has it."""
        regions = [(s.start, s.end) for s in sections if s.name in ("header", "experience")]
        if not regions:
            regions = [(0, min(len(text), 2000))]
        own = " ".join(name.lower().split()) if name else None
        titles: dict[str, str] = {}
        strings = self.nlp.vocab.strings
        # Lines are cut from the document's tokens by character offsets: the tokenizer
        # splits at every whitespace character, so a line's tokens are those it would have
        # on its own.
        table = (doc if doc is not None else self._doc(text)).to_array([ORTH, IDX, IS_SPACE])
        words = table[table[:, 2] == 0]
        for start, end in regions:
            lines = text[start:end].splitlines(keepends=True)
            bounds = np.searchsorted(
                words[:, 1], start + np.cumsum([0, *(len(line) for line in lines)])
            ).tolist()
            for line, a, b in zip(lines, bounds, bounds[1:], strict=False):
                if a == b or (own is not None and " ".join(line.lower().split()) == own):
                    continue
                found = self._title_in_words([strings[int(o)] for o in words[a:b, 0]])
                if found is not None:
                    titles.setdefault(found.lower(), found)
        return list(titles.values())[:10]

    def _is_title(self, line: str) -> bool:
        return self._title_in(line) is not None

    def _reads_as_title(self, line: str) -> bool:
        """Whether a line that could be a name is a job title instead: it holds one, unless
        that is one word beside words no title has ("Tucker Snyder", "Mason Carter" are
        people; "Accountant III", "Chef Manager" are titles)."""
        found = self._title_in(line)
        if found is None:
            return False
        if len(found.split()) > 1:
            return True
        rest = [w.lower().strip(".,") for w in line.split() if w != found]
        return not rest or any(w in self._title_words or ROMAN.fullmatch(w) for w in rest)

    def _title_in(self, line: str) -> str | None:
        """The longest known job title in one line, as written there."""
        return self._title_in_words([t.text for t in self.nlp.make_doc(line) if not t.is_space])

    def _title_in_words(self, words: list[str]) -> str | None:
        """The longest known job title in a line's words (tokens), as written there."""
        if not words or len(words) > 25:
            return None
        lowered = [w.lower() for w in words]
        # Walk on from each word while the words so far begin some title; of the titles
        # met, the longest wins, then the first.
        best: tuple[int, int] | None = None  # (size, start)
        prefixes = self._title_prefixes
        for i in range(len(lowered)):
            phrase = ""
            for j in range(i, len(lowered)):
                phrase = f"{phrase} {lowered[j]}" if phrase else lowered[j]
                is_title = prefixes.get(phrase)
                if is_title is None:
                    break
                size = j - i + 1
                # A lone word is a title only when it is most of the line ("Accountant").
                if is_title and not (size == 1 and len(words) > 3):
                    if best is None or size > best[0]:
                        best = (size, i)
        if best is None:
            return None
        size, i = best
        # "Senior" + "Data Engineer": the gazetteers list few seniority forms.
        if i > 0 and lowered[i - 1] in SENIORITY:
            i -= 1
            size += 1
        return " ".join(words[i : i + size])

    # -- documents ------------------------------------------------------------------------
    def parse_resume_bytes(
        self,
        data: bytes,
        name: str,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        today: dt.date | None = None,
    ) -> Resume:
        """Parse a résumé file. Raises a ParseError subclass for files it cannot read."""
        text, fmt = extract_text(data, name, max_bytes=max_bytes, max_pages=max_pages)
        return self.parse_resume_text(text, fmt=fmt, today=today)

    def parse_resume_file(self, path: Path) -> Resume:
        return self.parse_resume_bytes(path.read_bytes(), path.name)

    def parse_resume_text(
        self, text: str, *, fmt: str = "txt", today: dt.date | None = None
    ) -> Resume:
        text = normalise_text(text)
        if not text.strip():
            raise InvalidInput("the résumé text is empty")
        sections = find_sections(text)
        today = today or dt.date.today()
        doc = self._doc(text)
        skills = self.find_skills(text, sections, doc=doc)
        contact = find_contact(text, sections, is_title=self._reads_as_title)
        resume = Resume(
            text=text,
            format=fmt,
            sections=sections,
            contact=contact,
            titles=self.find_titles(text, sections, contact.name, doc=doc),
            years_experience=years_of_experience(text, sections, today),
            education=evidence.education(text, sections),
            skills=skills,
            evidence=evidence.skill_evidence(text, sections, skills, today),
        )
        resume.blind_text = blind_text(resume)
        return resume

    def parse_job(self, text: str, title: str | None = None) -> Job:
        """Parse a job description: title, skills, and which skills are nice-to-have."""
        text = normalise_text(text)
        if not text.strip():
            raise InvalidInput("the job description is empty")
        sections = find_sections(text)
        if not title:
            first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            if len(first.split()) <= 10:
                title = first
            else:
                title = next(iter(self.find_titles(text, sections)), None)
        skills: list[JobSkill] = []
        for m in self.find_skills(text, sections, kind="job"):
            clause = evidence.clause_bounds(text, m.start, m.end)
            skills.append(
                JobSkill(
                    **m.model_dump(),
                    required=not evidence.asked_optionally(text, m.section, clause),
                    years=evidence.years_asked(text, m.start, clause),
                )
            )
        return Job(
            text=text,
            title=title,
            skills=skills,
            years_experience=stated_years(text),
            seniority=evidence.seniority(title, text),
            location=evidence.location(text),
            remote=evidence.remote_mode(text),
        )


def skill_tokenizer(vocab: Vocab) -> Tokenizer:
    """spaCy's tokenizer with a few plain rules instead of English's hundreds of special
    cases and affix patterns: eight times faster on résumés, and it keeps what skills are
    written with whole ("C++", "C#", "Node.js", ".NET", "ASP.NET", "R&D"), while splitting
    what lists them ("C#/.NET", "C#.NET", "T-SQL", "TCP/IP", "Python,Java", "Skills:Python")."""
    return Tokenizer(
        vocab,
        rules={},
        prefix_search=TOKEN_PREFIX.search,
        suffix_search=TOKEN_SUFFIX.search,
        infix_finditer=TOKEN_INFIX.finditer,
        max_cache_size=TOKEN_CACHE,
    )


def ordinary_words(taxonomy: Taxonomy, min_uses: int = 2) -> frozenset[str]:
    """Words that ESCO's labels and the job titles write in lower case, as ordinary English
    ("access", "chef", "lead", "spring"): a product of that name is ambiguous in text."""
    counts: dict[str, int] = {}
    labels = [
        lab for e in taxonomy.skills.values() if e.source == "esco" for lab in (e.label, *e.aliases)
    ]
    labels += [title for title, _ in taxonomy.titles]
    for label in labels:
        for word in WORD.findall(label):
            if word.islower():
                counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n >= min_uses)


def _vocabulary_file() -> Traversable:
    return resources.files("parsing") / "data" / TOKENIZER_FILE


def compact_name(phrase: str) -> str:
    """A name without case, spaces, hyphens and dots: "Mongo DB", "MongoDB" and "mongo-db"
    are one."""
    return COMPACT_DROP.sub("", phrase.lower())


def english_words() -> frozenset[str]:
    """The whole words of the job tagger's word-piece vocabulary (all-MiniLM-L6-v2's, BERT's
    30,522 lower-cased pieces of English text): words English writes often enough to be a
    piece of their own ("excel", "spark", "java"; not "javascript", "mongodb")."""
    vocabulary = json.loads(_vocabulary_file().read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(piece for piece in vocabulary if piece.isalpha())


def names_product(entry: SkillEntry, ordinary: frozenset[str]) -> bool:
    """Whether a skill is a named product or technology rather than a general ability: an
    ESCO label written with capitals ("PostgreSQL", "Java (computer programming)"), or an
    O*NET tool with a word that is not ordinary English ("Apache Spark", "Alteryx software";
    not "Website development software")."""
    if entry.source == "esco":
        return entry.label != entry.label.lower()
    words = SOFTWARE_SUFFIX.sub("", entry.label).lower().split()
    return any(w not in ordinary for w in words)


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Tokens ``start`` to ``end`` less the function words, punctuation and generic words at
    their edges: a tagged phrase may hold them ("Puppet on", "and SQL", "Docker skills")."""
    while start < end and (doc[start].lower_ in EDGE_WORDS or doc[start].is_punct):
        start += 1
    while end > start and (
        doc[end - 1].lower_ in EDGE_WORDS
        or doc[end - 1].is_punct
        or (end - start > 1 and doc[end - 1].lower_ in GENERIC_TAILS)
    ):
        end -= 1
    return start, end


def _parts(doc: Doc, start: int, end: int, separators: AbstractSet[str]) -> list[tuple[int, int]]:
    """The parts of ``doc[start:end]`` between its tokens that are ``separators`` (in lower
    case), each trimmed (``_trimmed``), empty ones left out."""
    parts, first = [], start
    for i in range(start, end + 1):
        if i == end or doc[i].lower_ in separators:
            a, b = _trimmed(doc, first, i)
            if b > a:
                parts.append((a, b))
            first = i + 1
    return parts


def _longest_first(doc: Doc, found: list[tuple[str, int, int]]) -> list[Span]:
    """Where matches overlap the longest wins ("machine learning" over "learning"), then the
    first, as spaCy's filter_spans has it; Spans are made for the winners only."""
    found = sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
    kept: list[tuple[str, int, int]] = []
    taken: set[int] = set()
    for label, start, end in found:
        if start not in taken and end - 1 not in taken:
            kept.append((label, start, end))
            taken.update(range(start, end))
    kept.sort(key=lambda m: m[1])
    return [Span(doc, start, end, label=label) for label, start, end in kept]


def _alone_on_line(doc: Doc, span: Span, after: str = "") -> bool:
    """Whether ``span``'s line holds nothing else but punctuation and bullets, or, with
    ``after`` (":"), nothing else after that mark but them."""

    def mark(i: int) -> bool:
        return doc[i].is_space or doc[i].is_punct or doc[i].text in SENTENCE_ENDS

    return _bounded(doc, span, frozenset({after}) if after else frozenset(), mark)


def _list_item(doc: Doc, span: Span) -> bool:
    """Whether ``span`` is a whole item of a list: a line break, a bullet or an item
    separator ("," ";" "|") on either side of it, spaces aside."""
    return _bounded(doc, span, LIST_ITEM_EDGES, lambda i: doc[i].is_space)


def _items_with_years(doc: Doc, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) tokens of the items in the character ``spans`` (a résumé's skills
    sections) of ``text`` (``doc``'s) that are followed by their years, as Indeed's résumés
    list skills (``evidence.ITEM_YEARS``: "CA7 (4 years), DB2 (4 years)", "Hvac tech (3
    years)", "SQL (Less than 1 year)"): such an item is the candidate's claim of a skill,
    whatever the tagger makes of its words. An item runs back to a separator, a bracket, a
    label's colon, a blank line or the span's start."""
    items = []
    for first, last in spans:
        cursor = first
        for years in evidence.ITEM_YEARS.finditer(text, first, last):
            before = [m.end() for m in ITEM_START.finditer(text, cursor, years.start())]
            start = before[-1] if before else cursor
            item = text[start : years.start()]
            start += len(item) - len(item.lstrip())
            span = doc.char_span(start, years.start(), alignment_mode="contract")
            if span is not None and len(span) > 0:
                items.append((span.start, span.end))
            cursor = years.end()
    return items


def _bounded(doc: Doc, span: Span, edges: AbstractSet[str], passes: Callable[[int], bool]) -> bool:
    """Whether on either side of ``span`` a line break, a token in ``edges`` or the text's
    end comes before any token that ``passes`` does not let by."""

    def side(tokens: Iterable[int]) -> bool:
        for i in tokens:
            if "\n" in doc[i].text or doc[i].text in edges:
                return True
            if not passes(i):
                return False
        return True

    return side(range(span.start - 1, -1, -1)) and side(range(span.end, len(doc)))


def _more_a_name(tagged: Tagged, match: Span) -> bool:
    """Whether the tagger gives ``match`` more odds of being part of a name (an employer's,
    a school's, a place's, a person's) than of being a skill: "Google" in "the internal Google
    Data APIs engine", "Oracle" in "sales support to Oracle North America Alliances" (dotin
    lines)."""
    if tagged.named is None:
        return False
    span = slice(match.start, match.end)
    return bool(tagged.named[span].max() > tagged.probability[span].max())


def _listed_with(doc: Doc, match: Span, skill_tokens: set[int]) -> bool:
    """Whether a list connector (",", "/", "and", "or", "&", "|", ";") joins ``match`` to a
    token of another skill on either side."""
    left, right = match.start - 1, match.end
    if left - 1 >= 0 and doc[left].lower_ in LIST_CONNECTORS and left - 1 in skill_tokens:
        return True
    return (
        right + 1 < len(doc) and doc[right].lower_ in LIST_CONNECTORS and right + 1 in skill_tokens
    )


def _negated(doc: Doc, start: int) -> bool:
    """Whether a negation cue ("no experience with", "not familiar with", "without") stands
    shortly before token ``start`` in the same sentence."""
    for i in range(start - 1, max(-1, start - NEGATION_WINDOW - 1), -1):
        token = doc[i]
        if token.text in SENTENCE_ENDS or "\n" in token.text:
            return False
        if token.lower_ in NEGATION_CUES:
            # "no" must govern the skill: "no experience with X", "no X", not "No. 1 in X".
            return not (i + 1 < len(doc) and doc[i + 1].text == ".")
    return False


def _reads_as_word(doc: Doc, i: int) -> bool:
    """An ambiguous word opening a sentence before a preposition or article is used as a
    word, not a product: "Excel at customer service", "Access to clients", "Chef at Hilton"."""
    opens = i == 0 or doc[i - 1].text in SENTENCE_ENDS or "\n" in doc[i - 1].text
    return opens and i + 1 < len(doc) and doc[i + 1].lower_ in FUNCTION_WORDS


def _trim_end(text: str, start: int, end: int) -> int:
    """``end`` moved back over punctuation that ends a sentence or clause: "Objective-C."."""
    while end > start + 1 and text[end - 1] in EDGE_PUNCTUATION:
        end -= 1
    return end
