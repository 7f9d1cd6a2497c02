// The page's "Fit a distribution" panel: `carepath fit` in the browser. The user opens or
// pastes a CSV file of observed durations, picks the column and (when nothing states it) the
// unit, and presses Fit. The column list comes from the quick worker (`fit_columns`); the fit
// runs in a worker of its own (`fit_csv`), which reports each bootstrap sample and is ended to
// cancel (the bootstrap runs inside one call into the module, so it cannot hear a message).
// The text stays in the page: it goes to the workers and nowhere else.

const $ = (id) => document.getElementById(id);
const MAX_FILE_BYTES = 16 << 20; // sim-core's limit (sim_core::data::MAX_FILE_BYTES)

/**
 * Wires the panel. `worker(onPush)` makes a request/response worker (app.js), `checker` is the
 * page's quick worker, `el` builds elements and `download(name, text, type)` saves a file.
 */
export function startFitPanel({ worker, checker, el, download }) {
  const data = { text: '', name: '' };
  let fitter = null; // the fit's worker, made when a fit starts, ended by Cancel
  let running = null; // the request in progress
  let columnsTicket = 0;
  let outcome = null;

  const status = (text) => { $('fit-status').textContent = text; };

  function setData(text, name) {
    data.text = text;
    data.name = name;
    outcome = null;
    $('fit-results').replaceChildren();
    $('fit-download').hidden = true;
    $('fit-error').hidden = true;
    listColumns();
  }

  /** Fills the column list from the text's header (with each column's count and unit). */
  async function listColumns() {
    const ticket = ++columnsTicket;
    const select = $('fit-column');
    const info = $('fit-data');
    if (!data.text.trim()) {
      select.replaceChildren();
      info.className = 'data-status missing';
      info.textContent = 'No data yet: open a CSV file or paste its text.';
      $('fit-run').disabled = true;
      return;
    }
    const { result } = await checker.request({ op: 'columns', text: data.text });
    if (ticket !== columnsTicket) return;
    $('fit-run').disabled = false;
    if (!result.ok) {
      select.replaceChildren();
      info.className = 'data-status bad';
      info.textContent = `${data.name}: ${result.error}`;
      return;
    }
    const previous = select.value;
    const options = result.columns.map((c) => el('option', {
      value: c.name,
      textContent: `${c.name} (${c.problem ? 'cannot be read'
        : `${c.values} value${c.values === 1 ? '' : 's'}${c.needs_unit ? ', no unit' : ''}`})`,
    }));
    // Several columns: the user names one (as `carepath fit --column`); one is taken as it is.
    if (result.columns.length > 1) options.unshift(el('option', { value: '', textContent: 'Choose a column…' }));
    select.replaceChildren(...options);
    if (result.columns.some((c) => c.name === previous)) select.value = previous;
    select.dataset.columns = JSON.stringify(result.columns);
    info.className = 'data-status';
    info.textContent = `${data.name}: ${result.columns.length} column${result.columns.length === 1 ? '' : 's'} `
      + `(${result.columns.map((c) => c.name).join(', ')}).`;
    describeColumn();
  }

  /** Says what the chosen column holds and whether it needs a unit. */
  function describeColumn() {
    const columns = JSON.parse($('fit-column').dataset.columns || '[]');
    const c = columns.find((x) => x.name === $('fit-column').value);
    const hint = $('fit-column-hint');
    if (!c) {
      hint.textContent = columns.length > 1 ? 'The file has several columns: choose the one to fit.' : '';
      return;
    }
    if (c.problem) hint.textContent = `This column cannot be read: ${c.problem}`;
    else if (c.needs_unit) hint.textContent = `Its values are bare numbers and the header states no unit: choose the unit${$('fit-unit').value ? '' : ' below'}.`;
    else hint.textContent = 'The header (or each value) states the unit; leave the unit as the file states it.';
  }

  function finish() {
    running = null;
    $('fit-run').disabled = false;
    $('fit-cancel').disabled = true;
  }

  async function fit() {
    const bootstrap = Number($('fit-bootstrap').value);
    const seed = Number($('fit-seed').value);
    if (!Number.isInteger(bootstrap) || bootstrap < 0 || bootstrap > 100000) {
      status('The bootstrap must be a whole number from 0 to 100000 samples per family.');
      return;
    }
    if (!Number.isSafeInteger(seed) || seed < 0) {
      status('The seed must be a whole number.');
      return;
    }
    if (running) cancel();
    fitter ||= worker((m) => {
      if (m.op === 'progress' && running && m.id === running.id) {
        $('fit-progress').max = Math.max(m.total, 1);
        $('fit-progress').value = m.done;
        status(`Fitting: bootstrap sample ${m.done} of ${m.total}…`);
      }
    });
    const options = {
      name: data.name, column: $('fit-column').value || null, unit: $('fit-unit').value || null, bootstrap, seed,
    };
    $('fit-run').disabled = true;
    $('fit-cancel').disabled = false;
    $('fit-error').hidden = true;
    $('fit-progress').value = 0;
    status(bootstrap ? 'Fitting…' : 'Fitting (no bootstrap)…');
    const pending = fitter.request({ op: 'fit', text: data.text, options });
    running = pending;
    const reply = await pending;
    if (running !== pending) return; // cancelled, or a newer fit started
    finish();
    if (reply.op !== 'fit') {
      status(`The fit failed: ${reply.error}`);
      return;
    }
    if (!reply.result.ok) {
      showError(reply.result.error);
      return;
    }
    show(reply.result);
    $('fit-progress').value = $('fit-progress').max;
    const r = reply.result;
    status(`Done: ${r.rows.length} famil${r.rows.length === 1 ? 'y' : 'ies'} fitted to ${r.observations} observations `
      + `(bootstrap ${r.bootstrap}, seed ${r.seed}) in ${(reply.elapsedMs / 1000).toFixed(2)} s.`);
    document.body.dataset.fitMs = String(reply.elapsedMs);
  }

  /** Stops the fit by ending its worker (the next fit makes a new one). */
  function cancel() {
    if (!running) return;
    fitter.terminate();
    fitter = null;
    finish();
    status('Cancelled.');
  }

  /** The CLI's message, under the buttons (beside them on a phone, where the results are far below). */
  function showError(message) {
    outcome = null;
    $('fit-download').hidden = true;
    $('fit-results').replaceChildren();
    $('fit-error').textContent = message;
    $('fit-error').hidden = false;
    status('The data could not be fitted:');
  }

  function copyButton(text, what) {
    const button = el('button', { type: 'button', className: 'link-button', textContent: 'Copy' });
    button.setAttribute('aria-label', `Copy ${what}`);
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(text);
        status(`Copied: ${text}`);
      } catch {
        const range = document.createRange();
        range.selectNodeContents(button.previousElementSibling);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        status('Copy the selected line (the browser did not allow copying).');
      }
    });
    return button;
  }

  function show(r) {
    outcome = r;
    $('fit-error').hidden = true;
    const cell = (tag, text, className = '') => el(tag, { textContent: text, className });
    const head = el('tr', {}, ...['rank', 'family', 'params', 'log-lik', 'AIC', 'ΔAIC', 'KS D', 'KS p', 'AD A²', 'AD p']
      .map((h) => el('th', { scope: 'col', textContent: h })));
    const body = r.rows.map((x) => el('tr', {},
      cell('td', String(x.rank)), cell('td', x.family), cell('td', String(x.params)), cell('td', x.log_lik),
      cell('td', x.aic), cell('td', x.delta_aic), cell('td', x.ks), cell('td', x.ks_p), cell('td', x.ad),
      cell('td', x.ad_p)));
    for (const s of r.skipped) {
      const why = el('td', { colSpan: 8, className: 'skipped', textContent: `not fitted: ${s.reason}` });
      body.push(el('tr', {}, cell('td', '–'), cell('td', s.family), why));
    }
    // The heading sits above the scrolling table (a caption would scroll away with it on a phone).
    const heading = el('p', { id: 'fit-heading', className: 'fit-heading', textContent: r.heading });
    const table = el('table', { id: 'fit-table' }, el('thead', {}, head), el('tbody', {}, ...body));
    table.setAttribute('aria-labelledby', heading.id);
    const best = el('ol', { className: 'fit-best' }, ...r.best.map((line, k) => el('li', {},
      el('code', { textContent: line }), ' ', copyButton(line, `fit ${k + 1} (${r.rows[k].family})`))));
    const figures = r.charts.map((c) => {
      const figure = el('figure', { id: `fit-${c.stem}` });
      figure.innerHTML = c.svg; // drawn by carepath-charts, which escapes every text it writes
      return figure;
    });
    $('fit-results').replaceChildren(
      heading,
      el('div', { className: 'table-scroll' }, table),
      el('p', { className: 'hint', textContent: r.note }),
      el('h3', { textContent: 'Best fits, as a scenario writes them' }),
      best,
      el('p', { className: 'hint', textContent: 'Paste a line into a station in place of its service (or use the '
        + 'distribution for a delay or patience). A ΔAIC under 2 means the data cannot tell those fits apart.' }),
      ...figures);
    $('fit-download').hidden = false;
  }

  $('fit-open').addEventListener('change', async () => {
    const file = $('fit-open').files[0];
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      $('fit-data').className = 'data-status bad';
      $('fit-data').textContent = `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB, more than the limit of 16 MB.`;
      $('fit-open').value = '';
      return;
    }
    const text = await file.text();
    $('fit-paste').value = '';
    setData(text, file.name);
  });
  let typing;
  $('fit-paste').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      $('fit-open').value = '';
      setData($('fit-paste').value, 'pasted data');
    }, 300);
  });
  $('fit-column').addEventListener('change', describeColumn);
  $('fit-unit').addEventListener('change', describeColumn);
  $('fit-form').addEventListener('submit', (e) => { e.preventDefault(); fit(); });
  $('fit-cancel').addEventListener('click', cancel);
  $('fit-json').addEventListener('click', () => outcome && download('fit.json', outcome.json, 'application/json'));
  for (const stem of ['fit_density', 'fit_qq']) {
    $(`fit-${stem}-svg`).addEventListener('click', () => {
      const chart = outcome?.charts.find((c) => c.stem === stem);
      if (chart) download(`${stem}.svg`, chart.svg, 'image/svg+xml');
    });
  }
  listColumns();
}
