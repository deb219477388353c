// The UI's only way to the server: the same /api/v1 routes the CLI uses, with the session cookie
// set at sign-in. URLs are relative to the page, so a reverse proxy's base path is kept.

const API = new URL("../api/v1/", document.baseURI);

/** An API refusal; message is the problem detail's one line, as the CLI prints it. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

function url(path, query) {
  const u = new URL(path.replace(/^\//, ""), API);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") u.searchParams.set(key, value);
  }
  return u;
}

async function send(method, path, { query, body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-Gantry-UI"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url(path, query), {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.detail) || `${method} ${path}: ${response.status}`);
  }
  return data;
}

export const api = {
  get: (path, query) => send("GET", path, { query }),
  post: (path, body) => send("POST", path, { body }),
  put: (path, body) => send("PUT", path, { body }),
  del: (path) => send("DELETE", path),
  /** An EventSource on an API stream; the browser sends the session cookie and resumes itself. */
  events: (path, query) => new EventSource(url(path, query)),
};

/** Signs in with a token: the server answers with an HttpOnly cookie and the token's identity. */
export function signIn(token) {
  return session({ token });
}

/** Signs in with the code of a one-time link `gantry server start` printed. */
export function signInWithCode(code) {
  return session({ code });
}

async function session(body) {
  const response = await fetch(new URL("session", document.baseURI), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Gantry-UI": "1" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new ApiError(response.status, data.detail);
  return data;
}

export async function signOut() {
  await fetch(new URL("session", document.baseURI), {
    method: "DELETE",
    headers: { "X-Gantry-UI": "1" },
    credentials: "same-origin",
  });
}
