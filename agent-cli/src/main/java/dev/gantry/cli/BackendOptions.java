package dev.gantry.cli;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import dev.gantry.server.client.ApiGantryClient;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where the Gantry home and the backend are, or which {@code gantry server} to talk to instead;
 * shared by every command that needs them.
 */
public final class BackendOptions {
  static final String API_URL_ENV = "GANTRY_API_URL";
  static final String API_TOKEN_ENV = "GANTRY_API_TOKEN";

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "Gantry home (default: GANTRY_HOME or ~/.gantry).")
  Path home;

  @Option(
      names = "--db",
      paramLabel = "JDBC_URL",
      description =
          "Backend database, e.g. jdbc:postgresql://host/db (default: GANTRY_DB_URL or the"
              + " embedded H2 file under the home).")
  String db;

  @Option(
      names = "--api",
      paramLabel = "URL",
      description =
          "User commands talk to this gantry server instead of the database, e.g."
              + " http://127.0.0.1:8420 (default: GANTRY_API_URL; --db talks to the database)."
              + " Agents, the server, tokens and the demo always work on the database: they"
              + " ignore GANTRY_API_URL and refuse --api.")
  String api;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "The API token for the server (default: GANTRY_API_TOKEN, better: an option stays in"
              + " the shell's history).")
  String token;

  /** The command these options belong to, to name it in a refusal; null outside picocli. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** The process environment; tests give their own. */
  Map<String, String> environment = System.getenv();

  public GantryHome home() {
    return GantryHome.resolve(home);
  }

  /**
   * The database, for the commands that always talk to it (agents, the server, tokens). They ignore
   * GANTRY_API_URL, which is meant for user commands, and refuse an explicit --api or --token
   * rather than quietly working on a database the caller did not mean.
   *
   * @throws UserError when --api or --token is given
   */
  public DatabaseGantryClient open() {
    if (api != null || token != null) {
      String name = command == null ? "this command" : command.qualifiedName();
      throw new UserError(
          (api != null ? "--api" : "--token")
              + " does not apply to "
              + name
              + ": it works on the database by design; give --db JDBC_URL (or neither, for the"
              + " embedded database under --home)");
    }
    return GantryClient.open(home(), db);
  }

  /**
   * The application API for user commands: over the server at --api or GANTRY_API_URL with the
   * token, else over the database as {@link #open()}.
   *
   * @throws UserError when --api and --db are both given, or --token without a server
   */
  public GantryClient client() {
    String url = apiUrl();
    if (url == null) {
      if (token != null) {
        throw new UserError("--token goes with a server: give --api URL or set " + API_URL_ENV);
      }
      return open();
    }
    try {
      return ApiGantryClient.connect(url, token != null ? token : environment.get(API_TOKEN_ENV));
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  /** The server's URL, or null to use the database; an explicit --db wins over the variable. */
  String apiUrl() {
    if (api != null) {
      if (db != null) {
        throw new UserError(
            "--api and --db exclude each other: the server reaches its own database; give one");
      }
      return api;
    }
    if (db != null) {
      return null;
    }
    String fromEnv = environment.get(API_URL_ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv;
  }
}
