// The page: gallery, controls, editor and results. All simulation, checking and chart drawing
// happens in the WebAssembly module inside Web Workers (worker.js): one answers quick requests
// (check the text, apply the controls), the other runs simulations, so typing stays responsive
// while a run is going and the page never freezes.
//
// State: `base` is the scenario text before the controls moved; `settings` is what the controls
// ask for; the editor shows apply(base, settings), which is what runs. Typing in the editor makes
// the typed text the new base and resets the relative controls (volume, extra staff). `files`
// holds the data files the user has opened or pasted (by the path the scenario writes); they go
// with every check and run to the workers, and nowhere else (not into the link either).
// The "Fit a distribution" panel is fit.js; it uses the quick worker and one of its own. The
// "Sweep" panel is sweep.js; it uses the quick worker and a pool of its own. The "Animated day"
// panel (animate.js) replays replication 0 of the last run, on demand, from the quick worker.

import { startFitPanel } from './fit.js';
import { startSweepPanel } from './sweep.js';
import { mountAnimation } from './animate.js';

const $ = (id) => document.getElementById(id);

/** A worker with request/response by id; `onPush` gets progress reports. */
function worker(onPush) {
  const w = new Worker('worker.js', { type: 'module' });
  const waiting = new Map();
  let next = 1;
  w.onmessage = ({ data }) => {
    if (data.op === 'progress' || !waiting.has(data.id)) return onPush(data);
    const resolve = waiting.get(data.id);
    waiting.delete(data.id);
    return resolve(data);
  };
  return {
    /** Sends a request; the promise carries the request's `id`. */
    request(message) {
      const id = next++;
      const reply = new Promise((resolve) => waiting.set(id, resolve));
      w.postMessage({ ...message, id });
      return Object.assign(reply, { id });
    },
    send(message) { w.postMessage(message); },
    /** Ends the worker; requests still waiting get `{ op: 'cancelled' }`. */
    terminate() {
      w.terminate();
      for (const [id, resolve] of waiting) resolve({ op: 'cancelled', id });
      waiting.clear();
    },
  };
}

const checker = worker(() => {});
const runner = worker((data) => {
  if (data.op === 'progress' && data.id === current.run) showProgress(data.done, data.total);
});

let gallery = [];
let galleryId = null;
let base = '';
let settings = {};
let variants = [];
let inspection = null;
let outcome = null;
const files = {}; // path -> { text, from, lines }
const current = { run: null, check: 0 };
let sweepPanel = null;
let lastRun = null; // { text, variants, files } of the result shown
let animation = null; // the mounted animation of lastRun

// ---------------------------------------------------------------- state in the URL

async function deflate(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function inflate(encoded) {
  const s = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).text();
}

async function saveState() {
  const p = new URLSearchParams();
  const entry = gallery.find((g) => g.id === galleryId);
  if (entry && entry.toml === base) p.set('g', galleryId);
  else p.set('t', await deflate(base));
  if (Object.keys(settings).length) p.set('s', JSON.stringify(settings));
  p.set('v', variants.join(','));
  history.replaceState(null, '', `#${p}`);
  $('share-url').value = location.href;
}

async function loadState() {
  const p = new URLSearchParams(location.hash.slice(1));
  try {
    if (p.has('t')) {
      base = await inflate(p.get('t'));
      galleryId = null;
    } else {
      const entry = gallery.find((g) => g.id === p.get('g')) || gallery[0];
      galleryId = entry.id;
      base = entry.toml;
      variants = [...entry.variants];
    }
    if (p.has('s')) settings = JSON.parse(p.get('s'));
    if (p.has('v')) variants = p.get('v').split(',').filter(Boolean);
  } catch (error) {
    setStatus(`The link could not be read (${error.message}); showing the default scenario.`);
    const entry = gallery[0];
    [galleryId, base, variants, settings] = [entry.id, entry.toml, [...entry.variants], {}];
  }
}

// ---------------------------------------------------------------- gallery

function showGallery() {
  const box = $('gallery');
  box.replaceChildren(...gallery.map((g) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'card';
    b.dataset.id = g.id;
    b.textContent = g.title;
    b.addEventListener('click', () => pick(g.id));
    return el('li', {}, b);
  }));
  markGallery();
}

