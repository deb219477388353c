package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.home.GantryHome;
import dev.gantry.registration.FlowRegistrar;
import dev.gantry.registration.Registration;
import dev.gantry.registration.RegistrationException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the Kubernetes launcher installed, registration refuses a flow's job template that is not
 * one Job of known fields, with one line, and stores nothing; a good one is stored as written.
 */
class JobTemplateRegistrationTest {
  @TempDir Path home;
  @TempDir Path dir;

  private static final String FLOW =
      """
      package demo;

      import dev.gantry.flow.Flow;
      import dev.gantry.flow.environment.KubernetesRun;

      public final class Templated {
        public static Flow flow() {
          Flow flow = new Flow("templated");
          flow.task("hello", () -> "hi");
          flow.environment(KubernetesRun.image("repo/etl:1.4").cpuRequest("500m"));
          return flow;
        }
      }
      """;

  @Test
  void aMalformedJobTemplateIsRefusedAtRegistrationWithOneLine() throws Exception {
    Path jar = BundleFixtures.compileJar(dir.resolve("t.jar"), Map.of("demo.Templated", FLOW));
    try (JdbcBackend backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home))) {
      FlowRegistrar registrar = new FlowRegistrar(backend.flows(), new GantryHome(home));
      String notAJob = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n";
      String unknownField =
          "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      nodeSelectr: {}\n";

      assertThatThrownBy(
              () ->
                  registrar.register(
                      Registration.of(jar, "demo.Templated#flow")
                          .withRunConfig(Map.of("job-template", notAJob))))
          .isInstanceOf(RegistrationException.class)
          .hasMessage(
              "flow 'templated': run setting job-template must hold exactly one Job; it holds"
                  + " [Pod]");
      assertThatThrownBy(
              () ->
                  registrar.register(
                      Registration.of(jar, "demo.Templated#flow")
                          .withRunConfig(Map.of("job-template", unknownField))))
          .isInstanceOf(RegistrationException.class)
          .hasMessageContaining("nodeSelectr")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      assertThat(backend.flows().latest("templated")).isEmpty();

      String good = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  labels:\n    team: data\n";
      var registered =
          registrar.register(
              Registration.of(jar, "demo.Templated#flow")
                  .withRunConfig(Map.of("job-template", good)));
      assertThat(registered.runConfig().find("job-template").orElseThrow().value()).isEqualTo(good);
      assertThat(registered.runConfig().find("cpu-request").orElseThrow().describe())
          .isEqualTo("cpu-request=500m (flow)");
    }
  }
}
