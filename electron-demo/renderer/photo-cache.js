// Instructor photos, offline-first: Cache Storage answers first (the desk works for days without a network), the
// photo server refreshes the copy in the background, and only a photo never seen before needs the network.
// Returns blob: object URLs (the CSP allows blob: images, not the photo server's origin); the caller revokes them.

const CACHE_NAME = 'desk-photos-v1';

/** The request URL of an instructor's photo under `base` (e.g. "http://127.0.0.1:8123"). */
export function photoUrl(base, instructorId) {
  return `${String(base).replace(/\/+$/, '')}/instructors/${encodeURIComponent(instructorId)}.svg`;
}

// Cache Storage needs a secure context (127.0.0.1 and the privileged app:// scheme are); without it, network only.
async function openCache() {
  try {
    return globalThis.caches ? await caches.open(CACHE_NAME) : null;
  } catch {
    return null;
  }
}

// An SVG served with a generic type would not render from a blob: URL, so the type is fixed up when needed.
async function objectUrl(response, url) {
  let blob = await response.blob();
  if (!blob.type.startsWith('image/') && /\.svg$/i.test(url)) {
    blob = new Blob([await blob.arrayBuffer()], { type: 'image/svg+xml' });
  }
  return URL.createObjectURL(blob);
}

// Cross-origin fetch; the photo server sends CORS headers, so the response is readable (not opaque) and cacheable.
// When the browser already knows it is offline, no request is made (it would only fail, noisily).
async function fetchPhoto(url) {
  if (navigator.onLine === false) throw new Error('offline');
  const response = await fetch(url, { mode: 'cors', credentials: 'omit', cache: 'no-cache' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response;
}

// Background refresh of a cached photo: a changed picture shows next time; failures (offline) are expected.
function refresh(cache, url) {
  fetchPhoto(url)
    .then((response) => cache.put(url, response))
    .catch(() => {});
}

/**
 * The photo of an instructor: { url, source } with url a blob: URL or null and source 'cache' | 'network' | 'none'.
 * Never rejects: no base, offline with no cached copy, or a missing photo all give { url: null, source: 'none' }.
 */
export async function photoFor(base, instructorId) {
  if (!base || instructorId == null) return { url: null, source: 'none' };
  const url = photoUrl(base, instructorId);
  const cache = await openCache();

  if (cache) {
    try {
      const hit = await cache.match(url);
      if (hit) {
        const objUrl = await objectUrl(hit, url);
        refresh(cache, url);
        return { url: objUrl, source: 'cache' };
      }
    } catch {
      // A broken cache entry: fall through to the network.
    }
  }

  try {
    const response = await fetchPhoto(url);
    // Stored before answering, so the very next render (e.g. after going offline) finds it.
    if (cache) await cache.put(url, response.clone()).catch(() => {});
    return { url: await objectUrl(response, url), source: 'network' };
  } catch {
    return { url: null, source: 'none' };
  }
}
