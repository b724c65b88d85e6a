"""GloVe word vectors (Pennington, Socher & Manning 2014, "GloVe: Global Vectors for Word
Representation"), the notes' "GloVe word vectors", trained as the authors' ``glove.c`` does.

The notes' objective is a weighted least-squares fit of the log co-occurrence counts X_ij
(:func:`~seqlab.embeddings.cooccur.cooccurrence`) over the non-zero cells:

    J = sum_ij f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2
    f(x) = (x / x_max)^alpha if x < x_max else 1

We report and differentiate ``glove.c``'s cost, 0.5 f(X_ij) diff^2 (the same minimiser, half the
value and gradient), averaged per non-zero pair, so the loss reads like ``glove.c``'s log.

Training is ``glove.c``'s (release 1.2), pair by pair:

- initial weights and biases uniform in [-0.5, 0.5) / dim, AdaGrad accumulators G = 1;
- each epoch visits the pairs in a fresh seeded shuffle (``glove.c`` shuffles the file once);
- for one pair, with d = f(X_ij) diff the derivative of the cost by diff and eta the learning
  rate: s = eta clip(d w~_j), w_i -= s / sqrt(G_w_i), then G_w_i += s^2; likewise w~_j
  (with d w_i) and the biases (s = eta d, unclipped). clip bounds each component to
  [-grad_clip, grad_clip] (``glove.c``'s ``-grad-clip``, default 100).
  Gotchas, kept so learning_rate means what ``-eta`` means there: G accumulates the squared
  *scaled* steps s^2, and each step divides by G before the current s^2 is added (textbook
  AdaGrad: eta d / sqrt(1 + sum d^2), current d included).
  One deliberate difference: ``glove.c`` 1.2 updates the biases with d, without eta (a 20x
  larger bias step at eta = 0.05; stanfordnlp/GloVe PR #209 proposes adding eta); we scale
  every parameter by eta, as the 2014 release did;
- Hogwild (Recht et al. 2011): ``threads`` Python threads each run the compiled, GIL-free
  kernel on their own slice of the shuffled pairs, updating the shared weights without locks.

The word vectors are W + W~ (``glove.c``'s ``-model 2``); the notes average theta and e, which
differs only by the factor 1/2 and gives the same cosines and analogies.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from seqlab.embeddings.config import GloVeConfig
from seqlab.embeddings.cooccur import cooccurrence
from seqlab.embeddings.corpus import Corpus
from seqlab.embeddings.progress import Callback, EpochStats, ProgressHook
from seqlab.embeddings.vectors import WordVectors

__all__ = [
    "GloVe",
    "GloVeConfig",
    "cooccurrence",
    "initial_parameters",
    "shuffle_order",
    "weighting",
]

logger = logging.getLogger(__name__)

_BLOCK = 1 << 15  # pairs per kernel call: progress granularity, ~5 ms at dim 100


def weighting(x: np.ndarray, x_max: float, alpha: float) -> np.ndarray:
    """The weighting f(x) = (x / x_max)^alpha if x < x_max else 1.

    Args:
        x: co-occurrence counts, any shape, >= 0.
        x_max: the count from which on every pair weighs 1, > 0.
        alpha: the exponent.

    Returns:
        float64 array of x's shape, in [0, 1].
    """
    if not 0 < x_max < math.inf:
        raise ValueError(f"x_max must be a positive finite number, got {x_max}")
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < x_max, (np.minimum(x, x_max) / x_max) ** alpha, 1.0)


def initial_parameters(
    V: int, dim: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``glove.c``'s initialisation: every weight and bias (u - 0.5) / dim, u ~ U[0, 1).

    Returns:
        ``(W, W_tilde, b, b_tilde)``: float32 (V, dim), (V, dim), (V,), (V,), drawn in this
        order from ``np.random.default_rng(seed)`` (exposed so references can replay a run).
    """
    rng = np.random.default_rng(seed)
    shapes = [(V, dim), (V, dim), (V,), (V,)]
    W, W_tilde, b, b_tilde = (((rng.random(s) - 0.5) / dim).astype(np.float32) for s in shapes)
    return W, W_tilde, b, b_tilde


def shuffle_order(n_pairs: int, *, seed: int, epoch: int) -> np.ndarray:
    """The order in which epoch ``epoch`` (1-based) visits the non-zero pairs.

    Returns:
        int64 (n_pairs,), a permutation drawn from ``np.random.default_rng([seed, epoch])``.
    """
    return np.random.default_rng([seed, epoch]).permutation(n_pairs)


