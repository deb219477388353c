package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.launch.ExitReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-container state machine driven by scripted engine events, output and timers. */
class ContainerSupervisorTest {
  private static final String CONTAINER =
      "c0ffee0000000000000000000000000000000000000000000000000000000001";
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  private static final long MIB = 1024 * 1024;

  private final ScriptedEngine engine = new ScriptedEngine();
  private final ScriptedLogs logs = new ScriptedLogs();
  private final ManualTimers timers = new ManualTimers();
  private final WatchedContainers watched = new WatchedContainers();
  private final List<String> output = new ArrayList<>();
  private final AtomicInteger released = new AtomicInteger();

  /** Settles at once, so a run finishes as soon as its end is known and its output read. */
  private final ContainerSupervisor.Timings timings =
      new ContainerSupervisor.Timings(Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(1));

  private ContainerSupervisor supervisor(Instant outputSince) {
    ContainerRun run =
        new ContainerRun("run-1", 1, CONTAINER, "acme/etl:1", output::add, outputSince);
    ContainerSupervisor supervisor =
        new ContainerSupervisor(
            run, engine, logs, timers, watched, released::incrementAndGet, timings);
    watched.watch(supervisor);
    return supervisor;
  }

  private ContainerSupervisor started() {
    ContainerSupervisor supervisor = supervisor(null);
    supervisor.startFollowing();
    return supervisor;
  }

  private static EngineEvent event(String action, Integer exitCode) {
    return new EngineEvent(CONTAINER, action, exitCode);
  }

  private ExitReport exitOf(ContainerSupervisor supervisor) {
    assertThat(supervisor.run().exit()).isCompleted();
    return supervisor.run().exit().join();
  }

  @Test
  void aContainerThatDiedFinishesOnceItsOutputWasReadToTheEnd() {
    ContainerSupervisor supervisor = started();
    logs.last().line(T0, "hello");
    engine.exited(0, null);

    supervisor.onEvent(event("die", 0));
    timers.runDue();
    assertThat(supervisor.run().exit()).isNotDone();

    logs.last().ended(null);
    assertThat(logs.reads).hasSize(2);
    assertThat(logs.reads.get(1).follow()).isFalse();
    assertThat(logs.reads.get(1).since()).isEqualTo(T0);
    logs.last().line(T0, "hello");
    logs.last().line(T0.plusMillis(1), "bye");
    logs.last().ended(null);

    assertThat(output).containsExactly("hello", "bye");
    assertThat(exitOf(supervisor)).isEqualTo(new ExitReport(0, null));
    assertThat(engine.removed).containsExactly(CONTAINER);
    assertThat(released).hasValue(1);
    assertThat(watched.size()).isZero();
  }

  @Test
  void anOomKillSaysSoWithTheMemoryLimit() {
    ContainerSupervisor supervisor = started();
    engine.exited(137, 256 * MIB);

    supervisor.onEvent(event("oom", null));
    supervisor.onEvent(event("die", 137));
    endOutput();

    ExitReport report = exitOf(supervisor);
    assertThat(report.exitCode()).isEqualTo(137);
    assertThat(report.reason())
        .isEqualTo("OOMKilled: container c0ffee000000 exceeded its memory limit of 256 MiB");
  }

  @Test
  void anOomKillSeenOnlyByInspectionIsReportedToo() {
    ContainerSupervisor supervisor = started();
    engine.state = Optional.of(new ContainerState(false, 137, true, "exited", 0L));

    supervisor.onEvent(event("die", 137));
    endOutput();

    assertThat(exitOf(supervisor).reason())
        .isEqualTo("OOMKilled: container c0ffee000000 exceeded its memory limit");
  }

  @Test
  void aContainerRemovedFromOutsideEndsTheRunWithoutAnExitCode() {
    ContainerSupervisor supervisor = started();

    supervisor.onEvent(event("destroy", null));
    endOutput();

    ExitReport report = exitOf(supervisor);
    assertThat(report.exitCode()).isEqualTo(-1);
    assertThat(report.reason())
        .isEqualTo("container c0ffee000000 of run run-1 was removed from outside the agent");
    assertThat(engine.inspections).isZero();
  }

