"""Fast inference for the skill tagger's linear-chain CRF, in NumPy.

python-crfsuite takes each token's features as strings and looks every one up; building and
looking up those strings cost more than everything else in skill extraction together. The CRF
is linear, so the part of a token's score that comes from one word at one position (the token
itself, or a neighbour up to two away) is summed once per distinct word and kept. A
document's scores are then gathers and adds over arrays, and the per-token probabilities come
from a forward-backward pass written as prefix products of 3×3 matrices, computed in blocks
(about 2√n batched products instead of n sequential steps).

The training script still writes features as strings (``Features.sequences``) for
python-crfsuite; ``tests/parsing/test_tagger.py`` checks that the probabilities computed here
equal python-crfsuite's on real documents.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pycrfsuite
from spacy.strings import hash_string  # type: ignore[attr-defined]  # not in the stubs

from parsing._compiled import Arrays, get_strings, put_strings

LABELS = ("B", "I", "O")
Floats = npt.NDArray[np.float64]
Hashes = npt.NDArray[np.uint64]
BIGRAM_SIDES = ("bi-", "bi+")
# Mixes two 64-bit word hashes into one bigram key (wrapping multiplication).
BIGRAM_MIX = np.uint64(0x9E3779B97F4A7C15)
# Running products are rescaled every few steps: each factor's entries are at most 1 and its
# best path is rarely below e^-20, so eight steps stay far from underflow.
RESCALE_EVERY = 8


class LinearChain:
    """One kind's view of a trained CRF: each feature's weights for B, I and O, with the
    weights of its ``kind:``-prefixed twin added in; bigram features keyed by word hashes."""

    def __init__(
        self,
        weights: dict[str, Floats],
        transitions: Floats,
        bigrams: dict[str, tuple[Hashes, Floats]],
    ) -> None:
        self.weights, self.transitions, self.bigrams = weights, transitions, bigrams
        self.zero = np.zeros(3)

    @classmethod
    def from_tagger(cls, tagger: pycrfsuite.Tagger, kind: str, kinds: Iterable[str]) -> LinearChain:
        """Read from python-crfsuite's model dump (seconds: keep :meth:`arrays`)."""
        dump = tagger.info()
        index = {label: k for k, label in enumerate(LABELS)}
        others = tuple(f"{k}:" for k in kinds if k != kind)
        prefix = kind + ":"
        weights: dict[str, Floats] = {}
        for (attr, label), weight in dump.state_features.items():
            if attr.startswith(others):
                continue
            base = attr.removeprefix(prefix)
            weights.setdefault(base, np.zeros(3))[index[label]] += weight
        transitions = np.zeros((3, 3))
        for (a, b), weight in dump.transitions.items():
            transitions[index[a], index[b]] = weight
        # Bigram features ("bi-=a|b" on b, "bi+=a|b" on a) as sorted keys for searchsorted.
        bigrams: dict[str, tuple[Hashes, Floats]] = {}
        for side in BIGRAM_SIDES:
            found = sorted(
                (bigram_key(*pair.split("|", 1)), vec)
                for attr, vec in weights.items()
                if attr.startswith(side + "=") and "|" in (pair := attr[len(side) + 1 :])
            )
            keys = np.array([k for k, _ in found], dtype=np.uint64)
            vecs = np.array([v for _, v in found]).reshape(-1, 3)
            bigrams[side] = (keys, vecs)
        words = {k: v for k, v in weights.items() if not k.startswith(("bi-=", "bi+="))}
        return cls(words, transitions, bigrams)

    def arrays(self) -> Arrays:
        """This chain as arrays, for :func:`parsing._compiled.load_or_build`."""
        out: Arrays = {
            "weights": np.array(list(self.weights.values())).reshape(-1, 3),
            "transitions": self.transitions,
        }
        put_strings(out, "names", list(self.weights))
        for side, (keys, vecs) in self.bigrams.items():
            out[f"{side}keys"], out[f"{side}weights"] = keys, vecs
        return out

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> LinearChain:
        names = get_strings(arrays, "names")
        values: Floats = arrays["weights"].astype(np.float64)
        bigrams = {
            side: (
                arrays[f"{side}keys"].astype(np.uint64),
                arrays[f"{side}weights"].astype(np.float64),
            )
            for side in BIGRAM_SIDES
        }
        weights = dict(zip(names, values, strict=True))
        return cls(weights, arrays["transitions"].astype(np.float64), bigrams)

    def get(self, feature: str) -> Floats:
        return self.weights.get(feature, self.zero)

    def bigram_scores(self, side: str, keys: Hashes) -> Floats:
        """The weights of the ``side`` ("bi-" or "bi+") bigram feature for each key; zero
        for bigrams the model has no weight for."""
        known, vecs = self.bigrams[side]
        out = np.zeros((len(keys), 3))
        if len(known) == 0 or len(keys) == 0:
            return out
        at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
        hit = known[at] == keys
        out[hit] = vecs[at[hit]]
        return out


