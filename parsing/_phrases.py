"""Phrase lookup by hashed token runs: what spaCy's ``PhraseMatcher`` finds, from arrays
that load in milliseconds.

A ``PhraseMatcher`` cannot be saved: it is rebuilt from pattern documents, and tokenising
and adding the taxonomy's 110,000 labels took about 2.5 s in every process. Here a pattern is
the array of its tokens' attribute hashes (spaCy's ``LOWER`` or ``ORTH``), which
``parsing._compiled`` keeps on disk. A document is matched by hashing every run of n tokens
for n = 1, 2, … at once and looking the keys up in the sorted keys of the patterns of that
length; only runs that begin some longer pattern are carried to the next n, so the work
stops after a few steps. A hit is checked token by token, so a hash collision cannot make
a false match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
from spacy.language import Language
from spacy.tokens import Doc

from parsing._compiled import Arrays, get_strings, put_strings

Hashes = npt.NDArray[np.uint64]
Index = npt.NDArray[np.int64]
# The key of a run of tokens t1 … tn: ((t1·MIX + t2)·MIX + …)·MIX + tn, wrapping at 2^64.
MIX = np.uint64(0x100000001B3)
_NONE = np.zeros(0, np.int64)


class PhraseTable:
    """Token patterns, each with a label, matched on one token attribute."""

    def __init__(self, attr: int, arrays: Arrays) -> None:
        """``arrays`` as :meth:`build` makes them (or as they were kept)."""
        self.attr = attr
        self._arrays = arrays
        self.labels = get_strings(arrays, "labels")
        self._tokens: Hashes = arrays["tokens"].astype(np.uint64)
        ends: Index = arrays["ends"].astype(np.int64)
        self._starts: Index = np.concatenate([[0], ends[:-1]]).astype(np.int64)
        self._label_of: Index = arrays["label_of"].astype(np.int64)
        lengths = ends - self._starts
        self.longest = int(lengths.max()) if len(lengths) else 0
        # By n, one sorted table of the distinct keys of n tokens that begin or make some
        # pattern; for each key, the patterns it makes (``order[lo:hi]``) and whether it
        # begins a longer one (``going``).
        self._steps: list[tuple[Hashes, Index, Index, npt.NDArray[np.bool_], Index]] = [
            (np.zeros(0, np.uint64), _NONE, _NONE, np.zeros(0, bool), _NONE)  # n = 0
        ]
        alive = np.flatnonzero(lengths > 0)
        keys = np.zeros(len(alive), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for n in range(1, self.longest + 1):
                keys = keys * MIX + self._tokens[self._starts[alive] + n - 1]
                done = lengths[alive] == n
                order = np.argsort(keys[done], kind="stable")
                full, made = keys[done][order], alive[done][order]
                longer = np.unique(keys[~done])
                table = np.union1d(full, longer)
                lo = np.searchsorted(full, table, side="left")
                hi = np.searchsorted(full, table, side="right")
                at = np.minimum(np.searchsorted(longer, table), max(len(longer) - 1, 0))
                going = longer[at] == table if len(longer) else np.zeros(len(table), bool)
                self._steps.append((table, lo, hi, going, made))
                alive, keys = alive[~done], keys[~done]

    @classmethod
    def build(cls, nlp: Language, attr: int, patterns: Mapping[str, Iterable[str]]) -> Arrays:
        """The arrays of ``patterns`` (label → phrases), each phrase tokenised by ``nlp``."""
        tokens: list[Hashes] = []
        label_of: list[int] = []
        labels = list(patterns)
        for number, label in enumerate(labels):
            for phrase in patterns[label]:
                tokens.append(nlp.make_doc(phrase).to_array(attr).astype(np.uint64).reshape(-1))
                label_of.append(number)
        arrays: Arrays = {
            "tokens": np.concatenate(tokens) if tokens else np.zeros(0, np.uint64),
            "ends": np.cumsum([len(t) for t in tokens], dtype=np.int64),
            "label_of": np.array(label_of, dtype=np.int64),
        }
        put_strings(arrays, "labels", labels)
        return arrays

    def arrays(self) -> Arrays:
        return self._arrays

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        """(label, start, end) of every occurrence of a pattern in ``doc``, by start, then
        shortest first, as ``PhraseMatcher`` reports them."""
        values: Hashes = doc.to_array(self.attr).astype(np.uint64).reshape(-1)
        found: list[tuple[int, int, str]] = []
        starts = np.arange(len(values), dtype=np.int64)
        keys = np.zeros(len(values), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for n in range(1, self.longest + 1):
                inside = starts + n <= len(values)
                starts, keys = starts[inside], keys[inside]
                table, lo, hi, going, made = self._steps[n]
                if not len(starts) or not len(table):
                    break
                keys = keys * MIX + values[starts + n - 1]
                at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
                known = table[at] == keys
                starts, keys, at = starts[known], keys[known], at[known]
                hit = hi[at] > lo[at]
                if hit.any():
                    self._confirm(values, starts[hit], lo[at[hit]], hi[at[hit]], made, n, found)
                starts, keys = starts[going[at]], keys[going[at]]
        found.sort(key=lambda f: (f[0], f[1]))
        return [(label, start, start + n) for start, n, label in found]

    def _confirm(
        self,
        values: Hashes,
        starts: Index,
        lo: Index,
        hi: Index,
        made: Index,
        n: int,
        found: list[tuple[int, int, str]],
    ) -> None:
        """Add the patterns of ``n`` tokens whose keys matched at ``starts`` (those in
        ``made[lo:hi]``), each checked token by token."""
        offsets = np.arange(n)
        for extra in range(int((hi - lo).max())):
            some = hi - lo > extra
            pattern = made[lo[some] + extra]
            at = starts[some]
            mine = self._tokens[self._starts[pattern][:, None] + offsets]
            same = (mine == values[at[:, None] + offsets]).all(axis=1)
            labels = self._label_of[pattern[same]].tolist()
            for start, label in zip(at[same].tolist(), labels, strict=True):
                found.append((start, n, self.labels[label]))
