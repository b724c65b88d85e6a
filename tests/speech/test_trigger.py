"""Trigger-word detection: label placement, the causal streaming model, detection and event
scores, clip synthesis, the data folders, and a detector that learns a toy trigger."""

import dataclasses
import json
import math

import numpy as np
import pytest
import torch

from seqlab.speech import (
    ClipConfig,
    EventScores,
    TriggerConfig,
    TriggerWordDetector,
    build_trigger_data,
    detect_triggers,
    evaluate_detector,
    event_scores,
    load_detector,
    overlay_clip,
    read_clips,
    train_detector,
    trigger_features,
    trigger_labels,
    trigger_probabilities,
)
from seqlab.speech.audio import trim_silence
from seqlab.speech.trigger import (
    EQ_CENTRES,
    equalise,
    frequency_masks,
    n_output_steps,
    tilt,
    trigger_frames,
)
from seqlab.train import TrainerConfig, save_model
from tests.speech._trigger_toy import make_raw

# --- labels ---------------------------------------------------------------------------------


def notes_insert_ones(y, segment_end_ms, Ty):
    """The notes' insert_ones, verbatim in NumPy: 1 on the 50 steps after the end."""
    segment_end_y = int(segment_end_ms * Ty / 10000.0)
    for i in range(segment_end_y + 1, segment_end_y + 51):
        if i < Ty:
            y[0, i] = 1
    return y


def test_labels_equal_the_notes_insert_ones():
    rng = np.random.default_rng(0)
    Ty = 1375
    for _ in range(50):
        ends_ms = sorted(rng.uniform(0, 10000, size=int(rng.integers(1, 5))).round(3))
        y = np.zeros((1, Ty))
        for end in ends_ms:
            y = notes_insert_ones(y, end, Ty)
        ours = trigger_labels([e / 1000 for e in ends_ms], Ty, 10.0 / Ty, 50)
        np.testing.assert_array_equal(ours, y[0])


def test_labels_are_clipped_at_the_end_and_start_right_after_the_end():
    y = trigger_labels([0.105], 40, 0.01, label_steps=50)  # e = 10: steps 11..39 (clipped)
    assert y[:11].sum() == 0 and y[11:].all() and y.dtype == np.float32
    y = trigger_labels([0.3], 100, 0.01, label_steps=5)  # 0.3 / 0.01 may be 29.999...
    assert int(y.sum()) == 5 and y[int(0.3 / 0.01) + 1] == 1
    with pytest.raises(ValueError, match="end time"):
        trigger_labels([-1.0], 10, 0.01)
    with pytest.raises(ValueError, match="step_seconds"):
        trigger_labels([1.0], 10, 0.0)


# --- the model ------------------------------------------------------------------------------


def small(**kw):
    cfg = TriggerConfig(**{"n_features": 8, "conv_channels": 6, "conv_kernel": 5, "subsample": 2,
                           "hidden_size": 7, "num_layers": 2, "dropout": 0.0, **kw})  # fmt: skip
    feats = trigger_features(8000, 8, 5.0)
    torch.manual_seed(0)
    model = TriggerWordDetector(cfg, feats).eval()
    with torch.no_grad():
        model.norm.running_mean.normal_()
        model.norm.running_var.uniform_(0.5, 2.0)
        model.set_normalisation(torch.randn(8), torch.rand(8) + 0.5)
    return model


def test_output_length_is_ceil_t_over_s_and_steps_match_n_output_steps():
    model = small(subsample=3)
    for T in (1, 2, 3, 7, 30):
        logits, lengths, _ = model(torch.randn(2, T, 8))
        assert logits.shape == (2, math.ceil(T / 3)) and lengths.tolist() == [math.ceil(T / 3)] * 2
    samples = np.random.default_rng(0).normal(size=1234).astype(np.float32) * 0.1
    frames = trigger_frames(samples, model.features)
    assert math.ceil(len(frames) / 3) == n_output_steps(1234, model.features, 3)


