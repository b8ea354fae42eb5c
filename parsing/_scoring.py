"""Fast inference for the skill tagger's linear-chain CRF, in NumPy.

python-crfsuite takes each token's features as strings and looks every one up; building and
looking up those strings cost more than everything else in skill extraction together. The CRF
is linear, so the part of a token's score that comes from one word at one position (the token
itself, or a neighbour up to two away) is summed once per distinct word and kept. A
document's scores are then gathers and adds over arrays, and the per-token probabilities come
from a forward-backward pass that runs all lines of a document side by side (as many batched
steps as the longest line has tokens, not one step a token), or, for a text with a long line,
as prefix products of the labels' transition matrices computed in blocks (about 2√n steps).

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
from spacy.strings import get_string_id

from parsing._compiled import Arrays, get_strings, put_strings

# A skill phrase's first token, its others, and a token outside any; a model may have more
# labels (what else a token may be part of), which come after these.
LABELS = ("B", "I", "O")
Floats = npt.NDArray[np.float64]
Hashes = npt.NDArray[np.uint64]
BIGRAM_SIDES = ("bi+", "bi-")  # on the first word of a bigram, on the second
# Mixes two 64-bit word hashes into one bigram key (wrapping multiplication).
BIGRAM_MIX = np.uint64(0x9E3779B97F4A7C15)
# Running products are rescaled every few steps: each factor's entries are at most 1 and its
# best path is rarely below e^-20, so eight steps stay far from underflow.
RESCALE_EVERY = 8
# Lines are run side by side up to this many times √n tokens long; beyond, in blocks. Timed
# on 900 tokens of six labels: 20-token lines 0.16 ms side by side against 0.52 in blocks,
# 100-token lines 0.41 against 0.50, 200-token lines 0.65 against 0.50.
LINES_AT_MOST = 3


class LinearChain:
    """One kind's view of a trained CRF: each feature's weights for each of its ``labels`` (B,
    I and O first), with the weights of its ``kind:``-prefixed twin added in; bigram features
    keyed by word hashes: ``bigram_keys`` sorted, and for each its weights (``bigram_weights``,
    (keys, 2, labels)) on the bigram's first word ("bi+") and on its second ("bi-"), so that a
    document's bigrams are looked up once."""

    def __init__(
        self,
        weights: dict[str, Floats],
        transitions: Floats,
        bigram_keys: Hashes,
        bigram_weights: Floats,
        labels: tuple[str, ...] = LABELS,
    ) -> None:
        self.weights, self.transitions = weights, transitions
        self.bigram_keys, self.bigram_weights = bigram_keys, bigram_weights
        self.labels = labels
        self.zero = np.zeros(len(labels))

    @classmethod
    def from_tagger(cls, tagger: pycrfsuite.Tagger, kind: str, kinds: Iterable[str]) -> LinearChain:
        """Read from python-crfsuite's model dump (seconds: keep :meth:`arrays`)."""
        dump = tagger.info()
        labels = (*LABELS, *sorted(set(tagger.labels()) - set(LABELS)))
        size = len(labels)
        index = {label: k for k, label in enumerate(labels)}
        others = tuple(f"{k}:" for k in kinds if k != kind)
        prefix = kind + ":"
        weights: dict[str, Floats] = {}
        for (attr, label), weight in dump.state_features.items():
            if attr.startswith(others):
                continue
            base = attr.removeprefix(prefix)
            weights.setdefault(base, np.zeros(size))[index[label]] += weight
        transitions = np.zeros((size, size))
        for (a, b), weight in dump.transitions.items():
            transitions[index[a], index[b]] = weight
        # Bigram features ("bi+=a|b" on a, "bi-=a|b" on b) by key, sorted for searchsorted.
        by_key: dict[int, Floats] = {}
        for attr, vec in weights.items():
            side, _, pair = attr.partition("=")
            if side in BIGRAM_SIDES and "|" in pair:
                key = bigram_key(*pair.split("|", 1))
                by_key.setdefault(key, np.zeros((2, size)))[BIGRAM_SIDES.index(side)] = vec
        ordered = sorted(by_key)
        keys = np.array(ordered, dtype=np.uint64)
        vecs = np.array([by_key[k] for k in ordered]).reshape(-1, 2, size)
        words = {k: v for k, v in weights.items() if not k.startswith(("bi-=", "bi+="))}
        return cls(words, transitions, keys, vecs, labels)

    def arrays(self) -> Arrays:
        """This chain as arrays, for :func:`parsing._compiled.load_or_build`."""
        out: Arrays = {
            "weights": np.array(list(self.weights.values())).reshape(-1, len(self.labels)),
            "transitions": self.transitions,
        }
        put_strings(out, "names", list(self.weights))
        put_strings(out, "labels", list(self.labels))
        out["bigram_keys"], out["bigram_weights"] = self.bigram_keys, self.bigram_weights
        return out

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> LinearChain:
        names = get_strings(arrays, "names")
        values: Floats = arrays["weights"].astype(np.float64)
        weights = dict(zip(names, values, strict=True))
        labels = tuple(get_strings(arrays, "labels"))
        return cls(
            weights,
            arrays["transitions"].astype(np.float64),
            arrays["bigram_keys"].astype(np.uint64),
            arrays["bigram_weights"].astype(np.float64),
            labels,
        )

    def get(self, feature: str) -> Floats:
        return self.weights.get(feature, self.zero)

    def bigram_scores(self, keys: Hashes) -> Floats:
        """(keys, 2, labels): for each key (``bigram_keys``), the weights of its bigram
        feature on its first word ("bi+") and on its second ("bi-"); zero for bigrams the
        model has no weight for."""
        known = self.bigram_keys
        out = np.zeros((len(keys), 2, len(self.labels)))
        if len(known) == 0 or len(keys) == 0:
            return out
        at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
        hit = known[at] == keys
        out[hit] = self.bigram_weights[at[hit]]
        return out


