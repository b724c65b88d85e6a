"""Seq2Seq: shapes, attention vs a NumPy reference, forward vs step, padding, loss, gradients."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import seqlab
from seqlab.seq2seq import Seq2Seq, Seq2SeqConfig
from seqlab.text import CharTokenizer, Vocabulary, WordTokenizer
from seqlab.train import save_model

SRC_VOCAB = Vocabulary(list("abcdefgh"))  # V_src = 12 with the four specials
TGT_VOCAB = Vocabulary(list("wxyz"))  # V_tgt = 8
PAD, BOS, EOS = TGT_VOCAB.pad_id, TGT_VOCAB.bos_id, TGT_VOCAB.eos_id
CELL_AND_ATTENTION = [(c, a) for c in ("gru", "lstm", "rnn") for a in (True, False)]


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _model(cell="gru", attention=True, **kw) -> Seq2Seq:
    torch.manual_seed(0)
    sizes = {"embedding_size": 6, "hidden_size": 8, "attention_size": 5}
    config = Seq2SeqConfig(level="char", cell=cell, attention=attention, **{**sizes, **kw})
    return Seq2Seq(config, SRC_VOCAB, TGT_VOCAB).eval()


def _batch() -> dict[str, torch.Tensor]:
    """B = 3 sources of lengths 5, 3, 1 and targets of 3, 1 and 4 tokens, padded with 0."""
    sources = [[4, 5, 6, 7, 8], [9, 10, 11], [5]]
    targets = [[4, 5, 6], [7], [4, 4, 5, 7]]
    T_x, T_y = 5, 5
    src = torch.tensor([s + [0] * (T_x - len(s)) for s in sources])
    tgt_in = torch.tensor([[BOS, *t] + [PAD] * (T_y - 1 - len(t)) for t in targets])
    tgt_out = torch.tensor([[*t, EOS] + [PAD] * (T_y - 1 - len(t)) for t in targets])
    return {"src": src, "src_lengths": torch.tensor([5, 3, 1]), "tgt_in": tgt_in,
            "tgt_out": tgt_out}  # fmt: skip


def _step_log_probs(model, src, lengths, tgt_in):
    """The decoder run one model.step at a time: log-probs (B, T_y, V) and α (B, T_y, T_x)."""
    memory, state = model.encode(src, lengths)
    logps, alphas = [], []
    for t in range(tgt_in.shape[1]):
        logp, state, alpha = model.step(tgt_in[:, t], state, memory)
        logps.append(logp)
        alphas.append(alpha)
    return torch.stack(logps, 1), None if alphas[0] is None else torch.stack(alphas, 1)


# --- shapes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "attention"), CELL_AND_ATTENTION)
@pytest.mark.parametrize("bidirectional", [True, False])
def test_forward_and_encode_shapes(cell, attention, bidirectional):
    model = _model(cell, attention, bidirectional=bidirectional, num_layers=2)
    b = _batch()
    logits, alpha = model(b["src"], b["src_lengths"], b["tgt_in"])
    assert logits.shape == (3, 5, len(TGT_VOCAB))
    assert (alpha is None) == (not attention)
    if attention:
        assert alpha.shape == (3, 5, 5)
    memory, state = model.encode(b["src"], b["src_lengths"])
    D = 2 if bidirectional else 1
    assert memory.enc.shape == (3, 5, D * 8)
    assert memory.mask.tolist() == [[True] * 5, [True] * 3 + [False] * 2, [True] + [False] * 4]
    assert len(state) == (2 if cell == "lstm" else 1)
    assert all(s.shape == (2, 3, 8) for s in state)
    if attention:
        assert memory.keys.shape == (3, 5, 5) and memory.context is None
    else:
        assert memory.context.shape == (3, D * 8) and memory.keys is None


def test_config_records_the_vocabulary_sizes():
    model = _model()
    assert model.config.src_vocab_size == 12 and model.config.tgt_vocab_size == 8
    assert model.describe()["parameters"] == sum(p.numel() for p in model.parameters())


# --- attention -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_teacher_forced_attention_sums_to_one_and_is_zero_on_padding(cell):
    model = _model(cell)
    b = _batch()
    _, alpha = model(b["src"], b["src_lengths"], b["tgt_in"])
    for i, n in enumerate(b["src_lengths"].tolist()):
        assert torch.allclose(alpha[i, :, :n].sum(-1), torch.ones(5), atol=1e-6)
        assert (alpha[i, :, n:] == 0).all()  # exactly zero, not merely small
        assert (alpha[i, :, :n] > 0).all()


def _numpy_attention(model, s_prev, enc, mask):
    """e<t,t'> = v^T tanh(W_s s<t-1> + W_a a<t'> + b_a); softmax over real t'; c = Σ α a."""
    W_s = model.W_s.weight.detach().double().numpy()  # (A, H)
    W_a = model.W_a.weight.detach().double().numpy()  # (A, D*H)
    b_a = model.W_a.bias.detach().double().numpy()  # (A,)
    v = model.v.weight.detach().double().numpy()[0]  # (A,)
    s, a, m = s_prev.double().numpy(), enc.double().numpy(), mask.numpy()
    N, T_x, _ = a.shape
    alpha, context = np.zeros((N, T_x)), np.zeros((N, a.shape[2]))
    for n in range(N):
        e = np.array([v @ np.tanh(W_s @ s[n] + W_a @ a[n, t] + b_a) for t in range(T_x)])
        real = np.flatnonzero(m[n])
        weights = np.exp(e[real] - e[real].max())
        alpha[n, real] = weights / weights.sum()
        context[n] = alpha[n] @ a[n]
    return context, alpha


