"""The captioner: shapes, the equations against an independent computation, attention weights,
beam 1 == greedy, model folders, and a loss that falls."""

import numpy as np
import pytest
import torch

from seqlab.seq2seq import beam_search, greedy_decode
from seqlab.text import Vocabulary
from seqlab.train import save_model
from seqlab.vision.caption import caption_images, evaluate_captions, grounding
from seqlab.vision.captioner import Captioner, attention_penalty
from seqlab.vision.captions import CaptionBatches, CaptionSet, random_shift
from seqlab.vision.config import CaptionerConfig
from seqlab.vision.encoder import CNNEncoder

WORDS = ["a", "bag", "top", "in", "the", "upper", "lower", "left", "right", "and", ","]


def _model(attention=True, cell="lstm", **kw):
    config = CaptionerConfig(attention=attention, cell=cell, cnn_width=4, cnn_blocks=2,
                             vector_size=16, embedding_size=8, hidden_size=12, attention_size=10,
                             dropout=0.0, image_size=16, in_channels=1, **kw)  # fmt: skip
    return Captioner(config, Vocabulary(WORDS)).eval()


def test_encoder_shapes_and_cells():
    enc = CNNEncoder(3, 32, 4, 3, vector_size=7, positions=True)
    a, v = enc(torch.rand(2, 3, 32, 32))
    assert a.shape == (2, 16, 16) and v.shape == (2, 7)  # L = (32 / 8)^2, D = 4 * 2^2
    assert enc.side == 4 and enc.num_positions == 16 and enc.feature_size == 16
    # a 4 x 4 grid over a 2 x 2 scene: each cell holds 2 x 2 positions
    assert enc.cell_of_position(2) == [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]
    with pytest.raises(ValueError, match="images must be"):
        enc(torch.rand(2, 1, 32, 32))
    with pytest.raises(ValueError, match="divisible"):
        CNNEncoder(1, 30, 4, 2)


@pytest.mark.parametrize("attention", [True, False])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_forward_shapes(attention, cell):
    model = _model(attention, cell)
    images = torch.rand(3, 1, 16, 16)
    tgt = torch.randint(4, len(model.vocab), (3, 5))
    logits, alpha = model(images, tgt)
    assert logits.shape == (3, 5, len(model.vocab))
    if attention:
        assert alpha.shape == (3, 5, 16)  # L = (16 / 4)^2 grid positions
        torch.testing.assert_close(alpha.sum(-1), torch.ones(3, 5))  # sums to 1 over the grid
        assert (alpha >= 0).all()
    else:
        assert alpha is None


def test_attention_step_equals_the_equations():
    """One step of Show, Attend and Tell against the notes' equations, written out here."""
    torch.manual_seed(1)
    model = _model(True, "lstm")
    images = torch.rand(2, 1, 16, 16)
    y_prev = torch.tensor([model.vocab.bos_id, 5])
    memory, state = model.encode(images)
    logp, (s_t, c_t), alpha = model.step(y_prev, state, memory)

    att = model.attention
    a = model.encoder.grid(images)  # (B, L, D), positions embedded
    s_prev, c_prev = state[0][0], state[1][0]
    # s<0> = tanh(W_init mean_l a<l> + b_init)
    torch.testing.assert_close(s_prev, torch.tanh(a.mean(1) @ model.W_init.weight.T
                                                  + model.W_init.bias))  # fmt: skip
    # e<t,l> = v^T tanh(W_s s<t-1> + W_a a<l> + b); alpha = softmax_l(e); c = sum_l alpha a<l>
    hidden = torch.tanh((s_prev @ att.W_s.weight.T).unsqueeze(1) + a @ att.W_a.weight.T
                        + att.W_a.bias)  # fmt: skip
    e = (hidden @ att.v.weight.T).squeeze(2)  # (B, L)
    alpha_ref = torch.exp(e) / torch.exp(e).sum(1, keepdim=True)
    context = (alpha_ref.unsqueeze(2) * a).sum(1)
    torch.testing.assert_close(alpha, alpha_ref)
    torch.testing.assert_close(alpha.sum(1), torch.ones(2))
    # LSTM step on [e(y<t-1>), c<t>] (the notes' LSTM: W_* multiply [a<t-1>, x<t>])
    emb = model.embed.weight[y_prev]
    x = torch.cat([emb, context], 1)
    cell = model.decoder.cells[0][0]
    ax = torch.cat([s_prev, x], 1)
    gate = lambda g: ax @ getattr(cell, f"W_{g}").T + getattr(cell, f"b_{g}")  # noqa: E731
    c_tilde = torch.tanh(gate("c"))
    gamma_u, gamma_f, gamma_o = (torch.sigmoid(gate(g)) for g in ("u", "f", "o"))
    c_ref = gamma_u * c_tilde + gamma_f * c_prev
    s_ref = gamma_o * torch.tanh(c_ref)
    torch.testing.assert_close(c_t[0], c_ref)
    torch.testing.assert_close(s_t[0], s_ref)
    # o<t> = tanh(W_o [s<t>, c<t>, e] + b_o); log P = log softmax(W_y o<t> + b_y)
    o = torch.tanh(torch.cat([s_ref, context, emb], 1) @ model.W_o.weight.T + model.W_o.bias)
    logits = o @ model.W_y.weight.T + model.W_y.bias
    torch.testing.assert_close(logp, logits - torch.logsumexp(logits, 1, keepdim=True))


