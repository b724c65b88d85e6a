"""Defaults that work: each ``train`` command starts from the recipe behind its benchmark figure
for the data it reads, and ``--max-minutes`` alone makes time the budget (issue 25, item 7)."""

import argparse
import json

import numpy as np
import pytest

from seqlab.classify.config import PRESETS as CLASSIFY_PRESETS
from seqlab.classify.config import classifier_recipe, tagger_recipe
from seqlab.cli import main
from seqlab.cli._common import CLIError
from seqlab.cli._recipes import Recipe, budget_overrides, choose_recipe, trainer_config
from seqlab.lm.config import PRESETS as LM_PRESETS
from seqlab.lm.config import lm_recipe
from seqlab.music.config import PRESETS as MUSIC_PRESETS
from seqlab.seq2seq.config import PRESETS as SEQ2SEQ_PRESETS
from seqlab.seq2seq.config import seq2seq_recipe
from seqlab.speech.config import PRESETS as SPEECH_PRESETS
from seqlab.speech.config import recognizer_recipe

from ._helpers import write_lines


def _args(**values) -> argparse.Namespace:
    explicit = values.pop("explicit", set())
    args = argparse.Namespace(**values)
    args._explicit = set(explicit)
    return args


# --- which recipe for which data ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # the benchmark data sets of issue 25's table
        ({"n_train": 132, "level": None, "dna_length": None, "model": None, "has_vectors": True},
         "emojify-average"),
        ({"n_train": 132, "level": None, "dna_length": None, "model": "average",
          "has_vectors": True}, "emojify-average"),
        ({"n_train": 132, "level": None, "dna_length": None, "model": "rnn", "has_vectors": True},
         "emojify-rnn"),
        ({"n_train": 6920, "level": None, "dna_length": None, "model": "rnn", "has_vectors": True},
         "sst2"),
        ({"n_train": 3190, "level": "char", "dna_length": 60, "model": "rnn",
          "has_vectors": False}, "splice"),
        ({"n_train": 3190, "level": None, "dna_length": 60, "model": None, "has_vectors": False},
         "splice"),
        # no measured recipe: the defaults
        ({"n_train": 132, "level": None, "dna_length": None, "model": None, "has_vectors": False},
         None),
        ({"n_train": 5000, "level": "char", "dna_length": None, "model": None,
          "has_vectors": False}, None),
        ({"n_train": 5000, "level": None, "dna_length": None, "model": "average",
          "has_vectors": True}, None),
        ({"n_train": 3190, "level": "word", "dna_length": 60, "model": None, "has_vectors": False},
         "sst2"),
    ],
)  # fmt: skip
def test_classifier_recipe_by_the_data(facts, expected):
    name, reason = classifier_recipe(**facts)
    assert name == expected and reason
    assert name is None or name in CLASSIFY_PRESETS


def test_other_tasks_recipes_by_the_data():
    conll = {"PER", "LOC", "ORG", "MISC"}
    assert tagger_recipe(n_train=14041, entity_types=conll)[0] == "conll-cpu"
    assert tagger_recipe(n_train=14041, entity_types={"GENE"})[0] is None
    assert tagger_recipe(n_train=20, entity_types={"PER"})[0] is None
    assert lm_recipe(n_chars=19_909, n_lines=1_536, level=None)[0] == "dinos"
    assert lm_recipe(n_chars=1_115_394, n_lines=40_000, level=None)[0] == "shakespeare-cpu"
    assert lm_recipe(n_chars=1_115_394, n_lines=40_000, level="word")[0] is None
    assert lm_recipe(n_chars=5_000, n_lines=10, level=None)[0] is None
    assert seq2seq_recipe(n_pairs=10_000, mean_target_chars=10, level=None)[0] == "dates"
    assert seq2seq_recipe(n_pairs=80_000, mean_target_chars=10, level=None)[0] == "dates-styles"
    assert seq2seq_recipe(n_pairs=80_000, mean_target_chars=10, level="word")[0] == "multi30k-cpu"
    assert seq2seq_recipe(n_pairs=29_000, mean_target_chars=60, level=None)[0] == "multi30k-cpu"
    assert seq2seq_recipe(n_pairs=500, mean_target_chars=60, level=None)[0] is None
    assert recognizer_recipe(fsdd=True)[0] == "fsdd" and recognizer_recipe(fsdd=False)[0] is None
    for presets, name in ((LM_PRESETS, "dinos"), (LM_PRESETS, "shakespeare-cpu"),
                          (SEQ2SEQ_PRESETS, "dates"), (SEQ2SEQ_PRESETS, "multi30k-cpu"),
                          (SPEECH_PRESETS, "fsdd"), (CLASSIFY_PRESETS, "conll-cpu"),
                          (MUSIC_PRESETS, "jsb-gru")):  # fmt: skip
        assert name in presets


