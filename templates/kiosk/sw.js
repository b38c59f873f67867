/* Service worker of one kiosk screen (served by kiosk.views.screen.service_worker, scope: the screen's URL).
 *
 * Keeps the screen working when the network drops: the page and content.json are fetched from the server
 * when it answers (network first) and from the cache when it does not; static files and pictures come from
 * the cache first. Installing stores the page, its content, its static files and every picture the content
 * names; each fresh content.json stores the new pictures too. A 404 for the page or its content means the
 * screen's URL was revoked: the cache is dropped and the worker unregisters, so nothing is shown any more.
 */
"use strict";

const CONFIG = {{ config_json|safe }};
const NETWORK_TIMEOUT_MS = 8000;
// Django varies pages on Accept-Language (and Cookie); a screen has one language and no cookies, and a
// Request made here lacks the headers the browser adds later, so stored copies are matched by URL alone.
const MATCH = { ignoreVary: true, ignoreSearch: false };

function fetchWithTimeout(request) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NETWORK_TIMEOUT_MS);
  return fetch(request, { signal: controller.signal }).finally(() => clearTimeout(timer));
}

function pictureUrls(content) {
  const urls = [content.brand && content.brand.logo];
  for (const bundle of content.bundles || []) urls.push(bundle.image);
  return [...new Set(urls.filter(Boolean))];
}

async function storePictures(cache, content) {
  await Promise.all(
    pictureUrls(content).map(async (url) => {
      if (await cache.match(url, MATCH)) return;
      try {
        const response = await fetch(url);
        if (response.ok) await cache.put(url, response);
      } catch (error) {
        // Offline or gone: the page skips a picture it cannot show.
      }
    }),
  );
}

// Marks a response served from the cache because the server could not be reached, so the page can say so.
function fromCache(cached) {
  const headers = new Headers(cached.headers);
  headers.set("X-Kiosk-Offline", "1");
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}

async function forgetEverything() {
  await caches.delete(CONFIG.cache_name);
  await self.registration.unregister();
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CONFIG.cache_name);
      await cache.addAll(CONFIG.precache);
      const stored = await cache.match(CONFIG.content, MATCH);
      if (stored) await storePictures(cache, await stored.json());
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CONFIG.cache_prefix) && name !== CONFIG.cache_name) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(event, key, isContent) {
  const request = event.request;
  const cache = await caches.open(CONFIG.cache_name);
  let response;
  try {
    response = await fetchWithTimeout(request);
  } catch (error) {
    const cached = await cache.match(key, MATCH);
    if (cached) return fromCache(cached);
    throw error;
  }
  if (response.status === 404) {
    await forgetEverything();
    return response;
  }
  if (!response.ok) {
    // The server is there but in trouble (a proxy's 502, a restart): the last good copy is better.
    const cached = await cache.match(key, MATCH);
    return cached ? fromCache(cached) : response;
  }
  await cache.put(key, response.clone());
  if (isContent) {
    // New pictures are stored in the background; the page gets its content at once.
    const copy = response.clone();
    event.waitUntil(copy.json().then((content) => storePictures(cache, content)));
  }
  return response;
}

async function cacheFirst(request) {
  const cache = await caches.open(CONFIG.cache_name);
  const cached = await cache.match(request, MATCH);
  if (cached) return cached;
  const response = await fetchWithTimeout(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === CONFIG.screen || request.mode === "navigate") {
    event.respondWith(networkFirst(event, CONFIG.screen, false));
  } else if (url.pathname === CONFIG.content) {
    event.respondWith(networkFirst(event, CONFIG.content, true));
  } else if (CONFIG.cache_first_prefixes.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(cacheFirst(request));
  }
});
