"""Blind representation: a résumé's text without who the person is.

What feeds the embeddings and the keyword channel of a blind match is the text this module
returns, not the résumé as written: the name (wherever it stands, as long as it is not part
of a skill), e-mail addresses, phone numbers and links (which spell names), street addresses
and postal codes, labelled personal fields ("Date of birth: …", "Gender: …", "Marital status:
…", "Nationality: …" and the like), stated ages, graduation years (the years of the
education section, an age cue), and honorifics are taken out; pronouns and gendered words are
written in a neutral form ("she" → "they", "waitress" → "server", "chairman" → "chair").

The recruiter still sees the original: this text is derived, never stored in place of the
résumé, and its offsets are not the résumé's. A photo never reaches the text (text layers
only are read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from models import Resume

# Gendered word (lower case) → its neutral form ("" drops it).
NEUTRAL: dict[str, str] = {
    # pronouns
    "he": "they",
    "she": "they",
    # one form for all three, so that "has him conducting" and "has her conducting" read
    # alike (the text is for matching, not for reading)
    "him": "their",
    "his": "their",
    "her": "their",
    "hers": "theirs",
    "himself": "themself",
    "herself": "themself",
    # people
    "man": "person",
    "woman": "person",
    "men": "people",
    "women": "people",
    "men's": "",
    "women's": "",
    "mens": "",
    "womens": "",
    "male": "",
    "female": "",
    "males": "people",
    "females": "people",
    "boy": "child",
    "girl": "child",
    "boys": "children",
    "girls": "children",
    "boys'": "",
    "girls'": "",
    "lady": "person",
    "ladies": "people",
    "ladies'": "",
    "gentleman": "person",
    "gentlemen": "people",
    # family and marriage
    "wife": "spouse",
    "husband": "spouse",
    "mother": "parent",
    "father": "parent",
    "mom": "parent",
    "dad": "parent",
    "son": "child",
    "daughter": "child",
    "sons": "children",
    "daughters": "children",
    "brother": "sibling",
    "sister": "sibling",
    "boyfriend": "partner",
    "girlfriend": "partner",
    "fiance": "partner",
    "fiancee": "partner",
    "fiancé": "partner",
    "fiancée": "partner",
    "widow": "",
    "widower": "",
    "maternity": "parental",
    "paternity": "parental",
    # roles with a gendered form
    "waiter": "server",
    "waitress": "server",
    "waiters": "servers",
    "waitresses": "servers",
    "actress": "actor",
    "actresses": "actors",
    "hostess": "host",
    "hostesses": "hosts",
    "steward": "flight attendant",
    "stewardess": "flight attendant",
    "stewardesses": "flight attendants",
    "chairman": "chair",
    "chairwoman": "chair",
    "chairmen": "chairs",
    "chairwomen": "chairs",
    "salesman": "salesperson",
    "saleswoman": "salesperson",
    "salesmen": "salespeople",
    "saleswomen": "salespeople",
    "spokesman": "spokesperson",
    "spokeswoman": "spokesperson",
    "businessman": "businessperson",
    "businesswoman": "businessperson",
    "foreman": "supervisor",
    "forewoman": "supervisor",
    "fireman": "firefighter",
    "policeman": "police officer",
    "policewoman": "police officer",
    "craftsman": "craftsperson",
    "craftswoman": "craftsperson",
    "cameraman": "camera operator",
    "camerawoman": "camera operator",
    "anchorman": "anchor",
    "anchorwoman": "anchor",
    "headmaster": "head teacher",
    "headmistress": "head teacher",
    "housewife": "homemaker",
    "househusband": "homemaker",
    "seamstress": "tailor",
    "masseuse": "massage therapist",
    "masseur": "massage therapist",
    "fraternity": "student society",
    "sorority": "student society",
    "fraternities": "student societies",
    "sororities": "student societies",
}
# A gendered word stands alone: a whole run of word characters and apostrophes ("men's",
# not the "men" of "women" or of "men's"). Runs are found, then looked up: one alternation
# of all the words, tried at every position, took a third of the blind text's time.
WORD_RUN = re.compile(r"[\w']+")
# Honorifics as written before a name (case-sensitive: "MS Excel" and "miss a deadline" stay).
HONORIFICS = ("Mr", "Mrs", "Ms", "Mx", "Miss", "Mister", "Madam", "Mme", "Mlle", "Smt", "Shri")
# What stands between the parts of a name written out ("Jordan Taylor", "J. Taylor").
NAME_SEPARATORS = re.compile(r"[\s.,]+")
HONORIFIC = re.compile(r"\b(?:" + "|".join(HONORIFICS) + r")\b\.?(?=\s+[A-Z])")
# Labelled personal fields: the label and its value, to the end of the line or the next
# separator ("Gender: Female | Nationality: Indian").
PERSONAL_FIELD = re.compile(
    r"(?im)\b(?:date\s+of\s+birth|birth\s*date|d\.?\s?o\.?\s?b\.?|born|age|gender|sex"
    r"|marital\s+status|civil\s+status|relationship\s+status|nationality|citizenship"
    r"|religion|caste|ethnicity|race|place\s+of\s+birth|father'?s\s+name|mother'?s\s+name"
    r"|husband'?s\s+name|wife'?s\s+name|spouse(?:'?s\s+name)?|no\.?\s+of\s+children|children"
    r"|dependants|dependents|height|weight|blood\s+group|passport(?:\s+(?:no\.?|number))?"
    r"|pronouns|photo)\s*(?::|\s[\-–]\s)\s*[^\n|;•]*"
)
AGE = re.compile(
    r"(?i)\b(?:\d{2}\s*(?:years?|yrs?)[\s-]*old|aged?\s+\d{2}\b"
    r"|born\s+(?:on|in)\s+[^\n,;|]{1,40})"
)
# Street addresses: a house number, up to four capitalised words, a street word as written
# ("5 years in the way" is no address), maybe a unit.
STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?,?\s+(?:[A-Z0-9][\w'.\-]*\s+){0,4}?"
    r"(?:Street|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Court|Ct|Way|Place|Pl|Terrace|Ter"
    r"|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Crescent|Close|Marg|Nagar)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*[\w\-]+)?"
    # "St" and "Dr" are also Saint and Doctor: "2009 St. Xavier's College" is a year.
    r"|\b(?!(?:19|20)\d{2}\b)\d{1,6}[A-Za-z]?,?\s+(?:[A-Z0-9][\w'.\-]*\s+){0,4}?(?:St|Dr)\b\.?"
    r"|\b(?:P\.?\s?O\.?\s+Box|Post\s+Box)\s+\d+"
)
# Postal codes: US ZIP after a state code, UK postcodes, a six-digit PIN after "PIN".
POSTCODE = re.compile(
    r"(?<=\b[A-Z]{2}\s)\d{5}(?:-\d{4})?\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
    r"|(?i:\bpin(?:\s*code)?\s*[:\-]?\s*)\d{6}\b"
)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
CLASS_OF = re.compile(r"(?i)\bclass\s+of\s+'?\d{2,4}\b")
Edit = tuple[int, int, str]


def blind_text(resume: Resume) -> str:
    """The résumé's text with identity signals out (see the module's docstring)."""
    text = resume.text
    # A name part or a gendered word inside a skill the taxonomy names ("Grant management",
    # "women's health") is the skill's; a free skill ("Alpha Kappa Lambda Sorority") is not.
    protected = [(s.start, s.end) for s in resume.skills if not s.id.startswith("free:")]
    edits: list[Edit] = []
    # What spells who the person is goes wherever it stands, skill or not.
    contact = resume.contact
    for value in [*contact.emails, *contact.links, *contact.phones]:
        edits += [(m.start(), m.end(), "") for m in re.finditer(re.escape(value), text)]
    edits += [(m.start(), m.end(), "") for m in PERSONAL_FIELD.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in AGE.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in STREET.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in POSTCODE.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in CLASS_OF.finditer(text)]
    for section in resume.sections:
        if section.name == "education":
            body = text[section.start : section.end]
            edits += [
                (section.start + m.start(), section.start + m.end(), "")
                for m in YEAR.finditer(body)
            ]
    soft: list[Edit] = [(m.start(), m.end(), "") for m in HONORIFIC.finditer(text)]
    soft += [
        (m.start(), m.end(), _neutral(m.group(0)))
        for m in WORD_RUN.finditer(text)
        if m.group(0).lower() in NEUTRAL
    ]
    header = resume.sections[0] if resume.sections and resume.sections[0].name == "header" else None
    soft += _name_edits(text, contact.name, header.end if header else 0)
    edits += [e for e in soft if not _overlaps(e, protected)]
    return _apply(text, edits)


def name_parts(name: str | None) -> list[str]:
    """The parts of a name (two letters or more) that tell who it is: "Ms. Jordan Taylor" is
    Jordan and Taylor (the honorific is no part of the name: "MS Excel" stays)."""
    parts = [p.strip(".,'") for p in (name or "").split()]
    return [p for p in parts if len(p) >= 2 and p not in HONORIFICS]


def may_stand_in_name(phrases: Iterable[str], name: str | None) -> bool:
    """Whether one of ``phrases`` could lie within a place where the name stands
    (``name_spans``): each of its words is part of one of the name's parts, in any case.
    Cheaper than finding the name, which compiles a pattern for it: most résumés' skills
    share no word with their owner's name."""
    parts = [p.lower() for p in name_parts(name)]
    return bool(parts) and any(
        (words := [w for w in NAME_SEPARATORS.split(phrase.lower()) if w])
        and all(any(w in p for p in parts) for w in words)
        for phrase in phrases
    )


