"""The notes' language model: P(y<1>, ..., y<T>) = prod_t P(y<t> | y<1..t-1>).

At each step the model reads the previous token (one-hot, as in the notes, or a learned
embedding), updates a recurrent state a<t> (any seqlab cell, deep, with dropout), and a softmax
over the vocabulary gives ŷ<t> = P(y<t> | y<1..t-1>). The loss is the cross-entropy of ŷ<t>
against the actual next token, summed over t (averaged over real tokens here).

Two ways to train it (see :mod:`seqlab.lm.data`): ``mode="stream"`` carries the state from one
batch to the next (truncated BPTT over a long text); ``mode="lines"`` starts every sentence from
a zero state with ``<bos>`` as its first input and ends it with ``<eos>``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.lm.config import LMConfig
from seqlab.lm.sample import sample
from seqlab.lm.score import TextScore, score_sentences, score_text
from seqlab.nn import GRU, LSTM, RNN
from seqlab.text import Tokenizer, Vocabulary, tokenizer_from_config

__all__ = ["CELLS", "LMConfig", "LanguageModel", "State"]

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
VOCAB_FILE = "vocab.json"
TOKENIZER_FILE = "tokenizer.json"

State = Tensor | tuple[Tensor, Tensor]  # (L, B, H), or (a, c) for the LSTM


class LanguageModel(nn.Module):
    """A recurrent language model with its tokenizer and vocabulary.

    Args:
        config: the architecture; ``vocab_size`` is taken from ``vocab``.
        vocab: the token <-> id mapping (with ``<pad>``, ``<unk>``, ``<bos>``, ``<eos>``).
        tokenizer: text -> tokens; defaults to the one ``config.level`` names.

    Raises:
        ValueError: if the config is inconsistent, or ``config.vocab_size`` is set and differs
            from ``len(vocab)`` (a model folder whose vocabulary does not match its config).
    """

    task = "lm"  # config.json's "task" (seqlab.TASKS)
    config_class = LMConfig

    def __init__(
        self, config: LMConfig, vocab: Vocabulary, tokenizer: Tokenizer | None = None
    ) -> None:
        super().__init__()
        if not vocab.has_specials:
            raise ValueError("a language model needs a vocabulary with <unk>/<bos>/<eos>")
        if config.vocab_size not in (0, len(vocab)):
            raise ValueError(
                f"config says vocab_size={config.vocab_size} but the vocabulary has {len(vocab)} "
                "tokens: the model folder's vocab.json does not belong to its config.json"
            )
        config = dataclasses.replace(config, vocab_size=len(vocab))
        self.config, self.vocab = config, vocab
        self.tokenizer = tokenizer or tokenizer_from_config({"level": config.level})
        if self.tokenizer.level != config.level:
            raise ValueError(f"tokenizer level {self.tokenizer.level!r} != {config.level!r}")
        V, E, H = config.vocab_size, config.embedding_size, config.hidden_size
        self.embed = nn.Embedding(V, E) if E > 0 else None
        self.rnn = CELLS[config.cell](
            E or V, H, num_layers=config.num_layers, dropout=config.dropout
        )
        self.out = nn.Linear(H, V)
        # Carried states of stateful (stream) training, one per stream: "train" and "eval".
        self._carry: dict[str, State | None] = {}

    # --- the model ------------------------------------------------------------------------

    @property
    def start_id(self) -> int:
        """The input before the first token: ``<bos>`` for sentences, ``<eos>`` in a stream
        (where the token before a line is the previous line's end)."""
        return self.vocab.bos_id if self.config.mode == "lines" else self.vocab.eos_id

    def inputs(self, ids: Tensor) -> Tensor:
        """ids: (B, T) long -> x: (B, T, E) embeddings, or (B, T, V) one-hot vectors."""
        if self.embed is None:
            return F.one_hot(ids, self.config.vocab_size).to(self.out.weight.dtype)  # (B, T, V)
        return F.dropout(self.embed(ids), self.config.dropout, self.training)  # (B, T, E)

    def forward(
        self, ids: Tensor, state: State | None = None, lengths: Tensor | None = None
    ) -> tuple[Tensor, State]:
        """Next-token logits for every position.

        Args:
            ids: (B, T) long, the inputs y<0..T-1> (``start_id`` first for a fresh sentence).
            state: the state to start from, (L, B, H) or (a, c) for the LSTM; None = zeros.
            lengths: (B,) real lengths of padded rows; None = all T.

        Returns:
            logits: (B, T, V), before the softmax.
            state: the final state (at each row's last real step).
        """
        a, state = self.rnn(self.inputs(ids), state, lengths)  # (B, T, H)
        a = F.dropout(a, self.config.dropout, self.training)  # (B, T, H)
        return self.out(a), state  # (B, T, V)

    # --- using it ---------------------------------------------------------------------------

    @property
    def device(self) -> torch.device:
        """Where the model's weights are: inputs must be put there."""
        return self.out.weight.device

    @torch.no_grad()
    def next_log_probs(self, ids: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """One step of the notes' model: read y<t-1>, give log P(y<t> | y<1..t-1>) of every token.

        Runs in the model's current mode: call ``eval()`` first, or dropout is on.

        Args:
            ids: (B,) long on :attr:`device`, each row's latest token (``start_id`` to begin
                a text).
            state: the state after the row's earlier tokens, (L, B, H) or (a, c) for the LSTM,
                as the previous call returned it; None = zeros (a fresh text).

        Returns:
            log_probs: (B, V) float64, the next token's log-probabilities (log-softmax in
                float64, as :func:`seqlab.lm.score_sentences` computes them).
            state: the state after ``ids``, for the next call.
        """
        logits, state = self(ids.unsqueeze(1), state)  # (B, 1, V)
        return F.log_softmax(logits[:, 0].double(), dim=-1), state  # (B, V)

    def score(self, text: str) -> TextScore:
        """Score one sentence from a fresh state, ending with ``<eos>``; see
        :func:`seqlab.lm.score_sentences`."""
        return score_sentences(self, [text])[0]

    def score_text(self, text: str) -> TextScore:
        """Score a whole text with the state carried across lines; see
        :func:`seqlab.lm.score_text`."""
        return score_text(self, text)

    def sample(self, n: int = 1, **kwargs: Any) -> list[str]:
        """Draw ``n`` texts; see :func:`seqlab.lm.sample` for the keyword arguments."""
        return sample(self, n, **kwargs)

    # --- the Trainer's protocol -----------------------------------------------------------

    def _run(self, batch: dict[str, Any]) -> tuple[Tensor, Tensor]:
        """Logits and targets of a batch, carrying the state across stream batches."""
        x, y = batch["x"], batch["y"]  # (B, T), (B, T)
        if "reset" not in batch:  # a batch of whole sentences
            logits, _ = self(x, None, batch["lengths"])
            return logits, y
        key = "train" if self.training else "eval"
        state = None if batch["reset"] else self._carry.get(key)
        if state is not None and _batch_of(state) != x.shape[0]:
            state = None
        logits, state = self(x, state)
        self._carry[key] = _detach(state)  # truncated BPTT: no gradient into earlier batches
        return logits, y

    def loss(self, batch: dict[str, Any]) -> Tensor:
        """Mean cross-entropy (nats) over the batch's real target tokens."""
        logits, y = self._run(batch)
        return F.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=self.vocab.pad_id)

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Any]) -> dict[str, float]:
        """``{"loss": nats per token, "accuracy": next-token accuracy}`` over real tokens."""
        logits, y = self._run(batch)
        real = y != self.vocab.pad_id
        loss = F.cross_entropy(logits[real], y[real])
        accuracy = (logits.argmax(-1)[real] == y[real]).float().mean()
        return {"loss": float(loss), "accuracy": float(accuracy)}

    def count_tokens(self, batch: dict[str, Any]) -> int:
        """Real target tokens in a batch (what ``loss`` averages over)."""
        return int((batch["y"] != self.vocab.pad_id).sum())

    # --- model folders --------------------------------------------------------------------

    def save_assets(self, folder: Path) -> None:
        """Write vocab.json and tokenizer.json into ``folder``."""
        self.vocab.save(Path(folder) / VOCAB_FILE)
        text = json.dumps(self.tokenizer.to_config(), indent=2) + "\n"
        (Path(folder) / TOKENIZER_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: LMConfig) -> LanguageModel:
        """Rebuild the (untrained) model of a folder from its config and assets."""
        folder = Path(folder)
        for name in (VOCAB_FILE, TOKENIZER_FILE):
            if not (folder / name).is_file():
                raise ValueError(f"{folder}: missing {name}")
        tok_config = read_json(folder / TOKENIZER_FILE)
        return cls(config, Vocabulary.load(folder / VOCAB_FILE), tokenizer_from_config(tok_config))


def _batch_of(state: State) -> int:
    return int((state[0] if isinstance(state, tuple) else state).shape[1])


def _detach(state: State) -> State:
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()