@pytest.mark.parametrize("bidirectional", [True, False])
def test_attend_matches_a_numpy_reference(bidirectional):
    model = _model("lstm", bidirectional=bidirectional)
    b = _batch()
    with torch.no_grad():
        memory, _ = model.encode(b["src"], b["src_lengths"])
        s_prev = torch.randn(3, 8)
        c, alpha = model.attend(s_prev, memory)
    ref_c, ref_alpha = _numpy_attention(model, s_prev, memory.enc, memory.mask)
    np.testing.assert_allclose(alpha.numpy(), ref_alpha, atol=1e-6)
    np.testing.assert_allclose(c.numpy(), ref_c, atol=1e-6)
    assert (alpha[2, 1:] == 0).all()


def test_attention_reads_the_weights_stored_under_their_old_names():
    """seqlab.nn.AdditiveAttention works on the model's own W_s, W_a, v: after load_state_dict
    and .double() it still matches the NumPy reference on those weights."""
    model = _model("gru")
    names = ["W_s.weight", "W_a.weight", "W_a.bias", "v.weight"]
    assert [k for k in model.state_dict() if k.split(".")[0] in ("W_s", "W_a", "v")] == names
    state = {k: w + 0.25 if k in names else w for k, w in model.state_dict().items()}
    model.load_state_dict(state)
    model = model.double()
    b = _batch()
    with torch.no_grad():
        memory, _ = model.encode(b["src"], b["src_lengths"])
        s_prev = torch.randn(3, 8, dtype=torch.float64)
        c, alpha = model.attend(s_prev, memory)
    ref_c, ref_alpha = _numpy_attention(model, s_prev, memory.enc, memory.mask)
    np.testing.assert_allclose(alpha.numpy(), ref_alpha, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.numpy(), ref_c, rtol=1e-10, atol=1e-12)


def test_attention_queries_the_previous_decoder_state():
    """The first step's α comes from s<0> (the bridge), not from a state after reading y<0>."""
    model = _model("gru")
    b = _batch()
    with torch.no_grad():
        memory, state = model.encode(b["src"], b["src_lengths"])
        _, ref_alpha = _numpy_attention(model, state[0][-1], memory.enc, memory.mask)
        _, alpha = model(b["src"], b["src_lengths"], b["tgt_in"])
    np.testing.assert_allclose(alpha[:, 0].numpy(), ref_alpha, atol=1e-6)


