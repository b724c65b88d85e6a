"""The HTTP API of seqlab serve against the library on the same model and input, and the CLI's
--json on the same input; bad requests get their status and one line, and the next request is
still served."""

from __future__ import annotations

import base64
import json
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import seqlab
from seqlab.cli import main
from tests.serve.conftest import LIMITS, RECORDINGS, SCENES

WAV = sorted(RECORDINGS.glob("*.wav"))[0]


def _model(served, panel):
    return seqlab.load(served.folders[panel]).eval()


def _cli_json(argv, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(argv) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_models_lists_every_panel_with_its_verbs_and_the_limits(served):
    status, body = served.get("/api/models")
    listing = json.loads(body)
    assert status == 200 and listing["limits"] == LIMITS.to_json()
    tasks = {m["task"]: m["verbs"] for m in listing["models"]}
    assert tasks == {"speech": ["transcribe"], "caption": ["run"],
                     "vectors": ["similar", "analogy", "bias"], "lm": ["sample", "score"],
                     "seq2seq": ["run"], "classify": ["predict"], "tag": ["predict"],
                     "music": ["sample"], "trigger": ["detect"]}  # fmt: skip


def test_the_page_and_its_assets_are_served(served):
    status, page = served.get("/")
    assert status == 200 and b"/static/app.js" in page
    for asset in ("/static/app.js", "/static/style.css"):
        assert served.get(asset)[0] == 200


# --- each task against the library and the CLI --------------------------------------------------


def test_lm_sample_is_the_library_sample_with_the_same_seed(served):
    body = {"n": 3, "seed": 7, "temperature": 0.9, "max_len": 20}
    status, answer = served.post(f"{served.names['lm']}/sample", body)
    assert status == 200 and answer["verb"] == "sample"
    expected = _model(served, "lm").sample(3, seed=7, temperature=0.9, max_len=20)
    assert [r["text"] for r in answer["results"]] == expected
    assert all(r["in_training_set"] is None for r in answer["results"])  # no training text kept


def test_lm_score_equals_the_cli_with_tokens(served, capsys):
    text = "abc\ncab"
    status, answer = served.post(f"{served.names['lm']}/score", {"text": text})
    assert status == 200
    cli = _cli_json(["lm", "score", str(served.folders["lm"]), "abc", "cab", "--tokens",
                     "--json"], capsys)  # fmt: skip
    assert answer["results"] == cli
    # surprise per token: -log p of each character and <eos>, summing to the logprob
    for r in answer["results"]:
        assert math.isclose(sum(r["token_logprobs"]), r["logprob"], rel_tol=1e-5)


def test_translate_run_equals_the_cli_and_draws_the_attention(served, tmp_path, capsys):
    name, folder = served.names["dates"], served.folders["dates"]
    status, answer = served.post(
        f"{name}/run", {"text": "abc\nba", "beam": 3, "n": 2, "plot": True}
    )
    assert status == 200
    src = tmp_path / "src.txt"
    src.write_text("abc\nba\n")
    cli = _cli_json(["translate", "run", str(folder), "--file", str(src), "--beam", "3", "-n",
                     "2", "--json"], capsys)  # fmt: skip
    assert answer["results"] == cli
    model = _model(served, "dates")
    best = seqlab.seq2seq.beam_search(model, ["abc"], beam_size=3, n_best=2)[0][0]
    att = answer["attention"][0]
    assert att["src_tokens"] == ["a", "b", "c"] and att["out_tokens"] == best.output_tokens
    np.testing.assert_allclose(att["weights"], best.attention.numpy(), rtol=1e-5)
    np.testing.assert_allclose(np.sum(att["weights"], axis=1), 1.0, rtol=1e-5)
    assert len(answer["figures"]) == 2 and _png(answer["figures"][0])


def test_classify_predict_gives_every_probability_and_the_saliency(served):
    from seqlab.classify import explain

    name = served.names["classify"]
    status, answer = served.post(f"{name}/predict", {"text": "the cat sat\non the mat"})
    assert status == 200
    model = _model(served, "classify")
    expected = model.predict(["the cat sat", "on the mat"])
    assert [(r["label"], r["prob"]) for r in answer["results"]] == [
        (p.label, pytest.approx(p.prob, rel=1e-6)) for p in expected
    ]
    probs, _ = model.predict_proba(["the cat sat", "on the mat"])
    for row, got in zip(probs.tolist(), answer["probabilities"]):
        assert got == pytest.approx(dict(zip(model.labels, row)), rel=1e-6)
        assert sum(got.values()) == pytest.approx(1.0, rel=1e-6)
    s = explain(model, "the cat sat")
    assert answer["saliency"][0]["tokens"] == s.tokens
    assert answer["saliency"][0]["saliency"] == pytest.approx(s.saliency, rel=1e-5, abs=1e-9)


def test_classify_predict_equals_the_cli_json(served, capsys, monkeypatch):
    import io

    name, folder = served.names["classify"], served.folders["classify"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"the cat sat\non the mat\n")))
    cli = _cli_json(["classify", "predict", str(folder), "--json"], capsys)
    status, answer = served.post(f"{name}/predict", {"text": "the cat sat\non the mat"})
    assert status == 200 and answer["results"] == cli


