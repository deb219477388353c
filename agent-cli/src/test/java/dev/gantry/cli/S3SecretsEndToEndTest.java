package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.domain.AgentInfo;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.flow.storage.S3;
import dev.gantry.home.GantryHome;
import dev.gantry.protocol.FlatJson;
import dev.gantry.supervision.Redactor;
import dev.gantry.testing.ExamplesJar;
import dev.gantry.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The story end to end, as an operator types it: {@code gantry secret set AWS_CREDENTIALS}, flows
 * registered to S3, {@code gantry agent start local -l s3-flow-storage} (a real agent process) runs
 * them while an agent labelled only {@code other} leaves them alone. Then every table, log record,
 * command output and agent log is searched for the secrets' values: none may appear, and the mask
 * must stand where a flow printed one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3SecretsEndToEndTest {
  private static final Pattern RUN_ID = Pattern.compile("Created run ([0-9a-f-]{36})");
  private static final String BUCKET = "gantry-flows";
  private static final Duration RUN_TIME = Duration.ofSeconds(120);

  @TempDir static Path dir;
  private S3ProxyServer server;
  private Path home;
  private String database;
  private DatabaseGantryClient gantry;
  private final Map<String, Process> agents = new LinkedHashMap<>();
  private final List<String> outputs = new ArrayList<>();

  /** An API token with characters JSON escapes, so escaping cannot hide it from the redactor. */
  private final String apiToken = "tok\"en\\" + UUID.randomUUID();

  @BeforeAll
  void start() {
    server = S3ProxyServer.start(dir.resolve("s3"));
    server.createBucket(BUCKET);
    home = dir.resolve("home");
    database = JdbcBackend.embeddedUrl(home);
    gantry = GantryClient.open(new GantryHome(home), database);
  }

  @AfterAll
  void stop() throws InterruptedException {
    for (Process agent : agents.values()) {
      agent.destroy();
    }
    for (Process agent : agents.values()) {
      if (!agent.waitFor(60, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
    if (gantry != null) {
      gantry.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void secretsReachTheRunsOfTheLabelledAgentAndNeverItsRecords() throws Exception {
    Path credentialsFile = Files.writeString(dir.resolve("aws.json"), server.credentialsJson());
    Path tokenFile = Files.writeString(dir.resolve("token.txt"), apiToken);
    expectSuccess(
        gantry("secret", "set", "AWS_CREDENTIALS", "--from-file", credentialsFile.toString()));
    expectSuccess(gantry("secret", "set", "API_TOKEN", "--from-file", tokenFile.toString()));
    Path tokenJar = BundleFixtures.compileJar(dir.resolve("token-flows.jar"), tokenFlow());

    expectSuccess(registerToS3(ExamplesJar.path(), "dev.gantry.examples.Printer#echoEnv"));
    expectSuccess(registerToS3(tokenJar, "leak.Flows#tokenReport"));
    startAgent("s3-agent", S3.DEFAULT_LABEL);
    startAgent("other-agent", "other");
    await().atMost(RUN_TIME).until(() -> liveAgents().size() == 2);

    String echo =
        runId(
            expectSuccess(
                gantry("flow", "run", "echo-env", "-p", "variable=GANTRY_SECRET_AWS_CREDENTIALS")));
    String report = runId(expectSuccess(gantry("flow", "run", "token-report")));
    FlowRun echoed = awaitEnd(echo);
    FlowRun reported = awaitEnd(report);

    String s3Agent = liveAgents().get("s3-agent").id();
    assertThat(echoed.state()).as(echoed.message()).isEqualTo(RunState.Success);
    assertThat(reported.state()).isEqualTo(RunState.Failed);
    assertThat(List.of(echoed, reported))
        .allSatisfy(
            run -> {
              assertThat(run.agentId()).as("taken by the labelled agent").isEqualTo(s3Agent);
              assertThat(run.attempt()).as("claimed once").isEqualTo(1);
            });
    assertThat(reported.message()).contains("rejected token " + Redactor.MASK);

    CliResult echoLogs = expectSuccess(gantry("run", "logs", echo));
    CliResult reportLogs = expectSuccess(gantry("run", "logs", report));
    assertThat(echoLogs.out()).contains("GANTRY_SECRET_AWS_CREDENTIALS=" + Redactor.MASK);
    assertThat(reportLogs.out())
        .contains("token is " + Redactor.MASK)
        .contains("logged token " + Redactor.MASK);
    expectSuccess(gantry("run", "show", echo));
    expectSuccess(gantry("run", "show", report));
    expectSuccess(gantry("run", "list"));
    expectSuccess(gantry("flow", "list"));
    expectSuccess(gantry("secret", "list"));
    CliResult agentList = expectSuccess(gantry("agent", "list"));
    assertThat(agentList.out()).contains("s3-agent").contains("other-agent");

    stopAgents();
    String otherAgentLog = Files.readString(dir.resolve("other-agent.log"));
    assertThat(otherAgentLog).contains("started with labels [other]").doesNotContain("launched");
    assertThat(Files.readString(dir.resolve("s3-agent.log")))
        .contains("run " + echo + " of flow echo-env launched");

    List<String> forbidden = secretForms();
    List<String> tables = new ArrayList<>();
    List<String> cells = databaseAsText(tables);
    assertThat(tables)
        .contains("secrets", "flows", "flow_runs", "run_logs", "run_states", "task_runs", "agents");
    assertThat(cells).anySatisfy(cell -> assertThat(cell).contains(Redactor.MASK));
    for (String value : forbidden) {
      assertThat(cells).as("database cells").noneMatch(cell -> cell.contains(value));
      assertThat(outputs).as("command outputs").noneMatch(out -> out.contains(value));
      for (String agent : agents.keySet()) {
        assertThat(Files.readString(dir.resolve(agent + ".log")))
            .as(agent + " log")
            .doesNotContain(value);
      }
    }
  }

  /** The values, their JSON-escaped forms and the parts of AWS_CREDENTIALS. */
  private List<String> secretForms() {
    List<String> values =
        List.of(server.credentialsJson(), server.accessKey(), server.secretKey(), apiToken);
    List<String> forms = new ArrayList<>(values);
    for (String value : values) {
      String encoded = FlatJson.encode(Map.of("v", value));
      forms.add(encoded.substring(6, encoded.length() - 2));
    }
    forms.add(apiToken.substring(apiToken.indexOf('\\') + 1)); // the random part alone
    return forms;
  }

  /** Every column of every row of every table, as text, found through the database's metadata. */
  private List<String> databaseAsText(List<String> tableNames) throws SQLException {
    List<String> cells = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(database, "sa", "")) {
      DatabaseMetaData meta = c.getMetaData();
      List<String[]> tables = new ArrayList<>();
      try (ResultSet rows = meta.getTables(null, null, "%", new String[] {"TABLE", "BASE TABLE"})) {
        while (rows.next()) {
          String schema = rows.getString("TABLE_SCHEM");
          if (!"INFORMATION_SCHEMA".equalsIgnoreCase(schema)) {
            tables.add(new String[] {schema, rows.getString("TABLE_NAME")});
          }
        }
      }
      for (String[] table : tables) {
        tableNames.add(table[1].toLowerCase());
        try (Statement s = c.createStatement();
            ResultSet rows =
                s.executeQuery("SELECT * FROM \"" + table[0] + "\".\"" + table[1] + "\"")) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
              String cell = rows.getString(i);
              if (cell != null) {
                cells.add(cell);
              }
            }
          }
        }
      }
    }
    return cells;
  }

  private CliResult registerToS3(Path jar, String factory) {
    return gantry(
        "flow",
        "register",
        "--jar",
        jar.toString(),
        "--factory",
        factory,
        "--storage",
        "s3://" + BUCKET + "/e2e",
        "--s3-endpoint",
        server.endpoint(),
        "--s3-credentials-secret",
        "AWS_CREDENTIALS");
  }

  /** {@code gantry agent start local -l LABEL} as a process of its own, logging to a file. */
  private void startAgent(String name, String label) throws IOException {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            Gantry.class.getName(),
            "agent",
            "start",
            "local",
            "-l",
            label,
            "--name",
            name,
            "--poll-interval",
            "100ms",
            "--heartbeat-interval",
            "500ms",
            "--orphan-timeout",
            "5s",
            "--grace-period",
            "10s",
            "--java-opt=-Xmx96m",
            "--java-opt=-XX:TieredStopAtLevel=1",
            "--home",
            home.toString(),
            "--db",
            database);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start();
    agents.put(name, process);
  }

  private void stopAgents() throws InterruptedException {
    for (Process agent : agents.values()) {
      agent.destroy(); // SIGTERM: the agent stops gracefully
    }
    for (Map.Entry<String, Process> agent : agents.entrySet()) {
      assertThat(agent.getValue().waitFor(60, TimeUnit.SECONDS))
          .as(agent.getKey() + " stopped")
          .isTrue();
    }
  }

  private Map<String, AgentInfo> liveAgents() {
    Map<String, AgentInfo> live = new LinkedHashMap<>();
    for (AgentInfo agent : gantry.backend().agents().list()) {
      if (agent.stoppedAt() == null) {
        live.put(agent.name(), agent);
      }
    }
    return live;
  }

  private FlowRun awaitEnd(String runId) {
    await()
        .atMost(RUN_TIME)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> gantry.run(runId).state().isTerminal());
    return gantry.run(runId);
  }

  private CliResult gantry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home=" + home);
    all.add("--db=" + database);
    CliResult result = CliResult.run(all.toArray(String[]::new));
    outputs.add(result.out());
    outputs.add(result.err());
    return result;
  }

  private static CliResult expectSuccess(CliResult result) {
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    return result;
  }

  private static String runId(CliResult result) {
    Matcher m = RUN_ID.matcher(result.out());
    assertThat(m.find()).as(result.out()).isTrue();
    return m.group(1);
  }

  /** {@code leak.Flows#tokenReport}: prints, logs and finally fails with its API_TOKEN. */
  private static Map<String, String> tokenFlow() {
    return Map.of(
        "leak.Flows",
        """
        package leak;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.Secrets;
        import org.slf4j.LoggerFactory;

        public final class Flows {
          public static Flow tokenReport() {
            Flow flow = new Flow("token-report").secrets("API_TOKEN");
            var report = flow.task("report", () -> {
              String token = Secrets.get("API_TOKEN");
              System.out.println("token is " + token);
              LoggerFactory.getLogger("leak").info("logged token {}", token);
              return token.length();
            });
            flow.task("check", report, length -> {
              throw new IllegalStateException("rejected token " + Secrets.get("API_TOKEN"));
            });
            return flow;
          }
        }
        """);
  }
}
