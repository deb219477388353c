package dev.gantry.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.gantry.client.DatabaseGantryClient;
import dev.gantry.client.GantryClient;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.flow.storage.Local;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.Registration;
import dev.gantry.testing.ExamplesJar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The Docker agent benchmark of docs/benchmarks.md, in one run against the local engine:
 *
 * <ol>
 *   <li>(a) start latency: the agent's time from claiming a run to its container running (the
 *       claim's recorded time to the engine's start event), beside {@code docker run -d} of the
 *       same image on the same engine (the command's start to the engine's start event), measured
 *       in turns;
 *   <li>(b) footprint: the agent process's resident memory and thread count while it supervises 100
 *       concurrent sleeping runs, beside the same figures when idle.
 * </ol>
 *
 * <p>The agent is the packaged {@code gantry agent start docker}, as its own process, exactly as
 * users start it; its runs are containers of the Gantry image built from the Dockerfile.
 *
 * <pre>
 * mvn -B -q install -DskipTests -Dspotless.check.skip=true
 * mvn -B -q -pl agent-cli test-compile exec:java@docker-bench
 * </pre>
 *
 * System properties gantry.bench.startRuns (default 20) and gantry.bench.sleepingRuns (default 100)
 * change the sizes.
 */
public final class DockerAgentBenchmark {
  private static final String LABEL = "docker-bench";
  private static final Duration LONG_WAIT = Duration.ofMinutes(10);
  private static final int WARM_UP_RUNS = 3;

  private final int startRuns;
  private final int sleepingRuns;
  private final Path dir;
  private final String image;
  private final StartEvents starts = new StartEvents();
  private DatabaseGantryClient client;
  private Process agent;

  private DockerAgentBenchmark(int startRuns, int sleepingRuns) throws IOException {
    this.startRuns = startRuns;
    this.sleepingRuns = sleepingRuns;
    this.dir = Files.createTempDirectory("gantry-docker-bench-");
    this.image = GantryImage.ensureBuilt();
  }

  public static void main(String[] args) throws Exception {
    DockerAgentBenchmark bench =
        new DockerAgentBenchmark(
            Integer.getInteger("gantry.bench.startRuns", 20),
            Integer.getInteger("gantry.bench.sleepingRuns", 100));
    bench.run();
  }

  private void run() throws Exception {
    say(
        "Docker agent benchmark: image %s, engine %s, %d cores, home %s",
        image,
        TestDocker.client().versionCmd().exec().getVersion(),
        Runtime.getRuntime().availableProcessors(),
        dir);
    starts.subscribe();
    GantryHome home = new GantryHome(dir.resolve("home"));
    try (DatabaseGantryClient registrar = GantryClient.open(home, null)) {
      registrar.register(Registration.of(ExamplesJar.path(), "dev.gantry.examples.Sleepy#sleepy"));
    }
    // The agent opens the embedded database first, so it serves it and this process is the
    // remote client: the agent's own path is measured, not a detour through this JVM.
    agent = startAgent();
    awaitTrue(
        "the agent to start", Duration.ofSeconds(60), () -> agentLog().contains("started with"));
    client = GantryClient.open(home, null);
    try {
      startLatency();
      footprint();
    } finally {
      if (agent != null) {
        agent.destroy();
        agent.waitFor(60, TimeUnit.SECONDS);
        agent.destroyForcibly();
      }
      if (client != null) {
        client.close();
      }
      TestDocker.removeGantryContainers();
      starts.close();
    }
  }

  // ---- (a) ----------------------------------------------------------------------------------

  private void startLatency() throws Exception {
    List<Double> agentMs = new ArrayList<>();
    List<Double> dockerMs = new ArrayList<>();
    List<Double> dockerCliMs = new ArrayList<>();
    // An agent is a long-running process: its first runs warm it up and are not counted. The two
    // are measured in turns, so that whatever else the machine does weighs on both alike.
    for (int i = -WARM_UP_RUNS; i < startRuns; i++) {
      double agentLatency = agentStart();
      if (i >= 0) {
        agentMs.add(agentLatency);
        dockerRun(dockerMs, dockerCliMs);
      }
    }
    double agent = median(agentMs);
    double docker = median(dockerMs);
    say("");
    say(
        "(a) claim to container running: %d runs each, in turns, after %d warm-up runs"
            + " (median, min..max ms)",
        startRuns, WARM_UP_RUNS);
    say("    gantry docker agent : %7.1f  (%s)", agent, range(agentMs));
    say(
        "    docker run -d       : %7.1f  (%s); the command's own wall time %.1f",
        docker, range(dockerMs), median(dockerCliMs));
    say("    ratio agent / docker run -d = %.2f  (goal <= 1.0)", agent / docker);
  }

  /** One run through the agent: milliseconds from its claim to its container's start event. */
  private double agentStart() throws Exception {
    FlowRun run = client.createRun("sleepy", Map.of("seconds", "1"), Set.of(LABEL));
    Instant started = starts.await(run.id());
    Instant claimed =
        client.backend().runs().history(run.id()).stream()
            .filter(c -> c.state() == RunState.Submitted)
            .map(StateChange::at)
            .findFirst()
            .orElseThrow();
    awaitTrue(
        "run " + run.id() + " to end",
        LONG_WAIT,
        () -> client.backend().runs().find(run.id()).orElseThrow().state().isTerminal());
    return millis(claimed, started);
  }