def test_the_model_is_causal():
    model = small()
    x = torch.randn(1, 40, 8)
    y = x.clone()
    y[:, 21:] = torch.randn(1, 19, 8)  # change frames 21.. only
    a, _, _ = model(x)
    b, _, _ = model(y)
    # output step t sees frames up to t * s = 2t: steps 0..10 cannot change
    torch.testing.assert_close(a[:, :11], b[:, :11])
    assert not torch.allclose(a[:, 11:], b[:, 11:])


def test_streaming_in_chunks_equals_one_pass():
    model = small()
    x = torch.randn(1, 57, 8)
    whole, _, _ = model(x)
    state, parts = None, []
    for start in range(0, 57, 10):  # chunks of 10 frames (a multiple of s = 2)
        logits, _, state = model(x[:, start : start + 10], state=state)
        parts.append(logits)
    torch.testing.assert_close(torch.cat(parts, dim=1), whole)


def test_trigger_probabilities_do_not_depend_on_the_chunk_size():
    model = small()
    samples = np.random.default_rng(1).normal(size=8000 * 3).astype(np.float32) * 0.1
    a = trigger_probabilities(model, samples, chunk_seconds=0.37)
    b = trigger_probabilities(model, samples, chunk_seconds=100.0)
    assert a.shape == (n_output_steps(len(samples), model.features, 2),)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ((a > 0) & (a < 1)).all()


def test_padded_rows_do_not_change_the_real_rows_loss():
    model = small()
    x = torch.randn(2, 20, 8)
    y = (torch.rand(2, 10) > 0.7).float()
    full = model.loss({"features": x[:1, :12], "lengths": torch.tensor([12]), "labels": y[:1, :6]})
    padded = {"features": x, "lengths": torch.tensor([12, 20]), "labels": y}
    logits, _, _ = model(x[:1, :12])
    manual = torch.nn.functional.binary_cross_entropy_with_logits(logits, y[:1, :6])
    torch.testing.assert_close(full, manual)
    both = model.loss(padded)
    logits2, _, _ = model(x[1:])
    bce2 = torch.nn.functional.binary_cross_entropy_with_logits(logits2, y[1:], reduction="sum")
    torch.testing.assert_close(both, (manual * 6 + bce2) / 16)


def test_bad_inputs_are_named():
    model = small()
    with pytest.raises(ValueError, match=r"features must be \(B, T, 8\)"):
        model(torch.randn(1, 10, 9))
    with pytest.raises(ValueError, match="NaN"):
        model(torch.full((1, 10, 8), float("nan")))
    with pytest.raises(ValueError, match="mel bands"):
        TriggerWordDetector(TriggerConfig(n_features=8), trigger_features(n_mels=40))
    with pytest.raises(ValueError, match="subsample"):
        TriggerConfig(subsample=0)


def test_a_folder_saved_with_pos_weight_1_still_loads_and_one_with_another_is_named(tmp_path):
    """pos_weight was removed (the loss is plain BCE): config.json files written before hold
    1.0 and load."""
    model = small()
    file = save_model(model, tmp_path / "m") / "config.json"
    saved = json.loads(file.read_text())
    assert "pos_weight" not in saved["config"]
    saved["config"]["pos_weight"] = 1.0
    file.write_text(json.dumps(saved))
    x = torch.randn(2, 20, 8)
    torch.testing.assert_close(load_detector(tmp_path / "m")(x)[0], model(x)[0])
    saved["config"]["pos_weight"] = 5.0
    file.write_text(json.dumps(saved))
    removed = (
        r"config\.json: TriggerConfig\.pos_weight=5\.0: this option was removed from seqlab "
        r"\(only pos_weight=1\.0 loads\)"
    )
    with pytest.raises(ValueError, match=removed):
        load_detector(tmp_path / "m")


# --- detection and scores -------------------------------------------------------------------