def test_tag_predict_equals_the_library_with_its_entities(served):
    status, answer = served.post(f"{served.names['tag']}/predict", {"text": "the cat sat"})
    assert status == 200
    expected = _model(served, "tag").predict([["the", "cat", "sat"]])[0].to_json()
    assert answer["results"] == [expected]
    assert answer["results"][0]["entities"]  # the crafted tagger marks every word


def test_vectors_similar_analogy_and_bias(served, capsys):
    from seqlab.embeddings import WordVectors, bias_direction, load_word_list

    name, path = served.names["vectors"], str(served.folders["vectors"])
    status, answer = served.post(f"{name}/similar", {"words": ["king"], "n": 5})
    cli = _cli_json(["embed", "similar", path, "king", "-n", "5", "--json"], capsys)
    assert status == 200 and answer["results"] == cli
    status, answer = served.post(f"{name}/analogy", {"a": "man", "b": "woman", "c": "king"})
    cli = _cli_json(["embed", "analogy", path, "man", "woman", "king", "--json"], capsys)
    assert status == 200 and answer["results"] == cli
    status, answer = served.post(f"{name}/bias", {"word": "nurse"})
    wv = WordVectors.load(path)
    g = bias_direction(wv, [p for p in load_word_list("definitional_pairs")
                            if p[0] in wv and p[1] in wv])  # fmt: skip
    e = wv["nurse"].astype(np.float64)
    r = answer["results"][0]
    assert status == 200 and r["projection"] == pytest.approx(e @ g / np.linalg.norm(e))
    assert abs(r["debiased_projection"]) < 1e-6 and r["gender_specific"] is False
    status, answer = served.post(f"{name}/bias", {"word": "king"})  # gender-specific: kept
    assert answer["results"][0]["gender_specific"] is True
    assert answer["results"][0]["debiased_projection"] == pytest.approx(
        answer["results"][0]["projection"]
    )


def test_speech_transcribe_equals_the_cli_with_the_ctc_frames(served, capsys):
    from seqlab.speech import load_recognizer, transcribe_file

    name = served.names["speech"]
    status, answer = served.post(f"{name}/transcribe", data=WAV.read_bytes(),
                                 query=f"beam=8&name={WAV.name}")  # fmt: skip
    assert status == 200
    cli = _cli_json(["speech", "transcribe", str(served.folders["speech"]), str(WAV), "--beam",
                     "8", "--json"], capsys)  # fmt: skip
    cli[0]["file"] = WAV.name
    assert answer["results"] == cli
    t = transcribe_file(load_recognizer(str(served.folders["speech"])), WAV, beam_size=8)
    assert answer["frames"] == t.frames and len(t.frames) > 0
    assert set(answer["frames"]) <= set("_" + "".join(served_alphabet(served)))


def served_alphabet(served) -> list[str]:
    listing = json.loads(served.get("/api/models")[1])
    return [m for m in listing["models"] if m["task"] == "speech"][0]["info"]["alphabet"]


