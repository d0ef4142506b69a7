// The platform's HTTP API as the canvas uses it: every call carries the admin bearer.
const TOKEN_KEY = "molecule.adminToken";

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set(token) { sessionStorage.setItem(TOKEN_KEY, token); },
  clear() { sessionStorage.removeItem(TOKEN_KEY); },
};

/** Calls the API; resolves to {status, body} (body is parsed JSON or null) and never throws on HTTP errors. */
export async function call(method, path, body, token = session.token) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { status: 0, body: { error: "the platform could not be reached" } };
  }
  const text = await response.text();
  let parsed = null;
  if (text) { try { parsed = JSON.parse(text); } catch { parsed = null; } }
  return { status: response.status, body: parsed };
}

/** A human sentence for a failed call. */
export function describeError(result) {
  if (result.status === 0) return "The platform could not be reached.";
  const b = result.body || {};
  let text = b.error ? String(b.error) : `HTTP ${result.status}`;
  if (b.detail) text += ` (${b.detail})`;
  if (b.agent_error) text += `: ${b.agent_error}`;
  return text;
}

export const api = {
  listWorkspaces: (includeRemoved, token) => call("GET", "/workspaces" + (includeRemoved ? "?include_removed=true" : ""), undefined, token),
  createWorkspace: (body) => call("POST", "/workspaces", body),
  pause: (id) => call("POST", `/workspaces/${id}/pause`),
  resume: (id) => call("POST", `/workspaces/${id}/resume`),
  remove: (id) => call("DELETE", `/workspaces/${id}?confirm=true`),
  secrets: (id) => call("GET", `/workspaces/${id}/secrets`),
  saveSecret: (id, key, value) => call("PUT", `/workspaces/${id}/secrets`, { key, value }),
  deleteSecret: (id, key) => call("DELETE", `/workspaces/${id}/secrets/${encodeURIComponent(key)}`),
  tokens: (id) => call("GET", `/workspaces/${id}/tokens`),
  mintToken: (id) => call("POST", `/workspaces/${id}/tokens`),
  revokeToken: (id, tokenId) => call("DELETE", `/workspaces/${id}/tokens/${tokenId}`),
  activity: (id) => call("GET", `/workspaces/${id}/activity?limit=50`),
  a2a: (id, body) => call("POST", `/workspaces/${id}/a2a`, body),
};
