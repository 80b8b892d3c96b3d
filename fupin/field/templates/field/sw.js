/* The field app's service worker (rendered by fupin/field/views.py), version {{ version }}.
 * The shell and its files are precached (each with its content's revision), so /field/ opens offline.
 * API answers are never cached here: the data lives in IndexedDB, written by the page itself. */
importScripts("{{ workbox_sw }}");
const MODULES = {{ modules|safe }};
const VERSION = "{{ version }}";
// Our own copies of the modules, never Google's CDN; production builds only.
workbox.setConfig({ debug: false, modulePathCb: (name) => MODULES[name] });
// importScripts is only allowed while the worker starts: load every module now.
Object.keys(MODULES).forEach((name) => workbox.loadModule(name));

workbox.core.setCacheNameDetails({ prefix: "fupin-field", suffix: VERSION });
self.skipWaiting();
workbox.core.clientsClaim();

// Django varies its pages on Accept-Language and Cookie; a navigation carries headers the worker's own
// install fetch did not, so a cached copy with those Vary headers would never match offline.
workbox.precaching.addPlugins([
  {
    cacheWillUpdate: async ({ response }) => {
      if (!response || response.status !== 200) return null; // a failed install, never a cached error
      if (!response.headers.has("Vary")) return response;
      const headers = new Headers(response.headers);
      headers.delete("Vary");
      return new Response(await response.blob(), { status: 200, statusText: response.statusText, headers });
    },
  },
]);
workbox.precaching.precacheAndRoute({{ precache|safe }}, { ignoreURLParametersMatching: [/.*/] });

// Other static files the pages may ask for: from the cache first, kept a month.
workbox.routing.registerRoute(
  ({ url, request }) => url.origin === self.location.origin && url.pathname.startsWith("/static/") && request.method === "GET",
  new workbox.strategies.CacheFirst({
    cacheName: `fupin-field-static-${VERSION}`,
    plugins: [
      new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
      new workbox.expiration.ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: 30 * 24 * 3600 }),
    ],
  })
);

// A new version drops the caches of the old ones.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(
        names
          .filter((name) => name.startsWith("fupin-field") && !name.endsWith(VERSION))
          .map((name) => caches.delete(name))
      )
    )
  );
});