def test_trigger_detect_gives_probabilities_times_and_a_picture(served):
    from seqlab.speech import detect_triggers, trigger_probabilities
    from seqlab.speech.audio import read_wav

    status, answer = served.post(f"{served.names['trigger']}/detect", data=WAV.read_bytes(),
                                 query="threshold=0.5&plot=true")  # fmt: skip
    assert status == 200
    model = _model(served, "trigger")
    samples, _ = read_wav(WAV, sample_rate=model.features.sample_rate)
    probs = trigger_probabilities(model, samples)
    np.testing.assert_allclose(answer["probabilities"], probs, atol=1e-4)
    times = detect_triggers(probs, model.step_seconds, threshold=0.5, refractory=0.5)
    assert answer["results"] == [{"file": "upload.wav", "times": [round(t, 3) for t in times]}]
    assert _png(answer["figure"])


def test_music_sample_is_the_library_piece_as_midi_and_a_roll(served, tmp_path):
    from seqlab.music import sample, write_midi

    status, answer = served.post(
        f"{served.names['music']}/sample", {"length": 16, "seed": 3, "plot": True}
    )
    assert status == 200
    roll = sample(_model(served, "music"), 16, seed=3)
    assert answer["results"] == [{"time_steps": 16, "prime_time_steps": 0,
                                  "notes": int(roll.sum())}]  # fmt: skip
    midi = base64.b64decode(answer["midi"].split(",", 1)[1])
    assert midi == write_midi(roll, tmp_path / "same.mid", tempo=100.0).read_bytes()
    assert _png(answer["figure"])


def test_caption_run_equals_the_cli_with_attention_over_the_grid(served, capsys):
    scene = sorted(SCENES.glob("*.png"))[0]
    status, answer = served.post(f"{served.names['caption']}/run", data=scene.read_bytes(),
                                 query=f"name={scene.name}&plot=true")  # fmt: skip
    assert status == 200
    cli = _cli_json(["caption", "run", str(served.folders["caption"]), str(scene), "--json"],
                    capsys)  # fmt: skip
    cli[0]["image"] = scene.name
    assert answer["results"] == cli
    alpha = np.array(answer["alpha"])
    assert alpha.shape[0] == len(answer["words"])
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, rtol=1e-5)  # over the L grid positions
    assert _png(answer["figure"])


def test_pictures_come_only_when_asked_for(served):
    """plot: true adds the PNGs the page shows; without it the numbers come alone (faster)."""
    scene = sorted(SCENES.glob("*.png"))[0].read_bytes()
    calls = [(f"{served.names['dates']}/run", {"text": "abc"}, None, "figures"),
             (f"{served.names['music']}/sample", {"length": 4, "seed": 2}, None, "figure"),
             (f"{served.names['trigger']}/detect", None, WAV.read_bytes(), "figure"),
             (f"{served.names['caption']}/run", None, scene, "figure")]  # fmt: skip
    for path, body, data, key in calls:
        plain = served.post(path, body, data=data)[1]
        drawn = served.post(path, {**body, "plot": True} if body else None, data=data,
                            query="plot=true" if data else "")[1]  # fmt: skip
        assert key not in plain and _png(drawn[key] if key == "figure" else drawn[key][0])
        assert plain["results"] == drawn["results"]


def _png(url: str) -> bool:
    head, data = url.split(",", 1)
    return head == "data:image/png;base64" and base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"


# --- bad requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("nope/run", {}, 404, "unknown model 'nope'; this server has: "),
        ("{dates}/sing", {}, 404, "has no verb 'sing'; it has: run"),
        ("{dates}/run", {}, 400, "text is missing"),
        ("{dates}/run", {"text": "  \n "}, 400, "text is empty"),
        ("{dates}/run", {"text": "a" * 301}, 413, "text has 301 characters; the limit is 300"),
        ("{dates}/run", {"text": "a\nb\nc\na\nb"}, 413, "5 lines; the limit is 4"),
        ("{dates}/run", {"text": "abc", "beam": 9}, 400, "beam must be in [1, 8], got 9"),
        ("{dates}/run", {"text": "abc", "beam": "x"}, 400, "beam must be an integer"),
        ("{dates}/run", {"text": "abc", "n": 4, "beam": 3}, 400, "n must be in [1, 3], got 4"),
        ("{dates}/run", {"text": "abc", "bem": 3}, 400, "unknown option 'bem'"),
        ("{dates}/run", [1, 2], 400, "the body must be a JSON object, got a list"),
        ("{lm}/sample", {"temperature": 0}, 400, "temperature must be in (0, 100], got 0"),
        ("{lm}/sample", {"n": 21}, 400, "n must be in [1, 20], got 21"),
        ("{vectors}/bias", {"word": "qwertyuiop"}, 400, "'qwertyuiop' is not in the vectors"),
        ("{vectors}/similar", {"words": []}, 400, "words is empty"),
        ("{vectors}/similar", {"words": ["qwertyuiop"]}, 400, "qwertyuiop"),
    ],
)  # fmt: skip
def test_a_bad_request_gets_its_status_and_one_line(served, path, body, status, message):
    path = path.format(**served.names)
    got, answer = served.post(path, body)
    assert got == status and message in answer["error"], answer
    assert "\n" not in answer["error"] and "Traceback" not in answer["error"]
    ok, _ = served.post(f"{served.names['dates']}/run", {"text": "abc"})
    assert ok == 200  # the next request is served


