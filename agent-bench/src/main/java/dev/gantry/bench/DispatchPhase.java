package dev.gantry.bench;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.bench.DispatchBenchmark.Phase;
import dev.gantry.bench.DispatchBenchmark.Settings;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import dev.gantry.launch.noop.NoopLauncher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One agent count's dispatch figures: latency (runs created at a steady rate, due at creation; due
 * → the launcher's {@code launch} call), then throughput (a backlog drained by freshly started
 * agents), with duplicates and lost runs counted in both.
 */
final class DispatchPhase {

  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);

  private final Settings settings;
  private final BenchOutput out;
  private final String flowName;

  DispatchPhase(Settings settings, BenchOutput out, String flowName) {
    this.settings = settings;
    this.out = out;
    this.flowName = flowName;
  }

  Phase measure(JdbcBackend producer, String url, RegisteredFlow flow, int count) throws Exception {
    out.say(
        "%d agent(s): %d runs created at %d/s", count, settings.runs(), settings.ratePerSecond());
    Map<String, Instant> due = new ConcurrentHashMap<>();
    List<NoopLauncher.Launch> launches = new ArrayList<>();
    try (AgentGroup group = AgentGroup.start(url, count, settings.maxConcurrent())) {
      long intervalNanos = TimeUnit.SECONDS.toNanos(1) / settings.ratePerSecond();
      long start = System.nanoTime();
      for (int i = 0; i < settings.runs(); i++) {
        long target = start + i * intervalNanos;
        for (long wait = target - System.nanoTime(); wait > 0; wait = target - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        FlowRun run =
            producer.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
        due.put(run.id(), run.scheduledAt());
      }
      group.awaitLaunched(due.keySet(), DRAIN_LIMIT);
      launches.addAll(group.launches());
    }
    List<Long> latencies = new ArrayList<>();
    Map<String, Instant> firstLaunch = new HashMap<>();
    for (NoopLauncher.Launch launch : launches) {
      firstLaunch.merge(launch.runId(), launch.at(), (a, b) -> a.isBefore(b) ? a : b);
    }
    due.forEach(
        (runId, at) -> {
          Instant launched = firstLaunch.get(runId);
          if (launched != null) {
            latencies.add(Math.max(0, Duration.between(at, launched).toMillis()));
          }
        });
    int duplicates = duplicates(launches, due.keySet());
    int lost = lost(producer, due.keySet());

    out.say(
        "%d agent(s): backlog of %d due runs, drained by agents started after",
        count, settings.runs());
    Set<String> backlog = createBacklog(producer, flow, settings.runs());
    List<NoopLauncher.Launch> backlogLaunches;
    long drainStart;
    long drainEnd;
    try (AgentGroup group = AgentGroup.start(url, count, settings.maxConcurrent())) {
      drainStart = System.nanoTime();
      group.awaitLaunched(backlog, DRAIN_LIMIT);
      drainEnd = System.nanoTime();
      backlogLaunches = group.launches();
    }
    duplicates += duplicates(backlogLaunches, backlog);
    lost += lost(producer, backlog);
    double minutes = (drainEnd - drainStart) / 60e9;
    Collections.sort(latencies);
    Phase phase =
        new Phase(
            count,
            settings.runs(),
            settings.ratePerSecond(),
            Percentiles.of(latencies, 50),
            Percentiles.of(latencies, 99),
            latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1),
            backlog.size() / minutes,
            duplicates,
            lost);
    out.say(
        "%d agent(s): due -> launched p50 %d ms, p99 %d ms, max %d ms; backlog %.0f runs/min;"
            + " duplicates %d, lost %d",
        count,
        phase.p50Millis(),
        phase.p99Millis(),
        phase.maxMillis(),
        phase.backlogRunsPerMinute(),
        duplicates,
        lost);
    return phase;
  }

  private static Set<String> createBacklog(JdbcBackend producer, RegisteredFlow flow, int runs)
      throws Exception {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int share = runs / 4 + (t < runs % 4 ? 1 : 0);
        work.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < share; i++) {
                    ids.add(
                        producer
                            .runs()
                            .create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()))
                            .id());
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    return ids;
  }

  private static int duplicates(List<NoopLauncher.Launch> launches, Set<String> runIds) {
    Map<String, Integer> perRun = new HashMap<>();
    for (NoopLauncher.Launch launch : launches) {
      if (runIds.contains(launch.runId())) {
        perRun.merge(launch.runId(), 1, Integer::sum);
      }
    }
    return perRun.values().stream().mapToInt(n -> n - 1).sum();
  }

  /** Runs of the phase that did not end Success (once every run launched, their ends follow). */
  private int lost(JdbcBackend backend, Set<String> runIds) throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    Set<String> succeeded = new HashSet<>();
    while (System.nanoTime() < deadline) {
      succeeded.clear();
      for (FlowRun run :
          backend.runs().list(flowName, Set.of(RunState.Success), Integer.MAX_VALUE)) {
        succeeded.add(run.id());
      }
      if (succeeded.containsAll(runIds)) {
        return 0;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    Set<String> missing = new HashSet<>(runIds);
    missing.removeAll(succeeded);
    return missing.size();
  }
}
