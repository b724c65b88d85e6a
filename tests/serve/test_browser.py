"""The page of ``seqlab serve`` in a real browser: headless Chromium driven by selenium through
the system chromedriver, against the ``served`` fixture's server of real model folders.

Each answer the page draws is checked against the library on the same model: the translation
(``beam_search``), the tagged entities (``SequenceTagger.predict``), the transcript
(``transcribe_file``). Bad input typed or uploaded through the page shows the API's error line
and the panel keeps working. ``SEQLAB_SCREENSHOT=DIR`` (a ``seqlab demo --keep`` folder) writes
the page over those models to docs/serve.png (the picture docs/serve.md shows).

Without chromium, chromedriver or selenium the tests skip (saying why), except on CI (``CI=true``),
where they fail: CI must run them.
"""

from __future__ import annotations

import io
import json
import os
import time
import wave
from pathlib import Path

import numpy as np
import pytest

import seqlab
import seqlab.seq2seq
import seqlab.speech

from ._browser import Page, full_page_screenshot, missing, start_browser

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "src" / "seqlab" / "data" / "speech" / "recordings"
SCENES = ROOT / "src" / "seqlab" / "data" / "vision" / "scenes"
SCREENSHOT = ROOT / "docs" / "serve.png"  # written only with SEQLAB_SCREENSHOT set
WIDTH, HEIGHT = 1280, 2400  # the window: the screenshot shows every panel at this width


@pytest.fixture(scope="module")
def page(request):
    """The page, loaded once for the module's tests (each works in its own panel)."""
    reason = missing()  # checked before the server's models are built
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the browser tests cannot run: {reason}")
        print(f"browser tests skipped: {reason}")
        pytest.skip(reason)
    served = request.getfixturevalue("served")
    driver = start_browser(WIDTH, HEIGHT)
    try:
        page = Page(driver, served.url + "/")
        page.open()
        yield page
    finally:
        driver.quit()


@pytest.fixture(autouse=True)
def _no_script_errors(request):
    """No JavaScript exception during a test (the 4xx answers' network lines are expected)."""
    yield
    page = request.node.funcargs.get("page")  # absent when the browser tests were skipped
    if page is not None:
        logged = page.driver.get_log("browser")
        assert [e["message"] for e in logged if e["source"] != "network"] == []


def text_of(element) -> str:
    """The element's exact text (textContent: no whitespace folding, unlike .text)."""
    return element.get_attribute("textContent")


def panel_of(page: Page, served, key: str):
    """The panel of the fixture's model ``key`` (its task, or "dates" for the seq2seq model)."""
    task = "seq2seq" if key == "dates" else key
    return page.wait_for(f"section.panel[data-model='{served.names[key]}'][data-task='{task}']")


def test_page_lists_every_model_with_a_panel(page, served):
    listed = [text_of(a) for a in page.driver.find_elements("css selector", "#model-list a")]
    assert sorted(listed) == sorted(served.names.values())
    for key in served.names:
        panel = panel_of(page, served, key)
        assert panel.find_elements("css selector", "button[data-verb]")
        assert panel.find_elements("css selector", ".output[data-verb]")


# --- (a) translation ---------------------------------------------------------------------------


def test_translation_and_attention_match_the_library(page, served):
    lines, beam = ["17 May 2024", "c"], 1  # the fixture's untrained model says "z" and "zy"
    model = seqlab.load(served.folders["dates"])
    best = [hyps[0] for hyps in seqlab.seq2seq.beam_search(model, lines, beam_size=beam)]

    panel = panel_of(page, served, "dates")
    page.fill(panel, "run", text="\n".join(lines), beam=beam, alpha=0.7, n=1)
    out = page.submit(panel, "run")

    assert out.get_attribute("data-state") == "done", out.text
    assert [text_of(s) for s in out.find_elements("css selector", ".src")] == [
        f"source {line}" for line in lines
    ]
    assert [text_of(h) for h in out.find_elements("css selector", ".hyp")] == [h.text for h in best]
    images = out.find_elements("css selector", "img.attention")
    assert len(images) == len(lines) and all(page.image_loaded(i) for i in images)
    rows = out.find_elements("css selector", "article.line:first-child table.heatmap tbody tr")
    shown = [{" ": "␣"}.get(t, t) for t in best[0].output_tokens]  # the page marks spaces
    assert [text_of(r.find_element("css selector", "th")) for r in rows] == shown


