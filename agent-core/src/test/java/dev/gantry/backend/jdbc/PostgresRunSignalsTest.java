package dev.gantry.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.backend.RunSignal;
import dev.gantry.backend.RunSignalSubscription;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.testing.PostgresSchema;
import dev.gantry.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LISTEN/NOTIFY wake-ups on PostgreSQL, and the listening connection surviving its loss. */
class PostgresRunSignalsTest {
  private static final Duration SOON = Duration.ofSeconds(5);

  private PostgresSchema schema;
  private JdbcBackend backend;
  private RegisteredFlow flow;
  private final List<RunSignal> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    schema = PostgresSchema.create();
    backend = JdbcBackend.open(schema.url());
    flow =
        backend
            .flows()
            .register(
                new NewFlowVersion(
                    "etl",
                    BundleFormat.module,
                    "module:com.acme.Flows#etl",
                    null,
                    "com.acme.Flows#etl",
                    null,
                    List.of(),
                    Set.of(),
                    List.of()));
  }

  @AfterEach
  void close() {
    backend.close();
    schema.close();
  }

  @Test
  void creatingReschedulingAndCancellingRunsWakeSubscribers() {
    try (RunSignalSubscription subscription = backend.subscribe("test", received::add)) {
      await().atMost(SOON).until(subscription::isListening);
      // Each (re)connect announces both, since signals sent meanwhile are gone.
      await()
          .atMost(SOON)
          .until(() -> received.containsAll(List.of(RunSignal.DUE, RunSignal.CANCEL)));
      received.clear();

      FlowRun run = backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
      await().atMost(SOON).until(() -> received.contains(RunSignal.DUE));
      received.clear();

      FlowRun claimed = backend.runs().claimDue("agent-1", Set.of(), 1, Instant.now()).get(0);
      backend.runs().transition(claimed.fence(), dev.gantry.domain.RunState.Scheduled, "retry");
      await().atMost(SOON).until(() -> received.contains(RunSignal.DUE));
      received.clear();

      backend.runs().claimDue("agent-1", Set.of(), 1, Instant.now());
      backend.runs().requestCancel(run.id(), "stop");
      await().atMost(SOON).until(() -> received.contains(RunSignal.CANCEL));
    }
  }

  @Test
  void nothingIsSignalledForARolledBackCreation() {
    try (RunSignalSubscription subscription = backend.subscribe("test", received::add)) {
      await().atMost(SOON).until(() -> received.size() >= 2);
      received.clear();

      try {
        backend.runs().create(new NewRun(4242, Set.of(), Map.of(), Instant.now()));
      } catch (IllegalArgumentException expected) {
        // no flow 4242: the transaction rolled back before anything was sent
      }
      backend.runs().requestCancel("00000000-0000-0000-0000-000000000000", "nobody");
      backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));

      await().atMost(SOON).until(() -> !received.isEmpty());
      assertThat(received).containsOnly(RunSignal.DUE);
    }
  }

  @Test
  void aLostListeningConnectionIsReestablishedAndSignalsFlowAgain() throws Exception {
    try (TcpProxy proxy = TcpProxy.toServerOf(schema.url());
        JdbcBackend viaProxy = JdbcBackend.open(proxy.route(schema.url()));
        RunSignalSubscription subscription = viaProxy.subscribe("test", received::add)) {
      await().atMost(SOON).until(subscription::isListening);

      proxy.cut();
      await().atMost(SOON).until(() -> !subscription.isListening());
      received.clear();
      backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
      proxy.restore();

      await().atMost(Duration.ofSeconds(20)).until(subscription::isListening);
      // The signal sent while cut off is lost; the reconnect announces DUE in its place.
      await().atMost(SOON).until(() -> received.contains(RunSignal.DUE));
      received.clear();
      backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
      await().atMost(SOON).until(() -> received.contains(RunSignal.DUE));
    }
  }
}
