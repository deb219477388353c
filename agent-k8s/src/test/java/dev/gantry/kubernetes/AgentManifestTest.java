package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The agent's RBAC rules grant exactly what the agent does. The printed manifest ({@code gantry
 * agent install kubernetes}) is tested in agent-cli, where the command lives.
 */
class AgentManifestTest {
  /** Every grant the agent needs, as "group/resource:verb". */
  static final Set<String> LEAST_PRIVILEGE =
      Set.of(
          "batch/jobs:create",
          "batch/jobs:delete",
          "batch/jobs:get",
          "batch/jobs:list",
          "batch/jobs:patch",
          "batch/jobs:watch",
          "/pods:list",
          "/pods:watch",
          "/pods/log:get",
          "/events:list",
          "/events:watch",
          "/secrets:create",
          "/secrets:get");

  @Test
  void theRulesGrantExactlyTheLeastPrivilege() {
    assertThat(grants(AgentManifest.rules())).isEqualTo(new TreeSet<>(LEAST_PRIVILEGE));
  }

  static Set<String> grants(List<PolicyRule> rules) {
    Set<String> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    return grants;
  }
}
