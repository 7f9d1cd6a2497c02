// A tiny static file server for web/dist on 127.0.0.1 (no dependencies). Usage:
//   node web/serve.mjs [--port 8080] [--dir web/dist]
// Prints the URL. Also imported by the tests (`serve({ port: 0 })`, `serve({ port: 0, dir })`).
//
// Only files inside the served folder are ever read. A request path is decoded once and then
// resolved against the root; the result must lie inside the root by `path.relative`, which a
// plain `startsWith(root)` test does not give (`/srv/dist` is a prefix of `/srv/dist-old`).
// Symbolic links are followed only when their target is inside the root as well.
//   400  the path is not valid percent-encoding, or holds a NUL byte
//   403  the path holds an encoded separator (`%2f`, `%5c`) or a backslash, or leaves the root
//   404  no such file (or a folder without index.html)
//   405  a method other than GET or HEAD
import { createServer } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.toml': 'text/plain; charset=utf-8',
};

/** A refusal with the HTTP status it is answered with. */
class Refused extends Error {
  constructor(status, why) {
    super(why);
    this.status = status;
  }
}

/** True when `p` (absolute) is `root` itself or lies below it. */
export function inside(root, p) {
  const rel = relative(root, p);
  // `..` alone or `../…` leaves the root; a name that merely begins with two dots (`..notes`)
  // does not. An absolute result means another drive or root (Windows).
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/**
 * Maps a request target (`req.url`) to a file path inside `root`, or throws `Refused`.
 * Exported for the unit tests; `root` must be absolute and resolved.
 */
export function locate(root, target) {
  // The raw path, before the URL parser folds `\` into `/` and resolves dot segments: a request
  // that needs either is not one the page makes, so it is refused rather than reinterpreted.
  const raw = String(target).split(/[?#]/, 1)[0];
  if (!raw.startsWith('/')) throw new Refused(400, 'request path must start with /');
  if (raw.includes('\\')) throw new Refused(403, 'backslash in path');
  if (/%(2f|5c)/i.test(raw)) throw new Refused(403, 'encoded separator in path');
  let path;
  try {
    path = decodeURIComponent(raw);
  } catch {
    throw new Refused(400, 'malformed percent-encoding');
  }
  // Decoded once only: `%252e%252e` stays the literal name `%2e%2e`, which is just not found.
  if (path.includes('\0')) throw new Refused(400, 'NUL in path');
  const file = resolve(root, `.${path}`);
  if (!inside(root, file)) throw new Refused(403, 'outside the served folder');
  return file;
}

export function serve({ port = 8080, dir = fileURLToPath(new URL('./dist', import.meta.url)) } = {}) {
  const root = resolve(dir);
  // Resolved once: symbolic links are judged against where the root really is.
  let realRoot;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = root;
  }
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refused(405, 'method not allowed');
      let file = locate(root, req.url);
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      if (!inside(realRoot, await realpath(file))) throw new Refused(403, 'link leaves the served folder');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      const status = e instanceof Refused ? e.status
        : ['ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG'].includes(e?.code) ? 404 : 500;
      const text = { 400: 'bad request', 403: 'forbidden', 404: 'not found', 405: 'method not allowed' }[status]
        || 'server error';
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { url } = await serve({ port: Number(arg('--port', 8080)), dir: arg('--dir', undefined) });
  console.log(`CarePath is at ${url}  (Ctrl-C stops the server)`);
}