  @Test
  void outputThatEndsBecauseTheContainerIsGoneEndsTheRun() {
    ContainerSupervisor supervisor = started();

    logs.last()
        .ended(new com.github.dockerjava.api.exception.NotFoundException("No such container"));
    timers.runDue();

    assertThat(exitOf(supervisor).reason()).contains("was removed from outside the agent");
  }

  @Test
  void anEndTheEventsMissedIsFoundByProbing() {
    ContainerSupervisor supervisor = started();
    endOutput();
    assertThat(supervisor.run().exit()).isNotDone();
    assertThat(timers.pendingDelays()).containsExactly(Duration.ofSeconds(1));

    engine.exited(3, null);
    timers.runDue();

    assertThat(exitOf(supervisor)).isEqualTo(new ExitReport(3, null));
  }

  @Test
  void aFailedProbeIsRetriedFiveProbeIntervalsLater() {
    ContainerSupervisor supervisor = started();
    endOutput();
    engine.failing = true;
    timers.runDue();

    assertThat(supervisor.run().exit()).isNotDone();
    assertThat(timers.pendingDelays()).containsExactly(Duration.ofSeconds(5));

    engine.failing = false;
    engine.exited(1, null);
    timers.runDue();
    assertThat(exitOf(supervisor).exitCode()).isEqualTo(1);
  }

  @Test
  void aReconnectedEventStreamMakesTheSupervisorAskTheEngine() {
    ContainerSupervisor supervisor = started();
    engine.exited(0, null);
    logs.last().ended(null);

    supervisor.reconnected();
    logs.last().ended(null);

    assertThat(exitOf(supervisor).exitCode()).isZero();
  }

  @Test
  void aBrokenOutputStreamResumesWithBackoffWithoutRepeatingLines() {
    ContainerSupervisor supervisor = started();
    logs.last().line(T0, "one");
    logs.last().ended(new IOException("connection reset"));
    assertThat(timers.pendingDelays()).containsExactly(Duration.ofSeconds(1));
    timers.runDue();
    logs.last().ended(new IOException("connection reset"));
    assertThat(timers.pendingDelays()).containsExactly(Duration.ofSeconds(2));
    timers.runDue();

    assertThat(logs.reads).hasSize(3);
    assertThat(logs.last().read.follow()).isTrue();
    assertThat(logs.last().read.since()).isEqualTo(T0);
    logs.last().line(T0, "one");
    logs.last().line(T0.plusSeconds(1), "two");
    assertThat(output).containsExactly("one", "two");

    logs.last().ended(null);
    logs.last().ended(new IOException("reset again"));
    assertThat(timers.pendingDelays()).containsExactly(Duration.ofSeconds(1));
    assertThat(supervisor.run().exit()).isNotDone();
  }

  @Test
  void cancellingSendsSigtermThenSigkillAfterTheGraceAndRemovesBeforeCompleting() {
    ContainerSupervisor supervisor = started();
    AtomicBoolean removedWhenCompleted = new AtomicBoolean();
    supervisor
        .run()
        .exit()
        .thenRun(() -> removedWhenCompleted.set(engine.removed.contains(CONTAINER)));

    supervisor.cancel(Duration.ofSeconds(30));
    assertThat(engine.signals).containsExactly("SIGTERM");
    assertThat(timers.pendingDelays()).containsExactly(Duration.ofSeconds(30));
    timers.runDue();
    assertThat(engine.signals).containsExactly("SIGTERM", "SIGKILL");

    engine.exited(137, null);
    supervisor.onEvent(event("die", 137));
    supervisor.onEvent(event("destroy", null));
    endOutput();

    ExitReport report = exitOf(supervisor);
    assertThat(report.reason()).isNull();
    assertThat(removedWhenCompleted).isTrue();
  }

  @Test
  void aContainerThatStopsWithinTheGraceIsNotKilled() {
    ContainerSupervisor supervisor = started();
    supervisor.cancel(Duration.ofSeconds(30));
    supervisor.onEvent(event("die", 143));

    timers.runDue();

    assertThat(engine.signals).containsExactly("SIGTERM");
  }