def test_n_best_lists_the_library_hypotheses(page, served):
    text = "abc cab"
    model = seqlab.load(served.folders["dates"])
    expected = [h.text for h in seqlab.seq2seq.beam_search(model, [text], beam_size=4, n_best=3)[0]]

    panel = panel_of(page, served, "dates")
    page.fill(panel, "run", text=text, beam=4, n=3)
    out = page.submit(panel, "run")

    assert [text_of(h) for h in out.find_elements("css selector", ".hyp")] == expected
    page.fill(panel, "run", n=1)


# --- (b) tagging -------------------------------------------------------------------------------


def test_entities_match_the_library(page, served):
    sentence = "the cat Anna sat on the mat in Oslo ."
    tokens = sentence.split()
    model = seqlab.load(served.folders["tag"])
    expected = [(" ".join(tokens[e.start : e.end]), e.type)
                for e in model.predict([tokens])[0].entities]  # fmt: skip
    assert expected, "the fixture's tagger should find entities"

    panel = panel_of(page, served, "tag")
    page.fill(panel, "predict", text=sentence)
    out = page.submit(panel, "predict")

    assert out.get_attribute("data-state") == "done", out.text
    marks = out.find_elements("css selector", ".tagged mark.entity")
    assert [(text_of(m), m.get_attribute("data-type")) for m in marks] == expected
    legend = [text_of(li) for li in out.find_elements("css selector", "ul.legend li")]
    assert legend == sorted({t for _, t in expected})
    assert text_of(out.find_element("css selector", ".tagged")).split() == tokens


# --- (c) speech --------------------------------------------------------------------------------


@pytest.mark.parametrize("wav, beam", [("7_jackson_3.wav", 1), ("3_george_0.wav", 4)])
def test_transcript_matches_the_library(page, served, wav, beam):
    path = RECORDINGS / wav
    model = seqlab.load(served.folders["speech"])
    expected = seqlab.speech.transcribe_file(model, path, beam_size=beam)

    panel = panel_of(page, served, "speech")
    page.fill(panel, "transcribe", file=path, beam=beam)
    out = page.submit(panel, "transcribe")

    assert out.get_attribute("data-state") == "done", out.text
    assert text_of(out.find_element("css selector", ".transcript")) == expected.text
    assert wav in text_of(out.find_element("css selector", ".transcript-line"))
    frames = text_of(out.find_element("css selector", "pre.frames"))
    assert frames == getattr(expected, "frames", frames) and frames.strip("_ ")


def test_recordings_are_encoded_as_pcm16_wav(page, served):
    """The recorder's encoder (app.js encodeWav) against Python's wave module and NumPy."""
    samples = np.sin(np.linspace(0, 60, 800)) * np.linspace(-1.2, 1.2, 800)  # clips at both ends
    script = """const done = arguments[arguments.length - 1];
        encodeWav(Float32Array.from(arguments[0]), arguments[1]).arrayBuffer()
            .then((b) => done(Array.from(new Uint8Array(b))));"""
    data = bytes(page.driver.execute_async_script(script, samples.tolist(), 8000))

    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    x = np.clip(samples.astype(np.float32).astype(np.float64), -1, 1)  # JS: float32 -> double
    assert np.array_equal(pcm, np.trunc(np.where(x < 0, x * 32768, x * 32767)).astype(np.int16))
    status, answer = served.post(f"{served.names['speech']}/transcribe", data=data,
                                 query="name=sine.wav")  # fmt: skip
    assert status == 200, answer


