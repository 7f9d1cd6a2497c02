// The simulation side of the page: loads the WebAssembly module and answers the page's
// requests. Runs step through replications and yield every few tens of milliseconds, so
// progress reaches the page and a cancel message is heard between replications. Requests that
// check or run a scenario carry `files`, the data files the page holds (path -> CSV text).
// The same worker script serves the fit panel (`columns`, `fit`; see fit.js) and the sweep
// panel (sweep.js): `sweep-plan` and `sweep-draw` in the quick worker, `sweep-point` in each
// worker of the sweep's pool (one point at a time; the page ends the pool to cancel). `animate`
// gives the animated day of a run (animate.js).
import init, * as carepath from './pkg/carepath_web.js';

const ready = init();
const cancelled = new Set();
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

async function run({ id, text, variants, files }) {
  const started = performance.now();
  let session;
  try {
    session = carepath.WebRun.start(text, JSON.stringify(variants), JSON.stringify(files || {}));
  } catch (error) {
    postMessage({ op: 'error', id, error: String(error) });
    return;
  }
  try {
    const total = session.total();
    postMessage({ op: 'progress', id, done: 0, total });
    let slice = performance.now();
    while (session.step()) {
      if (performance.now() - slice > 40) {
        postMessage({ op: 'progress', id, done: session.done(), total });
        await pause();
        if (cancelled.has(id)) {
          cancelled.delete(id);
          postMessage({ op: 'cancelled', id });
          return;
        }
        slice = performance.now();
      }
    }
    const simulated = performance.now() - started;
    const outcome = JSON.parse(session.finish());
    postMessage({
      op: 'result', id, outcome, simulatedMs: simulated, elapsedMs: performance.now() - started,
    });
  } finally {
    session.free();
  }
}

// One point of a sweep (every variant), stepped like a run; the rows go back as JSON.
async function sweepPoint({ id, study, text, files, index }) {
  let point;
  try {
    point = carepath.WebSweepPoint.start(study, text, JSON.stringify(files || {}), index);
  } catch (error) {
    postMessage({ op: 'error', id, index, error: String(error) });
    return;
  }
  try {
    const total = point.total();
    postMessage({ op: 'progress', id, index, done: 0, total });
    let slice = performance.now();
    while (point.step()) {
      if (performance.now() - slice > 40) {
        postMessage({ op: 'progress', id, index, done: point.done(), total });
        await pause();
        slice = performance.now();
      }
    }
    postMessage({ op: 'sweep-rows', id, index, total, rows: JSON.parse(point.finish()) });
  } catch (error) {
    postMessage({ op: 'error', id, index, error: String(error) });
  } finally {
    point.free();
  }
}

// A fit runs inside one call into the module; it reports each bootstrap sample through this
// global (throttled here), and the page cancels it by ending the worker.
function fit({ id, text, options }) {
  const started = performance.now();
  let last = started;
  globalThis.carepathFitProgress = (done, total) => {
    const now = performance.now();
    if (now - last < 40) return;
    last = now;
    postMessage({ op: 'progress', id, done, total });
  };
  try {
    const result = JSON.parse(carepath.fit_csv(text, JSON.stringify(options)));
    postMessage({ op: 'fit', id, result, elapsedMs: performance.now() - started });
  } catch (error) {
    postMessage({ op: 'error', id, error: String(error) });
  } finally {
    delete globalThis.carepathFitProgress;
  }
}

onmessage = async ({ data }) => {
  await ready;
  switch (data.op) {
    case 'hello':
      postMessage({ op: 'hello', id: data.id, gallery: JSON.parse(carepath.gallery()), version: carepath.version() });
      break;
    case 'inspect':
      postMessage({ op: 'inspect', id: data.id, inspection: JSON.parse(carepath.inspect(data.text, JSON.stringify(data.files || {}))) });
      break;
    case 'apply':
      postMessage({
        op: 'apply', id: data.id,
        result: JSON.parse(carepath.apply_settings(data.text, JSON.stringify(data.settings))),
      });
      break;
    case 'run':
      await run(data);
      break;
    case 'diagram':
      postMessage({ op: 'diagram', id: data.id, svg: carepath.diagram(data.text, data.variant ?? null, JSON.stringify(data.files || {})) });
      break;
    case 'animate': {
      // The animated day (animate.js): replication 0 of the models the run built, every
      // patient's events; `{ok: false, error}` for a day too big to animate.
      const started = performance.now();
      const json = carepath.animation_data(data.text, JSON.stringify(data.variants), JSON.stringify(data.files || {}));
      postMessage({ op: 'animate', id: data.id, result: JSON.parse(json), elapsedMs: performance.now() - started });
      break;
    }
    case 'sweep-plan':
      postMessage({
        op: 'sweep-plan', id: data.id,
        plan: JSON.parse(carepath.sweep_plan(data.study, data.text, JSON.stringify(data.files || {}))),
      });
      break;
    case 'sweep-draw': {
      const table = JSON.stringify(data.table);
      postMessage({
        op: 'sweep-draw', id: data.id,
        csv: data.csv ? JSON.parse(carepath.sweep_csv(table)) : null,
        chart: JSON.parse(carepath.sweep_chart(table, data.metric)),
      });
      break;
    }
    case 'sweep-point':
      await sweepPoint(data);
      break;
    case 'columns':
      postMessage({ op: 'columns', id: data.id, result: JSON.parse(carepath.fit_columns(data.text)) });
      break;
    case 'fit':
      fit(data);
      break;
    case 'cancel':
      cancelled.add(data.id);
      break;
    default:
      postMessage({ op: 'error', id: data.id, error: `unknown request ${data.op}` });
  }
};
