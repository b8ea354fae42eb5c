"""What re-scoring reads of every candidate, in memory and by candidate id, as arrays.

A match re-scores a few hundred candidates on nine features. Read from the store and scored
one by one in Python, that costs tens of milliseconds whatever the pool's size; held here as
columns (skills, each with when it was last used and the years shown of it, titles' words
and places as lists of codes, years as a number) the features
of all of them are a few NumPy operations (see :func:`matcher.scoring.score_many`), and only
the shortlist is read from the store and explained.

Lists are kept the way a CSR matrix keeps its rows: each candidate's codes are a slice of one
flat array (``start`` and ``length`` by id); a write appends the new slice and points the
candidate at it, and the flat arrays are compacted when more than half of them is stale.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from index.lexical import words
from index.vectors import Ids

Codes = npt.NDArray[np.int32]
PLACE_WORD = re.compile(r"[^\W\d_]{3,}")
NOT_PLACES = {"remote", "hybrid", "office", "onsite", "area", "greater", "metro", "city", "based"}
NO_YEARS = np.nan
# When a skill was last used is kept as a day count from DAY_ZERO in two bytes (0: never in a
# dated role): 1900-01-01 is day 1, and the count reaches into 2079, past any role's end.
DAY_ZERO = dt.date(1899, 12, 31).toordinal()
LAST_DAY = int(np.iinfo(np.uint16).max)


def day_of(date: dt.date) -> int:
    """``date`` as the profiles keep it (days from ``DAY_ZERO``, within 1 and ``LAST_DAY``)."""
    return min(LAST_DAY, max(1, date.toordinal() - DAY_ZERO))


def places(location: str | None) -> frozenset[str]:
    """The place names in a location ("Berlin, Germany" → berlin, germany)."""
    found = PLACE_WORD.findall((location or "").lower())
    return frozenset(w for w in found if w not in NOT_PLACES)


@functools.lru_cache(maxsize=100_000)
def title_terms(title: str) -> frozenset[str]:
    """A title's terms, cached: the same titles come back in match after match."""
    return frozenset(words(title))


