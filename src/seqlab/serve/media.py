"""The verbs of the audio, music and image tasks: CTC speech recognition, trigger-word detection,
chorale sampling and image captioning. Uploads are written to a private temporary file and read
by the same readers as the CLI's (so a bad file gets the same message, with the upload's name
in place of the temporary path)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any

from seqlab.serve.figures import data_url, draw
from seqlab.serve.options import Options, RequestError
from seqlab.serve.served import Served, Upload, Verb

__all__ = ["MEDIA_TASKS"]


@contextlib.contextmanager
def _as_file(upload: Upload, suffix: str) -> Iterator[str]:
    """The upload as a temporary file; ValueErrors that name the file name the upload instead."""
    if not upload.data:
        raise RequestError(f"{upload.name}: the upload is empty")
    fd, path = tempfile.mkstemp(suffix=suffix, prefix="seqlab-serve-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(upload.data)
        try:
            yield path
        except RequestError:
            raise
        except ValueError as error:
            raise RequestError(str(error).replace(path, upload.name)) from None
    finally:
        os.unlink(path)


# --- speech: seqlab speech transcribe ---------------------------------------------------------


def prepare_speech(served: Served) -> None:
    served.info.update(sample_rate=served.model.features.sample_rate,
                       alphabet="".join(served.model.alphabet.chars))  # fmt: skip


def speech_transcribe(served: Served, o: Options, upload: Upload) -> dict[str, Any]:
    from seqlab.speech import transcribe_file

    beam = o.integer("beam", 1, 1, o.limits.max_beam)
    with _as_file(upload, ".wav") as path:
        t = transcribe_file(served.model, path, beam_size=beam, max_seconds=30.0)
    return {"results": [{"file": upload.name, "text": t.text}],  # = speech transcribe --json
            "frames": t.frames, "seconds": t.seconds, "silent": t.silent}  # fmt: skip


# --- trigger word: seqlab trigger detect ------------------------------------------------------


def prepare_trigger(served: Served) -> None:
    served.info.update(threshold=float(served.model.threshold),
                       step_seconds=float(served.model.step_seconds))  # fmt: skip


def trigger_detect(served: Served, o: Options, upload: Upload) -> dict[str, Any]:
    import warnings

    from seqlab.speech import detect_triggers, trigger_figure, trigger_probabilities
    from seqlab.speech.audio import read_wav

    model = served.model
    threshold = o.number("threshold", float(model.threshold), 0.0, 1.0, above=True)
    refractory = o.number("refractory", 0.5, 0.0, 60.0)
    plot = o.flag("plot")
    with _as_file(upload, ".wav") as path:
        samples, rate = read_wav(path, sample_rate=model.features.sample_rate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probs = trigger_probabilities(model, samples)
    times = detect_triggers(probs, model.step_seconds, threshold=threshold, refractory=refractory)
    answer = {"results": [{"file": upload.name, "times": [round(t, 3) for t in times]}],
              "probabilities": [round(float(p), 4) for p in probs],
              "step_seconds": float(model.step_seconds), "threshold": threshold}  # fmt: skip
    if plot:
        answer["figure"] = draw(lambda: trigger_figure(samples, rate, probs, model.step_seconds,
                                                       times, threshold, upload.name))  # fmt: skip
    return answer


# --- music: seqlab music sample ---------------------------------------------------------------


def music_sample(served: Served, o: Options, upload: None = None) -> dict[str, Any]:
    from seqlab.music import roll_figure, sample, write_midi

    length = o.integer("length", 64, 1, o.limits.max_length)
    temperature = o.number("temperature", 1.0, 0.0, 100.0, above=True)
    seed = o.integer("seed", None, 0, 2**63 - 1)
    tempo = o.number("tempo", 100.0, 0.0, 1000.0, above=True)
    plot = o.flag("plot")
    roll = sample(served.model, length, temperature=temperature, seed=seed)
    fd, path = tempfile.mkstemp(suffix=".mid", prefix="seqlab-serve-")
    os.close(fd)
    try:
        write_midi(roll, path, tempo=tempo)
        with open(path, "rb") as f:
            midi = f.read()
    finally:
        os.unlink(path)
    # = music sample --json, less the paths of the files the CLI writes ("out", "plot")
    result = {"time_steps": int(len(roll)), "prime_time_steps": 0, "notes": int(roll.sum())}
    answer = {"results": [result], "midi": data_url(midi, "audio/midi")}
    if plot:
        title = f"Sampled from {served.name} (temperature {temperature:g}"
        title += f", seed {seed})" if seed is not None else ")"
        answer["figure"] = draw(lambda: roll_figure(roll, n_prime=0, title=title))
    return answer


# --- image captioning: seqlab caption run | attention -----------------------------------------


def prepare_caption(served: Served) -> None:
    c = served.model.config
    served.info.update(attention=bool(c.attention), image_size=int(c.image_size),
                       channels=int(c.in_channels))  # fmt: skip


def caption_run(served: Served, o: Options, upload: Upload) -> dict[str, Any]:
    from seqlab.vision.caption import caption_images
    from seqlab.vision.images import read_image
    from seqlab.vision.plot import attention_panels

    model = served.model
    beam = o.integer("beam", 3, 1, o.limits.max_beam)
    alpha = o.number("alpha", 0.7, 0.0, 10.0)
    on_size = "resize" if o.flag("resize") else "error"
    plot = o.flag("plot")
    mode = "L" if model.config.in_channels == 1 else "RGB"
    with _as_file(upload, ".png") as path:
        image = read_image(path, mode=mode, size=model.config.image_size, on_size=on_size)
    hyp = caption_images(model, [image], beam_size=beam, alpha=alpha)[0]
    answer: dict[str, Any] = {
        "results": [{"image": upload.name, "caption": hyp.text, "score": hyp.score}]
    }  # = caption run --json
    if hyp.attention is not None:
        words = hyp.output_tokens
        answer.update(words=words, alpha=hyp.attention.tolist())
        if plot:
            answer["figure"] = draw(lambda: attention_panels(image, words, hyp.attention.numpy(),
                                                             title=hyp.text))  # fmt: skip
    return answer


MEDIA_TASKS: dict[str, tuple[Any, dict[str, Verb]]] = {
    "speech": (prepare_speech, {"transcribe": Verb(speech_transcribe, ("beam", "name"), "wav")}),
    "trigger": (prepare_trigger, {
        "detect": Verb(trigger_detect, ("threshold", "refractory", "plot", "name"), "wav"),
    }),
    "music": (None, {
        "sample": Verb(music_sample, ("length", "temperature", "seed", "tempo", "plot")),
    }),
    "caption": (prepare_caption, {
        "run": Verb(caption_run, ("beam", "alpha", "resize", "plot", "name"), "png"),
    }),
}  # fmt: skip
