// seqlab serve: the page. GET /api/models, then one panel per model with a form per verb.
//
// The API is docs/serve.md: text verbs POST JSON (its keys are the CLI's flag names), upload
// verbs POST the raw file bytes with their options in the query string; every answer is
// {"model", "verb", "results": [...], ...extras} or {"error": "one line"} with a 4xx status.
//
// Hooks a browser test can rely on:
//   section.panel[data-model=NAME][data-task=TASK]   one per model
//   form[data-verb=VERB]  inputs with name=  button[data-verb=VERB]
//   .output[data-verb=VERB][data-state=idle|busy|done|error]   p.error inside on a failure
"use strict";

// ---- DOM and API helpers ---------------------------------------------------------------------

/** el("p", {class: "x"}, "text", child): an element; props go to attributes, except "style"
 *  (an object of CSS properties) and on* (listeners). Strings become text nodes, never HTML. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "style") {
      for (const [prop, v] of Object.entries(value)) node.style.setProperty(prop, v);
    } else if (key.startsWith("on")) {
      node.addEventListener(key.slice(2), value);
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  const kept = (c) => c !== null && c !== undefined && c !== false;
  node.append(...children.flat(Infinity).filter(kept));
  return node;
}

/** A 4xx/5xx answer or a network failure, with the API's one-line message. */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** POST to /api/MODEL/VERB: `json` as a JSON body, or `file` as the raw body with `query`. */
async function callApi(model, verb, { json, file, query }) {
  let url = `/api/${encodeURIComponent(model)}/${encodeURIComponent(verb)}`;
  const init = { method: "POST" };
  if (file !== undefined) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
    }
    if ([...params].length) url += `?${params}`;
    init.body = file;
  } else {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(json);
  }
  return readAnswer(() => fetch(url, init));
}

/** The JSON of a response; an ApiError for a failed request or an {"error"} answer. */
async function readAnswer(request) {
  let response;
  try {
    response = await request();
  } catch (err) {
    throw new ApiError(0, `network error: ${err.message}`);
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // not JSON (a proxy's page, a crash): the status line says what happened
  }
  if (!response.ok || answer === null || typeof answer !== "object") {
    const message = answer && answer.error ? answer.error : response.statusText || "no answer";
    throw new ApiError(response.status, message);
  }
  return answer;
}

const fmt = (x, digits = 3) => (typeof x === "number" ? x.toFixed(digits) : String(x));
const percent = (p) => `${(100 * p).toFixed(1)}%`;
const clamp01 = (x) => Math.max(0, Math.min(1, x));
const words = (s) => s.split(/\s+/).filter(Boolean);

