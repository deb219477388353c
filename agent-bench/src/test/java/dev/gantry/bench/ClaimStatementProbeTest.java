package dev.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.backend.jdbc.BackendClaimStatement;
import org.junit.jupiter.api.Test;

class ClaimStatementProbeTest {

  @Test
  void measuresTheStatementTheAgentsRun() {
    assertThat(ClaimStatementProbe.CLAIM).isEqualTo(BackendClaimStatement.forAgentWithoutLabels());
  }
}
