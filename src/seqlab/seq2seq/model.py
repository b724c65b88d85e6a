"""The notes' encoder-decoder as a conditional language model P(y<1..T_y> | x), with attention.

An encoder RNN (any seqlab cell, deep, bidirectional) reads the source x<1..T_x> into
activations a<t'>, (B, T_x, D * n_a). A decoder RNN writes y one token at a time; at step t its
first layer reads [e(y<t-1>), c<t>] and a small output layer gives P(y<t> | x, y<1..t-1>):

    o<t> = tanh(W_o [s<t>, c<t>, e(y<t-1>)] + b_o),    P(y<t> | ...) = softmax(W_y o<t> + b_y)

With ``attention=True`` (Bahdanau et al. 2014, additive attention, ``seqlab.nn.AdditiveAttention``)
the context changes per step:

    e<t,t'> = v^T tanh(W_s s<t-1> + W_a a<t'> + b)      (the small alignment network)
    α<t,t'> = exp(e<t,t'>) / Σ_t'' exp(e<t,t''>)        (softmax over real source positions)
    c<t>    = Σ_t' α<t,t'> a<t'>

and costs T_x * T_y scores per sentence. Without attention, c<t> is one fixed summary of the
source for every t (the forward direction's last activation and the backward direction's
first), as in Cho et al. 2014. The decoder's initial state is s<0> = tanh(W_init h) from the
encoder's final states, layer by layer.

Padding never leaks: the encoder skips padded steps, attention puts exactly zero weight on them,
and the loss counts real target tokens only.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.nn import GRU, LSTM, RNN, AdditiveAttention, last_step, lengths_to_mask
from seqlab.seq2seq.config import Seq2SeqConfig
from seqlab.text import Tokenizer, Vocabulary, tokenizer_from_config
from seqlab.text.limits import head_tokens

__all__ = ["CELLS", "Memory", "Seq2Seq", "Seq2SeqConfig", "State"]

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
SRC_VOCAB_FILE, TGT_VOCAB_FILE = "vocab_src.json", "vocab_tgt.json"
TOKENIZERS_FILE = "tokenizers.json"

State = tuple[Tensor, ...]  # (a,) or (a, c) for the LSTM, each (L, N, n_a)


@dataclass
class Memory:
    """What the decoder reads from the encoder, for N rows (sentences, or beams of them).

    enc: (N, T_x, D * n_a) the activations a<t'>; keys: (N, T_x, A) their W_a a<t'> + b,
    computed once per source (attention only); mask: (N, T_x) True on real source positions;
    context: (N, D * n_a) the fixed context (no attention only).
    """

    enc: Tensor
    mask: Tensor
    keys: Tensor | None = None
    context: Tensor | None = None

    def select(self, rows: Tensor) -> Memory:
        """The memory of the given rows (for beams: each sentence's row repeated K times)."""
        pick = lambda t: None if t is None else t.index_select(0, rows)  # noqa: E731
        return Memory(pick(self.enc), pick(self.mask), pick(self.keys), pick(self.context))


class Seq2Seq(nn.Module):
    """An encoder-decoder with optional Bahdanau attention, its tokenizers and vocabularies.

    Args:
        config: the architecture; the vocabulary sizes are taken from the vocabularies.
        src_vocab: source token <-> id mapping, with the four special tokens.
        tgt_vocab: target token <-> id mapping, with the four special tokens.
        src_tokenizer, tgt_tokenizer: text -> tokens; default to the one ``config.level`` names.

    Raises:
        ValueError: on an inconsistent config, vocabularies without special tokens, or vocabulary
            sizes that differ from ones recorded in the config (a folder whose files do not
            belong together).
    """

    task = "seq2seq"  # config.json's "task" (seqlab.TASKS)
    config_class = Seq2SeqConfig

    def __init__(
        self,
        config: Seq2SeqConfig,
        src_vocab: Vocabulary,
        tgt_vocab: Vocabulary,
        src_tokenizer: Tokenizer | None = None,
        tgt_tokenizer: Tokenizer | None = None,
    ) -> None:
        super().__init__()
        for side, vocab, size in (("source", src_vocab, config.src_vocab_size),
                                  ("target", tgt_vocab, config.tgt_vocab_size)):  # fmt: skip
            if not vocab.has_specials:
                raise ValueError(f"the {side} vocabulary needs <pad>/<unk>/<bos>/<eos>")
            if size not in (0, len(vocab)):
                raise ValueError(
                    f"config says the {side} vocabulary has {size} tokens but it has "
                    f"{len(vocab)}: the folder's vocabulary does not belong to its config.json"
                )
        config = dataclasses.replace(
            config, src_vocab_size=len(src_vocab), tgt_vocab_size=len(tgt_vocab)
        )
        self.config, self.src_vocab, self.tgt_vocab = config, src_vocab, tgt_vocab
        default = tokenizer_from_config({"level": config.level})
        self.src_tokenizer = src_tokenizer or default
        self.tgt_tokenizer = tgt_tokenizer or default
        for tok in (self.src_tokenizer, self.tgt_tokenizer):
            if tok.level != config.level:
                raise ValueError(f"tokenizer level {tok.level!r} != config level {config.level!r}")

        E, H, L = config.embedding_size, config.hidden_size, config.num_layers
        A = config.attention_size
        D = 2 if config.bidirectional else 1
        O = config.output_size or E
        Layer = CELLS[config.cell]
        self.src_embed = nn.Embedding(len(src_vocab), E, padding_idx=src_vocab.pad_id)
        self.tgt_embed = nn.Embedding(len(tgt_vocab), E, padding_idx=tgt_vocab.pad_id)
        self.encoder = Layer(E, H, num_layers=L, bidirectional=D == 2, dropout=config.dropout)
        self.bridge = nn.Linear(D * H, H)  # s<0> = tanh(W_init h), per layer
        self.decoder = Layer(E + D * H, H, num_layers=L, dropout=config.dropout)
        if config.attention:
            attention = AdditiveAttention(D * H, A, query_size=H)  # creates W_s, W_a (b), v
            # Its layers are registered here, not under an "attention." prefix, so the weights
            # keep the names model folders have always stored: W_s, W_a, v.
            self.W_s, self.W_a, self.v = attention.W_s, attention.W_a, attention.v
            # A plain attribute (registering it as well would store each weight twice).
            object.__setattr__(self, "_attention", attention)
        self.W_o = nn.Linear(H + D * H + E, O)
        self.out = nn.Linear(O, len(tgt_vocab))  # W_y
        if config.tie_weights:
            # One matrix both embeds and scores: N(0, 1/E) keeps the first logits W_y o<t>
            # near unit scale (N(0, 1) rows would start the softmax saturated, loss >> log V).
            nn.init.normal_(self.tgt_embed.weight, std=E**-0.5)
            with torch.no_grad():
                self.tgt_embed.weight[tgt_vocab.pad_id].zero_()
            self.out.weight = self.tgt_embed.weight

    # --- encoder ----------------------------------------------------------------------------

    def encode(self, src: Tensor, lengths: Tensor) -> tuple[Memory, State]:
        """Read a padded batch of sources.

        Args:
            src: (B, T_x) long source ids, padded with ``<pad>``.
            lengths: (B,) real lengths.

        Returns:
            The decoder's memory and its initial state s<0> (each (L, B, n_a)).
        """
        x = self._dropout(self.src_embed(src))  # (B, T_x, E)
        a, final = self.encoder(x, lengths=lengths)  # (B, T_x, D*H)
        a = self._dropout(a)
        mask = lengths_to_mask(lengths.to(src.device), src.shape[1])  # (B, T_x)
        h = final[0] if isinstance(final, tuple) else final  # (L*D, B, H)
        L, D = self.config.num_layers, self.encoder.num_directions
        h = h.view(L, D, *h.shape[1:]).permute(0, 2, 1, 3).flatten(2)  # (L, B, D*H)
        s0 = torch.tanh(self.bridge(h))  # (L, B, H)
        state = (s0, torch.zeros_like(s0)) if self.config.cell == "lstm" else (s0,)
        if self.config.attention:
            return Memory(enc=a, mask=mask, keys=self._attention.keys(a)), state
        return Memory(enc=a, mask=mask, context=last_step(a, lengths, D)), state

    # --- decoder ----------------------------------------------------------------------------

    def attend(self, s_prev: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        """One step of attention.

        Args:
            s_prev: (N, n_a) the decoder's top-layer state s<t-1>.
            memory: the encoded sources of the N rows.

        Returns:
            c<t>: (N, D * n_a) the context, and α<t, :>: (N, T_x), zero on padding.
        """
        return self._attention(memory.enc, s_prev=s_prev, mask=memory.mask, keys=memory.keys)

    def _cells_step(self, x_t: Tensor, state: State) -> State:
        """Advance the decoder's stack one step: x_t (N, n_x), state (L, N, n_a) each."""
        lstm = self.config.cell == "lstm"
        new: list[tuple[Tensor, ...]] = []
        inp = x_t
        for l, (cell,) in enumerate(self.decoder.cells):
            if lstm:
                a, c = cell(inp, (state[0][l], state[1][l]))
                new.append((a, c))
            else:
                a = cell(inp, state[0][l])
                new.append((a,))
            inp = a if l == len(self.decoder.cells) - 1 else self._dropout(a)
        return tuple(torch.stack([n[i] for n in new]) for i in range(len(state)))

    def _output(self, s: Tensor, c: Tensor, e: Tensor) -> Tensor:
        """o<t> = tanh(W_o [s<t>, c<t>, e(y<t-1>)] + b_o), with dropout; (..., O)."""
        return self._dropout(torch.tanh(self.W_o(torch.cat([s, c, e], dim=-1))))

    def step(
        self, y_prev: Tensor, state: State, memory: Memory
    ) -> tuple[Tensor, State, Tensor | None]:
        """One decoding step for N rows.

        Args:
            y_prev: (N,) the previous tokens (``<bos>`` first).
            state: the decoder state, each (L, N, n_a).
            memory: the encoded sources of the N rows.

        Returns:
            log P(y<t> | x, y<1..t-1>): (N, V_tgt), the new state, and α<t, :> (N, T_x) or None.
        """
        e = self._dropout(self.tgt_embed(y_prev))  # (N, E)
        if self.config.attention:
            c, alpha = self.attend(state[0][-1], memory)  # (N, D*H), (N, T_x)
        else:
            c, alpha = memory.context, None
        state = self._cells_step(torch.cat([e, c], dim=1), state)
        logits = self.out(self._output(state[0][-1], c, e))  # (N, V)
        return torch.log_softmax(_at_least_float(logits), dim=-1), state, alpha

    def forward(
        self, src: Tensor, src_lengths: Tensor, tgt_in: Tensor
    ) -> tuple[Tensor, Tensor | None]:
        """Teacher forcing: the logits of every target position.

        Args:
            src: (B, T_x) source ids; src_lengths: (B,).
            tgt_in: (B, T_y) the decoder's inputs: ``<bos>`` y<1> ... y<T_y - 1> (padded).

        Returns:
            logits: (B, T_y, V_tgt); attention: (B, T_y, T_x) or None without attention.
        """
        memory, state = self.encode(src, src_lengths)
        e = self._dropout(self.tgt_embed(tgt_in))  # (B, T_y, E)
        if not self.config.attention:  # the inputs do not depend on the state: one fused call
            c = memory.context.unsqueeze(1).expand(-1, e.shape[1], -1)  # (B, T_y, D*H)
            init = state if self.config.cell == "lstm" else state[0]
            s, _ = self.decoder(torch.cat([e, c], dim=2), init)  # (B, T_y, H)
            return self.out(self._output(s, c, e)), None
        tops, contexts, alphas = [], [], []
        for e_t in e.unbind(1):
            c, alpha = self.attend(state[0][-1], memory)
            state = self._cells_step(torch.cat([e_t, c], dim=1), state)
            tops.append(state[0][-1])
            contexts.append(c)
            alphas.append(alpha)
        s, c = torch.stack(tops, dim=1), torch.stack(contexts, dim=1)  # (B, T_y, H), (B, T_y, DH)
        return self.out(self._output(s, c, e)), torch.stack(alphas, dim=1)

    def _dropout(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.config.dropout, self.training) if self.config.dropout else x

    # --- text <-> ids -------------------------------------------------------------------------

    def source_ids(self, text: str, *, on_long: str = "error") -> tuple[list[int], int]:
        """Token ids of one source sentence and how many of its tokens are unknown.

        Args:
            text: the sentence.
            on_long: ``"error"`` or ``"truncate"`` (keep the first ``max_src_len`` tokens) for a
                source longer than the model's ``max_src_len``.

        Raises:
            ValueError: on an empty sentence, or a long one with ``on_long="error"``.
        """
        if on_long not in ("error", "truncate"):
            raise ValueError(f"on_long must be 'error' or 'truncate', got {on_long!r}")
        limit = self.config.max_src_len
        tokens, complete = head_tokens(self.src_tokenizer.tokenize, text, limit)  # not all 50 MB
        if not tokens or not text.strip():
            raise ValueError("empty source sentence: there is nothing to translate")
        if len(tokens) > limit:
            if on_long == "error":
                count = len(tokens) if complete else f"more than {limit}"
                raise ValueError(
                    f"source has {count} tokens, more than the model's max_src_len={limit} "
                    "(truncate it, e.g. --on-long truncate)"
                )
            tokens = tokens[:limit]
        return self.src_vocab.encode(tokens), self.src_vocab.count_unknown(tokens)

    def target_ids(self, text: str) -> list[int]:
        """Target token ids of one sentence (no ``<bos>``/``<eos>``; unknown -> ``<unk>``)."""
        return self.tgt_vocab.encode(self.tgt_tokenizer.tokenize(text))

    def target_text(self, ids: list[int]) -> str:
        """Ids -> text, specials dropped."""
        return self.tgt_tokenizer.detokenize(self.tgt_vocab.decode(ids))

    # --- the Trainer's protocol ---------------------------------------------------------------

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean cross-entropy over the batch's real target tokens (with label smoothing)."""
        logits, _ = self(batch["src"], batch["src_lengths"], batch["tgt_in"])
        return F.cross_entropy(
            _at_least_float(logits.flatten(0, 1)),
            batch["tgt_out"].flatten(),
            ignore_index=self.tgt_vocab.pad_id,
            label_smoothing=self.config.label_smoothing,
        )

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """``{"loss": nats per target token, "accuracy": teacher-forced token accuracy}``."""
        logits, _ = self(batch["src"], batch["src_lengths"], batch["tgt_in"])
        y = batch["tgt_out"]
        real = y != self.tgt_vocab.pad_id
        loss = F.cross_entropy(_at_least_float(logits[real]), y[real])
        accuracy = (logits.argmax(-1)[real] == y[real]).float().mean()
        return {"loss": float(loss), "accuracy": float(accuracy)}

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """Real target tokens in a batch (what ``loss`` averages over)."""
        return int((batch["tgt_out"] != self.tgt_vocab.pad_id).sum())

    # --- model folders --------------------------------------------------------------------------

    def save_assets(self, folder: Path) -> None:
        """Write vocab_src.json, vocab_tgt.json and tokenizers.json into ``folder``."""
        folder = Path(folder)
        self.src_vocab.save(folder / SRC_VOCAB_FILE)
        self.tgt_vocab.save(folder / TGT_VOCAB_FILE)
        tokenizers = {"src": self.src_tokenizer.to_config(), "tgt": self.tgt_tokenizer.to_config()}
        (folder / TOKENIZERS_FILE).write_text(json.dumps(tokenizers, indent=2) + "\n", "utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: Seq2SeqConfig) -> Seq2Seq:
        """Rebuild the (untrained) model of a folder from its config and assets."""
        folder = Path(folder)
        for name in (SRC_VOCAB_FILE, TGT_VOCAB_FILE, TOKENIZERS_FILE):
            if not (folder / name).is_file():
                raise ValueError(f"{folder}: missing {name}")
        try:
            tokenizers = read_json(folder / TOKENIZERS_FILE)
            src_tok, tgt_tok = tokenizers["src"], tokenizers["tgt"]
        except (KeyError, TypeError) as error:
            raise ValueError(f"{folder / TOKENIZERS_FILE}: invalid ({error})") from None
        return cls(
            config,
            Vocabulary.load(folder / SRC_VOCAB_FILE),
            Vocabulary.load(folder / TGT_VOCAB_FILE),
            tokenizer_from_config(src_tok),
            tokenizer_from_config(tgt_tok),
        )

    def describe(self) -> dict[str, Any]:
        """A short summary for the CLI: sizes and parameter count."""
        return {
            "cell": self.config.cell,
            "attention": self.config.attention,
            "src_vocab": len(self.src_vocab),
            "tgt_vocab": len(self.tgt_vocab),
            "parameters": sum(p.numel() for p in self.parameters()),
        }


def _at_least_float(x: Tensor) -> Tensor:
    """fp16/bf16 -> float32 for the softmax; float32 and float64 stay as they are."""
    return x.to(torch.promote_types(x.dtype, torch.float32))