def test_a_microphone_recording_is_sent(page, served):
    """Record, Stop with Chromium's fake microphone (a beep): the recording becomes the form's
    file, recording.wav, and is transcribed."""
    panel = panel_of(page, served, "speech")
    form = page.form(panel, "transcribe")
    out = form.find_element("css selector", ".output")
    record = form.find_element("css selector", "button.record")
    record.click()
    page.wait_until(lambda: record.text == "Stop", message="the recorder did not start")
    time.sleep(1.0)
    record.click()  # Stop: the recording is encoded, becomes the file and the form is sent
    page.wait_until(lambda: "recording.wav" in text_of(out), 60, "no answer to the recording")

    assert out.get_attribute("data-state") == "done", out.text
    chosen = form.find_element("css selector", "input[name='file']").get_attribute("value")
    assert chosen.endswith("recording.wav")
    assert record.text == "Record"


# --- (d) errors through the page ---------------------------------------------------------------


def test_empty_text_shows_the_error_and_the_panel_still_works(page, served):
    name = served.names["tag"]
    status, answer = served.post(f"{name}/predict", {"text": ""})
    assert status == 400

    panel = panel_of(page, served, "tag")
    page.fill(panel, "predict", text="")
    out = page.submit(panel, "predict")

    assert out.get_attribute("data-state") == "error"
    error = text_of(out.find_element("css selector", "p.error"))
    assert "400" in error and answer["error"] in error

    page.fill(panel, "predict", text="the cat sat")
    out = page.submit(panel, "predict")
    assert out.get_attribute("data-state") == "done", out.text
    assert not out.find_elements("css selector", "p.error")
    assert out.find_elements("css selector", "mark.entity")


