package dev.gantry.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.backend.jdbc.JdbcBackend;
import dev.gantry.bundle.BundleFixtures;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.catalog.RunSettingSource;
import dev.gantry.catalog.RunSettingValue;
import dev.gantry.home.GantryHome;
import dev.gantry.testing.PostgresSchema;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A flow's run settings are stored with its version on H2 and PostgreSQL, each with its source;
 * registration options override the flow's, and malformed values are refused with one line each.
 */
class RunConfigRegistrationTest {
  @TempDir Path home;
  @TempDir Path dir;

  static final String SOURCE =
      """
      package demo;

      import dev.gantry.flow.Flow;
      import dev.gantry.flow.environment.DockerRun;
      import java.time.Duration;

      public final class Configured {
        public static Flow flow() {
          Flow flow = new Flow("configured");
          flow.task("hello", () -> "hi");
          flow.environment(
              DockerRun.image("repo/etl:1.4").env("MODE", "full").memory("2g").cpus(1.5)
                  .runTimeout(Duration.ofMinutes(30)));
          return flow;
        }
      }
      """;

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("h2"), Arguments.of("postgresql"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theFlowsSettingsAreStoredWithTheirSourcesAndRegistrationOptionsWin(String database)
      throws Exception {
    Path jar =
        BundleFixtures.compileJar(dir.resolve("configured.jar"), Map.of("demo.Configured", SOURCE));
    PostgresSchema schema = database.equals("postgresql") ? PostgresSchema.create() : null;
    String url = schema != null ? schema.url() : JdbcBackend.embeddedUrl(home);
    try (JdbcBackend backend = JdbcBackend.open(url)) {
      FlowRegistrar registrar = new FlowRegistrar(backend.flows(), new GantryHome(home));

      RegisteredFlow registered =
          registrar.register(
              Registration.of(jar, "demo.Configured#flow")
                  .withRunConfig(Map.of("memory", "4g", "env.REGION", "eu")));

      RegisteredFlow read = backend.flows().find(registered.id()).orElseThrow();
      assertThat(read.runConfig().settings())
          .containsExactly(
              new RunSettingValue("cpus", "1.5", RunSettingSource.flow),
              new RunSettingValue("env.MODE", "full", RunSettingSource.flow),
              new RunSettingValue("env.REGION", "eu", RunSettingSource.registration),
              new RunSettingValue("memory", "4g", RunSettingSource.registration),
              new RunSettingValue("run-timeout", "PT30M", RunSettingSource.flow));
      assertThat(read.image()).isEqualTo("repo/etl:1.4");
      assertThat(read.runConfig().describe()).contains("memory=4g (registration)");
    } finally {
      if (schema != null) {
        schema.close();
      }
    }
  }

  @Test
  void malformedRegistrationValuesAreRefusedWithOneLineEachAndNothingIsStored() throws Exception {
    Path jar =
        BundleFixtures.compileJar(dir.resolve("configured.jar"), Map.of("demo.Configured", SOURCE));
    try (JdbcBackend backend = JdbcBackend.open(JdbcBackend.embeddedUrl(home))) {
      FlowRegistrar registrar = new FlowRegistrar(backend.flows(), new GantryHome(home));
      Map<String, String> bad =
          Map.of(
              "memory", "lots",
              "cpus", "-1",
              "run-timeout", "soon",
              "image-pull-policy", "Sometimes",
              "service-account", "Not_A_Name",
              "env.1BAD", "x",
              "colour", "red");
      Map<String, String> expected =
          Map.of(
              "memory", "run setting memory 'lots' is not a size such as 512m, 2g or 2Gi",
              "cpus", "run setting cpus '-1' is not a positive number of CPUs such as 1.5",
              "run-timeout",
                  "run setting run-timeout 'soon' is not a duration such as 90s, 30m, 2h or PT1H30M",
              "image-pull-policy",
                  "run setting image-pull-policy 'Sometimes' is not Always, IfNotPresent or Never",
              "service-account",
                  "run setting service-account 'Not_A_Name' is not a Kubernetes name such as etl",
              "env.1BAD", "run setting env '1BAD' is not an environment variable name",
              "colour", "unknown run setting 'colour'");
      bad.forEach(
          (name, value) ->
              assertThatThrownBy(
                      () ->
                          registrar.register(
                              Registration.of(jar, "demo.Configured#flow")
                                  .withRunConfig(Map.of(name, value))))
                  .isInstanceOf(RegistrationException.class)
                  .hasMessageStartingWith("flow 'configured': ")
                  .hasMessageContaining(expected.get(name))
                  .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")));
      assertThat(backend.flows().latest("configured")).isEmpty();
    }
  }
}