function markGallery() {
  for (const b of $('gallery').querySelectorAll('.card')) b.setAttribute('aria-pressed', String(b.dataset.id === galleryId));
  const entry = gallery.find((g) => g.id === galleryId);
  $('blurb').textContent = entry ? entry.blurb : 'Your own scenario (edited in the text below).';
}

function pick(id) {
  const entry = gallery.find((g) => g.id === id);
  [galleryId, base, variants, settings] = [id, entry.toml, [...entry.variants], {}];
  markGallery();
  refresh(true);
}

// ---------------------------------------------------------------- controls

function setStatus(text) { $('status').textContent = text; }

function showProgress(done, total) {
  $('progress').max = Math.max(total, 1);
  $('progress').value = done;
  setStatus(`Running: replication ${done} of ${total}…`);
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c);
  return e;
}

/** A labelled range input with its value shown beside the label. */
function slider(id, text, min, max, value, format, onChange) {
  const input = el('input', { type: 'range', id, min, max, step: 1, value });
  const out = el('output', { htmlFor: id, textContent: format(value) });
  input.addEventListener('input', () => { out.textContent = format(Number(input.value)); });
  input.addEventListener('change', () => onChange(Number(input.value)));
  return el('div', { className: 'slider' }, el('label', { htmlFor: id }, `${text} `, out), input);
}

