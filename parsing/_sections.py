"""Section headings of résumés and job descriptions."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from models import Section

# Heading words → canonical section name. A line is a heading when, stripped of punctuation,
# it is one of these phrases (any case), optionally followed by a colon.
HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "career summary",
        "profile",
        "professional profile",
        "objective",
        "career objective",
        "about me",
        "executive summary",
        "overview",
        "career overview",
        "introduction",
        "personal statement",
        "executive profile",
        "summary of qualifications",
        "qualifications summary",
        "highlights",
        "career highlights",
        "career focus",
        "professional overview",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "employment history",
        "work history",
        "employment",
        "career history",
        "relevant experience",
        "experience summary",
        "professional background",
        "internships",
        "internship",
        "positions held",
        "accomplishments",
        "professional experience and accomplishments",
        "core accomplishments",
    ),
    "education": (
        "education",
        "education and training",
        "academic background",
        "academic qualifications",
        "educational qualifications",
        "qualifications",
        "academic profile",
        "education details",
        "educational background",
        "training",
        "academics",
    ),
    "skills": (
        "skills",
        "technical skills",
        "key skills",
        "core skills",
        "it skills",
        "skill set",
        "skillset",
        "core competencies",
        "competencies",
        "areas of expertise",
        "expertise",
        "technical proficiencies",
        "technologies",
        "tools",
        "tools and technologies",
        "additional skills",
        "skills summary",
        "computer skills",
        "technical expertise",
        "strengths",
        "key strengths",
        "core qualifications",
        "skill highlights",
        "core strengths",
        "summary of skills",
    ),
    "certifications": (
        "certifications",
        "certificates",
        "certification",
        "licenses",
        "licenses and certifications",
        "certifications and licenses",
    ),
    "projects": ("projects", "academic projects", "personal projects", "key projects"),
    "languages": ("languages", "language skills"),
    "awards": (
        "awards",
        "honors",
        "honours",
        "achievements",
        "awards and honors",
        "activities and honors",
    ),
    "publications": ("publications", "presentations"),
    "interests": (
        "interests",
        "hobbies",
        "hobbies and interests",
        "personal interests",
        "activities",
        "extracurricular activities",
        "volunteer",
        "volunteering",
        "affiliations",
        "professional affiliations",
    ),
    "references": ("references",),
    "additional": (
        "additional information",
        "other information",
        "personal details",
        "personal information",
    ),
    # Job descriptions
    "responsibilities": (
        "responsibilities",
        "key responsibilities",
        "what you will do",
        "what you'll do",
        "the role",
        "role",
        "duties",
        "your role",
        "job description",
        "about the role",
    ),
    "requirements": (
        "requirements",
        "required qualifications",
        "minimum qualifications",
        "what you bring",
        "what we are looking for",
        "what we're looking for",
        "must have",
        "must haves",
        "must-have",
        "who you are",
        "basic qualifications",
        "required skills",
        "you have",
    ),
    "preferred": (
        "preferred qualifications",
        "nice to have",
        "nice-to-have",
        "bonus",
        "bonus points",
        "preferred",
        "desired skills",
        "desirable",
        "pluses",
        "preferred skills",
        "good to have",
    ),
}
_LOOKUP = {phrase: name for name, phrases in HEADINGS.items() for phrase in phrases}
_CLEAN = re.compile(r"[^a-z'&\- ]+")


def heading_name(line: str) -> str | None:
    """The canonical section name if ``line`` is a heading, else None."""
    stripped = line.strip().strip("#*_=:-•|").strip()
    if not stripped or len(stripped) > 60:
        return None
    key = " ".join(_CLEAN.sub(" ", stripped.lower().replace("&", " and ")).split())
    return _LOOKUP.get(key)


def find_sections(text: str) -> list[Section]:
    """Split ``text`` into sections; text before the first heading is ``header``."""
    sections: list[Section] = []
    name, start, pos = "header", 0, 0
    for line in text.splitlines(keepends=True):
        found = heading_name(line)
        if found is not None:
            if text[start:pos].strip():
                sections.append(Section(name=name, start=start, end=pos))
            name, start = found, pos + len(line)
        pos += len(line)
    if text[start:pos].strip():
        sections.append(Section(name=name, start=start, end=pos))
    return sections


def section_at(sections: list[Section], offset: int) -> str | None:
    for s in sections:
        if s.start <= offset < s.end:
            return s.name
    return None


def sections_at(sections: list[Section], offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """For each of ``offsets``, the index in ``sections`` (found by :func:`find_sections`:
    in order, not overlapping) of the section it falls in, else ``len(sections)``: what
    :func:`section_at` tells of one offset, for many at once."""
    starts = np.array([s.start for s in sections], dtype=np.int64)
    ends = np.array([s.end for s in sections] + [0], dtype=np.int64)
    at = np.searchsorted(starts, offsets, side="right") - 1
    inside = (at >= 0) & (offsets < ends[at])
    found: npt.NDArray[np.intp] = np.where(inside, at, len(sections))
    return found
