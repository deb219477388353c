package dev.gantry.cli;

import dev.gantry.backend.ApiTokenStore.ApiToken;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gantry token ...}: the server's API tokens, managed straight in the database — the way to
 * the first admin token, before any token exists to call the API with.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Create, list and revoke the tokens that `gantry server` accepts (Authorization: Bearer).",
      "Roles, each including the ones before it: viewer (reads all but secret values), operator"
          + " (creates and cancels runs, pauses schedules), deployer (registers flows), admin"
          + " (secrets, tokens, agents)."
    },
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
public final class TokenCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a token and print it once; only its SHA-256 is stored.")
  static final class Create implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The token's name, e.g. ci.")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "viewer, operator, deployer or admin.")
    String role;

    @Option(
        names = "--expires",
        paramLabel = "DURATION",
        converter = ExpiryConverter.class,
        description = "Lifetime, e.g. 90d, 12h (default: no expiry).")
    Duration expires;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (DatabaseGantryClient gantry = backend.open()) {
        ApiTokens.Issued issued;
        try {
          issued =
              new ApiTokens(gantry.backend().tokens(), Clock.systemUTC())
                  .create(name, Role.parse(role), expires);
        } catch (IllegalArgumentException e) {
          throw new UserError(e.getMessage());
        }
        out.println(issued.value());
        out.flush();
        spec.commandLine()
            .getErr()
            .printf(
                "Token %s (%s%s) created; it is shown only this once%n",
                name,
                issued.token().role(),
                issued.token().expiresAt() == null
                    ? ", no expiry"
                    : ", expires " + Render.time(issued.token().expiresAt()));
        spec.commandLine().getErr().flush();
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List tokens: names, roles, created, last used, expiry; never values.")
  static final class ListTokens implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (DatabaseGantryClient gantry = backend.open()) {
        Table table = new Table("NAME", "ROLE", "CREATED", "LAST USED", "EXPIRES", "STATUS");
        Instant now = Instant.now();
        for (ApiToken token : new ApiTokens(gantry.backend().tokens(), Clock.systemUTC()).list()) {
          table.row(
              token.name(),
              token.role(),
              Render.time(token.createdAt()),
              token.lastUsedAt() == null ? "never" : Render.time(token.lastUsedAt()),
              token.expiresAt() == null ? "never" : Render.time(token.expiresAt()),
              status(token, now));
        }
        if (table.isEmpty()) {
          out.println("No tokens. Create one with `gantry token create NAME --role admin`.");
        } else {
          table.print(out);
        }
        out.flush();
      }
      return 0;
    }

    private static String status(ApiToken token, Instant now) {
      if (token.revokedAt() != null) {
        return "revoked";
      }
      return token.expiresAt() != null && !now.isBefore(token.expiresAt()) ? "expired" : "active";
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token.")
  static final class Revoke implements Callable<Integer> {
    @Mixin BackendOptions backend;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The token's name.")
    String name;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (DatabaseGantryClient gantry = backend.open()) {
        try {
          new ApiTokens(gantry.backend().tokens(), Clock.systemUTC()).revoke(name);
        } catch (IllegalArgumentException e) {
          throw new UserError(e.getMessage());
        }
        out.printf("Token %s revoked; the server refuses it from now on%n", name);
        out.flush();
      }
      return 0;
    }
  }

  /** Durations with days as well: {@code 90d}, else as {@link DurationConverter}. */
  static final class ExpiryConverter implements ITypeConverter<Duration> {
    private static final Pattern DAYS = Pattern.compile("(\\d+)\\s*d");

    @Override
    public Duration convert(String value) {
      Matcher m = DAYS.matcher(value.trim());
      if (m.matches()) {
        return Duration.ofDays(Long.parseLong(m.group(1)));
      }
      return new DurationConverter().convert(value);
    }
  }
}
