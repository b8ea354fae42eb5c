"""Evidence and strength: what a résumé shows of each skill, and what a job asks."""

from __future__ import annotations

import datetime as dt
import re

from models import Section, SkillEvidence, SkillMention
from parsing._fields import (
    YEARS_COUNT,
    YEARS_RANGE_REST,
    as_years,
    covered_years,
    dated_periods,
)

# "5+ years", "3-5 yrs", "2 years": the years a line asks for.
CLAUSE_END = re.compile(r"[.;!?](?=\s|$)")
YEARS = re.compile(
    YEARS_COUNT + r"\s*\+?\s*" + YEARS_RANGE_REST + r"(?:years?|yrs?)\b", re.IGNORECASE
)
# Cues that a clause of a job description asks for something optional, or says it does not
# ask for it ("Kafka experience is not required", "you don't need Kafka: we'll teach you"):
# the job would still like it, so it is nice to have.
NICE_TO_HAVE = re.compile(
    r"\b(nice[- ]to[- ]have|a plus|is a plus|bonus|preferred|preferably|desirable|ideally|"
    r"good to have|advantage|optional|"
    r"not (?:required|necessary|mandatory|essential|a must)|"
    r"(?:do not|don't|doesn't|does not|won't|will not) (?:need|require)|no need)\b",
    re.IGNORECASE,
)
# Cues that a part of a clause asks for something outright (besides the years it asks); not
# where they are denied ("not required", "does not require").
MUST = re.compile(
    r"(?<!not )\b(required|requires?|must|mandatory|essential|minimum)\b", re.IGNORECASE
)
# Where a part of a clause ends and the next begins: "Python (5+ years), SQL (2 years)".
PART_END = re.compile(r",\s")
# Most senior first: the first that matches the title wins.
SENIORITY: list[tuple[str, re.Pattern[str]]] = [
    ("head", re.compile(r"\b(head of|director|vice president|vp|chief)\b", re.I)),
    ("principal", re.compile(r"\b(principal|distinguished)\b", re.I)),
    ("lead", re.compile(r"\b(lead|staff|team leader)\b", re.I)),
    ("senior", re.compile(r"\b(senior|sr\.?)(?=\W)", re.I)),
    ("mid", re.compile(r"\b(mid[- ]level|intermediate)\b", re.I)),
    ("junior", re.compile(r"\b(junior|jr\.?|entry[- ]level|graduate)(?=\W)", re.I)),
    ("intern", re.compile(r"\b(intern|internship|trainee|apprentice)\b", re.I)),
]
REMOTE = re.compile(
    r"\b(fully remote|100% remote|remote[- ]first|work from home|wfh|"
    r"remote(?! sensing| control| monitoring| access| desktop| support))\b",
    re.IGNORECASE,
)
HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
ONSITE = re.compile(r"\b(on[- ]?site|in[- ]office|office[- ]based)\b", re.IGNORECASE)
LOCATION = re.compile(
    r"^\s*(?:location|based in|office|where|work location)\s*[:\-–]\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
DEGREE = re.compile(
    r"\b(bachelor|master|ph\.?d|doctorate|mba|b\.?\s?sc|m\.?\s?sc|b\.?\s?tech|m\.?\s?tech|"
    r"b\.?\s?e\b|m\.?\s?e\b|b\.?\s?a\b|m\.?\s?a\b|b\.?\s?com|m\.?\s?com|diploma|"
    r"associate'?s? degree)",
    re.IGNORECASE,
)
# The years a résumé states for a skill: right after its name, as Indeed's résumés list skills
# ("ORACLE (3 years)", "ESSBASE\n(Less than 1 year)", "Java (five years)"; the parser reads
# such an item of a skills list as a skill), or as a list item gives them ("Leadership: 10+
# years"), or right before it ("5+ years of experience in Mule", "8 years of Java"). Counts
# are digits or words, as a job's years are (``YEARS_COUNT``).
ITEM_YEARS = re.compile(
    r"\s*\(\s*(?:" + YEARS_COUNT + r"\+?|(less\s+than\s+(?:1|one|a)))\s+years?\s*\)",
    re.IGNORECASE,
)
LISTED_YEARS = re.compile(
    r"[ \t]*[:\-–][ \t]*" + YEARS_COUNT + r"\+?[ \t]*(?:years?|yrs?)\b", re.IGNORECASE
)
YEARS_BEFORE = re.compile(
    YEARS_COUNT + r"\+?\s*(?:years?|yrs?)['’]?\s+(?:of\s+)?"
    r"(?:(?:hands-on|professional|working|work|industry)\s+)?(?:experience\s+)?"
    r"(?:in|with|using|of)\s+$",
    re.IGNORECASE,
)
# What parts one item of a list from the next: "Java, Spring and Hibernate", "Java/Scala".
LIST_GLUE = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b)\s*(?:(?:and|or)\s+)?", re.IGNORECASE)
# Years of experience in a field, right before its first item ("9 years of experience in C,
# C++"): the years are the list's, not only its first item's ("8 years of Java, and SVN
# since 2015" are not SVN's).
EXPERIENCE_IN = re.compile(r"experience\s+(?:in|with|using|of)\s+$", re.IGNORECASE)
# How far before a skill's name ``YEARS_BEFORE`` is looked for.
YEARS_BEFORE_REACH = 80
LESS_THAN_A_YEAR = 0.5
# How far after a role's dates its description may run without another date range.
ROLE_REACH = 3000
ROLE_SECTIONS = {"experience", "projects", "header"}


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause around a mention starts and ends in ``text``: its line, cut where a
    sentence or clause ends (". ", "; ", "! ", "? "), so that "Must have Java; Kafka is a
    plus." asks for Java; and cut at the comma where a part that asks outright (for years,
    or "required", "must") gives way to an optional one: "4+ years of accounting
    experience, public accounting a plus" asks for accounting, for 4 years, and would like
    public accounting; and at the comma where an optional part gives way to one that asks
    outright: "German is a plus, English required" asks for English. A cue that stands
    before the list covers all of it ("Preferred: Kafka, Spark"), and so does one after a
    list that asks nothing outright ("Kafka, Spark or Flink a plus")."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    cuts = [m.end() for m in CLAUSE_END.finditer(text, first, last)]
    clause_start = max((c for c in cuts if c <= start), default=first)
    clause_end = min((c for c in cuts if c > end), default=last)
    outright = sorted(
        [m.start() for m in MUST.finditer(text, clause_start, clause_end)]
        + [m.start() for m in YEARS.finditer(text, clause_start, clause_end)]
    )
    for at in outright:
        comma = text.rfind(",", clause_start, at)
        following = text.find(",", at, clause_end)
        if (
            comma < 0
            or not NICE_TO_HAVE.search(text, clause_start, comma)
            or NICE_TO_HAVE.search(text, comma, clause_end if following < 0 else following)
        ):
            continue
        if end <= comma:
            return clause_start, comma
        clause_start = comma + 1
    for cue in NICE_TO_HAVE.finditer(text, clause_start, clause_end):
        comma = text.rfind(",", clause_start, cue.start())
        asked = text[clause_start:comma]
        if (
            comma < 0
            or NICE_TO_HAVE.search(asked)
            or not (YEARS.search(asked) or MUST.search(asked))
        ):
            continue
        if end <= comma:
            return clause_start, comma
        clause_start = comma + 1
    return clause_start, clause_end