/** One element id per (model, verb, field): labels point at their inputs. */
function fieldId(model, verb, name) {
  return `f-${model}-${verb}-${name}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

// ---- forms -----------------------------------------------------------------------------------
//
// A verb is {verb, title, fields, request(values) -> {json} | {file, query}, render(out, answer,
// values)}. A field is {name, label, kind: text|textarea|int|float|checkbox|file, value, min,
// max, hint, accept, placeholder}; an empty number field reads as null.

function buildInput(id, f, limits) {
  const common = { id, name: f.name, placeholder: f.placeholder };
  if (f.kind === "textarea") {
    return el("textarea", { ...common, rows: f.rows || 3, maxlength: limits.max_text_chars,
      spellcheck: "false" }, f.value ?? "");
  }
  if (f.kind === "file") return el("input", { ...common, type: "file", accept: f.accept });
  if (f.kind === "checkbox") return el("input", { ...common, type: "checkbox", checked: f.value });
  if (f.kind === "int" || f.kind === "float") {
    return el("input", { ...common, type: "number", value: f.value ?? "", min: f.min, max: f.max,
      step: f.kind === "int" ? 1 : "any", inputmode: f.kind === "int" ? "numeric" : "decimal" });
  }
  return el("input", { ...common, type: "text", value: f.value ?? "",
    maxlength: limits.max_text_chars, spellcheck: "false" });
}

function readValue(input, f) {
  if (f.kind === "file") return input.files[0] || null;
  if (f.kind === "checkbox") return input.checked;
  if (f.kind === "int" || f.kind === "float") {
    return input.value.trim() === "" ? null : Number(input.value);
  }
  return input.value;
}

/** The form of one verb, with its output container and submit handling. */
function verbForm(model, spec, limits) {
  const output = el("div", { class: "output", "data-verb": spec.verb, "data-state": "idle",
    "aria-live": "polite" });
  const inputs = {};
  const rows = spec.fields.map((f) => {
    const id = fieldId(model.name, spec.verb, f.name);
    inputs[f.name] = buildInput(id, f, limits);
    return el("div", { class: `field field-${f.kind}` },
      el("label", { for: id }, f.label),
      inputs[f.name],
      f.hint ? el("small", { class: "hint" }, f.hint) : null);
  });
  const button = el("button", { type: "submit", "data-verb": spec.verb }, spec.title);
  const form = el("form", { class: "verb", "data-verb": spec.verb },
    el("h3", {}, spec.title),
    spec.about ? el("p", { class: "about" }, spec.about) : null,
    rows, spec.extra ? spec.extra(inputs, () => form) : null,
    el("div", { class: "actions" }, button),
    output);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = {};
    for (const f of spec.fields) values[f.name] = readValue(inputs[f.name], f);
    output.dataset.state = "busy";
    output.setAttribute("aria-busy", "true");
    button.disabled = true;
    try {
      const request = spec.request(values);
      const answer = await callApi(model.name, spec.verb, request);
      output.replaceChildren();
      spec.render(output, answer, values, limits);
      output.dataset.state = "done";
    } catch (err) {
      output.replaceChildren(errorLine(err));
      output.dataset.state = "error";
    } finally {
      output.removeAttribute("aria-busy");
      button.disabled = false;
    }
  });
  return form;
}

function errorLine(err) {
  const status = err instanceof ApiError && err.status ? `${err.status}: ` : "";
  return el("p", { class: "error", role: "alert" }, `Error ${status}${err.message}`);
}

/** A request refused before it is sent (no file chosen): shown like the API's errors. */
function refuse(message) {
  throw new ApiError(0, message);
}

const WAV = ".wav,audio/wav,audio/x-wav,audio/wave";

/** The file input of an upload verb, its size limit as a hint. */
function uploadField(label, accept, limits) {
  const kib = limits.max_upload_bytes ? Math.round(limits.max_upload_bytes / 1024) : null;
  return { name: "file", label, kind: "file", accept, hint: kib ? `up to ${kib} KiB` : null };
}

function fileRequest(values, query) {
  if (!values.file) refuse("choose a file first");
  return { file: values.file, query: { ...query, name: values.file.name } };
}

const textField = (hint) => ({ name: "text", label: "Text, one item a line", kind: "textarea",
  rows: 4, hint });

// ---- small renderers shared by the tasks -----------------------------------------------------

/** An <img> of a PNG data URL the API returned, or nothing. */
function figure(src, cls, alt) {
  return src ? el("img", { class: cls, src, alt, loading: "eager" }) : null;
}

/** A horizontal bar for a value in [0, 1]. */
function bar(fraction, cls = "bar") {
  return el("span", { class: `${cls}-track`, "aria-hidden": "true" },
    el("span", { class: cls, style: { width: percent(clamp01(fraction)) } }));
}

/** A table of [word, cosine] pairs with bars. */
function neighbourTable(pairs) {
  if (!pairs.length) return el("p", { class: "empty" }, "no neighbours");
  return el("table", { class: "neighbours" },
    el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "word"), el("th", {}, "cosine"))),
    el("tbody", {}, pairs.map(([word, cosine], i) => el("tr", {},
      el("td", { class: "rank" }, String(i + 1)),
      el("td", { class: "word" }, word),
      el("td", { class: "cosine" }, bar((cosine + 1) / 2), ` ${fmt(cosine)}`)))));
}

function unknownNote(n) {
  if (!n) return null;
  return el("p", { class: "note" }, `${n} token${n === 1 ? "" : "s"} unknown to the model`);
}

/** The "results" list of an answer, one per input line. */
const resultsOf = (answer) => (Array.isArray(answer.results) ? answer.results : []);

// ---- lm --------------------------------------------------------------------------------------

const SURPRISE_MAX = 10; // nats at which the white -> red scale saturates

/** White (no surprise) to red (SURPRISE_MAX nats or more). */
function surpriseColour(surprise) {
  const f = clamp01(surprise / SURPRISE_MAX);
  const mix = (from, to) => Math.round(from + (to - from) * f);
  return `rgb(${mix(255, 215)}, ${mix(255, 25)}, ${mix(255, 28)})`;
}

function showToken(token) {
  return token === " " ? "␣" : token === "\n" ? "↵" : token;
}

function renderScore(out, answer) {
  for (const r of resultsOf(answer)) {
    const tokens = r.tokens || [];
    const logprobs = r.token_logprobs || [];
    out.append(el("div", { class: "scored" },
      el("p", { class: "tokens" }, tokens.map((token, i) => {
        const surprise = -logprobs[i];
        return el("span", {
          class: "token", "data-surprise": fmt(surprise),
          title: `${token}: surprise ${fmt(surprise, 2)} nats (P = ${fmt(Math.exp(-surprise), 4)})`,
          style: { "background-color": surpriseColour(surprise),
            color: surprise > 0.6 * SURPRISE_MAX ? "#fff" : "inherit" },
        }, showToken(token));
      })),
      el("p", { class: "summary" },
        el("span", { class: "perplexity" }, `perplexity ${fmt(r.perplexity, 2)}`),
        ` · log P ${fmt(r.logprob, 2)} · ${r.n_tokens} tokens`),
      unknownNote(r.n_unk)));
  }
  out.append(el("p", { class: "scale" }, "surprise (−log P): 0 ",
    el("span", { class: "gradient surprise-gradient", "aria-hidden": "true" }),
    ` ≥ ${SURPRISE_MAX} nats`));
}

function renderSamples(out, answer) {
  out.append(el("ol", { class: "samples" }, resultsOf(answer).map((r) => el("li", {},
    el("span", { class: "sample" }, r.text),
    r.in_training_set ? el("span", { class: "badge" }, "in the training set") : null))));
}

const LM_VERBS = (limits) => [
  { verb: "sample", title: "Sample", fields: [
      { name: "n", label: "Samples", kind: "int", value: 3, min: 1, max: limits.max_n },
      { name: "temperature", label: "Temperature", kind: "float", value: 1.0, min: 0 },
      { name: "top_k", label: "Top-k", kind: "int", min: 1, placeholder: "all" },
      { name: "prefix", label: "Prefix", kind: "text", value: "" },
      { name: "seed", label: "Seed", kind: "int", min: 0, placeholder: "random" },
      { name: "max_len", label: "Max length", kind: "int", min: 1, max: limits.max_length,
        placeholder: "model's" },
      { name: "greedy", label: "Greedy (most likely token)", kind: "checkbox", value: false },
    ],
    request: (v) => ({ json: { n: v.n, temperature: v.temperature, top_k: v.top_k,
      prefix: v.prefix, seed: v.seed, max_len: v.max_len, greedy: v.greedy } }),
    render: renderSamples },
  { verb: "score", title: "Score", fields: [textField("each line scored alone")],
    request: (v) => ({ json: { text: v.text } }), render: renderScore },
];

// ---- seq2seq ---------------------------------------------------------------------------------

/** An HTML heat map of one sentence's attention: T_y rows (outputs) of T_x cells (sources). */
function heatmap(att) {
  return el("table", { class: "heatmap" },
    el("thead", {}, el("tr", {}, el("th", {}), att.src_tokens.map((t) =>
      el("th", { scope: "col" }, showToken(t))))),
    el("tbody", {}, att.weights.map((row, y) => el("tr", {},
      el("th", { scope: "row" }, showToken(att.out_tokens[y] ?? "")),
      row.map((w, x) => el("td", {
        title: `${att.out_tokens[y]} ← ${att.src_tokens[x]}: ${fmt(w)}`,
        style: { "background-color": `rgba(33, 102, 172, ${clamp01(w).toFixed(3)})` },
      }))))));
}

function renderTranslations(out, answer) {
  const attention = answer.attention || [];
  const figures = answer.figures || [];
  resultsOf(answer).forEach((r, i) => {
    const best = r.n_best || [{ hyp: r.hyp, score: r.score, logprob: r.logprob,
      finished: r.finished }];
    out.append(el("article", { class: "line" },
      el("p", { class: "src" }, el("span", { class: "key" }, "source "), r.src),
      el("ol", { class: "hypotheses" }, best.map((h) => el("li", {},
        el("span", { class: "hyp" }, h.hyp),
        h.hyp === "" ? el("span", { class: "empty" }, "(empty output)") : null,
        el("span", { class: "score" }, ` score ${fmt(h.score)} · log P ${fmt(h.logprob)}`),
        h.finished === false ? el("span", { class: "badge" }, "unfinished") : null))),
      unknownNote(r.n_unk),
      figure(figures[i], "attention", `attention weights for “${r.src}”`),
      attention[i] ? el("details", { class: "weights" },
        el("summary", {}, "attention weights as a table"), heatmap(attention[i])) : null));
  });
}

const SEQ2SEQ_VERBS = (limits) => [
  { verb: "run", title: "Translate", fields: [
      textField(`one source a line (up to ${limits.max_lines ?? "?"} lines)`),
      { name: "beam", label: "Beam size", kind: "int", value: 3, min: 1, max: limits.max_beam },
      { name: "alpha", label: "Length normalisation α", kind: "float", value: 0.7, min: 0 },
      { name: "n", label: "N-best", kind: "int", value: 1, min: 1, max: limits.max_beam },
    ],
    request: (v) => ({ json: { text: v.text, beam: v.beam, alpha: v.alpha, n: v.n, plot: true } }),
    render: renderTranslations },
];

// ---- classify --------------------------------------------------------------------------------

/** Blue for tokens that push towards the label, red for those that push away. */
function saliencyColour(s, max) {
  const a = max > 0 ? clamp01(Math.abs(s) / max) : 0;
  return s >= 0 ? `rgba(33, 102, 172, ${a.toFixed(3)})` : `rgba(214, 39, 40, ${a.toFixed(3)})`;
}

/** All labels, most probable first, with bars; the predicted one in bold. */
function probabilityTable(probs, predicted) {
  const rows = Object.entries(probs || {}).sort((a, b) => b[1] - a[1]);
  if (!rows.length) return null;
  return el("table", { class: "probabilities" }, el("tbody", {}, rows.map(([label, p]) =>
    el("tr", { "data-label": label, class: label === String(predicted) ? "predicted" : null },
      el("th", { scope: "row" }, label),
      el("td", {}, bar(p)),
      el("td", { class: "value" }, percent(p))))));
}

/** The tokens shaded by their saliency for the predicted label. */
function saliencyLine(sal) {
  const max = Math.max(0, ...sal.saliency.map(Math.abs));
  return el("p", { class: "saliency" },
    el("span", { class: "key" }, `saliency for ${sal.label}: `),
    sal.tokens.map((t, j) => {
      const s = sal.saliency[j];
      return [j ? " " : null, el("span", {
        class: "token", "data-saliency": fmt(s, 4),
        title: `${t}: saliency ${s >= 0 ? "+" : ""}${fmt(s, 4)}`,
        style: { "background-color": saliencyColour(s, max) },
      }, t)];
    }));
}

function renderClasses(out, answer) {
  const probabilities = answer.probabilities || [];
  const saliency = answer.saliency || [];
  resultsOf(answer).forEach((r, i) => {
    out.append(el("article", { class: "line" },
      el("p", { class: "text" }, r.text),
      el("p", { class: "prediction" },
        el("span", { class: "label" }, r.label), r.name ? ` ${r.name}` : "",
        ` (${percent(r.prob)})`),
      probabilityTable(probabilities[i], r.label),
      saliency[i] ? saliencyLine(saliency[i]) : null,
      unknownNote(r.n_unk)));
  });
  if (saliency.length) {
    out.append(el("p", { class: "scale" },
      el("span", { class: "swatch", style: { "background-color": saliencyColour(1, 1) } }),
      " towards the label  ",
      el("span", { class: "swatch", style: { "background-color": saliencyColour(-1, 1) } }),
      " away from it"));
  }
}

const CLASSIFY_VERBS = () => [
  { verb: "predict", title: "Classify", fields: [textField("one sentence a line")],
    request: (v) => ({ json: { text: v.text } }), render: renderClasses },
];

// ---- tag -------------------------------------------------------------------------------------

const ENTITY_HUES = { PER: 210, LOC: 120, ORG: 30, MISC: 285, GPE: 160, DATE: 50, TIME: 340 };

/** A hue per entity type: the usual ones fixed, any other one from a hash of its name. */
function entityHue(type) {
  if (type in ENTITY_HUES) return ENTITY_HUES[type];
  let h = 0;
  for (const c of type) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}

function renderTags(out, answer) {
  const types = new Set();
  for (const r of resultsOf(answer)) {
    const starts = new Map(r.entities.map((e) => [e.start, e]));
    const parts = [];
    for (let i = 0; i < r.tokens.length;) {
      const e = starts.get(i);
      if (e) {
        types.add(e.type);
        parts.push(el("mark", { class: "entity", "data-type": e.type, title: e.type,
          style: { "--hue": entityHue(e.type) } }, r.tokens.slice(e.start, e.end).join(" ")), " ");
        i = e.end;
      } else {
        parts.push(`${r.tokens[i]} `);
        i += 1;
      }
    }
    out.append(el("article", { class: "line" },
      el("p", { class: "tagged" }, parts),
      el("p", { class: "tags" }, r.tags.join(" ")),
      unknownNote(r.n_unk)));
  }
  out.append(types.size
    ? el("ul", { class: "legend", "aria-label": "entity types" }, [...types].sort().map((t) =>
      el("li", {}, el("span", { class: "swatch", style: { "--hue": entityHue(t) } }), t)))
    : el("p", { class: "empty" }, "no entities found"));
}

const TAG_VERBS = () => [
  { verb: "predict", title: "Tag", fields: [textField("one whitespace-tokenized sentence a line")],
    request: (v) => ({ json: { text: v.text } }), render: renderTags },
];

// ---- vectors ---------------------------------------------------------------------------------

/** The [word, cosine] list of a vectors answer (results: [{"results": [[w, c], ...]}]). */
function pairsOf(answer) {
  const first = resultsOf(answer)[0];
  return first && Array.isArray(first.results) ? first.results : [];
}

/** A value in [-1, 1] on a centred axis. */
function signedBar(x) {
  const f = Math.max(-1, Math.min(1, x));
  return el("span", { class: "axis", "aria-hidden": "true" },
    el("span", { class: `signed ${f < 0 ? "negative" : "positive"}`, style: {
      left: f < 0 ? percent((1 + f) / 2) : "50%", width: percent(Math.abs(f) / 2) } }));
}

function renderBias(out, answer) {
  for (const r of resultsOf(answer)) {
    out.append(el("article", { class: "line" },
      el("p", { class: "word" }, r.word),
      el("table", { class: "bias" }, el("tbody", {},
        el("tr", {}, el("th", { scope: "row" }, "before debiasing"),
          el("td", {}, signedBar(r.projection)), el("td", { class: "value projection" },
            fmt(r.projection))),
        el("tr", {}, el("th", { scope: "row" }, "after debiasing"),
          el("td", {}, signedBar(r.debiased_projection)),
          el("td", { class: "value debiased" }, fmt(r.debiased_projection))))),
      el("p", { class: "note" }, r.gender_specific
        ? "gender-specific word: debiasing leaves its gender component"
        : "gender-neutral word: debiasing removes its gender component"),
      el("p", { class: "scale" }, "projection on the gender direction g, from −1 to +1")));
  }
}

const VECTORS_VERBS = (limits) => [
  { verb: "similar", title: "Nearest neighbours", fields: [
      { name: "words", label: "Words", kind: "text", value: "king", hint: "added together" },
      { name: "negative_words", label: "Minus words", kind: "text", value: "" },
      { name: "n", label: "How many", kind: "int", value: 10, min: 1, max: limits.max_n },
    ],
    request: (v) => ({
      json: { words: words(v.words), negative_words: words(v.negative_words), n: v.n },
    }),
    render: (out, answer) => out.append(neighbourTable(pairsOf(answer))) },
  { verb: "analogy", title: "Analogy", about: "a : b :: c : ?", fields: [
      { name: "a", label: "a", kind: "text", value: "man" },
      { name: "b", label: "b", kind: "text", value: "woman" },
      { name: "c", label: "c", kind: "text", value: "king" },
      { name: "n", label: "How many", kind: "int", value: 5, min: 1, max: limits.max_n },
      { name: "cosmul", label: "3CosMul (else 3CosAdd)", kind: "checkbox", value: false },
    ],
    request: (v) => ({ json: { a: v.a.trim(), b: v.b.trim(), c: v.c.trim(), n: v.n,
      cosmul: v.cosmul } }),
    render: (out, answer, v) => out.append(
      el("p", { class: "analogy" }, `${v.a} : ${v.b} :: ${v.c} : `,
        el("strong", { class: "answer" }, pairsOf(answer)[0]?.[0] ?? "?")),
      neighbourTable(pairsOf(answer))) },
  { verb: "bias", title: "Gender bias", fields: [
      { name: "word", label: "Word", kind: "text", value: "nurse" },
    ],
    request: (v) => ({ json: { word: v.word.trim() } }), render: renderBias },
];

// ---- speech: upload, and an optional microphone recording encoded as 16-bit PCM WAV -----------

/** A mono 16-bit PCM WAV file of float samples in [-1, 1]. */
function encodeWav(samples, sampleRate) {
  const view = new DataView(new ArrayBuffer(44 + 2 * samples.length));
  const ascii = (offset, s) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + 2 * samples.length, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // format chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, 2 * sampleRate, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per frame
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, 2 * samples.length, true);
  samples.forEach((x, i) => {
    const s = Math.max(-1, Math.min(1, x));
    view.setInt16(44 + 2 * i, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  });
  return new Blob([view.buffer], { type: "audio/wav" });
}

/** Record / Stop buttons: the recording (decoded by Web Audio, encoded as WAV) becomes the
 *  form's file and the form is sent. Shown only where the browser can record. */
function recorder(inputs, getForm) {
  if (!navigator.mediaDevices?.getUserMedia || !window.MediaRecorder) return null;
  const status = el("span", { class: "hint", "aria-live": "polite" });
  const preview = el("audio", { controls: true, hidden: true });
  let media = null;
  const button = el("button", { type: "button", class: "record", onclick: async () => {
    if (media) return media.stop();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      status.textContent = `no microphone: ${err.message}`;
      return;
    }
    const chunks = [];
    media = new MediaRecorder(stream);
    media.ondataavailable = (e) => chunks.push(e.data);
    media.onstop = async () => {
      stream.getTracks().forEach((t) => t.stop());
      media = null;
      button.textContent = "Record";
      const context = new AudioContext();
      let audio;
      try {
        audio = await context.decodeAudioData(await new Blob(chunks).arrayBuffer());
      } catch (err) {
        status.textContent = `the recording could not be decoded: ${err.message}`;
        return;
      } finally {
        context.close();
      }
      const wav = encodeWav(audio.getChannelData(0), audio.sampleRate);
      const transfer = new DataTransfer();
      transfer.items.add(new File([wav], "recording.wav", { type: "audio/wav" }));
      inputs.file.files = transfer.files;
      preview.src = URL.createObjectURL(wav);
      preview.hidden = false;
      status.textContent = `${audio.duration.toFixed(1)} s recorded`;
      getForm().requestSubmit();
    };
    media.start();
    button.textContent = "Stop";
    status.textContent = "recording…";
  } }, "Record");
  return el("div", { class: "field field-record" },
    el("span", { class: "label" }, "Or use the microphone"), el("div", {}, button, " ", status),
    preview);
}

function renderTranscripts(out, answer) {
  for (const r of resultsOf(answer)) {
    out.append(el("p", { class: "transcript-line" },
      el("span", { class: "key" }, `${r.file}: `),
      el("strong", { class: "transcript" }, r.text), r.text ? null : "(silence)"));
  }
  if (answer.frames !== undefined) {
    out.append(el("p", { class: "key" }, "CTC output, one character a frame (_ = blank):"),
      el("pre", { class: "frames" }, answer.frames));
  }
  if (answer.seconds !== undefined) {
    out.append(el("p", { class: "note" }, `${fmt(answer.seconds, 2)} s of audio`));
  }
}

const SPEECH_VERBS = (limits) => [
  { verb: "transcribe", title: "Transcribe", fields: [
      uploadField("Recording (.wav)", WAV, limits),
      { name: "beam", label: "Beam size", kind: "int", value: 1, min: 1, max: limits.max_beam,
        hint: "1 = greedy decoding" },
    ],
    extra: recorder,
    request: (v) => fileRequest(v, { beam: v.beam }),
    render: renderTranscripts },
];

// ---- trigger ---------------------------------------------------------------------------------

const TRIGGER_VERBS = (limits) => [
  { verb: "detect", title: "Detect the trigger word", fields: [
      uploadField("Recording (.wav)", WAV, limits),
      { name: "threshold", label: "Threshold", kind: "float", min: 0, max: 1,
        placeholder: "model's" },
      { name: "refractory", label: "Refractory (s)", kind: "float", min: 0, placeholder: "0.5",
        hint: "the least time between two detections" },
    ],
    request: (v) => fileRequest(v, { threshold: v.threshold, refractory: v.refractory,
      plot: true }),
    render: (out, answer) => {
      for (const r of resultsOf(answer)) {
        out.append(el("p", { class: "times" }, r.times.length
          ? `${r.file}: trigger at ${r.times.map((t) => `${fmt(t, 2)} s`).join(", ")}`
          : `${r.file}: no trigger word detected`));
      }
      out.append(figure(answer.figure, "figure trigger-plot", "P(trigger) over time"));
      if (answer.threshold !== undefined) {
        out.append(el("p", { class: "note" }, `threshold ${answer.threshold}`));
      }
    } },
];

// ---- music -----------------------------------------------------------------------------------

const MUSIC_VERBS = (limits) => [
  { verb: "sample", title: "Sample a chorale", fields: [
      { name: "length", label: "Length (time steps)", kind: "int", value: 64, min: 1,
        max: limits.max_length },
      { name: "temperature", label: "Temperature", kind: "float", value: 1.0, min: 0 },
      { name: "seed", label: "Seed", kind: "int", min: 0, placeholder: "random" },
      { name: "tempo", label: "Tempo (bpm)", kind: "int", value: 100, min: 1 },
    ],
    request: (v) => ({ json: { length: v.length, temperature: v.temperature, seed: v.seed,
      tempo: v.tempo, plot: true } }),
    render: (out, answer) => {
      for (const r of resultsOf(answer)) {
        const notes = Array.isArray(r.notes) ? r.notes.length : r.notes;
        out.append(el("p", { class: "note" },
          `${notes} notes over ${r.time_steps} time steps (${r.prime_time_steps ?? 0} primed)`));
      }
      out.append(figure(answer.figure, "figure piano-roll", "piano roll of the sample"));
      if (answer.midi) {
        out.append(el("p", {}, el("a", { class: "download", download: "chorale.mid",
          href: answer.midi }, "Download MIDI")));
      }
    } },
];

// ---- caption ---------------------------------------------------------------------------------

const CAPTION_VERBS = (limits) => [
  { verb: "run", title: "Caption an image", fields: [
      uploadField("Image (.png)", ".png,image/png", limits),
      { name: "beam", label: "Beam size", kind: "int", value: 3, min: 1, max: limits.max_beam },
      { name: "resize", label: "Resize to the model's size", kind: "checkbox", value: false },
    ],
    request: (v) => fileRequest(v, { beam: v.beam, resize: v.resize, plot: true }),
    render: (out, answer, v) => {
      const src = URL.createObjectURL(v.file);
      const preview = el("img", { class: "upload-preview", alt: v.file.name, src,
        onload: () => URL.revokeObjectURL(src) });
      for (const r of resultsOf(answer)) {
        out.append(el("div", { class: "captioned" }, preview,
          el("p", {}, el("strong", { class: "caption" }, r.caption),
            el("span", { class: "score" }, ` score ${fmt(r.score)}`))));
      }
      out.append(figure(answer.figure, "figure attention", "where the model looked, word by word"));
    } },
];

// ---- panels ----------------------------------------------------------------------------------

const TASKS = {
  lm: { title: "Language model", verbs: LM_VERBS },
  seq2seq: { title: "Sequence to sequence", verbs: SEQ2SEQ_VERBS },
  classify: { title: "Sentence classifier", verbs: CLASSIFY_VERBS },
  tag: { title: "Sequence tagger", verbs: TAG_VERBS },
  vectors: { title: "Word vectors", verbs: VECTORS_VERBS },
  speech: { title: "Speech recognition (CTC)", verbs: SPEECH_VERBS },
  trigger: { title: "Trigger-word detection", verbs: TRIGGER_VERBS },
  music: { title: "Music (piano roll)", verbs: MUSIC_VERBS },
  caption: { title: "Image captioning", verbs: CAPTION_VERBS },
};

/** The model's info as a short definition list: lists comma-separated, other nested values
 *  as compact JSON, empty ones left out. */
function infoList(info) {
  const json = (v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
  const shown = (value) => (Array.isArray(value) ? value.map(json).join(", ") : json(value));
  const entries = Object.entries(info || {}).filter(([, value]) =>
    value !== null && value !== "" && !(typeof value === "object" && !Object.keys(value).length));
  if (!entries.length) return null;
  return el("dl", { class: "info" }, entries.map(([key, value]) => [
    el("dt", {}, key),
    el("dd", {}, shown(value)),
  ]));
}

function panel(model, limits) {
  const task = TASKS[model.task];
  const served = (s) => !model.verbs || model.verbs.includes(s.verb);
  const specs = task ? task.verbs(limits).filter(served) : [];
  return el("section", { class: "panel", id: `panel-${model.name}`, "data-model": model.name,
    "data-task": model.task, "aria-labelledby": `title-${model.name}` },
    el("header", {},
      el("h2", { id: `title-${model.name}` }, model.name),
      el("span", { class: "task" }, task ? task.title : model.task)),
    infoList(model.info),
    specs.length ? el("div", { class: "verbs" }, specs.map((s) => verbForm(model, s, limits)))
      : el("p", { class: "note" }, `This page has no form for the task “${model.task}”; its ` +
        `API answers at /api/${model.name}/<verb> (${(model.verbs || []).join(", ")}).`));
}

async function main() {
  const root = document.getElementById("panels");
  try {
    const answer = await readAnswer(() => fetch("/api/models"));
    const limits = answer.limits || {};
    const models = answer.models || [];
    document.getElementById("model-list").replaceChildren(...models.map((m) =>
      el("li", {}, el("a", { href: `#panel-${m.name}` }, m.name), el("span", { class: "task" },
        m.task))));
    root.replaceChildren(...models.map((m) => panel(m, limits)));
    if (!models.length) root.append(el("p", { class: "note" }, "No models are served."));
    root.dataset.state = "ready";
  } catch (err) {
    root.replaceChildren(errorLine(err));
    root.dataset.state = "error";
  }
}

main();