class Vocabulary:
    """Strings ↔ dense int32 codes, codes given in order of first sight (never removed)."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, word: str) -> int:
        return self.codes.setdefault(word, len(self.codes))

    def get(self, word: str) -> int:
        return self.codes.get(word, -1)

    def __len__(self) -> int:
        return len(self.codes)


class _Lists:
    """A list of int32 values per candidate id, each value with attributes of its own (one
    array each, of the dtypes given)."""

    def __init__(self, *extras: npt.DTypeLike) -> None:
        self.start = np.zeros(0, dtype=np.int64)
        self.length = np.zeros(0, dtype=np.int32)
        self.values = np.zeros(1024, dtype=np.int32)
        self.extras = [np.zeros(1024, dtype=dtype) for dtype in extras]
        self.used = 0  # of values
        self.live = 0  # values some candidate points at

    def grow(self, size: int) -> None:
        if size > len(self.start):
            grow = size - len(self.start)
            self.start = np.concatenate([self.start, np.zeros(grow, dtype=np.int64)])
            self.length = np.concatenate([self.length, np.zeros(grow, dtype=np.int32)])

    def set(self, ids: Ids, lists: list[list[int]], *extras: list[list[float]]) -> None:
        """Point ``ids`` at new lists; ``extras``: each attribute's values, list by list."""
        total = sum(len(x) for x in lists)
        if self.used + total > len(self.values):
            # By an eighth: at a million candidates the skill arrays hold 26 M values (208 MB
            # with their attributes), and doubling would leave up to half of that unused.
            size = max(self.used + total, len(self.values) + len(self.values) // 8)
            self.values = np.resize(self.values, size)
            self.extras = [np.resize(extra, size) for extra in self.extras]
        self.live -= int(self.length[ids].sum())
        at = self.used
        for i, values in zip(ids.tolist(), lists, strict=True):
            self.start[i], self.length[i] = at, len(values)
            at += len(values)
        if total:
            self.values[self.used : at] = np.fromiter(
                (v for values in lists for v in values), dtype=np.int32, count=total
            )
            for extra, given in zip(self.extras, extras, strict=True):
                extra[self.used : at] = np.fromiter(
                    (v for e in given for v in e), dtype=extra.dtype, count=total
                )
        self.used, self.live = at, self.live + total
        if self.used > 1 << 16 and self.live < self.used // 2:
            self._compact()

    def drop(self, ids: Ids) -> None:
        self.live -= int(self.length[ids].sum())
        self.length[ids] = 0

    def trim(self) -> None:
        """Let go of the room not yet used (after loading a whole pool)."""
        size = max(self.used, 1024)
        if size < len(self.values):
            self.values = self.values[:size].copy()
            self.extras = [extra[:size].copy() for extra in self.extras]

    def _compact(self) -> None:
        ids = np.flatnonzero(self.length)
        _, values, extras = self.gather(ids)
        self.values, self.extras = values.copy(), [extra.copy() for extra in extras]
        lengths = self.length[ids].astype(np.int64)
        self.start[ids] = np.cumsum(lengths) - lengths
        self.used = self.live = len(values)

    def gather(self, ids: Ids) -> tuple[npt.NDArray[np.int64], Codes, list[npt.NDArray[Any]]]:
        """(row of ``ids`` each value belongs to, values, each attribute's values), rows in
        order."""
        lengths = self.length[ids].astype(np.int64)
        rows = np.repeat(np.arange(len(ids)), lengths)
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        positions = np.repeat(self.start[ids], lengths) + offsets
        return rows, self.values[positions], [extra[positions] for extra in self.extras]


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One candidate's columns, as the store holds them."""

    id: int
    skill_ids: Iterable[str]
    skills_last_used: Mapping[str, dt.date]
    skill_years: Mapping[str, float]
    titles: list[str]
    years_experience: float | None
    location: str | None
    remote: bool | None


class Profiles:
    """The columns of every candidate that re-scoring reads, by candidate id."""

    def __init__(self) -> None:
        self.skills = Vocabulary()  # skill id → code
        self.words = Vocabulary()  # a title's word, or a place name → code
        # Skill codes; of each, the day it was last used (``day_of``; 0: none) and the years
        # the résumé shows of it (NaN: none; quarter years, which float16 holds exactly).
        self.skill_lists = _Lists(np.uint16, np.float16)
        self.title_lists = _Lists(np.int32)  # word codes; of each, which title of the candidate
        self.place_lists = _Lists()  # place codes
        self.years = np.zeros(0, dtype=np.float64)
        self.remote = np.zeros(0, dtype=np.int8)  # -1 unknown, 0 no, 1 yes

    def _grow(self, top: int) -> None:
        if top < len(self.years):
            return
        size = max(top + 1, 2 * len(self.years), 1024)
        for lists in (self.skill_lists, self.title_lists, self.place_lists):
            lists.grow(size)
        grow = size - len(self.years)
        self.years = np.concatenate([self.years, np.full(grow, NO_YEARS, dtype=np.float64)])
        self.remote = np.concatenate([self.remote, np.full(grow, -1, dtype=np.int8)])

    def set(self, rows: list[ProfileRow]) -> None:
        """Record (or replace) candidates' columns."""
        rows = list({r.id: r for r in rows}.values())  # the last row of an id wins
        if not rows:
            return
        self._grow(max(r.id for r in rows))
        ids = np.array([r.id for r in rows], dtype=np.int64)
        skills = [sorted(set(r.skill_ids)) for r in rows]
        self.skill_lists.set(
            ids,
            [[self.skills.code(s) for s in mine] for mine in skills],
            [
                [day_of(r.skills_last_used[s]) if s in r.skills_last_used else 0 for s in mine]
                for r, mine in zip(rows, skills, strict=True)
            ],
            [
                [r.skill_years.get(s, NO_YEARS) for s in mine]
                for r, mine in zip(rows, skills, strict=True)
            ],
        )
        titles = [
            [(n, w) for n, title in enumerate(r.titles) for w in sorted(title_terms(title))]
            for r in rows
        ]
        self.title_lists.set(
            ids,
            [[self.words.code(w) for _, w in mine] for mine in titles],
            [[n for n, _ in mine] for mine in titles],
        )
        self.place_lists.set(
            ids, [[self.words.code(p) for p in sorted(places(r.location))] for r in rows]
        )
        self.years[ids] = [
            NO_YEARS if r.years_experience is None else r.years_experience for r in rows
        ]
        self.remote[ids] = [-1 if r.remote is None else int(r.remote) for r in rows]

    def trim(self) -> None:
        """Let go of the room the lists have not used yet (after loading a whole pool)."""
        for lists in (self.skill_lists, self.title_lists, self.place_lists):
            lists.trim()

    def drop(self, ids: list[int]) -> None:
        known = np.array([i for i in ids if i < len(self.years)], dtype=np.int64)
        for lists in (self.skill_lists, self.title_lists, self.place_lists):
            lists.drop(known)
        self.years[known] = NO_YEARS
        self.remote[known] = -1
