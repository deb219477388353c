// The UI's shell: sign-in, the role the token has, and a hash router (#/runs?state=Failed), so
// every page and filter is a URL that can be shared and reloaded behind any base path.
import { api, ApiError, signInWithCode, signOut } from "./api.js";
import { fill, h } from "./dom.js";
import { signInPage } from "./pages/signin.js";
import { overviewPage } from "./pages/overview.js";
import { runsPage } from "./pages/runs.js";
import { runPage } from "./pages/run.js";
import { flowsPage, flowPage } from "./pages/flows.js";
import { agentsPage } from "./pages/agents.js";
import { adminPage } from "./pages/admin.js";

const ROLES = ["viewer", "operator", "deployer", "admin"];

/** What the page knows about the signed-in token; pages ask it before showing a button. */
export const session = {
  identity: null,
  can(role) {
    return this.identity !== null && ROLES.indexOf(this.identity.role) >= ROLES.indexOf(role);
  },
};

const routes = [
  [/^\/$/, overviewPage],
  [/^\/runs$/, runsPage],
  [/^\/runs\/([0-9a-zA-Z-]+)$/, runPage],
  [/^\/flows$/, flowsPage],
  [/^\/flows\/([^/]+)$/, flowPage],
  [/^\/agents$/, agentsPage],
  [/^\/admin$/, adminPage],
];

let leave = null; // the current page's clean-up (closing its event streams)

/** The hash's path and query, e.g. {path: "/runs", query: URLSearchParams("state=Failed")}. */
export function location() {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  return { path, query: new URLSearchParams(query || "") };
}

/** Navigates to a hash path with a query (empty values dropped). */
export function go(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const text = params.toString();
  window.location.hash = `#${path}${text ? `?${text}` : ""}`;
}

/** Shows a failure's one line in the alert region (or clears it). */
export function showError(error) {
  const region = document.getElementById("error");
  if (!error) {
    fill(region);
    return;
  }
  fill(region, error instanceof ApiError || error instanceof Error ? error.message : String(error));
}

async function render() {
  if (leave) {
    leave();
    leave = null;
  }
  showError(null);
  // Each render draws into a fresh element: a page still loading when the reader moves on draws
  // into a detached one, never over the next page.
  const main = h("div", { class: "view" });
  fill(document.getElementById("main"), main);
  const { path, query } = location();
  if (!session.identity && query.has("code")) {
    // The one-time link `gantry server start` prints: redeem it, and drop it from the URL.
    const code = query.get("code");
    history.replaceState(null, "", "#/");
    let failure = null;
    try {
      session.identity = await signInWithCode(code);
    } catch (e) {
      failure = e;
    }
    await render();
    if (failure) showError(failure); // after render, which clears the alert region
    return;
  }
  if (!session.identity) {
    try {
      session.identity = await api.get("/whoami");
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        showShell(false);
        leave = signInPage(main, () => render());
        return;
      }
      showError(e);
      return;
    }
  }
  showShell(true);
  for (const [pattern, page] of routes) {
    const match = pattern.exec(path);
    if (match) {
      markCurrent(path);
      try {
        leave = (await page(main, query, ...match.slice(1).map(decodeURIComponent))) || null;
      } catch (e) {
        showError(e);
      }
      return;
    }
  }
  fill(main, h("h1", {}, "Not found"), h("p", {}, `No page at ${path}; `, h("a", { href: "#/" }, "go to the overview")));
}

function showShell(signedIn) {
  document.getElementById("sign-out").hidden = !signedIn;
  document.querySelector("#nav [data-role=admin]").hidden = !session.can("admin");
  fill(
    document.getElementById("who"),
    signedIn ? `${session.identity.tokenName} (${session.identity.role})` : "",
  );
}

function markCurrent(path) {
  for (const link of document.querySelectorAll("#nav a")) {
    const target = link.getAttribute("href").slice(1);
    const current = target === "/" ? path === "/" : path.startsWith(target);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

document.getElementById("sign-out").addEventListener("click", async () => {
  await signOut();
  session.identity = null;
  go("/");
  render();
});
window.addEventListener("hashchange", render);
render();
