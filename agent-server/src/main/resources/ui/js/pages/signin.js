import { signIn } from "../api.js";
import { fill, h } from "../dom.js";
import { session, showError } from "../app.js";

/** The sign-in form: an API token from `gantry token create`, exchanged for a session cookie. */
export function signInPage(main, done) {
  const input = h("input", {
    id: "token",
    type: "password",
    name: "token",
    autocomplete: "off",
    required: true,
  });
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          session.identity = await signIn(input.value);
          input.value = "";
          done();
        } catch (e) {
          showError(e);
        }
      },
    },
    h("h1", {}, "Sign in to Gantry"),
    h("label", { for: "token" }, "API token", input),
    h("p", { class: "muted" }, "Create one with ", h("code", {}, "gantry token create NAME --role viewer"), "."),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  fill(main, form);
  input.focus();
  return null;
}
