// The animated day (web/www/animate.js) in real headless Chromium: on the page, after the
// flagship paper-versus-digital run, and in the offline HTML file `carepath animate` writes.
// Run after web/build.sh, with the native CLI (target/release/carepath, or $CAREPATH_BIN,
// an absolute path):
//   CAREPATH_BIN=$PWD/target/debug/carepath node --test --test-concurrency=1 web/tests/animate.test.mjs
// Screenshots (08:30, mid-morning) go to web/test-results/; the frame rate while playing the
// 10,000-patient day is printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const carepath = process.env.CAREPATH_BIN || join(root, 'target', 'release', 'carepath');
const flagship = join(root, 'scenarios', 'future-hospital.toml');
const shots = join(root, 'web', 'test-results');
mkdirSync(shots, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'carepath-animate-'));
const CLOSE = 16 * 60 + 30; // the flagship's walk-ins stop at 16:30

let server;
let url;
let browser;
let fromPage = null; // what the page's animation showed, for the file's test to match

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

async function open(address, viewport = { width: 1400, height: 1000 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  if (address) await page.goto(address);
  return { page, context, problems };
}

/** Arrived and completed per variant label in replication 0, from `carepath compare -r 1`. */
function nativeCounts() {
  const out = join(scratch, 'compare');
  execFileSync(carepath, ['compare', flagship, '--variants', 'paper,digital', '-r', '1', '--quiet', '--out', out]);
  return counts(JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')));
}

/** {arrived: {label: n}, completed: {label: n}} of a comparison.json of one replication. */
function counts(comparison) {
  const c = { arrived: {}, completed: {} };
  for (const s of Object.values(comparison.variants)) {
    c.arrived[s.variant] = s.patients.arrived.mean;
    c.completed[s.variant] = s.patients.completed.mean;
  }
  return c;
}

const dataset = (page) => page.evaluate(() => ({ ...document.getElementById('animation').dataset }));

/** Jumps the clock with the slider (as a user drags it), screenshots, plays the end at top
 * speed; returns what the animation showed and the frame rate. */
async function playTheDay(page, shot, region = '#animation canvas') {
  const slider = page.locator('#animation input[type=range]');
  await slider.fill('510'); // 08:30
  await page.waitForFunction(() => document.getElementById('animation').dataset.time === '510.00');
  assert.equal(await page.textContent('#animation .cp-anim-clock'), '08:30');
  const morning = await dataset(page);
  await page.locator(region).screenshot({ path: join(shots, shot) });
  // Mid-morning on paper: patients queue at registration and the consulting rooms.
  assert.ok(JSON.parse(morning.arrived).paper > 3000, morning.arrived);
  // Play at top speed from closing time to the end of the day.
  await page.selectOption('#animation select[id$="-speed"]', '60');
  await slider.fill(String(CLOSE));
  await page.click('#animation .cp-anim-play');
  await page.waitForFunction(() => document.getElementById('animation').dataset.state === 'playing');
  await page.waitForTimeout(1500);
  const playing = await dataset(page);
  assert.ok(Number(playing.time) > CLOSE, `the clock moves: ${playing.time}`);
  await page.waitForFunction(() => document.getElementById('animation').dataset.state === 'end', null, { timeout: 30000 });
  const end = await dataset(page);
  assert.ok(Number(end.time) > CLOSE + 60, `the day runs past closing: ${end.time}`);
  assert.match(await page.textContent('#animation .cp-anim-end'), /^End of the day \(18:\d\d\): paper: [\d,]+ arrived, [\d,]+ completed/);
  return {
    arrived: JSON.parse(end.arrived), completed: JSON.parse(end.completed), events: JSON.parse(end.events),
    fps: Number(playing.fps), drawMs: Number(playing.drawMs),
  };
}

test('the page animates the day it just ran, and ends on the run\'s counts', async () => {
  const { page, context, problems } = await open(url);
  await page.waitForFunction(() => /^Done:/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
  assert.equal(await page.isHidden('#animate-section'), false);
  // One replication, so that the summary's counts are replication 0's.
  await page.fill('#replications', '1');
  await page.dispatchEvent('#replications', 'change');
  await page.waitForFunction(() => /^Done: 1 replication × 2 variants/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  const summary = counts(JSON.parse(readFileSync(await download.path(), 'utf8')));
  const started = Date.now();
  await page.click('#animate-run');
  await page.waitForSelector('#animation canvas', { timeout: 60000 });
  const ready = (Date.now() - started) / 1000;
  assert.match(await page.textContent('#animate-status'), /^Replication 0: [\d,]+ events of the patients \(paper 1\d,\d{3}, digital/);
  const shown = await playTheDay(page, 'animate-page-0830.png', '#animate-section');
  assert.deepEqual({ arrived: shown.arrived, completed: shown.completed }, summary);
  fromPage = shown;
  console.log(`page: animation ready in ${ready.toFixed(2)} s; playing ${Object.values(shown.events).reduce((a, b) => a + b)} events: ${shown.fps} frames/s, ${shown.drawMs} ms to draw a frame`);
  // A new run replaces the animation with the button again.
  await page.fill('#seed', '5');
  await page.dispatchEvent('#seed', 'change');
  await page.waitForFunction(() => document.getElementById('animation').childElementCount === 0
    && !document.getElementById('animate-run').disabled, null, { timeout: 120000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('carepath animate writes one file that plays offline with the same counts', async () => {
  const file = join(scratch, 'day.html');
  execFileSync(carepath, ['animate', flagship, '--variants', 'paper,digital', '-q', '-o', file]);
  const { page, context, problems } = await open(null);
  await context.setOffline(true);
  const requests = [];
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (!u.startsWith('file:')) requests.push(u);
    return u.startsWith('file:') ? route.continue() : route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('#animation canvas');
  const shown = await playTheDay(page, 'animate-file-0830.png');
  assert.deepEqual({ arrived: shown.arrived, completed: shown.completed }, nativeCounts());
  if (fromPage) {
    // The page's module and the CLI build the same day from the same models.
    assert.deepEqual(shown.events, fromPage.events);
    assert.deepEqual(shown.completed, fromPage.completed);
  }
  console.log(`file: ${shown.fps} frames/s, ${shown.drawMs} ms to draw a frame`);
  assert.deepEqual(requests, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the page shows the model\'s picture, the same SVG as carepath diagram', async () => {
  const { page, context, problems } = await open(url);
  await page.waitForFunction(() => /^Done:/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
  await page.waitForFunction(() => !document.getElementById('diagram-section').hidden, null, { timeout: 30000 });
  const svg = await page.evaluate(() => document.querySelector('#diagram svg').outerHTML);
  // The page opens on the flagship's paper-versus-digital comparison: the first variant's picture.
  const native = execFileSync(carepath, ['diagram', flagship, '--variant', 'paper'], { encoding: 'utf8' });
  const text = (s) => [...s.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(text(svg), text(native));
  assert.ok(text(svg).includes('digital: pay by phone or face'));
  await page.locator('#diagram-section').screenshot({ path: join(shots, 'diagram.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
