// Offline support: the page, its script, the worker and the WebAssembly module are cached when
// the page first loads, and served from the cache afterwards (the cache is named after the
// build, so a new build replaces it).
const CACHE = 'carepath-__BUILD__';
const FILES = ['./', 'index.html', 'style.css', 'app.js', 'animate.js', 'fit.js', 'sweep.js', 'worker.js',
  'pkg/carepath_web.js', 'pkg/carepath_web_bg.wasm'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET') return;
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  url.hash = '';
  url.search = '';
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const hit = await cache.match(url.href);
    return hit || fetch(event.request);
  }));
});
