package dev.gantry.cli;

import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.home.GantryHome;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Gantry home and the backend are; shared by every command that needs them. */
public final class BackendOptions {
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

  public GantryHome home() {
    return GantryHome.resolve(home);
  }

  public DatabaseGantryClient open() {
    return GantryClient.open(home(), db);
  }
}
