"""word2vec (Mikolov et al. 2013): skip-gram and CBOW, negative sampling or hierarchical softmax.

The notes' "Word2Vec" and "Negative Sampling" sections. Skip-gram picks a target word and a
context word within a window and learns e_c so that theta_t . e_c predicts t; the full V-way
softmax is too costly, so it is replaced either by k+1 logistic regressions (the target against k
negatives drawn from f(w)^(3/4)) or by the binary decisions down a Huffman tree (hierarchical
softmax). Frequent words are subsampled; the window is shrunk at random per target (closer words
count more); the learning rate falls linearly from ``alpha`` to ``min_alpha`` over all epochs.

The flags and defaults are word2vec.c's and gensim's (``dim`` is gensim's ``vector_size``), so
results can be compared with gensim on the same corpus (``benchmarks/embeddings_vs_gensim.py``).
The per-token loop is compiled (``_w2v_kernel.py``) and runs on ``threads`` threads.

    corpus = read_corpus("text.txt", min_count=5)
    w2v = Word2Vec(Word2VecConfig(sg=True, negative=5))
    stats = w2v.train(corpus)          # one EpochStats per epoch
    w2v.vectors.most_similar("king")
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from seqlab.embeddings import _w2v_kernel as kernel
from seqlab.embeddings.config import Word2VecConfig
from seqlab.embeddings.corpus import Corpus, keep_probabilities, noise_distribution
from seqlab.embeddings.huffman import build_huffman
from seqlab.embeddings.progress import Callback, EpochStats, ProgressHook
from seqlab.embeddings.vectors import WordVectors

__all__ = ["Word2Vec", "Word2VecConfig"]

logger = logging.getLogger(__name__)

JOB_TOKENS = 10_000  # tokens per job, as gensim's batch_words


class Word2Vec:
    """Trains word2vec vectors on a :class:`~seqlab.embeddings.corpus.Corpus`.

    After :meth:`train`: ``syn0`` float32 (V, D) input vectors (the embeddings), ``syn1neg``
    float32 (V, D) negative-sampling output vectors, ``syn1`` float32 (V - 1, D) inner-node
    vectors of hierarchical softmax, ``words`` the vocabulary and ``stats`` one entry per epoch.
    """

    def __init__(self, config: Word2VecConfig | None = None) -> None:
        self.config = config or Word2VecConfig()
        self.words: tuple[str, ...] = ()
        self.stats: list[EpochStats] = []
        self.syn0 = self.syn1neg = self.syn1 = None

    @property
    def vectors(self) -> WordVectors:
        """The trained input vectors e_w as :class:`WordVectors`."""
        if self.syn0 is None:
            raise ValueError("this Word2Vec is not trained yet: call train(corpus) first")
        return WordVectors(self.words, self.syn0)

    def train(
        self,
        corpus: Corpus,
        *,
        callbacks: Sequence[Callback] = (),
        on_progress: ProgressHook | None = None,
    ) -> list[EpochStats]:
        """Train from freshly initialised weights for ``config.epochs`` epochs.

        Raises:
            ValueError: a corpus with no tokens, or fewer than 2 words for hierarchical softmax,
                or a loss that stopped being finite.
        """
        cfg = self.config
        if corpus.n_tokens == 0:
            raise ValueError("the corpus has no tokens left after min_count")
        tables = self._prepare(corpus)
        jobs = _jobs(corpus.offsets, JOB_TOKENS)
        total = cfg.epochs * corpus.n_tokens
        self._run_job(corpus, (0, 0, 0), 0, cfg.alpha, tables)  # compile or load the loop first
        self.stats = []
        for epoch in range(cfg.epochs):
            stats = self._epoch(corpus, jobs, epoch, total, tables, on_progress)
            if not math.isfinite(stats.loss):
                raise ValueError(f"training diverged in epoch {epoch + 1}: lower alpha")
            logger.info(
                "epoch %d: loss %.4f, %.0f words/s", stats.epoch, stats.loss, stats.words_per_second
            )
            self.stats.append(stats)
            for callback in callbacks:
                callback(stats)
        return self.stats

    def _prepare(self, corpus: Corpus) -> dict[str, np.ndarray]:
        cfg, V, D = self.config, len(corpus), self.config.dim
        rng = np.random.default_rng(cfg.seed)
        self.words = corpus.words
        # uniform in [-1, 1) / D as gensim 4 (word2vec.c: [-0.5, 0.5) / D); output layers start at 0
        self.syn0 = ((rng.random((V, D), dtype=np.float32) * 2 - 1) / D).astype(np.float32)
        self.syn1neg = np.zeros((V, D), dtype=np.float32)
        if cfg.hs:
            if V < 2:
                raise ValueError("hierarchical softmax needs at least 2 words in the vocabulary")
            tree = build_huffman(corpus.counts)
            codes, points, lengths = tree.codes, tree.points, tree.lengths
            self.syn1 = np.zeros((V - 1, D), dtype=np.float32)
        else:
            codes = np.zeros((1, 1), np.uint8)
            points = np.zeros((1, 1), np.int32)
            lengths = np.zeros(1, np.int32)
            self.syn1 = np.zeros((1, D), dtype=np.float32)
        alias_prob, alias_idx = kernel.alias_table(
            noise_distribution(corpus.counts, cfg.ns_exponent)
        )
        exp_table, loss_table = kernel.sigmoid_tables()
        keep = keep_probabilities(corpus.counts, cfg.sample).astype(np.float32)
        return dict(
            keep=keep,
            alias_prob=alias_prob,
            alias_idx=alias_idx,
            codes=codes,
            points=points,
            lengths=lengths,
            exp_table=exp_table,
            loss_table=loss_table,
        )

    def _epoch(self, corpus, jobs, epoch, total, tables, on_progress) -> EpochStats:
        cfg = self.config
        done_before = epoch * corpus.n_tokens
        lock = threading.Lock()

        def run(job: tuple[int, int, int]) -> tuple[float, int]:
            s_begin, s_end, first_token = job
            progress = (done_before + first_token) / total
            alpha = self._alpha(progress)
            loss, n_examples = self._run_job(corpus, job, epoch, alpha, tables)
            if on_progress is not None:
                with lock:
                    on_progress(int(corpus.offsets[s_end] - corpus.offsets[s_begin]))
            return loss, n_examples

        start = time.perf_counter()
        if cfg.threads == 1:
            results = [run(job) for job in jobs]
        else:
            with ThreadPoolExecutor(max_workers=cfg.threads) as pool:
                results = list(pool.map(run, jobs))
        seconds = time.perf_counter() - start
        loss = sum(r[0] for r in results)
        n_examples = sum(r[1] for r in results)
        end_progress = (epoch + 1) * corpus.n_tokens / total
        return EpochStats(
            epoch=epoch + 1,
            loss=loss / max(n_examples, 1),
            words=corpus.n_tokens,
            seconds=seconds,
            learning_rate=self._alpha(end_progress),
        )

    def _alpha(self, progress: float) -> float:
        """The learning rate after ``progress`` (0..1) of all epochs: linear decay."""
        return self.config.alpha - (self.config.alpha - self.config.min_alpha) * progress

    def _run_job(self, corpus, job, epoch, alpha, tables) -> tuple[float, int]:
        cfg = self.config
        s_begin, s_end, _ = job
        seed = (cfg.seed * 1_000_003 + epoch) * 1_000_003 + s_begin
        loss, n_examples, _ = kernel.train_job(
            corpus.ids,
            corpus.offsets,
            s_begin,
            s_end,
            self.syn0,
            self.syn1neg,
            self.syn1,
            tables["keep"],
            tables["alias_prob"],
            tables["alias_idx"],
            tables["codes"],
            tables["points"],
            tables["lengths"],
            cfg.sg,
            cfg.cbow_mean,
            cfg.window,
            cfg.negative,
            cfg.hs,
            np.float32(alpha),
            seed,
            tables["exp_table"],
            tables["loss_table"],
        )
        return loss, n_examples


def _jobs(offsets: np.ndarray, job_tokens: int) -> list[tuple[int, int, int]]:
    """Cut the sentences into runs of about ``job_tokens`` tokens: (first, end, first token)."""
    jobs, s_begin, S = [], 0, offsets.shape[0] - 1
    starts = offsets[:-1]
    while s_begin < S:
        # the first sentence whose start lies job_tokens past this job's start ends the job
        s_end = int(np.searchsorted(starts, offsets[s_begin] + job_tokens, side="left"))
        s_end = max(s_end, s_begin + 1)
        jobs.append((s_begin, s_end, int(offsets[s_begin])))
        s_begin = s_end
    return jobs
