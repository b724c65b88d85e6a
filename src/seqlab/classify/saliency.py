"""Which tokens drove a classifier's decision: gradient x input on the embeddings.

For the predicted class c (or a chosen one) with logit z_c, the saliency of position t is

    s<t> = Σ_k (∂z_c / ∂e<t>_k) e<t>_k

the first-order Taylor share of e<t> in z_c (Shrikumar et al. 2016; Simonyan et al. 2014 for
the gradient alone). Positive: the token pushed towards c; negative: away from it. For the
averaging model z_c is linear in the embeddings, so Σ_t s<t> = z_c - b_c exactly; for an RNN it
is a local, first-order account. On DNA with a character-level model, the positions of large
saliency show the motif the model learned (e.g. the GT of a donor site, the AG of an acceptor).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from seqlab.classify.classifier import SentenceClassifier

__all__ = ["Saliency", "explain"]


@dataclass(frozen=True)
class Saliency:
    """One text's decision and the saliency of each of its tokens."""

    text: str
    tokens: list[str]  # as the model reads them (DNA upper-cased)
    label: str  # the class explained: the predicted one unless another was asked for
    prob: float  # the model's probability of that class
    saliency: list[float]  # one value per token: gradient x input of the class's logit


def explain(model: SentenceClassifier, text: str, *, label: str | None = None) -> Saliency:
    """Gradient x input saliency of every token of ``text`` for one class.

    Args:
        model: a trained classifier (dropout is switched off while explaining).
        text: one sentence or sequence.
        label: the class to explain; None = the predicted one.

    Returns:
        A :class:`Saliency` with ``len(tokens) == len(saliency)``.

    Raises:
        ValueError: on an empty text, a DNA letter outside IUPAC (its position), or a label the
            model does not know.
    """
    if label is not None and label not in model.labels:
        raise ValueError(f"unknown label {label!r}; the model's labels: {model.labels}")
    tokens = model.tokenize(text)
    ids, _ = model.encode(text)
    device = model.embed.weight.device
    was_training = model.training
    model.eval()
    with torch.enable_grad():
        e = model.embed(torch.tensor([ids], device=device)).detach()  # (1, T, E)
        e.requires_grad_(True)
        logits = model.classify_embedded(e, torch.tensor([len(ids)]))  # (1, C)
        probs = torch.softmax(logits.detach().float(), dim=1)[0]  # (C,)
        c = int(probs.argmax()) if label is None else model.labels.index(label)
        (grad,) = torch.autograd.grad(logits[0, c], e)  # (1, T, E)
    model.train(was_training)
    s = (grad * e.detach()).sum(-1)[0]  # (T,)
    return Saliency(text, tokens, model.labels[c], float(probs[c]), s.float().cpu().tolist())
