package dev.gantry.server.api;

import static dev.gantry.server.http.ApiRoutes.API;

import dev.gantry.backend.AuditStore;
import dev.gantry.client.GantryClient;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Principal;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.ApiRoute;
import dev.gantry.server.http.ApiRoute.Method;
import dev.gantry.server.http.BearerAuth;
import dev.gantry.server.http.Bodies;
import dev.gantry.server.json.Dtos;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;

/**
 * Who am I, agents, secrets (values write-only), tokens and the audit trail. Secrets, tokens and
 * the audit trail are the admin's; the identity and the agent list anyone's.
 */
public final class AdminResources {
  private static final int MAX_PAGE = 500;

  private final GantryClient gantry;
  private final ApiTokens tokens;
  private final AuditStore audit;

  public AdminResources(GantryClient gantry, ApiTokens tokens, AuditStore audit) {
    this.gantry = gantry;
    this.tokens = tokens;
    this.audit = audit;
  }

  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.read(
            API + "/whoami", Role.VIEWER, "The caller's token name and role", this::whoami),
        ApiRoute.read(API + "/agents", Role.VIEWER, "Every agent that has started", this::agents),
        ApiRoute.read(API + "/secrets", Role.ADMIN, "Secret names and update times", this::secrets),
        ApiRoute.change(
            Method.PUT,
            API + "/secrets/{name}",
            Role.ADMIN,
            "secret.set",
            "Create or replace a secret (the value is never returned)",
            this::setSecret),
        ApiRoute.change(
            Method.DELETE,
            API + "/secrets/{name}",
            Role.ADMIN,
            "secret.delete",
            "Delete a secret",
            this::deleteSecret),
        ApiRoute.read(API + "/tokens", Role.ADMIN, "API tokens (never their values)", this::tokens),
        ApiRoute.change(
            Method.POST,
            API + "/tokens",
            Role.ADMIN,
            "token.create",
            "Create a token; the answer shows its value once",
            this::createToken),
        ApiRoute.change(
            Method.DELETE,
            API + "/tokens/{name}",
            Role.ADMIN,
            "token.revoke",
            "Revoke a token",
            this::revokeToken),
        ApiRoute.read(API + "/audit", Role.ADMIN, "The audit trail, newest first", this::audit));
  }

  private void whoami(Context ctx) {
    Principal who = BearerAuth.principal(ctx);
    ctx.json(new Dtos.Identity(who.tokenName(), who.role().key()));
  }

  private void agents(Context ctx) {
    ctx.json(gantry.agents().stream().map(Dtos.AgentView::of).toList());
  }

  private void secrets(Context ctx) {
    ctx.json(gantry.secrets().stream().map(Dtos.SecretView::of).toList());
  }

  private void setSecret(Context ctx) {
    Dtos.SecretValue body = Bodies.read(ctx, Dtos.SecretValue.class);
    if (body.value() == null) {
      throw ApiException.badRequest("field 'value' of the request body is missing");
    }
    gantry.setSecret(ctx.pathParam("name"), body.value());
    ctx.status(204);
  }

  private void deleteSecret(Context ctx) {
    gantry.deleteSecret(ctx.pathParam("name"));
    ctx.status(204);
  }

  private void tokens(Context ctx) {
    ctx.json(tokens.list().stream().map(Dtos.TokenView::of).toList());
  }

  private void createToken(Context ctx) {
    Dtos.NewToken body = Bodies.read(ctx, Dtos.NewToken.class);
    if (body.role() == null) {
      throw ApiException.badRequest("field 'role' of the request body is missing");
    }
    Duration expiresIn =
        body.expiresInSeconds() == null ? null : Duration.ofSeconds(body.expiresInSeconds());
    ApiTokens.Issued issued = tokens.create(body.name(), Role.parse(body.role()), expiresIn);
    ctx.status(201).json(new Dtos.CreatedToken(issued.value(), Dtos.TokenView.of(issued.token())));
  }

  private void revokeToken(Context ctx) {
    try {
      tokens.revoke(ctx.pathParam("name"));
    } catch (ApiTokens.UnknownTokenException e) {
      throw ApiException.notFound(e.getMessage());
    }
    ctx.status(204);
  }

  private void audit(Context ctx) {
    long before = Queries.longParam(ctx, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE);
    int limit = (int) Queries.longParam(ctx, "limit", 100, 1, MAX_PAGE);
    List<Dtos.AuditEntry> items =
        audit.list(before, limit).stream().map(Dtos.AuditEntry::of).toList();
    String next = items.size() == limit ? String.valueOf(items.get(items.size() - 1).id()) : null;
    ctx.json(new Dtos.Page<>(items, next));
  }
}
