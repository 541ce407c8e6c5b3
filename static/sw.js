/* Service worker of the surveyor's tablet app (scope /dieu-tra).
 *
 * Served by the route /sw.js, which fills in VERSION (a digest of this file
 * and of every file in ASSETS) and ASSETS, so a release with any changed
 * file installs a new worker.
 *
 * - Static files: stored at install, served from the cache first.
 * - The surveyor's pages and the data they need (assignments, instrument
 *   definitions): network first, so they are fresh when online; the last
 *   good copy when the network is off or too slow.
 * - Anything else, and every POST (sending interviews), goes to the network
 *   untouched: interviews are queued in IndexedDB by the page, never here.
 */
'use strict';

const VERSION = "__VERSION__";
const ASSETS = ["__ASSETS__"];
const ASSET_CACHE = `khaosat-assets-${VERSION}`;
const PAGE_CACHE = 'khaosat-pages';
const NETWORK_WAIT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(ASSET_CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('khaosat-assets-') && name !== ASSET_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isPage(url) {
  return url.pathname === '/dieu-tra' || url.pathname.startsWith('/dieu-tra/');
}

function isData(url) {
  return url.pathname === '/api/v1/assignments' || url.pathname.startsWith('/api/v1/instruments/');
}

/* A response worth keeping: complete, for this URL (not a sign-in page we were redirected to). */
function keepable(response) {
  return response && response.ok && response.status === 200 && !response.redirected && response.type === 'basic';
}

function cacheKey(request) {
  const url = new URL(request.url);
  return url.origin + url.pathname;
}

async function remember(request, response) {
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(cacheKey(request), response);
}

async function fromCache(request) {
  const cache = await caches.open(PAGE_CACHE);
  return cache.match(cacheKey(request), { ignoreVary: true, ignoreSearch: true });
}

/* Network first; the cached copy if the network fails or is slower than NETWORK_WAIT_MS. */
async function networkFirst(event) {
  const request = event.request;
  const network = fetch(request).then((response) => {
    if (keepable(response)) event.waitUntil(remember(request, response.clone()));
    return response;
  });
  network.catch(() => {}); // a late failure after the cache answered is expected offline
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS, null));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
  } catch (e) {
    // offline: fall through to the cache
  }
  const cached = await fromCache(request);
  if (cached) return cached;
  try {
    return await network; // nothing cached: wait for the network after all
  } catch (e) {
    return new Response(
      '<!doctype html><meta charset="utf-8"><title>Offline</title>' +
        '<p>Chưa có bản lưu của trang này trên máy. Hãy mở trang một lần khi có mạng.</p>' +
        '<p>This page is not stored on the tablet yet. Open it once while online.</p>',
      { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    );
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  return cached || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' ? isPage(url) : isData(url)) {
    event.respondWith(networkFirst(event));
  } else if (url.pathname.startsWith('/static/')) {
    event.respondWith(cacheFirst(request));
  }
});

/* Fetch and keep the pages and data a surveyor will need offline. */
async function warm(urls) {
  let ok = true;
  for (const url of urls) {
    try {
      const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      if (keepable(response)) await remember(new Request(url), response);
      else ok = false;
    } catch (e) {
      ok = false;
    }
  }
  return ok;
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  const reply = (message) => event.ports[0] && event.ports[0].postMessage(message);
  if (data.type === 'warm' && Array.isArray(data.urls)) {
    const origin = self.location.origin;
    const urls = data.urls.filter((u) => new URL(u, origin).origin === origin);
    event.waitUntil(warm(urls).then((ok) => reply({ ok })));
  } else if (data.type === 'forget') {
    // Signing out of a shared tablet: drop the pages that show this surveyor's name and work.
    event.waitUntil(caches.delete(PAGE_CACHE).then(() => reply({ ok: true })));
  }
});
