package dev.gantry.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.Backend;
import dev.gantry.backend.BackendContractTest;
import dev.gantry.catalog.BundleFormat;
import dev.gantry.catalog.NewFlowVersion;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.NewRun;
import dev.gantry.domain.RunState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on the embedded H2 file database, in a fresh Gantry home. */
class H2BackendTest extends BackendContractTest {

  @TempDir static Path home;

  @Override
  protected Backend openBackend() {
    return JdbcBackend.open(JdbcBackend.embeddedUrl(home));
  }

  @Override
  protected void deleteAllRows() {
    TestDatabases.deleteAllRows(JdbcBackend.embeddedUrl(home), "sa", "");
  }

  /** Two backends in one JVM, as an agent and a CLI command embedded in one process would be. */
  @Test
  void twoBackendsOnOneFileShareItsData() {
    FlowRun run;
    try (Backend cli = openBackend()) {
      RegisteredFlow flow =
          cli.flows()
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
      run = cli.runs().create(new NewRun(flow.id(), Set.of(), Map.of(), T0));

      assertThat(backend.flows().latest("etl")).contains(flow);
      assertThat(claimOne("agent-1", Set.of()).id()).isEqualTo(run.id());
      assertThat(cli.runs().claimDue("agent-2", Set.of(), 10, T0)).isEmpty();
      assertThat(cli.runs().requestCancel(run.id(), "stop")).contains(RunState.Cancelling);
      assertThat(backend.runs().find(run.id()).orElseThrow().state())
          .isEqualTo(RunState.Cancelling);
    }
    assertThat(backend.isReachable()).isTrue();
    assertThat(backend.runs().find(run.id()).orElseThrow().agentId()).isEqualTo("agent-1");
  }
}