def bigram_key(a: str | int, b: str | int) -> int:
    """The key of the bigram (a, b) of lower-cased words, or of their ids in spaCy's string
    store. A word that is one of spaCy's symbols has the symbol's id there, not its hash
    ("root", "agent", "number": the bigram "root|cause" was never found by its hashes)."""
    ha = np.uint64(get_string_id(a) if isinstance(a, str) else a)
    hb = np.uint64(get_string_id(b) if isinstance(b, str) else b)
    with np.errstate(over="ignore"):
        return int(ha * BIGRAM_MIX + hb)


def bigram_keys(first: Hashes, second: Hashes) -> Hashes:
    with np.errstate(over="ignore"):
        return first * BIGRAM_MIX + second


def marginals(scores: Floats, starts: npt.NDArray[np.bool_], transitions: Floats) -> Floats:
    """P(label) for each token of sequences laid end to end: ``scores`` (n, labels) are the
    state scores, ``starts`` marks the first token of each sequence, ``transitions`` (labels,
    labels) the transition weights (from, to).

    Sequences are lines, mostly short (a résumé's longest line is 21 tokens at the median of
    dotin's): then all lines take each step together (:func:`_by_lines`, as many steps as the
    longest line has tokens). A text with a long line (over ``LINES_AT_MOST`` times √n) is run
    as one list of matrices cut in blocks instead (:func:`_by_blocks`, about 2√n steps)."""
    n, k = scores.shape
    if n == 0:
        return np.zeros((0, k))
    emit = np.exp(scores - scores.max(axis=1, keepdims=True))
    step = np.exp(transitions - transitions.max())
    longest = int(np.diff(np.append(np.flatnonzero(starts), n)).max())
    # Blocks of a power of two tokens, about √n: their products are taken by halves.
    size = 1 << max(0, math.ceil(math.log2(n) / 2))
    p = (
        _by_lines(emit, starts, step)
        if longest <= LINES_AT_MOST * size
        else _by_blocks(emit, starts, step, size)
    )
    result: Floats = p / p.sum(axis=1, keepdims=True)
    return result