class GloVe:
    """Trains GloVe vectors on a :class:`~seqlab.embeddings.corpus.Corpus`.

    After :meth:`train` the parameters are attributes: ``W`` and ``W_tilde`` float32 (V, E),
    ``b`` and ``b_tilde`` float32 (V,); ``epoch_losses`` holds each epoch's mean cost
    0.5 f(X_ij) diff^2 per non-zero pair; ``words`` the vocabulary. Before, they are ``None``
    (and ``epoch_losses`` empty).

    Example::

        glove = GloVe(GloVeConfig(dim=50, epochs=15))
        glove.train(read_corpus("text.txt"), callbacks=[print])
        glove.vectors.most_similar("king")
    """

    def __init__(self, config: GloVeConfig = GloVeConfig()) -> None:
        self.config = config
        self.words: tuple[str, ...] | None = None
        self.W: np.ndarray | None = None
        self.W_tilde: np.ndarray | None = None
        self.b: np.ndarray | None = None
        self.b_tilde: np.ndarray | None = None
        self.epoch_losses: list[float] = []

    @property
    def vectors(self) -> WordVectors:
        """The word vectors W + W~ (V, E), words most frequent first.

        Raises:
            ValueError: the model has not been trained.
        """
        if self.W is None or self.W_tilde is None or self.words is None:
            raise ValueError("GloVe has no vectors yet: call train(corpus) first")
        return WordVectors(self.words, self.W + self.W_tilde)

    def train(
        self,
        corpus: Corpus,
        *,
        callbacks: Sequence[Callback] = (),
        on_progress: ProgressHook | None = None,
    ) -> list[EpochStats]:
        """Count co-occurrences, then fit fresh parameters to them for ``config.epochs`` epochs.

        Args:
            corpus: the training corpus (vocabulary size V >= 2).
            callbacks: each called with the :class:`EpochStats` of every finished epoch.
            on_progress: called from this thread, many times an epoch, with the number of
                corpus tokens newly processed: pairs done are scaled so that one epoch reports
                ``corpus.n_tokens`` tokens.

        Returns:
            One :class:`EpochStats` per epoch; ``loss`` is the mean 0.5 f diff^2 per pair.

        Raises:
            ValueError: fewer than 2 words, no co-occurring pair (every sentence one token
                long), or a loss that is not finite (training diverged).
        """
        cfg = self.config
        V = len(corpus)
        if V < 2:
            raise ValueError(f"GloVe needs at least 2 words in the vocabulary, got {V}")
        start = time.perf_counter()
        rows, cols, x = cooccurrence(corpus, cfg.window, chunk_tokens=cfg.chunk_tokens)
        if x.shape[0] == 0:
            raise ValueError(
                "the corpus has no co-occurring pair of words: every sentence is one token long"
            )
        logger.info("%d non-zero co-occurrences of %d words counted in %.2f s",
                    x.shape[0], V, time.perf_counter() - start)  # fmt: skip
        pairs = _Pairs(rows, cols, np.log(x).astype(np.float32),
                       weighting(x, cfg.x_max, cfg.alpha).astype(np.float32))  # fmt: skip
        self.words = corpus.words
        self.W, self.W_tilde, self.b, self.b_tilde = initial_parameters(V, cfg.dim, cfg.seed)
        self.epoch_losses = []
        report = _TokenReport(on_progress, n_pairs=x.shape[0], n_tokens=corpus.n_tokens)
        gradsq = [np.ones_like(p) for p in (self.W, self.W_tilde, self.b, self.b_tilde)]  # G = 1
        history = []
        for epoch in range(1, cfg.epochs + 1):
            stats = self._epoch(pairs, epoch, report, gradsq=gradsq)
            self.epoch_losses.append(stats.loss)
            history.append(stats)
            logger.info("epoch %d: loss %.6f, %.2f s", epoch, stats.loss, stats.seconds)
            for callback in callbacks:
                callback(stats)
        return history

    def _epoch(
        self, pairs: _Pairs, epoch: int, report: _TokenReport, *, gradsq: list[np.ndarray]
    ) -> EpochStats:
        cfg = self.config
        start = time.perf_counter()
        # gathering the pairs into visiting order once (NumPy) and streaming them through the
        # kernel is ~20% faster than indexing four arrays at random inside it
        shuffled = pairs.take(shuffle_order(pairs.n, seed=cfg.seed, epoch=epoch))
        params = (self.W, self.W_tilde, self.b, self.b_tilde, *gradsq)
        step = (np.float32(cfg.learning_rate), np.float32(cfg.grad_clip))

        def run(lo: int, hi: int) -> float:
            return _adagrad_pass(*shuffled.slice(lo, hi), *params, *step)

        cost = _hogwild(run, pairs.n, cfg.threads, report.add)
        loss = cost / pairs.n
        if not math.isfinite(loss):
            self.W = self.W_tilde = self.b = self.b_tilde = self.words = None
            raise ValueError(
                f"GloVe diverged in epoch {epoch} (loss {loss}): lower learning_rate "
                f"(now {cfg.learning_rate}) or grad_clip (now {cfg.grad_clip})"
            )
        report.end_epoch()
        return EpochStats(epoch=epoch, loss=loss, words=report.n_tokens,
                          seconds=time.perf_counter() - start,
                          learning_rate=cfg.learning_rate)  # fmt: skip