def name_spans(text: str, name: str | None) -> list[tuple[int, int]]:
    """Where the name stands whole in ``text``, in any case, its parts apart by spaces, dots
    or commas; or surname first, as a list of publications cites its author ("Taylor,
    Jordan", "Taylor, J.", "Harvey, Christin T.")."""
    parts = name_parts(name)
    if not parts:
        return []
    forms = [NAME_SEPARATORS.pattern.join(map(re.escape, parts))]
    if len(parts) >= 2:
        # Each given name, whole or by its initial; those after the first may be left out.
        given = [rf"(?:{re.escape(p)}|{re.escape(p[0])}\.)" for p in parts[:-1]]
        forms.append(
            re.escape(parts[-1]) + r",\s*" + given[0] + "".join(rf"(?:\s*{g})?" for g in given[1:])
        )
    whole = re.compile(r"(?<![\w])(?:" + "|".join(forms) + r")(?![\w])", re.IGNORECASE)
    return [m.span() for m in whole.finditer(text)]


def _name_edits(text: str, name: str | None, header_end: int) -> list[Edit]:
    """The name, in any case: whole wherever it stands; each of its parts (two letters or
    more) alone only in the header, before ``header_end`` (elsewhere "Washington" is as
    likely the city as the surname)."""
    parts = name_parts(name)
    if not parts:
        return []
    edits = [(start, end, "") for start, end in name_spans(text, name)]
    alone = re.compile(
        r"(?<![\w])(?:"
        + "|".join(map(re.escape, sorted(set(parts), key=len, reverse=True)))
        + r")(?![\w])",
        re.IGNORECASE,
    )
    edits += [(m.start(), m.end(), "") for m in alone.finditer(text, 0, header_end)]
    return edits


def _neutral(word: str) -> str:
    neutral = NEUTRAL[word.lower()]
    if neutral and word[:1].isupper():
        return neutral.upper() if word.isupper() and len(word) > 1 else neutral.capitalize()
    return neutral


def _overlaps(edit: Edit, spans: list[tuple[int, int]]) -> bool:
    start, end, _ = edit
    return any(s < end and start < e for s, e in spans)


def _apply(text: str, edits: list[Edit]) -> str:
    """``text`` with the edits made; where edits overlap, the one starting first (then the
    longest) wins. Spaces left doubled by a removal are folded; line breaks are kept."""
    out: list[str] = []
    at = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], -e[1])):
        if start < at:
            continue
        out.append(text[at:start])
        out.append(replacement)
        at = end
    out.append(text[at:])
    joined = "".join(out)
    return "\n".join(" ".join(line.split()) for line in joined.split("\n"))
