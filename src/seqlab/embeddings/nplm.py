"""The neural probabilistic language model of Bengio, Ducharme, Vincent & Jauvin (2003).

"A Neural Probabilistic Language Model", JMLR 3:1137-1155, as the notes' "Learning word
embeddings" tells it: to predict a word, take the previous n-1 words, look each one up in the
embedding matrix (e_w = E o_w, o_w the one-hot vector of w), concatenate the n-1 embeddings into
x, pass x through a tanh hidden layer and a softmax over the vocabulary. Trained to predict the
next word, the model has to give similar words similar rows of E, and E is what we keep.

Bengio's equation (section 2), with optional direct connections W from x to the output:

    x = (e_{w_{t-n+1}}, ..., e_{w_{t-1}})          (B, (n-1) E)
    y = b + W x + U tanh(d + H x)                   (B, V) logits; W x only if ``direct``
    P(w_t | w_{t-n+1..t-1}) = softmax(y)

Windows never cross a sentence boundary: the first words of a sentence see a learned ``<s>``
padding embedding (one extra row of E, id V, never returned) in place of the words before it,
so every token of the corpus is predicted exactly once per epoch::

    sentence  "the cat sat"        n - 1 = 2 (context), <s> = padding id V
    context   [<s>, <s>] -> the
              [<s>, the] -> cat
              [the, cat] -> sat

Training minimises the mean cross-entropy per predicted word with Adam (Bengio used plain SGD
with a decaying learning rate), on windows shuffled every epoch by a seeded generator.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab.embeddings.config import NPLMConfig
from seqlab.embeddings.corpus import Corpus
from seqlab.embeddings.progress import Callback, EpochStats, ProgressHook
from seqlab.embeddings.vectors import WordVectors

__all__ = ["NPLMConfig", "NPLMModel", "NeuralLM", "context_windows"]

logger = logging.getLogger(__name__)


class NPLMModel(nn.Module):
    """y = b + W x + U tanh(d + H x) over the concatenated context embeddings x.

    Args:
        vocab_size: V, the words that can be predicted; E gets V + 1 rows, the last (id V) the
            ``<s>`` padding before a sentence's first word.
        config: sizes (``dim``, ``context``, ``hidden_size``) and ``direct``.
        generator: draws the initial weights (None: torch's global generator).

    Attributes:
        E: nn.Embedding (V + 1, E), the word embeddings e_w (row V: padding).
        H: (H, (n-1) E), d: (H,), the hidden layer.
        U: (V, H), b: (V,), the output layer.
        W: (V, (n-1) E) direct connections, or None when ``config.direct`` is False.
    """

    def __init__(
        self, vocab_size: int, config: NPLMConfig, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        if vocab_size < 1:
            raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
        V, E, H, n_1 = vocab_size, config.dim, config.hidden_size, config.context
        self.vocab_size, self.context = V, n_1
        self.pad_id = V
        self.E = nn.Embedding.from_pretrained(torch.empty(V + 1, E), freeze=False)  # drawn below
        self.H = nn.Parameter(torch.empty(H, n_1 * E))
        self.d = nn.Parameter(torch.empty(H))
        self.U = nn.Parameter(torch.empty(V, H))
        self.b = nn.Parameter(torch.empty(V))
        self.W = nn.Parameter(torch.empty(V, n_1 * E)) if config.direct else None
        self.reset_parameters(generator)

    @torch.no_grad()
    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """E ~ N(0, 1) as nn.Embedding; the rest ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as the
        biases of nn.Linear (weights drawn the same way keep tanh(d + H x) out of saturation)."""
        nn.init.normal_(self.E.weight, generator=generator)
        for weight, bias in ((self.H, self.d), (self.U, self.b), (self.W, None)):
            if weight is None:
                continue
            bound = 1.0 / math.sqrt(weight.shape[1])
            nn.init.uniform_(weight, -bound, bound, generator=generator)
            if bias is not None:
                nn.init.uniform_(bias, -bound, bound, generator=generator)

    def forward(self, context_ids: Tensor) -> Tensor:
        """Next-word logits.

        Args:
            context_ids: int64 (B, n-1), the previous words, oldest first (padding id V
                before a sentence's start).

        Returns:
            logits: (B, V), y before the softmax.
        """
        x = self.E(context_ids).flatten(1)  # (B, (n-1) E)
        a = torch.tanh(F.linear(x, self.H, self.d))  # (B, H) = tanh(d + H x)
        y = F.linear(a, self.U, self.b)  # (B, V) = b + U a
        if self.W is not None:
            y = y + F.linear(x, self.W)  # (B, V)
        return y


def context_windows(ids: np.ndarray, offsets: np.ndarray, context: int, pad_id: int) -> np.ndarray:
    """The n-1 words before every token, never reaching into the previous sentence.

    Token t of a sentence starting at position s gets ids[t-n+1 .. t-1], with each position
    before s replaced by ``pad_id`` (vectorised: no Python loop over tokens).

    Args:
        ids: int (N,), the tokens of all sentences concatenated (``Corpus.ids``).
        offsets: int (S + 1,), sentence s is ``ids[offsets[s]:offsets[s + 1]]``.
        context: n - 1, at least 1.
        pad_id: the id that stands for "before the sentence".

    Returns:
        int64 (N, n-1): row t is the context of ``ids[t]``, oldest word first.
    """
    ids = np.asarray(ids, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    if context < 1:
        raise ValueError(f"context must be at least 1, got {context}")
    if offsets.ndim != 1 or offsets.shape[0] < 1 or offsets[0] != 0 or offsets[-1] != len(ids):
        raise ValueError(f"offsets must run from 0 to {len(ids)} (the number of tokens)")
    lengths = np.diff(offsets)  # (S,)
    starts = np.repeat(offsets[:-1], lengths)  # (N,) where each token's sentence starts
    positions = np.arange(len(ids))[:, None] - np.arange(context, 0, -1)  # (N, n-1)
    inside = positions >= starts[:, None]  # (N, n-1) False before the sentence
    return np.where(inside, ids[np.maximum(positions, 0)], np.int64(pad_id))  # (N, n-1)


class NeuralLM:
    """Trains an :class:`NPLMModel` on a corpus and keeps its embeddings E as word vectors.

    >>> trainer = NeuralLM(NPLMConfig(dim=50, epochs=3))
    >>> stats = trainer.train(read_corpus("text.cor"))
    >>> trainer.vectors.most_similar("king")

    Args:
        config: the model and its training.

    Attributes:
        model: the trained :class:`NPLMModel` (None before :meth:`train`), in eval mode.
    """

    def __init__(self, config: NPLMConfig = NPLMConfig()) -> None:
        self.config = config
        self.model: NPLMModel | None = None
        self._words: tuple[str, ...] = ()

    def train(
        self,
        corpus: Corpus,
        *,
        callbacks: Iterable[Callback] = (),
        on_progress: ProgressHook | None = None,
    ) -> list[EpochStats]:
        """Train a fresh model (a second call starts again from new weights).

        Args:
            corpus: the sentences; every token is predicted once per epoch.
            callbacks: each gets the :class:`EpochStats` of every finished epoch.
            on_progress: told after every batch how many words it predicted.

        Returns:
            One :class:`EpochStats` per epoch; ``loss`` is the mean cross-entropy (nats) per
            predicted word of that epoch.

        Raises:
            ValueError: a corpus of fewer than 2 tokens, or a loss that became NaN or infinite
                (diverged: lower the learning rate).
        """
        if corpus.n_tokens < 2:
            raise ValueError(
                f"the NPLM needs a corpus of at least 2 words, got {corpus.n_tokens} tokens"
            )
        config, callbacks = self.config, list(callbacks)
        generator = torch.Generator().manual_seed(config.seed)
        model = NPLMModel(len(corpus.words), config, generator=generator)
        contexts = torch.from_numpy(
            context_windows(corpus.ids, corpus.offsets, config.context, model.pad_id)
        )  # (N, n-1)
        targets = torch.from_numpy(corpus.ids.astype(np.int64))  # (N,)
        optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
        threads = torch.get_num_threads()
        torch.set_num_threads(config.threads)
        try:
            history = []
            for epoch in range(1, config.epochs + 1):
                start = time.perf_counter()
                loss = self._epoch(model, optimizer, contexts, targets, generator, on_progress)
                stats = EpochStats(
                    epoch=epoch,
                    loss=loss,
                    words=len(targets),
                    seconds=time.perf_counter() - start,
                    learning_rate=config.learning_rate,
                )
                logger.info("epoch %d: loss %.4f, %.0f words/s", epoch, loss,
                            stats.words_per_second)  # fmt: skip
                history.append(stats)
                for callback in callbacks:
                    callback(stats)
        finally:
            torch.set_num_threads(threads)
        if not all(torch.isfinite(p).all() for p in model.parameters()):  # after the last step
            raise ValueError(_diverged("weights", config.learning_rate))
        self.model, self._words = model.eval(), corpus.words
        return history

    def _epoch(
        self,
        model: NPLMModel,
        optimizer: torch.optim.Optimizer,
        contexts: Tensor,
        targets: Tensor,
        generator: torch.Generator,
        on_progress: ProgressHook | None,
    ) -> float:
        """One pass over the shuffled windows; the mean cross-entropy per predicted word."""
        model.train()
        order = torch.randperm(len(targets), generator=generator)  # (N,)
        total = 0.0
        for batch in order.split(self.config.batch_size):
            logits = model(contexts[batch])  # (B, V)
            loss = F.cross_entropy(logits, targets[batch])  # mean over the B words
            value = loss.item()
            if not math.isfinite(value):
                raise ValueError(_diverged("loss", self.config.learning_rate))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            try:
                optimizer.step()
            except RuntimeError as e:  # Adam overflows converting a huge lr (> ~3e37) itself
                raise ValueError(_diverged("optimizer step", self.config.learning_rate)) from e
            total += value * len(batch)
            if on_progress is not None:
                on_progress(len(batch))
        return total / len(targets)

    @property
    def vectors(self) -> WordVectors:
        """The rows of E for the corpus' words, in ``corpus.words`` order (no padding row).

        Raises:
            ValueError: before :meth:`train`.
        """
        if self.model is None:
            raise ValueError("NeuralLM is not trained yet: call train(corpus) first")
        E = self.model.E.weight.detach()[: self.model.vocab_size]  # (V, E)
        return WordVectors(self._words, E.cpu().numpy())


def _diverged(what: str, learning_rate: float) -> str:
    """The one message for a NaN or infinite loss or weight."""
    return f"training diverged: the {what} became NaN or infinite; lower {learning_rate=}"
