// The REST API, relative to /ui/: the console works through any worker of a cluster and
// behind a proxy that adds a path prefix. The browser sends the credentials it was given
// for the page with every request (same origin), so basic authentication needs nothing here.

const base = new URL('../', document.baseURI);
// A page opened as http://user:password@host/ui/ has them in its URL, which fetch refuses;
// the browser already sends them for this origin.
base.username = '';
base.password = '';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, body, accept = 'application/json') {
  const init = { method, headers: { Accept: accept }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(new URL(path, base), init);
  } catch (e) {
    throw new ApiError(0, `The worker cannot be reached (${e.message})`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = `HTTP ${res.status} ${res.statusText}`;
    try {
      const data = JSON.parse(text);
      if (data && data.message) message = data.message;
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(res.status, message);
  }
  return text;
}

/** Sends a request; resolves to the parsed JSON body (null when empty). */
export async function api(method, path, body) {
  const text = await request(method, path, body);
  return text ? JSON.parse(text) : null;
}

export const get = (path) => api('GET', path);

/** A plain-text resource (GET /metrics). */
export const getText = (path) => request('GET', path, undefined, 'text/plain');

/** One path segment. */
export const seg = encodeURIComponent;