# --- choosing, and the budget rule ----------------------------------------------------------------


def test_choose_recipe_auto_names_none_and_unknown(capsys):
    presets = {"a": {"trainer": {"lr": 0.5}}, "b": {}}
    recipe = choose_recipe(_args(preset="auto"), presets, ("a", "because"))
    assert (recipe.name, recipe.part("trainer"), recipe.chosen) == ("a", {"lr": 0.5}, True)
    recipe = choose_recipe(_args(preset="b"), presets, ("a", "because"))
    assert (recipe.name, recipe.chosen) == ("b", False)  # a named preset is not announced
    assert choose_recipe(_args(preset="none"), presets, ("a", "because")).settings == {}
    assert choose_recipe(_args(preset="auto"), presets, (None, "no data like it")).name is None
    assert capsys.readouterr().err == ""  # the defaults, silently (the summary says recipe null)
    with pytest.raises(CLIError, match="unknown preset 'c'; known: auto, none, a, b"):
        choose_recipe(_args(preset="c"), presets, ("a", "because"))


FLAGS = {"epochs": 10, "max_steps": None, "max_minutes": None, "lr": 1e-3,
         "lr_schedule": "constant", "clip_norm": None}  # fmt: skip


def test_a_recipe_picked_for_the_data_is_announced_at_the_first_step_on_rank_0(capsys, monkeypatch):
    (announce,) = choose_recipe(_args(preset="auto"), {"a": {}}, ("a", "why")).callbacks()
    assert capsys.readouterr().err == ""  # nothing before training starts
    announce.on_step(None, 1, {})
    announce.on_step(None, 2, {})
    said = "seqlab: recipe 'a': why; --preset none for the bare defaults\n"
    assert capsys.readouterr().err == said  # once
    assert choose_recipe(_args(preset="a"), {"a": {}}, ("a", "why")).callbacks() == []
    monkeypatch.setenv("RANK", "1")
    assert choose_recipe(_args(preset="auto"), {"a": {}}, ("a", "why")).callbacks() == []


@pytest.mark.parametrize(
    ("explicit", "preset", "expected"),
    [
        ({"max_minutes"}, {}, {"epochs": None, "max_steps": None, "lr_schedule": "cosine"}),
        ({"max_minutes"}, {"lr_schedule": "linear"}, {"epochs": None, "max_steps": None}),
        ({"max_minutes", "lr_schedule"}, {}, {"epochs": None, "max_steps": None}),
        ({"max_minutes", "epochs"}, {}, {}),
        ({"max_minutes", "max_steps"}, {}, {}),
        ({"epochs"}, {}, {}),
        (set(), {"max_minutes": 35.0, "epochs": None}, {}),  # a recipe's own budget is its own
    ],
)  # fmt: skip
def test_budget_rule(explicit, preset, expected):
    assert budget_overrides(_args(explicit=explicit), preset) == expected


def test_trainer_config_budget_over_a_recipe():
    recipe = Recipe("splice", "why", CLASSIFY_PRESETS["splice"])
    flags = {**FLAGS, "max_minutes": 10.0}
    config = trainer_config(_args(**flags, explicit={"max_minutes"}), recipe)
    assert (config.epochs, config.max_minutes) == (None, 10.0)  # the minutes are the budget
    assert (config.lr, config.lr_schedule) == (3e-3, "cosine")  # the rest is the recipe's
    config = trainer_config(_args(**flags, explicit=set()), recipe)
    assert (config.epochs, config.max_minutes) == (15, 10.0)


# --- through the command line ---------------------------------------------------------------------

SMALL = ["I love you,0", "my dear love,0", "so happy today,2", "what a happy day,2",
         "lets eat pizza,4", "dinner is served,4"]  # fmt: skip
