// End-to-end tests of the web page in real headless Chromium (Debian's chromium driven by
// playwright-core). Run by scripts/test.sh after web/build.sh:
//   node --test web/tests/
// Needs web/dist (web/build.sh) and the native CLI (target/release/carepath, or $CAREPATH_BIN).
// Screenshots go to web/test-results/; figures (browser vs native time) are printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
const scratch = mkdtempSync(join(tmpdir(), 'carepath-e2e-'));

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
async function open(path = '', viewport = { width: 1400, height: 1000 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(url + path);
  return { page, context, problems };
}

/** Waits for the run in progress (or the next one) to finish; returns the status text. */
async function finished(page, timeout = 120000) {
  await page.waitForFunction(() => /^Done:/.test(document.getElementById('status').textContent), null, { timeout });
  return page.textContent('#status');
}

/** Waits until the status changes away from `previous` and then for a finished run. */
async function nextResult(page, previousHeadline, timeout = 120000) {
  await page.waitForFunction((h) => {
    const s = document.getElementById('status').textContent;
    return /^Done:/.test(s) && document.getElementById('headline').textContent !== h;
  }, previousHeadline, { timeout });
  return page.textContent('#headline');
}

/** Mean time in system per variant from the headline ("paper: 172.5 min … · digital: …"). */
function means(headline) {
  return Object.fromEntries([...headline.matchAll(/(\S+): ([\d.]+) min in the clinic/g)].map((m) => [m[1], Number(m[2])]));
}

async function pickScenario(page, id) {
  const before = await page.textContent('#headline');
  await page.click(`.card[data-id="${id}"]`);
  await nextResult(page, before);
}

async function downloadText(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = join(scratch, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

function seconds(run) {
  const t = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

test('the page loads, the flagship comparison runs, charts appear, paper is slower than digital', async () => {
  const { page, context, problems } = await open();
  const status = await finished(page);
  assert.match(status, /replications × 2 variants/);
  const m = means(await page.textContent('#headline'));
  assert.ok(m.paper > m.digital, `paper ${m.paper} should exceed digital ${m.digital}`);
  assert.ok(m.paper > 120 && m.digital < m.paper / 2, JSON.stringify(m));
  // The charts are the CLI's: every standard chart is drawn, as SVG, in the results.
  for (const id of ['time_breakdown', 'time_in_system', 'waits', 'utilisation', 'queue_length_paper']) {
    assert.equal(await page.locator(`#results figure#${id} svg`).count(), 1, id);
  }
  assert.ok(await page.locator('#results #diff table tr').count() > 3, 'paired differences table');
  // The claim: peak-time patients who need tests, about five hours on paper, far less digitally.
  const tracer = await page.evaluate(() => {
    const table = document.getElementById('classes').nextElementSibling;
    const row = [...table.querySelectorAll('tr')].find((r) => r.cells[0].textContent.includes('06:00-09:00'));
    return [...row.cells].slice(1).map((c) => parseFloat(c.textContent));
  });
  assert.ok(tracer[0] > 240 && tracer[1] < 120, `peak tracer: paper ${tracer[0]}, digital ${tracer[1]}`);
  const diff = await page.textContent('#results #diff');
  assert.match(diff, /time in system, mean \(min\)\s*digital/);
  // Downloads: the comparison JSON (as `carepath compare --out` writes it) and each chart's SVG.
  const json = await downloadText(page, '#download-json');
  assert.equal(json.name, 'comparison.json');
  assert.deepEqual(JSON.parse(json.text).order, ['paper', 'digital']);
  const svg = await downloadText(page, '#results figure#time_breakdown button');
  assert.equal(svg.name, 'time_breakdown.svg');
  assert.match(svg.text, /^<svg[^>]*>/);
  assert.match(svg.text, /Where the time goes/);
  await page.screenshot({ path: join(shots, 'flagship.png'), fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

test('moving a slider rewrites the scenario and changes the result', async () => {
  const { page, context, problems } = await open();
  await finished(page);
  await pickScenario(page, 'outpatient-clinic');
  const before = await page.textContent('#headline');
  const slider = page.locator('#stations input[type=range]').first();
  const label = await page.locator('#stations label').first().textContent();
  const value = Number(await slider.inputValue());
  await slider.focus();
  await page.keyboard.press('ArrowRight'); // keyboard works: input + change events
  const afterHeadline = await nextResult(page, before);
  assert.notEqual(afterHeadline, before);
  assert.equal(Number(await slider.inputValue()), value + 1, label);
  // The editor shows what ran: the station's staffing changed in the text.
  const text = await page.inputValue('#editor');
  assert.notEqual(text, readFileSync(join(root, 'scenarios', 'outpatient-clinic.toml'), 'utf8'));
  // The volume slider too.
  const before2 = await page.textContent('#headline');
  await page.locator('#volume').fill('150');
  await page.locator('#volume').dispatchEvent('change');
  await nextResult(page, before2);
  assert.match(await page.inputValue('#editor'), /rate = "[\d.]+\/h"/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('shared resources: the gallery scenario runs, resources are shown, their sliders work', async () => {
  const { page, context, problems } = await open();
  await finished(page);
  await pickScenario(page, 'teaching-shared-doctor');
  // Same staff, shared doctors: the busy clinic's patients spend less time in the clinic.
  const m = means(await page.textContent('#headline'));
  assert.ok(m.own_doctors > m.shared_doctors, JSON.stringify(m));
  // The results have the shared resources' section with its chart, one row per resource.
  await page.waitForSelector('#resources figure svg');
  assert.equal(await page.locator('#resources tbody tr').count(), 3);
  // Stations staffed through resources have no slider of their own; each resource has one.
  assert.equal(await page.locator('#servers-clinic_a').count(), 0);
  for (const id of ['doctor', 'room_a', 'room_b']) assert.equal(await page.locator(`#units-${id}`).count(), 1, id);
  // Run own_doctors alone, then give the busy clinic a third room.
  let before = await page.textContent('#headline');
  await page.uncheck('#variant-shared_doctors');
  await nextResult(page, before);
  const own = means(await page.textContent('#headline')).own_doctors;
  before = await page.textContent('#headline');
  const rooms = page.locator('#units-room_a');
  assert.equal(Number(await rooms.inputValue()), 2);
  await rooms.focus();
  await page.keyboard.press('ArrowRight');
  const after = means(await nextResult(page, before)).own_doctors;
  assert.match(await page.inputValue('#editor'), /id = "room_a"[^[]*capacity = 3/);
  assert.ok(after < own, `a third room at clinic A: ${own} -> ${after} min`);
  await page.screenshot({ path: join(shots, 'shared-resources.png'), fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

test('invalid TOML shows the CLI message at the right line', async () => {
  const { page, context } = await open();
  await finished(page);
  await pickScenario(page, 'mmc');
  const good = await page.inputValue('#editor');
  const lines = good.split('\n');
  const at = lines.findIndex((l) => /^servers = /.test(l));
  assert.ok(at > 0);
  lines[at] = 'servers = = 5';
  const bad = lines.join('\n');
  await page.fill('#editor', bad);
  await page.waitForSelector('#errors li.error', { timeout: 10000 });
  const item = page.locator('#errors li.error').first();
  assert.equal(Number(await item.getAttribute('data-line')), at + 1);
  assert.equal(await page.locator('#gutter .bad').count(), 1);
  assert.equal(Number(await page.locator('#gutter .bad').textContent()), at + 1);
  // Same words as `carepath validate`.
  const file = join(scratch, 'bad.toml');
  writeFileSync(file, bad);
  let stderr = '';
  try {
    execFileSync(carepath, ['validate', file], { stdio: 'pipe' });
  } catch (e) {
    stderr = e.stderr.toString();
  }
  const cli = stderr.match(/bad\.toml:(\d+):(\d+): error: (.*)/);
  assert.ok(cli, stderr);
  assert.equal(Number(cli[1]), at + 1);
  assert.ok((await item.textContent()).includes(cli[3].trim()), `${await item.textContent()} vs ${cli[3]}`);
  // A semantic problem (zero rate) is placed on its stream's line with the CLI's message.
  const zero = good.replace(/^rate = "[^"]*"/m, 'rate = "0/h"');
  await page.fill('#editor', zero);
  await page.waitForFunction(() => /rate/.test(document.getElementById('errors').textContent), null, { timeout: 10000 });
  writeFileSync(file, zero);
  try {
    execFileSync(carepath, ['validate', file], { stdio: 'pipe' });
    assert.fail('validate should fail');
  } catch (e) {
    // `bad.toml:LINE:COL: error: PATH: message`, the line and words the page shows.
    const [, cliLine, message] = e.stderr.toString().match(/bad\.toml:(\d+):\d+: error: (.*)/);
    assert.ok((await page.textContent('#errors')).includes(message.trim()), message);
    const rateLine = zero.split('\n').findIndex((l) => l.startsWith('rate = ')) + 1;
    assert.equal(Number(cliLine), rateLine);
    const marked = Number(await page.locator('#errors li.error').first().getAttribute('data-line'));
    assert.equal(marked, rateLine, `marked ${marked}, rate on ${rateLine}`);
  }
  await page.screenshot({ path: join(shots, 'invalid-toml.png') });
  await context.close();
});

test('browser and native CLI give bit-identical summary.json for the same scenario and seed', async () => {
  const { page, context } = await open();
  await finished(page);
  await pickScenario(page, 'outpatient-clinic');
  let before = await page.textContent('#headline');
  await page.fill('#seed', '4242');
  await page.locator('#seed').dispatchEvent('change');
  before = await nextResult(page, before);
  await page.fill('#replications', '7');
  await page.locator('#replications').dispatchEvent('change');
  await nextResult(page, before);
  const toml = await downloadText(page, '#download-toml');
  assert.match(toml.text, /seed = 4242/);
  assert.match(toml.text, /replications = 7/);
  const json = await downloadText(page, '#download-json');
  assert.equal(json.name, 'summary.json');
  const scenario = join(scratch, 'same.toml');
  writeFileSync(scenario, toml.text);
  const out = join(scratch, 'native');
  execFileSync(carepath, ['run', scenario, '--quiet', '--out', out]);
  const native = readFileSync(join(out, 'summary.json'), 'utf8');
  assert.equal(json.text, native, 'browser summary.json differs from the native one');
  const parsed = JSON.parse(native);
  assert.equal(parsed.seed, 4242);
  assert.equal(parsed.replications, 7);

  // The flagship's digital variant too (shifts, classes, every lever, booked arrivals).
  await pickScenario(page, 'future-hospital');
  before = await page.textContent('#headline');
  await page.fill('#replications', '3');
  await page.locator('#replications').dispatchEvent('change');
  before = await nextResult(page, before);
  await page.uncheck('#variant-paper');
  await nextResult(page, before);
  assert.match(await page.textContent('#headline'), /^digital: /);
  const flagship = await downloadText(page, '#download-toml');
  const digital = await downloadText(page, '#download-json');
  writeFileSync(scenario, flagship.text);
  execFileSync(carepath, ['run', scenario, '--variant', 'digital', '--quiet', '--out', out]);
  assert.equal(digital.text, readFileSync(join(out, 'summary.json'), 'utf8'), 'flagship digital differs');
  await context.close();
});

test('patients still inside at the end are shown in a warning box and in the headline', async () => {
  const { page, context, problems } = await open();
  await finished(page);
  await pickScenario(page, 'outpatient-clinic');
  assert.equal(await page.locator('#results #unfinished').count(), 0, 'no box when everyone left');
  // One desk for 40 patients an hour of 3 minutes each, stopped hard at 10:00: a queue is left.
  const stopped = [
    '[scenario]', 'name = "hard stop with a queue"',
    '[run]', 'open = "08:00"', 'close = "10:00"', 'hard_stop = "10:00"', 'replications = 3', 'seed = 5',
    '[[stations]]', 'id = "desk"', 'name = "Desk"', 'servers = 1', 'service = { dist = "exponential", mean = "3min" }',
    '[[arrivals]]', 'id = "walk_in"', 'kind = "poisson"', 'rate = "40/h"', 'pathway = "visit"',
    '[[pathways]]', 'id = "visit"', 'steps = [{ id = "desk", station = "desk", next = "exit" }]', '',
  ].join('\n');
  const before = await page.textContent('#headline');
  await page.fill('#editor', stopped);
  const headline = await nextResult(page, before);
  const box = page.locator('#results #unfinished');
  assert.equal(await box.count(), 1);
  assert.ok(await box.isVisible());
  const text = await box.textContent();
  assert.match(text, /patients were still in the clinic when the run stopped/);
  assert.match(text, /counts only patients who left/);
  // It is the first thing in the results, above the summary table.
  assert.equal(await page.evaluate(() => document.getElementById('results').firstElementChild.id), 'unfinished');
  // The same number as summary.json's patients.unfinished.mean, also next to the headline mean.
  const json = JSON.parse((await downloadText(page, '#download-json')).text);
  const left = json.patients.unfinished.mean;
  assert.ok(left > 5, `unfinished ${left}`);
  const shown = left >= 10 ? left.toFixed(0) : left.toFixed(1);
  assert.ok(text.includes(`${shown} patients per replication`), `${shown} in ${text}`);
  assert.match(headline, new RegExp(`not counting ${shown} patients per replication still inside`));
  await page.screenshot({ path: join(shots, 'unfinished.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('data files: a scenario reading a CSV asks for it, takes it pasted or opened, and gives the CLI numbers', async () => {
  const { page, context, problems } = await open();
  await finished(page);
  const scenario = [
    '[scenario]', 'name = "observed consultations"',
    '[run]', 'open = "08:00"', 'close = "12:00"', 'replications = 3', 'seed = 11',
    '[[stations]]', 'id = "doctor"', 'name = "Doctor"', 'servers = 2',
    'service = { dist = "empirical", file = "obs.csv", column = "consult", continuous = true }',
    '[[arrivals]]', 'id = "walk_in"', 'kind = "poisson"', 'rate = "15/h"', 'pathway = "visit"',
    '[[pathways]]', 'id = "visit"', 'steps = [{ id = "see", station = "doctor", next = "exit" }]', '',
  ].join('\n');
  const fileLine = scenario.split('\n').findIndex((l) => l.includes('file = "obs.csv"')) + 1;
  const pasted = '# observed in May\nconsult (min),triage (s)\n4.5,30\n12,45\n7.25,\n6,\n9.5,\n';
  const opened = 'consult [s]\n300\n420\n615\n480\n900\n';
  await page.fill('#editor', scenario);
  // The file is missing: a located problem, the panel asks for it.
  await page.waitForFunction(() => /was not supplied/.test(document.getElementById('errors').textContent), null, { timeout: 10000 });
  const item = page.locator('#errors li.error').first();
  assert.match(await item.textContent(), /stations\.doctor\.service: data file "obs\.csv" was not supplied/);
  assert.equal(Number(await item.getAttribute('data-line')), fileLine);
  assert.match(await page.textContent('#status'), /not supplied yet \(obs\.csv\)/);
  assert.ok(await page.isVisible('#data-section'));
  assert.equal(await page.textContent('#data-section legend'), 'obs.csv');
  assert.match(await page.textContent('#data-status-0'), /Not supplied yet/);
  // The CLI places its problem at the same line when the file is not beside the scenario.
  const dir = mkdtempSync(join(scratch, 'data-'));
  const file = join(dir, 'observed.toml');
  writeFileSync(file, scenario);
  try {
    execFileSync(carepath, ['validate', file], { stdio: 'pipe' });
    assert.fail('validate should fail without obs.csv');
  } catch (e) {
    assert.match(e.stderr.toString(), new RegExp(`observed\\.toml:${fileLine}:\\d+: error: stations\\.doctor\\.service: data file "obs\\.csv"`));
  }

  /** The page's summary.json and headline mean equal the CLI's with `csv` beside the scenario. */
  const sameAsCli = async (csv, headline) => {
    const toml = await downloadText(page, '#download-toml');
    assert.equal(toml.text, scenario);
    writeFileSync(file, toml.text);
    writeFileSync(join(dir, 'obs.csv'), csv);
    const out = join(dir, `native-${Date.now()}`);
    execFileSync(carepath, ['run', file, '--quiet', '--out', out]);
    const native = readFileSync(join(out, 'summary.json'), 'utf8');
    assert.equal((await downloadText(page, '#download-json')).text, native, 'browser summary.json differs');
    const mean = JSON.parse(native).time_in_system_min.mean;
    assert.equal(means(headline).base, Number(mean.toFixed(1)), headline);
    return mean;
  };
  // Pasted: the problem goes, the run starts by itself.
  let before = await page.textContent('#headline');
  await page.click('#data-section summary');
  await page.fill('#data-paste-0', pasted);
  let headline = await nextResult(page, before);
  assert.equal(await page.locator('#errors li').count(), 0);
  assert.match(await page.textContent('#data-status-0'), /Supplied \(pasted, 7 lines\): columns consult, triage\./);
  const fromPaste = await sameAsCli(pasted, headline);
  await page.locator('#data-section').screenshot({ path: join(shots, 'data-files.png') });
  // Opened from a file (seconds this time): replaces the pasted text.
  before = headline;
  await page.setInputFiles('#data-open-0', { name: 'consult-may.csv', mimeType: 'text/csv', buffer: Buffer.from(opened) });
  headline = await nextResult(page, before);
  assert.equal(await page.inputValue('#data-paste-0'), '');
  assert.match(await page.textContent('#data-status-0'), /Supplied \(opened consult-may\.csv, 6 lines\): column consult\./);
  const fromFile = await sameAsCli(opened, headline);
  assert.notEqual(fromFile, fromPaste);
  // A file without the column the scenario names: the CLI's located problem.
  await page.fill('#data-paste-0', 'other (min)\n4\n');
  await page.waitForFunction(() => /there is no column/.test(document.getElementById('errors').textContent), null, { timeout: 10000 });
  assert.equal(Number(await item.getAttribute('data-line')), fileLine);
  await page.screenshot({ path: join(shots, 'data-files-page.png'), fullPage: true });
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#data-section input, #data-section textarea')]
    .filter((e) => !e.labels?.length).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(problems, []);
  await context.close();
});

// Three targets on the small clinic that, at its seed and 20 replications, give one verdict each.
const TARGETS = `
[[targets]]
id = "two_hours"
metric = "time_in_system"
within = "2h"
share = 0.9

[[targets]]
id = "registration_wait"
name = "Children wait at most 15 minutes to register"
metric = "wait"
station = "registration"
class = "child"
within = "15min"
share = 0.95

[[targets]]
id = "consult_wait"
metric = "wait"
station = "consult"
within = "30min"
share = 0.8
`;

test('targets and results by hour: the sections show summary.json\'s shares, intervals, verdicts and bottlenecks', async () => {
  const { page, context, problems } = await open();
  await finished(page);
  await pickScenario(page, 'outpatient-clinic');
  await page.fill('#editor', (await page.inputValue('#editor')) + TARGETS);
  // Targets change no simulated value (the headline stays): wait for their section instead.
  await page.waitForSelector('#results #targets', { timeout: 120000 });
  await finished(page);
  // The page's summary.json is the CLI's for the downloaded scenario and its seed.
  const toml = await downloadText(page, '#download-toml');
  const scenario = join(scratch, 'targets.toml');
  writeFileSync(scenario, toml.text);
  const out = join(scratch, 'targets-native');
  execFileSync(carepath, ['run', scenario, '--quiet', '--out', out]);
  const native = readFileSync(join(out, 'summary.json'), 'utf8');
  assert.equal((await downloadText(page, '#download-json')).text, native, 'browser summary.json differs');
  const summary = JSON.parse(native);
  // Targets: one row each, the share and its interval in percent, the verdict in words and colour.
  const words = { met: 'met (95% confidence)', not_met: 'not met (95% confidence)', undecided: 'undecided: more replications needed', no_data: 'no data' };
  const classes = { met: 'met', not_met: 'not-met', undecided: 'undecided', no_data: 'undecided' };
  const rows = await page.$$eval('#targets tbody tr', (trs) => trs.map((tr) => ({
    cells: [...tr.cells].map((c) => c.textContent), verdict: tr.cells[2].querySelector('span:not(.ci)')?.className,
  })));
  assert.equal(rows.length, summary.targets.length);
  summary.targets.forEach((t, i) => {
    const pct = (x) => (100 * x).toFixed(1);
    assert.equal(rows[i].cells[0], t.name);
    assert.equal(rows[i].cells[1], `${(100 * t.required_share).toFixed(0)}%`);
    assert.equal(rows[i].cells[2], `${pct(t.share.mean)}% [${pct(t.share.ci95_low)}, ${pct(t.share.ci95_high)}]${words[t.verdict]}`);
    assert.equal(rows[i].verdict, classes[t.verdict], t.id);
  });
  assert.deepEqual(summary.targets.map((t) => t.verdict), ['not_met', 'met', 'undecided']);
  assert.equal(await page.textContent('#targets tbody tr:nth-child(2) td:first-child'), 'Children wait at most 15 minutes to register');
  // By hour: every hour of summary.json, with its arrivals and its bottleneck's name.
  const hours = await page.$$eval('#by-hour tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(hours.length, summary.by_hour.length);
  assert.ok(hours.length >= 8, `${hours.length} hours`);
  summary.by_hour.forEach((x, i) => {
    assert.equal(hours[i][0], x.clock);
    assert.ok(hours[i][1].startsWith(`${x.arrivals.mean.toFixed(1)} [`), `${hours[i][1]} vs ${x.arrivals.mean}`);
    const waiting = Object.values(x.queue_length).reduce((a, q) => a + q, 0);
    assert.equal(hours[i][2], waiting.toFixed(2));
    // An hour where hardly anyone waited (under 0.005 on average) names no bottleneck.
    const named = x.bottleneck != null && waiting >= 0.005;
    assert.equal(hours[i][3], named ? summary.stations[x.bottleneck].name : '—');
    assert.equal(hours[i][4], named ? `${(100 * x.bottleneck_share).toFixed(0)}%` : '—');
  });
  await page.locator('#targets').screenshot({ path: join(shots, 'targets.png') });
  await page.locator('#by-hour').screenshot({ path: join(shots, 'by-hour.png') });
  // On a phone the page does not scroll sideways; the by-hour table scrolls inside its box.
  const phone = await open(new URL(await page.inputValue('#share-url')).hash, { width: 390, height: 844 });
  await finished(phone.page);
  assert.equal(await phone.page.locator('#targets tbody tr').count(), 3);
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  const table = await phone.page.$eval('#by-hour table', (t) => ({ scroll: t.scrollWidth, client: t.clientWidth, overflow: getComputedStyle(t).overflowX }));
  assert.equal(table.overflow, 'auto');
  assert.ok(table.client <= 390, JSON.stringify(table));
  await phone.page.locator('#targets').screenshot({ path: join(shots, 'targets-phone.png') });
  await phone.page.locator('#by-hour').screenshot({ path: join(shots, 'by-hour-phone.png') });
  assert.deepEqual([...problems, ...phone.problems], []);
  await Promise.all([context.close(), phone.context.close()]);
});

const WEEK = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The rows of the by-day tables (`table.days`) in the by-hour section, one list per variant. */
function dayTables(page) {
  return page.$$eval('#by-hour table.days', (tables) => tables.map((t) => ({
    head: [...t.tHead.rows[0].cells].map((c) => c.textContent),
    rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => ({ text: c.textContent, closed: c.classList.contains('closed') }))),
  })));
}

test('a calendar week from the gallery: seven days by weekday, Sunday closed, the by-day chart, the CLI\'s summary.json', async () => {
  const { page, context, problems } = await open();
  await finished(page);
  await pickScenario(page, 'clinic-week');
  assert.equal(await page.getAttribute('.card[data-id="clinic-week"]', 'aria-pressed'), 'true');
  assert.match(await page.textContent('#blurb'), /Monday's doctor wait/);
  // Opened as the comparison of the two end-of-day rules: a day table for each variant.
  assert.match(await page.textContent('#status'), /replications × 2 variants/);
  assert.deepEqual(Object.keys(means(await page.textContent('#headline'))), ['overtime', 'send_home']);
  let tables = await dayTables(page);
  assert.equal(tables.length, 2);
  assert.deepEqual(await page.$$eval('#by-hour h3', (h) => h.map((x) => x.textContent)), ['overtime', 'send_home']);
  assert.ok(!tables[0].head.includes('sent home unseen') && tables[1].head.includes('sent home unseen'), JSON.stringify(tables.map((t) => t.head)));
  // The by-day chart, one bar per variant, with its download button.
  assert.equal(await page.locator('#results figure#by_day svg').count(), 1);
  const chart = await downloadText(page, '#results figure#by_day button');
  assert.equal(chart.name, 'by_day.svg');
  assert.match(chart.text, /Waiting and overtime by day/);
  await page.locator('#results figure#by_day').screenshot({ path: join(shots, 'week-chart.png') });
  // Both day tables fit the results column (the headings wrap), without scrolling sideways.
  const fit = await page.$$eval('#by-hour table.days', (ts) => ts.map((t) => t.scrollWidth - t.clientWidth));
  assert.deepEqual(fit, [0, 0], `the day tables are wider than their box by ${fit} px`);

  // The rule as written alone: the page's summary.json is `carepath run --variant overtime`'s.
  let before = await page.textContent('#headline');
  await page.uncheck('#variant-send_home');
  await nextResult(page, before);
  assert.match(await page.textContent('#headline'), /^overtime: /);
  const sameAsCli = async (name) => {
    const toml = await downloadText(page, '#download-toml');
    assert.equal(toml.name, 'clinic-week.toml');
    const json = await downloadText(page, '#download-json');
    assert.equal(json.name, 'summary.json');
    const scenario = join(scratch, `${name}.toml`);
    writeFileSync(scenario, toml.text);
    const out = join(scratch, `${name}-native`);
    execFileSync(carepath, ['run', scenario, '--variant', 'overtime', '--quiet', '--out', out]);
    const native = readFileSync(join(out, 'summary.json'), 'utf8');
    assert.equal(json.text, native, `browser summary.json differs (${name})`);
    return { toml: toml.text, summary: JSON.parse(native) };
  };
  const { toml, summary } = await sameAsCli('week');
  assert.equal(toml, readFileSync(join(root, 'scenarios', 'clinic-week.toml'), 'utf8'));
  // The day table: the seven days Monday to Sunday with their dates, Sunday closed, every open
  // day's arrivals and overtime those of summary.json; Monday's overtime is the week's largest.
  tables = await dayTables(page);
  assert.equal(tables.length, 1);
  const [days] = tables;
  assert.deepEqual(days.head.slice(0, 6), ['day', 'weekday', 'date', 'arrivals', 'patient-hours waiting', 'overtime (staff-hours)']);
  assert.equal(days.rows.length, 7);
  assert.equal(summary.by_day.length, 7);
  assert.deepEqual(days.rows.map((r) => r[1].text), WEEK);
  assert.deepEqual(days.rows.map((r) => r[2].text), summary.by_day.map((d) => d.date));
  assert.equal(days.rows[0][2].text, '2026-03-02');
  const sunday = days.rows[6];
  assert.deepEqual(sunday.slice(3).map((c) => [c.text, c.closed]), [['closed', true]]);
  assert.equal(await page.getAttribute('#by-hour table.days tbody tr:last-child td.closed', 'colspan'), '6');
  const overtime = summary.by_day.map((d) => Object.values(d.overtime_min).reduce((a, m) => a + m, 0) / 60);
  days.rows.slice(0, 6).forEach((r, i) => {
    assert.ok(!r.some((c) => c.closed), `${WEEK[i]} is open`);
    assert.ok(r[3].text.startsWith(`${summary.by_day[i].arrivals.mean.toFixed(1)} [`), `${WEEK[i]}: ${r[3].text}`);
    assert.equal(r[5].text, overtime[i].toFixed(1), WEEK[i]);
  });
  assert.ok(overtime[0] > 2 * Math.max(...overtime.slice(1)), `overtime by day ${overtime}`);
  // One week: each weekday once, so no weekday table; the by-day chart is there for one variant.
  assert.equal(await page.locator('#by-hour table.weekdays').count(), 0);
  assert.equal(await page.locator('#results figure#by_day svg').count(), 1);
  // Words to the left (weekday, bottleneck), numbers to the right.
  const align = await page.$eval('#by-hour table.days tbody tr', (r) => [...r.cells].map((c) => getComputedStyle(c).textAlign));
  assert.deepEqual(align, ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right']);
  await page.locator('#by-hour table.days').screenshot({ path: join(shots, 'week-days.png') });

  // The doctors' slider edits shifts that name their weekdays: one doctor fewer on every shift,
  // the days kept, and the result still the CLI's.
  const doctors = page.locator('#servers-consult');
  assert.equal(Number(await doctors.inputValue()), 0);
  before = await page.textContent('#headline');
  await doctors.focus();
  await page.keyboard.press('ArrowLeft');
  await nextResult(page, before);
  const fewer = await sameAsCli('week-fewer-doctors');
  assert.match(fewer.toml, /\{ from = "08:00", to = "12:00", count = 7, days = \["mon", "tue", "wed", "thu", "fri"\] \}/);
  assert.match(fewer.toml, /\{ from = "08:00", to = "12:00", count = 4, days = \["sat"\] \}/);
  assert.ok(fewer.summary.time_in_system_min.mean > summary.time_in_system_min.mean);
  assert.equal((await dayTables(page))[0].rows.length, 7);

  // On a phone the page does not scroll sideways; the day table scrolls inside its box.
  const phone = await open(new URL(await page.inputValue('#share-url')).hash, { width: 390, height: 844 });
  await finished(phone.page);
  assert.equal((await dayTables(phone.page))[0].rows.length, 7);
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  const box = await phone.page.$eval('#by-hour table.days', (t) => ({ client: t.clientWidth, overflow: getComputedStyle(t).overflowX }));
  assert.equal(box.overflow, 'auto');
  assert.ok(box.client <= 390, JSON.stringify(box));
  await phone.page.locator('#by-hour table.days').screenshot({ path: join(shots, 'week-days-phone.png') });
  assert.deepEqual([...problems, ...phone.problems], []);
  await Promise.all([context.close(), phone.context.close()]);
});

/** Runs `carepath fit ARGS` in `cwd`; returns stdout, or the error message (`error: ` cut off). */
function cliFit(cwd, args) {
  try {
    return { out: execFileSync(carepath, ['fit', ...args], { cwd, stdio: 'pipe' }).toString() };
  } catch (e) {
    return { error: e.stderr.toString().trim().replace(/^error: /, '') };
  }
}

/** Waits for the fit panel to finish (Done, or an error shown); returns the status text. */
async function fitted(page, timeout = 120000) {
  await page.waitForFunction(() => {
    const s = document.getElementById('fit-status').textContent;
    return /^Done:/.test(s) || /could not be fitted/.test(s);
  }, null, { timeout });
  return page.textContent('#fit-status');
}

/** Presses Fit and waits for the new result (the status changes away from `previous`). */
async function fit(page) {
  await page.click('#fit-run');
  await page.waitForFunction(() => !document.getElementById('fit-run').disabled, null, { timeout: 120000 });
  return fitted(page);
}

const consultations = join(root, 'scenarios', 'data', 'consultations.csv');

test('fit panel: the page fits a CSV file with the CLI numbers, fit.json, table, snippets and charts', async () => {
  const { page, context, problems } = await open();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await finished(page);
  assert.equal(await page.isDisabled('#fit-run'), true, 'nothing to fit yet');
  await page.setInputFiles('#fit-open', consultations);
  await page.waitForFunction(() => document.querySelectorAll('#fit-column option').length === 3);
  assert.equal(await page.textContent('#fit-data'), 'consultations.csv: 2 columns (consult, registration).');
  assert.deepEqual(await page.$$eval('#fit-column option', (o) => o.map((x) => x.textContent)),
    ['Choose a column…', 'consult (240 values)', 'registration (240 values)']);
  // No column chosen in a file of two: the CLI's words, as for `carepath fit FILE`.
  await fit(page);
  const noColumn = cliFit(dirname(consultations), ['consultations.csv', '--bootstrap', '0']);
  assert.equal(await page.textContent('#fit-error'), noColumn.error);
  // The column, 49 bootstrap samples per family, seed 1: the CLI's fit.json and charts, byte for byte.
  await page.selectOption('#fit-column', 'consult');
  await page.fill('#fit-bootstrap', '49');
  const status = await fit(page);
  assert.match(status, /^Done: 8 families fitted to 240 observations \(bootstrap 49, seed 1\) in [\d.]+ s\.$/);
  const out = join(scratch, 'fit-native');
  const cli = cliFit(dirname(consultations), ['consultations.csv', '--column', 'consult', '--bootstrap', '49', '--out', out]);
  assert.ok(cli.out, cli.error);
  const json = await downloadText(page, '#fit-json');
  assert.equal(json.name, 'fit.json');
  assert.equal(json.text, readFileSync(join(out, 'fit.json'), 'utf8'), 'the page\'s fit.json differs from the CLI\'s');
  for (const stem of ['fit_density', 'fit_qq']) {
    const svg = await downloadText(page, `#fit-${stem}-svg`);
    assert.equal(svg.name, `${stem}.svg`);
    assert.equal(svg.text, readFileSync(join(out, `${stem}.svg`), 'utf8'), `${stem}.svg differs`);
    assert.equal(await page.locator(`#fit-${stem} svg`).count(), 1, stem);
  }
  // The table: the CLI's heading and, cell for cell, its rows (the ≤floor p-values included).
  const lines = cli.out.split('\n');
  assert.equal(await page.textContent('#fit-heading'), lines[0]);
  const printed = lines.slice(lines.findIndex((l) => l.startsWith('rank')) + 1)
    .filter((l) => /^\s+\d+\s/.test(l)).map((l) => l.trim().split(/\s+/));
  const shown = await page.$$eval('#fit-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(shown.slice(0, printed.length), printed);
  assert.ok(printed.flat().includes('≤0.020'), 'a p-value at the floor of 1/50');
  const skipped = lines.find((l) => /not fitted:/.test(l)).trim().split(/\s+/);
  assert.deepEqual(shown[printed.length].slice(1).join(' ').split(' '), skipped.slice(1));
  assert.equal(await page.locator('#fit-table thead th').allTextContents().then((h) => h.join('|')),
    'rank|family|params|log-lik|AIC|ΔAIC|KS D|KS p|AD A²|AD p');
  // The best fits, as the CLI prints them, each with a working copy button.
  const best = lines.filter((l) => l.startsWith('  service = ')).map((l) => l.trim());
  assert.deepEqual(await page.locator('.fit-best code').allTextContents(), best);
  await page.click('.fit-best li:nth-child(2) button');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), best[1]);
  assert.match(await page.textContent('#fit-status'), /^Copied: service = \{ dist = "gamma"/);
  await page.locator('#fit-section').screenshot({ path: join(shots, 'fit.png') });
  // A column in seconds (the header says so) is fitted in minutes, as the CLI does.
  await page.selectOption('#fit-column', 'registration');
  await page.fill('#fit-bootstrap', '0');
  await fit(page);
  const seconds = cliFit(dirname(consultations), ['consultations.csv', '--column', 'registration', '--bootstrap', '0', '--out', out]);
  assert.ok(seconds.out, seconds.error);
  assert.equal((await downloadText(page, '#fit-json')).text, readFileSync(join(out, 'fit.json'), 'utf8'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('fit panel: no unit, too few values and a cancelled bootstrap, as the CLI words them', async () => {
  const { page, context, problems } = await open('', { width: 390, height: 844 });
  await finished(page);
  const dir = mkdtempSync(join(scratch, 'fit-'));
  // Bare numbers, nothing states the unit: the column says so, the fit refuses with the CLI's words.
  const bare = 'consult\n4.5\n12\n7.25\n6\n9.5\n11\n3\n';
  writeFileSync(join(dir, 'bare.csv'), bare);
  await page.setInputFiles('#fit-open', { name: 'bare.csv', mimeType: 'text/csv', buffer: Buffer.from(bare) });
  await page.waitForFunction(() => /no unit/.test(document.getElementById('fit-column').textContent));
  assert.match(await page.textContent('#fit-column-hint'), /bare numbers and the header states no unit/);
  await page.fill('#fit-bootstrap', '0');
  await fit(page);
  const noUnit = cliFit(dir, ['bare.csv', '--bootstrap', '0']);
  assert.match(noUnit.error, /has no unit/);
  assert.equal(await page.textContent('#fit-error'), noUnit.error);
  assert.equal(await page.isVisible('#fit-error'), true);
  assert.equal(await page.isVisible('#fit-download'), false, 'nothing to download after an error');
  // With the unit given it fits, as `--unit min` does.
  await page.selectOption('#fit-unit', 'min');
  assert.match(await fit(page), /^Done: \d families fitted to 7 observations/);
  assert.equal(await page.isVisible('#fit-error'), false);
  const out = join(dir, 'native');
  assert.ok(cliFit(dir, ['bare.csv', '--unit', 'min', '--bootstrap', '0', '--out', out]).out);
  assert.equal((await downloadText(page, '#fit-json')).text, readFileSync(join(out, 'fit.json'), 'utf8'));
  // Pasted, too few values: named "pasted data" as the CLI names its path.
  await page.click('#fit-form summary');
  await page.fill('#fit-paste', 'waits (min)\n1\n2\n');
  await page.waitForFunction(() => /^pasted data:/.test(document.getElementById('fit-data').textContent));
  assert.equal(await page.inputValue('#fit-open'), '');
  writeFileSync(join(dir, 'pasted data'), 'waits (min)\n1\n2\n');
  await page.selectOption('#fit-unit', '');
  await fit(page);
  const few = cliFit(dir, ['pasted data', '--bootstrap', '0']);
  assert.match(few.error, /2 observations are too few/);
  assert.equal(await page.textContent('#fit-error'), few.error);
  await page.locator('#fit-form').screenshot({ path: join(shots, 'fit-error-phone.png') });
  // A long bootstrap reports progress, leaves the page responsive, and can be cancelled.
  await page.setInputFiles('#fit-open', consultations);
  await page.waitForFunction(() => document.querySelectorAll('#fit-column option').length === 3);
  await page.selectOption('#fit-column', 'consult');
  await page.fill('#fit-bootstrap', '20000');
  await page.click('#fit-run');
  await page.waitForFunction(() => /^Fitting: bootstrap sample [1-9]\d* of 180000…$/.test(document.getElementById('fit-status').textContent), null, { timeout: 30000 });
  const delay = await page.evaluate(() => new Promise((resolve) => {
    const t = performance.now();
    setTimeout(() => resolve(performance.now() - t), 0);
  }));
  assert.ok(delay < 200, `the page waited ${delay} ms for a timer during the fit`);
  await page.fill('#fit-seed', '2'); // typing works while the fit runs
  await page.click('#fit-cancel');
  assert.equal(await page.textContent('#fit-status'), 'Cancelled.');
  assert.equal(await page.isDisabled('#fit-cancel'), true);
  // The next fit starts a fresh worker.
  await page.fill('#fit-bootstrap', '0');
  assert.match(await fit(page), /^Done: 8 families fitted to 240 observations \(bootstrap 0, seed 2\)/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.locator('#fit-section').screenshot({ path: join(shots, 'fit-phone.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the state is in the URL: a copied link reopens the same scenario, settings and result', async () => {
  const { page, context } = await open();
  await finished(page);
  await pickScenario(page, 'teaching-triage');
  const before = await page.textContent('#headline');
  await page.locator('#volume').fill('120');
  await page.locator('#volume').dispatchEvent('change');
  const headline = await nextResult(page, before);
  const link = await page.inputValue('#share-url');
  assert.match(link, /#g=teaching-triage&s=/);
  const text = await page.inputValue('#editor');
  const other = await open(link.slice(url.length));
  await finished(other.page);
  assert.equal(await other.page.inputValue('#editor'), text);
  assert.equal(await other.page.textContent('#headline'), headline);
  // An edited text travels compressed in the link.
  await page.fill('#editor', text.replace(/^seed = \d+/m, 'seed = 77'));
  await page.waitForFunction(() => location.hash.includes('t='), null, { timeout: 60000 });
  const third = await open(new URL(page.url()).hash);
  await third.page.waitForFunction(() => /seed = 77/.test(document.getElementById('editor').value), null, { timeout: 60000 });
  await Promise.all([context.close(), other.context.close(), third.context.close()]);
});

test('a long run shows progress and can be cancelled', async () => {
  const { page, context } = await open();
  await finished(page);
  await page.fill('#replications', '400');
  await page.locator('#replications').dispatchEvent('change');
  await page.waitForFunction(() => /^Running: replication [1-9]/.test(document.getElementById('status').textContent), null, { timeout: 30000 });
  const progress = await page.getAttribute('#progress', 'max');
  assert.equal(Number(progress), 800);
  await page.click('#cancel');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Cancelled.', null, { timeout: 10000 });
  assert.equal(await page.isDisabled('#cancel'), true);
  await context.close();
});

test('works offline once loaded', async () => {
  const { page, context } = await open();
  await finished(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready.then(() => true), null, { timeout: 30000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  await page.reload();
  await finished(page);
  await pickScenario(page, 'mmc');
  assert.match(await page.textContent('#headline'), /base: [\d.]+ min/);
  await context.close();
});

test('accessible: every control is labelled and usable from the keyboard', async () => {
  const { page, context } = await open();
  await finished(page);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => !(e.labels?.length || e.getAttribute('aria-label')))
    .map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, []);
  const before = await page.textContent('#headline');
  await page.focus('.card[data-id="teaching-lunch-break"]');
  await page.keyboard.press('Enter');
  await nextResult(page, before);
  assert.equal(await page.getAttribute('.card[data-id="teaching-lunch-break"]', 'aria-pressed'), 'true');
  await context.close();
});

test('usable on a phone: one column, no sideways scrolling', async () => {
  const { page, context } = await open('', { width: 390, height: 844 });
  await finished(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.screenshot({ path: join(shots, 'phone.png'), fullPage: false });
  await context.close();
});

test('flagship timing: browser versus native (same work: 2 variants, charts, tables)', async () => {
  const { page, context } = await open();
  await finished(page);
  // The first run of a page also compiles the module's hot code (V8 tiers up); time a second.
  const first = Number(await page.evaluate(() => document.body.dataset.elapsedMs));
  await page.click('#run');
  await page.waitForFunction((ms) => document.body.dataset.elapsedMs !== String(ms), first, { timeout: 120000 });
  const browserMs = Number(await page.evaluate(() => document.body.dataset.elapsedMs));
  const simulatedMs = Number(await page.evaluate(() => document.body.dataset.simulatedMs));
  const native = seconds(() => execFileSync(carepath, ['report', join(root, 'scenarios', 'future-hospital.toml'),
    '--variants', 'paper,digital', '--threads', '1', '--quiet', '-o', join(scratch, 'report.html')]));
  const line = `flagship paper+digital, 20 replications each: browser ${(browserMs / 1000).toFixed(2)} s (first run of the page ${(first / 1000).toFixed(2)} s) `
    + `(replications alone ${(simulatedMs / 1000).toFixed(2)} s), native (1 thread, whole process) ${native.toFixed(2)} s, browser/native ${(browserMs / 1000 / native).toFixed(2)}`;
  console.log(line);
  writeFileSync(join(shots, 'timing.txt'), `${line}\n`);
  assert.ok(browserMs > 0);
  await context.close();
});

test('canonical workload: WebAssembly in Chromium versus native, same patients, one thread', async () => {
  const { page, context } = await open();
  await finished(page);
  const n = 500000;
  const text = readFileSync(join(root, 'scenarios', 'benchmark.toml'), 'utf8')
    .replace(/^max_arrivals = .*$/m, `max_arrivals = ${n}`);
  const scenario = join(scratch, 'benchmark.toml');
  writeFileSync(scenario, text);
  const best = { browser: Infinity, native: Infinity };
  for (let round = 0; round < 3; round++) {
    const ms = await page.evaluate(async (t) => {
      const m = await import('./pkg/carepath_web.js');
      await m.default();
      const start = performance.now();
      const run = m.WebRun.start(t, '[]');
      while (run.step()) { /* one replication */ }
      const elapsed = performance.now() - start;
      run.free();
      return elapsed;
    }, text);
    best.browser = Math.min(best.browser, ms / 1000);
    best.native = Math.min(best.native, seconds(() => execFileSync(carepath, ['run', scenario, '--quiet', '--threads', '1'])));
  }
  const line = `canonical workload, ${n} patients, best of 3: Chromium wasm ${best.browser.toFixed(3)} s `
    + `(${(n / best.browser / 1e6).toFixed(2)} M patients/s), native whole process ${best.native.toFixed(3)} s `
    + `(${(n / best.native / 1e6).toFixed(2)} M/s); wasm speed = ${(best.native / best.browser).toFixed(2)} × native`;
  console.log(line);
  writeFileSync(join(shots, 'timing-canonical.txt'), `${line}\n`);
  await context.close();
});

test('fit timing: bootstrap 199 of the shipped CSV in Chromium versus carepath fit natively', async () => {
  const { page, context } = await open();
  await finished(page);
  await page.setInputFiles('#fit-open', consultations);
  await page.waitForFunction(() => document.querySelectorAll('#fit-column option').length === 3);
  await page.selectOption('#fit-column', 'consult');
  assert.equal(await page.inputValue('#fit-bootstrap'), '199', 'the default is the CLI\'s');
  assert.match(await fit(page), /bootstrap 199, seed 1/);
  const browserMs = Number(await page.evaluate(() => document.body.dataset.fitMs));
  const native = seconds(() => execFileSync(carepath, ['fit', consultations, '--column', 'consult', '--quiet']));
  const line = `fit of scenarios/data/consultations.csv (240 values, bootstrap 199 per family): Chromium wasm ${(browserMs / 1000).toFixed(2)} s `
    + `(in the worker, charts included), native whole process ${native.toFixed(2)} s, browser/native ${(browserMs / 1000 / native).toFixed(2)}`;
  console.log(line);
  writeFileSync(join(shots, 'timing-fit.txt'), `${line}\n`);
  await context.close();
});