  /** One {@code docker run -d} of the same image and command. */
  private void dockerRun(List<Double> toStart, List<Double> commandTime) throws Exception {
    Instant before = Instant.now();
    long t0 = System.nanoTime();
    Process docker =
        new ProcessBuilder(
                "docker",
                "run",
                "-d",
                "--label",
                "dev.gantry.bench=baseline",
                image,
                "execute",
                "flow-run")
            .redirectErrorStream(true)
            .start();
    String id = new String(docker.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (docker.waitFor() != 0) {
      throw new IllegalStateException("docker run -d failed: " + id);
    }
    commandTime.add((System.nanoTime() - t0) / 1e6);
    toStart.add(millis(before, starts.await(id)));
    TestDocker.client().removeContainerCmd(id).withForce(true).exec();
  }

  // ---- (b) ----------------------------------------------------------------------------------

  private void footprint() throws Exception {
    ProcessStatus idle = ProcessStatus.of(agent.pid());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < sleepingRuns; i++) {
      ids.add(client.createRun("sleepy", Map.of("seconds", "600"), Set.of(LABEL)).id());
    }
    long t0 = System.nanoTime();
    awaitTrue(
        sleepingRuns + " runs to be Running",
        LONG_WAIT,
        () -> ids.stream().allMatch(id -> state(id) == RunState.Running));
    say("");
    say("(b) %d sleeping runs Running after %.0f s", sleepingRuns, (System.nanoTime() - t0) / 1e9);
    ProcessStatus peak = idle;
    for (int i = 0; i < 20; i++) {
      ProcessStatus now = ProcessStatus.of(agent.pid());
      peak =
          new ProcessStatus(Math.max(peak.rssKb, now.rssKb), Math.max(peak.threads, now.threads));
      TimeUnit.MILLISECONDS.sleep(500);
    }
    long containers =
        TestDocker.client()
            .listContainersCmd()
            .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true"))
            .exec()
            .size();
    say("    running containers          : %d", containers);
    say(
        "    agent RSS   idle / supervising: %6.1f MB / %6.1f MB  (goal <= 300 MB)",
        idle.rssKb / 1024.0, peak.rssKb / 1024.0);
    say(
        "    agent threads idle / supervising: %d / %d  (+%d for %d runs; goal: not one per run)",
        idle.threads, peak.threads, peak.threads - idle.threads, sleepingRuns);
    ids.forEach(client::cancel);
    awaitTrue(
        "the sleeping runs to be Cancelled",
        LONG_WAIT,
        () -> ids.stream().allMatch(id -> state(id) == RunState.Cancelled));
    say(
        "    all %d cancelled; containers left: %d",
        sleepingRuns,
        TestDocker.client()
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true"))
            .exec()
            .size());
  }

  // ---- helpers ------------------------------------------------------------------------------

  private Process startAgent() throws IOException {
    Path jar = GantryImage.repoRoot().resolve("agent-cli/target/gantry.jar");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString(),
            "agent",
            "start",
            "docker",
            "--home",
            dir.resolve("home").toString(),
            "--name",
            "bench",
            "-l",
            Local.hostName(),
            "-l",
            LABEL,
            "--max-concurrent",
            Integer.toString(Math.max(sleepingRuns, 4)),
            "--poll-interval",
            "100ms",
            "--cancel-grace",
            "5s",
            // small run JVMs so that 100 of them fit beside the agent on a small machine
            "--env",
            "GANTRY_JAVA_OPTS=-Xmx48m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k");
    say(
        "agent: %s (log %s)",
        String.join(" ", command.subList(1, command.size())), dir.resolve("agent.log"));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("agent.log").toFile())
        .start();
  }

  private String agentLog() {
    try {
      return Files.readString(dir.resolve("agent.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private RunState state(String runId) {
    return client.backend().runs().find(runId).orElseThrow().state();
  }

  private void awaitTrue(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline || !agent.isAlive()) {
        throw new IllegalStateException(
            "gave up waiting for "
                + what
                + (agent.isAlive() ? "" : ": the agent process died")
                + "; see "
                + dir.resolve("agent.log"));
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private static double millis(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e6;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String range(List<Double> values) {
    return String.format(
        Locale.ROOT, "%.1f..%.1f", Collections.min(values), Collections.max(values));
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  /**
   * The engine's start events, read from its event stream: when each container started, by
   * container id and by run id label. Waiting on them puts no load on the engine, which polling
   * would (and on the agent's runs only).
   */
  private static final class StartEvents extends ResultCallback.Adapter<Event> {
    private final Map<String, Instant> started = new ConcurrentHashMap<>();

    void subscribe() throws InterruptedException {
      TestDocker.client()
          .eventsCmd()
          .withEventTypeFilter(EventType.CONTAINER)
          .withEventFilter("start")
          .exec(this)
          .awaitStarted(10, TimeUnit.SECONDS);
    }

    @Override
    public void onNext(Event event) {
      Instant at =
          event.getTimeNano() != null
              ? Instant.EPOCH.plusNanos(event.getTimeNano())
              : Instant.ofEpochSecond(event.getTime());
      started.put(event.getId(), at);
      Map<String, String> attributes =
          event.getActor() == null ? null : event.getActor().getAttributes();
      if (attributes != null && attributes.get(ContainerLabels.RUN_ID) != null) {
        started.put(attributes.get(ContainerLabels.RUN_ID), at);
      }
    }

    Instant await(String key) throws InterruptedException {
      long deadline = System.nanoTime() + LONG_WAIT.toNanos();
      while (!started.containsKey(key)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no start event for " + key);
        }
        TimeUnit.MILLISECONDS.sleep(5);
      }
      return started.get(key);
    }
  }

  /** VmRSS and Threads of a process, from /proc. */
  private record ProcessStatus(long rssKb, int threads) {
    static ProcessStatus of(long pid) throws IOException {
      long rss = 0;
      int threads = 0;
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
        }
      }
      return new ProcessStatus(rss, threads);
    }
  }
}
