package dev.gantry.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 database used from two JVMs at once, as an agent and CLI commands use it: the
 * first process serves the file to the others ({@code AUTO_SERVER=TRUE}).
 */
class H2CrossProcessTest {

  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path home;

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopProcesses() {
    processes.forEach(Process::destroyForcibly);
  }

  @Test
  void twoProcessesClaimingFromOneFileNeverTakeTheSameRun() throws Exception {
    String url = JdbcBackend.embeddedUrl(home);
    // This JVM opens the file first, so it serves it and the child connects over TCP.
    try (JdbcBackend agent = JdbcBackend.open(url)) {
      assertThat(serverAddress())
          .as("the address this JVM serves the file on")
          .matches("(localhost|127\\.0\\.0\\.1):\\d+");
      RegisteredFlow flow = agent.flows().register(moduleFlow("etl"));
      Set<String> runIds = new HashSet<>();
      for (int i = 0; i < 400; i++) {
        runIds.add(
            agent.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), T0.minusMillis(i))).id());
      }
      Child child = start("claim", url, "child-agent", T0.toString());
      child.expect("ready");
      child.send("go");
      List<String> childClaims = new ArrayList<>();
      // Claim here only once the child is claiming, so the two really compete.
      childClaims.add(child.expectPrefix("claimed "));

      List<String> parentClaims = new ArrayList<>();
      List<FlowRun> batch;
      do {
        batch = agent.runs().claimDue("parent-agent", Set.of(), 5, T0);
        batch.forEach(run -> parentClaims.add(run.id()));
      } while (!batch.isEmpty());
      for (String line = child.next(); !line.equals("done"); line = child.next()) {
        childClaims.add(line.substring("claimed ".length()));
      }
      assertThat(child.exitCode()).isZero();

      System.out.printf(
          "H2 across processes: parent claimed %d, child claimed %d%n",
          parentClaims.size(), childClaims.size());
      assertThat(parentClaims).doesNotHaveDuplicates().doesNotContainAnyElementsOf(childClaims);
      assertThat(childClaims).doesNotHaveDuplicates();
      Set<String> claimed = new HashSet<>(parentClaims);
      claimed.addAll(childClaims);
      assertThat(claimed).isEqualTo(runIds);
      Map<String, String> agentByRun =
          agent.runs().list(null, null, 1000).stream()
              .peek(run -> assertThat(run.state()).isEqualTo(RunState.Submitted))
              .peek(run -> assertThat(run.attempt()).isEqualTo(1))
              .collect(Collectors.toMap(FlowRun::id, FlowRun::agentId));
      parentClaims.forEach(id -> assertThat(agentByRun.get(id)).isEqualTo("parent-agent"));
      childClaims.forEach(id -> assertThat(agentByRun.get(id)).isEqualTo("child-agent"));
    }
  }

  @Test
  void theDatabaseOutlivesTheProcessThatOpenedItFirst() throws Exception {
    String url = JdbcBackend.embeddedUrl(home);
    Child owner = start("hold", url, "from-child");
    long flowId = Long.parseLong(owner.expectPrefix("registered "));

    try (JdbcBackend cli = JdbcBackend.open(url)) {
      assertThat(cli.flows().find(flowId)).map(RegisteredFlow::name).contains("from-child");
      FlowRun run = cli.runs().create(new NewRun(flowId, Set.of(), Map.of(), T0));

      owner.send("exit");
      assertThat(owner.exitCode()).isZero();

      // The connections to the owner's server broke with it: H2 reconnects them on their next
      // use, opening the file in this process, without the caller seeing an error.
      assertThat(cli.runs().find(run.id())).isPresent();
      assertThat(cli.runs().claimDue("agent-1", Set.of(), 5, T0))
          .extracting(FlowRun::id)
          .containsExactly(run.id());
      assertThat(cli.isReachable()).isTrue();
    }
  }

  /** The address H2 recorded in the lock file for other processes to connect to. */
  private String serverAddress() throws IOException {
    Properties lock = new Properties();
    try (Reader reader = Files.newBufferedReader(home.resolve("db/gantry.lock.db"))) {
      lock.load(reader);
    }
    return lock.getProperty("server");
  }

  private static NewFlowVersion moduleFlow(String name) {
    return new NewFlowVersion(
        name,
        BundleFormat.module,
        "module:com.acme.Flows#" + name,
        null,
        "com.acme.Flows#" + name,
        null,
        List.of(),
        Set.of(),
        List.of());
  }

  private Child start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BackendProcess.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(process);
    return new Child(process);
  }

  /**
   * A child JVM running {@link BackendProcess}: its protocol lines are queued as they come, and the
   * last lines of its other output are kept to explain a failure.
   */
  private static final class Child {
    private static final int KEPT_OUTPUT_LINES = 40;

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> output = new ConcurrentLinkedDeque<>();

    Child(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("@@ ")) {
                      lines.add(line.substring(3));
                    } else {
                      output.addLast(line);
                      if (output.size() > KEPT_OUTPUT_LINES) {
                        output.pollFirst();
                      }
                    }
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              "child-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    /** The next protocol line; fails at once, with the child's last output, if it died. */
    String next() throws InterruptedException {
      long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          return line;
        }
        if (!process.isAlive() && lines.isEmpty()) {
          process.waitFor();
          throw new AssertionError(
              "the child process exited ("
                  + process.exitValue()
                  + ") without the expected line; its last output:\n"
                  + String.join("\n", output));
        }
      }
      throw new AssertionError(
          "no line from the child process in "
              + PROCESS_TIMEOUT
              + "; its last output:\n"
              + String.join("\n", output));
    }

    void expect(String expected) throws InterruptedException {
      assertThat(next()).isEqualTo(expected);
    }

    String expectPrefix(String prefix) throws InterruptedException {
      String line = next();
      assertThat(line).startsWith(prefix);
      return line.substring(prefix.length());
    }

    void send(String line) throws IOException {
      Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      in.write(line + "\n");
      in.flush();
    }

    int exitCode() throws InterruptedException {
      assertThat(process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .as("the child process ended")
          .isTrue();
      return process.exitValue();
    }
  }
}