def test_one_utterance_fires_once_and_two_apart_fire_twice():
    probs = np.zeros(500)
    probs[100:150] = 0.9  # one utterance: 50 high steps
    probs[120] = 0.2  # a dip inside it does not fire again (refractory)
    probs[300:350] = 0.8
    times = detect_triggers(probs, 0.01, threshold=0.5, refractory=1.0)
    assert times == pytest.approx([1.0, 3.0])
    # without a refractory period the flicker fires again; a steady run fires once regardless
    assert detect_triggers(probs, 0.01, threshold=0.5, refractory=0.0) == pytest.approx(
        [1.0, 1.21, 3.0]
    )
    probs[120] = 0.9
    assert detect_triggers(probs, 0.01, threshold=0.5, refractory=0.0) == pytest.approx([1.0, 3.0])
    # two triggers said back to back (0.3 s between the runs) both fire with the default 0.5 s
    probs[155:205] = 0.9
    assert detect_triggers(probs, 0.01, threshold=0.5) == pytest.approx([1.0, 1.55, 3.0])
    assert detect_triggers(probs, 0.01, threshold=0.95) == []
    with pytest.raises(ValueError, match="threshold"):
        detect_triggers(probs, 0.01, threshold=1.0)


def test_event_scores_match_one_to_one():
    triggers = [(1.0, 1.6), (4.0, 4.5), (8.0, 8.7)]
    # 1.7 hits the first; 1.9 is a second detection of it (false alarm); 4.2 hits the second
    # (during the word); 6.0 is nowhere near; the third trigger is missed
    s = event_scores([1.7, 1.9, 4.2, 6.0], triggers, max_delay=1.0)
    assert (s.tp, s.fp, s.fn) == (2, 2, 1)
    assert s.precision == 0.5 and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert event_scores([2.7], [(1.0, 1.6)], max_delay=1.0).tp == 0  # too late
    assert event_scores([], []).f1 == 1.0  # nothing said, nothing detected
    assert (s + EventScores(1, 0, 0)).tp == 3


# --- clip synthesis -------------------------------------------------------------------------


def test_overlay_places_the_words_without_overlap_at_their_level():
    rng = np.random.default_rng(0)
    words = [np.sin(np.arange(800) / 3.0).astype(np.float32) * 0.3 for _ in range(3)]
    others = [np.cos(np.arange(500) / 7.0).astype(np.float32) * 0.2]
    config = ClipConfig(sample_rate=8000, seconds=2.0, max_triggers=4, max_negatives=2,
                        word_db=(-20.0, -20.0), clip_gain_db=0.0, speed=False)  # fmt: skip
    counts = set()
    for _ in range(30):
        clip = overlay_clip(np.zeros(8000, np.float32), words, others, rng, config)
        assert clip.samples.shape == (16000,)
        spans = sorted(clip.triggers + clip.negatives)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no overlap
        assert len(clip.triggers) <= 4 and len(clip.negatives) <= 2
        for s, e in clip.triggers:
            i, j = round(s * 8000), round(e * 8000)
            assert j - i == 800
            rms = np.sqrt(np.mean(clip.samples[i:j].astype(np.float64) ** 2))
            assert 20 * np.log10(rms) == pytest.approx(-20.0, abs=0.01)
        quiet = np.ones(16000, bool)
        for s, e in spans:
            quiet[round(s * 8000) : round(e * 8000)] = False
        assert not clip.samples[quiet].any()  # a silent background stays silent elsewhere
        counts.add(len(clip.triggers))
    assert counts == {0, 1, 2, 3, 4}


def test_trim_silence_cuts_the_quiet_edges_and_a_click_before_the_word():
    x = np.concatenate([np.zeros(800), np.ones(1600) * 0.5, np.zeros(400)]).astype(np.float32)
    trimmed = trim_silence(x, 8000, min_burst=0.15)
    assert len(trimmed) == 1600 and trimmed.min() == 0.5
    click = np.concatenate([np.ones(160), np.zeros(2400), x]).astype(np.float32)  # 20 ms, 0.3 s
    np.testing.assert_array_equal(trim_silence(click, 8000, min_burst=0.15), trimmed)
    gap = np.concatenate([x[:2400], np.zeros(1600), np.ones(160) * 0.5]).astype(np.float32)
    assert len(trim_silence(gap, 8000, min_burst=0.15)) == 1600  # a trailing click goes too
    short = np.concatenate([np.zeros(800), np.ones(400) * 0.5]).astype(np.float32)
    assert (
        len(trim_silence(short, 8000, min_burst=0.15)) == 400
    )  # only short stretches: the loud part stays


