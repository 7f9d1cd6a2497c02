// The page's "Sweep" panel: `carepath sweep` in the browser. The user picks one setting (a
// control's scenario path, or any path typed as for `--set PATH=VALUE`), its range or values,
// the variants, replications, seed and the metric to draw, and presses Run sweep. The panel
// writes a study file (docs/studies.md) and has the quick worker read it (`sweep_plan`: the
// points, as sim-core enumerates them for the CLI, and the CLI's checks of the first point);
// then the points are shared out among a pool of module workers (worker.js, `sweep-point`),
// as many as navigator.hardwareConcurrency allows (1 to 8), each given the next point as soon
// as it finishes one. Every point runs with the study's seed (common random numbers), so which
// worker ran which point changes nothing. Cancel ends the pool's workers at once; the page's
// own thread only passes messages, so it stays responsive. The finished rows go back to the
// quick worker for `sweep.csv` (`sweep_csv`, byte for byte the CLI's) and the chart
// (`sweep_chart`, what `carepath sweep --charts` draws).

const $ = (id) => document.getElementById(id);
const MAX_WORKERS = 8;
const DEFAULT_METRIC = 'time_in_system_min.mean';

/** Workers the pool may have: navigator.hardwareConcurrency, at least 1, at most 8. */
export function poolSize() {
  return Math.min(MAX_WORKERS, Math.max(1, Math.floor(navigator.hardwareConcurrency || 1)));
}

/** A number as TOML writes it (an integer stays an integer). */
function tomlNumber(x) {
  return String(x); // JavaScript's shortest form is valid TOML (`0.5`, `12`, `1e-7`, `1e+21`)
}

/** A TOML basic string (JSON's escapes are TOML's). */
const q = (s) => JSON.stringify(s);

/** Decimals for a column of values: as many as the largest needs (1 from 100, 2 from 1, else 4). */
function decimals(values) {
  const a = Math.max(0, ...values.filter((x) => x != null).map(Math.abs));
  return a >= 100 ? 1 : a >= 1 ? 2 : 4;
}

/** The settings the page's controls stand for, as sweep parameters. */
function parameters(i) {
  const around = (n) => {
    const span = Math.max(2, Math.round(n / 4));
    return { from: Math.max(1, n - span), to: n + span, step: Math.max(1, Math.round(span / 2)) };
  };
  const out = [];
  for (const s of i.stations) {
    if (s.staffing === 'constant') {
      out.push({ path: `stations.${s.id}.servers`, label: `${s.name}: servers`, ...around(s.servers) });
    } else if (s.staffing === 'shifts') {
      out.push({
        path: `stations.${s.id}.servers[0].count`, label: `${s.name}: staff on the first shift`, ...around(s.servers),
        hint: 'Only the first shift changes; the others keep their counts.',
      });
    }
  }
  for (const r of i.resources || []) {
    const path = r.staffing === 'constant' ? `resources.${r.id}.capacity` : `resources.${r.id}.capacity[0].count`;
    out.push({
      path, label: `${r.name}: units${r.staffing === 'constant' ? '' : ' on the first shift'}`, ...around(r.units),
      hint: `Shared resource, required by ${r.used_by.join(', ') || 'no station'}.`,
    });
  }
  if (i.workflow_levers.length) {
    for (const c of i.classes) {
      out.push({
        path: `workflow.adoption.${c}`, label: `Digital adoption of class ${c}`, from: 0.2, to: 1, step: 0.2,
        hint: 'The share of the class using the digital workflow, in every variant that has the levers.',
      });
    }
  }
  out.push({ path: '', label: 'Another setting (type its path)…', from: 1, to: 3, step: 1 });
  return out;
}

/**
 * Wires the panel. `checker` is the page's quick worker (request/response, app.js), `el`
 * builds elements, `download(name, text, type)` saves a file and `scenario()` gives what runs:
 * `{ text, files, inspection, variants, stem }`.
 */
