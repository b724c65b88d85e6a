"""Decoding: greedy search, batched beam search, and the probability of a given translation.

The notes' beam search keeps B hypotheses (here ``beam_size`` = K, to leave B for the batch),
adds log-probabilities instead of multiplying probabilities, and ranks finished translations
by the length-normalised score

    score(y) = (1 / T_y^α) Σ_t log P(y<t> | x, y<1..t-1>)

where T_y counts the output tokens including the final ``<eos>``; α = 0 is no normalisation,
α = 1 the average, and α ≈ 0.7 works best in practice.

The model is anything with the decoder interface of :class:`Seq2Seq`: ``encode(src, lengths)
-> (memory, state)``, ``step(y_prev, state, memory) -> (log P, state, alpha)``, a memory with
``select(rows)``, ``tgt_vocab`` and ``tgt_tokenizer``; a model whose sources are not sentences
(``seqlab.vision.Captioner``: images) adds ``source_rows`` and ``collate_sources``.

:func:`beam_search` advances every hypothesis of a whole batch of sentences together: one
decoder step for all B * K rows, one top-k over K * V candidates per sentence. A hypothesis
that ends in ``<eos>`` is set aside as finished (only when its ``<eos>`` is among the K best
candidates, so that ``beam_size=1`` is exactly greedy search); the K best unfinished ones go on.
A sentence is done when K hypotheses have finished and the best running one, normalised at its
current length, scores no better than the worst of them (exact for α = 0, where a longer
hypothesis can only lose probability; the usual heuristic for α > 0), or at its length limit;
done sentences leave the batch.

Greedy search, beam search and forced scoring share the decoder-step plumbing and the
length-normalised score, so they stay in one module (~470 lines).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import Tensor

from seqlab.seq2seq.model import Seq2Seq, State
from seqlab.text import pad_sequences

__all__ = [
    "Hypothesis",
    "beam_search",
    "check_alpha",
    "encode_sources",
    "greedy_decode",
    "length_limit",
    "normalized_score",
    "target_logprobs",
]

Sources = Sequence[str] | Sequence[Sequence[int]]


@dataclass
class Hypothesis:
    """One translation of one source sentence.

    ``ids`` are the target ids without ``<bos>`` and without ``<eos>``; ``logprob`` is
    Σ log P over the tokens and the ``<eos>`` (when ``finished``); ``score`` is ``logprob``
    normalised as the search ranked it; ``attention`` is (T_y, T_x): one row per output token
    (the ``<eos>`` included) over the real source tokens, or None for a model without attention.
    """

    ids: list[int]
    tokens: list[str]
    text: str
    logprob: float
    score: float
    finished: bool = True
    attention: Tensor | None = field(default=None, repr=False)

    @property
    def length(self) -> int:
        """T_y as the normalisation counts it: the tokens, plus ``<eos>`` when finished."""
        return len(self.ids) + int(self.finished)

    @property
    def output_tokens(self) -> list[str]:
        """The tokens the attention rows belong to: ``tokens``, plus ``<eos>`` when finished."""
        return [*self.tokens, *(["<eos>"] if self.finished else [])]


class _Candidate(NamedTuple):
    """A hypothesis inside :func:`beam_search`, before it is decoded into a :class:`Hypothesis`
    (only the few kept per sentence are: tokens and text cost a vocabulary lookup).

    Attributes:
        score: ``logprob`` normalised by T_y^alpha, what the search ranks by.
        logprob: Σ log P over its tokens, and the ``<eos>`` when finished.
        ids: its target ids, without ``<bos>`` and ``<eos>``.
        attention: (T_y, T_x) float on the CPU, or None for a model without attention.
        finished: whether it ended with ``<eos>``.
    """

    score: float
    logprob: float
    ids: list[int]
    attention: Tensor | None
    finished: bool


def normalized_score(logprob: float, length: int, alpha: float) -> float:
    """The notes' length normalisation: logprob / length^alpha."""
    return logprob / (max(length, 1) ** alpha)


