package dev.gantry.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar: the demo of the README and the version line. */
class GantryJarIT {
  @TempDir Path home;

  @Test
  void theDemoRunsTheExampleFlowToSuccessInAChildJvm() throws Exception {
    Path log = home.resolve("demo.log");
    Process demo = GantryJar.start(log, "demo", "--home", home.resolve("gantry").toString());

    assertThat(demo.waitFor(120, TimeUnit.SECONDS)).as("demo finished").isTrue();
    String out = Files.readString(log);
    assertThat(demo.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("Registered flow etl v1 to local storage")
        .contains("state Scheduled")
        .contains("state Submitted")
        .contains("state Running")
        .contains("state Success")
        .contains("extract    SUCCESS")
        .contains("load       SUCCESS")
        .contains("[load stdout] loaded 1000 rows")
        .containsPattern("Run [0-9a-f-]{36} ended Success");
  }

  @Test
  void versionNamesGantryAndJava() throws Exception {
    Path log = home.resolve("version.log");
    Process version = GantryJar.start(log, "--version");

    assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(version.exitValue()).isZero();
    assertThat(Files.readString(log)).startsWith("gantry 0.1.0 (Java ");
  }

  @Test
  void agentInstallKubernetesPrintsTheFourObjectsOfALeastPrivilegeInstall() throws Exception {
    Path log = home.resolve("install.yaml");
    Process install =
        GantryJar.start(log, "agent", "install", "kubernetes", "-l", "s3-flow-storage");

    assertThat(install.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String yaml = Files.readString(log);
    assertThat(install.exitValue()).as(yaml).isZero();
    assertThat(yaml)
        .contains("kind: \"ServiceAccount\"")
        .contains("kind: \"Role\"")
        .contains("kind: \"RoleBinding\"")
        .contains("kind: \"Deployment\"")
        .contains("s3-flow-storage")
        .contains("/health/ready")
        .doesNotContain("\"*\"")
        .doesNotContain("ClusterRole");
  }
}
