// The query API client (same origin). Errors become exceptions with Jaeger's message.

let token = sessionStorage.getItem('tracestore-token') || '';
export function setToken(value) {
  token = value;
  sessionStorage.setItem('tracestore-token', value);
}

export async function getJson(path) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(path, { headers });
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) {
    const message = body?.errors?.[0]?.msg || body?.detail || `HTTP ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

export const api = {
  services: async () => (await getJson('/api/services')).data || [],
  operations: async (service) => (await getJson(`/api/services/${encodeURIComponent(service)}/operations`)).data || [],
  search: async (params) => (await getJson(`/api/traces?${params}`)).data || [],
  trace: async (id) => (await getJson(`/api/traces/${encodeURIComponent(id)}`)).data[0],
  dependencies: async (lookbackMs) =>
    (await getJson(`/api/tracestore/dependencies?endTs=${Date.now()}&lookback=${lookbackMs}`)).data || [],
};
