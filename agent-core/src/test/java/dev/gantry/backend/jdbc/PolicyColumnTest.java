package dev.gantry.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.BackendException;
import dev.gantry.launch.LaunchPolicy;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The agents.policy column reads what agents of other versions wrote, and says when it cannot. */
class PolicyColumnTest {

  @Test
  void aPolicyRoundTripsAndEqualPoliciesGiveEqualText() {
    LaunchPolicy policy =
        new LaunchPolicy(
            List.of("a/"), 512L << 20, 250L, Set.of("z", "b", "m"), false, false, true, true);

    String json = PolicyColumn.write(policy);

    assertThat(PolicyColumn.read(json, "agent a1")).isEqualTo(policy);
    assertThat(json).contains("\"allowedServiceAccounts\":[\"b\",\"m\",\"z\"]");
    assertThat(PolicyColumn.write(null)).isNull();
    assertThat(PolicyColumn.read(null, "agent a1")).isNull();
  }

  @Test
  void missingListsReadAsEmptyAndUnknownFieldsAreIgnored() {
    LaunchPolicy read =
        PolicyColumn.read("{\"maxMemoryBytes\": 1024, \"allowGpus\": true}", "agent a1");

    assertThat(read)
        .isEqualTo(new LaunchPolicy(List.of(), 1024L, null, Set.of(), false, false, false, false));
  }

  @Test
  void anUnreadablePolicyNamesTheAgent() {
    assertThatThrownBy(() -> PolicyColumn.read("{not json", "agent a1"))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("cannot read the policy of agent a1: ");
  }
}
