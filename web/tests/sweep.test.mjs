// The sweep panel in real headless Chromium (Debian's chromium driven by playwright-core), as
// e2e.test.mjs runs the rest of the page: a sweep shared out among several workers gives the
// CLI's `carepath sweep` numbers, `sweep.csv` and chart bit for bit; progress, cancel and a
// page that stays responsive; problems in the CLI's words. Run by scripts/test.sh:
//   node --test web/tests/
// Needs web/dist (web/build.sh) and the native CLI (target/release/carepath, or $CAREPATH_BIN).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const carepath = process.env.CAREPATH_BIN || join(root, 'target', 'release', 'carepath');
const shots = join(root, 'web', 'test-results');
mkdirSync(shots, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'carepath-sweep-'));

let server;
let url;
let browser;

before(async () => {
  ({ server, url } = await serve({ port: 0 }));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page (own context, so no cache or service worker carries over). */
async function open(viewport = { width: 1400, height: 1000 }, concurrency = null) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  if (concurrency != null) {
    await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), concurrency);
  }
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForFunction(() => /^Done:/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
  return { page, context, problems };
}

async function pickScenario(page, id) {
  const before = await page.textContent('#headline');
  await page.click(`.card[data-id="${id}"]`);
  await page.waitForFunction((h) => /^Done:/.test(document.getElementById('status').textContent)
    && document.getElementById('headline').textContent !== h, before, { timeout: 120000 });
}

