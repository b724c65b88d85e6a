"""``seqlab speech transcribe | evaluate``: a character LM in the beam search, silent and long
recordings, the progress bar; and ``split_points``, which cuts long recordings."""

import io

import numpy as np
import pytest
from scipy.io import wavfile

from seqlab.cli import main
from seqlab.speech import is_silent, load_recognizer, split_points, transcribe_file
from tests.cli._helpers import fails, json_lines
from tests.speech._toy import RATE, say, write_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("toy")
    write_folder(root, 16, seed=2)
    return root


@pytest.fixture(scope="module")
def recogniser(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "asr"
    argv = ["speech", "train", str(folder), "--out", str(out), "--conv-channels", "8",
            "--hidden-size", "8", "--num-layers", "1", "--epochs", "1", "--batch-size", "8",
            "--json", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    return out


def _char_lm(tmp_path_factory, name, text):
    corpus = tmp_path_factory.mktemp("corpora") / f"{name}.txt"
    corpus.write_text(text, encoding="utf-8")
    out = corpus.parent / name
    argv = ["lm", "train", str(corpus), "--out", str(out), "--mode", "lines", "--cell", "gru",
            "--hidden-size", "8", "--batch-size", "4", "--epochs", "1",
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def char_lm(tmp_path_factory):
    return _char_lm(tmp_path_factory, "ab-lm", "ab\nba\naab\nbab\nabb\nbaa\na\nb\n" * 3)


def test_transcribe_and_evaluate_with_a_char_lm(recogniser, char_lm, folder, capsys):
    wavs = [str(folder / "u0.wav"), str(folder / "u1.wav")]
    lm = ["--beam", "4", "--lm", str(char_lm), "--lm-weight", "0.8", "--insertion-bonus", "0.5"]
    assert main(["speech", "transcribe", str(recogniser), *wavs, *lm, "--json"]) == 0
    lines = json_lines(capsys.readouterr().out)
    assert [line["file"] for line in lines] == wavs
    assert all(set(line["text"]) <= set("ab") for line in lines)
    argv = ["speech", "evaluate", str(recogniser), str(folder), *lm, "--json", "--no-progress"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert set(json_lines(captured.out)[0]) == {"wer", "cer", "exact_match", "n"}
    assert captured.err == ""
    assert main(["speech", "evaluate", str(recogniser), str(folder), *lm]) == 0
    assert f"(beam 4, LM {char_lm} weight 0.8)" in capsys.readouterr().out


def test_lm_weight_zero_is_plain_beam_search(recogniser, char_lm, folder, capsys):
    wavs = [str(folder / f"u{i}.wav") for i in range(6)]
    assert main(["speech", "transcribe", str(recogniser), *wavs, "--beam", "4"]) == 0
    plain = capsys.readouterr().out
    argv = ["speech", "transcribe", str(recogniser), *wavs, "--beam", "4", "--lm", str(char_lm),
            "--lm-weight", "0"]  # fmt: skip
    assert main(argv) == 0
    assert capsys.readouterr().out == plain


def test_lm_errors(recogniser, char_lm, folder, tmp_path_factory, capsys):
    wav = folder / "u0.wav"
    fails(["speech", "transcribe", recogniser, wav, "--lm", char_lm], "--lm needs beam search",
          capsys)  # fmt: skip
    fails(["speech", "evaluate", recogniser, folder, "--lm", char_lm, "--beam", "1"],
          "--lm needs beam search", capsys)  # fmt: skip
    xyz = _char_lm(tmp_path_factory, "xyz-lm", "xyz\nzyx\nxx\n" * 4)
    capsys.readouterr()
    fails(["speech", "transcribe", recogniser, wav, "--lm", xyz, "--beam", "2"],
          "lacks characters ['a', 'b']", capsys)  # fmt: skip
    fails(["speech", "transcribe", recogniser, wav, "--lm", recogniser, "--beam", "2"],
          "does not hold a language model", capsys)  # fmt: skip
    fails(["speech", "transcribe", recogniser, wav, "--max-seconds", "0.5"], "--max-seconds",
          capsys)  # fmt: skip


def test_silent_recording_is_named_in_a_warning(recogniser, folder, tmp_path, capsys):
    silent = tmp_path / "quiet.wav"
    wavfile.write(silent, RATE, np.zeros(RATE, dtype=np.int16))
    wav = str(folder / "u0.wav")
    assert main(["speech", "transcribe", str(recogniser), str(silent), wav, "--json"]) == 0
    captured = capsys.readouterr()
    assert [line["text"] for line in json_lines(captured.out)][0] == ""
    assert captured.err.count("warning") == 1
    assert f"seqlab: warning: {silent}: silence only" in captured.err


def _long_recording(path, rng):
    """About 5.4 s of toy speech: six words of three letters, quiet between them."""
    pieces = []
    for _ in range(6):
        word = path.parent / "word.wav"
        say(word, "".join(rng.choice(["a", "b"], size=3)), rng)
        pieces += [wavfile.read(word)[1], np.zeros(int(0.3 * RATE), dtype=np.int16)]
    samples = np.concatenate(pieces)
    wavfile.write(path, RATE, samples)
    return samples


def test_long_recording_is_transcribed_in_pieces(recogniser, tmp_path, capsys):
    long = tmp_path / "long.wav"
    pcm = _long_recording(long, np.random.default_rng(5))
    argv = ["speech", "transcribe", str(recogniser), str(long), "--max-seconds", "1", "--json"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    text = json_lines(captured.out)[0]["text"]
    cuts = split_points(pcm / 32768.0, RATE, 1.0)
    assert len(cuts) >= 3
    note = f"seqlab: note: {long}: {len(pcm) / RATE:.1f} s is longer than --max-seconds 1: "
    assert note + f"transcribed in {len(cuts) + 1} pieces" in captured.err
    # the same as transcribing each piece as a file of its own, joined with spaces
    model, texts = load_recognizer(recogniser), []
    for i, piece in enumerate(np.split(pcm, cuts)):
        wavfile.write(tmp_path / f"piece{i}.wav", RATE, piece)
        t = transcribe_file(model, tmp_path / f"piece{i}.wav")
        texts += [t.text] if t.text else []
    assert text == " ".join(texts)
    # under the limit: one piece, no note
    assert main(["speech", "transcribe", str(recogniser), str(long), "--max-seconds", "6"]) == 0
    assert capsys.readouterr().err == ""


def test_evaluate_progress_bar_on_a_terminal(recogniser, folder, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for extra, shown in [([], True), (["--no-progress"], False)]:
        err = Terminal()
        monkeypatch.setattr("sys.stderr", err)
        assert main(["speech", "evaluate", str(recogniser), str(folder), "--json", *extra]) == 0
        assert ("transcribing" in err.getvalue()) == shown
    assert len(json_lines(capsys.readouterr().out)) == 2


@pytest.mark.parametrize("max_seconds", [1.0, 1.9, 2.0])  # a gap in each search window
def test_split_points_cut_at_the_quietest_frame(max_seconds):
    rng = np.random.default_rng(0)
    samples = 0.5 * rng.normal(size=5 * RATE)  # loud noise, with quiet gaps every 0.9 s
    gaps = [int(g * RATE) for g in np.arange(0.9, 5.0, 0.9)]
    for g in gaps:
        samples[g - 40 : g + 40] *= 1e-3
    cuts = split_points(samples, RATE, max_seconds)
    pieces = np.split(samples, cuts)
    assert all(len(p) <= max_seconds * RATE for p in pieces)
    assert len(pieces[-1]) >= max_seconds * RATE // 4
    for cut in cuts:  # each cut inside a gap
        assert min(abs(cut - g) for g in gaps) <= 80
    assert split_points(samples[: int(max_seconds * RATE)], RATE, max_seconds) == []


def test_split_points_never_leave_a_sliver():
    samples = np.ones(2 * RATE + 10)
    samples[2 * RATE :] = 0.0  # the quietest frames are the last 10 samples
    cuts = split_points(samples, RATE, 2.0)
    pieces = np.split(samples, cuts)
    assert len(pieces) == 2 and len(pieces[-1]) >= 2 * RATE // 4
    assert not any(is_silent(p) for p in pieces)
    with pytest.raises(ValueError, match="max_seconds"):
        split_points(samples, RATE, 0.01)


def test_closed_vocabulary_decoding(recogniser, folder, tmp_path, capsys):
    import torch

    from seqlab.speech import collate
    from seqlab.speech.ctc import ctc_log_likelihood
    from seqlab.speech.train import features_of

    words = ["a", "ab", "ba", "bab"]
    vocab = tmp_path / "words.txt"
    vocab.write_text("\n".join(words) + "\n\n", encoding="utf-8")
    wavs = [str(folder / f"u{i}.wav") for i in range(4)]
    assert main(["speech", "transcribe", str(recogniser), *wavs, "--vocabulary", str(vocab),
                 "--json"]) == 0  # fmt: skip
    texts = [line["text"] for line in json_lines(capsys.readouterr().out)]
    assert all(t in words for t in texts)
    # each is the phrase with the highest CTC likelihood of that recording
    model = load_recognizer(recogniser)
    for wav, text in zip(wavs, texts):
        batch = collate([features_of(wav, model.features)])
        with torch.no_grad():
            lp, n = model(batch["features"], batch["lengths"])
        lp = lp[0, : int(n[0])].numpy()
        scores = [ctc_log_likelihood(lp, model.alphabet.encode(w)) for w in words]
        assert text == words[max(range(len(words)), key=scores.__getitem__)]
    assert main(["speech", "evaluate", str(recogniser), str(folder), "--vocabulary", str(vocab),
                 "--json", "--no-progress"]) == 0  # fmt: skip
    assert json_lines(capsys.readouterr().out)[0]["n"] == 16
    fails(["speech", "transcribe", recogniser, wavs[0], "--vocabulary", "digits"],
          "characters the model cannot write", capsys)  # fmt: skip
    fails(["speech", "transcribe", recogniser, wavs[0], "--vocabulary", vocab, "--beam", "4"],
          "leave out --lm and --beam", capsys)  # fmt: skip
    fails(["speech", "transcribe", recogniser, wavs[0], "--vocabulary", tmp_path / "none.txt"],
          "no such file", capsys)  # fmt: skip