# --- encoder summary and the bridge -------------------------------------------------------------


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_fixed_context_is_the_forward_last_and_backward_first_activation(cell):
    model = _model(cell, attention=False)
    b = _batch()
    with torch.no_grad():
        memory, _ = model.encode(b["src"], b["src_lengths"])
        for i, n in enumerate(b["src_lengths"].tolist()):
            alone = model.src_embed(b["src"][i : i + 1, :n])  # (1, n, E), nothing padded
            a, _ = model.encoder(alone)  # (1, n, 2H)
            expected = torch.cat([a[0, n - 1, :8], a[0, 0, 8:]])
            assert torch.allclose(memory.context[i], expected, atol=1e-6)


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_initial_decoder_state_is_tanh_of_the_bridged_final_states(cell):
    model = _model(cell, num_layers=2)
    b = _batch()
    with torch.no_grad():
        _, state = model.encode(b["src"], b["src_lengths"])
        for i, n in enumerate(b["src_lengths"].tolist()):
            _, final = model.encoder(model.src_embed(b["src"][i : i + 1, :n]))
            h = final[0] if cell == "lstm" else final  # (L*D, 1, H), layer-major
            for layer in range(2):
                both = torch.cat([h[2 * layer, 0], h[2 * layer + 1, 0]])  # [fwd, bwd]
                expected = torch.tanh(model.bridge(both))
                assert torch.allclose(state[0][layer, i], expected, atol=1e-6)
    if cell == "lstm":
        assert (state[1] == 0).all()  # the memory cell starts at zero


# --- forward == a loop of steps ------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "attention"), CELL_AND_ATTENTION)
@pytest.mark.parametrize("num_layers", [1, 2])
def test_forward_equals_a_loop_of_steps(cell, attention, num_layers):
    model = _model(cell, attention, num_layers=num_layers, dropout=0.3)  # eval: dropout is off
    b = _batch()
    with torch.no_grad():
        logits, alpha = model(b["src"], b["src_lengths"], b["tgt_in"])
        step_logp, step_alpha = _step_log_probs(model, b["src"], b["src_lengths"], b["tgt_in"])
    real = b["tgt_out"] != PAD
    logp = torch.log_softmax(logits, -1)
    assert torch.allclose(logp[real], step_logp[real], atol=1e-5)
    if attention:
        assert torch.allclose(alpha[real], step_alpha[real], atol=1e-6)


def test_dropout_acts_in_training_only():
    model = _model("gru", dropout=0.5)
    b = _batch()
    with torch.no_grad():
        first, _ = model(b["src"], b["src_lengths"], b["tgt_in"])
        second, _ = model(b["src"], b["src_lengths"], b["tgt_in"])
        assert torch.equal(first, second)
        model.train()
        torch.manual_seed(1)
        noisy, _ = model(b["src"], b["src_lengths"], b["tgt_in"])
    assert not torch.allclose(first, noisy)


# --- padding invariance --------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "attention"), CELL_AND_ATTENTION)
def test_a_sentence_alone_equals_the_same_sentence_in_a_padded_batch(cell, attention):
    model = _model(cell, attention, num_layers=2)
    b = _batch()
    with torch.no_grad():
        batched, batched_alpha = model(b["src"], b["src_lengths"], b["tgt_in"])
        for i, n in enumerate(b["src_lengths"].tolist()):
            m = int((b["tgt_out"][i] != PAD).sum())
            alone, alone_alpha = model(b["src"][i : i + 1, :n], torch.tensor([n]),
                                       b["tgt_in"][i : i + 1, :m])  # fmt: skip
            assert torch.allclose(alone[0], batched[i, :m], atol=1e-5)
            if attention:
                assert torch.allclose(alone_alpha[0], batched_alpha[i, :m, :n], atol=1e-6)


