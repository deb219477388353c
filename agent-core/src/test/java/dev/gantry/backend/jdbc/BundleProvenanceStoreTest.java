package dev.gantry.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.Backend;
import dev.gantry.backend.BundleStore.BundlePush;
import dev.gantry.backend.BundleStore.RunBundle;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunFence;
import dev.gantry.supervision.Redactor;
import dev.gantry.supervision.RunReporter;
import dev.gantry.testing.PostgresSchema;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pushes and run bundles of migration V11 on H2 and PostgreSQL: pushes listed newest first with
 * their flow version, the bundle of a run attempt stored once, fenced, and written by the agent's
 * {@link RunReporter} from the bootstrap's {@code bundle} line.
 */
class BundleProvenanceStoreTest {
  private static final String DIGEST_1 = "a".repeat(64);
  private static final String DIGEST_2 = "b".repeat(64);

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void pushesAreListedNewestFirstWithTheirVersion(String database) {
    try (Opened opened = open(database)) {
      Backend backend = opened.backend();
      RegisteredFlow v1 = version(backend, "hot");
      RegisteredFlow v2 = version(backend, "hot");

      BundlePush first = backend.bundles().recordPush(v1.id(), DIGEST_1, "alice");
      BundlePush second = backend.bundles().recordPush(v2.id(), DIGEST_2, "ci-token");

      assertThat(first.flowVersion()).isEqualTo(1);
      assertThat(second.flowName()).isEqualTo("hot");
      assertThat(backend.bundles().pushes("hot")).containsExactly(second, first);
      assertThat(backend.bundles().pushes("other")).isEmpty();
      assertThat(backend.bundles().push(v1.id(), DIGEST_1)).contains(first);
      assertThat(backend.bundles().push(v1.id(), DIGEST_2)).isEmpty();
      assertThat(first.pushedAt()).isBeforeOrEqualTo(second.pushedAt());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void theReporterStoresTheBundleOfItsAttemptAndAStaleFenceWritesNothing(String database) {
    try (Opened opened = open(database)) {
      Backend backend = opened.backend();
      RegisteredFlow flow = version(backend, "ran");
      FlowRun created =
          backend.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), Instant.now()));
      FlowRun claimed = backend.runs().claimDue("agent-1", Set.of(), 1, Instant.now()).get(0);
      RunReporter reporter = new RunReporter(backend.runs(), claimed.fence(), Redactor.NONE);

      reporter.line(
          "::gantry:: {\"event\":\"bundle\",\"at\":\"2026-12-03T10:00:00Z\",\"sha256\":\""
              + DIGEST_1
              + "\",\"build\":\"com.acme:etl:jar:1.0-20261203.100000-1\"}");
      reporter.drain();

      RunBundle ran = backend.bundles().runBundle(created.id(), claimed.attempt()).orElseThrow();
      assertThat(ran.digest()).isEqualTo(DIGEST_1);
      assertThat(ran.build()).isEqualTo("com.acme:etl:jar:1.0-20261203.100000-1");
      RunFence stale = new RunFence(created.id(), claimed.attempt(), "agent-2");
      assertThat(backend.bundles().recordRunBundle(stale, DIGEST_2, null)).isFalse();
      assertThat(backend.bundles().runBundle(created.id(), claimed.attempt()))
          .map(RunBundle::digest)
          .contains(DIGEST_1);
      assertThat(backend.runs().logs(created.id(), 0, 100))
          .as("the bundle line is no log record")
          .isEmpty();
    }
  }

  private static RegisteredFlow version(Backend backend, String name) {
    return backend
        .flows()
        .register(
            new NewFlowVersion(
                name,
                BundleFormat.source,
                "file:///flows/" + name + "/source.gantry",
                DIGEST_1,
                "hot.Flows#hot",
                null,
                List.of(),
                Set.of(),
                List.of()));
  }

  private Opened open(String database) {
    if (database.equals("h2")) {
      return new Opened(JdbcBackend.open(JdbcBackend.embeddedUrl(dir)), null);
    }
    PostgresSchema schema = PostgresSchema.create();
    return new Opened(JdbcBackend.open(schema.url()), schema);
  }

  private record Opened(Backend backend, PostgresSchema schema) implements AutoCloseable {
    @Override
    public void close() {
      backend.close();
      if (schema != null) {
        schema.close();
      }
    }
  }
}