def asked_optionally(text: str, section: str | None, clause: tuple[int, int]) -> bool:
    """Whether a job asks for a skill mentioned in ``clause`` (``clause_bounds``) of a section
    (``section``) as nice to have, not required."""
    return section == "preferred" or bool(NICE_TO_HAVE.search(text, *clause))


def years_asked(text: str, start: int, clause: tuple[int, int]) -> float | None:
    """The years asked in a mention's ``clause`` (``clause_bounds``), nearest to the mention
    at ``start``: in "5+ years of Python and SQL; experience with Spark." Python and SQL are
    asked for 5, Spark for none. Years in the mention's own part of the clause (between
    commas) come first: in "five years of software development, with 3 to 5 years in Go"
    software development is asked for 5, Go for 3; in "5+ years of Python, SQL and Spark"
    the part "SQL and Spark" asks none, so the clause's 5 are theirs."""
    first, last = clause
    cuts = [m.start() for m in PART_END.finditer(text, first, last)]
    part = (
        max((c + 1 for c in cuts if c < start), default=first),
        min((c for c in cuts if c >= start), default=last),
    )
    for within in (part, clause):
        found = [
            (abs(m.start() - start), as_years(m.group(1))) for m in YEARS.finditer(text, *within)
        ]
        if found:
            return min(found)[1]
    return None