function showControls() {
  const i = inspection;
  // Variants to run.
  const box = $('variants');
  const choices = [{ id: '', description: 'the scenario as written, without variants' }, ...i.variants];
  box.replaceChildren(...choices.filter((v) => v.id || !i.variants.length).map((v) => {
    const id = `variant-${v.id || 'base'}`;
    const input = el('input', { type: 'checkbox', id, name: 'variant', value: v.id });
    input.checked = v.id ? variants.includes(v.id) : true;
    input.disabled = !v.id;
    input.addEventListener('change', () => {
      variants = [...box.querySelectorAll('input:checked')].map((x) => x.value).filter(Boolean);
      changed();
    });
    return el('label', { className: 'check', htmlFor: id, title: v.description }, input, ` ${v.id || 'base scenario'}`);
  }));
  $('variants-hint').textContent = i.variants.length
    ? 'Tick one variant to run it, two or more to compare them with paired differences (the first ticked is the baseline).'
    : '';

  // Arrival volume.
  $('arrivals-box').hidden = !i.has_walk_ins;
  const volume = Math.round((settings.volume ?? 1) * 100);
  $('volume').value = volume;
  $('volume-out').textContent = `${volume}%`;

  // Staffing: stations with servers of their own, then the shared resources (stations that
  // require those are staffed through them and get no slider of their own).
  const staffing = (key, x, count, word, constant, extra) => {
    if (x.staffing === 'constant') {
      const max = Math.max(2 * count, count + 5);
      return slider(`${key}-${x.id}`, `${x.name}: ${word}`, 1, max, count, (v) => `${v}`, (v) => {
        settings[constant] = { ...settings[constant], [x.id]: v };
        changed(true);
      });
    }
    const delta = settings[extra]?.[x.id] ?? 0;
    const peak = count - delta;
    return slider(`${key}-${x.id}`, `${x.name}: ${word} added to every shift`, -Math.max(peak - 1, 0),
      Math.max(5, Math.ceil(peak / 2)), delta,
      (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v)} (peak ${Math.max(peak + v, 0)})`, (v) => {
        settings[extra] = { ...settings[extra], [x.id]: v };
        changed(true);
      });
  };
  const own = i.stations.filter((s) => s.staffing !== 'shared')
    .map((s) => staffing('servers', s, s.servers, s.staffing === 'constant' ? 'servers' : 'staff', 'servers', 'extra_servers'));
  const pools = (i.resources || []).map((r) => {
    const row = staffing('units', r, r.units, 'units', 'units', 'extra_units');
    row.title = `Shared resource, required by ${r.used_by.join(', ') || 'no station'}`;
    row.append(el('small', { className: 'hint', textContent: `used by ${r.used_by.join(', ') || 'no station'}` }));
    return row;
  });
  $('stations').replaceChildren(...own, ...pools);

  // Digital workflow: the switches edit one variant's levers and adoption.
  const editable = i.variants.filter((v) => v.levers.length || settings.workflow_variant === v.id);
  $('workflow-box').hidden = !i.workflow_levers.length || !editable.length;
  if (!$('workflow-box').hidden) {
    const select = $('workflow-variant');
    const target = editable.find((v) => v.id === settings.workflow_variant)
      || editable.find((v) => variants.includes(v.id)) || editable[0];
    select.replaceChildren(...editable.map((v) => el('option', { value: v.id, textContent: v.id })));
    select.value = target.id;
    $('adoption').value = Math.round((target.adoption ?? 0.8) * 100);
    $('adoption-out').textContent = target.adoption == null ? 'by class, as written' : `${Math.round(target.adoption * 100)}%`;
    $('levers').replaceChildren(...i.workflow_levers.map((l) => {
      const id = `lever-${l}`;
      const input = el('input', { type: 'checkbox', id, name: 'lever', value: l });
      input.checked = target.levers.includes(l);
      input.addEventListener('change', () => {
        settings.workflow_variant = select.value;
        settings.levers = [...$('levers').querySelectorAll('input:checked')].map((x) => x.value);
        changed(true);
      });
      return el('label', { className: 'check', htmlFor: id }, input, ` ${l.replace(/_/g, ' ')}`);
    }));
  }
  $('replications').value = i.replications;
  $('seed').value = i.seed;
}

function changed(rewrite = false) {
  if (rewrite) refresh(false);
  else if ($('autorun').checked) run();
  saveState();
}

function wireStaticControls() {
  $('volume').addEventListener('input', () => { $('volume-out').textContent = `${$('volume').value}%`; });
  $('volume').addEventListener('change', () => { settings.volume = Number($('volume').value) / 100; changed(true); });
  $('workflow-variant').addEventListener('change', () => {
    settings = { ...settings, workflow_variant: $('workflow-variant').value };
    delete settings.levers;
    delete settings.adoption;
    showControls();
  });
  $('adoption').addEventListener('input', () => { $('adoption-out').textContent = `${$('adoption').value}%`; });
  $('adoption').addEventListener('change', () => {
    settings.workflow_variant = $('workflow-variant').value;
    settings.adoption = Number($('adoption').value) / 100;
    changed(true);
  });
  for (const key of ['replications', 'seed']) {
    $(key).addEventListener('change', () => {
      const v = Number($(key).value);
      if (!Number.isInteger(v) || v < (key === 'seed' ? 0 : 1)) {
        setStatus(`${key === 'seed' ? 'The seed' : 'Replications'} must be a whole number${key === 'seed' ? '' : ' of at least 1'}.`);
        return;
      }
      if (v === inspection?.[key]) return; // unchanged (e.g. the change event of a blur)
      settings[key] = v;
      changed(true);
    });
  }
  $('controls').addEventListener('submit', (e) => { e.preventDefault(); run(); });
  $('cancel').addEventListener('click', cancel);
  $('animate-run').addEventListener('click', animate);
  let typing;
  $('editor').addEventListener('input', () => {
    showGutter();
    clearTimeout(typing);
    typing = setTimeout(() => {
      base = $('editor').value;
      settings = {};
      galleryId = null;
      markGallery();
      check(base, true);
    }, 400);
  });
  $('editor').addEventListener('scroll', () => { $('gutter').scrollTop = $('editor').scrollTop; });
  $('download-toml').addEventListener('click', () => download(`${scenarioStem()}.toml`, $('editor').value, 'application/toml'));
  $('download-json').addEventListener('click', () => outcome && download(
    outcome.kind === 'run' ? 'summary.json' : 'comparison.json', outcome.json, 'application/json'));
  $('share').addEventListener('click', async () => {
    await saveState();
    try {
      await navigator.clipboard.writeText(location.href);
      setStatus('Link copied: it opens this scenario with these settings.');
    } catch {
      $('share-url').select();
      setStatus('Copy the selected link to share this scenario with these settings.');
    }
  });
}

function scenarioStem() {
  return galleryId || (inspection?.name || 'scenario').toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function download(name, text, type) {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// ---------------------------------------------------------------- data files

const MAX_FILE_BYTES = 16 << 20; // sim-core's limit (sim_core::data::MAX_FILE_BYTES)

/** The data files' texts by path, as the module takes them. */
function fileTexts() {
  return Object.fromEntries(Object.entries(files).map(([path, f]) => [path, f.text]));
}

/** Keeps (or, with `text` null, forgets) a data file and re-checks the scenario with it. */
function supply(path, text, from) {
  if (text == null) delete files[path];
  else files[path] = { text, from, lines: text.split('\n').filter((l) => l.trim()).length };
  check($('editor').value, true);
}

/** One data file's row: its status, a file input and a text box to paste into. */
function dataFileRow(path, k) {
  const status = el('p', { id: `data-status-${k}`, className: 'data-status' });
  const open = el('input', { type: 'file', id: `data-open-${k}`, accept: '.csv,.txt,text/csv,text/plain' });
  const paste = el('textarea', { id: `data-paste-${k}`, rows: 6, spellcheck: false, wrap: 'off' });
  for (const input of [open, paste]) input.setAttribute('aria-describedby', status.id);
  paste.setAttribute('autocapitalize', 'off');
  if (files[path]?.from === 'pasted') paste.value = files[path].text;
  open.addEventListener('change', async () => {
    const file = open.files[0];
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      status.className = 'data-status bad';
      status.textContent = `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB, more than the limit of 16 MB.`;
      open.value = '';
      return;
    }
    const text = await file.text();
    paste.value = '';
    supply(path, text, `opened ${file.name}`);
  });
  let typing;
  paste.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      open.value = '';
      supply(path, paste.value.trim() ? paste.value : null, 'pasted');
    }, 400);
  });
  return el('fieldset', { className: 'data-file' },
    el('legend', {}, el('code', { textContent: path })),
    status,
    el('label', { htmlFor: open.id, textContent: `Open ${path} from this computer` }),
    open,
    el('details', {},
      el('summary', { textContent: 'or paste its text' }),
      el('label', { htmlFor: paste.id, textContent: `Text of ${path} (CSV, header row first)` }),
      paste));
}

/** The data panel: one row per file the scenario reads, with what the module found in it. */
function showDataFiles() {
  const list = inspection.data_files || [];
  // A text that does not parse lists no files: keep the rows (and what was pasted) until it does.
  $('data-section').hidden = !list.length;
  if (!list.length) return;
  const box = $('data-files');
  const paths = list.map((f) => f.path).join('\n');
  if (box.dataset.paths !== paths) {
    box.dataset.paths = paths;
    box.replaceChildren(...list.map((f, k) => dataFileRow(f.path, k)));
  }
  list.forEach((f, k) => {
    const status = $(`data-status-${k}`);
    const held = files[f.path];
    if (f.problem) {
      status.className = 'data-status bad';
      status.textContent = `Cannot be used: ${f.problem}`;
    } else if (!f.supplied) {
      status.className = 'data-status missing';
      status.textContent = 'Not supplied yet: open the file or paste its text.';
    } else {
      status.className = 'data-status';
      status.textContent = `Supplied (${held.from}, ${held.lines} line${held.lines === 1 ? '' : 's'}): `
        + `column${f.columns.length === 1 ? '' : 's'} ${f.columns.join(', ')}.`;
    }
  });
}

// ---------------------------------------------------------------- editor and checking

function showGutter() {
  const lines = $('editor').value.split('\n').length;
  const bad = new Set((inspection?.errors ?? []).map((e) => e.line));
  $('gutter').replaceChildren(...Array.from({ length: lines }, (_, k) => el('div', {
    className: bad.has(k + 1) ? 'bad' : '', textContent: String(k + 1),
  })));
  $('gutter').scrollTop = $('editor').scrollTop;
}

function goToLine(line, column = 1) {
  const ed = $('editor');
  const lines = ed.value.split('\n');
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  ed.focus();
  ed.setSelectionRange(offset, offset);
  ed.scrollTop = Math.max(0, (line - 5) * parseFloat(getComputedStyle(ed).lineHeight));
}

function showProblems() {
  $('errors').replaceChildren(...inspection.errors.map((e) => {
    const where = e.line ? `line ${e.line}, column ${e.column}: ` : '';
    const li = el('li', { className: 'error' });
    if (e.line) {
      li.dataset.line = e.line;
      li.append(el('button', {
        type: 'button', className: 'link', textContent: `line ${e.line}`,
        onclick: () => goToLine(e.line, e.column),
      }), `, column ${e.column}: `);
    }
    li.append(e.message);
    li.title = where + e.message;
    return li;
  }));
  showGutter();
}

/** Checks `text`; when it is fine, rebuilds the controls and (optionally) runs it. */
async function check(text, thenRun) {
  const ticket = ++current.check;
  const { inspection: found } = await checker.request({ op: 'inspect', text, files: fileTexts() });
  if (ticket !== current.check) return;
  inspection = found;
  showProblems();
  showDataFiles();
  if (!found.ok) {
    const missing = found.missing_data || [];
    setStatus(missing.length
      ? `The scenario reads ${missing.length === 1 ? 'a data file' : 'data files'} not supplied yet (${missing.join(', ')}): `
        + `open or paste ${missing.length === 1 ? 'it' : 'them'} under Data files.`
      : `The scenario has ${found.errors.length} problem${found.errors.length === 1 ? '' : 's'}: see the list under the text.`);
    return;
  }
  variants = variants.filter((v) => found.variants.some((x) => x.id === v));
  showControls();
  sweepPanel?.scenarioChanged();
  saveState();
  if (thenRun && $('autorun').checked) run();
  else if (thenRun) setStatus('Ready: press Run.');
}

/** Re-applies the settings to the base text and shows (and runs) the result. */
async function refresh(thenRun = true) {
  const ticket = ++current.check;
  const { result } = await checker.request({ op: 'apply', text: base, settings });
  if (ticket !== current.check) return;
  if (!result.ok) {
    setStatus(`That setting could not be applied: ${result.error}`);
    settings = {};
    return;
  }
  $('editor').value = result.text;
  await check(result.text, thenRun || $('autorun').checked);
}

// ---------------------------------------------------------------- running

function cancel() {
  if (current.run == null) return;
  runner.send({ op: 'cancel', id: current.run });
}

async function run() {
  if (!inspection?.ok) return;
  if (current.run != null) cancel();
  const text = $('editor').value;
  const chosen = [...variants];
  $('cancel').disabled = false;
  $('run').disabled = true;
  setStatus('Running…');
  const pending = runner.request({ op: 'run', text, variants: chosen, files: fileTexts() });
  current.run = pending.id;
  const reply = await pending;
  if (current.run !== reply.id) return; // a newer run has started
  current.run = null;
  $('cancel').disabled = true;
  $('run').disabled = false;
  if (reply.op === 'cancelled') {
    setStatus('Cancelled.');
    return;
  }
  if (reply.op === 'error') {
    setStatus(`The run failed: ${reply.error}`);
    return;
  }
  lastRun = { text, variants: chosen, files: fileTexts() };
  showResult(reply);
  resetAnimation();
  showDiagram(lastRun);
}

// ---------------------------------------------------------------- the model's picture

/** The pathway diagram of the model just run (its first variant), drawn by the module. */
async function showDiagram(shown) {
  const reply = await checker.request({
    op: 'diagram', text: shown.text, variant: shown.variants[0] ?? null, files: shown.files,
  });
  if (shown !== lastRun || reply.op !== 'diagram' || !reply.svg) return;
  $('diagram').innerHTML = reply.svg;
  $('diagram-section').hidden = false;
}

// ---------------------------------------------------------------- animated day

/** A new result: the old animation (of another run) goes, the button comes back. */
function resetAnimation() {
  animation?.destroy();
  animation = null;
  $('animate-section').hidden = false;
  $('animate-run').disabled = false;
  $('animate-status').textContent = '';
  $('animate-status').classList.remove('bad');
}

async function animate() {
  if (!lastRun) return;
  const shown = lastRun;
  $('animate-run').disabled = true;
  $('animate-status').classList.remove('bad');
  $('animate-status').textContent = 'Replaying replication 0 with every patient\'s events…';
  const reply = await checker.request({ op: 'animate', ...shown });
  if (shown !== lastRun) return; // a newer run came meanwhile
  const r = reply.result;
  if (reply.op !== 'animate' || !r?.ok) {
    $('animate-run').disabled = false;
    $('animate-status').classList.add('bad');
    $('animate-status').textContent = `The day cannot be animated: ${r?.error || reply.error || 'cancelled'}`;
    return;
  }
  const events = r.variants.reduce((n, v) => n + v.time.length, 0);
  const patients = r.variants.map((v) => `${v.label} ${v.patients.toLocaleString('en-GB')}`).join(', ');
  $('animate-status').textContent = `Replication 0: ${events.toLocaleString('en-GB')} events of the patients (${patients}), `
    + `ready in ${(reply.elapsedMs / 1000).toFixed(2)} s. Press Play, or drag the clock.`;
  animation = mountAnimation($('animation'), r);
}

/** Mean patients still inside at the end per variant label, from the run's JSON
 * (`summary.json` for a run, `comparison.json` for a comparison). */
function unfinishedByVariant(o) {
  const out = new Map();
  let parsed;
  try {
    parsed = JSON.parse(o.json);
  } catch {
    return out;
  }
  const summaries = o.kind === 'run' ? [parsed] : Object.values(parsed.variants || {});
  for (const s of summaries) out.set(s.variant || 'base', s.patients?.unfinished?.mean ?? 0);
  return out;
}

/** A mean count with as many decimals as it takes not to read as zero (as in the report). */
function count(m) {
  return m >= 10 ? m.toFixed(0) : m >= 0.1 ? m.toFixed(1) : m.toFixed(2);
}

function showResult({ outcome: o, elapsedMs, simulatedMs }) {
  outcome = o;
  $('results').innerHTML = o.html;
  for (const chart of o.charts) {
    const figure = document.getElementById(chart.stem);
    if (!figure) continue;
    const link = el('button', {
      type: 'button', className: 'link-button', textContent: `Download this chart (${chart.stem}.svg)`,
    });
    link.addEventListener('click', () => download(`${chart.stem}.svg`, chart.svg, 'image/svg+xml'));
    figure.append(link);
  }
  const min = (x) => `${x.toFixed(1)} min`;
  const left = unfinishedByVariant(o);
  // The headline's mean leaves out patients still inside at the end; say so right there (the
  // warning box at the top of the results, from the report sections, explains it).
  $('headline').textContent = o.headline.map((h) => `${h.variant}: ${min(h.time_in_system_mean)} in the clinic on average`
    + (h.ci95[0] != null ? ` [95% CI ${h.ci95[0].toFixed(1)}, ${h.ci95[1].toFixed(1)}]` : '')
    + (left.get(h.variant) > 0 ? ` (not counting ${count(left.get(h.variant))} patients per replication still inside at the end)` : ''))
    .join(' · ');
  $('headline').classList.toggle('has-unfinished', [...left.values()].some((n) => n > 0));
  $('download-json').disabled = false;
  $('progress').value = $('progress').max;
  const seconds = (elapsedMs / 1000).toFixed(2);
  setStatus(`Done: ${o.replications} replication${o.replications === 1 ? '' : 's'}`
    + `${o.headline.length > 1 ? ` × ${o.headline.length} variants` : ''}, seed ${o.seed}, in ${seconds} s.`);
  document.body.dataset.elapsedMs = String(elapsedMs);
  document.body.dataset.simulatedMs = String(simulatedMs);
}

// ---------------------------------------------------------------- start

async function start() {
  wireStaticControls();
  startFitPanel({ worker, checker, el, download });
  sweepPanel = startSweepPanel({
    checker, el, download,
    scenario: () => ({ text: $('editor').value, files: fileTexts(), inspection, variants, stem: scenarioStem() }),
  });
  const hello = await checker.request({ op: 'hello' });
  gallery = hello.gallery;
  await loadState();
  showGallery();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
  await refresh(true);
}

start();
