"""Compile the skill and job-title taxonomy shipped in ``parsing/data/taxonomy.json.gz``.

Sources (read from ``../shared/data/taxonomy`` by default):

- ESCO v1.1.1 skills (preferred and alternative labels, skill type, and how many occupations
  ask for each, essential or optional) and occupations (preferred and alternative labels as
  job titles). "This service uses the ESCO
  classification of the European Commission."
- O*NET 29.2 Technology Skills (tools and technologies ESCO lacks, with the Hot Technology
  flag) and Alternate Titles, by the O*NET Resource Center of the U.S. Department of Labor,
  Employment and Training Administration (USDOL/ETA), under CC BY 4.0.

One skill has one canonical id whichever source names it: an O*NET tool whose name equals an
ESCO label (case-insensitively, parenthetical qualifiers dropped) is merged into the ESCO skill.

Run: ``python scripts/build_taxonomy.py [--source DIR] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

from breame.spelling import get_american_spelling

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "taxonomy"
DEFAULT_OUT = ROOT / "parsing" / "data" / "taxonomy.json.gz"
VARIANTS_FILE = ROOT / "scripts" / "skill_variants.csv"

ESCO_PREFIX = "http://data.europa.eu/esco/skill/"
ESCO_OCC_PREFIX = "http://data.europa.eu/esco/occupation/"
# Vendor names that O*NET puts before a product everybody names without them; their one-word
# product names are written alone too ("Dreamweaver", "Solr", "Cognos").
ONE_WORD_VENDORS = (
    "Microsoft ",
    "Autodesk ",
    "Adobe ",
    "Apple ",
    "Google ",
    "IBM ",
    "Oracle ",
    "Intuit ",
    "Atlassian ",
    "Apache ",
    "Amazon ",
    "Cisco Systems ",
)
# More vendors. A one-word product name of theirs may as well be a place, a person or a word
# ("Corel Ventura", "Cerner Millennium", "Synopsys Hercules", "Corel Painter"): their
# products are written alone when the rest is more than a plain word ("Crystal Reports" is
# curated), or curated ("Mathematica").
OTHER_VENDORS = (
    "SAP ",
    "ESRI ",
    "Siemens ",
    "Symantec ",
    "Red Hat ",
    "Hewlett-Packard ",
    "Hewlett Packard ",
    "HP ",
    "Corel ",
    "Teradata ",
    "EMC ",
    "Bentley Systems ",
    "Bentley ",
    "Informatica ",
    "PTC ",
    "Avid Technology ",
    "Avid ",
    "JetBrains ",
    "Salesforce ",
    "Citrix ",
    "Infor ",
    "Trimble ",
    "Sage ",
    "Cadence ",
    "Synopsys ",
    "Mentor Graphics ",
    "Micro Focus ",
    "CA Technologies ",
    "CA ",
    "Thomson Reuters ",
    "LexisNexis ",
    "The MathWorks ",
    "MathWorks ",
    "Wolfram Research ",
    "Dassault Systemes ",
    "Cerner ",
    "McKesson ",
    "SAS ",
    "Qlik Tech ",
)
VENDORS = ONE_WORD_VENDORS + OTHER_VENDORS
LONGEST_VENDOR_FIRST = sorted(VENDORS, key=len, reverse=True)
PLAIN_WORD = re.compile(r"[A-Z][a-z]+")
# Product names that are ordinary English words once the vendor is dropped: keep the full name only.
AMBIGUOUS_SHORT = {
    "access",
    "project",
    "word",
    "teams",
    "office",
    "outlook",
    "publisher",
    "paint",
    "edge",
    "dynamics",
    "exchange",
    "forms",
    "lists",
    "planner",
    "stream",
    "sway",
    "to do",
    "bookings",
    "photos",
    "notes",
    "pages",
    "numbers",
    "keynote",
    "mail",
    "maps",
    "docs",
    "sheets",
    "slides",
    "drive",
    "analytics",
    "ads",
    "cloud",
    "db2",
    "data studio",
    "pay",
    "music",
    "database",
}
SOFTWARE = re.compile(r"\s+software$", re.IGNORECASE)
OFFICE = re.compile(r"^Microsoft (?!Office )")
# O*NET tools that ESCO names with no name in common: ESCO writes .NET "dot net", an
# alternative label of its "Visual Studio .NET", and spells "modelling" and "optimisation"
# the British way.
ESCO_NAMES = {
    "Microsoft .NET Framework": "Visual Studio .NET",
    "Unified modeling language UML": "unified modelling language",
    "Syntactically awesome style sheets SASS": "Sass",
    "Search engine optimization SEO software": "search engine optimisation",
}
ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,7}")
# ESCO parts ".NET" from the name before it ("Visual Basic .NET"), O*NET does not.
JOINED_NET = re.compile(r"(?<=\w)\.NET\b")
WORD_RUN = re.compile(r"[A-Za-z]+")
WORD_RUN_DIGITS = re.compile(r"[a-z0-9]+")
# How ESCO names the skill of using a tool ("use word processing software"), and the words
# that say a tool's name is of a kind of software (``used_by_esco``, ``named_by_esco``).
USE_VERBS = frozenset({"use", "operate", "utilise", "utilize"})
KIND_WORDS = frozenset({"software", "system"})
# breame's American forms that America writes the British way too, or means otherwise by:
# "gage", "busses", "gasses" (a verb's).
NOT_AMERICAN = frozenset({"buses", "gases", "gauge", "gauges", "gauging"})
# A kind of product ESCO lists at least this many products under gives each its own skill
# (``split_listed_products``); kinds with fewer list variants of their own name ("iOS": "IPhone
# OS") or a few vendors.
LISTED_PRODUCTS_MIN = 10
PAREN = re.compile(r"\s*\([^)]*\)\s*$")
# The start of a line that ends a label broken across lines.
BROKEN_OFF = re.compile(r"\s*(?:and|or|nor|but)\s", re.IGNORECASE)
SMALL_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
)


# A title with one parenthesised part and no other parentheses: before, inside, after.
PARENTHESISED = re.compile(r"([^()]+)\(([^()]+)\)([^()]*)")
# Plural endings of O*NET's occupation titles, the first that fits: "Actuaries", "Coaches",
# "Hostesses", "Firemen", "Nurse Midwives", "Nurses".
PLURAL_ENDINGS = (
    ("ies", "y"),
    ("sses", "ss"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("xes", "x"),
    ("men", "man"),
    ("wives", "wife"),
    ("s", ""),
)


def norm(label: str) -> str:
    return fold(label.lower())


def fold(label: str) -> str:
    """``label`` with its spaces folded: ESCO writes over a thousand labels with a doubled
    space ("labor  law", "training  subject expertise"), which text never has."""
    return " ".join(label.split())


def split_labels(cell: str) -> list[str]:
    """One label a line, spaces folded. A line that starts with a conjunction is the end of
    a label ESCO broke across lines ("and procedures" of "compile information on facilities,
    equipment, and procedures", "or tactile clocks."): it names nothing."""
    return [fold(s) for s in cell.split("\n") if s.strip() and not BROKEN_OFF.match(s)]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9+#]+", "-", text.lower()).strip("-")


def acronym_variants(name: str, ordinary: set[str]) -> set[str]:
    """ "Amazon Web Services AWS software" is written "AWS" or "Amazon Web Services";
    "Ansible software" "Ansible". A kind of software named by an ordinary word stays whole:
    "Maintenance software" is not written "Maintenance" (``ordinary``: words ESCO writes in
    lower case)."""
    base = SOFTWARE.sub("", name)
    words = base.split()
    named = len(words) > 1 or (base != base.lower() and base.lower() not in ordinary)
    out = {base} if base != name and named else set()
    acronym, head = words[-1], words[:-1]
    if len(words) >= 3 and ACRONYM.fullmatch(acronym):
        # "Beeline Learning Management System LMS" is written without its acronym; only an
        # acronym of the whole name, its vendor aside, is written for the product alone.
        # "LMS" or "AI" ("National Instruments NI Vision Builder for Automated Inspection
        # AI") spell a part, the kind of thing the product is: alone they mean any learning
        # management system, or artificial intelligence.
        names = [head] + [head[len(v.split()) :] for v in VENDORS if " ".join(head).startswith(v)]
        whole = any(abbreviates(acronym, name) for name in names)
        initials = {
            "".join(w[0] for w in name if w[0].isalnum() and (keep or w.lower() not in SMALL_WORDS))
            for name in names
            for keep in (True, False)
        }
        if whole or any(acronym in spelled.upper() for spelled in initials):
            out.add(" ".join(head))
        if whole:
            out.add(acronym)
    return out


def listed_by_esco(
    full: set[str], bare: set[str], by_alias: dict[str, str], written_as: dict[str, str]
) -> tuple[str, str] | None:
    """(the name, the ESCO skill's id) where ESCO lists a tool among a skill's names: by one
    of its ``full`` names whatever the case (ESCO writes Microsoft's Office products with
    "Office": "Microsoft Office Excel"), else by a ``bare`` one, without vendor or acronym,
    only as written ("Android" of "Google Android", "GNU Image Manipulation Program" of
    "... GIMP"; "Spark" is not ESCO's "SPARK"), ".NET" parted as ESCO writes it ("Visual
    Basic .NET" of "Microsoft Visual Basic.NET")."""
    for v in sorted(full | {OFFICE.sub("Microsoft Office ", v) for v in full}):
        if norm(v) in by_alias:
            return v, by_alias[norm(v)]
    for v in sorted(bare | {JOINED_NET.sub(" .NET", v) for v in bare}):
        if v in written_as:
            return v, written_as[v]
    return None


def names_one(label: str) -> bool:
    """Whether an ESCO label names one product, not a kind: every word of it, a parenthesised
    kind aside, starts with a capital or a digit ("DB2", "Jenkins (tools for software
    configuration management)", not "tools for ICT test automation")."""
    words = PAREN.sub("", label).split()
    return bool(words) and all(not w[0].islower() for w in words)


def reads_as_name(short: str, ordinary: set[str]) -> bool:
    """Whether a product's name without its vendor still reads as a name: a word of it is
    no ordinary word (``ordinary``: the words ESCO's labels write in lower case), or is
    written with a capital inside, a digit or a sign ("SharePoint", "Fusion 360", "J++"); a
    word in capitals is a name unless it is an ordinary word ("AIR"). "Oracle Reports",
    "Oracle Inventory", "Adobe Director" and "Google Video" are not written "Reports",
    "Inventory", "Director" or "Video": a résumé that lists those means the ordinary thing.
    O*NET's hot technologies are written alone whatever their words ("Excel", "Windows",
    "Visual Studio"): the caller keeps those."""
    for word in short.split():
        word = word.strip(",.;:!?()")
        if not word:
            continue
        if not word.isalpha():
            return True
        if word.isupper():
            if word.lower() not in ordinary:
                return True
        elif any(c.isupper() for c in word[1:]) or word.lower() not in ordinary:
            return True
    return False


def abbreviates(acronym: str, words: list[str]) -> bool:
    """Whether ``acronym`` abbreviates the whole name ``words``: in order, each word gives
    it its first letter and maybe more of its letters, a small word may give none ("SSRS"
    of "SQL Server Reporting Services", "SAX" of "Simple API for XML", "HTML" of
    "Hypertext markup language", "JSON" of "JavaScript Object Notation")."""
    letters = acronym.lower()
    names = [w.lower() for w in words if w[0].isalnum()]

    def spells(i: int, k: int) -> bool:
        """letters[i:] from names[k:]."""
        if k == len(names):
            return i == len(letters)
        word = names[k]
        if word in SMALL_WORDS and spells(i, k + 1):
            return True
        if i == len(letters) or letters[i] != word[0]:
            return False
        # The word's first letter, then as many more of its letters, in order, as the
        # rest allows.
        j, given = i + 1, 1
        while True:
            if spells(j, k + 1):
                return True
            if j == len(letters):
                return False
            found = word.find(letters[j], given)
            if found < 0:
                return False
            j, given = j + 1, found + 1

    return spells(0, 0)


def esco_skills(
    source: Path,
) -> tuple[list[dict[str, object]], dict[str, str], dict[str, str]]:
    """ESCO skills, with lookups by preferred label and by alternative label."""
    skills: list[dict[str, object]] = []
    by_preferred: dict[str, str] = {}
    by_alias: dict[str, str] = {}
    transversal: set[str] = set()
    with open(source / "esco-1.1.1" / "skills_en.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sid = "esco:" + row["conceptUri"].removeprefix(ESCO_PREFIX)
            label = fold(row["preferredLabel"])
            aliases = {label, *split_labels(row["altLabels"])}
            # "Python (computer programming)" is written "Python" in résumés.
            aliases |= {PAREN.sub("", a) for a in aliases if PAREN.search(a)}
            aliases.discard("")
            kind = "knowledge" if row["skillType"] == "knowledge" else "skill"
            skills.append(
                {
                    "id": sid,
                    "label": label,
                    "kind": kind,
                    "source": "esco",
                    "aliases": sorted(aliases - {label}),
                    "broader": [],
                }
            )
            if row["reuseLevel"] == "transversal":
                transversal.add(sid)
            by_preferred.setdefault(norm(label), sid)
            by_preferred.setdefault(norm(PAREN.sub("", label)), sid)
            for a in aliases:
                by_alias.setdefault(norm(a), sid)
    by_id = {str(s["id"]): s for s in skills}
    path = source / "esco-1.1.1" / "broaderRelationsSkillPillar.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            child = by_id.get("esco:" + row["conceptUri"].removeprefix(ESCO_PREFIX))
            parent = "esco:" + row["broaderUri"].removeprefix(ESCO_PREFIX)
            if child is not None and parent in by_id:
                child["broader"].append(parent)  # type: ignore[attr-defined]
    # How many occupations ask for each skill: how common it is, which the linker weighs.
    occupations: set[str] = set()
    path = source / "esco-1.1.1" / "occupationSkillRelations.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            occupations.add(row["occupationUri"])
            skill = by_id.get("esco:" + row["skillUri"].removeprefix(ESCO_PREFIX))
            if skill is not None:
                skill["occupations"] = int(skill.get("occupations", 0)) + 1  # type: ignore[call-overload]
    # ESCO relates a transversal skill ("work in teams", "solve problems") to no occupation
    # because it serves every one: it counts them all.
    for sid in transversal:
        by_id[sid]["occupations"] = len(occupations)
    return skills, by_preferred, by_alias


def onet_tools(
    source: Path,
    esco: list[dict[str, object]],
    by_preferred: dict[str, str],
    by_alias: dict[str, str],
) -> list[dict[str, object]]:
    """O*NET tools. One whose name is an ESCO skill's name, or that an ESCO product lists
    among its names ("Objective C" of "Objective-C"), is merged into it; one that an ESCO
    kind of product lists ("Git" under "tools for software configuration management") stays
    a skill of its own, with that kind as broader, and the name is the tool's alone."""
    by_id = {str(s["id"]): s for s in esco}
    exact = {str(s["label"]): str(s["id"]) for s in esco}
    # Every name of an ESCO skill as written, capitals and all, a parenthesised kind aside.
    written_as: dict[str, str] = {}
    for s in esco:
        for label in (s["label"], *s["aliases"]):  # type: ignore[misc]
            written_as.setdefault(PAREN.sub("", str(label)), str(s["id"]))
    ordinary = {
        word
        for s in esco
        for label in (s["label"], *s["aliases"])  # type: ignore[misc]
        for word in str(label).split()
        if word.isalpha() and word.islower()
    }
    by_words = labels_by_words(esco)
    tools: dict[str, dict[str, object]] = {}
    # How many occupations list each tool, and the acronyms tools are written as.
    listed: Counter[str] = Counter()
    acronyms: dict[str, set[str]] = {}
    unvendored_only: set[tuple[str, str]] = set()
    path = source / "onet-29.2" / "Technology Skills.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["Example"].strip()
            hot = row["Hot Technology"] == "Y"
            # The longest vendor the name starts with ("Bentley Systems ", not "Bentley ").
            vendor = next((v for v in LONGEST_VENDOR_FIRST if name.startswith(v)), "")
            short = name.removeprefix(vendor)
            # The rest must still read as a product name: "Excel", not "software", nor
            # "Reports", "Inventory" or "Video" (Oracle's, Google's).
            unvendored = (
                {short}
                if vendor
                and norm(short) not in AMBIGUOUS_SHORT
                and len(short) > 2
                and short != short.lower()
                and (
                    hot
                    or (
                        reads_as_name(short, ordinary)
                        and (vendor in ONE_WORD_VENDORS or not PLAIN_WORD.fullmatch(short))
                    )
                )
                else set()
            )
            variants = {name} | unvendored
            variants |= {PAREN.sub("", v) for v in variants if PAREN.search(v)}
            short_forms = acronym_variants(name, ordinary)
            variants |= short_forms
            variants.discard("")
            # Merge on the full name whatever the case, a short form only as written:
            # "Apache Spark" is not ESCO's "SPARK" (an Ada dialect), though its short form
            # "Spark" is written for it.
            full = {name, PAREN.sub("", name), ESCO_NAMES.get(name, name)}
            merged = next((by_preferred[norm(v)] for v in full if norm(v) in by_preferred), None)
            if merged is None:
                # A short form written exactly as an ESCO name, capitals and all: "CSS" of
                # "Cascading style sheets CSS", "SQL Server" of "Microsoft SQL Server".
                merged = next((exact[v] for v in sorted(variants) if v in exact), None)
            if merged is None:
                merged = named_by_esco(name, by_id, by_words, ordinary)
            listed_as = None
            if merged is None:
                bare = ({short, PAREN.sub("", short)} if vendor else set()) | {
                    v for v in short_forms if not ACRONYM.fullmatch(v)
                }
                listed_as = listed_by_esco(full, bare, by_alias, written_as)
                if listed_as and names_one(str(by_id[listed_as[1]]["label"])):
                    # An ESCO product that lists the tool's name among its own is that tool
                    # ("Objective C" of "Objective-C", "IBM DB2" of "DB2", "Jenkins CI").
                    merged = listed_as[1]
            if merged is not None:
                target = by_id[merged]
                aliases = set(target["aliases"])  # type: ignore[arg-type]
                aliases |= variants - {str(target["label"])}
                target["aliases"] = sorted(aliases)
                target["hot"] = bool(target.get("hot")) or hot
                continue
            tid = "onet:" + slug(name)
            tool = tools.setdefault(tid, new_tool(tid, name, "onet"))
            if listed_as is not None:
                # A kind of product that lists the tool ("Git" under "tools for software
                # configuration management") is its broader concept, and the tool's name is
                # the tool's alone: "Microsoft Office Excel" is Microsoft Excel.
                written, broader = listed_as
                kind_of = by_id[broader]
                kind_of["aliases"] = [
                    a
                    for a in kind_of["aliases"]  # type: ignore[attr-defined]
                    if norm(a) != norm(written)
                ]
                variants.add(written)
                add_broader(tool, broader)
            tool["aliases"] = sorted(set(tool["aliases"]) | (variants - {name}))  # type: ignore[arg-type]
            tool["hot"] = bool(tool["hot"]) or hot
            listed[tid] += 1
            for short in short_forms | unvendored:
                if ACRONYM.fullmatch(short) and short != SOFTWARE.sub("", name):
                    acronyms.setdefault(short, set()).add(tid)
                    if short in unvendored:
                        unvendored_only.add((short, tid))
    # An acronym several tools spell ("CMS": content or career management systems) is the
    # one's that the most occupations list, and nobody's when that is a tie ("ATS"). A tool
    # that is only named so without its vendor comes after one that spells it ("SCM" is
    # source code management, not "SAP SCM").
    for acronym, owners in acronyms.items():

        def rank(t: str, acronym: str = acronym) -> tuple[bool, int]:
            return ((acronym, t) in unvendored_only, -listed[t])

        ranked = sorted(owners, key=lambda t: (*rank(t), t))
        tie = len(ranked) > 1 and rank(ranked[0]) == rank(ranked[1])
        for tid in ranked if tie else ranked[1:]:
            tool = tools[tid]
            tool["aliases"] = [a for a in tool["aliases"] if a != acronym]  # type: ignore[attr-defined]
    merge_products_named_twice(tools)
    return list(tools.values())


def named_by_esco(
    name: str,
    by_id: dict[str, dict[str, object]],
    by_words: dict[tuple[str, ...], set[str]],
    ordinary: set[str],
) -> str | None:
    """The ESCO skill that is O*NET's tool ``name`` under another name, if one is: O*NET
    writes a kind of software as its words and acronym ("Computer aided design CAD
    software"), ESCO as the acronym ("CAD software"), or as a plural ("Learning management
    system LMS": "learning management systems"). Besides the names the caller compares:

    - the acronym and "software" or "systems", where the acronym abbreviates the words before
      it ("CAE software"; not "AdTrack Customer Acquisition Management CAM", a product);
    - the acronym alone, where ESCO names one product so, whatever the case, and the words
      before it are ordinary ones (``ordinary``), not a vendor's or product's name ("PHP" of
      "Hypertext preprocessor PHP", "Lisp" of "List processing language LISP", "MDX"; not
      "SQL" of "SoftRisk Technologies SoftRisk SQL");
    - the words before the acronym, or the name, with "software" or "systems" unless they end
      with "system", where that is an ESCO skill's preferred label ("Quality control
      software": "quality control systems"; not "Assessment software", which "assessment
      systems" names as an alternative label of "grading systems").

    Plurals count as their singular. Only one ESCO skill so named counts."""
    words = SOFTWARE.sub("", name).split()
    acronym = words[-1] if len(words) >= 3 and ACRONYM.fullmatch(words[-1]) else None
    spelled = words[:-1] if acronym else words
    candidates: list[tuple[str, bool]] = []
    if acronym is not None:
        if abbreviates(acronym, spelled):
            candidates += [(f"{acronym} software", False), (f"{acronym} systems", False)]
        named = {
            i
            for i in by_words.get(_singular_words(acronym), set())
            if not reads_as_name(" ".join(spelled), ordinary)
            and names_one(str(by_id[i]["label"]))
            and _singular_words(str(by_id[i]["label"])) == _singular_words(acronym)
        }
        if len(named) == 1:
            return named.pop()
    text = " ".join(spelled)
    if any(w in KIND_WORDS for w in _singular_words(text)[-1:]):
        # "Learning management system": ESCO's "learning management systems".
        candidates.append((text, True))
    else:
        candidates += [(f"{text} software", True), (f"{text} systems", True)]
    for candidate, preferred_only in candidates:
        key = _singular_words(candidate)
        owners = {
            i
            for i in by_words.get(key, set())
            if not preferred_only or _singular_words(str(by_id[i]["label"])) == key
        }
        if len(owners) == 1:
            return owners.pop()
    return None


def new_tool(tid: str, name: str, source: str) -> dict[str, object]:
    """A tool of ``source``'s, with no other name, broader skill or hot flag yet."""
    return {
        "id": tid,
        "label": name,
        "kind": "tool",
        "source": source,
        "aliases": [],
        "hot": False,
        "broader": [],
    }


def add_broader(skill: dict[str, object], broader: str) -> None:
    """Add ``broader`` to ``skill``'s broader skills, once."""
    if broader not in skill["broader"]:  # type: ignore[operator]
        skill["broader"].append(broader)  # type: ignore[attr-defined]


def merge_products_named_twice(tools: dict[str, dict[str, object]]) -> None:
    """O*NET names some products more than once: with "software" and without ("Epic Systems
    software", "Epic Systems"), with its vendor and without ("Microsoft Bing", "Bing"), its
    acronym spelt out ("Really Simple Syndication RSS", "RSS"), or once a use ("Turtle Creek
    Software Goldenseal (accounting feature)"). A tool one of whose names is another tool's
    whole name is that tool: one product, one id, the shorter name's. A name of one word is
    compared as written: "REACT" (real estate software) is not "React"."""

    def key(name: str) -> str:
        return norm(name) if " " in name.strip() else name

    labelled = {key(str(t["label"])): tid for tid, t in tools.items()}
    for tid in sorted(tools, key=lambda t: (-len(str(tools[t]["label"])), t)):
        tool = tools[tid]
        same = next(
            (
                labelled[key(a)]
                for a in sorted(tool["aliases"])  # type: ignore[call-overload]
                if labelled.get(key(a), tid) != tid and labelled[key(a)] in tools
            ),
            None,
        )
        if same is None:
            continue
        labelled[key(str(tool["label"]))] = same
        target = tools[same]
        names = {*target["aliases"], *tool["aliases"], tool["label"]}  # type: ignore[misc]
        target["aliases"] = sorted(names - {target["label"]})
        target["hot"] = bool(target["hot"]) or bool(tool["hot"])
        for broader in tool["broader"]:  # type: ignore[attr-defined]
            add_broader(target, broader)
        del tools[tid]


def used_by_esco(esco: list[dict[str, object]], tools: list[dict[str, object]]) -> int:
    """ESCO's skill of using an O*NET tool, where ESCO names one and the tool has no ESCO
    skill above it yet, is its broader: its kind in ESCO's terms, as "use spreadsheets
    software" is Microsoft Excel's. A label of the skill is "use", "operate" or "utilise",
    then the tool's name ("use word processing software" for "Word processing software",
    "use microsoft office software" for "Microsoft Office software"), a word between
    allowed where the name has two words besides "software" or "systems" ("operate 3D
    computer graphics software" for "Computer graphics software"; "Graphics software" is not
    only 3D's, nor "Editing software" "use photo editing software"). Plurals count as their
    singular ("operate membership database"). Only a name one ESCO skill uses counts. The
    number of tools given one is returned."""
    uses: dict[tuple[str, ...], set[str]] = {}
    for words, owners in labels_by_words(esco).items():
        if len(words) > 2 and words[0] in USE_VERBS:
            uses.setdefault(words[1:], set()).update(owners)
            uses.setdefault(("*", *words[2:]), set()).update(owners)
    esco_ids = {str(s["id"]) for s in esco}
    given = 0
    for tool in tools:
        if any(b in esco_ids for b in tool["broader"]):  # type: ignore[attr-defined]
            continue
        name = _singular_words(str(tool["label"]))
        owners = uses.get(name, set())
        if not owners and len([w for w in name if w not in KIND_WORDS]) >= 2:
            owners = uses.get(("*", *name), set())
        if len(owners) == 1:
            add_broader(tool, next(iter(owners)))
            given += 1
    return given


def labels_by_words(esco: list[dict[str, object]]) -> dict[tuple[str, ...], set[str]]:
    """ESCO's skills by the words of each of their labels (``_singular_words``)."""
    by_words: dict[tuple[str, ...], set[str]] = {}
    for skill in esco:
        for label in (skill["label"], *skill["aliases"]):  # type: ignore[misc]
            by_words.setdefault(_singular_words(str(label)), set()).add(str(skill["id"]))
    return by_words


def _singular_words(label: str) -> tuple[str, ...]:
    """The words of ``label`` in lower case, a plural "s" dropped ("databases": "database")."""
    return tuple(
        w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w
        for w in WORD_RUN_DIGITS.findall(label.lower())
    )


def split_listed_products(
    esco: list[dict[str, object]], others: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Products ESCO lists among the alternative labels of a kind of product, each a skill
    of its own. "graphics editor software" names ArtRage and Balsamiq, "computer
    programming" BizTalk and Ceylon: as alternative labels, a résumé naming one had the
    kind, and a candidate with any product of a kind met a job asking for another. A kind
    that lists at least ``LISTED_PRODUCTS_MIN`` product names (``names_one``) gives each its
    own skill (source "esco-listed", kind "tool", the kind its broader), as an O*NET tool ESCO
    lists is ("Git"); a name listed by two kinds is one product with both. Run after the
    O*NET tools and the curated variants have taken the names they own. A name that stays
    the kind's: an acronym of its words ("ETL" of "data extraction, transformation and
    loading tools"), and one another skill also has, whatever the case ("OpenCV" is also
    computer vision's; "Caml" is O*NET's markup language CAML)."""
    owners: dict[str, set[str]] = {}
    for skill in esco + others:
        for name in (skill["label"], *skill["aliases"]):  # type: ignore[misc]
            owners.setdefault(norm(str(name)), set()).add(str(skill["id"]))
    products: dict[str, dict[str, object]] = {}
    for kind in esco:
        label = str(kind["label"])
        if names_one(label):
            continue
        words = label.split()
        listed = [
            a
            for a in kind["aliases"]  # type: ignore[attr-defined]
            if names_one(a)
            and owners[norm(a)] == {kind["id"]}
            and not (
                ACRONYM.fullmatch(a)
                and any(
                    abbreviates(a, words[i:j])
                    for i in range(len(words))
                    for j in range(i + 1, len(words) + 1)
                )
            )
        ]
        if len(listed) < LISTED_PRODUCTS_MIN:
            continue
        kind["aliases"] = [a for a in kind["aliases"] if a not in listed]  # type: ignore[attr-defined]
        for name in listed:
            pid = "esco-listed:" + slug(name)
            product = products.setdefault(pid, new_tool(pid, name, "esco-listed"))
            if name != product["label"] and name not in product["aliases"]:  # type: ignore[operator]
                product["aliases"].append(name)  # type: ignore[attr-defined]
            add_broader(product, str(kind["id"]))
    return sorted(products.values(), key=lambda p: str(p["id"]))


def add_american_spellings(esco: list[dict[str, object]], skills: list[dict[str, object]]) -> int:
    """Add the American spelling of each ESCO label that has one ("analyze data" for
    "analyse data", "labor laws" for "labour laws"), by breame's list of words
    spelt two ways: ESCO writes British English, résumés and job posts from America do not.
    A spelling that already names a skill (an ESCO label, an O*NET tool's name: "three-
    dimensional modeling" is O*NET's software, not ESCO's 3D modelling) is left to it, and
    one of a preferred label goes to that skill before any that lists the label as an
    alternative."""
    taken = {
        norm(label)
        for skill in skills
        for label in (str(skill["label"]), *skill["aliases"])  # type: ignore[attr-defined]
    }
    spelt: list[tuple[dict[str, object], str]] = [(skill, str(skill["label"])) for skill in esco]
    spelt += [(skill, a) for skill in esco for a in sorted(skill["aliases"])]  # type: ignore[attr-defined]
    added = 0
    for skill, label in spelt:
        american = WORD_RUN.sub(lambda m: _american(m.group()), label)
        if american != label and norm(american) not in taken:
            skill["aliases"] = sorted({*skill["aliases"], american})  # type: ignore[misc]
            taken.add(norm(american))
            added += 1
    return added


def _american(word: str) -> str:
    american: str = get_american_spelling(word)
    if american == word.lower() or word.lower() in NOT_AMERICAN:
        return word
    return american.capitalize() if word[:1].isupper() else american


def add_variants(skills: list[dict[str, object]], path: Path) -> int:
    """Add the curated variants ("JS" for JavaScript, "k8s" for Kubernetes) of VARIANTS_FILE;
    each names its skill by exact label, and an unknown label is an error. A curated variant
    is its skill's alone: another skill's alternative label written the same way, whatever
    the case, is dropped ("ATS" is applicant tracking software, not "Automate the Schools").
    A row's ``kind_of``, where given, is the label of an ESCO kind the skill is one of, added
    to its broader skills: ESCO listed "Fortran" among computer programming's names."""
    by_label = {str(s["label"]): s for s in skills}
    curated: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(row for row in fh if not row.startswith("#")):
            for named in (row["label"], row.get("kind_of")):
                if named and named not in by_label:
                    raise SystemExit(f"{path}: no skill labelled {named!r}")
            skill = by_label[row["label"]]
            kind_of = by_label[row["kind_of"]] if row.get("kind_of") else None
            if row["variant"] != skill["label"]:
                # A row for the kind alone names the skill by its own label.
                aliases = set(skill["aliases"])  # type: ignore[arg-type]
                aliases.add(row["variant"])
                skill["aliases"] = sorted(aliases)
            curated[norm(row["variant"])] = str(skill["id"])
            if kind_of is not None:
                add_broader(skill, str(kind_of["id"]))
    for skill in skills:
        skill["aliases"] = [
            a
            for a in skill["aliases"]  # type: ignore[attr-defined]
            if curated.get(norm(a), skill["id"]) == skill["id"]
        ]
    return len(curated)


def titles(source: Path) -> list[list[str]]:
    seen: dict[str, list[str]] = {}
    with open(source / "esco-1.1.1" / "occupations_en.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            occ = "esco:" + row["conceptUri"].removeprefix(ESCO_OCC_PREFIX)
            for label in [row["preferredLabel"], *split_labels(row["altLabels"])]:
                seen.setdefault(norm(label), [label.strip(), occ])
    path = source / "onet-29.2" / "Alternate Titles.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            occ = "onet:" + row["O*NET-SOC Code"]
            labels = [
                *title_forms(row["Alternate Title"]),
                row["Short Title"],
                row["Title"],
                singular(row["Title"]),
            ]
            for label in labels:
                if label.strip():
                    seen.setdefault(norm(label), [label.strip(), occ])
    return sorted(seen.values())


def title_forms(title: str) -> list[str]:
    """An O*NET alternate title and the forms people write it in. O*NET spells out or
    shortens a title in parentheses: "IT Manager (Information Technology Manager)" is also
    "IT Manager" and "Information Technology Manager", "Recreational Vehicle (RV) Repairer"
    also "Recreational Vehicle Repairer" and "RV Repairer". A résumé headed "IT Manager"
    names no title O*NET writes whole."""
    title = title.strip()
    m = PARENTHESISED.fullmatch(title)
    if not m:
        return [title]
    before, inside, after = (" ".join(part.split()) for part in m.groups())
    if after:
        return [title, f"{before} {after}", f"{inside} {after}"]
    return [title, before, inside]


def singular(title: str) -> str:
    """An O*NET occupation's title, which is plural ("Registered Nurses", "Actuaries"), for
    one person; a title of several kinds ("Cooks, Restaurant", "Police and Sheriff's Patrol
    Officers") or whose plural is not its last word ("First-Line Supervisors of Retail Sales
    Workers") is left as it is."""
    if re.search(r",| and | or | of |--", title):
        return title
    head, _, last = title.strip().rpartition(" ")
    for plural, one in PLURAL_ENDINGS:
        if last.endswith(plural) and len(last) > len(plural) + 1:
            return f"{head} {last[: -len(plural)]}{one}".strip()
    return title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if not (args.source / "esco-1.1.1").is_dir():
        parser.error(f"no ESCO data under {args.source}")
    esco, by_preferred, by_alias = esco_skills(args.source)
    tools = onet_tools(args.source, esco, by_preferred, by_alias)
    used = used_by_esco(esco, tools)
    american = add_american_spellings(esco, esco + tools)
    variants = add_variants(esco + tools, VARIANTS_FILE)
    listed = split_listed_products(esco, tools)
    data = {
        "version": "esco-1.1.1+onet-29.2",
        "attribution": [
            "This service uses the ESCO classification of the European Commission.",
            "O*NET 29.2 Database by the U.S. Department of Labor, Employment and Training "
            "Administration (USDOL/ETA), used under the CC BY 4.0 licence.",
        ],
        "skills": esco + tools + listed,
        "titles": titles(args.source),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0 keeps the artifact byte-identical across rebuilds of the same sources.
    with open(args.out, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw.encode("utf-8"))
    print(  # noqa: T201 - a build script reports what it wrote
        f"{args.out}: {len(esco)} ESCO skills, {len(tools)} O*NET tools, "
        f"{len(listed)} products ESCO lists, {used} tools ESCO names the use of, "
        f"{american} American spellings, {variants} curated variants, "
        f"{len(data['titles'])} titles, "
        f"{args.out.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
