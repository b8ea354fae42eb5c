"""Contact fields, dates and years of experience found with rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from models import Contact, Section
from parsing._sections import heading_name

EMAIL = re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b")
PHONE = re.compile(
    r"(?<![\w+])(?:\+?\d{1,3}[\s.\-]?)?(?:\(\d{2,4}\)[\s.\-]?)?\d{2,4}[\s.\-]?\d{3,4}[\s.\-]?\d{3,4}(?![\w])"
    # "(555) 014-2231": an area code in brackets, then two groups
    r"|(?<![\w+])(?:\+?\d{1,3}[\s.\-]?)?\(\d{2,4}\)[\s.\-]?\d{3,4}[\s.\-]?\d{3,4}(?![\w])"
)
LINK = re.compile(
    r"\b(?:https?://|www\.)[^\s<>()\"']+|\b(?:linkedin\.com|github\.com|gitlab\.com)/[^\s<>()\"']+",
    re.IGNORECASE,
)
# What makes a name the label of a contact field ("LinkedIn: https://…", "GitHub account:
# https://…", "Skype: hrdk.dubal", "Skype name: hayleynicholls"): a word naming the field,
# or none, a colon or a dash, and an address, a link or a handle. A handle has a dot, an
# underscore or a digit inside it ("hrdk.dubal", "nael.khader91") and stands alone, before the
# line's end or a run of spaces ("Java: e.g. Java Mission Control" is no handle); or it
# follows a word naming the field. "Cloud Technologies: AWS" and "Configuration Management:
# Ansible." are lists.
_FIELD_WORD = r"(?:account|profile|page|url|link|handle|name|id|repo|repository)"
_HANDLE = r"[A-Za-z][\w\-]*(?:[._]\w|\d)[\w.\-]*(?<!\.)(?=[ \t]{2,}|[ \t]*(?:\n|$|[|\"']))"
CONTACT_FIELD = re.compile(
    rf"(?:\s+{_FIELD_WORD})?\s*[:\-–]\s*(?:https?://|www\.|[\w.%+\-]+@|{_HANDLE})"
    rf"|\s+{_FIELD_WORD}\s*[:\-–]\s*\S",
    re.IGNORECASE,
)
NAME_WORD = re.compile(r"^[A-Z][a-zA-Z'\-]*\.?$|^[A-Z]{2,}$")
# Words a headline has and a person's name has not ("SALES AND BUSINESS DEVELOPMENT",
# "Resume Examples", "Curriculum Vitae").
NOT_IN_NAMES = frozenset(
    {"and", "of", "for", "the", "in", "to", "with", "resume", "résumé", "cv", "curriculum", "vitae"}
)
# Where a name ends on a line that goes on to the candidate's contact details: "Christin
# Harvey - Email me on Indeed", "Mei Schuppe, Telangana - Email me", "Jon Feest  2501 N.
# Blackwelder Ave.", "Hal Doyle | 123 Main St." (CONTACT_DETAILS: a headline goes on to
# other words, "VICE PRESIDENT, DIRECTOR OF CLIENT SERVICES").
NAME_ENDS = re.compile(r"\s+[-–—|•]\s+|\s*,\s*|\s{2,}|\s+(?=[(+\d])")
CONTACT_DETAILS = re.compile(r"\d|@|\b(?:e-?mail|phone|mobile|cell|tel)\b", re.IGNORECASE)

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s*,?\s*(?:19|20)\d{{2}}|\d{{1,2}}/(?:19|20)\d{{2}}|(?:19|20)\d{{2}})"
_OPEN = r"(?:present|current|now|today|date|ongoing)"
DATE_RANGE = re.compile(
    rf"(?P<start>{_DATE})\s*(?:-|–|—|to|until|till)\s*(?P<end>{_DATE}|{_OPEN})",
    re.IGNORECASE,
)
# A count of years as written: "5", "2.5", or a word ("five years of experience").
NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
    if n
}
YEARS_COUNT = r"\b(\d{1,2}(?:\.\d)?|" + "|".join(NUMBER_WORDS) + ")"
# The rest of a range after its first count ("3-5 years", "three to five years"): the
# first is what is asked.
YEARS_RANGE_REST = r"(?:(?:-|–|to)\s*(?:\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\s*)?"
STATED_YEARS = re.compile(
    YEARS_COUNT
    + r"\+?\s*"
    + YEARS_RANGE_REST
    + r"(?:years?|yrs?)\s+(?:of\s+)?(?:\w+\s+){0,3}?experience",
    re.IGNORECASE,
)


def as_years(count: str) -> float:
    """A count ``YEARS_COUNT`` read: "5" is 5.0, "five" 5.0."""
    return float(NUMBER_WORDS.get(count.lower(), count))


def stated_years(text: str) -> float | None:
    """The most years of experience ``text`` states ("5+ years of experience", "three to
    five years of experience" states three)."""
    found = [as_years(m.group(1)) for m in STATED_YEARS.finditer(text)]
    return max(found) if found else None


def find_contact(
    text: str, sections: list[Section], is_title: Callable[[str], bool] = lambda _: False
) -> Contact:
    emails = list(dict.fromkeys(EMAIL.findall(text)))
    links = list(dict.fromkeys(m.group(0).rstrip(".,;") for m in LINK.finditer(text)))
    phones: list[str] = []
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        # A bare year range such as "2012 2016" is not a phone number.
        if 9 <= len(digits) <= 15 and not DATE_RANGE.fullmatch(m.group(0).strip()):
            phones.append(m.group(0).strip())
    return Contact(
        name=guess_name(text, sections, is_title),
        emails=emails,
        phones=list(dict.fromkeys(phones)),
        links=links,
    )


def in_address(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is part of an e-mail address or a link: no skill is named
    inside one ("Lakin.Moshe@yahoo.com", "github.com/ganesh"). Neither spans whitespace, so
    only the run of text around it is read, and only when it could hold one."""
    first, last = start, end
    while first > 0 and not text[first - 1].isspace():
        first -= 1
    while last < len(text) and not text[last].isspace():
        last += 1
    run = text[first:last]
    if "@" not in run and "/" not in run and "www." not in run.lower():
        return False
    return any(
        a < end - first and start - first < b
        for pattern in (EMAIL, LINK)
        for a, b in (m.span() for m in pattern.finditer(run))
    )


def labels_contact(text: str, end: int) -> bool:
    """Whether what follows ``end`` in ``text`` makes the words before it a contact field's
    label (``CONTACT_FIELD``): "LinkedIn" in "LinkedIn: https://…" names no skill."""
    return CONTACT_FIELD.match(text, end) is not None


def guess_name(
    text: str, sections: list[Section], is_title: Callable[[str], bool] = lambda _: False
) -> str | None:
    """The candidate's name: in the header, the first of its first five lines that is, or
    begins with, two to four capitalised words, with no digits or @, none of them a word
    names do not have ("and", "of", "Resume"), and is neither a job title nor a section
    heading ("Career Focus"). The line may go on to the candidate's contact details, after a
    dash, a comma, a bar or a run of spaces (``NAME_ENDS``, ``CONTACT_DETAILS``)."""
    header_end = sections[0].end if sections and sections[0].name == "header" else len(text)
    for line in text[:header_end].splitlines()[:5]:
        line = line.strip().strip("\"'")
        candidates = [line]
        parts = NAME_ENDS.split(line, maxsplit=1)
        if len(parts) == 2 and CONTACT_DETAILS.search(parts[1]):
            candidates.append(parts[0])
        for candidate in candidates:
            words = candidate.split()
            if (
                2 <= len(words) <= 4
                and all(NAME_WORD.match(w) and w.lower() not in NOT_IN_NAMES for w in words)
                and heading_name(candidate) is None
                and not is_title(candidate)
            ):
                return " ".join(w.capitalize() if w.isupper() else w for w in words)
    return None


def _parse_date(raw: str, today: dt.date) -> dt.date | None:
    raw = raw.strip().lower().rstrip(".")
    if re.fullmatch(_OPEN, raw):
        return today
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})", raw):
        month = int(m.group(1))
        return dt.date(int(m.group(2)), month, 1) if 1 <= month <= 12 else None
    if m := re.fullmatch(r"(\d{4})", raw):
        return dt.date(int(m.group(1)), 1, 1)
    if m := re.fullmatch(r"([a-z]+)\.?\s*,?\s*(\d{4})", raw):
        named = MONTHS.get(m.group(1))
        return dt.date(int(m.group(2)), named, 1) if named else None
    return None


def dated_periods(text: str, today: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    """Every ``start – end`` date range in ``text`` that reads as a plausible period, with
    the offset where it stands."""
    out: list[tuple[int, dt.date, dt.date]] = []
    for m in DATE_RANGE.finditer(text):
        start, end = _parse_date(m.group("start"), today), _parse_date(m.group("end"), today)
        if start and end and start <= end <= today and (end - start).days < 50 * 366:
            out.append((m.start(), start, end))
    return out


def date_ranges(text: str, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods of ``dated_periods`` without their offsets."""
    return [(start, end) for _, start, end in dated_periods(text, today)]


def covered_years(ranges: list[tuple[dt.date, dt.date]]) -> float:
    """Years covered by the periods, overlaps counted once."""
    if not ranges:
        return 0.0
    ordered = sorted(ranges)
    days = 0
    cur_start, cur_end = ordered[0]
    for start, end in ordered[1:]:
        if start > cur_end:
            days += (cur_end - cur_start).days
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    days += (cur_end - cur_start).days
    return round(days / 365.25, 1)


def years_of_experience(text: str, sections: list[Section], today: dt.date) -> float | None:
    """Total years covered by the experience section's date ranges (overlaps merged).

    Falls back to the whole text when there is no experience section, and to a stated
    "N years of experience" when no ranges are found.
    """
    spans = [text[s.start : s.end] for s in sections if s.name == "experience"]
    ranges = date_ranges("\n".join(spans) if spans else text, today)
    if ranges:
        return covered_years(ranges)
    return stated_years(text)
