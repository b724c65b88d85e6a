"""Training end to end: a tiny repeating corpus is learned and reproduced; folders reload."""

import json

import pytest
import torch

import seqlab
from seqlab.lm import LMConfig, LMDataConfig, score_text, train_language_model
from seqlab.train import TrainerConfig


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
def test_stream_model_reproduces_a_repeating_text(tmp_path):
    text = "the cat sat on the mat\n" * 60
    trained = train_language_model(
        text,
        LMConfig(level="char", mode="stream", cell="lstm", hidden_size=32, embedding_size=16),
        LMDataConfig(batch_size=4, bptt=20, val_fraction=0.1),
        TrainerConfig(lr=0.02, epochs=25, clip_norm=1.0),
        tmp_path,
    )
    model = trained.model
    out = model.sample(1, greedy=True, prefix="the cat", max_len=40)[0]
    assert out.startswith("the cat sat on the mat\nthe cat sat on the mat")
    assert trained.result.best_val_loss < 0.1
    # The exact stream score of the held-out text agrees with the Trainer's validation loss.
    exact = score_text(model, "the cat sat on the mat\n" * 5)
    assert exact.nats_per_token < 0.2


@pytest.mark.slow
def test_lines_model_learns_the_names_and_the_folder_reloads(tmp_path):
    names = ["anna", "bob", "carl", "dora"] * 25
    trained = train_language_model(
        "\n".join(names),
        LMConfig(level="char", mode="lines", cell="gru", hidden_size=32),
        LMDataConfig(batch_size=8, val_fraction=0.1),
        TrainerConfig(lr=0.02, epochs=15),
        tmp_path,
    )
    samples = trained.model.sample(20, temperature=0.5, seed=0)
    assert sum(s in {"anna", "bob", "carl", "dora"} for s in samples) >= 18
    reloaded = seqlab.load(tmp_path)
    assert reloaded.score("anna").logprob == pytest.approx(trained.model.score("anna").logprob)
    corpus = json.loads((tmp_path / "corpus.json").read_text())
    assert corpus["vocab_size"] == len(reloaded.vocab) and corpus["train_tokens"] > 0


def test_word_model_counts_unknown_words_in_its_splits(tmp_path):
    text = "\n".join(["the cat sat", "the dog ran", "a cat ran", "zebra"] * 3)
    trained = train_language_model(
        text,
        LMConfig(level="word", mode="lines", hidden_size=8, embedding_size=8),
        LMDataConfig(batch_size=4, val_fraction=0.0, min_count=2),
        TrainerConfig(max_steps=2, epochs=None),
        tmp_path,
    )
    assert "zebra" in trained.model.vocab  # seen 3 times
    assert trained.record["train_unk"] == 0
    assert trained.model.score("the unicorn sat").n_unk == 1


def test_too_short_corpus_writes_nothing(tmp_path):
    out = tmp_path / "model"
    with pytest.raises(ValueError, match="too short"):
        train_language_model("abc\n", LMConfig(), LMDataConfig(batch_size=64, val_fraction=0.0),
                             TrainerConfig(), out)  # fmt: skip
    assert not out.exists()


def test_under_torchrun_each_rank_streams_its_own_columns():
    """Stream training is data-parallel: rank r of W takes columns r*B .. r*B + B - 1 of the
    W * B the text is cut into, for training and validation (a real 2-process run:
    tests/train/test_distributed.py)."""
    from seqlab.lm.model import LanguageModel
    from seqlab.lm.train import _batches
    from seqlab.text import CharTokenizer, Vocabulary
    from seqlab.train import DistributedContext

    text = "".join(chr(97 + i % 26) for i in range(400))
    model = LanguageModel(LMConfig(hidden_size=4, vocab_size=0), Vocabulary(sorted(set(text))),
                          CharTokenizer())  # fmt: skip
    data = LMDataConfig(batch_size=2, bptt=5)
    ranks = [_batches(model, text[:300], text[300:], data, 0, DistributedContext(r, r, 2))
             for r in range(2)]  # fmt: skip
    single, _, _ = _batches(model, text[:300], text[300:], LMDataConfig(batch_size=4, bptt=5),
                            0, DistributedContext())  # fmt: skip
    for part in (0, 1):  # training, validation
        assert all(r[part].presharded and r[part].world_size == 2 for r in ranks)
    for epoch in (0, 1):
        for step, batch in enumerate(single(epoch)):
            joined = torch.cat([r[0](epoch)[step]["x"] for r in ranks])  # (2 * 2, T)
            assert torch.equal(joined, batch["x"])
