"""The verbs of the text tasks: language models, translation (dates), sentence classifiers,
taggers and word vectors. Each returns ``{"results": [the CLI's --json objects], ...extras}``."""

from __future__ import annotations

from typing import Any

from seqlab.serve.figures import draw
from seqlab.serve.options import Options
from seqlab.serve.served import Served, Verb

__all__ = ["TEXT_TASKS"]

SEED_MAX = 2**63 - 1


# --- language model: seqlab lm sample | score -------------------------------------------------


def prepare_lm(served: Served) -> None:
    from seqlab.lm import training_membership

    lines_mode = served.model.config.mode == "lines"
    served.state["seen"] = training_membership(served.path, lines=lines_mode)
    served.info.update(mode=served.model.config.mode, max_len=100 if lines_mode else 500)


def lm_sample(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    lim = o.limits
    texts = served.model.sample(
        o.integer("n", 10, 1, lim.max_n),
        temperature=o.number("temperature", 1.0, 0.0, 100.0, above=True),
        top_k=o.integer("top_k", None, 1, 10**9),
        max_len=o.integer(
            "max_len", min(served.info["max_len"], lim.max_length), 1, lim.max_length
        ),
        prefix=o.string("prefix", ""),
        seed=o.integer("seed", None, 0, SEED_MAX),
        greedy=o.flag("greedy"),
    )
    seen = served.state["seen"]
    return {"results": [{"text": t, "in_training_set": seen(t)} for t in texts]}


def lm_score(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    from seqlab.lm import score_sentences

    results = []
    for r in score_sentences(served.model, o.lines("text")):
        obj = r.to_json()  # as `seqlab lm score --tokens --json`
        obj["tokens"], obj["token_logprobs"] = r.tokens, r.token_logprobs
        results.append(obj)
    return {"results": results}


# --- translation and dates: seqlab translate run | attention ----------------------------------


def prepare_seq2seq(served: Served) -> None:
    served.info.update(attention=bool(served.model.config.attention))


def seq2seq_run(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    from seqlab.seq2seq import attention_figure, beam_search

    model, lim = served.model, o.limits
    sources = o.lines("text")
    beam = o.integer("beam", 5, 1, lim.max_beam)
    n = o.integer("n", 1, 1, beam)
    alpha = o.number("alpha", 0.7, 0.0, 10.0)
    max_len = o.integer("max_len", None, 1, lim.max_length)
    plot = o.flag("plot")  # the heat maps as PNG too (the page asks; the numbers always come)
    n_unk = [model.source_ids(s)[1] for s in sources]  # ValueError (400) on a long sentence
    found = beam_search(model, sources, beam_size=beam, alpha=alpha, max_len=max_len, n_best=n)
    results, attention, figures = [], [], []
    for src, hyps, unk in zip(sources, found, n_unk):
        best = hyps[0]
        obj = {
            "src": src,
            "hyp": best.text,
            "score": best.score,
            "logprob": best.logprob,
            "finished": best.finished,
            "n_unk": unk,
        }  # = translate run --json
        if n > 1:
            obj["n_best"] = [{"hyp": h.text, "score": h.score, "logprob": h.logprob}
                             for h in hyps]  # fmt: skip
        results.append(obj)
        if best.attention is None:
            continue
        src_tokens = model.src_tokenizer.tokenize(src)[: model.config.max_src_len]
        out_tokens = best.output_tokens
        attention.append({"src_tokens": src_tokens, "out_tokens": out_tokens,
                          "weights": best.attention.tolist()})  # fmt: skip
        if plot:
            figures.append(draw(lambda w=best.attention, s=src_tokens, t=out_tokens, h=best.text:
                                attention_figure(w, s, t, title=h)))  # fmt: skip
    answer: dict[str, Any] = {"results": results}
    if attention:
        answer["attention"] = attention
    if figures:
        answer["figures"] = figures
    return answer


# --- sentence classifier: seqlab classify predict (+ saliency) --------------------------------


def prepare_classify(served: Served) -> None:
    from seqlab.classify import class_names

    labels = [str(label) for label in served.model.labels]
    served.state["names"] = class_names(served.path, labels)
    served.info.update(labels=labels, names=served.state["names"])


def classify_predict(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    from seqlab.classify import explain

    model, names = served.model, served.state["names"]
    lines = o.lines("text")
    predictions = model.predict(lines)
    results = []
    for p in predictions:
        name = {"name": names[p.label]} if p.label in names else {}
        results.append(
            {"text": p.text, "label": p.label, **name, "prob": p.prob, "n_unk": p.n_unk}
        )  # = classify predict --json
    saliency = []
    for line in lines:
        s = explain(model, line)
        saliency.append({"tokens": s.tokens, "saliency": s.saliency, "label": s.label})
    return {
        "results": results,
        "probabilities": [{str(k): float(v) for k, v in p.probs.items()} for p in predictions],
        "saliency": saliency,
    }


# --- tagger: seqlab tag predict ---------------------------------------------------------------


def prepare_tag(served: Served) -> None:
    served.info.update(types=sorted({t.split("-", 1)[1] for t in served.model.tags if "-" in t}))


def tag_predict(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    from seqlab.text.limits import MAX_TOKENS, limit_tokens

    sentences = [limit_tokens(str.split, line, MAX_TOKENS, on_long="error", what="the line")
                 for line in o.lines("text")]  # fmt: skip
    return {"results": [p.to_json() for p in served.model.predict(sentences)]}


# --- word vectors: seqlab embed similar | analogy, and the debiasing projection ---------------


def prepare_vectors(served: Served) -> None:
    from seqlab.embeddings import bias_direction, load_word_list

    wv = served.model
    pairs = [(a, b) for a, b in load_word_list("definitional_pairs") if a in wv and b in wv]
    served.info.update(words=len(wv), dim=wv.dim)
    if pairs:
        served.state["g"] = bias_direction(wv, pairs)
        served.state["gender_specific"] = set(load_word_list("gender_specific"))
        served.info.update(bias_pairs=len(pairs))


def vectors_similar(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    found = served.model.most_similar(
        positive=o.words("words"),
        negative=o.words("negative_words", required=False),
        topn=o.integer("n", 10, 1, o.limits.max_n),
    )
    return {"results": [{"results": [[w, float(s)] for w, s in found]}]}


def vectors_analogy(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    wv = served.model
    a, b, c = (o.string(k, required=True).strip() for k in ("a", "b", "c"))
    query = wv.most_similar_cosmul if o.flag("cosmul") else wv.most_similar
    found = query(positive=[b, c], negative=[a], topn=o.integer("n", 10, 1, o.limits.max_n))
    return {"results": [{"results": [[w, float(s)] for w, s in found]}]}


def vectors_bias(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    """e . g / ||e|| before and after the notes' neutralize (gender-specific words are left as
    they are, as ``embed debias`` leaves them)."""
    import numpy as np

    from seqlab.serve.options import RequestError

    if "g" not in served.state:
        raise RequestError(f"{served.name}: none of the definitional pairs (woman/man, ...) is "
                           "in these vectors: there is no gender direction")  # fmt: skip
    word = o.string("word", required=True).strip()
    if word not in served.model:
        raise RequestError(f"{word!r} is not in the vectors ({len(served.model):,} words)")
    g = served.state["g"]  # (E,) unit
    e = np.asarray(served.model[word], dtype=np.float64)  # (E,)
    norm = float(np.linalg.norm(e))
    projection = float(e @ g) / norm if norm else 0.0
    specific = word.lower() in served.state["gender_specific"]
    e_debiased = e if specific else e - (e @ g) * g  # neutralize: e - e_bias
    after = float(e_debiased @ g) / (float(np.linalg.norm(e_debiased)) or 1.0)
    return {"results": [{"word": word, "projection": projection, "debiased_projection": after,
                         "gender_specific": specific}]}  # fmt: skip


TEXT_TASKS: dict[str, tuple[Any, dict[str, Verb]]] = {
    "lm": (prepare_lm, {
        "sample": Verb(lm_sample, ("n", "temperature", "top_k", "max_len", "prefix", "seed",
                                   "greedy")),
        "score": Verb(lm_score, ("text",)),
    }),
    "seq2seq": (prepare_seq2seq, {
        "run": Verb(seq2seq_run, ("text", "beam", "n", "alpha", "max_len", "plot")),
    }),
    "classify": (prepare_classify, {"predict": Verb(classify_predict, ("text",))}),
    "tag": (prepare_tag, {"predict": Verb(tag_predict, ("text",))}),
    "vectors": (prepare_vectors, {
        "similar": Verb(vectors_similar, ("words", "negative_words", "n")),
        "analogy": Verb(vectors_analogy, ("a", "b", "c", "n", "cosmul")),
        "bias": Verb(vectors_bias, ("word",)),
    }),
}  # fmt: skip
