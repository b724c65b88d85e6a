"""The one training recipe (seqlab.train.fit_task) on the tiny bigram task."""

import json

import pytest
import torch

from seqlab.train import TaskData, TrainerConfig, fit_task, save_model
from tests.train._tiny_task import TinyLM, TinyLMConfig, make_batches, one_thread  # noqa: F401

SYMBOLS = ["<pad>"] + [f"s{i}" for i in range(1, 12)]


def _fit(
    out, *, epochs=2, resume=False, built=None, record=None, score=None, lr=0.05, overwrite=False
):
    """Train TinyLM with fit_task; ``built`` collects what build_model was given."""

    def build_model(resume_dir):
        if built is not None:
            built.append(resume_dir)
        if resume_dir is not None:
            return TinyLM.from_dir(resume_dir, TinyLMConfig())
        return TinyLM(TinyLMConfig(), SYMBOLS)

    def make_data(model):
        return TaskData(make_batches(6, seed=1), make_batches(2, seed=2), record)

    config = TrainerConfig(epochs=epochs, lr=lr, device="cpu")
    return fit_task(build_model, make_data, config, out, record_file="data.json",
                    score=score, resume=resume, overwrite=overwrite)  # fmt: skip


def test_the_initial_weights_follow_the_seed_and_the_best_model_is_reloaded(tmp_path):
    a = _fit(tmp_path / "a", epochs=1)
    b = _fit(tmp_path / "b", epochs=1)
    for (name, p), (_, q) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
        assert torch.equal(p, q), name
    assert not a.model.training  # reloaded from the folder, in eval mode
    assert a.result.epochs == 1 and a.record == {} and a.scores is None
    assert not (tmp_path / "a" / "data.json").exists()  # no record, no file


def test_the_record_is_written_and_scores_come_from_the_best_model(tmp_path):
    seen = []

    def score(model):
        seen.append(model)
        return {"n_symbols": float(len(model.symbols))}

    trained = _fit(tmp_path / "m", record={"sentences": 3, "name": "é"}, score=score)
    on_disk = json.loads((tmp_path / "m" / "data.json").read_text(encoding="utf-8"))
    assert on_disk == trained.record == {"sentences": 3, "name": "é"}
    assert seen == [trained.model] and trained.scores == {"n_symbols": 12.0}


def test_resume_reads_the_vocabulary_from_last_not_from_the_folder_beside_it(tmp_path):
    out = tmp_path / "m"
    _fit(out, epochs=1)
    # Another model's files land beside the run (the issue: resume read out/vocab.json).
    (out / "vocab.json").write_text(json.dumps(["<pad>"] + ["x"] * 11), encoding="utf-8")
    built = []
    trained = _fit(out, epochs=2, resume=True, built=built)
    assert built == [out / "last"]
    assert trained.model.symbols == SYMBOLS and trained.result.epochs == 2


def test_a_fresh_run_builds_from_the_data(tmp_path):
    built = []
    _fit(tmp_path / "m", epochs=1, built=built)
    assert built == [None]


def test_a_diverged_run_leaves_no_folder_it_created_but_keeps_one_that_existed(tmp_path):
    with pytest.raises(FloatingPointError):
        _fit(tmp_path / "new", lr=1e30)
    assert not (tmp_path / "new").exists()
    kept = tmp_path / "kept"
    save_model(TinyLM(TinyLMConfig(), SYMBOLS), kept)
    before = {p.name: p.read_bytes() for p in kept.iterdir()}
    with pytest.raises(FloatingPointError):  # a folder holding a model needs overwrite (issue 24)
        _fit(kept, lr=1e30, overwrite=True)
    assert (kept / "config.json").is_file()
    assert {p.name: p.read_bytes() for p in kept.iterdir()} == before  # the old model, untouched


def test_resume_without_a_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot resume"):
        _fit(tmp_path / "m", resume=True)