TINY = ["--hidden-size", "8", "--batch-size", "4", "--no-progress", "--threads", "1", "--json"]


def _glove(path, words):
    vectors = np.random.default_rng(0).normal(size=(len(words), 50))
    return write_lines(path, [w + " " + " ".join(f"{x:.5f}" for x in v)
                              for w, v in zip(words, vectors)])  # fmt: skip


def _train(argv, capsys):
    assert main(argv) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out.strip().splitlines()[-1]), captured.err


def test_plain_classify_train_picks_the_emojify_recipe(tmp_path, capsys):
    data = write_lines(tmp_path / "train_emoji.csv", SMALL)
    words = sorted({w.lower() for line in SMALL for w in line.split(",")[0].split()})
    glove = _glove(tmp_path / "glove.txt", words)
    out = tmp_path / "m"
    summary, err = _train(["classify", "train", str(data), "--vectors", str(glove), "--epochs",
                           "2", *TINY, "--out", str(out)], capsys)  # fmt: skip
    assert summary["recipe"] == "emojify-average"
    assert "recipe 'emojify-average': a small set (6 sentences)" in err
    config = json.loads((out / "config.json").read_text())["config"]
    assert (config["model"], config["freeze_embeddings"]) == ("average", True)  # the recipe's
    assert summary["epochs"] == 2  # a flag the user gives wins over the recipe's 200
    assert summary["val_sentences"] == 0  # the recipe trains on every sentence


def test_preset_none_keeps_the_defaults(tmp_path, capsys):
    data = write_lines(tmp_path / "train_emoji.csv", SMALL)
    out = tmp_path / "m"
    summary, err = _train(["classify", "train", str(data), "--preset", "none", "--epochs", "1",
                           *TINY, "--out", str(out)], capsys)  # fmt: skip
    assert summary["recipe"] is None and "recipe" not in err
    assert json.loads((out / "config.json").read_text())["config"]["model"] == "rnn"


def test_max_minutes_alone_trains_until_the_budget(tmp_path, capsys):
    data = write_lines(tmp_path / "train_emoji.csv", SMALL)
    summary, _ = _train(["classify", "train", str(data), "--preset", "none", "--max-minutes",
                         "0.03", "--val-fraction", "0", *TINY, "--out", str(tmp_path / "m")],
                        capsys)  # fmt: skip
    # the default of 10 epochs no longer ends it: 6 sentences take far less than 1.8 s an epoch
    assert summary["stopped_because"] == "max_minutes" and summary["epochs"] > 10


def test_plain_dna_training_picks_the_splice_recipe(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = [f"{'EI' if i % 2 else 'N'}\t" + "".join(rng.choice(list("ACGT"), 12))
            for i in range(20)]  # fmt: skip
    data = write_lines(tmp_path / "dna.tsv", rows)
    out = tmp_path / "m"
    summary, err = _train(["classify", "train", str(data), "--level", "char", "--model", "rnn",
                           "--epochs", "1", *TINY, "--out", str(out)], capsys)  # fmt: skip
    assert summary["recipe"] == "splice" and "DNA windows of 12 letters" in err
    config = json.loads((out / "config.json").read_text())["config"]
    assert (config["pool"], config["n_steps"], config["alphabet"]) == ("concat", 12, "dna")


def test_plain_music_train_picks_jsb_for_its_cell(tmp_path, capsys):
    rng = np.random.default_rng(0)
    piece = [sorted(set(rng.integers(60, 72, 3).tolist())) for _ in range(12)]
    data = tmp_path / "chorales.json"
    data.write_text(json.dumps({"train": [piece] * 4, "valid": [piece], "test": [piece]}))
    summary, err = _train(["music", "train", str(data), "--cell", "rnn", "--epochs", "1",
                           "--no-progress", "--json", "--out", str(tmp_path / "m")],
                          capsys)  # fmt: skip
    assert summary["recipe"] == "jsb-rnn" and "recipe 'jsb-rnn'" in err
    config = json.loads((tmp_path / "m" / "config.json").read_text())["config"]
    assert config["hidden_size"] == MUSIC_PRESETS["jsb-rnn"]["model"]["hidden_size"]


def test_progress_bars_only_on_a_terminal(monkeypatch):
    from seqlab.cli._common import progress

    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    assert progress(10, "x").disable