# --- data folders ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    return make_raw(tmp_path_factory.mktemp("raw"))


def test_build_writes_disjoint_splits_deterministically(raw, tmp_path):
    cfg = ClipConfig(sample_rate=8000, seconds=2.0)
    a = build_trigger_data(raw, tmp_path / "a", n_train=6, n_test=3, config=cfg, seed=3)
    build_trigger_data(raw, tmp_path / "b", n_train=6, n_test=3, config=cfg, seed=3)
    for role in ("activates", "negatives"):
        assert not set(a["train"][role]) & set(a["test"][role])
        assert len(a["test"][role]) == 2  # round(0.3 * 5)
    assert a["train"]["backgrounds"] == a["test"]["backgrounds"]  # shared unless held out
    for split, n in (("train", 6), ("test", 3)):
        clips = read_clips(tmp_path / "a" / split)
        assert len(clips) == n
        for clip in clips:
            assert (tmp_path / "b" / split / clip.path.name).read_bytes() == clip.path.read_bytes()
    split = json.loads((tmp_path / "a" / "split.json").read_text())
    assert split["seed"] == 3 and split["train"] == a["train"]
    held = build_trigger_data(raw, tmp_path / "c", n_train=1, n_test=1, config=cfg,
                              holdout_backgrounds=True)  # fmt: skip
    assert not set(held["train"]["backgrounds"]) & set(held["test"]["backgrounds"])


def test_build_errors_leave_nothing_behind(raw, tmp_path):
    with pytest.raises(ValueError, match="no negatives/ folder"):
        (tmp_path / "r" / "activates").mkdir(parents=True)
        build_trigger_data(tmp_path / "r", tmp_path / "o")
    bad = tmp_path / "bad"
    make_raw(bad)
    (bad / "activates" / "zz.wav").write_text("not audio")
    with pytest.raises(ValueError, match="zz.wav: not a WAV file"):
        build_trigger_data(bad, tmp_path / "o2", n_train=2, n_test=0, test_fraction=0.0)
    assert not (tmp_path / "o2").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".o2")]
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        build_trigger_data(raw, tmp_path / "full")
    with pytest.raises(ValueError, match="no clips.jsonl"):
        read_clips(tmp_path)


def test_build_refuses_an_output_folder_filled_while_it_ran(raw, tmp_path):
    out = tmp_path / "race"

    def another_build(_):  # something else writes the folder between two clips
        out.mkdir(exist_ok=True)
        (out / "split.json").write_text("{}")

    cfg = ClipConfig(sample_rate=8000, seconds=1.0)
    with pytest.raises(ValueError, match="filled by something else"):
        build_trigger_data(raw, out, n_train=2, n_test=1, config=cfg, on_progress=another_build)
    assert [p.name for p in out.iterdir()] == ["split.json"]  # theirs, untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".race")]


# --- training: the detector learns the toy trigger ------------------------------------------


def test_a_detector_learns_the_toy_trigger_and_round_trips(raw, tmp_path):
    data = tmp_path / "data"
    cfg = ClipConfig(sample_rate=8000, seconds=2.0)
    build_trigger_data(raw, data, n_train=48, n_test=16, config=cfg, seed=0)
    model_cfg = TriggerConfig(n_features=16, conv_channels=16, hidden_size=16, num_layers=1,
                              dropout=0.0)  # fmt: skip
    trainer = TrainerConfig(epochs=14, lr=1e-2, seed=0)
    trained = train_detector(read_clips(data / "train"), model_cfg, trainer, tmp_path / "m",
                             batch_size=8, sample_rate=8000, hop_ms=10.0,
                             label_steps=20)  # fmt: skip
    assert 0.1 <= trained.model.threshold <= 0.95 and "f1" in trained.scores
    model = load_detector(tmp_path / "m")
    assert model.threshold == trained.model.threshold and model.label_steps == 20
    torch.testing.assert_close(model.feature_mean, trained.model.feature_mean)
    report = evaluate_detector(model, read_clips(data / "test"))
    assert report["triggers"] > 5
    assert report["f1"] >= 0.8, report  # held-out tones: learnt, not memorised
    assert report["all_zero_frame_accuracy"] > 0.5


