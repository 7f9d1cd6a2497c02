// Tests of web/serve.mjs: it serves files inside its folder and nothing else. Needs no browser
// and no wasm build:
//   node --test --test-concurrency=1 web/tests/serve.test.mjs
// The served root is a temporary `dist` folder with a sibling `dist-old` holding a secret, the
// layout in which a `startsWith(root)` containment test let `/..%2fdist-old%2fsecret.txt` through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inside, serve } from '../serve.mjs';

const SECRET = 'sibling secret: must never be served';
const base = mkdtempSync(join(tmpdir(), 'carepath-serve-'));
const root = join(base, 'dist');
let server;
let port;

before(async () => {
  mkdirSync(join(root, 'pkg'), { recursive: true });
  mkdirSync(join(base, 'dist-old'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(root, 'pkg', 'module.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(root, '..notes.txt'), 'a name that starts with two dots');
  writeFileSync(join(base, 'dist-old', 'secret.txt'), SECRET);
  writeFileSync(join(base, 'secret.txt'), SECRET);
  symlinkSync(join(base, 'dist-old'), join(root, 'escape'));
  ({ server } = await serve({ port: 0, dir: root }));
  port = server.address().port;
});

after(() => {
  server?.close();
  rmSync(base, { recursive: true, force: true });
});

/**
 * Sends `path` byte for byte as the request target (fetch() and URL objects would normalise
 * dot segments and backslashes before they reach the server, hiding what is tested here).
 */
function get(path, method = 'GET') {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode, type: res.headers['content-type'], body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('serves a real file, a nested file with its type, and index.html for the root', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.body, /<title>page<\/title>/);
  assert.equal((await get('/index.html')).status, 200);
  const wasm = await get('/pkg/module.wasm');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.type, 'application/wasm');
  assert.equal((await get('/pkg/module.wasm?v=1')).status, 200, 'a query string is not part of the name');
  assert.equal((await get('/..notes.txt')).status, 200, 'a name beginning with two dots is inside');
  assert.equal((await get('/missing.js')).status, 404);
});

test('traversal attempts into the sibling folder or the parent are refused', async () => {
  const attempts = [
    '/..%2fdist-old%2fsecret.txt', // the reported hole
    '/..%2Fdist-old%2Fsecret.txt',
    '/%2e%2e%2fdist-old%2fsecret.txt',
    '/%2E%2E/dist-old/secret.txt',
    '/%2e%2e/secret.txt',
    '/../dist-old/secret.txt',
    '/../secret.txt',
    '/pkg/../../dist-old/secret.txt',
    '/./../dist-old/secret.txt',
    '/%252e%252e%252fdist-old%252fsecret.txt', // double encoding: decoded once, a literal name
    '/..%252fdist-old%252fsecret.txt',
    '/..\\dist-old\\secret.txt',
    '/..%5cdist-old%5csecret.txt',
    '/%5c..%5c..%5csecret.txt',
    '/escape/secret.txt', // a symbolic link inside the root that points outside it
    '//../secret.txt',
  ];
  for (const path of attempts) {
    const r = await get(path);
    assert.ok([403, 404].includes(r.status), `${path}: expected 403 or 404, got ${r.status}`);
    assert.ok(!r.body.includes(SECRET), `${path}: served the sibling's file`);
  }
});

test('malformed encoding and NUL bytes are bad requests', async () => {
  for (const path of ['/%', '/%zz', '/%E0%A4%A', '/index.html%00', '/index.html%00.png']) {
    const r = await get(path);
    assert.equal(r.status, 400, `${path}: expected 400, got ${r.status}`);
  }
});

test('only GET and HEAD are answered', async () => {
  const head = await get('/index.html', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await get('/index.html', 'POST')).status, 405);
  assert.equal((await get('/index.html', 'DELETE')).status, 405);
});

test('containment is judged by path.relative, not by a common prefix', () => {
  assert.equal(inside('/srv/dist', '/srv/dist'), true);
  assert.equal(inside('/srv/dist', '/srv/dist/pkg/a.wasm'), true);
  assert.equal(inside('/srv/dist', '/srv/dist/..notes'), true);
  assert.equal(inside('/srv/dist', '/srv/dist-old/secret.txt'), false);
  assert.equal(inside('/srv/dist', '/srv/secret.txt'), false);
  assert.equal(inside('/srv/dist', '/'), false);
});
