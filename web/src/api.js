// The server's JSON API (/api/openapi.json). The session is an HttpOnly
// cookie the browser keeps; state changes carry the CSRF token that sign-in
// answered.
let csrf = '';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json() : null;
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || res.statusText);
  return data;
}

// A download: the answer's bytes as a Blob, with its file name.
async function download(method, path) {
  const res = await fetch(path, { method, headers: { 'X-CSRF-Token': csrf }, credentials: 'same-origin' });
  if (!res.ok) {
    const type = res.headers.get('Content-Type') || '';
    const data = type.startsWith('application/json') ? await res.json() : null;
    throw new ApiError(res.status, (data && data.error) || res.statusText);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || 'download';
  return { blob: await res.blob(), name, originals: res.headers.get('X-Vigil-Originals') };
}

export const api = {
  async login(user, password) {
    const me = await call('POST', '/api/login', { user, password });
    csrf = me.csrf;
    return me;
  },
  async me() {
    const me = await call('GET', '/api/me');
    csrf = me.csrf;
    return me;
  },
  logout: () => call('POST', '/api/logout'),
  queue: (params) => call('GET', '/api/queue?' + new URLSearchParams(params)),
  next: (params) => call('POST', '/api/queue/next?' + new URLSearchParams(params)),
  post: (ref) => call('GET', `/api/posts/${encodeURIComponent(ref)}`),
  decide: (ref, decision, note) =>
    call('POST', `/api/posts/${encodeURIComponent(ref)}/decisions`, { decision, note }),
  recentDecisions: (limit = 20) => call('GET', '/api/decisions?' + new URLSearchParams({ limit })),
  persons: () => call('GET', '/api/registry/persons'),
  person: (code) => call('GET', `/api/registry/persons/${encodeURIComponent(code)}`),
  setStatus: (code, status, reason) =>
    call('POST', `/api/registry/persons/${encodeURIComponent(code)}/status`, { status, reason }),
  sighting: (code, post, media_sha256, distance) =>
    call('POST', `/api/registry/persons/${encodeURIComponent(code)}/sightings`,
      { post, media_sha256, distance }),
  network: (params) => call('GET', '/api/network?' + new URLSearchParams(params)),
  networkPath: (from, to) => call('GET', '/api/network/path?' + new URLSearchParams({ from, to })),
  stats: () => call('GET', '/api/stats'),
  exportEscalated: () => download('POST', '/api/evidence/escalated'),
  audit: (from) => call('GET', '/api/audit?' + new URLSearchParams({ from, limit: 100 })),
  verify: () => call('GET', '/api/audit/verify'),
  accounts: () => call('GET', '/api/accounts'),
  addAccount: (name, role, password) => call('POST', '/api/accounts', { name, role, password }),
  changeAccount: (name, change) =>
    call('PATCH', `/api/accounts/${encodeURIComponent(name)}`, change),
};