def test_extra_folders_go_into_training_clips_only(raw, tmp_path):
    extra = make_raw(tmp_path / "extra", n_words=3, seed=5)
    cfg = ClipConfig(sample_rate=8000, seconds=2.0)
    plain = build_trigger_data(raw, tmp_path / "a", n_train=2, n_test=3, config=cfg, seed=1)
    more = build_trigger_data(raw, tmp_path / "b", n_train=4, n_test=3, config=cfg, seed=1,
                              extra_activates=[extra / "activates"],
                              extra_negatives=[extra / "negatives"])  # fmt: skip
    assert len(more["train"]["activates"]) == len(plain["train"]["activates"]) + 3
    assert more["test"] == plain["test"]
    # the test clips depend on the seed and the raw folder only
    for a, b in zip(read_clips(tmp_path / "a" / "test"), read_clips(tmp_path / "b" / "test")):
        assert a.path.read_bytes() == b.path.read_bytes()
    with pytest.raises(ValueError, match="not a folder of WAV files"):
        build_trigger_data(raw, tmp_path / "c", extra_activates=[tmp_path / "nope"])


def test_train_config_changes_the_training_clips_only(raw, tmp_path):
    cfg = ClipConfig(sample_rate=8000, seconds=2.0)
    quiet = ClipConfig(sample_rate=8000, seconds=2.0, word_db=(-40.0, -38.0))
    build_trigger_data(raw, tmp_path / "a", n_train=3, n_test=2, config=cfg, seed=2)
    build_trigger_data(raw, tmp_path / "b", n_train=3, n_test=2, config=cfg, seed=2,
                       train_config=quiet)  # fmt: skip
    for a, b in zip(read_clips(tmp_path / "a" / "test"), read_clips(tmp_path / "b" / "test")):
        assert a.path.read_bytes() == b.path.read_bytes()
    differ = [
        a.path.read_bytes() != b.path.read_bytes()
        for a, b in zip(read_clips(tmp_path / "a" / "train"), read_clips(tmp_path / "b" / "train"))
    ]
    assert any(differ)
    with pytest.raises(ValueError, match="sample_rate and seconds"):
        build_trigger_data(raw, tmp_path / "c", config=cfg, train_config=ClipConfig())


def test_noise_db_adds_a_second_background_at_its_level():
    rng = np.random.default_rng(3)
    config = ClipConfig(sample_rate=8000, seconds=1.0, max_triggers=0, max_negatives=0,
                        clip_gain_db=0.0, noise_db=(-30.0, -30.0))  # fmt: skip
    clip = overlay_clip(np.zeros(8000, np.float32), [], [], rng, config)
    rms = np.sqrt(np.mean(clip.samples.astype(np.float64) ** 2))
    assert 20 * np.log10(rms) == pytest.approx(-30.0, abs=0.01)
    with pytest.raises(ValueError, match="noise_db"):
        ClipConfig(noise_db=(-10.0, -20.0))


@pytest.mark.parametrize("db", [12.0, -12.0, 3.0, 0.0])
def test_tilt_raises_the_gain_at_nyquist_over_0_hz_by_db(db):
    impulse = np.zeros(64, np.float32)
    impulse[0] = 1.0
    h = np.abs(np.fft.rfft(tilt(impulse, db).astype(np.float64)))  # the frequency response
    assert 20 * np.log10(h[-1] / h[0]) == pytest.approx(db, abs=1e-4)
    w = np.linspace(0, np.pi, len(h))  # |1 - a e^{-iw}| rises monotonically for a > 0
    assert np.all(np.diff(h) * np.sign(db) >= -1e-6)
    a = (10 ** (db / 20) - 1) / (10 ** (db / 20) + 1)
    np.testing.assert_allclose(h, np.abs(1 - a * np.exp(-1j * w)), atol=1e-6)