# --- loss, evaluate ------------------------------------------------------------------------------


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_loss_is_the_mean_over_real_target_tokens(label_smoothing):
    model = _model("gru", label_smoothing=label_smoothing)
    b = _batch()
    with torch.no_grad():
        logits, _ = model(b["src"], b["src_lengths"], b["tgt_in"])
    logp = F.log_softmax(logits.double(), -1).numpy()
    y = b["tgt_out"].numpy()
    per_token = []
    for i in range(3):
        for t in range(5):
            if y[i, t] != PAD:
                nll, uniform = -logp[i, t, y[i, t]], -logp[i, t].mean()
                per_token.append((1 - label_smoothing) * nll + label_smoothing * uniform)
    assert float(model.loss(b).detach()) == pytest.approx(np.mean(per_token), rel=1e-5)
    plain = np.mean([-logp[i, t, y[i, t]] for i in range(3) for t in range(5) if y[i, t] != PAD])
    scores = model.evaluate(b)
    assert scores["loss"] == pytest.approx(plain, rel=1e-5)  # the reported loss has no smoothing
    hits = [logp[i, t].argmax() == y[i, t] for i in range(3) for t in range(5) if y[i, t] != PAD]
    assert scores["accuracy"] == pytest.approx(np.mean(hits))
    assert model.count_tokens(b) == 4 + 2 + 5


def test_loss_falls_on_one_small_batch():
    model = _model("gru").train()
    b = _batch()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    first = float(model.loss(b).detach())
    for _ in range(30):
        optimizer.zero_grad()
        model.loss(b).backward()
        optimizer.step()
    assert float(model.loss(b).detach()) < 0.5 * first


# --- gradient check ------------------------------------------------------------------------------


def _nll(model, b) -> torch.Tensor:
    """The mean NLL over real target tokens, written out in the model's own dtype."""
    logits, _ = model(b["src"], b["src_lengths"], b["tgt_in"])
    logp = torch.log_softmax(logits, -1)
    real = b["tgt_out"] != PAD
    return -logp.gather(2, b["tgt_out"].unsqueeze(2)).squeeze(2)[real].mean()


def _finite_difference_check(model, loss_fn, names, eps=1e-6):
    b = _batch()
    params = dict(model.named_parameters())
    model.zero_grad()
    loss_fn(model, b).backward()
    gen = torch.Generator().manual_seed(0)
    for name in names:
        p = params[name]
        for flat in torch.randint(0, p.numel(), (3,), generator=gen).tolist():
            idx = np.unravel_index(flat, tuple(p.shape))
            with torch.no_grad():
                p[idx] += eps
                plus = float(loss_fn(model, b))
                p[idx] -= 2 * eps
                minus = float(loss_fn(model, b))
                p[idx] += eps
            numeric = (plus - minus) / (2 * eps)
            assert float(p.grad[idx]) == pytest.approx(numeric, rel=1e-5, abs=1e-8), name


GRAD_NAMES = {
    True: ["v.weight", "W_s.weight", "W_a.weight", "W_a.bias", "bridge.weight", "W_o.weight",
           "out.bias", "src_embed.weight", "tgt_embed.weight"],
    False: ["bridge.weight", "W_o.weight", "out.weight", "src_embed.weight", "tgt_embed.weight"],
}  # fmt: skip


@pytest.mark.parametrize(("cell", "attention"), [("gru", True), ("lstm", False), ("rnn", True)])
def test_gradients_match_finite_differences(cell, attention):
    model = _model(cell, attention).double()
    names = GRAD_NAMES[attention] + [n for n, _ in model.named_parameters() if "cells.0" in n][:2]
    _finite_difference_check(model, _nll, names)


def test_loss_of_a_float64_model_is_float64_and_passes_the_gradient_check():
    model = _model("gru").double()
    assert model.loss(_batch()).dtype == torch.float64
    _finite_difference_check(model, lambda m, b: m.loss(b), ["v.weight", "out.bias"])


# --- configuration and vocabularies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"cell": "transformer"}, "cell"),
        ({"level": "byte"}, "level"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"dropout": 1.0}, "dropout"),
        ({"label_smoothing": -0.1}, "label_smoothing"),
        ({"max_src_len": 0}, "max_src_len"),
        ({"tie_weights": True, "embedding_size": 8, "output_size": 4}, "tie_weights"),
    ],
)
def test_bad_configs_are_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        Seq2SeqConfig(**kw)


