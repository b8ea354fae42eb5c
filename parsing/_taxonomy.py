"""The shipped skill and job-title taxonomy (built by ``scripts/build_taxonomy.py``)."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SkillEntry:
    id: str
    label: str
    kind: str
    source: str
    aliases: tuple[str, ...]
    hot: bool = False
    broader: tuple[str, ...] = ()
    # How many ESCO occupations ask for the skill (essential or optional); 0 for O*NET's.
    occupations: int = 0


@dataclass(slots=True)
class Taxonomy:
    """Canonical skills (ESCO + O*NET merged) and job titles."""

    version: str
    skills: dict[str, SkillEntry]
    titles: list[tuple[str, str]]
    attribution: list[str] = field(default_factory=list)
    # sha256 of the artifact it was loaded from; "" for one made in memory.
    digest: str = ""
    _narrower: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        narrower: dict[str, list[str]] = {}
        for entry in self.skills.values():
            for parent in entry.broader:
                narrower.setdefault(parent, []).append(entry.id)
        self._narrower = {k: tuple(sorted(v)) for k, v in narrower.items()}

    @classmethod
    def load(cls, path: Path | None = None) -> Taxonomy:
        """Load the artifact at ``path``, or the one shipped in ``parsing/data``."""
        if path is None:
            ref = resources.files("parsing") / "data" / "taxonomy.json.gz"
            raw = ref.read_bytes()
        else:
            raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw))
        skills = {
            s["id"]: SkillEntry(
                id=s["id"],
                label=s["label"],
                kind=s["kind"],
                source=s["source"],
                aliases=tuple(s["aliases"]),
                hot=bool(s.get("hot", False)),
                broader=tuple(s.get("broader", ())),
                occupations=int(s.get("occupations", 0)),
            )
            for s in data["skills"]
        }
        titles = [(t[0], t[1]) for t in data["titles"]]
        return cls(
            data["version"],
            skills,
            titles,
            list(data["attribution"]),
            digest=hashlib.sha256(raw).hexdigest(),
        )

    def related(self, skill_id: str) -> frozenset[str]:
        """The skills one step away in the hierarchy: broader ("computer programming" for
        Python) and narrower (Python for "computer programming")."""
        entry = self.skills.get(skill_id)
        broader = entry.broader if entry else ()
        return frozenset((*broader, *self._narrower.get(skill_id, ())))

    def esco_concept(self, skill_id: str) -> str | None:
        """The ESCO skill that ``skill_id`` is in ESCO's own terms: itself for an ESCO skill
        (O*NET tools merged into one included); for an O*NET tool that ESCO lists under a kind
        of product, that kind ("Excel" is an alternative label of ESCO's "use spreadsheets
        software"; the builder made it Microsoft Excel's, with that kind as its broader), or
        ESCO's skill of using it ("use word processing software"), also its broader; else None
        (Docker, a free skill)."""
        entry = self.skills.get(skill_id)
        if entry is None:
            return None
        if entry.source == "esco":
            return entry.id
        return next(
            (b for b in entry.broader if b in self.skills and self.skills[b].source == "esco"),
            None,
        )

    def label(self, skill_id: str) -> str:
        entry = self.skills.get(skill_id)
        return entry.label if entry else skill_id
