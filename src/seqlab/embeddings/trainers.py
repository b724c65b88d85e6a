"""One way to make any of the four embedding trainers from gensim-named options.

``seqlab embed train --method skipgram|cbow|glove|nplm`` speaks word2vec's option names
(``dim window negative hs sample epochs threads seed``) and the command line's ``lr`` /
``min_lr`` for the learning rate (word2vec's ``alpha`` / ``min_alpha``, also accepted); this
module maps them onto each trainer's config, so a flag that means nothing to a method is an
error instead of being ignored.

    trainer = make_trainer("glove", dim=50, epochs=10, lr=0.05)   # lr -> learning_rate
    trainer.train(corpus); trainer.vectors
"""

from __future__ import annotations

from typing import Any

__all__ = ["METHODS", "make_trainer", "method_options"]

METHODS = ("skipgram", "cbow", "glove", "nplm")

# gensim/word2vec option -> the field of each method's config (None: the method has no such thing)
_FIELDS: dict[str, dict[str, str | None]] = {
    "dim": {"skipgram": "dim", "cbow": "dim", "glove": "dim", "nplm": "dim"},
    "epochs": {"skipgram": "epochs", "cbow": "epochs", "glove": "epochs", "nplm": "epochs"},
    "threads": {"skipgram": "threads", "cbow": "threads", "glove": "threads", "nplm": "threads"},
    "seed": {"skipgram": "seed", "cbow": "seed", "glove": "seed", "nplm": "seed"},
    "lr": {
        "skipgram": "alpha",
        "cbow": "alpha",
        "glove": "learning_rate",
        "nplm": "learning_rate",
    },
    "min_lr": {"skipgram": "min_alpha", "cbow": "min_alpha"},
    "window": {"skipgram": "window", "cbow": "window", "glove": "window", "nplm": "context"},
    "negative": {"skipgram": "negative", "cbow": "negative"},
    "hs": {"skipgram": "hs", "cbow": "hs"},
    "sample": {"skipgram": "sample", "cbow": "sample"},
    "x_max": {"glove": "x_max"},
    "hidden_size": {"nplm": "hidden_size"},
    "batch_size": {"nplm": "batch_size"},
}
_ALIASES = {"alpha": "lr", "min_alpha": "min_lr"}  # word2vec's names of the learning rate


def method_options(method: str) -> list[str]:
    """The options ``method`` accepts."""
    _check_method(method)
    return [name for name, fields in _FIELDS.items() if fields.get(method)]


def make_trainer(method: str, **options: Any) -> Any:
    """A fresh trainer for ``method`` with the given options (None values are left at defaults).

    Raises:
        ValueError: an unknown method, an option the method does not have (named, with the
            ones it has), or a bad value (the config's own message).
    """
    _check_method(method)
    fields: dict[str, Any] = {}
    for name, value in options.items():
        name = _ALIASES.get(name, name)
        if value is None:
            continue
        if name not in _FIELDS:
            raise ValueError(f"unknown option {name!r}")
        field = _FIELDS[name].get(method)
        if field is None:
            allowed = ", ".join(method_options(method))
            raise ValueError(f"{name} does not apply to {method} (its options: {allowed})")
        fields[field] = value
    if method in ("skipgram", "cbow"):
        from seqlab.embeddings.word2vec import Word2Vec, Word2VecConfig

        return Word2Vec(Word2VecConfig(sg=method == "skipgram", **fields))
    if method == "glove":
        from seqlab.embeddings.glove import GloVe, GloVeConfig

        return GloVe(GloVeConfig(**fields))
    from seqlab.embeddings.nplm import NeuralLM, NPLMConfig

    return NeuralLM(NPLMConfig(**fields))


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")