def check_alpha(alpha: float, *, stacklevel: int = 3) -> float:
    """Return alpha; warn when it lies outside [0, 1] (allowed, but not what the notes mean).

    ``stacklevel`` points the warning at the caller of the function that checks (3 for a plain
    function, 4 for one wrapped in ``@torch.no_grad()``).
    """
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or not math.isfinite(alpha):
        raise ValueError(f"alpha must be a finite number, got {alpha!r}")
    if not 0.0 <= alpha <= 1.0:
        warnings.warn(f"alpha={alpha} is outside [0, 1]: the notes' length normalisation "
                      "uses 0 <= alpha <= 1 (0.7 is typical)", stacklevel=stacklevel)  # fmt: skip
    return float(alpha)


def length_limit(src_len: int, max_len: int | None) -> int:
    """The most output tokens (``<eos>`` included) for a source of ``src_len`` tokens."""
    return max_len if max_len is not None else 2 * src_len + 10


def encode_sources(
    model: Seq2Seq, sources: Sources, *, on_long: str = "error"
) -> tuple[list[list[int]], int]:
    """Source ids for texts (or ids passed through), and how many tokens were unknown.

    Raises:
        ValueError: on an empty list, an empty sentence (naming its index), or a sentence longer
            than the model's ``max_src_len`` with ``on_long="error"``.
    """
    if isinstance(sources, str):
        raise ValueError("sources must be a list of sentences, got a single str")
    if len(sources) == 0:
        raise ValueError("no source sentences")
    ids, n_unk = [], 0
    for i, s in enumerate(sources):
        try:
            if isinstance(s, str):
                row, unk = model.source_ids(s, on_long=on_long)
            else:
                row, unk = [int(t) for t in s], 0
                if not row:
                    raise ValueError("empty source sentence")
                if len(row) > model.config.max_src_len:
                    if on_long == "error":
                        raise ValueError(f"{len(row)} tokens > max_src_len")
                    row = row[: model.config.max_src_len]
        except ValueError as error:
            raise ValueError(f"source {i + 1}: {error}") from None
        ids.append(row)
        n_unk += unk
    return ids, n_unk