async function downloadText(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = join(scratch, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

/** Chooses the panel's setting by its label, then fills the range and replications. */
async function setUp(page, { label, from, to, step, replications, values }) {
  const value = await page.evaluate((l) => [...document.querySelectorAll('#sweep-param option')]
    .find((o) => o.textContent === l)?.value, label);
  assert.ok(value != null, `no setting labelled ${label}`);
  await page.selectOption('#sweep-param', value);
  if (values != null) await page.fill('#sweep-values', values);
  else {
    await page.fill('#sweep-values', '');
    await page.fill('#sweep-from', String(from));
    await page.fill('#sweep-to', String(to));
    await page.fill('#sweep-step', String(step));
  }
  await page.fill('#sweep-replications', String(replications));
}

/** Waits for the panel's plan line to name `n` points, and the Run button to be ready. */
async function planned(page, n) {
  await page.waitForFunction((k) => document.getElementById('sweep-plan').textContent.startsWith(`${k} point`)
    && !document.getElementById('sweep-run').disabled, n, { timeout: 30000 });
  return page.textContent('#sweep-plan');
}

async function sweepDone(page, timeout = 180000) {
  await page.waitForFunction(() => /^Done:/.test(document.getElementById('sweep-status').textContent), null, { timeout });
  return page.textContent('#sweep-status');
}

/** sweep.csv's rows by `point|variant|metric`. */
function csvRows(text) {
  const [header, ...lines] = text.trim().split('\n');
  const cols = header.split(',');
  return new Map(lines.map((l) => {
    const cells = l.split(',');
    const row = Object.fromEntries(cols.map((c, k) => [c, cells[k]]));
    return [`${row.point}|${row.variant}|${row.metric}`, row];
  }));
}

/** Runs `carepath sweep` on the scenario text and a study written here; returns its files. */
function cliSweep(name, scenarioText, study, stem = 'scenario') {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${stem}.toml`), scenarioText);
  writeFileSync(join(dir, 'study.toml'), study);
  const out = join(dir, 'out');
  const started = process.hrtime.bigint();
  execFileSync(carepath, ['sweep', join(dir, 'study.toml'), '--out', out, '--charts', join(out, 'charts'), '-q']);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { out, seconds, csv: readFileSync(join(out, 'sweep.csv'), 'utf8') };
}

test('sweep panel: points shared among workers give carepath sweep\'s sweep.csv and chart bit for bit', async () => {
  const started = process.hrtime.bigint();
  const { page, context, problems } = await open();
  await pickScenario(page, 'outpatient-clinic');
  // The panel offers the controls' settings: the consult station is staffed in shifts.
  await setUp(page, { label: 'Doctors (consultation rooms): staff on the first shift', from: 12, to: 18, step: 2, replications: 3 });
  await page.fill('#sweep-seed', '77');
  const plan = await planned(page, 4);
  assert.match(plan, /^4 points \(12, 14, 16, 18\) × 1 variant \(base\) × 3 replications, seed 77/);
  assert.equal(await page.inputValue('#sweep-metric'), 'time_in_system_min.mean');
  const pool = Number(await page.getAttribute('#sweep-section', 'data-pool-size'));
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(pool, Math.min(8, Math.max(1, cores)));
  await page.click('#sweep-run');
  const status = await sweepDone(page);
  const browserMs = Number(await page.getAttribute('#sweep-section', 'data-elapsed-ms'));
  assert.match(status, /^Done: 4 points × 1 variant × 3 replications, seed 77, in [\d.]+ s on \d workers?\./);
  const used = Number(await page.getAttribute('#sweep-section', 'data-workers-used'));
  if (cores >= 2) assert.ok(used >= 2, `only ${used} worker(s) ran points with hardwareConcurrency ${cores}`);
  assert.equal(await page.locator('#sweep-chart svg').count(), 1);
  assert.equal(await page.locator('#sweep-table tbody tr').count(), 4);

  // The same study natively, written here independently of the page.
  const scenario = await downloadText(page, '#download-toml');
  const metrics = (await downloadText(page, '#sweep-study')).text.match(/^metrics = (.*)$/m)[1];
  assert.match(metrics, /^\["time_in_system_min\.mean", "patients\.completed", /);
  const study = `[sweep]\nscenario = "clinic.toml"\nreplications = 3\nseed = 77\nmetrics = ${metrics}\n\n`
    + '[parameters]\n"stations.consult.servers[0].count" = [12, 14, 16, 18]\n';
  const native = cliSweep('clinic', scenario.text, study, 'clinic');
  const csv = await downloadText(page, '#sweep-csv');
  assert.equal(csv.name, 'sweep.csv');
  assert.equal(csv.text, native.csv, 'the page\'s sweep.csv differs from carepath sweep\'s');
  // The table's numbers are those rows' (Rust's to_string of mean and half-width).
  const want = csvRows(native.csv);
  const shown = await page.evaluate(() => [...document.querySelectorAll('#sweep-table tbody tr')]
    .map((r) => ({ ...r.dataset, cells: [...r.cells].map((c) => c.textContent) })));
  // One number of decimals for the column: 1 when a mean reaches 100, else 2 (minutes).
  const decimals = shown.some((r) => Math.abs(Number(r.mean)) >= 100) ? 1 : 2;
  for (const r of shown) {
    const row = want.get(`${r.point}|${r.variant}|time_in_system_min.mean`);
    assert.equal(r.mean, row.mean);
    assert.equal(r.halfWidth, row.half_width);
    assert.equal(r.cells[0], row['stations.consult.servers[0].count']);
    assert.equal(r.cells[2], Number(row.mean).toFixed(decimals));
  }
  // More doctors in the morning, shorter visits.
  assert.ok(Number(shown[0].mean) > Number(shown[3].mean), JSON.stringify(shown.map((r) => r.mean)));
  const svg = await downloadText(page, '#sweep-svg');
  assert.equal(svg.name, 'sweep_time_in_system_min_mean.svg');
  assert.equal(svg.text, readFileSync(join(native.out, 'charts', 'sweep_time_in_system_min_mean.svg'), 'utf8'),
    'the page\'s chart differs from carepath sweep --charts');
  // Another metric of the same sweep is drawn without running again, also as the CLI draws it.
  await page.selectOption('#sweep-metric', 'stations.consult.utilisation');
  await page.waitForFunction(() => document.getElementById('sweep-table-heading')?.textContent.startsWith('stations.consult.utilisation'));
  const util = await downloadText(page, '#sweep-svg');
  assert.equal(util.text, readFileSync(join(native.out, 'charts', 'sweep_stations_consult_utilisation.svg'), 'utf8'));
  await page.selectOption('#sweep-metric', 'time_in_system_min.mean');
  await page.waitForFunction(() => document.getElementById('sweep-table-heading')?.textContent.startsWith('time_in_system_min.mean'));
  await page.locator('#sweep-section').scrollIntoViewIfNeeded();
  await page.locator('#sweep-section').screenshot({ path: join(shots, 'sweep.png') });
  assert.deepEqual(problems, []);
  const line = `sweep of the outpatient clinic, 4 points × 3 replications: browser ${(browserMs / 1000).toFixed(2)} s on ${used} workers `
    + `(hardwareConcurrency ${cores}), native carepath sweep (all cores, whole process, charts) ${native.seconds.toFixed(2)} s; `
    + `test ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`;
  console.log(line);
  writeFileSync(join(shots, 'timing-sweep.txt'), `${line}\n`);
  await context.close();
});

test('sweep panel: the flagship\'s variants are separate lines, with the CLI\'s numbers, on one worker too', async () => {
  // One worker (hardwareConcurrency 1) gives the same bits as several.
  const { page, context, problems } = await open({ width: 1400, height: 1000 }, 1);
  assert.equal(await page.getAttribute('#sweep-section', 'data-pool-size'), '1');
  await setUp(page, { label: 'Digital adoption of class adult', values: '0.2, 0.6', replications: 2 });
  await page.fill('#sweep-seed', '5');
  assert.match(await planned(page, 2), /× 2 variants \(paper, digital\) × 2 replications, seed 5, on 1 worker\./);
  await page.selectOption('#sweep-metric', 'time_in_system_min.p90');
  const metric = 'time_in_system_min.p90';
  await page.click('#sweep-run');
  await sweepDone(page);
  assert.equal(await page.getAttribute('#sweep-section', 'data-workers-used'), '1');
  assert.equal(await page.locator('#sweep-table tbody tr').count(), 4);
  const variants = await page.$$eval('#sweep-table tbody tr', (rows) => rows.map((r) => r.dataset.variant));
  assert.deepEqual(variants, ['paper', 'digital', 'paper', 'digital']);
  const scenario = await downloadText(page, '#download-toml');
  const metrics = (await downloadText(page, '#sweep-study')).text.match(/^metrics = (.*)$/m)[1];
  assert.ok(metrics.startsWith(`["${metric}"`), metrics);
  const study = `[sweep]\nscenario = "future-hospital.toml"\nvariants = ["paper", "digital"]\nreplications = 2\nseed = 5\nmetrics = ${metrics}\n`
    + '[parameters]\n"workflow.adoption.adult" = [0.2, 0.6]\n';
  const native = cliSweep('flagship', scenario.text, study, 'future-hospital');
  const csv = await downloadText(page, '#sweep-csv');
  assert.equal(csv.text, native.csv);
  // Number for number too: every mean and half-width, every point × variant × metric.
  const ours = csvRows(csv.text);
  for (const [key, row] of csvRows(native.csv)) {
    assert.equal(ours.get(key)?.mean, row.mean, key);
    assert.equal(ours.get(key)?.half_width, row.half_width, key);
  }
  const svg = await downloadText(page, '#sweep-svg');
  assert.equal(svg.text, readFileSync(join(native.out, 'charts', svg.name), 'utf8'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('sweep panel: progress and cancel, the page answering all the while; problems in the CLI\'s words', async () => {
  const { page, context, problems } = await open();
  // The flagship, 11 points × 2 variants × 20 replications: far more than the test waits for.
  await setUp(page, { label: 'Digital adoption of class adult', from: 0, to: 1, step: 0.1, replications: 20 });
  await planned(page, 11);
  await page.click('#sweep-run');
  await page.waitForFunction(() => /^Sweeping: \d+ of 11 points… \(\d workers?, replication [1-9]\d* of 440\)$/
    .test(document.getElementById('sweep-status').textContent), null, { timeout: 60000 });
  assert.equal(await page.isDisabled('#sweep-run'), true);
  assert.equal(await page.isDisabled('#sweep-cancel'), false);
  // The page's own thread stays free: timers keep their time and the editor takes input.
  const lag = await page.evaluate(() => new Promise((resolve) => {
    let worst = 0;
    let last = performance.now();
    const end = last + 1500;
    const tick = () => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      if (now < end) setTimeout(tick, 10);
      else resolve(worst);
    };
    setTimeout(tick, 10);
  }));
  assert.ok(lag < 200, `a timer waited ${lag.toFixed(0)} ms during the sweep`);
  const progress = Number(await page.getAttribute('#sweep-progress', 'value'));
  assert.ok(progress > 0 && progress < 440, `progress ${progress}`);
  await page.click('#sweep-cancel');
  await page.waitForFunction(() => /^Cancelled: \d+ of 11 points had finished\.$/.test(document.getElementById('sweep-status').textContent),
    null, { timeout: 5000 });
  assert.equal(await page.isDisabled('#sweep-cancel'), true);
  assert.equal(await page.getAttribute('#sweep-section', 'data-state'), 'idle');
  // The page still runs: another scenario, then a small sweep in a new pool.
  await pickScenario(page, 'outpatient-clinic');
  await setUp(page, { label: 'Doctors (consultation rooms): staff on the first shift', from: 14, to: 16, step: 2, replications: 2 });
  await planned(page, 2);
  await page.click('#sweep-run');
  assert.match(await sweepDone(page), /^Done: 2 points/);

  // A value the compiler refuses: the CLI's message, shown in the panel before anything runs.
  await setUp(page, { label: 'Doctors (consultation rooms): staff on the first shift', values: '-1, 2', replications: 2 });
  await page.waitForSelector('#sweep-error:not([hidden])', { timeout: 30000 });
  const error = (await page.textContent('#sweep-error')).replace(/^The sweep cannot run: /, '');
  assert.match(error, /^parameter stations\.consult\.servers\[0\]\.count=-1: /);
  assert.equal(await page.isDisabled('#sweep-run'), true);
  const scenario = await downloadText(page, '#download-toml');
  const dir = join(scratch, 'bad');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'clinic.toml'), scenario.text);
  writeFileSync(join(dir, 'study.toml'), '[sweep]\nscenario = "clinic.toml"\nreplications = 2\n[parameters]\n"stations.consult.servers[0].count" = [-1, 2]\n');
  const cli = spawnSync(carepath, ['sweep', join(dir, 'study.toml'), '--out', join(dir, 'out'), '-q'], { encoding: 'utf8' });
  assert.notEqual(cli.status, 0);
  const [first, ...rest] = error.split('\n');
  assert.ok(cli.stderr.includes(`error: ${first}`), `CLI said:\n${cli.stderr}\npage said:\n${error}`);
  for (const l of rest) assert.ok(cli.stderr.includes(l), `CLI said:\n${cli.stderr}\nmissing: ${l}`);
  // A path that leads nowhere, typed in the free box.
  await page.selectOption('#sweep-param', { label: 'Another setting (type its path)…' });
  await page.fill('#sweep-values', '');
  await page.fill('#sweep-path', 'stations.nope.servers');
  await page.waitForFunction(() => /stations\.nope/.test(document.getElementById('sweep-error').textContent), null, { timeout: 30000 });
  await page.locator('#sweep-form').screenshot({ path: join(shots, 'sweep-error.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('sweep panel: labelled controls, and usable on a phone', async () => {
  const { page, context } = await open({ width: 390, height: 844 });
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#sweep-section input, #sweep-section select')]
    .filter((e) => !(e.labels?.length || e.getAttribute('aria-label')))
    .map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, []);
  await setUp(page, { label: 'Digital adoption of class adult', from: 0.5, to: 0.7, step: 0.1, replications: 1 });
  assert.match(await planned(page, 3), /^3 points \(0\.5, 0\.6, 0\.7\)/);
  await page.click('#sweep-run');
  await sweepDone(page);
  // One replication: no interval, said in words.
  assert.match(await page.textContent('#sweep-table tbody tr td.ci'), /needs 2 replications/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.locator('#sweep-section').screenshot({ path: join(shots, 'sweep-phone.png') });
  await context.close();
});
