package dev.gantry.home;

import java.nio.file.Path;

/**
 * The Gantry home directory ({@code ~/.gantry} unless {@code --home} or GANTRY_HOME say otherwise):
 * the embedded database, local flow storage and the secret key file live there.
 */
public record GantryHome(Path dir) {

  public GantryHome {
    dir = dir.toAbsolutePath().normalize();
  }

  /** The home chosen by the CLI flag, else GANTRY_HOME, else {@code ~/.gantry}. */
  public static GantryHome resolve(Path flag) {
    if (flag != null) {
      return new GantryHome(flag);
    }
    String env = System.getenv("GANTRY_HOME");
    if (env != null && !env.isBlank()) {
      return new GantryHome(Path.of(env));
    }
    return new GantryHome(Path.of(System.getProperty("user.home"), ".gantry"));
  }

  /** The database URL chosen by the CLI flag, else GANTRY_DB_URL, else the embedded H2 file. */
  public String databaseUrl(String flag) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String env = System.getenv("GANTRY_DB_URL");
    if (env != null && !env.isBlank()) {
      return env;
    }
    return dev.gantry.backend.jdbc.JdbcBackend.embeddedUrl(dir);
  }

  /** Default local flow storage. */
  public Path flowsDir() {
    return dir.resolve("flows");
  }
}
