"""The compiled inner loop of word2vec: skip-gram and CBOW, negative sampling and hierarchical
softmax.

One call trains on one job (a run of whole sentences, about 10,000 tokens) and releases the GIL, so
``threads`` Python threads train at once on shared weights without locks ("Hogwild", as word2vec.c
and gensim do). Per token, in the notes' order:

1. frequent-word subsampling: keep token w with probability ``keep[w]``;
2. dynamic window: a reduced window b ~ U{0..window-1}, context = the 2 (window - b) neighbours;
3. skip-gram: each context word c predicts the target t (input e_c = syn0[c]);
   CBOW: the mean of the context vectors predicts t;
4. negative sampling: label 1 for t, label 0 for k words drawn from P(w) ~ count^(3/4),
   g = (label - sigmoid(theta . e)) alpha; hierarchical softmax: one such binary decision per
   inner node on t's Huffman path, label 1 - code bit;
5. theta += g e for each output row; e += sum g theta (accumulated in neu1e, applied after).

Sigmoids and the loss come from tables over [-MAX_EXP, MAX_EXP] as in word2vec.c. Randomness is
word2vec.c's linear congruential generator, seeded per job, so a run with one thread is exactly
reproducible.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "EXP_TABLE_SIZE",
    "MAX_EXP",
    "alias_table",
    "binary_step",
    "draw_noise",
    "sigmoid_tables",
    "train_job",
]

MAX_EXP = 6.0
EXP_TABLE_SIZE = 1000
_MULT = np.uint64(25214903917)
_INC = np.uint64(11)


def sigmoid_tables() -> tuple[np.ndarray, np.ndarray]:
    """sigmoid(x) and -log(sigmoid(x)) at EXP_TABLE_SIZE points of [-MAX_EXP, MAX_EXP), float32."""
    x = (np.arange(EXP_TABLE_SIZE, dtype=np.float64) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP
    sig = 1.0 / (1.0 + np.exp(-x))
    return sig.astype(np.float32), (-np.log(sig)).astype(np.float32)


def alias_table(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias method: draw from ``p`` in O(1) with one uniform index and one coin.

    Returns:
        prob float32 (V,) and alias int32 (V,): pick i uniformly, keep it with probability
        prob[i], else take alias[i]. The implied distribution is exactly ``p`` (up to float32).
    """
    p = np.asarray(p, dtype=np.float64)
    V = p.shape[0]
    scaled = p * V
    prob = np.ones(V, dtype=np.float64)
    alias = np.arange(V, dtype=np.int32)
    small = [i for i in range(V) if scaled[i] < 1.0]
    large = [i for i in range(V) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        prob[s], alias[s] = scaled[s], g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    return prob.astype(np.float32), alias


@njit(cache=True, inline="always")
def _next(state):
    return state * _MULT + _INC


@njit(cache=True, inline="always")
def _uniform(state):
    return np.float32((state >> np.uint64(16)) & np.uint64(0xFFFFFF)) / np.float32(16777216.0)


@njit(cache=True, inline="always")
def _draw(state, alias_prob, alias_idx):
    """One word from the noise distribution (alias method); returns (word, rng state)."""
    state = _next(state)
    # the index from the high 32 bits by multiply-shift (no 64-bit division), the coin from
    # bits 8..31 of the same draw
    i = np.int64(((state >> np.uint64(32)) * np.uint64(alias_prob.shape[0])) >> np.uint64(32))
    coin = np.float32((state >> np.uint64(8)) & np.uint64(0xFFFFFF)) / np.float32(16777216.0)
    word = i if coin < alias_prob[i] else np.int64(alias_idx[i])
    return word, state


@njit(cache=True)
def draw_noise(alias_prob, alias_idx, n, seed):
    """n draws from the noise distribution with the sampler training uses: int64 (n,)."""
    out = np.empty(n, dtype=np.int64)
    state = np.uint64(seed) * _MULT + _INC
    for k in range(n):
        out[k], state = _draw(state, alias_prob, alias_idx)
    return out


@njit(cache=True)
def binary_step(l1, theta, label, alpha, exp_table, loss_table):
    """One logistic decision outside the loop (for tests): returns (loss, neu1e)."""
    neu1e = np.zeros_like(l1)
    loss = _binary_step(l1, theta, label, alpha, neu1e, exp_table, loss_table)
    return loss, neu1e


@njit(cache=True, fastmath=True, inline="always")
def _binary_step(l1, theta, label, alpha, neu1e, exp_table, loss_table):
    """One logistic decision: returns its loss; updates neu1e and theta in place."""
    dim = l1.shape[0]
    f = np.float32(0.0)
    for d in range(dim):
        f += l1[d] * theta[d]
    z = f if label > 0.5 else -f  # the logit of the correct answer
    if f >= MAX_EXP:
        sig = np.float32(1.0)
    elif f <= -MAX_EXP:
        sig = np.float32(0.0)
    else:
        sig = exp_table[int((f + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2))]
    if z >= MAX_EXP:
        loss = 0.0
    elif z <= -MAX_EXP:
        loss = -z
    else:
        loss = loss_table[int((z + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2))]
    g = (np.float32(label) - sig) * alpha
    for d in range(dim):
        neu1e[d] += g * theta[d]
    for d in range(dim):
        theta[d] += g * l1[d]
    return loss


@njit(cache=True, fastmath=True, inline="always")
def _output_layer(
    l1,
    target,
    syn1neg,
    syn1,
    neu1e,
    state,
    negative,
    hs,
    alias_prob,
    alias_idx,
    codes,
    points,
    lengths,
    alpha,
    exp_table,
    loss_table,
):
    """Train the output side for one (input l1, target) example; returns (loss, rng state)."""
    loss = 0.0
    if hs:
        for d in range(lengths[target]):
            label = np.float32(1.0) - np.float32(codes[target, d])
            loss += _binary_step(
                l1, syn1[points[target, d]], label, alpha, neu1e, exp_table, loss_table
            )
    for k in range(negative + 1 if negative > 0 else 0):
        if k == 0:
            word, label = np.int64(target), np.float32(1.0)
        else:
            word, state = _draw(state, alias_prob, alias_idx)
            if word == target:
                continue
            label = np.float32(0.0)
        loss += _binary_step(l1, syn1neg[word], label, alpha, neu1e, exp_table, loss_table)
    return loss, state


@njit(cache=True, nogil=True, fastmath=True, error_model="numpy")
def train_job(
    ids,
    offsets,
    s_begin,
    s_end,
    syn0,
    syn1neg,
    syn1,
    keep,
    alias_prob,
    alias_idx,
    codes,
    points,
    lengths,
    sg,
    cbow_mean,
    window,
    negative,
    hs,
    alpha,
    seed,
    exp_table,
    loss_table,
):
    """Train on sentences s_begin .. s_end - 1 of the corpus.

    Args:
        ids: int32 (N,) token ids; offsets: int64 (S + 1,) sentence boundaries.
        syn0: float32 (V, D) input vectors e; syn1neg: float32 (V, D) negative-sampling output
            vectors theta; syn1: float32 (V - 1, D) inner-node vectors of the Huffman tree.
        keep: float32 (V,) subsampling keep probabilities.
        alias_prob, alias_idx: the noise distribution as an alias table.
        codes, points, lengths: the Huffman tree (see ``huffman.py``).
        sg: skip-gram if True, else CBOW; cbow_mean: average (True) or sum the context.
        window, negative, hs, alpha: as word2vec's flags; seed: this job's RNG seed.

    Returns:
        (summed loss, number of training examples, number of tokens kept by subsampling).
    """
    D = syn0.shape[1]
    state = np.uint64(seed) * _MULT + _INC
    neu1 = np.zeros(D, dtype=np.float32)
    neu1e = np.zeros(D, dtype=np.float32)
    longest = 0
    for s in range(s_begin, s_end):
        longest = max(longest, offsets[s + 1] - offsets[s])
    buf = np.empty(longest, dtype=np.int32)
    total_loss = 0.0
    n_examples = 0
    n_kept = 0
    for s in range(s_begin, s_end):
        n = 0
        for pos in range(offsets[s], offsets[s + 1]):
            w = ids[pos]
            state = _next(state)
            if keep[w] < 1.0 and _uniform(state) > keep[w]:
                continue
            buf[n] = w
            n += 1
        n_kept += n
        for i in range(n):
            target = buf[i]
            state = _next(state)
            b = np.int64(((state >> np.uint64(32)) * np.uint64(window)) >> np.uint64(32))
            lo = max(0, i - window + b)
            hi = min(n, i + window + 1 - b)
            if sg:
                for j in range(lo, hi):
                    if j == i:
                        continue
                    l1 = syn0[buf[j]]
                    neu1e[:] = 0.0
                    loss, state = _output_layer(
                        l1,
                        target,
                        syn1neg,
                        syn1,
                        neu1e,
                        state,
                        negative,
                        hs,
                        alias_prob,
                        alias_idx,
                        codes,
                        points,
                        lengths,
                        alpha,
                        exp_table,
                        loss_table,
                    )
                    for d in range(D):
                        l1[d] += neu1e[d]
                    total_loss += loss
                    n_examples += 1
            else:
                neu1[:] = 0.0
                count = 0
                for j in range(lo, hi):
                    if j != i:
                        row = syn0[buf[j]]
                        for d in range(D):
                            neu1[d] += row[d]
                        count += 1
                if count == 0:
                    continue
                if cbow_mean:
                    inv = np.float32(1.0) / np.float32(count)
                    for d in range(D):
                        neu1[d] *= inv
                neu1e[:] = 0.0
                loss, state = _output_layer(
                    neu1,
                    target,
                    syn1neg,
                    syn1,
                    neu1e,
                    state,
                    negative,
                    hs,
                    alias_prob,
                    alias_idx,
                    codes,
                    points,
                    lengths,
                    alpha,
                    exp_table,
                    loss_table,
                )
                for j in range(lo, hi):
                    if j != i:
                        row = syn0[buf[j]]
                        for d in range(D):
                            row[d] += neu1e[d]
                total_loss += loss
                n_examples += 1
    return total_loss, n_examples, n_kept
