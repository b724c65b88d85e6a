"""The digit recogniser and recordings shipped for the demo: the model loads and reads them."""

from importlib.resources import files

from seqlab.speech import DIGIT_NAMES, load_recognizer, transcribe


def test_the_shipped_recogniser_reads_the_shipped_recordings():
    root = files("seqlab") / "data" / "speech"
    model = load_recognizer(str(root / "fsdd-digits-64"))
    wavs = sorted(str(p) for p in (root / "recordings").iterdir() if p.name.endswith(".wav"))
    assert len(wavs) == 8
    said = [DIGIT_NAMES[int(w.rsplit("/", 1)[1].split("_")[0])] for w in wavs]  # {digit}_...
    assert transcribe(model, wavs, beam_size=8) == said