@pytest.mark.parametrize(
    ("data", "query", "status", "message"),
    [
        (b"", "", 400, "upload.wav: the upload is empty"),
        (b"not a wav at all", "name=notes.txt", 400, "notes.txt: not a WAV file"),
        (WAV.read_bytes()[:60], "name=cut.wav", 400, "cut.wav"),
        (b"RIFF" + b"\0" * 200_000, "", 413, "the WAV upload is 200,004 bytes"),
        (WAV.read_bytes(), "beam=0", 400, "beam must be in [1, 8], got 0"),
        (WAV.read_bytes(), "bem=3", 400, "unknown option 'bem'"),
    ],
)  # fmt: skip
def test_a_bad_upload_gets_a_message_and_the_server_goes_on(served, data, query, status, message):
    got, answer = served.post(f"{served.names['speech']}/transcribe", data=data, query=query)
    assert got == status and message in answer["error"], answer
    assert "seqlab-serve-" not in answer["error"]  # the temporary file is never named
    ok, answer = served.post(f"{served.names['speech']}/transcribe", data=WAV.read_bytes())
    assert ok == 200 and answer["results"][0]["text"]


def test_a_png_that_is_not_an_image_and_one_of_another_size(served, tmp_path):
    from PIL import Image

    got, answer = served.post(f"{served.names['caption']}/run", data=b"\x89PNG\r\n\x1a\nxx",
                              query="name=broken.png")  # fmt: skip
    assert got == 400 and "broken.png" in answer["error"]
    small = tmp_path / "small.png"
    Image.new("L", (20, 20)).save(small)
    got, answer = served.post(f"{served.names['caption']}/run", data=small.read_bytes())
    assert got == 400 and "20" in answer["error"] and "resize" in answer["error"], answer
    got, answer = served.post(f"{served.names['caption']}/run", data=small.read_bytes(),
                              query="resize=true")  # fmt: skip
    assert got == 200 and answer["results"][0]["caption"]


def test_unknown_pages_and_methods_get_json_errors(served):
    status, body = served.get("/no/such/page")
    assert status == 404 and "error" in json.loads(body)
    status, body = served.get(f"/api/{served.names['dates']}/run")  # GET on a POST route
    assert status == 405 and "not allowed" in json.loads(body)["error"]


def test_invalid_json_is_a_400(served):
    status, answer = served.post(f"{served.names['dates']}/run", data=b"{text: abc")
    assert status == 400 and "not JSON" in answer["error"]


# --- concurrency --------------------------------------------------------------------------------


def test_concurrent_requests_get_the_answers_they_get_alone(served):
    """Mixed verbs on several models, 32 at once: each answer equals the one given alone (no
    request disturbs another's model state)."""
    calls = [(f"{served.names['lm']}/sample", {"n": 2, "seed": i, "max_len": 12}) for i in range(8)]
    calls += [(f"{served.names['dates']}/run", {"text": t, "beam": 3}) for t in ("abc", "cab")]
    calls += [(f"{served.names['classify']}/predict", {"text": "the cat sat"})]
    calls += [(f"{served.names['music']}/sample", {"length": 8, "seed": 1})]
    alone = [served.post(path, body) for path, body in calls]
    with ThreadPoolExecutor(max_workers=16) as pool:
        together = list(pool.map(lambda c: served.post(*c), calls * 3))
    assert together == alone * 3


def test_workers_must_be_positive():
    from seqlab.serve import build_app

    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        build_app([], workers=0)