def test_a_non_wav_upload_shows_the_error_and_the_panel_still_works(page, served, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a recording\n", encoding="utf-8")
    name = served.names["speech"]
    status, answer = served.post(f"{name}/transcribe", data=bad.read_bytes(),
                                 query="beam=1&name=notes.txt")  # fmt: skip
    assert status in (400, 415)

    panel = panel_of(page, served, "speech")
    page.fill(panel, "transcribe", file=bad, beam=1)
    out = page.submit(panel, "transcribe")

    assert out.get_attribute("data-state") == "error"
    error = text_of(out.find_element("css selector", "p.error"))
    assert str(status) in error and answer["error"] in error and "notes.txt" in error

    page.fill(panel, "transcribe", file=RECORDINGS / "1_jackson_1.wav")
    out = page.submit(panel, "transcribe")
    assert out.get_attribute("data-state") == "done", out.text
    assert text_of(out.find_element("css selector", ".transcript"))


def test_the_limits_reach_the_form_and_a_413_is_shown(page, served):
    status, listing = served.get("/api/models")
    assert status == 200
    limits = json.loads(listing)["limits"]
    panel = panel_of(page, served, "classify")
    textarea = page.form(panel, "predict").find_element("css selector", "textarea[name='text']")
    assert textarea.get_attribute("maxlength") == str(limits["max_text_chars"])

    page.fill(panel, "predict", text="\n".join(["the cat"] * (limits["max_lines"] + 1)))
    out = page.submit(panel, "predict")

    assert out.get_attribute("data-state") == "error"
    error = text_of(out.find_element("css selector", "p.error"))
    assert error.startswith("Error 413: ") and f"limit is {limits['max_lines']}" in error


# --- every verb, and (e) the screenshot --------------------------------------------------------

EVERY_VERB = [  # (panel, verb, what to type or upload, what the answer draws)
    ("lm", "score", {"text": "abcab\ncab"}, ".scored .token"),
    ("lm", "sample", {"n": 3, "seed": 1}, "ol.samples li"),
    ("dates", "run", {"text": "17 May 2024\n3 March 1997", "beam": 1}, "img.attention"),
    ("classify", "predict", {"text": "the cat sat on the mat"}, "table.probabilities tr"),
    ("tag", "predict", {"text": "the cat Anna sat on the mat"}, "mark.entity"),
    ("vectors", "similar", {"words": "king", "negative_words": "man"}, "table.neighbours tr"),
    ("vectors", "analogy", {"a": "man", "b": "woman", "c": "king"}, "table.neighbours tbody tr"),
    ("vectors", "bias", {"word": "nurse"}, "table.bias"),
    ("speech", "transcribe", {"file": RECORDINGS / "7_jackson_3.wav"}, ".transcript"),
    ("trigger", "detect", {"file": RECORDINGS / "9_theo_4.wav"}, "img.figure"),
    ("music", "sample", {"length": 32, "seed": 1}, "img.piano-roll"),
    ("caption", "run", {"file": SCENES / "scene-00001.png"}, ".caption"),
]


@pytest.mark.parametrize("task, verb, values, drawn", EVERY_VERB,
                         ids=[f"{t}-{v}" for t, v, _, _ in EVERY_VERB])  # fmt: skip
def test_every_verb_answers_through_the_page(page, served, task, verb, values, drawn):
    panel = panel_of(page, served, task)
    page.fill(panel, verb, **values)
    out = page.submit(panel, verb)
    assert out.get_attribute("data-state") == "done", out.text
    assert out.find_elements("css selector", drawn)
    for image in out.find_elements("css selector", "img"):
        assert page.image_loaded(image)
    if task == "music":
        link = out.find_element("css selector", "a[download='chorale.mid']")
        assert link.get_attribute("href").startswith("data:audio/midi;base64,")


def test_screenshot(page, served, tmp_path):
    """The whole page with an answer in every panel: docs/serve.png with SEQLAB_SCREENSHOT set,
    else a temporary file. Panels the tests above left empty (this test run alone) are filled in
    first."""
    from PIL import Image

    for task, verb, values, _ in EVERY_VERB:
        panel = panel_of(page, served, task)
        if page.form(panel, verb).find_elements("css selector", ".output[data-state='idle']"):
            page.fill(panel, verb, **values)
            page.submit(panel, verb)
    target = tmp_path / "serve.png"
    page.driver.execute_script("window.scrollTo(0, 0)")
    full_page_screenshot(page.driver, target)
    with Image.open(target) as image:
        width, height = image.size
    assert width >= WIDTH - 40 and height > HEIGHT / 2


DEMO_INPUTS = [  # (model of `seqlab demo --keep`, verb, what to type or upload)
    ("dates", "run", {"text": "3 mars 1997\nthe 21st of August 2016", "beam": 3}),
    ("dinosaurs", "score", {"text": "Tyrannosaurus\nXqzzsaurus"}),
    ("dinosaurs", "sample", {"n": 5, "seed": 1}),
    ("emoji", "predict", {"text": "I love baseball\nlets eat"}),
    ("glove.6B.50d.demo", "analogy", {"a": "man", "b": "woman", "c": "king"}),
    ("glove.6B.50d.demo", "bias", {"word": "nurse"}),
    ("digits", "transcribe", {"file": RECORDINGS / "3_george_0.wav"}),
    ("chorales", "sample", {"length": 48, "seed": 1}),
    ("scenes", "run", {"file": SCENES / "scene-00001.png"}),
]


def test_docs_screenshot_of_the_demo_models():
    """docs/serve.png: the page over the models of ``seqlab demo --keep DIR``, each panel with a
    real answer. Runs only with SEQLAB_SCREENSHOT=DIR (it rewrites the docs' picture)."""
    from seqlab.serve import build_app, load_served, running

    folder = os.environ.get("SEQLAB_SCREENSHOT")
    if not folder or not Path(folder).is_dir():
        pytest.skip("SEQLAB_SCREENSHOT=DIR (a seqlab demo --keep folder) writes docs/serve.png")
    reason = missing()
    if reason is not None:
        pytest.skip(reason)
    app = build_app(load_served([str(p) for p in sorted(Path(folder).iterdir())]))
    driver = start_browser(WIDTH, HEIGHT)
    try:
        with running(app) as url:
            page = Page(driver, url + "/")
            page.open()
            for name, verb, values in DEMO_INPUTS:
                panel = driver.find_element("css selector", f"section.panel[data-model='{name}']")
                page.fill(panel, verb, **values)
                assert page.submit(panel, verb).get_attribute("data-state") == "done"
            driver.execute_script("window.scrollTo(0, 0)")
            full_page_screenshot(driver, SCREENSHOT)
    finally:
        driver.quit()
