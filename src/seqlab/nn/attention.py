"""Additive attention (Bahdanau et al. 2014), the notes' attention model, in one module.

A query s<t-1> (a decoder's previous state, or nothing at all) looks at T_x activations a<t'>
and takes their weighted mean; a small alignment network scores each position:

    e<t,t'>     = v^T tanh(W_s s<t-1> + W_a a<t'> + b)       (energies)
    alpha<t,t'> = exp(e<t,t'>) / Σ_t'' exp(e<t,t''>)         (softmax over the real t'' only)
    c<t>        = Σ_t' alpha<t,t'> a<t'>                      (the context)

Padded positions get exactly zero weight. One module serves every user:

- an attention decoder (``seqlab.seq2seq``): one query per decoding step. The keys
  W_a a<t'> + b do not depend on t, so :meth:`AdditiveAttention.keys` computes them once per
  source and every step passes them back (``keys=``); a batched beam search calls it with
  N = K * B rows, each sentence's keys repeated K times.
- attention pooling (the classifier's ``pool="attention"``): ``query_size=0``, no W_s s<t-1>
  term, e<t'> = v^T tanh(W_a a<t'> + b); one context vector per sequence.
- an image captioner: a CNN feature map flattened to (B, L, D), L grid positions, is read as
  the T_x = L activations a<t'>.

Shapes: a (B, T_x, D) with D = ``input_size``; s<t-1> (B, H_s) with H_s = ``query_size``, or
(B, T_y, H_s) for T_y queries at once; A = ``attention_size``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.nn.masks import lengths_to_mask

__all__ = ["AdditiveAttention"]


class AdditiveAttention(nn.Module):
    """Additive attention of the notes: energies, softmax over real positions, context.

    Parameters carry the notes' names: ``W_s`` (A, H_s) without bias (absent when
    ``query_size=0``), ``W_a`` (A, D) with the bias ``b`` as ``W_a.bias`` (A,), and ``v`` (1, A)
    as ``v.weight``. They are created in that order (W_s, W_a, v), which fixes their random
    initialisation for a given seed.

    Args:
        input_size: D, the size of each a<t'>.
        attention_size: A, the alignment network's hidden size.
        query_size: H_s, the size of the query s<t-1>; 0 for attention pooling (no query).

    Raises:
        ValueError: if a size is not a positive int (query_size may be 0).
    """

    def __init__(self, input_size: int, attention_size: int, query_size: int = 0) -> None:
        super().__init__()
        for name, size, minimum in (("input_size", input_size, 1),
                                    ("attention_size", attention_size, 1),
                                    ("query_size", query_size, 0)):  # fmt: skip
            if isinstance(size, bool) or not isinstance(size, int) or size < minimum:
                raise ValueError(f"{name} must be an int >= {minimum}, got {size!r}")
        self.input_size, self.attention_size = input_size, attention_size
        self.query_size = query_size
        self.W_s = nn.Linear(query_size, attention_size, bias=False) if query_size else None
        self.W_a = nn.Linear(input_size, attention_size)  # W_a and b
        self.v = nn.Linear(attention_size, 1, bias=False)

    def keys(self, a: Tensor) -> Tensor:
        """W_a a<t'> + b for every position: a (B, T_x, D) -> (B, T_x, A).

        They do not depend on the query: compute them once per source and pass them to every
        decoding step's :meth:`forward`.
        """
        self._check_a(a)
        return self.W_a(a)  # (B, T_x, A)

    def forward(
        self,
        a: Tensor,
        lengths: Tensor | None = None,
        *,
        s_prev: Tensor | None = None,
        mask: Tensor | None = None,
        keys: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Attend over a with the query s_prev (or none).

        Args:
            a: (B, T_x, D) the activations a<t'>, padded.
            lengths: (B,) real lengths, each in [1, T_x]; or give ``mask``; neither = no padding.
            s_prev: the query s<t-1>, (B, H_s) or (B, T_y, H_s); required when query_size > 0,
                refused when it is 0.
            mask: (B, T_x) bool, True on real positions, at least one per row (cheaper than
                ``lengths`` in a decoding loop: no check of its values, no host sync).
            keys: (B, T_x, A) :meth:`keys` of this ``a``, computed once; None computes them.

        Returns:
            context: (B, D), or (B, T_y, D) for a query of shape (B, T_y, H_s), and
            alpha: (B, T_x), or (B, T_y, T_x); each row sums to 1 over the real positions and is
            exactly 0 on padding.

        Raises:
            ValueError: on shapes that do not fit together or with the module's sizes, lengths
                out of [1, T_x], a query given without W_s or missing with it, or both lengths
                and mask.
        """
        self._check(a, lengths, s_prev, mask, keys)
        if lengths is not None:
            mask = lengths_to_mask(lengths.to(a.device), a.shape[1])  # (B, T_x)
        if keys is None:
            keys = self.W_a(a)  # (B, T_x, A)
        one_query = s_prev is None or s_prev.dim() == 2
        hidden = keys.unsqueeze(1)  # (B, 1, T_x, A)
        if s_prev is not None:
            s = s_prev.unsqueeze(1) if one_query else s_prev  # (B, T_y, H_s)
            hidden = hidden + self.W_s(s).unsqueeze(2)  # (B, T_y, T_x, A)
        e = self.v(hidden.tanh()).squeeze(3)  # (B, T_y, T_x)
        if mask is not None:
            e = e.masked_fill(~mask.unsqueeze(1), float("-inf"))  # (B, T_y, T_x)
        alpha = e.softmax(dim=2)  # (B, T_y, T_x)
        context = alpha.bmm(a)  # (B, T_y, D)
        if one_query:
            return context.squeeze(1), alpha.squeeze(1)  # (B, D), (B, T_x)
        return context, alpha

    def _check_a(self, a: Tensor) -> None:
        if a.dim() != 3 or a.shape[2] != self.input_size:
            raise ValueError(
                f"a must be (B, T_x, {self.input_size}) (input_size={self.input_size}), "
                f"got shape {tuple(a.shape)}"
            )

    def _check(
        self,
        a: Tensor,
        lengths: Tensor | None,
        s_prev: Tensor | None,
        mask: Tensor | None,
        keys: Tensor | None,
    ) -> None:
        """Shapes (and lengths' values) only: nothing here reads a tensor's values but lengths."""
        self._check_a(a)
        B, T_x, _ = a.shape
        if s_prev is None and self.W_s is not None:
            raise ValueError(
                f"this attention needs the query s_prev (query_size={self.query_size})"
            )
        if s_prev is not None:
            if self.W_s is None:
                raise ValueError("this attention has no query (query_size=0): drop s_prev")
            if s_prev.dim() not in (2, 3) or s_prev.shape[0] != B:
                raise ValueError(
                    f"s_prev must be (B, H_s) or (B, T_y, H_s) with B = {B}, "
                    f"got shape {tuple(s_prev.shape)}"
                )
            if s_prev.shape[-1] != self.query_size:
                raise ValueError(
                    f"s_prev has size {s_prev.shape[-1]}, query_size is {self.query_size}"
                )
        if lengths is not None and mask is not None:
            raise ValueError("give lengths or mask, not both")
        if lengths is not None:
            if tuple(lengths.shape) != (B,):
                raise ValueError(f"lengths must be ({B},), got shape {tuple(lengths.shape)}")
            if bool(((lengths < 1) | (lengths > T_x)).any()):
                raise ValueError(f"lengths must lie in [1, {T_x}], got {lengths.tolist()}")
        if mask is not None and (tuple(mask.shape) != (B, T_x) or mask.dtype != torch.bool):
            raise ValueError(
                f"mask must be a ({B}, {T_x}) bool tensor, got {mask.dtype} {tuple(mask.shape)}"
            )
        if keys is not None and tuple(keys.shape) != (B, T_x, self.attention_size):
            raise ValueError(
                f"keys must be ({B}, {T_x}, {self.attention_size}) as keys(a) gives, "
                f"got shape {tuple(keys.shape)}"
            )

    def extra_repr(self) -> str:
        return (
            f"input_size={self.input_size}, attention_size={self.attention_size}, "
            f"query_size={self.query_size}"
        )
