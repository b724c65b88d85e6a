"""The RNN architectures of the notes as small modules around a recurrent layer.

- many-to-many, T_x = T_y (named-entity tagging): ``ManyToMany``, a softmax at every step;
- many-to-one (sentiment classification): ``ManyToOne``, one output from the whole sequence
  (pooled by :func:`pool_steps`, by additive attention, ``seqlab.nn.AdditiveAttention`` with no
  query, or, for inputs of one fixed length, by concatenating every step, :func:`concat_steps`);
- one-to-many (music generation, sampling): ``OneToMany``, ŷ<t-1> is fed back as x<t>;
- many-to-many, T_x != T_y (machine translation): ``EncoderDecoder``, an encoder reads x, its
  final state starts a decoder that writes y.

Each returns ``logits`` (before the softmax); losses and sampling live in the task packages.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.nn.masks import lengths_to_mask
from seqlab.nn.recurrent import _RecurrentLayer

__all__ = [
    "ManyToMany",
    "ManyToOne",
    "OneToMany",
    "EncoderDecoder",
    "concat_steps",
    "last_step",
    "pool_steps",
]


def last_step(a: Tensor, lengths: Tensor | None, num_directions: int = 1) -> Tensor:
    """Each sequence's summary from a layer's outputs.

    The forward direction's activation at the sequence's own last step; for a bidirectional
    layer, concatenated with the backward direction's activation at t = 1 (where it has read the
    whole sequence).

    Args:
        a: (B, T, D * H) layer outputs.
        lengths: (B,) real lengths, or None when no sequence is padded.
        num_directions: D.

    Returns:
        (B, D * H).
    """
    B, T, DH = a.shape
    H = DH // num_directions
    last = (lengths.to(a.device) - 1) if lengths is not None else a.new_full((B,), T - 1).long()
    fwd = a[torch.arange(B, device=a.device), last, :H]  # (B, H)
    if num_directions == 1:
        return fwd
    return torch.cat([fwd, a[:, 0, H:]], dim=1)  # (B, 2H)


class ManyToMany(nn.Module):
    """T_x = T_y: a recurrent layer, then a linear map to C classes at every step.

    forward(x (B, T, n_x), lengths (B,) | None) -> logits (B, T, C).
    """

    def __init__(self, rnn: _RecurrentLayer, n_classes: int) -> None:
        super().__init__()
        self.rnn = rnn
        self.out = nn.Linear(rnn.hidden_size * rnn.num_directions, n_classes)

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        a, _ = self.rnn(x, lengths=lengths)  # (B, T, D*H)
        return self.out(a)  # (B, T, C)


class ManyToOne(nn.Module):
    """Many-to-one: the whole sequence -> C classes.

    Args:
        rnn: the recurrent layer.
        n_classes: C.
        pool: "last" (the notes: the last activation; both ends for a BRNN), "mean" or "max"
            over the real steps.

    forward(x (B, T, n_x), lengths (B,) | None) -> logits (B, C).
    """

    def __init__(self, rnn: _RecurrentLayer, n_classes: int, pool: str = "last") -> None:
        super().__init__()
        if pool not in ("last", "mean", "max"):
            raise ValueError(f"pool must be 'last', 'mean' or 'max', got {pool!r}")
        self.rnn, self.pool = rnn, pool
        self.out = nn.Linear(rnn.hidden_size * rnn.num_directions, n_classes)

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        a, _ = self.rnn(x, lengths=lengths)  # (B, T, D*H)
        return self.out(pool_steps(a, lengths, self.pool, self.rnn.num_directions))  # (B, C)


def pool_steps(a: Tensor, lengths: Tensor | None, pool: str, num_directions: int = 1) -> Tensor:
    """One vector per sequence from a layer's outputs, padding ignored.

    Args:
        a: (B, T, D * H) layer outputs.
        lengths: (B,) real lengths, or None when no sequence is padded.
        pool: "last" (:func:`last_step`), "mean" or "max" over the real steps.
        num_directions: D.

    Returns:
        (B, D * H).
    """
    if pool == "last":
        return last_step(a, lengths, num_directions)  # (B, D*H)
    if pool not in ("mean", "max"):
        raise ValueError(f"pool must be 'last', 'mean' or 'max', got {pool!r}")
    B, T, _ = a.shape
    L = lengths.to(a.device) if lengths is not None else torch.full((B,), T, device=a.device)
    mask = lengths_to_mask(L, T).unsqueeze(2)  # (B, T, 1)
    if pool == "mean":
        return (a * mask).sum(1) / L.unsqueeze(1).to(a.dtype)  # (B, D*H)
    return a.masked_fill(~mask, float("-inf")).amax(1)  # (B, D*H)


def concat_steps(a: Tensor, lengths: Tensor | None, n_steps: int) -> Tensor:
    """Every step's activation side by side, for inputs of one fixed length.

    The layer after it then has its own weights for each position (a logistic regression on
    the BRNN's features at every position), which suits data whose signal sits at a fixed place,
    such as a splice junction in the middle of a 60-nt window.

    Args:
        a: (B, T, D * H) layer outputs.
        lengths: (B,) real lengths, or None when no sequence is padded.
        n_steps: the one length T every sequence must have.

    Returns:
        (B, T * D * H), step 1's activation first.

    Raises:
        ValueError: when T or a real length differs from ``n_steps``.
    """
    B, T, _ = a.shape
    if T != n_steps or (lengths is not None and bool((lengths != n_steps).any())):
        found = sorted(set(lengths.tolist())) if lengths is not None else [T]
        raise ValueError(
            f"pool 'concat' needs sequences of exactly {n_steps} steps, got length(s) {found}"
        )
    return a.reshape(B, -1)  # (B, T*D*H)


class OneToMany(nn.Module):
    """One-to-many generation: each step's output token is embedded and fed back as x<t+1>.

    Args:
        rnn: a unidirectional recurrent layer whose input_size is the embedding size.
        vocab_size: V.
        start_id: the token fed at t = 1 (e.g. ``<bos>``).
    """

    def __init__(self, rnn: _RecurrentLayer, vocab_size: int, start_id: int = 0) -> None:
        super().__init__()
        if rnn.bidirectional:
            raise ValueError("one-to-many generation needs a unidirectional layer")
        self.rnn, self.start_id = rnn, start_id
        self.embed = nn.Embedding(vocab_size, rnn.input_size)
        self.out = nn.Linear(rnn.hidden_size, vocab_size)

    def forward(self, y_in: Tensor, state=None) -> tuple[Tensor, object]:
        """Teacher forcing. y_in: (B, T) ids -> logits (B, T, V), final state."""
        a, state = self.rnn(self.embed(y_in), state)  # (B, T, H)
        return self.out(a), state  # (B, T, V)

    @torch.no_grad()
    def generate(
        self, n: int, steps: int, *, generator: torch.Generator | None = None, greedy: bool = False
    ) -> Tensor:
        """Sample n sequences of ``steps`` tokens, each fed back as the next input: (n, steps)."""
        device = self.out.weight.device
        y = torch.full((n, 1), self.start_id, dtype=torch.long, device=device)  # (n, 1)
        state, out = None, []
        for _ in range(steps):
            logits, state = self(y, state)  # (n, 1, V)
            probs = logits[:, -1].softmax(-1)  # (n, V)
            if greedy:
                y = probs.argmax(-1, keepdim=True)
            else:
                y = torch.multinomial(probs, 1, generator=generator)  # (n, 1)
            out.append(y)
        return torch.cat(out, dim=1)  # (n, steps)


class EncoderDecoder(nn.Module):
    """T_x != T_y: an encoder reads x; its final state is the decoder's initial state.

    The encoder and decoder must agree on hidden_size, num_layers and cell type; a
    bidirectional encoder's two directions are summed per layer to start a unidirectional
    decoder.

    forward(x (B, T_x, n_x), y_in (B, T_y) ids, x_lengths (B,) | None) -> logits (B, T_y, V).
    """

    def __init__(self, encoder: _RecurrentLayer, decoder: _RecurrentLayer, vocab_size: int):
        super().__init__()
        if encoder.hidden_size != decoder.hidden_size or encoder.num_layers != decoder.num_layers:
            raise ValueError("encoder and decoder must have the same hidden_size and num_layers")
        if type(encoder) is not type(decoder) or decoder.bidirectional:
            raise ValueError("encoder and decoder must be the same cell; decoder unidirectional")
        self.encoder, self.decoder = encoder, decoder
        self.embed = nn.Embedding(vocab_size, decoder.input_size)
        self.out = nn.Linear(decoder.hidden_size, vocab_size)

    def encode(self, x: Tensor, x_lengths: Tensor | None = None):
        """The decoder's initial state from the encoder's final state."""
        _, state = self.encoder(x, lengths=x_lengths)
        if not self.encoder.bidirectional:
            return state
        L, D = self.encoder.num_layers, 2

        def merge(s: Tensor) -> Tensor:  # (L*2, B, H) -> (L, B, H)
            return s.view(L, D, *s.shape[1:]).sum(1)

        return tuple(map(merge, state)) if isinstance(state, tuple) else merge(state)

    def forward(self, x: Tensor, y_in: Tensor, x_lengths: Tensor | None = None) -> Tensor:
        state = self.encode(x, x_lengths)
        a, _ = self.decoder(self.embed(y_in), state)  # (B, T_y, H)
        return self.out(a)  # (B, T_y, V)