def bigram_key(a: str | int, b: str | int) -> int:
    """The key of the bigram (a, b) of lower-cased words, or of their spaCy hashes."""
    ha = np.uint64(hash_string(a) if isinstance(a, str) else a)
    hb = np.uint64(hash_string(b) if isinstance(b, str) else b)
    with np.errstate(over="ignore"):
        return int(ha * BIGRAM_MIX + hb)


def bigram_keys(first: Hashes, second: Hashes) -> Hashes:
    with np.errstate(over="ignore"):
        return first * BIGRAM_MIX + second


def marginals(scores: Floats, starts: npt.NDArray[np.bool_], transitions: Floats) -> Floats:
    """P(label) for each token of sequences laid end to end: ``scores`` (n, 3) are the state
    scores, ``starts`` marks the first token of each sequence, ``transitions`` (3, 3) the
    transition weights (from, to)."""
    n = len(scores)
    if n == 0:
        return np.zeros((0, 3))
    emit = np.exp(scores - scores.max(axis=1, keepdims=True))
    step = np.exp(transitions - transitions.max())
    # A_t = M_t · diag(e_t): M_t holds the transitions, or all ones where a sequence starts
    # (the previous sequence then only scales the next one, which cancels out).
    a = np.where(starts[:, None, None], 1.0, step[None, :, :]) * emit[:, None, :]
    # alpha_t = 1ᵀ · A_0 ⋯ A_t, and beta_t = A_{t+1} ⋯ A_{n-1} · 1 (1 at the last token).
    # The products in beta are those of the reversed list transposed:
    # A_{t+1} ⋯ A_{n-1} = (A_{n-1}ᵀ ⋯ A_{t+1}ᵀ)ᵀ, so both are prefix products, run together.
    after = np.concatenate([a[1:], np.eye(3)[None]])
    products = _prefix_products(np.stack([a, after[::-1].transpose(0, 2, 1)]))
    alpha = products[0].sum(axis=1)
    beta = products[1][::-1].sum(axis=1)
    p = alpha * beta
    result: Floats = p / p.sum(axis=1, keepdims=True)
    return result


def _prefix_products(mats: Floats) -> Floats:
    """Inclusive prefix products ``out[s, t] = M[s, 0] ⋯ M[s, t]`` of lists of 3×3 matrices
    (``mats``: lists × length × 3 × 3), each up to a positive scale.

    Each list is cut into about √n blocks of about √n: products run along all blocks at once,
    then each block is carried into the next, so a document costs about 2√n batched products
    rather than n single ones.
    """
    lists, n = mats.shape[:2]
    size = math.isqrt(n - 1) + 1 if n > 1 else 1
    pad = -n % size
    if pad:
        mats = np.concatenate([mats, np.broadcast_to(np.eye(3), (lists, pad, 3, 3))], axis=1)
    blocks = mats.reshape(lists, -1, size, 3, 3)
    count = blocks.shape[1]
    within = np.empty_like(blocks)
    acc = blocks[:, :, 0].copy()
    within[:, :, 0] = acc
    for k in range(1, size):
        acc = acc @ blocks[:, :, k]
        if k % RESCALE_EVERY == 0:
            acc /= acc.reshape(lists, count, 9).max(axis=2)[:, :, None, None]
        within[:, :, k] = acc
    carry = np.empty((lists, count, 3, 3))
    carry[:, 0] = np.eye(3)
    for b in range(1, count):
        c = carry[:, b - 1] @ within[:, b - 1, -1]
        if b % RESCALE_EVERY == 0:
            c /= c.reshape(lists, 9).max(axis=1)[:, None, None]
        carry[:, b] = c
    out = carry[:, :, None] @ within
    result: Floats = out.reshape(lists, -1, 3, 3)[:, :n]
    return result
