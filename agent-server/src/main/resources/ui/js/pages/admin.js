import { api } from "../api.js";
import { ago, fill, h, table, time } from "../dom.js";
import { session, showError } from "../app.js";

/** Secrets (names only; values are write-only), tokens and the audit trail: admins only. */
export async function adminPage(main) {
  if (!session.can("admin")) {
    fill(main, h("h1", {}, "Admin"), h("p", {}, "This page needs a token with the admin role."));
    return null;
  }
  const draw = async () => {
    const [secrets, tokens, audit] = await Promise.all([api.get("/secrets"), api.get("/tokens"), api.get("/audit", { limit: 50 })]);
    fill(
      main,
      h("h1", {}, "Admin"),
      h("h2", {}, "Secrets"),
      table(
        "Secrets",
        ["Name", "Updated", ""],
        secrets.map((secret) => [
          secret.name,
          ago(secret.updatedAt),
          h("button", { type: "button", class: "danger", "aria-label": `delete secret ${secret.name}`, onclick: () => remove(secret.name) }, "Delete"),
        ]),
      ),
      secretForm(),
      h("h2", {}, "Tokens"),
      table("Tokens", ["Name", "Role", "Created", "Expires", "Last used", "Revoked"], tokens.map((t) => [t.name, t.role, time(t.createdAt), time(t.expiresAt), time(t.lastUsedAt), time(t.revokedAt)])),
      h("h2", {}, "Audit trail"),
      table("Audit trail", ["At", "Token", "Role", "Action", "Target", "Outcome", "Address"], audit.items.map((e) => [time(e.at), e.tokenName, e.role, e.action, e.target, e.outcome, e.clientAddress])),
    );
  };
  const remove = async (name) => {
    try {
      await api.del(`/secrets/${encodeURIComponent(name)}`);
      await draw();
    } catch (e) {
      showError(e);
    }
  };
  const secretForm = () => {
    const name = h("input", { id: "secret-name", name: "name", required: true, autocomplete: "off" });
    const value = h("input", { id: "secret-value", name: "value", type: "password", required: true, autocomplete: "new-password" });
    return h(
      "form",
      {
        class: "filters",
        "aria-label": "Set a secret",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            await api.put(`/secrets/${encodeURIComponent(name.value)}`, { value: value.value });
            value.value = ""; // never kept on the page after entry
            await draw();
          } catch (e) {
            showError(e);
          }
        },
      },
      h("label", { for: "secret-name" }, "Secret name", name),
      h("label", { for: "secret-value" }, "Value", value),
      h("button", { type: "submit" }, "Set secret"),
    );
  };
  await draw();
  return null;
}