  @Test
  void anAdoptedExitedContainerDeliversOnlyNewLogLinesAndItsExitCode() {
    ContainerSupervisor supervisor = supervisor(T0);
    engine.exited(1, null);
    supervisor.adopt(new ContainerState(false, 1, false, "exited", null));
    supervisor.startFollowing();

    logs.last().line(T0.minusSeconds(1), "stored already");
    logs.last().line(T0.plusSeconds(1), "new");
    endOutput();

    assertThat(output).containsExactly("new");
    assertThat(exitOf(supervisor)).isEqualTo(new ExitReport(1, null));
  }

  @Test
  void nothingHappensOnceTheLauncherClosed() {
    ContainerSupervisor supervisor = started();
    engine.exited(0, null);
    watched.close();

    logs.last().ended(null);
    supervisor.probe();
    timers.runDue();

    assertThat(logs.reads).hasSize(1);
    assertThat(engine.inspections).isZero();
    assertThat(supervisor.run().exit()).isNotDone();
  }

  /** Ends the followed stream and the read of the rest that follows it. */
  private void endOutput() {
    logs.last().ended(null);
    logs.last().ended(null);
  }

  // ---- scripted collaborators ---------------------------------------------------------------

  private static final class ScriptedEngine implements ContainerEngine {
    volatile Optional<ContainerState> state =
        Optional.of(new ContainerState(true, null, false, "running", null));
    volatile boolean failing;
    final List<String> removed = new ArrayList<>();
    final List<String> signals = new ArrayList<>();
    int inspections;

    void exited(int code, Long memory) {
      state = Optional.of(new ContainerState(false, code, false, "exited", memory));
    }

    @Override
    public Optional<ContainerState> inspect(String containerId) {
      inspections++;
      if (failing) {
        throw new IllegalStateException("engine busy");
      }
      return state;
    }

    @Override
    public void remove(String containerId) {
      removed.add(containerId);
      state = Optional.empty();
    }

    @Override
    public void signal(String containerId, String signal) {
      signals.add(signal);
    }
  }

  private record Read(String containerId, Instant since, boolean follow) {}

  private static final class ScriptedStream implements LogStreams.Stream {
    final Read read;
    final LogStreams.Listener listener;
    boolean closed;

    ScriptedStream(Read read, LogStreams.Listener listener) {
      this.read = read;
      this.listener = listener;
    }

    void line(Instant at, String line) {
      listener.line(at, line);
    }

    void ended(Throwable error) {
      listener.ended(error);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static final class ScriptedLogs implements LogStreams {
    final List<Read> reads = new ArrayList<>();
    final List<ScriptedStream> streams = new ArrayList<>();

    ScriptedStream last() {
      return streams.get(streams.size() - 1);
    }

    @Override
    public Stream read(String containerId, Instant since, boolean follow, Listener listener) {
      Read read = new Read(containerId, since, follow);
      reads.add(read);
      ScriptedStream stream = new ScriptedStream(read, listener);
      streams.add(stream);
      return stream;
    }

    @Override
    public void close() {}
  }

  /** Runs pool tasks at once and timer tasks when the test says so. */
  private static final class ManualTimers implements Timers {
    private final Map<Runnable, Duration> pending = new ConcurrentHashMap<>();
    private final List<Runnable> order = new ArrayList<>();

    @Override
    public void now(Runnable task) {
      task.run();
    }

    @Override
    public void after(Duration delay, Runnable task) {
      pending.put(task, delay);
      order.add(task);
    }

    /** The delays of the timer tasks not run yet, the settle and output-wait checks left out. */
    List<Duration> pendingDelays() {
      return order.stream()
          .map(pending::get)
          .filter(d -> !d.isZero() && !d.equals(Duration.ofHours(1)))
          .toList();
    }

    /** Runs the timer tasks due so far (not those they schedule). */
    void runDue() {
      List<Runnable> due = new ArrayList<>(order);
      order.clear();
      due.forEach(
          task -> {
            pending.remove(task);
            task.run();
          });
    }
  }
}
