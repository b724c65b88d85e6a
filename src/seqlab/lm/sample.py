"""Sampling novel sequences: the notes' loop, ŷ<t> sampled and fed back as x<t+1>.

Start from the model's start token (and an optional prefix that primes the state), draw
y<t> ~ softmax(logits<t> / temperature) (optionally from the top k only), feed it back, and stop
at ``<eos>`` or ``max_len`` tokens. ``n`` samples advance together as one batch. A temperature
below 1 sharpens the distribution; as it goes to 0 sampling becomes greedy (argmax) decoding.
A word model may draw ``<unk>`` (a word outside the vocabulary); a character model never does.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from seqlab.lm.data import encode_text

if TYPE_CHECKING:
    from seqlab.lm.model import LanguageModel

__all__ = ["sample"]


def _check(n: int, temperature: float, top_k: int | None, max_len: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    if not isinstance(temperature, (int, float)) or not (
        temperature > 0 and math.isfinite(temperature)
    ):
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be an int >= 1 or None, got {top_k!r}")
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len must be an int >= 1, got {max_len!r}")


def _prefix_ids(model: LanguageModel, prefix: str) -> list[int]:
    """The prefix's ids; unknown tokens are an error that names them."""
    if not prefix:
        return []
    tokens, ids = encode_text(prefix, model.tokenizer, model.vocab)
    unknown = sorted({t for t, i in zip(tokens, ids) if i == model.vocab.unk_id})
    if unknown:
        what = "characters" if model.config.level == "char" else "words"
        raise ValueError(
            f"prefix has {what} outside the model's vocabulary: "
            + ", ".join(repr(t) for t in unknown)
        )
    return ids


@torch.no_grad()
def sample(
    model: LanguageModel,
    n: int = 1,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    max_len: int = 200,
    prefix: str = "",
    seed: int | None = None,
    greedy: bool = False,
    stop_at_eos: bool | None = None,
) -> list[str]:
    """Draw ``n`` texts from the model.

    Args:
        model: the language model (put in eval mode here).
        n: how many samples.
        temperature: > 0; logits are divided by it before the softmax.
        top_k: sample only among the k most likely tokens; None = all.
        max_len: at most this many tokens after the prefix.
        prefix: text that primes the state; it starts every returned text.
        seed: seeds the draws (same seed, same samples); None = fresh randomness.
        greedy: take the most likely token each step (no randomness; all n are equal).
        stop_at_eos: stop a sample at ``<eos>``; None = yes for sentence models, no for stream
            models (where ``<eos>`` is a line break and the text goes on).

    Returns:
        ``n`` texts (prefix included; line breaks for ``<eos>`` that did not stop a sample).

    Raises:
        ValueError: on a bad argument, or a prefix with tokens outside the vocabulary.
    """
    _check(n, temperature, top_k, max_len)
    model.eval()
    device = model.out.weight.device
    stop = model.config.mode == "lines" if stop_at_eos is None else stop_at_eos
    prefix_ids = _prefix_ids(model, prefix)
    generator = torch.Generator(device=device)
    generator.manual_seed(seed if seed is not None else int(torch.randint(2**62, (1,))))
    # Prime the state with start token + prefix; the last logits predict the first new token.
    x = torch.tensor([[model.start_id, *prefix_ids]], device=device).expand(n, -1)  # (n, P+1)
    logits, state = model(x)  # (n, P+1, V)
    logits = logits[:, -1]  # (n, V)
    # Never drawn: padding and <bos>; for a character model also <unk> (it is not a character).
    banned = [model.vocab.pad_id, model.vocab.bos_id]
    if model.config.level == "char":
        banned.append(model.vocab.unk_id)
    banned = torch.tensor(banned, device=device)
    out = torch.empty(n, 0, dtype=torch.long, device=device)
    done = torch.zeros(n, dtype=torch.bool, device=device)
    for _ in range(max_len):
        y = _draw(logits, banned, temperature, top_k, greedy, generator)  # (n,)
        y = torch.where(done, model.vocab.pad_id, y)  # finished rows emit padding
        out = torch.cat([out, y[:, None]], dim=1)  # (n, t)
        if stop:
            done |= y == model.vocab.eos_id
            if bool(done.all()):
                break
        logits, state = model(y[:, None], state)  # (n, 1, V)
        logits = logits[:, 0]  # (n, V)
    return [_text(model, prefix_ids, row, stop) for row in out.tolist()]


def _draw(
    logits: Tensor,
    banned: Tensor,
    temperature: float,
    top_k: int | None,
    greedy: bool,
    generator: torch.Generator,
) -> Tensor:
    """logits: (n, V) -> next ids (n,)."""
    logits = logits.double().index_fill(1, banned, -math.inf)  # (n, V)
    if greedy:
        return logits.argmax(dim=1)  # (n,)
    logits = logits / temperature
    if top_k is not None and top_k < logits.shape[1]:
        kth = logits.topk(top_k, dim=1).values[:, -1:]  # (n, 1)
        logits = logits.masked_fill(logits < kth, -math.inf)
    probs = torch.softmax(logits, dim=1)  # (n, V); one-hot at the argmax as temperature -> 0
    return torch.multinomial(probs, 1, generator=generator).squeeze(1)  # (n,)


def _text(model: LanguageModel, prefix_ids: list[int], new_ids: list[int], stop: bool) -> str:
    """Ids -> text: the sample is cut at its first <eos> when stopping; any other <eos> is a
    line break."""
    vocab = model.vocab
    new_ids = [i for i in new_ids if i != vocab.pad_id]
    if stop and vocab.eos_id in new_ids:
        new_ids = new_ids[: new_ids.index(vocab.eos_id)]
    ids = prefix_ids + new_ids
    lines, current = [], []
    for i in ids:
        if i == vocab.eos_id:
            lines.append(current)
            current = []
        else:
            current.append(vocab.id_to_token(i))
    lines.append(current)
    return "\n".join(model.tokenizer.detokenize(tokens) for tokens in lines)