def test_tilt_db_tilts_each_word_both_ways_and_leaves_it_alone_when_off():
    config = ClipConfig(sample_rate=8000, seconds=2.0, max_triggers=1, max_negatives=0,
                        word_db=(-20.0, -20.0), clip_gain_db=0.0, speed=False)  # fmt: skip
    word = np.random.default_rng(0).normal(size=4000).astype(np.float32)  # white: flat
    silence = np.zeros(16000, np.float32)
    highs, lows = [], []
    for seed in range(40):
        clip = overlay_clip(silence, [word], [], np.random.default_rng(seed),
                            dataclasses.replace(config, tilt_db=20.0))  # fmt: skip
        if not clip.triggers:
            continue
        spectrum = np.abs(np.fft.rfft(clip.samples.astype(np.float64))) ** 2
        n = len(spectrum)
        lows.append(spectrum[: n // 8].mean())
        highs.append(spectrum[-n // 8 :].mean())
    ratio_db = 10 * np.log10(np.array(highs) / np.array(lows))
    assert ratio_db.min() < -8 and ratio_db.max() > 8  # tilted both ways
    assert np.all(np.abs(ratio_db) < 20 + 1)
    # off, the word goes in as recorded (only scaled to its level)
    clip = overlay_clip(silence, [word], [], np.random.default_rng(1), config)
    (start, end), rate = clip.triggers[0], config.sample_rate
    placed = clip.samples[round(start * rate) : round(end * rate)]
    np.testing.assert_allclose(placed, word * (np.std(placed) / np.std(word)), atol=1e-6)
    with pytest.raises(ValueError, match="tilt_db"):
        ClipConfig(tilt_db=-1.0)


def expected_eq_gain_db(f, gains, centres):
    """The equaliser's curve written out band by band (independent of np.interp)."""
    if f <= centres[0]:
        return gains[0]
    if f >= centres[-1]:
        return gains[-1]
    k = max(i for i in range(len(centres)) if centres[i] <= f)
    if centres[k] == f:
        return gains[k]
    share = math.log(f / centres[k]) / math.log(centres[k + 1] / centres[k])
    return gains[k] + share * (gains[k + 1] - gains[k])


def test_equalise_has_the_octave_band_gains_between_log_spaced_centres():
    rate, gains = 16000, [3.0, -6.0, 0.0, 9.0, -12.0, 4.0, -2.0]
    impulse = np.zeros(512, np.float32)
    impulse[0] = 1.0
    h = np.fft.rfft(equalise(impulse, gains, rate).astype(np.float64))  # the response
    freqs = np.fft.rfftfreq(512, 1 / rate)
    want = [expected_eq_gain_db(f, gains, EQ_CENTRES) for f in freqs]
    np.testing.assert_allclose(20 * np.log10(np.abs(h)), want, atol=1e-4)
    np.testing.assert_allclose(h.imag, 0.0, atol=1e-6)  # zero phase: nothing moves in time
    # a tone at a centre comes out at exactly that centre's gain
    t = np.arange(rate) / rate
    for centre, g in zip(EQ_CENTRES[:-1], gains):
        tone = np.sin(2 * np.pi * centre * t).astype(np.float32)
        out = equalise(tone, gains, rate)
        assert 20 * np.log10(out.std() / tone.std()) == pytest.approx(g, abs=1e-3)
    flat = np.random.default_rng(0).normal(size=999).astype(np.float32)
    np.testing.assert_allclose(equalise(flat, [0.0] * 7, rate), flat, atol=1e-6)
    with pytest.raises(ValueError, match="one gain per centre"):
        equalise(flat, [1.0, 2.0], rate)
    with pytest.raises(ValueError, match="increasing"):
        equalise(flat, [1.0, 2.0], rate, centres=[500.0, 250.0])


def test_eq_db_colours_each_training_word_differently_within_the_bound():
    config = ClipConfig(sample_rate=16000, seconds=1.0, max_triggers=1, max_negatives=0,
                        word_db=(-20.0, -20.0), clip_gain_db=0.0, speed=False,
                        eq_db=12.0)  # fmt: skip
    word = np.random.default_rng(0).normal(size=8000).astype(np.float32)  # white: flat
    silence = np.zeros(16000, np.float32)
    spectrum = np.abs(np.fft.rfft(word.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(8000, 1 / 16000)
    band = (freqs > 1800) & (freqs < 2200)  # around the 2 kHz centre
    low = (freqs > 450) & (freqs < 550)  # around 500 Hz
    contrasts = []
    for seed in range(40):
        clip = overlay_clip(silence, [word], [], np.random.default_rng(seed), config)
        if not clip.triggers:
            continue
        (start, end), rate = clip.triggers[0], config.sample_rate
        placed = clip.samples[round(start * rate) : round(end * rate)].astype(np.float64)
        out = np.abs(np.fft.rfft(placed)) ** 2
        gain = 10 * np.log10(out / spectrum)  # per bin, dB (up to the level scaling)
        contrasts.append(gain[band].mean() - gain[low].mean())
    contrasts = np.array(contrasts)
    assert contrasts.min() < -8 and contrasts.max() > 8  # each way, word by word
    assert np.all(np.abs(contrasts) <= 24 + 0.5)  # two gains within +-12 dB each
    with pytest.raises(ValueError, match="eq_db"):
        ClipConfig(eq_db=-1.0)


def test_for_training_changes_only_the_given_fields():
    base = ClipConfig(sample_rate=8000, seconds=2.0, word_db=(-30.0, -20.0))
    assert base.for_training() is None
    assert base.for_training(word_db=None, noise_db=None, tilt_db=0.0, eq_db=0.0) is None
    harder = base.for_training(word_db=[-36.0, -14.0], eq_db=12.0)
    assert harder == ClipConfig(sample_rate=8000, seconds=2.0, word_db=(-36.0, -14.0), eq_db=12.0)
    noisy = base.for_training(noise_db=[-65.0, -35.0], tilt_db=6.0)
    assert noisy.noise_db == (-65.0, -35.0) and noisy.tilt_db == 6.0
    assert noisy.word_db == base.word_db and noisy.eq_db == 0.0
    with pytest.raises(ValueError, match="eq_db"):
        base.for_training(eq_db=-3.0)


def test_frequency_masks_hide_up_to_count_bands_of_up_to_width():
    torch.manual_seed(0)
    one = frequency_masks(4000, 20, 6, 1)
    widths = one.sum(1)
    assert widths.max() == 6 and widths.min() == 0
    for row in one[:200]:  # one mask: one contiguous band
        idx = torch.nonzero(row).flatten()
        if len(idx):
            assert (idx.max() - idx.min() + 1) == len(idx)
    assert one.any(0).all()  # every band, the edges included, is hidden sometimes
    two = frequency_masks(4000, 20, 6, 2)
    assert two.sum(1).max() <= 12 and (two.sum(1) > 6).any()
    assert not frequency_masks(10, 20, 0, 2).any() and not frequency_masks(10, 20, 6, 0).any()


def test_freq_mask_hides_bands_in_training_and_does_nothing_at_inference():
    model = small(freq_mask_width=3, freq_masks=1)
    plain = small()
    plain.load_state_dict(model.state_dict())
    x = torch.randn(5, 30, 8)
    torch.testing.assert_close(model(x)[0], plain(x)[0])  # eval: no masks
    model.train()
    torch.manual_seed(7)
    mask = frequency_masks(5, 8, 3, 1)
    torch.manual_seed(7)
    x.requires_grad_(True)
    model(x)[0].sum().backward()
    touched = x.grad.abs().sum(1) > 0  # (B, F): features the output depends on
    assert mask.any()
    assert torch.equal(touched, ~mask)
    with pytest.raises(ValueError, match="freq_mask_width"):
        TriggerConfig(n_features=8, freq_mask_width=9)