def test_vocabularies_that_do_not_fit_are_errors():
    with pytest.raises(ValueError, match="target vocabulary has 99 tokens but it has 8"):
        Seq2Seq(Seq2SeqConfig(tgt_vocab_size=99), SRC_VOCAB, TGT_VOCAB)
    with pytest.raises(ValueError, match="source vocabulary needs"):
        Seq2Seq(Seq2SeqConfig(), Vocabulary(["a"], specials=False), TGT_VOCAB)
    with pytest.raises(ValueError, match="tokenizer level 'word'"):
        Seq2Seq(Seq2SeqConfig(level="char"), SRC_VOCAB, TGT_VOCAB, WordTokenizer())


def test_tied_weights_are_one_matrix_and_survive_a_save(tmp_path):
    vocab = Vocabulary(list("abcdwxyz"))
    torch.manual_seed(0)
    config = Seq2SeqConfig(level="char", tie_weights=True, embedding_size=6, hidden_size=8,
                           attention_size=5)  # fmt: skip
    model = Seq2Seq(config, vocab, vocab, CharTokenizer(), CharTokenizer()).eval()
    assert model.tgt_embed.weight is model.out.weight
    assert model.src_embed.weight is not model.tgt_embed.weight
    loaded = seqlab.load(save_model(model, tmp_path / "tied"))
    assert loaded.tgt_embed.weight is loaded.out.weight
    assert loaded.src_embed.weight is not loaded.tgt_embed.weight
    b = _batch()
    with torch.no_grad():
        before, _ = model(b["src"], b["src_lengths"], b["tgt_in"])
        after, _ = loaded(b["src"], b["src_lengths"], b["tgt_in"])
    assert torch.equal(before, after)


def test_a_folder_saved_with_shared_vocab_off_still_loads_and_one_with_it_on_is_named(tmp_path):
    """shared_vocab was removed: config.json files written before hold false and load."""
    model = _model()
    file = save_model(model, tmp_path / "m") / "config.json"
    saved = json.loads(file.read_text())
    assert "shared_vocab" not in saved["config"]
    saved["config"]["shared_vocab"] = False
    file.write_text(json.dumps(saved))
    b = _batch()
    with torch.no_grad():
        before, _ = model(b["src"], b["src_lengths"], b["tgt_in"])
        after, _ = seqlab.load(tmp_path / "m")(b["src"], b["src_lengths"], b["tgt_in"])
    assert torch.equal(before, after)
    saved["config"]["shared_vocab"] = True
    file.write_text(json.dumps(saved))
    removed = (
        r"config\.json: Seq2SeqConfig\.shared_vocab=True: this option was removed from "
        r"seqlab \(only shared_vocab=False loads\)"
    )
    with pytest.raises(ValueError, match=removed):
        seqlab.load(tmp_path / "m")


# --- text <-> ids --------------------------------------------------------------------------------


def test_source_ids_count_unknowns_and_refuse_empty_or_long_sources():
    model = _model(max_src_len=4)
    assert model.source_ids("abzq") == ([4, 5, 1, 1], 2)
    assert model.source_ids("abcdefg", on_long="truncate") == ([4, 5, 6, 7], 0)
    with pytest.raises(ValueError, match="5 tokens, more than the model's max_src_len=4"):
        model.source_ids("abcde")
    with pytest.raises(ValueError, match="empty source"):
        model.source_ids("")
    with pytest.raises(ValueError, match="on_long"):
        model.source_ids("ab", on_long="drop")


def test_target_ids_and_text_round_trip():
    model = _model()
    ids = model.target_ids("wxyq")
    assert ids == [4, 5, 6, TGT_VOCAB.unk_id]
    assert model.target_text([BOS, *ids[:3], EOS, PAD]) == "wxy"  # specials dropped
