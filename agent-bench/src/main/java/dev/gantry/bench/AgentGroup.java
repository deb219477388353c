package dev.gantry.bench;

import dev.gantry.agent.Agent;
import dev.gantry.agent.AgentOptions;
import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.launch.noop.NoopLauncher;
import dev.gantry.supervision.SecretSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Agents in this process, each with its own backend (pool) and no-op launcher. */
final class AgentGroup implements AutoCloseable {
  private final List<JdbcBackend> backends = new ArrayList<>();
  private final List<NoopLauncher> launchers = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();

  private AgentGroup() {}

  static AgentGroup start(String url, int count, int maxConcurrent) {
    AgentGroup group = new AgentGroup();
    for (int i = 0; i < count; i++) {
      JdbcBackend backend = JdbcBackend.open(url);
      NoopLauncher launcher = new NoopLauncher(Duration.ZERO, 8);
      Agent agent =
          new Agent(
              backend,
              launcher,
              AgentOptions.defaults("bench-" + (i + 1), Set.of()).withMaxConcurrent(maxConcurrent),
              SecretSource.NONE);
      group.backends.add(backend);
      group.launchers.add(launcher);
      group.agents.add(agent);
    }
    group.agents.forEach(Agent::start);
    return group;
  }

  void awaitLaunched(Set<String> runIds, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      Set<String> launched = new HashSet<>();
      launches().forEach(l -> launched.add(l.runId()));
      if (launched.containsAll(runIds)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  List<NoopLauncher.Launch> launches() {
    List<NoopLauncher.Launch> all = new ArrayList<>();
    launchers.forEach(l -> all.addAll(l.launches()));
    return all;
  }

  @Override
  public void close() {
    agents.forEach(Agent::stop);
    launchers.forEach(NoopLauncher::close);
    backends.forEach(JdbcBackend::close);
  }
}