def _batches(ids: list[list[int]], batch_size: int):
    """Groups of source indices of similar length (longest first), so little is padded."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def _device(model: Seq2Seq) -> torch.device:
    return next(model.parameters()).device


def _source_rows(model: Seq2Seq, sources: Sources, on_long: str) -> list:
    """One row per source, ``len(row)`` = its T_x: token ids, or the model's own rows.

    A decoder whose sources are not text (an image captioner) defines ``source_rows(sources)``
    and ``collate_sources(rows) -> (src, lengths)``; the search is the same for both.
    """
    own = getattr(model, "source_rows", None)
    if own is not None:
        return own(sources)
    return encode_sources(model, sources, on_long=on_long)[0]


def _pad(model: Seq2Seq, rows: list) -> tuple[Tensor, Tensor]:
    own = getattr(model, "collate_sources", None)
    if own is not None:
        return own(rows)
    src, lengths = pad_sequences(rows, pad_id=model.src_vocab.pad_id)
    return src.to(_device(model)), lengths.to(_device(model))


def _hypothesis(
    model: Seq2Seq, ids: list[int], logprob: float, alpha: float, finished: bool,
    attention: Tensor | None,
) -> Hypothesis:  # fmt: skip
    tokens = model.tgt_vocab.decode(ids)
    length = len(ids) + int(finished)
    return Hypothesis(ids=ids, tokens=tokens, text=model.tgt_tokenizer.detokenize(tokens),
                      logprob=logprob, score=normalized_score(logprob, length, alpha),
                      finished=finished, attention=attention)  # fmt: skip


def _select_state(state: State, rows: Tensor) -> State:
    return tuple(s.index_select(1, rows) for s in state)


@torch.no_grad()
def greedy_decode(
    model: Seq2Seq,
    sources: Sources,
    *,
    alpha: float = 0.7,
    max_len: int | None = None,
    batch_size: int = 64,
    on_long: str = "error",
) -> list[Hypothesis]:
    """Pick the most probable token at every step until ``<eos>`` or the length limit.

    Args:
        model: a trained model (put in eval mode here).
        sources: sentences (str), or lists of source ids (or what the model's
            ``source_rows`` takes, e.g. images for a captioner).
        alpha: only for the reported ``score`` (greedy search does not rank).
        max_len: most output tokens, ``<eos>`` included; None = 2 * T_x + 10 per sentence.
        batch_size: sentences decoded together.
        on_long: ``"error"`` | ``"truncate"`` for sources over the model's ``max_src_len``.

    Returns:
        One :class:`Hypothesis` per source, in order.
    """
    model.eval()
    alpha = check_alpha(alpha, stacklevel=4)
    ids = _source_rows(model, sources, on_long)
    _check_max_len(max_len)
    bos, eos = model.tgt_vocab.bos_id, model.tgt_vocab.eos_id
    out: list[Hypothesis | None] = [None] * len(ids)
    for idx in _batches(ids, batch_size):
        rows = [ids[i] for i in idx]
        src, lengths = _pad(model, rows)
        memory, state = model.encode(src, lengths)
        limits = [length_limit(len(r), max_len) for r in rows]
        N = len(rows)
        y = torch.full((N,), bos, dtype=torch.long, device=src.device)
        tokens: list[list[int]] = [[] for _ in range(N)]
        logps = [0.0] * N
        attn: list[list[Tensor]] = [[] for _ in range(N)]
        running = list(range(N))
        for t in range(1, max(limits) + 1):
            logp, state, alpha_t = model.step(y, state, memory)
            _block_specials(model, logp)
            best_lp, best = logp.max(dim=1)
            keep = []
            for j, (tok, lp) in enumerate(zip(best.tolist(), best_lp.tolist())):
                n = running[j]
                logps[n] += lp
                if alpha_t is not None:
                    attn[n].append(alpha_t[j, : len(rows[n])])
                if tok == eos:
                    out[idx[n]] = _finish(model, tokens[n], logps[n], alpha, True, attn[n])
                elif t == limits[n]:
                    tokens[n].append(tok)
                    out[idx[n]] = _finish(model, tokens[n], logps[n], alpha, False, attn[n])
                else:
                    tokens[n].append(tok)
                    keep.append(j)
            if not keep:
                break
            if len(keep) < len(running):
                sel = torch.tensor(keep, device=src.device)
                state, memory = _select_state(state, sel), memory.select(sel)
                best = best.index_select(0, sel)
                running = [running[j] for j in keep]
            y = best
    return out  # type: ignore[return-value]


def _finish(model, ids, logprob, alpha, finished, attn_rows) -> Hypothesis:
    attention = torch.stack(attn_rows).cpu() if attn_rows else None
    return _hypothesis(model, list(ids), logprob, alpha, finished, attention)


def _block_specials(model: Seq2Seq, logp: Tensor) -> None:
    """Never emit ``<pad>`` or ``<bos>`` (in place)."""
    logp[:, model.tgt_vocab.pad_id] = float("-inf")
    logp[:, model.tgt_vocab.bos_id] = float("-inf")


def _check_max_len(max_len: int | None) -> None:
    if max_len is not None and (isinstance(max_len, bool) or not isinstance(max_len, int)
                                or max_len < 1):  # fmt: skip
        raise ValueError(f"max_len must be None or an int >= 1, got {max_len!r}")


@torch.no_grad()
def beam_search(
    model: Seq2Seq,
    sources: Sources,
    beam_size: int = 5,
    alpha: float = 0.7,
    max_len: int | None = None,
    *,
    n_best: int = 1,
    batch_size: int = 64,
    on_long: str = "error",
    on_batch: Callable[[int], None] | None = None,
) -> list[list[Hypothesis]]:
    """Batched beam search with the notes' length normalisation.

    Args:
        model: a trained model (put in eval mode here).
        sources: sentences (str), or lists of source ids (or what the model's
            ``source_rows`` takes, e.g. images for a captioner).
        beam_size: K, hypotheses kept per sentence (K = 1 is greedy search).
        alpha: length normalisation exponent (score = logprob / T_y^alpha).
        max_len: most output tokens, ``<eos>`` included; None = 2 * T_x + 10 per sentence.
        n_best: hypotheses returned per sentence (<= beam_size), best first.
        batch_size: sentences searched together (each with K rows).
        on_long: ``"error"`` | ``"truncate"`` for sources over the model's ``max_src_len``.
        on_batch: called with the number of sentences of each finished batch (progress bars).

    Returns:
        Per source, in order, up to ``n_best`` hypotheses: the finished ones sorted by score
        (best first); if a sentence reaches its length limit with fewer than ``n_best`` finished
        hypotheses, the best unfinished ones follow (``finished=False``). Fewer come back only
        when fewer distinct outputs exist (a tiny vocabulary and a short limit).

    Raises:
        ValueError: if beam_size < 1, n_best outside [1, beam_size], or the sources are bad.
    """
    for name, value in (("beam_size", beam_size), ("n_best", n_best)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if n_best > beam_size:
        raise ValueError(f"n_best={n_best} cannot exceed beam_size={beam_size}")
    _check_max_len(max_len)
    alpha = check_alpha(alpha, stacklevel=4)
    model.eval()
    ids = _source_rows(model, sources, on_long)
    out: list[list[Hypothesis]] = [[] for _ in ids]
    for idx in _batches(ids, batch_size):
        rows = [ids[i] for i in idx]
        found = _beam_batch(model, rows, beam_size, alpha, max_len, n_best)
        for i, hyps in zip(idx, found):
            out[i] = hyps
        if on_batch is not None:
            on_batch(len(idx))
    return out


def _beam_batch(
    model: Seq2Seq, rows: list[list[int]], K: int, alpha: float, max_len: int | None, n_best: int
) -> list[list[Hypothesis]]:
    """Beam search over one batch of sentences; see :func:`beam_search`."""
    src, lengths = _pad(model, rows)
    dev = src.device
    B, V = len(rows), len(model.tgt_vocab)
    bos, eos = model.tgt_vocab.bos_id, model.tgt_vocab.eos_id
    memory, state = model.encode(src, lengths)
    expand = torch.arange(B, device=dev).repeat_interleave(K)  # (B*K,) row -> its sentence
    memory, state = memory.select(expand), _select_state(state, expand)
    limits = [length_limit(len(r), max_len) for r in rows]
    # Beam k of sentence b is row b*K + k. Only beam 0 is alive at the start (all are <bos>).
    scores = torch.full((B, K), float("-inf"), device=dev)
    scores[:, 0] = 0.0
    y = torch.full((B * K,), bos, dtype=torch.long, device=dev)
    history = torch.empty((B * K, 0), dtype=torch.long, device=dev)  # (B*K, t)
    attn_hist: Tensor | None = None  # (B*K, t, T_x)
    finished: list[list[_Candidate]] = [[] for _ in rows]  # per sentence, best K kept
    active = list(range(B))  # sentence of each remaining batch position
    n_cand = min(2 * K, K * V)
    for t in range(1, max(limits) + 1):
        logp, state, alpha_t = model.step(y, state, memory)  # (n*K, V)
        _block_specials(model, logp)
        n = len(active)
        cand = (scores.view(n * K, 1) + logp).view(n, K * V)  # (n, K*V)
        top_scores, top_idx = cand.topk(n_cand, dim=1)  # (n, 2K)
        beam, tok = top_idx // V, top_idx % V  # (n, 2K)
        src_rows = beam + torch.arange(n, device=dev).unsqueeze(1) * K  # (n, 2K) rows in n*K
        if alpha_t is not None:
            step_attn = alpha_t.unsqueeze(1)  # (n*K, 1, T_x)
            attn_hist = step_attn if attn_hist is None else torch.cat([attn_hist, step_attn], 1)
        # Finished hypotheses: <eos> among the K best candidates of a sentence.
        is_eos = tok == eos
        eos_hits = (is_eos[:, :K] & torch.isfinite(top_scores[:, :K])).nonzero().tolist()
        if eos_hits:
            ts, rs = top_scores.tolist(), src_rows.tolist()
            for j, c in eos_hits:
                b, r = active[j], rs[j][c]
                a = None if attn_hist is None else attn_hist[r, :, : len(rows[b])].cpu()
                norm = normalized_score(ts[j][c], t, alpha)
                ids, logprob = history[r].tolist(), ts[j][c]
                finished[b].append(_Candidate(norm, logprob, ids, attention=a, finished=True))
        # The K best candidates that do not end the sentence go on.
        go_scores, pick = top_scores.masked_fill(is_eos, float("-inf")).topk(K, dim=1)  # (n, K)
        go_rows = src_rows.gather(1, pick).view(-1)  # (n*K,)
        go_tok = tok.gather(1, pick).view(-1)  # (n*K,)
        history = torch.cat([history.index_select(0, go_rows), go_tok.unsqueeze(1)], dim=1)
        if attn_hist is not None:
            attn_hist = attn_hist.index_select(0, go_rows)
        state = _select_state(state, go_rows)
        scores, y = go_scores, go_tok
        # Which sentences are done?
        best_running = (scores[:, 0] / (t**alpha)).tolist()  # the best beam is first (topk)
        keep = []
        for j, b in enumerate(active):
            fin = sorted(finished[b], key=lambda h: -h.score)[:K]
            finished[b] = fin
            beaten = len(fin) >= K and fin[-1].score >= best_running[j]
            if beaten or t >= limits[b] or not math.isfinite(best_running[j]):
                if len(fin) < n_best:  # fill up with the best unfinished hypotheses
                    src_len = len(rows[b])
                    more = _unfinished(history, attn_hist, scores, j, K, t, alpha, src_len)
                    fin.extend(sorted(more, key=lambda h: -h.score)[: n_best - len(fin)])
                finished[b] = fin
            else:
                keep.append(j)
        if not keep:
            break
        if len(keep) < n:
            sel_s = torch.tensor(keep, device=dev)
            sel_r = (sel_s.unsqueeze(1) * K + torch.arange(K, device=dev)).view(-1)
            scores, y = scores.index_select(0, sel_s), y.index_select(0, sel_r)
            history = history.index_select(0, sel_r)
            attn_hist = None if attn_hist is None else attn_hist.index_select(0, sel_r)
            state, memory = _select_state(state, sel_r), memory.select(sel_r)
            active = [active[j] for j in keep]
    results = []
    for b in range(B):
        # Finished hypotheses first (best score first), then any unfinished fill-up.
        fin = sorted(finished[b], key=lambda h: (not h.finished, -h.score))[:n_best]
        results.append([_hypothesis(model, h.ids, h.logprob, alpha, h.finished, h.attention)
                        for h in fin])  # fmt: skip
    return results


def _unfinished(history, attn_hist, scores, j, K, t, alpha, src_len) -> list[_Candidate]:
    """The running beams of batch position j as unfinished hypotheses."""
    out = []
    for k in range(K):
        lp = float(scores[j, k])
        if not math.isfinite(lp):
            continue
        r = j * K + k
        a = None if attn_hist is None else attn_hist[r, :, :src_len].cpu()
        norm, ids = normalized_score(lp, t, alpha), history[r].tolist()
        out.append(_Candidate(norm, lp, ids, attention=a, finished=False))
    return out


@torch.no_grad()
def target_logprobs(
    model: Seq2Seq,
    sources: Sources,
    targets: Sequence[str] | Sequence[Sequence[int]],
    *,
    batch_size: int = 64,
    on_long: str = "error",
) -> list[tuple[float, int]]:
    """log P(y | x) of given translations (``<eos>`` included) by teacher forcing.

    Returns:
        Per pair, (Σ_t log P(y<t> | x, y<1..t-1>), T_y with the ``<eos>``).

    Raises:
        ValueError: if the lists differ in length, or a source is empty. An empty target is
            fine: its probability is P(<eos> | x).
    """
    if len(sources) != len(targets):
        raise ValueError(f"{len(sources)} sources but {len(targets)} targets")
    model.eval()
    src_ids, _ = encode_sources(model, sources, on_long=on_long)
    tgt_ids = [model.target_ids(t) if isinstance(t, str) else [int(v) for v in t]
               for t in targets]  # fmt: skip
    bos, eos, pad = model.tgt_vocab.bos_id, model.tgt_vocab.eos_id, model.tgt_vocab.pad_id
    out: list[tuple[float, int] | None] = [None] * len(src_ids)
    for idx in _batches(src_ids, batch_size):
        src, lengths = _pad(model, [src_ids[i] for i in idx])
        tgt_in, _ = pad_sequences([[bos, *tgt_ids[i]] for i in idx], pad_id=pad)
        tgt_out, _ = pad_sequences([[*tgt_ids[i], eos] for i in idx], pad_id=pad)
        tgt_in, tgt_out = tgt_in.to(src.device), tgt_out.to(src.device)
        logits, _ = model(src, lengths, tgt_in)
        logp = torch.log_softmax(logits.to(torch.promote_types(logits.dtype, torch.float32)), -1)
        picked = logp.gather(2, tgt_out.unsqueeze(2)).squeeze(2)  # (B, T_y)
        real = tgt_out != pad
        sums = (picked * real).sum(1).tolist()
        counts = real.sum(1).tolist()
        for j, i in enumerate(idx):
            out[i] = (sums[j], counts[j])
    return out  # type: ignore[return-value]