def years_stated_for(text: str, start: int, end: int) -> float | None:
    """The years ``text`` states for the skill named at ``start:end`` (``ITEM_YEARS``,
    ``LISTED_YEARS``, ``YEARS_BEFORE``); less than a year is ``LESS_THAN_A_YEAR``; None when
    it states none."""
    item = ITEM_YEARS.match(text, end)
    if item is not None:
        return LESS_THAN_A_YEAR if item.group(2) else as_years(item.group(1))
    listed = LISTED_YEARS.match(text, end)
    if listed is not None:
        return as_years(listed.group(1))
    before = YEARS_BEFORE.search(text, max(0, start - YEARS_BEFORE_REACH), start)
    return as_years(before.group(1)) if before is not None else None


def stated_for_mentions(text: str, mentions: list[SkillMention]) -> dict[tuple[int, int], float]:
    """(start, end) of each mention → the years ``text`` states for it (``years_stated_for``).
    The items of a list after years of experience share them (``EXPERIENCE_IN``): in "5+ years
    of experience in Java, Spring and Hibernate" each is stated 5 years; ``LIST_GLUE`` must be
    all that parts two items ("… in Java; also Python": not Python's)."""
    stated: dict[tuple[int, int], float] = {}
    # The end of the last mention whose years the next item of its list would share.
    last: tuple[int, float] | None = None
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        years = years_stated_for(text, m.start, m.end)
        shared = last is not None and LIST_GLUE.fullmatch(text, last[0], m.start) is not None
        if years is None and last is not None and shared:
            years = last[1]
        elif years is not None:
            shared = EXPERIENCE_IN.search(text, max(0, m.start - 40), m.start) is not None
        if years is not None:
            stated[(m.start, m.end)] = years
        last = (m.end, years) if years is not None and shared else None
    return stated


def seniority(title: str | None, text: str) -> str | None:
    """From the title, else from the opening of the text."""
    for source in (title or "", text[:600]):
        for level, pattern in SENIORITY:
            if pattern.search(source):
                return level
    return None


def remote_mode(text: str) -> str | None:
    remote, hybrid, onsite = REMOTE.search(text), HYBRID.search(text), ONSITE.search(text)
    if hybrid or (remote and onsite):
        return "hybrid"
    if remote:
        return "remote"
    return "onsite" if onsite else None


def location(text: str) -> str | None:
    """A labelled location line: "Location: Berlin, Germany"."""
    m = LOCATION.search(text)
    return " ".join(m.group(1).split())[:200] if m else None


def education(text: str, sections: list[Section]) -> list[str]:
    """Degree lines: of the education section when there is one, else wherever they stand."""
    regions = [text[s.start : s.end] for s in sections if s.name == "education"] or [text]
    lines = [
        " ".join(line.split())[:200]
        for region in regions
        for line in region.splitlines()
        if DEGREE.search(line)
    ]
    return list(dict.fromkeys(lines))[:5]


def skill_evidence(
    text: str, sections: list[Section], mentions: list[SkillMention], today: dt.date
) -> list[SkillEvidence]:
    """Per skill: its sections, mentions, the last date and total years of the roles whose
    descriptions mention it (a role is the text after a date range, up to the next), and the
    years the résumé states for it (``stated_for_mentions``)."""
    periods = dated_periods(text, today)
    stated_at = stated_for_mentions(text, mentions)
    out: dict[str, SkillEvidence] = {}
    roles: dict[str, set[tuple[dt.date, dt.date]]] = {}
    for m in mentions:
        ev = out.get(m.id)
        if ev is None:
            ev = out[m.id] = SkillEvidence(id=m.id, label=m.label, mentions=0, sections=[])
        ev.mentions += 1
        if m.section and m.section not in ev.sections:
            ev.sections.append(m.section)
        stated = stated_at.get((m.start, m.end))
        if stated is not None:
            ev.years_stated = max(ev.years_stated or 0.0, stated)
        if (m.section or "header") not in ROLE_SECTIONS:
            continue
        before = [(pos, start, end) for pos, start, end in periods if pos <= m.start]
        if before and m.start - before[-1][0] <= ROLE_REACH:
            _, start, end = before[-1]
            roles.setdefault(m.id, set()).add((start, end))
    for skill_id, spans in roles.items():
        ev = out[skill_id]
        ev.last_used = max(end for _, end in spans)
        ev.years_used = covered_years(sorted(spans))
    return list(out.values())