def test_show_and_tell_equations():
    """Show and Tell: v = tanh(BN(W_v flatten(a) + b_v)) starts the decoder; no attention."""
    torch.manual_seed(2)
    model = _model(False, "gru")
    images = torch.rand(2, 1, 16, 16)
    memory, state = model.encode(images)
    a = model.encoder.grid(images)
    bn = model.encoder.norm_v  # eval mode: running statistics
    z = a.flatten(1) @ model.encoder.W_v.weight.T + model.encoder.W_v.bias
    v = torch.tanh(
        (z - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
    )
    s0 = torch.tanh(v @ model.W_init.weight.T + model.W_init.bias)
    torch.testing.assert_close(state[0][0], s0)
    y = torch.tensor([model.vocab.bos_id, 6])
    logp, new, alpha = model.step(y, state, memory)
    assert alpha is None
    emb = model.embed.weight[y]
    s1 = model.decoder.cells[0][0](emb, s0)  # the notes' GRU cell (tested in tests/nn)
    o = torch.tanh(torch.cat([s1, emb], 1) @ model.W_o.weight.T + model.W_o.bias)
    torch.testing.assert_close(new[0][0], s1)
    torch.testing.assert_close(logp, torch.log_softmax(o @ model.W_y.weight.T + model.W_y.bias, 1))


@pytest.mark.parametrize("attention", [True, False])
def test_teacher_forcing_equals_steps(attention):
    model = _model(attention, "lstm")
    images = torch.rand(2, 1, 16, 16)
    tgt = torch.tensor([[2, 4, 5, 6], [2, 7, 8, 9]])
    logits, alphas = model(images, tgt)
    memory, state = model.encode(images)
    for t in range(tgt.shape[1]):
        logp, state, alpha = model.step(tgt[:, t], state, memory)
        torch.testing.assert_close(logp, torch.log_softmax(logits[:, t], -1))
        if attention:
            torch.testing.assert_close(alpha, alphas[:, t])


@pytest.mark.parametrize("attention", [True, False])
def test_beam_one_is_greedy(attention):
    torch.manual_seed(3)
    model = _model(attention, "gru", max_caption_len=7)
    images = torch.rand(5, 1, 16, 16)
    greedy = greedy_decode(model, images, max_len=8)
    beam = beam_search(model, images, beam_size=1, max_len=8)
    for g, (b,) in zip(greedy, beam):
        assert g.ids == b.ids and g.finished == b.finished
        assert g.logprob == pytest.approx(b.logprob, abs=1e-5)
        if attention:
            torch.testing.assert_close(g.attention, b.attention)
            assert g.attention.shape == (len(g.output_tokens), 16)
            torch.testing.assert_close(g.attention.sum(1), torch.ones(len(g.output_tokens)))
    found = caption_images(model, images, beam_size=1)
    assert [h.ids for h in found] == [g.ids for g in greedy]


def test_beam_search_batched_equals_one_at_a_time():
    torch.manual_seed(4)
    model = _model(True, "lstm", max_caption_len=6)
    images = torch.rand(4, 1, 16, 16)
    together = caption_images(model, images, beam_size=3)
    alone = [caption_images(model, images[i : i + 1], beam_size=3)[0] for i in range(4)]
    assert [h.ids for h in together] == [h.ids for h in alone]
    for a, b in zip(together, alone):
        assert a.score == pytest.approx(b.score, abs=1e-5)


def test_source_rows_accepts_arrays_and_checks_sizes():
    model = _model()
    arrays = [np.zeros((16, 16), np.uint8), np.full((16, 16), 255, np.uint8)]
    rows = model.source_rows(arrays)
    assert len(rows) == 2 and len(rows[0]) == 16 and rows[1].pixels.max() == 1.0
    with pytest.raises(ValueError, match="the model reads"):
        model.source_rows([np.zeros((8, 8), np.uint8)])
    with pytest.raises(ValueError, match="no images"):
        model.source_rows([])


def test_model_folder_round_trip(tmp_path):
    import seqlab.vision.captioner  # noqa: F401  (registers "caption")

    model = _model(True, "lstm")
    save_model(model, tmp_path / "m")
    again = seqlab.load(tmp_path / "m")
    assert isinstance(again, Captioner) and again.vocab == model.vocab
    images = torch.rand(2, 1, 16, 16)
    tgt = torch.randint(4, len(model.vocab), (2, 3))
    torch.testing.assert_close(model(images, tgt)[0], again.eval()(images, tgt)[0])


def test_loss_falls_on_one_batch():
    torch.manual_seed(5)
    model = _model(True, "lstm")
    images = (torch.rand(4, 1, 16, 16) * 255).to(torch.uint8)
    ids = [[4, 5, 7, 8], [4, 6, 9], [4, 5], [4, 6, 7, 8, 9]]
    batch = next(iter(CaptionBatches(images, ids, 4, bos_id=2, eos_id=3)(0)))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = model.evaluate(batch)["loss"]  # the cross-entropy; loss() adds the penalty (lambda 1)
    for _ in range(60):
        opt.zero_grad()
        model.loss(batch).backward()
        opt.step()
    model.eval()
    assert model.evaluate(batch)["loss"] < first / 4
    assert model.count_tokens(batch) == sum(len(i) + 1 for i in ids)
    assert set(model.evaluate(batch)) == {"loss", "accuracy"}


def _penalty_reference(alpha: np.ndarray, lengths: list[int]) -> np.ndarray:
    """Xu et al. 2015, eq. 14's second term, one caption at a time with explicit loops."""
    out = []
    for b, n in enumerate(lengths):
        total = 0.0
        for i in range(alpha.shape[2]):
            total += (1.0 - sum(alpha[b, t, i] for t in range(n))) ** 2
        out.append(total)
    return np.array(out)


def test_attention_penalty_equals_a_numpy_reference():
    rng = np.random.default_rng(3)
    e = rng.normal(size=(3, 6, 5))
    alpha = np.exp(e) / np.exp(e).sum(2, keepdims=True)  # (B, T_y, L), sums to 1 over L
    lengths = [6, 2, 4]
    real = torch.tensor([[t < n for t in range(6)] for n in lengths])
    got = attention_penalty(torch.from_numpy(alpha), real)
    np.testing.assert_allclose(got.numpy(), _penalty_reference(alpha, lengths), rtol=1e-12)
    # one unit of attention per position over the caption costs nothing
    eye = torch.eye(4, dtype=torch.float64).unsqueeze(0)  # T_y = L = 4, step t looks at l = t
    assert float(attention_penalty(eye, torch.ones(1, 4, dtype=torch.bool))) == 0.0


def test_loss_adds_the_attention_penalty():
    torch.manual_seed(2)
    model = _model(True, "lstm", attention_penalty=0.0)
    images = (torch.rand(3, 1, 16, 16) * 255).to(torch.uint8)
    ids = [[4, 5, 7, 8], [4, 6], [5, 9, 4]]
    batch = next(iter(CaptionBatches(images, ids, 3, bos_id=2, eos_id=3)(0)))
    lam = 0.3
    penalised = _model(True, "lstm", attention_penalty=lam)
    penalised.load_state_dict(model.state_dict())
    with torch.no_grad():
        plain, got = float(model.loss(batch)), float(penalised.loss(batch))
        _, alpha = model(batch["images"], batch["tgt_in"])
    lengths = [len(i) + 1 for i in ids]  # <eos> included
    ref = _penalty_reference(alpha.double().numpy(), lengths).sum() / sum(lengths)
    assert got == pytest.approx(plain + lam * ref, rel=1e-5)
    # training only: what the model says (and so an old folder loaded with lambda 1) is unchanged
    assert penalised.evaluate(batch) == model.evaluate(batch)
    with pytest.raises(ValueError, match="attention_penalty"):
        CaptionerConfig(attention_penalty=-1.0)


def test_random_shift_moves_each_image_with_the_border_replicated():
    images = torch.rand(5, 3, 8, 8, dtype=torch.float64)
    out = random_shift(images, 2, torch.Generator().manual_seed(0))
    assert out.shape == images.shape
    moves = set()
    for x, y in zip(images.numpy(), out.numpy()):  # find the one move (NumPy's edge padding)
        padded = np.pad(x, ((0, 0), (2, 2), (2, 2)), mode="edge")
        found = [(dy, dx) for dy in range(5) for dx in range(5)
                 if np.array_equal(padded[:, dy : dy + 8, dx : dx + 8], y)]  # fmt: skip
        assert len(found) == 1
        moves.add(found[0])
    assert len(moves) > 1  # each image its own move
    assert random_shift(images, 0, torch.Generator()) is images


def test_caption_batches_shift_only_when_asked():
    images = (torch.rand(4, 1, 8, 8) * 255).to(torch.uint8)
    ids = [[4, 5], [4], [5, 6], [6]]
    plain = next(iter(CaptionBatches(images, ids, 4, bos_id=2, eos_id=3)(0)))
    torch.testing.assert_close(plain["images"], images.float() / 255.0)
    make = lambda: CaptionBatches(images, ids, 4, bos_id=2, eos_id=3, shift=1)  # noqa: E731
    a, b = next(iter(make()(0))), next(iter(make()(0)))
    torch.testing.assert_close(a["images"], b["images"])  # a function of (seed, epoch)
    assert not torch.equal(a["images"], plain["images"])
    assert torch.equal(a["tgt_in"], plain["tgt_in"])  # the order and captions as without
    with pytest.raises(ValueError, match="shift"):
        CaptionBatches(images, ids, 4, bos_id=2, eos_id=3, shift=-1)


def test_evaluate_captions_by_hand():
    s = evaluate_captions(["a bag in the centre", "A  top"], ["a bag in the centre", "a bag"])
    assert s.exact_match == 0.5 and s.n == 2 and 0 < s.bleu < 100
    with pytest.raises(ValueError, match="2 captions but 1"):
        evaluate_captions(["a", "b"], ["a"])


def test_grounding_counts_item_words():
    model = _model(True, "lstm")
    images = torch.zeros(1, 1, 16, 16, dtype=torch.uint8)
    data = CaptionSet(images, ["a bag in the upper left and a top in the lower right"], ["x"],
                      [[{"word": "bag", "place": "upper left", "cell": 0},
                        {"word": "top", "place": "lower right", "cell": 3}]], grid=2)  # fmt: skip
    result = grounding(model, data)
    assert result["n"] == 2 and 0.0 <= result["grounding"] <= 1.0
    by_word = result["by_word"]  # one item word each: hit or miss
    assert set(by_word) == {"bag", "top"} and set(by_word.values()) <= {0.0, 1.0}
    assert result["grounding"] == sum(by_word.values()) / 2
    with pytest.raises(ValueError, match="attention"):
        grounding(_model(False), data)