@dataclass(frozen=True)
class _Pairs:
    """The non-zero cells: rows, cols int32 (nnz,), log X_ij and f(X_ij) float32 (nnz,)."""

    rows: np.ndarray
    cols: np.ndarray
    log_x: np.ndarray
    f_x: np.ndarray

    @property
    def n(self) -> int:
        return int(self.rows.shape[0])

    def take(self, order: np.ndarray) -> _Pairs:
        """The pairs in the order ``order`` (nnz,)."""
        return _Pairs(self.rows[order], self.cols[order], self.log_x[order], self.f_x[order])

    def slice(self, lo: int, hi: int) -> tuple[np.ndarray, ...]:
        return self.rows[lo:hi], self.cols[lo:hi], self.log_x[lo:hi], self.f_x[lo:hi]


class _TokenReport:
    """Turns pairs done into corpus tokens for ``on_progress``; exactly n_tokens per epoch."""

    def __init__(self, hook: ProgressHook | None, *, n_pairs: int, n_tokens: int) -> None:
        self.hook, self.n_pairs, self.n_tokens = hook, n_pairs, n_tokens
        self.pairs_done = self.tokens_done = 0

    def add(self, n: int) -> None:
        self.pairs_done += n
        tokens = self.pairs_done * self.n_tokens // self.n_pairs
        if self.hook is not None and tokens > self.tokens_done:
            self.hook(tokens - self.tokens_done)
        self.tokens_done = tokens

    def end_epoch(self) -> None:
        self.pairs_done = self.tokens_done = 0


def _hogwild(
    run: Callable[[int, int], float], n: int, threads: int, done: Callable[[int], None]
) -> float:
    """Split range(n) into ``threads`` slices, each run block by block in its own thread.

    ``run(lo, hi)`` trains on pairs lo..hi-1 and returns their cost; ``done(n)`` is called
    from this thread after every block of n pairs; returns the summed cost. A worker's
    exception is re-raised here; an exception here stops the workers.
    """
    bounds = np.linspace(0, n, min(threads, n) + 1).astype(np.int64)
    reports: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
    stop = threading.Event()

    def work(lo: int, hi: int) -> None:
        cost = 0.0
        try:
            for s in range(lo, hi, _BLOCK):
                if stop.is_set():
                    break
                cost += run(s, min(s + _BLOCK, hi))
                reports.put(("block", min(s + _BLOCK, hi) - s))
            reports.put(("cost", cost))
        except BaseException as error:  # handed to the calling thread
            reports.put(("error", error))

    workers = [threading.Thread(target=work, args=(int(lo), int(hi)), daemon=True)
               for lo, hi in zip(bounds[:-1], bounds[1:])]  # fmt: skip
    total, running = 0.0, len(workers)
    try:
        for worker in workers:
            worker.start()
        while running:
            kind, value = reports.get()
            if kind == "block":
                done(value)
            elif kind == "cost":
                total, running = total + value, running - 1
            else:
                raise value
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    return total


# error_model="numpy": numba's default checks every division for zero, which keeps LLVM from
# vectorising the update loop (2x slower). fastmath vectorises the dot product's sum and lets
# LLVM assume no NaN, so divergence is caught from the epoch's cost, outside the kernel.
@njit(nogil=True, fastmath=True, error_model="numpy", cache=True)
def _adagrad_pass(
    rows, cols, log_x, f_x, W, W_tilde, b, b_tilde, G_W, G_W_tilde, G_b, G_b_tilde,
    learning_rate, grad_clip,
):  # fmt: skip
    """One AdaGrad step per pair (rows[p], cols[p]), in order; returns the sum of 0.5 f diff^2.

    Component e of w_i and w~_j depends only on the old component e of both and on the scalar
    d, so one loop updates both in place without temporaries.
    """
    cost = 0.0
    for p in range(rows.shape[0]):
        i, j = rows[p], cols[p]
        diff = b[i] + b_tilde[j] - log_x[p]  # w_i . w~_j + b_i + b~_j - log X_ij
        for e in range(W.shape[1]):
            diff += W[i, e] * W_tilde[j, e]
        cost += 0.5 * f_x[p] * diff * diff
        d = f_x[p] * diff  # dJ/d(diff) for J = 0.5 f diff^2
        for e in range(W.shape[1]):
            s_i = learning_rate * min(max(d * W_tilde[j, e], -grad_clip), grad_clip)
            s_j = learning_rate * min(max(d * W[i, e], -grad_clip), grad_clip)
            W[i, e] -= s_i / np.sqrt(G_W[i, e])
            W_tilde[j, e] -= s_j / np.sqrt(G_W_tilde[j, e])
            G_W[i, e] += s_i * s_i
            G_W_tilde[j, e] += s_j * s_j
        s_b = learning_rate * d
        b[i] -= s_b / np.sqrt(G_b[i])
        b_tilde[j] -= s_b / np.sqrt(G_b_tilde[j])
        G_b[i] += s_b * s_b
        G_b_tilde[j] += s_b * s_b
    return cost