export function startSweepPanel({ checker, el, download, scenario }) {
  let options = [];
  let pool = []; // { worker, k }: module workers, kept between sweeps, ended by Cancel
  let sweep = null; // the sweep in progress
  let result = null; // the last finished sweep
  let previewTicket = 0;
  let previewing;
  let nextId = 1;
  let shownFor = null; // the inspection the form was last filled from

  const section = $('sweep-section');
  const status = (text) => { $('sweep-status').textContent = text; };
  const showError = (text) => {
    $('sweep-error').hidden = !text;
    $('sweep-error').textContent = text ? `The sweep cannot run: ${text}` : '';
  };

  // ------------------------------------------------------------ the form

  /** Rebuilds the setting list and the variants from a new inspection of the scenario. */
  function scenarioChanged() {
    const { inspection: i, variants } = scenario();
    if (!i?.ok || i === shownFor) return;
    const previous = options[Number($('sweep-param').value)];
    shownFor = i;
    options = parameters(i);
    const select = $('sweep-param');
    select.replaceChildren(...options.map((o, k) => el('option', { value: String(k), textContent: o.label })));
    // The same setting stays chosen (with its range) when the scenario keeps it.
    const keep = previous ? options.findIndex((o) => o.path === previous.path) : -1;
    select.value = String(Math.max(keep, 0));
    if (keep < 0) fillRange();
    describeParameter();
    const box = $('sweep-variants');
    const ids = i.variants.map((v) => v.id).join('\n');
    if (i.variants.length && box.dataset.ids === ids) {
      // The same variants: the ticks stay as the user left them.
    } else if (i.variants.length) {
      box.replaceChildren(el('p', { className: 'hint', textContent: 'Variants (one line each; none ticked: the base scenario)' }),
        ...i.variants.map((v) => {
          const id = `sweep-variant-${v.id}`;
          const input = el('input', { type: 'checkbox', id, name: 'sweep-variant', value: v.id });
          input.checked = variants.includes(v.id);
          input.addEventListener('change', preview);
          return el('label', { className: 'check', htmlFor: id, title: v.description }, input, ` ${v.id}`);
        }));
    } else {
      box.replaceChildren(el('p', { className: 'hint', textContent: 'The scenario has no variants: the base scenario runs.' }));
    }
    box.dataset.ids = ids;
    if (!$('sweep-seed').dataset.touched) $('sweep-seed').value = i.seed;
    preview();
  }

  function fillRange() {
    const o = options[Number($('sweep-param').value)];
    if (!o) return;
    $('sweep-from').value = o.from;
    $('sweep-to').value = o.to;
    $('sweep-step').value = o.step;
  }

  function describeParameter() {
    const o = options[Number($('sweep-param').value)];
    const free = !o?.path;
    $('sweep-path').hidden = !free;
    $('sweep-path-label').hidden = !free;
    $('sweep-param-hint').textContent = free
      ? 'Any value of the scenario by its path, e.g. stations.consult.service.mean with the values "5min", "6min".'
      : `Path ${o.path}. ${o.hint || ''} The sweep's value replaces the control's at every point.`;
  }

  /** The form as a study's parts, or `{ error }`. */
  function readForm() {
    const o = options[Number($('sweep-param').value)];
    if (!o) return { error: 'no scenario is loaded yet' };
    const path = o.path || $('sweep-path').value.trim();
    if (!path) return { error: 'type the path of the setting to vary (for example stations.consult.servers)' };
    let values = null;
    let range = null;
    if ($('sweep-values').value.trim()) {
      values = $('sweep-values').value.trim().replace(/^\[|\]$/g, '');
    } else {
      const [from, to, step] = ['from', 'to', 'step'].map((k) => $(`sweep-${k}`).value.trim());
      const [a, b, s] = [from, to, step].map(Number);
      if ([from, to, step].some((t) => t === '') || ![a, b, s].every(Number.isFinite)) {
        return { error: 'give the range as three numbers (from, to, step), or list the values' };
      }
      range = { from: a, to: b, step: s };
    }
    const replications = Number($('sweep-replications').value);
    if (!Number.isInteger(replications) || replications < 1) return { error: 'replications must be a whole number of at least 1' };
    const seed = $('sweep-seed').value.trim();
    if (!/^\d+$/.test(seed)) return { error: 'the seed must be a whole number (0 or more)' };
    const variants = [...document.querySelectorAll('#sweep-variants input:checked')].map((x) => x.value);
    return { path, values, range, replications, seed, variants };
  }

  /** The study file of the form, with `metrics` (none: the CLI's defaults). */
  function studyText(f, metrics) {
    const stem = scenario().stem;
    const lines = [
      '# A sweep written by the CarePath web page. Save the scenario beside this file as',
      `# ${stem}.toml, then run: carepath sweep THIS_FILE --out DIR --charts DIR/charts`,
      '[sweep]',
      `scenario = ${q(`${stem}.toml`)}`,
    ];
    if (f.variants.length) lines.push(`variants = [${f.variants.map(q).join(', ')}]`);
    lines.push(`replications = ${f.replications}`, `seed = ${f.seed}`);
    if (metrics) lines.push(`metrics = [${metrics.map(q).join(', ')}]`);
    const values = f.values != null ? `[${f.values}]`
      : `{ from = ${tomlNumber(f.range.from)}, to = ${tomlNumber(f.range.to)}, step = ${tomlNumber(f.range.step)} }`;
    lines.push('', '[parameters]', `${q(f.path)} = ${values}`, '');
    return lines.join('\n');
  }

  function plan(study) {
    const { text, files } = scenario();
    return checker.request({ op: 'sweep-plan', study, text, files }).then((r) => r.plan);
  }

  /** Fills the metric list from a plan, keeping the choice. */
  function showMetrics(p) {
    const select = $('sweep-metric');
    const chosen = select.value || DEFAULT_METRIC;
    const names = p.metric_names.join('\n');
    if (select.dataset.names !== names) {
      select.dataset.names = names;
      select.replaceChildren(...p.metric_names.map((m) => el('option', { value: m, textContent: m })));
    }
    select.value = p.metric_names.includes(chosen) ? chosen : (p.metric_names.includes(DEFAULT_METRIC) ? DEFAULT_METRIC : p.metric_names[0]);
  }

  /** Says what the form would run (or what is wrong with it), debounced. */
  function preview() {
    clearTimeout(previewing);
    previewing = setTimeout(async () => {
      const ticket = ++previewTicket;
      const f = readForm();
      if (f.error) {
        $('sweep-plan').textContent = '';
        showError(f.error);
        $('sweep-run').disabled = true;
        return;
      }
      const p = await plan(studyText(f, null));
      if (ticket !== previewTicket) return;
      if (!p.ok) {
        $('sweep-plan').textContent = '';
        showError(p.error);
        $('sweep-run').disabled = true;
        return;
      }
      showError('');
      showMetrics(p);
      const n = p.points.length;
      const workers = Math.min(poolSize(), n);
      $('sweep-plan').textContent = `${n} point${n === 1 ? '' : 's'} (${p.points.map((x) => x.join(', ')).slice(0, 12).join(', ')}`
        + `${n > 12 ? ', …' : ''}) × ${p.variants.length} variant${p.variants.length === 1 ? '' : 's'} (${p.variants.join(', ')})`
        + ` × ${p.replications} replication${p.replications === 1 ? '' : 's'}, seed ${p.seed}, on ${workers} worker${workers === 1 ? '' : 's'}.`;
      $('sweep-run').disabled = sweep !== null;
    }, 250);
  }

  // ------------------------------------------------------------ the pool

  function ensurePool(n) {
    while (pool.length < n) {
      const slot = { worker: new Worker('worker.js', { type: 'module' }), k: pool.length };
      slot.worker.onmessage = ({ data }) => onPoint(slot, data);
      slot.worker.onerror = (e) => failed(`a worker stopped: ${e.message || 'unknown error'}`);
      pool.push(slot);
    }
  }

  function endPool() {
    for (const s of pool) s.worker.terminate();
    pool = [];
  }

  /** Gives `slot` the next point, if any is left. */
  function dispatch(slot) {
    if (sweep.next >= sweep.plan.points.length) return;
    const index = sweep.next++;
    sweep.running.set(slot.k, 0);
    slot.worker.postMessage({
      op: 'sweep-point', id: sweep.id, study: sweep.study, text: sweep.text, files: sweep.files, index,
    });
  }

  function onPoint(slot, data) {
    if (!sweep || data.id !== sweep.id) return;
    if (data.op === 'progress') {
      sweep.running.set(slot.k, data.done);
      showProgress();
    } else if (data.op === 'sweep-rows') {
      sweep.rows.push(...data.rows);
      sweep.finished += 1;
      sweep.replicationsDone += data.total;
      sweep.running.delete(slot.k);
      sweep.used.add(slot.k);
      if (sweep.finished === sweep.plan.points.length) finish();
      else {
        dispatch(slot);
        showProgress();
      }
    } else if (data.op === 'error') {
      failed(data.error);
    }
  }

  function showProgress() {
    const s = sweep;
    const total = s.plan.points.length * s.perPoint;
    let done = s.replicationsDone;
    for (const d of s.running.values()) done += d;
    $('sweep-progress').max = Math.max(total, 1);
    $('sweep-progress').value = done;
    status(`Sweeping: ${s.finished} of ${s.plan.points.length} points… (${s.workers} worker${s.workers === 1 ? '' : 's'}, `
      + `replication ${done} of ${total})`);
  }

  function idle() {
    $('sweep-cancel').disabled = true;
    $('sweep-run').disabled = false;
    section.dataset.state = 'idle';
  }

  function failed(error) {
    if (!sweep) return;
    endPool();
    sweep = null;
    idle();
    status('The sweep stopped.');
    showError(error);
  }

  function cancel() {
    if (!sweep) return;
    const { finished, plan: p } = sweep;
    endPool();
    sweep = null;
    idle();
    status(`Cancelled: ${finished} of ${p.points.length} points had finished.`);
    section.dataset.cancelled = String(Number(section.dataset.cancelled || 0) + 1);
  }

  // ------------------------------------------------------------ running and results

  async function run() {
    if (sweep) return;
    const f = readForm();
    if (f.error) {
      showError(f.error);
      return;
    }
    $('sweep-run').disabled = true;
    showError('');
    status('Reading the study…');
    // The chosen metric first, then the CLI's defaults, so each can be drawn afterwards.
    const defaults = await plan(studyText(f, null));
    if (!defaults.ok) {
      showError(defaults.error);
      status('');
      $('sweep-run').disabled = false;
      return;
    }
    showMetrics(defaults);
    const metric = $('sweep-metric').value;
    const study = studyText(f, [metric, ...defaults.metrics.filter((m) => m !== metric)]);
    const p = await plan(study);
    if (!p.ok) {
      showError(p.error);
      status('');
      $('sweep-run').disabled = false;
      return;
    }
    const { text, files } = scenario();
    const workers = Math.min(poolSize(), p.points.length);
    sweep = {
      id: nextId++, plan: p, study, text, files, metric, workers,
      next: 0, finished: 0, replicationsDone: 0, rows: [], running: new Map(), used: new Set(),
      perPoint: p.replications * p.variants.length, started: performance.now(),
    };
    section.dataset.state = 'running';
    section.dataset.workers = String(workers);
    $('sweep-cancel').disabled = false;
    ensurePool(workers);
    showProgress();
    for (const slot of pool.slice(0, workers)) dispatch(slot);
  }

  async function finish() {
    const s = sweep;
    sweep = null;
    const elapsedMs = performance.now() - s.started;
    idle();
    section.dataset.workersUsed = String(s.used.size);
    section.dataset.elapsedMs = String(elapsedMs);
    const p = s.plan;
    result = {
      study: s.study, plan: p, rows: s.rows,
      table: {
        scenario_name: p.scenario_name, replications: p.replications, parameters: p.parameters,
        points: p.points, rows: s.rows, goals: p.goals,
      },
    };
    $('sweep-progress').value = $('sweep-progress').max;
    const r = await draw(s.metric, true);
    const n = p.points.length;
    status(`Done: ${n} point${n === 1 ? '' : 's'} × ${p.variants.length} variant${p.variants.length === 1 ? '' : 's'}`
      + ` × ${p.replications} replication${p.replications === 1 ? '' : 's'}, seed ${p.seed}, in ${(elapsedMs / 1000).toFixed(2)} s`
      + ` on ${s.used.size} worker${s.used.size === 1 ? '' : 's'}.${r ? '' : ' (No chart: see above.)'}`);
  }

  /** Draws the last sweep's chart and table of `metric`; with `csv`, also makes sweep.csv. */
  async function draw(metric, csv = false) {
    const reply = await checker.request({ op: 'sweep-draw', table: result.table, metric, csv });
    if (csv) result.csv = reply.csv.ok ? reply.csv.csv : null;
    result.chart = reply.chart.ok ? reply.chart : null;
    result.metric = metric;
    const box = $('sweep-results');
    const figure = el('figure', { id: 'sweep-chart' });
    if (reply.chart.ok) figure.innerHTML = reply.chart.svg;
    else figure.append(el('p', { className: 'hint', textContent: reply.chart.error }));
    box.replaceChildren(figure, table(metric));
    $('sweep-download').hidden = false;
    $('sweep-svg').disabled = !result.chart;
    $('sweep-svg').title = result.chart ? `${result.chart.stem}.svg` : '';
    return reply.chart.ok;
  }

  function table(metric) {
    const p = result.plan;
    const order = new Map(p.variants.map((v, k) => [v, k]));
    const rows = result.rows.filter((r) => r.metric === metric)
      .sort((a, b) => a.point - b.point || order.get(a.variant) - order.get(b.variant));
    const head = el('tr', {},
      ...p.parameters.map((x) => el('th', { scope: 'col', textContent: x })),
      el('th', { scope: 'col', textContent: 'variant' }),
      el('th', { scope: 'col', textContent: 'mean' }),
      el('th', { scope: 'col', textContent: '95% CI' }),
      el('th', { scope: 'col', textContent: 'replications' }));
    const d = decimals(rows.map((r) => r.mean));
    const num = (x) => (x == null ? '—' : x.toFixed(d));
    const body = rows.map((r) => {
      const tr = el('tr', {},
        ...p.points[r.point].map((v) => el('td', { textContent: v })),
        el('td', { textContent: r.variant }),
        el('td', { textContent: num(r.mean), title: r.text.mean }),
        el('td', { className: 'ci', textContent: r.half_width == null ? 'needs 2 replications' : `[${num(r.low)}, ${num(r.high)}]` }),
        el('td', { textContent: String(r.n) }));
      tr.dataset.point = r.point;
      tr.dataset.variant = r.variant;
      tr.dataset.mean = r.text.mean;
      tr.dataset.halfWidth = r.text.half_width;
      return tr;
    });
    const t = el('table', { id: 'sweep-table' }, el('thead', {}, head), el('tbody', {}, ...body));
    t.setAttribute('aria-labelledby', 'sweep-table-heading');
    return el('div', {},
      el('p', { id: 'sweep-table-heading', className: 'fit-heading', textContent: `${metric} at each point (every number is in sweep.csv)` }),
      el('div', { className: 'table-scroll' }, t));
  }

  // ------------------------------------------------------------ wiring

  $('sweep-param').addEventListener('change', () => {
    fillRange();
    describeParameter();
    preview();
  });
  for (const id of ['sweep-path', 'sweep-from', 'sweep-to', 'sweep-step', 'sweep-values', 'sweep-replications', 'sweep-seed']) {
    $(id).addEventListener('input', preview);
  }
  $('sweep-seed').addEventListener('input', () => { $('sweep-seed').dataset.touched = '1'; });
  $('sweep-metric').addEventListener('change', () => {
    if (result && result.plan.metrics.includes($('sweep-metric').value)) draw($('sweep-metric').value);
    else if (result) status(`${$('sweep-metric').value} was not collected by the last sweep: press Run sweep to sweep it.`);
  });
  $('sweep-form').addEventListener('submit', (e) => { e.preventDefault(); run(); });
  $('sweep-cancel').addEventListener('click', cancel);
  $('sweep-csv').addEventListener('click', () => result?.csv && download('sweep.csv', result.csv, 'text/csv'));
  $('sweep-study').addEventListener('click', () => result && download('study.toml', result.study, 'application/toml'));
  $('sweep-svg').addEventListener('click', () => result?.chart && download(`${result.chart.stem}.svg`, result.chart.svg, 'image/svg+xml'));
  section.dataset.state = 'idle';
  section.dataset.poolSize = String(poolSize());

  return { scenarioChanged };
}