def _by_lines(emit: Floats, starts: npt.NDArray[np.bool_], step: Floats) -> Floats:
    """Unnormalised P(label) of each token, the lines (``starts`` marks their first tokens)
    run side by side.

    Forward, a token's vector before its own emission is the one before times the emission
    before, times the transitions. Backward, run from each line's last token, is the same
    recursion with the transitions transposed; a token's backward vector after its emission
    is β·e. So P ∝ forward · backward · e, and both directions are one loop of batched
    products over a (direction, position, line) grid, a line's tokens placed from the start
    forward and from the end backward (padding, all ones, follows a line's last token)."""
    n, k = emit.shape
    firsts = np.flatnonzero(starts)
    line = np.cumsum(starts) - 1
    lengths = np.diff(np.append(firsts, n))
    forward = np.arange(n) - firsts[line]
    backward = lengths[line] - 1 - forward
    grid = np.ones((2, int(lengths.max()), len(firsts), k))
    grid[0, forward, line] = emit
    grid[1, backward, line] = emit
    steps = np.stack([step, step.T])
    before = np.empty_like(grid)
    before[:, 0] = 1.0
    vector = grid[:, 0].copy()
    for t in range(1, grid.shape[1]):
        np.matmul(vector, steps, out=before[:, t])
        np.multiply(before[:, t], grid[:, t], out=vector)
        if t % RESCALE_EVERY == 0:
            vector /= vector.max(axis=2, keepdims=True)
    p: Floats = before[0, forward, line] * before[1, backward, line] * emit
    return p


def _by_blocks(emit: Floats, starts: npt.NDArray[np.bool_], step: Floats, size: int) -> Floats:
    """Unnormalised P(label) of each token, all sequences as one list of matrices, in blocks
    of ``size`` (a power of two)."""
    n, k = emit.shape
    length = -(-n // size) * size
    # Both lists of matrices, padded with identities, written once into one array (fresh
    # memory costs page faults, which on this machine cost more than the products).
    mats = np.empty((2, length, k, k))
    mats[:, n:] = np.eye(k)
    # A_t = M_t · diag(e_t): M_t holds the transitions, or all ones where a sequence starts
    # (the previous sequence then only scales the next one, which cancels out).
    forward = mats[0, :n]
    np.multiply(step, emit[:, None, :], out=forward)
    forward[starts] = emit[starts][:, None, :]
    # alpha_t = 1ᵀ · A_0 ⋯ A_t, and beta_t = A_{t+1} ⋯ A_{n-1} · 1 (1 at the last token).
    # The products in beta are those of the reversed list transposed:
    # A_{t+1} ⋯ A_{n-1} = (A_{n-1}ᵀ ⋯ A_{t+1}ᵀ)ᵀ, so both are prefix products, run together.
    mats[1, 0] = np.eye(k)
    mats[1, 1:n] = forward[:0:-1].transpose(0, 2, 1)
    vectors = _prefix_vectors(mats.reshape(2, -1, size, k, k))
    p: Floats = vectors[0, :n] * vectors[1, :n][::-1]
    return p


def _prefix_vectors(blocks: Floats) -> Floats:
    """``out[s, t] = 1ᵀ · M[s, 0] ⋯ M[s, t]`` for lists of square matrices cut into blocks
    (``blocks``: lists × blocks × size × k × k, size a power of two), each row up to a
    positive scale; ``out`` is lists × (blocks · size) × k.

    Each block's product is taken by halves (all blocks at once: log size batched products);
    the row vector entering each block is carried from block to block; then the vectors are
    run through all blocks at once (size steps of vector-by-matrix products, k² a token where
    a matrix product is k³).
    """
    lists, count, size, k = blocks.shape[:4]
    whole, span = blocks, 1
    while span < size:
        whole = whole[:, :, 0::2] @ whole[:, :, 1::2]
        span *= 2
        if span >= RESCALE_EVERY:
            whole /= whole.reshape(lists, count, -1, k * k).max(axis=3)[..., None, None]
    entering: Floats = np.empty((lists, count, 1, k))
    carried: Floats = np.ones((lists, 1, k))
    for b in range(count):
        entering[:, b] = carried
        carried = carried @ whole[:, b, 0]
        carried /= carried.max(axis=2, keepdims=True)
    out = np.empty((lists, count, size, k))
    vector = entering
    for t in range(size):
        vector = vector @ blocks[:, :, t]
        if t % RESCALE_EVERY == RESCALE_EVERY - 1:
            vector /= vector.max(axis=3, keepdims=True)
        out[:, :, t] = vector[:, :, 0]
    result: Floats = out.reshape(lists, -1, k)
    return result
