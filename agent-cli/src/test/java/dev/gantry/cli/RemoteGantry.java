package dev.gantry.cli;

import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.PostgresSchema;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * One backend (the embedded H2 file under a home, or a PostgreSQL schema of its own) with a real
 * {@code gantry server} over it on 127.0.0.1 and a free port, and the gantry command run against
 * either: {@link #db} talks to the database, {@link #api} to the server with a token. Every output
 * is kept, so a test can check that no token value was ever printed.
 */
final class RemoteGantry implements AutoCloseable {
  final Path home;
  final LocalGantry local;
  final GantryServer server;
  final ApiTokens tokens;
  private final PostgresSchema schema;
  private final List<String> printed = new ArrayList<>();

  private RemoteGantry(Path home, PostgresSchema schema) {
    this.home = home;
    this.schema = schema;
    this.local = schema == null ? new LocalGantry(home) : new LocalGantry(home, schema.url());
    this.server =
        GantryServer.start(
            local.client,
            new GantryServer.Settings(
                "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
    this.tokens = new ApiTokens(local.client.backend().tokens(), Clock.systemUTC());
  }

  /** {@code database} is {@code h2} or {@code postgres}. */
  static RemoteGantry start(Path home, String database) {
    return new RemoteGantry(home, database.equals("postgres") ? PostgresSchema.create() : null);
  }

  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  String token(String name, Role role) {
    return tokens.create(name, role, null).value();
  }

  /** The command against the database. */
  CliResult db(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    if (schema != null) {
      all.add("--db=" + schema.url());
    }
    return keep(CliResult.run(all.toArray(String[]::new)));
  }

  /** The command against the server, with a token. */
  CliResult api(String token, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--api=" + url());
    if (token != null) {
      all.add("--token=" + token);
    }
    return keep(CliResult.run(all.toArray(String[]::new)));
  }

  private CliResult keep(CliResult result) {
    synchronized (printed) {
      printed.add(result.out());
      printed.add(result.err());
    }
    return result;
  }

  /** Everything any command printed so far. */
  String allPrinted() {
    synchronized (printed) {
      return String.join("\n", printed);
    }
  }

  @Override
  public void close() {
    server.close();
    local.close();
    if (schema != null) {
      schema.close();
    }
  }
}
